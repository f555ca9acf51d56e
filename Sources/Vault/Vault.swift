// Placeholder: Vault is filled in by its issue.
