/// Byte offsets of every line of a file, with CommonMark's line endings (LF, CRLF or a
/// lone CR), so its line numbers agree with cmark's.
struct LineTable {
    /// `starts[i]` is the first byte of line `i + 1`; one extra entry holds the file size.
    private(set) var starts: [Int] = []
    /// `contentEnds[i]` is the end of line `i + 1` without its line ending.
    private(set) var contentEnds: [Int] = []
    private(set) var crlfCount = 0
    private(set) var lfCount = 0
    private(set) var hasCarriageReturn = false

    var count: Int { contentEnds.count }

    /// - Parameter firstLineStart: where line 1 starts (after a byte-order mark).
    /// - Complexity: O(n) in the number of bytes.
    init(_ bytes: UnsafeBufferPointer<UInt8>, firstLineStart: Int) {
        let size = bytes.count
        starts.reserveCapacity(size / 32 + 2)
        contentEnds.reserveCapacity(size / 32 + 1)
        starts.append(firstLineStart)
        var index = firstLineStart
        while index < size {
            let byte = bytes[index]
            if byte == .lineFeed {
                contentEnds.append(index)
                lfCount += 1
                index += 1
                starts.append(index)
            } else if byte == .carriageReturn {
                contentEnds.append(index)
                hasCarriageReturn = true
                if index + 1 < size, bytes[index + 1] == .lineFeed {
                    crlfCount += 1
                    index += 2
                } else {
                    index += 1
                }
                starts.append(index)
            } else {
                index += 1
            }
        }
        if starts[starts.count - 1] < size {
            contentEnds.append(size)
            starts.append(size)
        }
    }

    /// Start of 1-based `line`; `count + 1` gives the end of the file.
    func start(ofLine line: Int) -> Int { starts[line - 1] }

    /// End of 1-based `line` without its line ending.
    func contentEnd(ofLine line: Int) -> Int { contentEnds[line - 1] }

    /// The 1-based line holding byte `offset`.
    /// - Complexity: O(log lines).
    func line(containing offset: Int) -> Int {
        var low = 0
        var high = count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return low + 1
    }
}
