// Placeholder: MarkdownCodec is filled in by its issue.
