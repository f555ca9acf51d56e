import Digest
import Embedder
import Foundation
import MCP
import MarkdownCodec
import MemoryContext
import SearchIndex
import Vault

#if canImport(Glibc)
import Glibc
#endif

/// The vault as one MCP client may use it: every tool call and resource read, under that
/// client's tier policy.
///
/// One instance lives as long as the server. It keeps the vault (its loaded search index and
/// parsed settings) and the embedding model warm between calls; calls run one at a time. It
/// never holds the vault lock between calls: each write takes it for its own transaction, as
/// the command line does. Before each call it re-reads `memvault.toml` when the file changed,
/// re-derives the policy, and forgets cached tier keys, so that changes made meanwhile by the
/// command line, by hand, by `sync` or by the key agent are seen at once. (The search index
/// reloads itself when another process changed it.)
public actor MemoryService {
    private let vault: Vault
    private let user: String
    private let clientName: String?
    private var embedder: Embedder?
    private let loadEmbedder: @Sendable () -> Embedder?
    private var embedderLoaded = false
    private var configStamp: FileStamp?
    /// The policy in force for the current call.
    public private(set) var policy: AssistantPolicy
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - vault: an open vault. The service takes it over: it must not be used elsewhere. Its
    ///     `environment` should hold no passphrases (`Vault(at:environment:)`): the server only
    ///     reads tiers already unlocked in the key agent.
    ///   - user: whose memories (resolved by the caller).
    ///   - client: the `--client` name that selects the policy.
    ///   - loadEmbedder: loads the model once, on first need; nil from it means lexical search only.
    ///   - now: the clock for new memories and "recent" (injected for tests).
    public init(
        vault: sending Vault, user: String, client: String?, loadEmbedder: @escaping @Sendable () -> Embedder?,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        vault.askPassphrase = nil
        vault.keyFile = nil
        self.vault = vault
        self.user = user
        self.clientName = client
        self.loadEmbedder = loadEmbedder
        self.now = now
        self.policy = AssistantPolicy(client: client, settings: vault.config.assistants)
        vault.tierScope = Set(policy.tiers)
        self.configStamp = FileStamp(vault.fileURL("memvault.toml").path)
    }

    /// Loads the model and the index before the first call needs them.
    public func warmUp() {
        _ = model()
        try? refresh()
        _ = try? vault.search(SearchRequest(query: "memvault", k: 1, mode: .lexical), user: user, embedder: nil)
    }

    private func model() -> Embedder? {
        if !embedderLoaded {
            embedder = loadEmbedder()
            embedderLoaded = true
        }
        return embedder
    }

    /// Settings, policy and keys as they are now.
    private func refresh() throws(ToolError) {
        let stamp = FileStamp(vault.fileURL("memvault.toml").path)
        if stamp != configStamp {
            do throws(VaultError) {
                try vault.reloadConfig()
            } catch {
                throw ToolError("the vault's settings cannot be read: \(ToolError(error).message)")
            }
            configStamp = stamp
        }
        policy = AssistantPolicy(client: clientName, settings: vault.config.assistants)
        vault.tierScope = Set(policy.tiers)
        vault.forgetCachedKeys()
    }

    // MARK: Tool calls

    /// Runs the tool `name`. Every failure is a result with `isError: true` and one line of text.
    public func call(_ name: String, arguments: [String: Value]?) -> CallTool.Result {
        do throws(ToolError) {
            try refresh()
            let output: ToolOutput
            switch name {
            case "memory_search": output = try search(arguments)
            case "memory_get": output = try get(arguments)
            case "memory_context": output = try context(arguments)
            case "memory_recent": output = try recent(arguments)
            case "memory_add": output = try add(arguments)
            case "memory_update": output = try update(arguments)
            case "memory_forget": output = try forget(arguments)
            case "memory_history": output = try history(arguments)
            case "memory_digest": output = try digest(arguments)
            default:
                throw ToolError("unknown tool '\(name.prefix(80))' (tools: \(ToolCatalog.names.joined(separator: ", ")))")
            }
            return Self.result([.text(text: output.text, annotations: nil, _meta: nil)], output.structured, nil, nil)
        } catch {
            return Self.result([.text(text: error.message, annotations: nil, _meta: nil)], nil, true, nil)
        }
    }

    /// The result's memberwise initializer (not its generic, throwing sibling that encodes a `Codable`).
    private static func result(_ content: [Tool.Content], _ structured: Value?, _ isError: Bool?, _ meta: Metadata?) -> CallTool.Result {
        let make: ([Tool.Content], Value?, Bool?, Metadata?) -> CallTool.Result = CallTool.Result.init(content:structuredContent:isError:_meta:)
        return make(content, structured, isError, meta)
    }

    struct ToolOutput {
        var text: String
        var structured: Value
    }

    private static func value(_ encodable: some Encodable) throws(ToolError) -> Value {
        do {
            // Not JSONDecoder: the SDK's Value(from:) costs a regular expression per string.
            return try ValueJSON.parse([UInt8](try JSONEncoder().encode(encodable)))
        } catch {
            throw ToolError("internal error: cannot encode the result")
        }
    }

    private func vaultStep<T>(_ body: () throws(VaultError) -> T) throws(ToolError) -> T {
        do {
            return try body()
        } catch {
            throw ToolError(error)
        }
    }

    /// The tiers a call may read: those it names (each must be granted), else all granted.
    private func readableTiers(_ arguments: ToolArguments) throws(ToolError) -> Set<Tier> {
        guard let names = try arguments.strings("tiers") else { return Set(policy.tiers) }
        var tiers = Set<Tier>()
        for name in names {
            guard let tier = Tier(rawValue: name.lowercased()) else {
                throw ToolError("unknown tier '\(name.prefix(40))' (tiers: \(Tier.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard policy.tiers.contains(tier) else { throw notGranted(tier) }
            tiers.insert(tier)
        }
        return tiers
    }

    private func notGranted(_ tier: Tier) -> ToolError {
        let who = clientName.map { "client '\($0)'" } ?? "this client"
        return ToolError("the \(tier.rawValue) tier is not granted to \(who) (granted: \(policy.tiers.map(\.rawValue).joined(separator: ", ")))")
    }

    private func requireWrite() throws(ToolError) {
        guard policy.canWrite else {
            let who = clientName.map { "client '\($0)'" } ?? "this client"
            throw ToolError("\(who) may not write to the vault (memvault.toml [mcp] write = false)")
        }
    }

    /// A memory an excluded or locked tier would otherwise show: refused, without a word of it.
    private func readable(_ memory: Memory, id: String) throws(ToolError) -> Memory {
        guard policy.tiers.contains(memory.tier) else { throw ToolError("no memory with id \(id)") }
        if memory.tier.isEncrypted && memory.text == nil {
            throw ToolError("the \(memory.tier.rawValue) tier is locked; unlock it in the key agent first (memvault unlock \(memory.tier.rawValue))")
        }
        return memory
    }

    private func search(_ raw: [String: Value]?) throws(ToolError) -> ToolOutput {
        let arguments = try ToolArguments(raw, known: ["query", "k", "tiers", "since", "until", "tags", "mentions", "mode"])
        var request = SearchRequest(query: try arguments.requiredString("query"), k: try arguments.integer("k", in: 1...50) ?? 10)
        if let mode = try arguments.string("mode") {
            guard let parsed = SearchMode(rawValue: mode) else { throw ToolError("argument 'mode' must be hybrid, semantic or lexical") }
            request.mode = parsed
        }
        request.tiers = try readableTiers(arguments)
        let timeZone = vault.config.timeZone
        if let since = try arguments.string("since") { request.since = try vaultStep { () throws(VaultError) in try DateBound.parse(since, timeZone: timeZone, end: false) } }
        if let until = try arguments.string("until") { request.until = try vaultStep { () throws(VaultError) in try DateBound.parse(until, timeZone: timeZone, end: true) } }
        request.tags = try arguments.strings("tags").map { Set($0.map { $0.hasPrefix("#") ? String($0.dropFirst()) : $0 }) }
        request.mentions = try arguments.strings("mentions").map { Set($0.map { $0.hasPrefix("@") ? String($0.dropFirst()) : $0 }) }
        let embedder = request.mode == .lexical ? nil : model()
        if request.mode == .semantic && embedder == nil { throw ToolError("semantic search needs the embedding model, which is missing; use mode lexical or hybrid") }
        var response = try vaultStep { () throws(VaultError) in try vault.search(request, user: user, embedder: embedder) }
        // Defence in depth: the scoped vault searched only granted tiers; nothing else may pass.
        response.results = response.results.filter { result in policy.tiers.contains { $0.rawValue == result.tier } }
        response.locked = response.locked.filter { name in policy.tiers.contains { $0.rawValue == name } }
        var lines = response.results.enumerated().map { rank, result in
            let date = result.date.map { String($0.prefix(10)) } ?? "undated"
            return "\(rank + 1). [\(date) · \(result.id)] \(result.title.map { $0 + ": " } ?? "")\(result.snippet)"
        }
        if lines.isEmpty { lines = ["no memories match"] }
        if !response.locked.isEmpty { lines.append("not searched (locked): \(response.locked.joined(separator: ", "))") }
        return ToolOutput(text: lines.joined(separator: "\n"), structured: try Self.value(response))
    }

    private func get(_ raw: [String: Value]?) throws(ToolError) -> ToolOutput {
        let arguments = try ToolArguments(raw, known: ["ids"])
        guard let ids = try arguments.strings("ids") else { throw ToolError("missing required argument 'ids'") }
        guard !ids.isEmpty, ids.count <= 50 else { throw ToolError("argument 'ids' must hold 1 to 50 ids") }
        var memories: [Memory] = []
        for text in ids {
            let (id, revision) = Vault.splitRevision(text.trimmingCharacters(in: .whitespaces))
            let memory: Memory
            if let revision {
                do throws(VaultError) {
                    memory = try vault.show(id: id, at: revision)
                } catch {
                    throw ToolError(error)
                }
            } else {
                memory = try vaultStep { () throws(VaultError) in try vault.show(id: id) }
            }
            memories.append(try readable(memory, id: id))
        }
        let text = memories.map(Self.render).joined(separator: "\n\n")
        return ToolOutput(text: text, structured: try Self.value(MemoryList(memories: memories)))
    }

    struct MemoryList: Encodable {
        var memories: [Memory]
        var locked: [String]? = nil
    }

    /// A memory as Markdown: `## 2026-11-22 14:03 · Title`, its id, tier and place, then its text.
    static func render(_ memory: Memory) -> String {
        let date = memory.date.map { String($0.prefix(16)).replacingOccurrences(of: "T", with: " ") } ?? "undated"
        var text = "## \(date)\(memory.title.map { " · " + $0 } ?? "")\nid: \(memory.id) · tier: \(memory.tier.rawValue) · \(memory.path):\(memory.line)"
        if !memory.tags.isEmpty { text += " · tags: " + memory.tags.map { "#" + $0 }.joined(separator: " ") }
        if let body = memory.text, !body.isEmpty { text += "\n\n" + body }
        return text
    }

    private func context(_ raw: [String: Value]?) throws(ToolError) -> ToolOutput {
        let arguments = try ToolArguments(raw, known: ["query", "budget_tokens", "tiers"])
        let request = ContextRequest(
            query: try arguments.requiredString("query"),
            budget: try arguments.integer("budget_tokens", in: ContextRequest.minimumBudget...200_000) ?? 1500,
            tiers: try readableTiers(arguments))
        let builder = ContextBuilder(vault: vault, user: user, embedder: model())
        var block = try vaultStep { () throws(VaultError) in try builder.build(request) }
        block.locked = block.locked.filter { name in policy.tiers.contains { $0.rawValue == name } }
        return ToolOutput(text: block.text, structured: try Self.value(block))
    }

    private func recent(_ raw: [String: Value]?) throws(ToolError) -> ToolOutput {
        let arguments = try ToolArguments(raw, known: ["days", "tiers", "limit"])
        let days = try arguments.integer("days", in: 1...36_500) ?? 7
        let limit = try arguments.integer("limit", in: 1...200) ?? 20
        let tiers = try readableTiers(arguments)
        let filter = MemoryFilter(tiers: tiers, since: now().addingTimeInterval(-Double(days) * 86_400))
        let all = try vaultStep { () throws(VaultError) in try vault.memories(user: user, filter: filter) }
        let locked = Set(all.filter { $0.tier.isEncrypted && $0.text == nil }.map(\.tier.rawValue)).sorted()
        let memories = Array(all.filter { $0.text != nil && !$0.id.isEmpty }.prefix(limit))
        var text = memories.map { memory in
            let date = memory.date.map { String($0.prefix(16)).replacingOccurrences(of: "T", with: " ") } ?? "undated"
            return "- [\(date) · \(memory.id)] \(memory.title.map { $0 + ": " } ?? "")\(ContextBuilder.oneLine(memory.text ?? "").prefix(200))"
        }.joined(separator: "\n")
        if memories.isEmpty { text = "no memories in the last \(days) days" }
        if !locked.isEmpty { text += "\nnot shown (locked): \(locked.joined(separator: ", "))" }
        return ToolOutput(text: text, structured: try Self.value(MemoryList(memories: memories, locked: locked)))
    }

    struct Written: Encodable {
        var memory: Memory
        var action: String
    }

    /// The tier a new memory goes to when the client names none: the classifier's, as `add --tier
    /// auto` chooses it (doubt moves a memory up, never down; never ultrasecret). A tier this client
    /// may not write, or an encrypted tier without a key, refuses the write: the memory is never
    /// put in a lower tier instead.
    private func tierForNewMemory(text: String) throws(ToolError) -> Tier {
        let embedder = model()
        let classification = try vaultStep { () throws(VaultError) in
            try vault.classify(text: text, user: user, embedder: embedder)
        }
        let tier = classification.tier
        guard policy.tiers.contains(tier) else {
            let who = clientName.map { "client '\($0)'" } ?? "this client"
            throw ToolError("the memory was \(classification.summary), a tier \(who) may not write; nothing written (the person can add it with memvault add --tier auto)")
        }
        if tier.isEncrypted && !vault.hasKey(user: user, tier: tier) {
            throw ToolError("the memory was \(classification.summary), and that tier has no key yet; nothing written (create one with memvault passwd \(tier.rawValue))")
        }
        return tier
    }

    private func add(_ raw: [String: Value]?) throws(ToolError) -> ToolOutput {
        let arguments = try ToolArguments(raw, known: ["text", "title", "date", "tags", "tier"])
        try requireWrite()
        let text = try arguments.requiredString("text")
        // Every argument is read before the text is classified: a bad one is the error to report.
        let title = try arguments.string("title")
        let tags = try arguments.strings("tags") ?? []
        var date: EntryDate?
        if let written = try arguments.string("date") {
            let timeZone = vault.config.timeZone
            date = try vaultStep { () throws(VaultError) in try DateText.parseUserDate(written, timeZone: timeZone) }
        }
        let tier: Tier
        if let name = try arguments.string("tier") {
            guard let parsed = Tier(rawValue: name.lowercased()) else {
                throw ToolError("unknown tier '\(name.prefix(40))' (tiers: \(Tier.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            tier = parsed
        } else {
            tier = try tierForNewMemory(text: text)
        }
        guard policy.tiers.contains(tier) else { throw notGranted(tier) }
        var new = NewMemory(text: text, tier: tier, title: title, tags: tags, src: policy.source)
        new.date = date
        let instant = now()
        let memory = try vaultStep { () throws(VaultError) in try vault.add(new, user: user, now: instant) }
        return ToolOutput(
            text: "added \(memory.id) to \(memory.tier.rawValue) (\(memory.path):\(memory.line))",
            structured: try Self.value(Written(memory: memory, action: "added")))
    }

    /// Tag names without `#`, each checked as `memvault add --tag` checks it.
    private static func tagNames(_ tags: [String]?) throws(ToolError) -> [String]? {
        guard let tags else { return nil }
        var names: [String] = []
        for tag in tags {
            let name = tag.hasPrefix("#") ? String(tag.dropFirst()) : tag
            guard let first = name.unicodeScalars.first, CharacterSet.letters.contains(first),
                name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "_-/".unicodeScalars.contains($0) })
            else { throw ToolError("invalid tag '\(tag.prefix(60))' (a tag starts with a letter and holds letters, digits, '_', '-' and '/')") }
            names.append(name)
        }
        return names
    }

    private func update(_ raw: [String: Value]?) throws(ToolError) -> ToolOutput {
        let arguments = try ToolArguments(raw, known: ["id", "text", "title", "tags", "add_tags", "remove_tags"])
        try requireWrite()
        let id = try arguments.requiredString("id")
        let newText = try arguments.string("text")
        let newTitle = try arguments.string("title")
        let setTags = try Self.tagNames(try arguments.strings("tags"))
        let addTags = try Self.tagNames(try arguments.strings("add_tags"))
        let removeTags = try Self.tagNames(try arguments.strings("remove_tags"))
        guard newText != nil || newTitle != nil || setTags != nil || addTags != nil || removeTags != nil else {
            throw ToolError("give at least one of 'text', 'title', 'tags', 'add_tags' or 'remove_tags' to change")
        }
        if setTags != nil && (addTags != nil || removeTags != nil) {
            throw ToolError("give either 'tags' (the whole new set) or 'add_tags'/'remove_tags', not both")
        }
        if let newText, newText.utf8.count > Vault.maximumMemorySize {
            throw ToolError("memory too large (\(newText.utf8.count) bytes; the limit is \(Vault.maximumMemorySize))")
        }
        if let newText, newText.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ToolError("argument 'text' must not be empty (to remove a memory use memory_forget)")
        }
        if let newTitle, newTitle.contains(where: \.isNewline) { throw ToolError("a title is one line") }
        let (original, memory) = try vaultStep { () throws(VaultError) in try vault.entryText(id: id) }
        _ = try readable(memory, id: id)
        guard let entry = EntryFile.parse(original + "\n").entries.first, let date = entry.date else {
            throw ToolError("memory \(id) has no dated heading and cannot be updated here (\(memory.path):\(memory.line))")
        }
        var body = (newText ?? entry.body).trimmingCharacters(in: .whitespacesAndNewlines)
        if setTags != nil || addTags != nil || removeTags != nil {
            // The tags after the update: the set given, or the present ones with additions and removals.
            var wanted = setTags ?? EntryTags.tags(of: body)
            for tag in addTags ?? [] where !wanted.contains(tag) { wanted.append(tag) }
            if let removeTags { wanted.removeAll { removeTags.contains($0) } }
            guard let edited = EntryTags.setting(wanted, in: body) else {
                throw ToolError("the tags of memory \(id) cannot be changed in its text as it is; give the whole new text instead (argument 'text')")
            }
            body = edited.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard !body.isEmpty else {
            throw ToolError("memory \(id) would have no text left; nothing changed (to remove a memory use memory_forget)")
        }
        let title = newTitle.map { $0.trimmingCharacters(in: .whitespaces) } ?? entry.title
        let rendered = EntryRenderer.render(
            date: date, title: title?.isEmpty == true ? nil : title, id: id,
            meta: entry.meta.filter { $0.key != "id" }, body: body)
        let updated = try vaultStep { () throws(VaultError) in try vault.replaceEntry(id: id, original: original, newText: rendered) }
        let result = updated ?? memory
        return ToolOutput(
            text: updated == nil ? "memory \(id) unchanged" : "updated \(id) (\(result.path):\(result.line)); the earlier text stays in history (memory_history)",
            structured: try Self.value(Written(memory: result, action: updated == nil ? "unchanged" : "updated")))
    }

    private func forget(_ raw: [String: Value]?) throws(ToolError) -> ToolOutput {
        let arguments = try ToolArguments(raw, known: ["id"])
        try requireWrite()
        let id = try arguments.requiredString("id")
        // Located through the scoped vault: an id of a tier not granted is "not found".
        let current = try vaultStep { () throws(VaultError) in try vault.show(id: id) }
        // A memory the client cannot read (a tier not granted, or locked) cannot be removed by it.
        _ = try readable(current, id: id)
        var removed = try vaultStep { () throws(VaultError) in try vault.remove(id: id) }
        if removed.tier.isEncrypted && removed.text == nil { removed.title = nil }
        return ToolOutput(
            text: "forgot \(id) (\(removed.tier.rawValue)); it stays in the vault's git history",
            structured: try Self.value(Written(memory: removed, action: "forgotten")))
    }

    private func history(_ raw: [String: Value]?) throws(ToolError) -> ToolOutput {
        let arguments = try ToolArguments(raw, known: ["id"])
        let id = try arguments.requiredString("id")
        var history = try vaultStep { () throws(VaultError) in try vault.history(id: id) }
        // Versions of a tier not granted (say, before a move) are left out; encrypted ones of a
        // locked tier have no text and are left out too.
        history.versions = history.versions.filter { policy.tiers.contains($0.memory.tier) && $0.memory.text != nil }
        guard !history.versions.isEmpty else { throw ToolError("no memory with id \(id)") }
        let text = history.versions.enumerated().map { index, version in
            "\(index + 1). \(version.date) \(version.commit.prefix(7)) (get it with \(id)@\(version.commit.prefix(12))): "
                + ContextBuilder.oneLine(version.memory.text ?? "").prefix(160)
        }.joined(separator: "\n")
        return ToolOutput(text: text, structured: try Self.value(history))
    }

    struct DigestOutput: Encodable {
        var date: String
        var markdown: String
    }

    private func digest(_ raw: [String: Value]?) throws(ToolError) -> ToolOutput {
        let arguments = try ToolArguments(raw, known: ["date"])
        let markdown = try digestMarkdown(try arguments.string("date"))
        return ToolOutput(text: markdown.markdown, structured: try Self.value(markdown))
    }

    private func digestMarkdown(_ date: String?) throws(ToolError) -> DigestOutput {
        let timeZone = vault.config.timeZone
        let day: DigestDay
        if let date {
            day = try vaultStep { () throws(VaultError) in try DigestDay(parsing: date) }
        } else {
            day = DigestDay(containing: now(), timeZone: timeZone)
        }
        let builder = DigestBuilder(vault: vault, user: user, embedder: model())
        // Drawn only from granted tiers that can be read now: a locked tier is not even counted.
        let granted = vault.tierScope
        vault.tierScope = Set(policy.tiers.filter { vault.isReadableNow(user: user, tier: $0) })
        defer { vault.tierScope = granted }
        let text = try vaultStep { () throws(VaultError) in try builder.render(day, explicit: true, encryptedSection: .clear) }
        return DigestOutput(date: day.description, markdown: text ?? "# Digest \(day)\n\nNothing recorded on this day.\n")
    }

    // MARK: Resources

    /// Memories per page of `resources/list`.
    public static let resourcesPerPage = 100
    /// How many recent days' digests the first page of `resources/list` names (besides today).
    static let listedDigestDays = 7

    /// A memory as `resources/list` names it.
    struct ListedMemory {
        var id: String
        var tier: Tier
        /// `YYYY-MM-DD HH:MM`, or nil when undated.
        var date: String?
        var label: String
        var path: String
        var line: Int
    }

    /// The memories a listing showed, kept while nothing they came from changed.
    private struct Listing {
        var tiers: [Tier]
        var files: [String: FileStamp]
        var memories: [ListedMemory]
    }
    private var listing: Listing?

    /// `resources/list`: on the first page the digests of today and of the last days with
    /// memories, then every memory this client may read now, newest first, in pages.
    /// - Throws: `ToolError` for a cursor this server did not give, or a vault that cannot be read.
    public func listResources(cursor: String?) throws(ToolError) -> ListResources.Result {
        try refresh()
        var offset = 0
        if let cursor {
            guard cursor.hasPrefix("memories:"), let value = Int(cursor.dropFirst("memories:".count)), value >= 0 else {
                throw ToolError("unknown cursor '\(cursor.prefix(40))' (pass the nextCursor of the previous page)")
            }
            offset = value
        }
        let memories = try listedMemories()
        var resources: [Resource] = []
        if offset == 0 {
            resources.append(Resource(
                name: "digest/today", uri: "memvault://digest/today", title: "Today's digest",
                description: "The digest of today, drawn from the tiers this client may read.", mimeType: "text/markdown"))
            var days: [String] = []
            for memory in memories {
                guard let day = memory.date.map({ String($0.prefix(10)) }), !days.contains(day) else { continue }
                days.append(day)
                if days.count == Self.listedDigestDays { break }
            }
            resources += days.map {
                Resource(name: "digest/\($0)", uri: "memvault://digest/\($0)", title: "Digest of \($0)", mimeType: "text/markdown")
            }
        }
        let page = memories.dropFirst(offset).prefix(Self.resourcesPerPage)
        resources += page.map { memory in
            Resource(
                name: "memory/\(memory.id)", uri: "memvault://memory/\(memory.id)",
                title: "\(memory.date ?? "undated") · \(memory.label)",
                description: "\(memory.tier.rawValue) memory at \(memory.path):\(memory.line)", mimeType: "text/markdown")
        }
        let end = offset + page.count
        return ListResources.Result(resources: resources, nextCursor: end < memories.count ? "memories:\(end)" : nil)
    }

    /// The memories of the granted tiers readable now, newest first; read again only when a tier
    /// file or the readable tiers changed (a file stat each, no reading).
    private func listedMemories() throws(ToolError) -> [ListedMemory] {
        let tiers = policy.tiers.filter { !$0.isEncrypted || vault.isReadableNow(user: user, tier: $0) }
        var files: [String: FileStamp] = [:]
        for path in vault.tierFilePaths(user: user, tiers: Set(tiers)) {
            files[path] = FileStamp(vault.fileURL(path).path)
        }
        if let listing, listing.tiers == tiers, listing.files == files { return listing.memories }
        let all = try vaultStep { () throws(VaultError) in try vault.memories(user: user, filter: MemoryFilter(tiers: Set(tiers))) }
        let memories = all.compactMap { memory -> ListedMemory? in
            // Entries without an id cannot be named; a locked entry shows nothing.
            guard !memory.id.isEmpty, let text = memory.text, policy.tiers.contains(memory.tier) else { return nil }
            let label = memory.title.flatMap { $0.isEmpty ? nil : $0 } ?? String(ContextBuilder.oneLine(text).prefix(60))
            return ListedMemory(
                id: memory.id, tier: memory.tier,
                date: memory.date.map { String($0.prefix(16)).replacingOccurrences(of: "T", with: " ") },
                label: label, path: memory.path, line: memory.line)
        }
        listing = Listing(tiers: tiers, files: files, memories: memories)
        return memories
    }


    /// The contents of `memvault://memory/{id}` (optionally `id@rev`) or `memvault://digest/{date}`.
    public func readResource(_ uri: String) throws(ToolError) -> Resource.Content {
        try refresh()
        let memoryPrefix = "memvault://memory/"
        let digestPrefix = "memvault://digest/"
        if uri.hasPrefix(memoryPrefix) {
            let reference = String(uri.dropFirst(memoryPrefix.count)).removingPercentEncoding ?? ""
            let output = try get(["ids": .array([.string(reference)])])
            return .text(output.text, uri: uri, mimeType: "text/markdown")
        }
        if uri.hasPrefix(digestPrefix) {
            let date = String(uri.dropFirst(digestPrefix.count))
            let digest = try digestMarkdown(date == "today" || date.isEmpty ? nil : date)
            return .text(digest.markdown, uri: uri, mimeType: "text/markdown")
        }
        throw ToolError("unknown resource '\(uri.prefix(80))' (memvault://memory/{id} or memvault://digest/{date})")
    }
}

/// Identifies a file's version cheaply: device, inode, size and modification time.
struct FileStamp: Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var seconds: Int
    var nanoseconds: Int

    init?(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        seconds = Int(info.st_mtim.tv_sec)
        nanoseconds = Int(info.st_mtim.tv_nsec)
    }
}
