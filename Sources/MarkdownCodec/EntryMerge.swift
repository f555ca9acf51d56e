/// The three-way merge of one vault Markdown file, entry by entry, that `sync` uses instead of
/// a text merge: it never writes conflict markers and never drops a text.
///
/// Entries are matched by id; entries without an id (and level-2 headings that are not entries)
/// are matched by their exact text. Encrypted entries are compared as opaque text, never decrypted.
public enum EntryMerge {
    /// The metadata key that marks a conflict copy; its value is the id of the entry it copies.
    public static let conflictKey = "conflict-of"

    /// Merges two versions of a file that both changed since `base`.
    ///
    /// - Entries on either side only: kept (union).
    /// - An entry changed on one side only: that side's text.
    /// - The same entry changed differently on both sides: ours keeps the id; theirs becomes a new
    ///   entry right after it, with a new id and `conflict-of: <id>` in its metadata.
    /// - An entry deleted on one side and changed on the other: the changed text survives.
    /// - The preamble (text before the first entry): ours if theirs did not change it, theirs if
    ///   ours did not; when both changed it, both are kept, ours first.
    ///
    /// The result follows ours' order; entries only theirs has are placed by (date, id) like
    /// `EntryFile.insert`, so sorted inputs give a sorted result. Blocks are separated by one
    /// blank line in ours' line ending. The copy's id is derived from the original id and the copied
    /// text, so merging the same versions twice gives the same bytes.
    ///
    /// - Parameters:
    ///   - base: the common ancestor's bytes, nil when the file did not exist there.
    ///   - ours: our bytes (empty for a file we deleted).
    ///   - theirs: their bytes (empty for a file they deleted).
    /// - Returns: the merged bytes and the ids that got a conflict copy.
    /// An entry that leaves an HTML comment or code fence open goes last, so that it hides no
    /// other entry; two such entries, or such a preamble before entries, make the merge throw.
    /// - Throws: `CodecError` when a version is not valid UTF-8, when two entries leave a
    ///   comment or fence open, or the preamble does, or when the merged file would not read back
    ///   as the same entries (see `assembled`); the caller then leaves the file to a person.
    /// - Complexity: O(n log n) in the number of entries, O(size) in bytes.
    public static func merge(base: [UInt8]?, ours: [UInt8], theirs: [UInt8]) throws(CodecError)
        -> (bytes: [UInt8], conflicts: [String])
    {
        let baseFile = try base.map { (bytes) throws(CodecError) in try EntryFile.parse(bytes) }
        let oursFile = try EntryFile.parse(ours)
        let theirsFile = try EntryFile.parse(theirs)
        // Trivial merges keep the bytes as they are (block joining would normalise whitespace).
        if ours == theirs || base == theirs { return (ours, []) }
        if base == ours { return (theirs, []) }
        let baseBlocks = baseFile.map(Block.blocks) ?? []
        let oursBlocks = Block.blocks(of: oursFile)
        let theirsBlocks = Block.blocks(of: theirsFile)
        let baseByKey = Dictionary(baseBlocks.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let theirsByKey = Dictionary(theirsBlocks.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        let oursKeys = Set(oursBlocks.map(\.key))

        var merged: [Block] = []
        var conflicts: [String] = []
        var pendingCopies: [Block] = []
        // Ours' blocks in ours' order, each resolved against base and theirs.
        for block in oursBlocks {
            let old = baseByKey[block.key]
            guard let other = theirsByKey[block.key] else {
                // Theirs has no such block: they deleted it, or it is new here.
                if let old, old.text == block.text { continue }  // deleted there, unchanged here
                merged.append(block)
                continue
            }
            if other.text == block.text || other.text == old?.text {
                merged.append(block)
            } else if block.text == old?.text {
                merged.append(other)
            } else {
                merged.append(block)
                conflicts.append(block.key)
                pendingCopies.append(conflictCopy(of: other, originalID: block.key))
            }
        }
        // Blocks only theirs has: new there, or deleted here.
        var theirsOnly: [Block] = []
        for block in theirsBlocks where !oursKeys.contains(block.key) {
            if let old = baseByKey[block.key], old.text == block.text { continue }  // deleted here, unchanged there
            theirsOnly.append(block)
        }
        var mergedKeys = Set(merged.map(\.key))
        for copy in pendingCopies {
            guard mergedKeys.insert(copy.key).inserted else { continue }  // merged before
            let position = merged.firstIndex(where: { $0.key == copy.anchor }).map { $0 + 1 } ?? merged.count
            merged.insert(copy, at: position)
        }
        for block in theirsOnly where mergedKeys.insert(block.key).inserted {
            merged.insert(block, at: insertionIndex(for: block, in: merged))
        }

        let lineEnding = oursFile.lineEnding
        // A block that leaves an HTML comment or a code fence open (hand-written, or damaged)
        // would swallow every block placed after it: it goes last. Two such blocks cannot both
        // be last, and the caller then merges the file as text.
        let open = merged.filter { leavesConstructOpen($0.text, lineEnding: lineEnding) }
        if !open.isEmpty {
            guard open.count == 1 else {
                throw CodecError(line: 1, message: "two entries leave a comment or code fence open; cannot merge them entry by entry")
            }
            merged.removeAll { $0.key == open[0].key }
            merged.append(open[0])
        }
        let preamble = mergedPreamble(base: baseFile, ours: oursFile, theirs: theirsFile, lineEnding: lineEnding)
        if !merged.isEmpty, !preamble.isEmpty, leavesConstructOpen(preamble, lineEnding: lineEnding) {
            throw CodecError(line: 1, message: "the text before the first entry leaves a comment or code fence open; cannot merge entry by entry")
        }
        return (Array(try assembled(preamble: preamble, blocks: merged, lineEnding: lineEnding).utf8), conflicts)
    }

    /// The merged file: the preamble, then the blocks, one blank line between them, checked by
    /// parsing it: every block must read as itself where it now stands.
    ///
    /// What a heading line means depends on what comes before it: a heading indented by one to
    /// three spaces reads as an entry heading at the start of a file or after a paragraph, but as
    /// part of a list item when it follows a list whose items are indented as far (found by the
    /// entry-merge fuzz target: the entry and its id became body text of the entry before it).
    /// Such a heading loses its indentation, which changes nothing else (CommonMark ignores up to
    /// three spaces before `##`). Whatever else makes a block misread (the preamble read as front
    /// matter that runs into the entries, an extra heading) throws, and the caller leaves the file
    /// to a person: the merge never turns an entry into another entry's text.
    /// - Complexity: one parse of the result, plus one per heading that loses its indentation.
    static func assembled(preamble: String, blocks: [Block], lineEnding: String) throws(CodecError) -> String {
        var blocks = blocks
        while true {
            var text = preamble
            var starts: [Int] = []
            for (number, block) in blocks.enumerated() {
                if number > 0 || !text.isEmpty { text += lineEnding }
                starts.append(text.utf8.count)
                text += block.text + lineEnding
            }
            let parsed = EntryFile.parse(text)
            let segments = parsed.segments.filter { $0.kind != .preamble }
            let segmentAt = Dictionary(segments.map { ($0.byteRange.lowerBound, $0) }, uniquingKeysWith: { first, _ in first })
            let misread = blocks.indices.first { index in
                guard let segment = segmentAt[starts[index]], segment.kind == blocks[index].kind else { return true }
                guard segment.kind == .entry else { return false }
                guard let entryIndex = segment.entryIndex else { return true }
                return parsed.entries[entryIndex].id != blocks[index].id
            }
            guard let misread else {
                // Every block starts its own segment; one segment more would split a block.
                guard segments.count == blocks.count else {
                    throw CodecError(line: 1, message: "the merged entries do not read back as the same entries; cannot merge entry by entry")
                }
                return text
            }
            guard let unindented = blocks[misread].withUnindentedHeading() else {
                let line = parsed.segments.last { $0.byteRange.lowerBound <= starts[misread] }?.line ?? 1
                throw CodecError(line: line, message: "an entry heading would not read as one after the entry before it; cannot merge entry by entry")
            }
            blocks[misread] = unindented
        }
    }

    /// Whether an entry heading written after `text` would not read as one (the text leaves an
    /// HTML comment, HTML block or code fence open).
    static func leavesConstructOpen(_ text: String, lineEnding: String) -> Bool {
        let probeID = "0PROBE0PROBE0PROBE"
        let probe = text + lineEnding + lineEnding + "## 2000-01-01 00:00" + lineEnding + "<!-- id: \(probeID) -->" + lineEnding
        return EntryFile.parse(probe).entry(id: probeID) == nil
    }

    /// One entry or non-entry heading segment, trimmed of trailing whitespace.
    struct Block {
        /// The entry's id, or `text:` and the text for blocks without one.
        var key: String
        var text: String
        var date: EntryDate?
        var id: String?
        /// For a conflict copy: the key of the block it follows.
        var anchor: String?
        var entry: Entry?
        /// What the block's segment was in its file: an entry, or a heading that is none.
        var kind: Segment.Kind = .entry

        /// The block with its heading line's leading spaces (at most three) removed, or nil when
        /// the heading is not indented.
        func withUnindentedHeading() -> Block? {
            let spaces = text.prefix { $0 == " " }.count
            guard spaces > 0 else { return nil }
            var block = self
            block.text.removeFirst(spaces)
            return block
        }

        static func blocks(of file: EntryFile) -> [Block] {
            var blocks: [Block] = []
            var seenIDs = Set<String>()
            for segment in file.segments where segment.kind != .preamble {
                let raw = String(decoding: file.bytes[segment.byteRange], as: UTF8.self)
                let text = raw.trimmedTrailingLineSpace()
                if text.isEmpty { continue }
                if let index = segment.entryIndex, segment.kind == .entry {
                    let entry = file.entries[index]
                    // A repeated id (a format error) is matched by text so neither copy is lost.
                    if let id = entry.id, seenIDs.insert(id).inserted {
                        blocks.append(Block(key: id, text: text, date: entry.date, id: id, entry: entry))
                    } else {
                        blocks.append(Block(key: "text:" + text, text: text, date: entry.date, id: entry.id, entry: entry))
                    }
                } else {
                    blocks.append(Block(key: "text:" + text, text: text, kind: segment.kind))
                }
            }
            return blocks
        }
    }

    /// Where a block goes: after the last dated entry that does not sort after it; undated
    /// blocks go at the end.
    private static func insertionIndex(for block: Block, in blocks: [Block]) -> Int {
        guard let date = block.date else { return blocks.count }
        let id = block.id ?? ""
        guard let anchor = blocks.lastIndex(where: { other in
            guard let otherDate = other.date else { return false }
            return otherDate != date ? otherDate < date : (other.id ?? "") <= id
        }) else {
            return blocks.firstIndex(where: { $0.date != nil }) ?? blocks.count
        }
        return anchor + 1
    }

    private static func mergedPreamble(base: EntryFile?, ours: EntryFile, theirs: EntryFile, lineEnding: String) -> String {
        func preamble(_ file: EntryFile?) -> String {
            guard let file, let segment = file.segments.first(where: { $0.kind == .preamble }) else { return "" }
            return String(decoding: file.bytes[segment.byteRange], as: UTF8.self).trimmedTrailingLineSpace()
        }
        let (old, mine, their) = (preamble(base), preamble(ours), preamble(theirs))
        let kept: String
        if mine == their || their == old {
            kept = mine
        } else if mine == old {
            kept = their
        } else {
            kept = [mine, their].filter { !$0.isEmpty }.joined(separator: lineEnding + lineEnding)
        }
        return kept.isEmpty ? "" : kept + lineEnding
    }

    /// Theirs' version of a conflicting entry under a new id, marked `conflict-of: <id>`.
    ///
    /// Only the metadata comment (and, for an entry whose heading is its id, the heading) is
    /// rewritten; the rest, ciphertext included, is kept byte for byte.
    static func conflictCopy(of block: Block, originalID: String) -> Block {
        let newID = copyID(originalID: originalID, text: block.text)
        var text = block.text
        if let entry = block.entry {
            let meta = entry.meta.filter { $0.key != conflictKey } + [MetaField(key: conflictKey, value: originalID)]
            let comment = EntryRenderer.metadataComment(id: newID, meta: meta)
            if let headingEnd = text.firstIndex(of: "\n"),
                let open = text[headingEnd...].firstRange(of: "<!--"),
                let close = text[open.upperBound...].firstRange(of: "-->")
            {
                text.replaceSubrange(open.lowerBound..<close.upperBound, with: comment)
                if entry.date == nil, let headingEnd = text.firstIndex(of: "\n") {
                    text.replaceSubrange(text.startIndex..<headingEnd, with: "## " + newID)
                }
            }
            let check = EntryFile.parse(text)
            if check.entries.count != 1 || check.entries[0].id != newID {
                // The comment was not where the format puts it: write a canonical entry instead.
                text = entry.armoredBlock.map { EntryRenderer.renderEncrypted(date: entry.date, id: newID, armored: $0) }
                    ?? EntryRenderer.render(
                        date: entry.date ?? EntryDate(year: 1970, month: 1, day: 1, hour: 0, minute: 0),
                        title: entry.title, id: newID, meta: meta, body: entry.body)
                text = text.trimmedTrailingLineSpace()
            }
        }
        return Block(key: newID, text: text, date: block.date, id: newID, anchor: originalID, entry: nil)
    }

    /// An id that sorts next to the original's (same time part) with a random part taken from
    /// the copied text, so the same conflict merged twice yields one copy.
    static func copyID(originalID: String, text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (originalID + "\u{0}" + text).utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        var suffix = ""
        for _ in 0..<6 {
            suffix.append(alphabet[Int(hash & 31)])
            hash >>= 5
        }
        return String(originalID.prefix(10)) + suffix
    }
}

extension String {
    /// The text without trailing white space (spaces, tabs, line ends).
    package func trimmedTrailingWhitespace() -> String {
        var text = self
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }

    /// The text without trailing spaces, tabs, CRs and LFs: exactly what the parser trims from
    /// an entry's body, so a block keeps every character of its entry. (Unicode white space such
    /// as a vertical tab or U+00A0 at the end of a body is text; trimming it changed the entry,
    /// found by the entry-merge fuzz target.)
    func trimmedTrailingLineSpace() -> String {
        var text = self
        while let last = text.last, last == " " || last == "\t" || last == "\n" || last == "\r" || last == "\r\n" {
            text.removeLast()
        }
        return text
    }
}

extension EntryMerge {
    /// A line-based three-way merge for files outside the entry format, as git merges text:
    /// changes to different regions combine; overlapping different changes are a conflict.
    ///
    /// - Returns: the merged bytes, or nil on a conflict, for binary files (a NUL byte), or for
    ///   files too large to compare line by line (more than 4 million line pairs).
    /// - Complexity: O(n·m) time and space in lines, twice (base with ours, base with theirs).
    public static func mergeLines(base: [UInt8], ours: [UInt8], theirs: [UInt8]) -> [UInt8]? {
        guard !base.contains(0), !ours.contains(0), !theirs.contains(0) else { return nil }
        let (old, mine, their) = (lines(base), lines(ours), lines(theirs))
        guard let toOurs = matching(old, mine), let toTheirs = matching(old, their) else { return nil }
        var merged: [UInt8] = []
        var (b, o, t) = (0, 0, 0)
        while true {
            // The next base line both sides kept: everything before it is one chunk per side.
            var anchor = b
            while anchor < old.count && (toOurs[anchor] == nil || toTheirs[anchor] == nil) { anchor += 1 }
            let oursEnd = anchor < old.count ? toOurs[anchor]! : mine.count
            let theirsEnd = anchor < old.count ? toTheirs[anchor]! : their.count
            let baseChunk = old[b..<anchor], oursChunk = mine[o..<oursEnd], theirsChunk = their[t..<theirsEnd]
            if oursChunk.elementsEqual(baseChunk) {
                for line in theirsChunk { merged += line }
            } else if theirsChunk.elementsEqual(baseChunk) || oursChunk.elementsEqual(theirsChunk) {
                for line in oursChunk { merged += line }
            } else {
                return nil
            }
            guard anchor < old.count else { return merged }
            merged += old[anchor]
            (b, o, t) = (anchor + 1, oursEnd + 1, theirsEnd + 1)
        }
    }

    /// Lines with their line endings.
    private static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == 10 {
            result.append(bytes[start...index])
            start = index + 1
        }
        if start < bytes.count { result.append(bytes[start...]) }
        return result
    }

    /// For each line of `a`, the line of `b` it is matched to in a longest common subsequence.
    private static func matching(_ a: [ArraySlice<UInt8>], _ b: [ArraySlice<UInt8>]) -> [Int?]? {
        let (n, m) = (a.count, b.count)
        guard n * m <= 4_000_000 else { return nil }
        // lengths[i][j]: LCS length of a[i...] and b[j...], row-major with stride m + 1.
        var lengths = [Int32](repeating: 0, count: (n + 1) * (m + 1))
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lengths[i * (m + 1) + j] = a[i].elementsEqual(b[j])
                    ? lengths[(i + 1) * (m + 1) + j + 1] + 1
                    : max(lengths[(i + 1) * (m + 1) + j], lengths[i * (m + 1) + j + 1])
            }
        }
        var result = [Int?](repeating: nil, count: n)
        var (i, j) = (0, 0)
        while i < n && j < m {
            if a[i].elementsEqual(b[j]) {
                result[i] = j
                (i, j) = (i + 1, j + 1)
            } else if lengths[(i + 1) * (m + 1) + j] >= lengths[i * (m + 1) + j + 1] {
                i += 1
            } else {
                j += 1
            }
        }
        return result
    }
}
