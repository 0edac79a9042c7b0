"""The placement batch in the API (read-only): batches, posts, candidates with their scores, selections."""
