// Placeholder: GitStore is filled in by its issue.
