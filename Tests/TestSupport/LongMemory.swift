/// Long memories for the tests of passage search: text past the embedder's window.
public enum LongMemory {
    /// About 3,000 words of a weekly review, none of them about travel or family, then `fact` as
    /// the last paragraph (paragraphs separated by blank lines).
    public static func weeklyReview(fact: String) -> String {
        let subjects = ["the quarterly report", "the kitchen shelves", "my running plan", "the tomato seedlings", "the budget spreadsheet",
                        "the novel I am reading", "the bike's brakes", "the team meeting", "the sourdough starter", "the laptop backup"]
        let verbs = ["worked on", "thought about", "spent an hour with", "made progress on", "got annoyed with", "finally looked at"]
        let remarks = ["It went better than expected.", "There is still a lot to do.", "I should write down what I learned.",
                       "The weather was grey and cold all day.", "Coffee helped a little.", "Next week needs a better plan."]
        var paragraphs: [String] = []
        var words = 0
        var i = 0
        while words < 3000 {
            var sentences: [String] = []
            for j in 0..<6 {
                let n = i * 6 + j
                sentences.append("On day \(n % 7 + 1) I \(verbs[n % verbs.count]) \(subjects[(n * 7 + i) % subjects.count]). \(remarks[(n * 5 + j) % remarks.count])")
            }
            let paragraph = sentences.joined(separator: " ")
            words += paragraph.split(separator: " ").count
            paragraphs.append(paragraph)
            i += 1
        }
        return (paragraphs + [fact]).joined(separator: "\n\n")
    }
}
