// Generated from vault-template/ (see VaultTemplateTests); keep the two in step.

/// The files of the repository's `vault-template/`, which `memvault init` copies.
///
/// Kept in the binary so that an installed `memvault` needs no data folder; a test checks
/// that these are byte for byte the files in `vault-template/`. `{{user}}` stands for the
/// first user's name.
enum VaultTemplate {
    /// Path in the vault, and the file's lines (each ends with a newline).
    static let files: [(path: String, lines: [String])] = [
        (".gitignore", [
            "# Derived files: the search index and other caches, always rebuildable.",
            ".memvault/cache/",
            "# The journal of a change in progress (or one a crash interrupted): local to this device.",
            ".memvault/journal",
            ".memvault/journal-after",
            "# Temporary files of memvault's atomic writes, present only while a write is under way.",
            ".*.tmp-*",
            "# Editors that live in the vault: their state is not a memory (memvault commits only its own",
            "# files anyway; these lines keep git status quiet too).",
            ".obsidian/workspace.json",
            ".obsidian/workspace-mobile.json",
            ".obsidian/cache/",
            ".trash/",
            ".vscode/",
            ".idea/",
            "# Swap, backup and lock files of vim, emacs and others.",
            "*.swp",
            "*.swo",
            "*~",
            ".#*",
            "\\#*#",
            "4913",
            ".DS_Store",
        ]),
        (".memvault/keys/.gitkeep", [
        ]),
        ("README.md", [
            "# Memories",
            "",
            "This folder is a memvault vault: plain Markdown in git, one folder per user and",
            "per tier (`chronological`, `general`, `confidential`, `secret`, `ultrasecret`).",
            "Edit the files in any editor; `memvault commit` records your edits.",
        ]),
        ("memvault.toml", [
            "# memvault vault settings. Edit by hand; memvault keeps your comments.",
            "format = 1",
            "",
            "# The users of this vault, one folder each. The default user is used when",
            "# neither --user nor $MEMVAULT_USER names one.",
            "users = [\"{{user}}\"]",
            "default_user = \"{{user}}\"",
            "",
            "# Tier used by `memvault add` without --tier.",
            "default_tier = \"chronological\"",
            "",
            "# Time zone in which headings are written and days are cut (an IANA name such",
            "# as \"Europe/Berlin\"); empty means this machine's time zone.",
            "timezone = \"\"",
            "",
            "[model]",
            "name = \"all-MiniLM-L6-v2\"",
            "",
            "[git]",
            "# Commit author when git's own user.name / user.email are not set.",
            "author_name = \"\"",
            "author_email = \"\"",
            "",
            "[digest]",
            "# Sections left out of the daily digest, by name (for example [\"on-this-day\"]).",
            "skip_sections = []",
        ]),
    ]

    static func contents(of lines: [String]) -> String {
        lines.map { $0 + "\n" }.joined()
    }
}
