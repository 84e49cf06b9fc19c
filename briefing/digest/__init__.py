"""Many articles -> stories -> one digest: clustering, near-duplicate sentences, story summaries."""
