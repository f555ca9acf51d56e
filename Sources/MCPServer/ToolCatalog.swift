import MCP

/// The tools `memvault mcp` offers: names, descriptions, input and output schemas, annotations.
public enum ToolCatalog {
    public static var names: [String] { tools.map(\.name) }

    static func object(_ properties: [String: Value], required: [String] = []) -> Value {
        var schema: [String: Value] = ["type": "object", "properties": .object(properties), "additionalProperties": false]
        if !required.isEmpty { schema["required"] = .array(required.map { .string($0) }) }
        return .object(schema)
    }

    static func string(_ description: String) -> Value { ["type": "string", "description": .string(description)] }
    static func strings(_ description: String) -> Value {
        ["type": "array", "items": ["type": "string"], "description": .string(description)]
    }
    static func integer(_ description: String, minimum: Int, maximum: Int) -> Value {
        ["type": "integer", "minimum": .int(minimum), "maximum": .int(maximum), "description": .string(description)]
    }
    static let nullableString: Value = ["type": ["string", "null"]]
    static let tiersArgument = strings("Only these tiers (each must be granted to this client). Default: every granted tier.")

    /// `memory` as `show --json` gives it.
    static let memory: Value = object([
        "id": ["type": "string"], "user": ["type": "string"], "tier": ["type": "string"], "date": nullableString,
        "path": ["type": "string"], "line": ["type": "integer"], "title": nullableString, "text": ["type": "string"],
        "tags": ["type": "array", "items": ["type": "string"]], "mentions": ["type": "array", "items": ["type": "string"]],
        "tasks": ["type": "array"], "src": nullableString, "meta": ["type": "object"],
    ], required: ["id", "tier", "path", "line"]).loosened

    static let memoryList: Value = object([
        "memories": ["type": "array", "items": memory],
        "locked": ["type": "array", "items": ["type": "string"]],
    ], required: ["memories"])

    static let written: Value = object([
        "memory": memory, "action": ["type": "string", "enum": ["added", "updated", "unchanged", "forgotten"]],
    ], required: ["memory", "action"])

    static let readOnly = Tool.Annotations(readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false)

