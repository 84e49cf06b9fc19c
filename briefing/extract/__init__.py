"""Who / where / when / quotes from an article's analysis text."""
