import Foundation
import Testing
@testable import SearchIndex

@Suite struct AnalyzerTests {
    @Test func foldsCaseAndAccents() {
        #expect(Analyzer.terms("Café ÜBER Zoë") == ["cafe", "uber", "zoe"])
        #expect(Analyzer.terms("CAFE") == Analyzer.terms("café"))
    }

    @Test func splitsOnPunctuationAndKeepsDigits() {
        #expect(Analyzer.terms("Maria's trip, 2023-05: Alps!") == ["maria", "trip", "2023", "05", "alp"])
    }

    @Test func dropsStopWords() {
        #expect(Analyzer.terms("the and of is was I").isEmpty)
        #expect(Analyzer.terms("when did I last see Maria") == ["last", "see", "maria"])
        #expect(Analyzer.terms("not") == ["not"])
    }

    @Test func stemsEnglish() {
        #expect(Analyzer.terms("running runs ran") == ["run", "run", "ran"])
        #expect(Analyzer.terms("Connections connected connecting") == ["connect", "connect", "connect"])
    }

    @Test func keepsOtherScriptsWhole() {
        #expect(Analyzer.terms("Москва, Ёлка") == ["москва", "елка"])
        #expect(Analyzer.terms("東京 2024") == ["東京", "2024"])
    }

    /// Known stems from Porter's paper and his reference vocabulary.
    @Test(arguments: [
        ("caresses", "caress"), ("ponies", "poni"), ("ties", "ti"), ("caress", "caress"), ("cats", "cat"),
        ("feed", "feed"), ("agreed", "agre"), ("plastered", "plaster"), ("bled", "bled"), ("motoring", "motor"),
        ("sing", "sing"), ("conflated", "conflat"), ("troubled", "troubl"), ("sized", "size"), ("hopping", "hop"),
        ("tanned", "tan"), ("falling", "fall"), ("hissing", "hiss"), ("fizzed", "fizz"), ("failing", "fail"),
        ("filing", "file"), ("happy", "happi"), ("sky", "sky"), ("relational", "relat"), ("conditional", "condit"),
        ("rational", "ration"), ("valenci", "valenc"), ("hesitanci", "hesit"), ("digitizer", "digit"),
        ("conformabli", "conform"), ("radicalli", "radic"), ("differentli", "differ"), ("vileli", "vile"),
        ("analogousli", "analog"), ("vietnamization", "vietnam"), ("predication", "predic"), ("operator", "oper"),
        ("feudalism", "feudal"), ("decisiveness", "decis"), ("hopefulness", "hope"), ("callousness", "callous"),
        ("formaliti", "formal"), ("sensitiviti", "sensit"), ("sensibiliti", "sensibl"), ("triplicate", "triplic"),
        ("formative", "form"), ("formalize", "formal"), ("electriciti", "electr"), ("electrical", "electr"),
        ("hopeful", "hope"), ("goodness", "good"), ("revival", "reviv"), ("allowance", "allow"),
        ("inference", "infer"), ("airliner", "airlin"), ("gyroscopic", "gyroscop"), ("adjustable", "adjust"),
        ("defensible", "defens"), ("irritant", "irrit"), ("replacement", "replac"), ("adjustment", "adjust"),
        ("dependent", "depend"), ("adoption", "adopt"), ("homologou", "homolog"), ("communism", "commun"),
        ("activate", "activ"), ("angulariti", "angular"), ("homologous", "homolog"), ("effective", "effect"),
        ("bowdlerize", "bowdler"), ("probate", "probat"), ("rate", "rate"), ("cease", "ceas"),
        ("controll", "control"), ("roll", "roll"), ("generalizations", "gener"), ("oscillators", "oscil"),
        ("running", "run"), ("generously", "gener"),
    ])
    func porterStems(word: String, stem: String) {
        #expect(PorterStemmer.stem(word) == stem)
    }
}

@Suite struct FilterAndFusionTests {
    static let day: TimeInterval = 86_400

    func entry(_ id: String, tier: String = "general", date: Date? = Date(timeIntervalSince1970: 0), tags: [String] = [], mentions: [String] = []) -> IndexedEntry {
        IndexedEntry(id: id, user: "alice", tier: tier, path: "alice/\(tier)/x.md", line: 1, date: date, title: nil,
                     contentHash: "h", tags: tags, mentions: mentions)
    }

    @Test func filterConditionsAllApply() {
        let e = entry("a", tier: "general", date: Date(timeIntervalSince1970: 10 * Self.day), tags: ["Friends", "coffee"], mentions: ["@Maria"])
        #expect(SearchFilter().matches(e))
        #expect(SearchFilter(users: ["alice"], tiers: ["general", "secret"]).matches(e))
        #expect(!SearchFilter(users: ["bob"]).matches(e))
        #expect(!SearchFilter(tiers: ["chronological"]).matches(e))
        #expect(SearchFilter(since: Date(timeIntervalSince1970: 10 * Self.day), until: Date(timeIntervalSince1970: 10 * Self.day)).matches(e))
        #expect(!SearchFilter(since: Date(timeIntervalSince1970: 11 * Self.day)).matches(e))
        #expect(!SearchFilter(until: Date(timeIntervalSince1970: 9 * Self.day)).matches(e))
        #expect(SearchFilter(tags: ["friends"]).matches(e))
        #expect(SearchFilter(tags: ["friends", "COFFEE"]).matches(e))
        #expect(!SearchFilter(tags: ["friends", "work"]).matches(e))
        #expect(SearchFilter(mentions: ["maria"]).matches(e))
        #expect(SearchFilter(mentions: ["@maria"]).matches(e))
        #expect(!SearchFilter(mentions: ["bob"]).matches(e))
        #expect(!SearchFilter(since: Date(timeIntervalSince1970: 0)).matches(entry("undated", date: nil)))
    }
}
