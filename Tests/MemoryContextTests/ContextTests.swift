import Foundation
@testable import MemoryContext
import Testing
import Vault

@Suite("Token budget count")
struct TokenBudgetTests {
    @Test("words one token in both encodings count one; unknown words and other bytes count one per byte")
    func counts() {
        #expect(TokenBudget.count("") == 0)
        #expect(TokenBudget.count("hello") == 1)
        #expect(TokenBudget.count(" the") == 1)
        #expect(TokenBudget.count("the cat") == 2)
        // A random word is not in the list: one per byte, space included.
        #expect(TokenBudget.count(" xqzvkj") == 7)
        // Digits: groups of three.
        #expect(TokenBudget.count("2026") == 2)
        #expect(TokenBudget.count("123456789") == 3)
        // A bracket before a word may join its piece: bytes.
        #expect(TokenBudget.count("(hello") == 6)
        // Non-ASCII: bytes.
        #expect(TokenBudget.count("咖啡") == 6)
        #expect(TokenBudget.count("🎉") == 4)
        // An apostrophe after the word would join it (o200k): bytes.
        #expect(TokenBudget.count(" it's") == 5)
    }

    @Test("never less than a quarter of the bytes nor more than the bytes", arguments: [
        "Had coffee with Maria; she starts at the museum in January.",
        "Ich habe gestern mit Maria Kaffee getrunken und über Ostern geredet.",
        "我昨天和玛丽亚一起喝咖啡。", "🎉🙂👩‍👩‍👧 😀",
    ])
    func bounds(text: String) {
        let count = TokenBudget.count(text)
        #expect(count <= text.utf8.count)
        #expect(count >= text.utf8.count / 8)
    }
}

/// A temporary vault with a few memories.
final class ContextVault: @unchecked Sendable {
    let home: URL
    let vault: Vault

    init() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("memvault-context-\(UUID().uuidString)")
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home.path
        environment["XDG_RUNTIME_DIR"] = home.path
        environment["TZ"] = "Europe/Berlin"
        vault = try Vault.create(at: home.appendingPathComponent("vault"), user: "alice", environment: environment)
    }

    deinit { try? FileManager.default.removeItem(at: home) }

    @discardableResult
    func add(_ text: String, title: String? = nil, date: String, tier: Tier = .general) throws -> String {
        try vault.add(NewMemory(text: text, tier: tier, date: DateText.parseUserDate(date, timeZone: vault.config.timeZone), title: title), user: "alice").id
    }
}

@Suite("Context builder")
struct ContextBuilderTests {
    @Test("cites date and id, folds near-duplicates, puts the newer of two disagreeing memories first")
    func shape() throws {
        let fixture = try ContextVault()
        let old = try fixture.add("Maria lives in Berlin near the river.", title: "Maria's home", date: "2024-03-01 10:00")
        let new = try fixture.add("Maria lives in Munich now, near the old town.", title: "Maria's home", date: "2026-06-01 10:00")
        let copy1 = try fixture.add("Maria loves oat milk in her coffee every morning.", date: "2025-01-01 09:00")
        let copy2 = try fixture.add("Maria loves oat milk in her coffee every morning!", date: "2025-02-01 09:00")
        try fixture.add("The car needs new tyres before winter.", date: "2025-10-10 08:00")
        let builder = ContextBuilder(vault: fixture.vault, user: "alice", embedder: nil)
        let block = try builder.build(ContextRequest(query: "Maria lives coffee", budget: 1000))
        let ids = block.memories.map(\.id)
        #expect(ids.contains(new) && ids.contains(old))
        #expect(try #require(ids.firstIndex(of: new)) < ids.firstIndex(of: old)!)
        // Two copies: the newer one stays, the older is folded into it.
        #expect(ids.contains(copy2) && !ids.contains(copy1))
        #expect(block.memories.first { $0.id == copy2 }?.folded == [copy1])
        #expect(block.folded == 1)
        #expect(block.text.contains("[2026-06-01 · \(new)] Maria's home: Maria lives in Munich"))
        let header = try #require(block.text.split(separator: "\n").first)
        #expect(header.hasPrefix("# Memories: "))
        #expect(header.contains("1 near-duplicates folded"))
        #expect(block.tokens <= 1000)
    }

