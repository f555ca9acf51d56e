// Placeholder: MemvaultSupport is filled in by its issue.
