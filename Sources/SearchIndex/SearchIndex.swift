// Placeholder: SearchIndex is filled in by its issue.
