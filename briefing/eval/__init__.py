"""Quality evaluation: summaries (ROUGE), entities, dates, story clustering."""