    public static let tools: [Tool] = [
        Tool(
            name: "memory_search", title: "Search memories",
            description: "Find the person's memories by meaning and by words (hybrid BM25 + embeddings). Returns ranked results with date, id, title and a snippet; use memory_get for whole texts.",
            inputSchema: object([
                "query": string("What to look for, in natural language or keywords."),
                "k": integer("How many results (default 10).", minimum: 1, maximum: 50),
                "tiers": tiersArgument,
                "since": string("Only memories from this date on: YYYY-MM-DD or YYYY-MM."),
                "until": string("Only memories up to this date: YYYY-MM-DD or YYYY-MM."),
                "tags": strings("Only memories with all these #tags."),
                "mentions": strings("Only memories mentioning all these @people."),
                "mode": ["type": "string", "enum": ["hybrid", "semantic", "lexical"], "description": "Ranking (default hybrid)."],
            ], required: ["query"]),
            annotations: readOnly,
            outputSchema: object([
                "query": ["type": "string"], "mode": ["type": "string"], "took_ms": ["type": "number"],
                "locked": ["type": "array", "items": ["type": "string"]],
                "results": ["type": "array", "items": object([
                    "id": ["type": "string"], "score": ["type": "number"], "user": ["type": "string"], "tier": ["type": "string"],
                    "date": nullableString, "path": ["type": "string"], "line": ["type": "integer"], "title": nullableString,
                    "snippet": ["type": "string"], "tags": ["type": "array", "items": ["type": "string"]], "src": nullableString,
                ]).loosened],
            ], required: ["query", "mode", "locked", "results"])),
        Tool(
            name: "memory_get", title: "Read memories",
            description: "Whole memories by id, with date, tier, title, text, tags and path:line. An id may carry a revision, ID@REV (a commit from memory_history), for an earlier version.",
            inputSchema: object(["ids": strings("Memory ids (1 to 50), each optionally ID@REV.")], required: ["ids"]),
            annotations: readOnly, outputSchema: memoryList),
        Tool(
            name: "memory_context", title: "Memory context for a prompt",
            description: "The most relevant memories for a prompt as one Markdown block within a token budget: near-duplicates folded, each line cited with date and id, newest first where memories on one topic disagree, and a header saying what was left out.",
            inputSchema: object([
                "query": string("The prompt or topic."),
                "budget_tokens": integer("Hard limit for the block, in tokens (default 1500).", minimum: 64, maximum: 200_000),
                "tiers": tiersArgument,
            ], required: ["query"]),
            annotations: readOnly,
            outputSchema: object([
                "query": ["type": "string"], "budget": ["type": "integer"], "tokens": ["type": "integer"], "text": ["type": "string"],
                "memories": ["type": "array", "items": ["type": "object"]], "considered": ["type": "integer"],
                "left_out": ["type": "integer"], "folded": ["type": "integer"], "locked": ["type": "array", "items": ["type": "string"]],
            ], required: ["text", "memories", "tokens", "budget"])),
        Tool(
            name: "memory_recent", title: "Recent memories",
            description: "The newest memories of the last days, newest first.",
            inputSchema: object([
                "days": integer("How many days back (default 7).", minimum: 1, maximum: 36_500),
                "tiers": tiersArgument,
                "limit": integer("At most this many (default 20).", minimum: 1, maximum: 200),
            ]),
            annotations: readOnly, outputSchema: memoryList),
        Tool(
            name: "memory_add", title: "Remember something",
            description: "Store a new memory (one git commit, src mcp:<client>). Write when the person states a lasting fact, preference, decision, plan or event worth recalling later, or asks you to remember something. One memory per fact; no secrets in plain tiers.",
            inputSchema: object([
                "text": string("The memory, as Markdown; #tags and @mentions inside are recognised."),
                "title": string("A short title (one line)."),
                "date": string("When it happened: YYYY-MM-DD or YYYY-MM-DD HH:MM (default: now)."),
                "tags": strings("Tags to add, without '#'."),
                "tier": string("chronological (events), general (facts), confidential or secret; must be granted. Default: chosen by the classifier, as memvault add --tier auto does (never a lower tier when in doubt)."),
            ], required: ["text"]),
            annotations: Tool.Annotations(readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false),
            outputSchema: written),
        Tool(
            name: "memory_update", title: "Correct a memory",
            description: "Replace a memory's text, title or tags in place (one commit); with new text and no tag argument, the tags are those in the text. The earlier version stays in git history; memory_history lists it and memory_get ID@REV returns it. Use when a stored fact changed or was wrong.",
            inputSchema: object([
                "id": string("The memory's id."),
                "text": string("The new text (replaces the old)."),
                "title": string("The new title."),
                "tags": strings("The memory's tags after the update, without '#': replaces the tags it has ([] removes them all). A tag removed from a sentence keeps its word."),
                "add_tags": strings("Tags to add, without '#' (instead of 'tags')."),
                "remove_tags": strings("Tags to remove, without '#' (instead of 'tags')."),
            ], required: ["id"]),
            annotations: Tool.Annotations(readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false),
            outputSchema: written),
        Tool(
            name: "memory_forget", title: "Forget a memory",
            description: "Remove a memory (one commit). It stays in the vault's git history. Only when the person asks to forget it.",
            inputSchema: object(["id": string("The memory's id.")], required: ["id"]),
            annotations: Tool.Annotations(readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false),
            outputSchema: written),
        Tool(
            name: "memory_history", title: "Versions of a memory",
            description: "Every version of one memory, oldest first, with the commit of each (pass ID@COMMIT to memory_get for that text).",
            inputSchema: object(["id": string("The memory's id.")], required: ["id"]),
            annotations: readOnly,
            outputSchema: object([
                "id": ["type": "string"],
                "versions": ["type": "array", "items": object([
                    "commit": ["type": "string"], "date": ["type": "string"], "author": ["type": "string"], "memory": memory,
                ]).loosened],
            ], required: ["id", "versions"])),
        Tool(
            name: "memory_digest", title: "Daily digest",
            description: "The digest of one day as Markdown: the day at a glance, highlights, themes, open tasks, people and tags, connections, on this day.",
            inputSchema: object(["date": string("The day, YYYY-MM-DD (default: today).")]),
            annotations: readOnly,
            outputSchema: object(["date": ["type": "string"], "markdown": ["type": "string"]], required: ["date", "markdown"])),
    ]

    /// What the server tells the model about using it.
    public static let instructions = """
        memvault is the person's own long-term memory, shared by all their AI assistants and kept \
        as Markdown in a git repository they own. Search it (memory_search, or memory_context for \
        a ready-made block) before answering anything that depends on their life, people, \
        preferences, plans or past conversations, and cite memories by date and id. Write \
        (memory_add) when they state a lasting fact, preference, decision, plan or event, or ask \
        you to remember something: one short memory per fact, in their words, with a date for \
        events. When a stored fact changed, update it (memory_update) rather than adding a \
        contradicting one; forget (memory_forget) only when asked. Never store passwords, keys or \
        tokens. You see only the tiers this client was granted; do not guess at others.
        """
}

extension Value {
    /// An object schema that allows properties beyond those listed.
    var loosened: Value {
        guard case .object(var schema) = self else { return self }
        schema["additionalProperties"] = true
        return .object(schema)
    }
}
