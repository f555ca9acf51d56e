extension Age {
    static let armorBegin: [UInt8] = Array("-----BEGIN AGE ENCRYPTED FILE-----".utf8)
    static let armorEnd: [UInt8] = Array("-----END AGE ENCRYPTED FILE-----".utf8)

    /// Encodes a binary age file as strict PEM: padded base64 in 64-column
    /// lines between the BEGIN and END lines, ending with a newline.
    ///
    /// - Complexity: O(n).
    public static func armor(_ binary: [UInt8]) -> String {
        String(decoding: armoredBytes(binary), as: UTF8.self)
    }

    static func armoredBytes(_ binary: [UInt8]) -> [UInt8] {
        let encoded = Base64.encode(binary, padded: true)
        var out: [UInt8] = []
        out.reserveCapacity(encoded.count + encoded.count / 64 + 80)
        out += armorBegin
        out.append(0x0A)
        var start = 0
        while start < encoded.count {
            let end = min(start + 64, encoded.count)
            out += encoded[start..<end]
            out.append(0x0A)
            start = end
        }
        out += armorEnd
        out.append(0x0A)
        return out
    }

    /// Decodes an armored age file, strictly: only whitespace may surround the
    /// PEM block; no headers, no empty or whitespace-carrying lines; every line
    /// but the last exactly 64 columns; canonical padded base64. Lines end in
    /// LF or CRLF, the same throughout.
    ///
    /// - Throws: `.armorFailure` naming the armor line at fault.
    /// - Complexity: O(n).
    public static func dearmor(_ text: [UInt8]) throws(AgeError) -> [UInt8] {
        var index = text.firstIndex(where: { !isWhitespace($0) }) ?? text.endIndex
        let lineNumber = text[..<index].count(where: { $0 == 0x0A }) + 1
        guard text[index...].starts(with: armorBegin) else {
            throw AgeError(.armorFailure, "armor line \(lineNumber) is not \"-----BEGIN AGE ENCRYPTED FILE-----\"")
        }
        index += armorBegin.count
        let crlf: Bool
        if text[index...].starts(with: [0x0D, 0x0A]) {
            crlf = true
        } else if text[index...].starts(with: [0x0A]) {
            crlf = false
        } else {
            throw AgeError(.armorFailure, "armor line \(lineNumber) has characters after the BEGIN marker")
        }
        index += crlf ? 2 : 1

        let encoded = try text.withUnsafeBufferPointer { buffer throws(AgeError) in
            try collectArmorLines(buffer, from: index, firstLine: lineNumber, crlf: crlf)
        }
        guard let binary = Base64.decode(encoded, padded: true) else {
            // Every line but the last has 64 columns, so an offset gives the line.
            if let bad = encoded.firstIndex(where: { !Base64.isAlphabet($0) && $0 != UInt8(ascii: "=") }) {
                throw AgeError(.armorFailure, "armor line \(lineNumber + 1 + bad / 64) has a character outside base64")
            }
            throw AgeError(.armorFailure, "the armored data is not canonical padded base64 (misplaced or missing padding)")
        }
        return binary
    }

    /// Validates the lines after the BEGIN line and returns their base64
    /// text, joined. One pass over the bytes; no per-line allocation.
    private static func collectArmorLines(
        _ text: UnsafeBufferPointer<UInt8>, from start: Int, firstLine: Int, crlf: Bool
    ) throws(AgeError) -> [UInt8] {
        var encoded: [UInt8] = []
        encoded.reserveCapacity(text.count - start)
        var index = start
        var lineNumber = firstLine
        var previousLineWasShort = false
        while true {
            lineNumber += 1
            var end = index
            while end < text.count, text[end] != 0x0A { end += 1 }
            let hasNewline = end < text.count
            var lineEnd = end
            if hasNewline, crlf {
                guard lineEnd > index, text[lineEnd - 1] == 0x0D else {
                    throw AgeError(.armorFailure, "armor line \(lineNumber) ends in LF where the armor uses CRLF")
                }
                lineEnd -= 1
            }
            let line = UnsafeBufferPointer(rebasing: text[index..<lineEnd])
            if line.count == armorEnd.count, line.elementsEqual(armorEnd) {
                guard UnsafeBufferPointer(rebasing: text[min(end + 1, text.count)...]).allSatisfy(isWhitespace) else {
                    throw AgeError(.armorFailure, "data follows the END line (armor line \(lineNumber))")
                }
                return encoded
            }
            guard hasNewline else {
                throw AgeError(.armorFailure, "the armor ends at line \(lineNumber) without an END line")
            }
            guard !line.isEmpty else {
                throw AgeError(.armorFailure, "armor line \(lineNumber) is empty")
            }
            guard line.count <= 64 else {
                throw AgeError(.armorFailure, "armor line \(lineNumber) is longer than 64 columns")
            }
            guard !previousLineWasShort else {
                throw AgeError(.armorFailure, "armor line \(lineNumber - 1) is shorter than 64 columns but not the last")
            }
            previousLineWasShort = line.count < 64
            encoded.append(contentsOf: line)
            index = end + 1
        }
    }

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
