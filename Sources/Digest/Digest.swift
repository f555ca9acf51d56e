// Placeholder: Digest is filled in by its issue.