    @Test("the budget is a hard limit and the header says what was left out", arguments: [64, 72, 80, 120, 200, 400])
    func budget(budget: Int) throws {
        let fixture = try ContextVault()
        for day in 1...20 {
            try fixture.add("Hiking trip number \(day) in the Alps with Maria, about \(day * 3) kilometres over the ridge and down to the lake.",
                            title: "Hike \(day)", date: String(format: "2026-05-%02d 08:00", day))
        }
        let builder = ContextBuilder(vault: fixture.vault, user: "alice", embedder: nil)
        let block = try builder.build(ContextRequest(query: "hiking Alps", budget: budget))
        #expect(block.tokens <= budget)
        #expect(TokenBudget.count(block.text) == block.tokens)
        #expect(block.memories.count + block.leftOut == block.considered - block.folded)
        let header = String(block.text.split(separator: "\n").first ?? "")
        if block.leftOut > 0 {
            #expect(header.contains("\(block.leftOut) over the \(budget)-token budget") || header.hasSuffix("left out: \(block.leftOut + block.folded)"))
        }
        #expect(header.hasPrefix("# Memories: \(block.memories.count) of \(block.considered)"))
        #expect(block.memories.count >= 1)
        // Deterministic.
        let again = try builder.build(ContextRequest(query: "hiking Alps", budget: budget))
        #expect(again.text == block.text)
    }

    @Test("bad input: an empty query or a budget too small")
    func badInput() throws {
        let fixture = try ContextVault()
        let builder = ContextBuilder(vault: fixture.vault, user: "alice", embedder: nil)
        #expect(throws: VaultError.self) { try builder.build(ContextRequest(query: "  ", budget: 500)) }
        #expect(throws: VaultError.self) { try builder.build(ContextRequest(query: "x", budget: 10)) }
    }
}

@Suite("Context builder: text on one line and word sets")
struct ContextWordTests {
    static let texts = [
        "", " ", "plain", "  Had coffee\twith Maria;\r\n\r\nshe starts at the MUSEUM in 2027.  ",
        "line one\nline two\u{0B}\u{0C}end", "a b  c\t\td", "x\u{1C}y \u{1F} z", "O'Brien's e-mail: tom@example.org (42)",
        "Café mit Maria über Ostern", "咖啡 with 玛丽亚 🎉 ok", "non\u{00A0}breaking and\u{2003}em space", "tab\t", "\n\nlead",
    ]

    @Test("one line: whitespace runs become one space, as a split on Character.isWhitespace gives", arguments: texts)
    func oneLine(_ text: String) {
        #expect(ContextBuilder.oneLine(text) == text.split(whereSeparator: \.isWhitespace).joined(separator: " "))
        #expect(Vault.oneLine(text) == ContextBuilder.oneLine(text))
    }

    @Test("words: lower-cased runs of letters and digits, two or more, CJK by character", arguments: texts)
    func words(_ text: String) {
        var expected = Set<String>()
        for word in text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
            if word.unicodeScalars.contains(where: { $0.properties.isIdeographic }) {
                for character in word { expected.insert(String(character)) }
            } else if word.count >= 2 {
                expected.insert(String(word))
            }
        }
        #expect(ContextBuilder.words(text) == expected)
    }

    @Test("similarity of word numbers is the Jaccard index of the word sets")
    func similarity() {
        var numbers = WordNumbers()
        let pairs = [
            ("coffee with maria at the museum", "maria at the museum with coffee again"),
            ("alps trip in june", "dinner with jonas"), ("", "anything"), ("same words", "words same"),
        ]
        for (first, second) in pairs {
            let a = ContextBuilder.words(first), b = ContextBuilder.words(second)
            let x = numbers.numbers(of: a), y = numbers.numbers(of: b)
            #expect(x == x.sorted() && Set(x).count == x.count)
            let jaccard = a.isEmpty || b.isEmpty ? 0 : Double(a.intersection(b).count) / Double(a.union(b).count)
            #expect(abs(ContextBuilder.similarity(x, y) - jaccard) < 1e-12, "\(first) / \(second)")
        }
    }
}
