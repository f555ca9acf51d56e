// Placeholder: Embedder is filled in by its issue.
