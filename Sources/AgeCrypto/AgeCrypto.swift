// Placeholder: AgeCrypto is filled in by its issue.
