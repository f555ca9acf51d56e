/// One recipient stanza: `-> type args...` and its body.
struct Stanza: Sendable {
    var arguments: [String]
    var body: [UInt8]
    /// The header line of the `->` line, 1-based, for error messages.
    var line: Int

    var type: String { arguments[0] }
}

/// The parsed textual header of a binary age file.
struct Header {
    static let versionLine: [UInt8] = Array("age-encryption.org/v1".utf8)
    static let intro: [UInt8] = Array("age-encryption.org/".utf8)

    var stanzas: [Stanza]
    /// The header bytes the MAC covers: everything up to and including `---`.
    var macedEnd: Int
    var mac: [UInt8]
    /// Offset of the first payload byte.
    var payloadStart: Int

    /// Parses the header at the start of `file` strictly by the spec's ABNF.
    ///
    /// - Throws: `.headerFailure` naming the header line at fault.
    /// - Complexity: O(header length).
    static func parse(_ file: [UInt8]) throws(AgeError) -> Header {
        var reader = LineReader(bytes: file)
        guard let version = reader.next() else {
            throw AgeError(.headerFailure, "the file is empty or has no complete first line")
        }
        guard file[version] == versionLine[...] else {
            if file[version].starts(with: intro) {
                throw AgeError(.headerFailure, "unsupported age format version on header line 1")
            }
            throw AgeError(.headerFailure, "header line 1 is not \"age-encryption.org/v1\": this is not an age file")
        }
        var stanzas: [Stanza] = []
        while true {
            let lineNumber = reader.lineNumber + 1
            guard let line = reader.next() else {
                throw AgeError(.headerFailure, "the header ends before its \"---\" MAC line (line \(lineNumber))")
            }
            let text = file[line]
            if text.starts(with: [0x2D, 0x3E, 0x20]) {  // "-> "
                stanzas.append(try parseStanza(arguments: text.dropFirst(3), line: lineNumber, reader: &reader, file: file))
            } else if text.starts(with: [0x2D, 0x2D, 0x2D]) {  // "---"
                // "--- " then exactly 43 unpadded base64 characters: a 32-byte HMAC.
                guard text.count == 47, text[text.startIndex + 3] == 0x20,
                    let mac = Base64.decode(text.dropFirst(4), padded: false), mac.count == 32
                else {
                    throw AgeError(.headerFailure, "the MAC line (header line \(lineNumber)) is not \"--- \" and a base64 HMAC")
                }
                guard !stanzas.isEmpty else {
                    throw AgeError(.headerFailure, "the header has no recipient stanza")
                }
                return Header(stanzas: stanzas, macedEnd: line.lowerBound + 3, mac: mac, payloadStart: line.upperBound + 1)
            } else {
                throw AgeError(.headerFailure, "header line \(lineNumber) starts neither a stanza (\"-> \") nor the MAC (\"---\")")
            }
        }
    }

    private static func parseStanza(
        arguments text: ArraySlice<UInt8>, line: Int, reader: inout LineReader, file: [UInt8]
    ) throws(AgeError) -> Stanza {
        let arguments = text.split(separator: 0x20, omittingEmptySubsequences: false)
        guard !text.isEmpty,
            arguments.allSatisfy({ !$0.isEmpty && $0.allSatisfy { (0x21...0x7E).contains($0) } })
        else {
            throw AgeError(.headerFailure, "stanza arguments on header line \(line) are empty or not printable ASCII")
        }
        var body: [UInt8] = []
        while true {
            let bodyLineNumber = reader.lineNumber + 1
            guard let bodyLine = reader.next() else {
                throw AgeError(.headerFailure, "the stanza of header line \(line) has no final short body line")
            }
            let chunk = file[bodyLine]
            guard chunk.count <= 64, chunk.allSatisfy(Base64.isAlphabet) else {
                throw AgeError(.headerFailure, "stanza body line (header line \(bodyLineNumber)) is longer than 64 columns or not base64")
            }
            body.append(contentsOf: chunk)
            if chunk.count < 64 { break }
        }
        guard let decoded = Base64.decode(body, padded: false) else {
            throw AgeError(.headerFailure, "the stanza body after header line \(line) is not canonical base64")
        }
        return Stanza(
            arguments: arguments.map { String(decoding: $0, as: UTF8.self) }, body: decoded, line: line)
    }

    /// Serializes the header up to and including `---`, the part the MAC covers.
    static func encodeForMAC(_ stanzas: [Stanza]) -> [UInt8] {
        var out = versionLine + [0x0A]
        for stanza in stanzas {
            out += Array("-> ".utf8) + Array(stanza.arguments.joined(separator: " ").utf8) + [0x0A]
            let encoded = Base64.encode(stanza.body, padded: false)
            var start = 0
            // Full 64-column lines, then a final shorter (possibly empty) line.
            while encoded.count - start >= 64 {
                out += encoded[start..<start + 64] + [0x0A]
                start += 64
            }
            out += encoded[start...] + [0x0A]
        }
        out += Array("---".utf8)
        return out
    }
}

/// Splits bytes into LF-terminated lines; a last line without LF is not returned.
struct LineReader {
    let bytes: [UInt8]
    private(set) var position = 0
    private(set) var lineNumber = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The range of the next line without its LF, or nil if no LF follows.
    mutating func next() -> Range<Int>? {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else { return nil }
        defer {
            position = end + 1
            lineNumber += 1
        }
        return position..<end
    }
}
