import AgeCrypto
import Foundation

/// The key agent's wire format: one request and one answer per connection, each a frame
/// `MVA1` + 4-byte big-endian length + body. Encoding and decoding are pure functions of bytes,
/// so that every malformed input (truncated, oversized, wrong types) is one `AgentProtocolError`
/// and never a crash or an unbounded allocation.
///
/// There is no request that returns an identity. A client names the tier by its recipient
/// (`age1...`) and gets, per file it presents (the recipient stanzas of the file's age header),
/// that file's 16-byte file key, or a purpose-bound key derived from the identity.
///
/// Request bodies (integers big-endian; `str16` = 2-byte length + UTF-8; `bytes32` = 4-byte
/// length + bytes):
///
/// | op | request | answer body |
/// | --- | --- | --- |
/// | 1 | PING | `ok` |
/// | 2 | LOCK: wipe every key and exit | `ok` |
/// | 3 | PUT: u32 seconds, str16 identity | `ok` or `error` |
/// | 4 | HOLDS: str16 recipient | `ok` (held) or `none` |
/// | 5 | UNWRAP: str16 recipient, u32 files, per file u8 stanzas, per stanza u8 arguments (each str16), bytes32 body | `ok` u32 files, per file u8 0 + 16-byte key, 1 (no stanza opens) or 2 + str16 (malformed stanza); or `none` |
/// | 6 | DERIVE: str16 recipient, str16 purpose | `ok` + 32-byte key, `none`, or `error` |
///
/// Answer bodies start with a status byte: 0 `ok`, 1 `none` (the recipient is not held), 2
/// `error` + str16 message.
public enum AgentProtocol {
    static let magic: [UInt8] = Array("MVA1".utf8)
    /// The largest frame body either side accepts: 16 MiB.
    static let maximumBody = 16 << 20
    /// At most this many files per UNWRAP request; clients send larger batches in parts.
    package static let maximumFiles = 65_536
    static let maximumStanzas = 32
    static let maximumArguments = 16
    static let maximumArgumentLength = 1024
    static let maximumStanzaBody = 4096
    static let maximumString = 1024

    /// One file's recipient stanzas, as sent in an UNWRAP request.
    package typealias StanzaSet = [AgeStanza]

    package enum Request: Equatable, Sendable {
        case ping
        case lock
        case put(seconds: UInt32, identity: [UInt8])
        case holds(recipient: String)
        case unwrap(recipient: String, files: [StanzaSet])
        case derive(recipient: String, purpose: String)

        /// Never prints the identity of a PUT.
        package var name: String {
            switch self {
            case .ping: "PING"
            case .lock: "LOCK"
            case .put: "PUT"
            case .holds: "HOLDS"
            case .unwrap: "UNWRAP"
            case .derive: "DERIVE"
            }
        }
    }

    /// What the agent says about one presented file.
    package enum Unwrapped: Equatable, Sendable {
        case key([UInt8])
        case noMatch
        case malformed(String)
    }

    package enum Response: Equatable, Sendable {
        case ok
        case none
        case error(String)
        case fileKeys([Unwrapped])
        case derivedKey([UInt8])
    }

    /// Why bytes are not a request or answer. The message names the field at fault, never the
    /// bytes themselves.
    package struct ProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
        package var message: String
        init(_ message: String) { self.message = message }
        package var description: String { message }

        /// The answer to an identity request of the former line protocol (`GET <recipient>`).
        static let identityRequest = ProtocolError(
            "the key agent never hands out identities (GET was removed); it answers only with the file keys of files presented to it, and this client is older than the agent: run memvault lock, then unlock again")
    }

    // MARK: Frames

    /// The body length a frame header (its first 8 bytes) announces.
    /// - Throws: for another magic (a text line of the former protocol) or a body over `maximumBody`.
    static func bodyLength(header: [UInt8]) throws(ProtocolError) -> Int {
        guard header.starts(with: magic) else {
            if header.count < magic.count && magic.starts(with: header) {
                throw ProtocolError("the frame header is truncated (\(header.count) of 8 bytes)")
            }
            throw legacyError(header)
        }
        guard header.count >= 8 else { throw ProtocolError("the frame header is truncated (\(header.count) of 8 bytes)") }
        let length = header[4..<8].reduce(0) { $0 << 8 | Int($1) }
        guard length <= maximumBody else {
            throw ProtocolError("the frame announces \(length) bytes, more than the \(maximumBody) accepted")
        }
        return length
    }

    /// The error for bytes that are not a frame: a line of the former text protocol, or garbage.
    static func legacyError(_ bytes: [UInt8]) -> ProtocolError {
        if bytes.starts(with: Array("GET ".utf8)) || bytes.starts(with: Array("KEY ".utf8)) { return .identityRequest }
        for word in ["PING", "LOCK", "PUT ", "OK", "NONE", "ERR "] where bytes.starts(with: Array(word.utf8)) {
            return ProtocolError("a text line of the former agent protocol: the agent and this memvault differ in version; run memvault lock, then unlock again")
        }
        return ProtocolError("not a memvault agent frame (no MVA1 magic)")
    }

    static func frame(_ body: [UInt8]) -> [UInt8] {
        var out = magic
        out.reserveCapacity(8 + body.count)
        Writer.u32(UInt32(body.count), into: &out)
        return out + body
    }

    /// The body of a whole frame, checking magic and length.
    static func body(ofFrame bytes: [UInt8]) throws(ProtocolError) -> ArraySlice<UInt8> {
        let length = try bodyLength(header: Array(bytes.prefix(8)))
        guard bytes.count - 8 == length else {
            throw bytes.count - 8 < length
                ? ProtocolError("the frame is truncated (\(bytes.count - 8) of \(length) bytes)")
                : ProtocolError("\(bytes.count - 8 - length) bytes follow the frame")
        }
        return bytes[8...]
    }

    // MARK: Requests

    package static func encode(_ request: Request) -> [UInt8] {
        var body: [UInt8] = []
        switch request {
        case .ping: body = [1]
        case .lock: body = [2]
        case .put(let seconds, let identity):
            body = [3]
            Writer.u32(seconds, into: &body)
            Writer.str16(identity, into: &body)
        case .holds(let recipient):
            body = [4]
            Writer.str16(Array(recipient.utf8), into: &body)
        case .unwrap(let recipient, let files):
            body = [5]
            Writer.str16(Array(recipient.utf8), into: &body)
            Writer.u32(UInt32(files.count), into: &body)
            for stanzas in files {
                body.append(UInt8(stanzas.count))
                for stanza in stanzas {
                    body.append(UInt8(stanza.arguments.count))
                    for argument in stanza.arguments { Writer.str16(Array(argument.utf8), into: &body) }
                    Writer.u32(UInt32(stanza.body.count), into: &body)
                    body += stanza.body
                }
            }
        case .derive(let recipient, let purpose):
            body = [6]
            Writer.str16(Array(recipient.utf8), into: &body)
            Writer.str16(Array(purpose.utf8), into: &body)
        }
        return frame(body)
    }

    /// Decodes one request: a whole frame (magic, length, body), or a text line of the former
    /// protocol, which is refused (`GET`, the identity request, with `ProtocolError.identityRequest`).
    ///
    /// Pure and total: any bytes give a request or an error; counts are checked against the
    /// bytes that remain before anything is allocated for them.
    package static func decodeRequest(_ bytes: [UInt8]) -> Result<Request, ProtocolError> {
        do throws(ProtocolError) {
            var reader = Reader(try body(ofFrame: bytes))
            let request: Request
            switch try reader.u8("the request type") {
            case 1: request = .ping
            case 2: request = .lock
            case 3:
                let seconds = try reader.u32("the time-to-live")
                request = .put(seconds: seconds, identity: try reader.str16("the identity", limit: 128))
            case 4: request = .holds(recipient: try reader.text("the recipient"))
            case 5:
                let recipient = try reader.text("the recipient")
                let count = Int(try reader.u32("the number of files"))
                guard count <= maximumFiles else { throw ProtocolError("\(count) files in one request, more than \(maximumFiles)") }
                // Each file takes at least its stanza count byte.
                guard count <= reader.remaining else { throw ProtocolError("\(count) files announced, \(reader.remaining) bytes left") }
                var files: [StanzaSet] = []
                files.reserveCapacity(count)
                for file in 0..<count { files.append(try reader.stanzas(file: file)) }
                request = .unwrap(recipient: recipient, files: files)
            case 6:
                let recipient = try reader.text("the recipient")
                request = .derive(recipient: recipient, purpose: try reader.text("the purpose"))
            case let other: throw ProtocolError("unknown request type \(other)")
            }
            guard reader.remaining == 0 else { throw ProtocolError("\(reader.remaining) bytes follow the \(request.name) request") }
            return .success(request)
        } catch {
            return .failure(error)
        }
    }

    // MARK: Answers

    package static func encode(_ response: Response) -> [UInt8] {
        var body: [UInt8] = []
        switch response {
        case .ok: body = [0]
        case .none: body = [1]
        case .error(let message):
            body = [2]
            Writer.str16(Array(message.utf8.prefix(maximumString)), into: &body)
        case .fileKeys(let results):
            body = [0]
            Writer.u32(UInt32(results.count), into: &body)
            for result in results {
                switch result {
                case .key(let key): body += [0] + key
                case .noMatch: body.append(1)
                case .malformed(let why):
                    body.append(2)
                    Writer.str16(Array(why.utf8.prefix(maximumString)), into: &body)
                }
            }
        case .derivedKey(let key): body = [0] + key
        }
        return frame(body)
    }

    /// What a client expects back, since an `ok` body's shape depends on the request.
    package enum Expected { case status, fileKeys(count: Int), derivedKey }

    /// Decodes one answer to a request that expects `expected`. Pure and total, like `decodeRequest`.
    package static func decodeResponse(_ bytes: [UInt8], expected: Expected) -> Result<Response, ProtocolError> {
        do throws(ProtocolError) {
            var reader = Reader(try body(ofFrame: bytes))
            let response: Response
            switch try reader.u8("the answer status") {
            case 0:
                switch expected {
                case .status: response = .ok
                case .derivedKey: response = .derivedKey(try reader.take(32, "the derived key"))
                case .fileKeys(let count):
                    let announced = Int(try reader.u32("the number of file keys"))
                    guard announced == count else { throw ProtocolError("\(announced) file keys for \(count) files") }
                    var results: [Unwrapped] = []
                    results.reserveCapacity(count)
                    for _ in 0..<count {
                        switch try reader.u8("a file key's status") {
                        case 0: results.append(.key(try reader.take(16, "a file key")))
                        case 1: results.append(.noMatch)
                        case 2: results.append(.malformed(try reader.text("why a stanza is malformed")))
                        case let other: throw ProtocolError("unknown file key status \(other)")
                        }
                    }
                    response = .fileKeys(results)
                }
            case 1: response = .none
            case 2: response = .error(try reader.text("the error message"))
            case let other: throw ProtocolError("unknown answer status \(other)")
            }
            guard reader.remaining == 0 else { throw ProtocolError("\(reader.remaining) bytes follow the answer") }
            return .success(response)
        } catch {
            return .failure(error)
        }
    }

    // MARK: Primitives

    enum Writer {
        static func u32(_ value: UInt32, into out: inout [UInt8]) {
            out += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        }

        static func str16(_ bytes: [UInt8], into out: inout [UInt8]) {
            let count = min(bytes.count, Int(UInt16.max))
            out += [UInt8(count >> 8), UInt8(count & 0xFF)]
            out += bytes.prefix(count)
        }
    }

    struct Reader {
        private let bytes: ArraySlice<UInt8>
        private var position: Int

        init(_ bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            position = bytes.startIndex
        }

        var remaining: Int { bytes.endIndex - position }

        mutating func take(_ count: Int, _ what: String) throws(ProtocolError) -> [UInt8] {
            guard count <= remaining else { throw ProtocolError("\(what) is truncated (\(remaining) of \(count) bytes)") }
            defer { position += count }
            return Array(bytes[position..<position + count])
        }

        mutating func u8(_ what: String) throws(ProtocolError) -> UInt8 { try take(1, what)[0] }

        mutating func u32(_ what: String) throws(ProtocolError) -> UInt32 {
            try take(4, what).reduce(0) { $0 << 8 | UInt32($1) }
        }

        mutating func str16(_ what: String, limit: Int = AgentProtocol.maximumString) throws(ProtocolError) -> [UInt8] {
            let length = try take(2, "the length of \(what)").reduce(0) { $0 << 8 | Int($1) }
            guard length <= limit else { throw ProtocolError("\(what) is \(length) bytes, more than \(limit)") }
            return try take(length, what)
        }

        mutating func text(_ what: String, limit: Int = AgentProtocol.maximumString) throws(ProtocolError) -> String {
            guard let text = String(validating: try str16(what, limit: limit), as: UTF8.self) else {
                throw ProtocolError("\(what) is not UTF-8")
            }
            return text
        }

        /// One file's stanzas, each argument printable ASCII without spaces (as in an age header).
        mutating func stanzas(file: Int) throws(ProtocolError) -> StanzaSet {
            let count = Int(try u8("the stanza count of file \(file)"))
            guard (1...AgentProtocol.maximumStanzas).contains(count) else {
                throw ProtocolError("file \(file) has \(count) stanzas, not 1 to \(AgentProtocol.maximumStanzas)")
            }
            var stanzas: StanzaSet = []
            for index in 0..<count {
                let argumentCount = Int(try u8("the argument count of stanza \(index) of file \(file)"))
                guard (1...AgentProtocol.maximumArguments).contains(argumentCount) else {
                    throw ProtocolError("stanza \(index) of file \(file) has \(argumentCount) arguments, not 1 to \(AgentProtocol.maximumArguments)")
                }
                var arguments: [String] = []
                for _ in 0..<argumentCount {
                    let argument = try str16("an argument of stanza \(index) of file \(file)", limit: AgentProtocol.maximumArgumentLength)
                    guard !argument.isEmpty, argument.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                        throw ProtocolError("an argument of stanza \(index) of file \(file) is empty or not printable ASCII")
                    }
                    arguments.append(String(decoding: argument, as: UTF8.self))
                }
                let length = Int(try u32("the body length of stanza \(index) of file \(file)"))
                guard length <= AgentProtocol.maximumStanzaBody else {
                    throw ProtocolError("the body of stanza \(index) of file \(file) is \(length) bytes, more than \(AgentProtocol.maximumStanzaBody)")
                }
                stanzas.append(AgeStanza(arguments: arguments, body: try take(length, "the body of stanza \(index) of file \(file)")))
            }
            return stanzas
        }
    }
}

/// What a key derived by the agent is for. The agent derives only for these purposes, each with
/// its own HKDF label, so no derived key serves two uses.
public enum KeyPurpose: Equatable, Sendable {
    /// The sealed search index of one user's encrypted tier (Search/EncryptedIndex.swift).
    case sealedIndex(user: String, tier: Tier)

    static let sealedIndexPrefix = "memvault-sealed-index/v1/user="

    /// The HKDF info string.
    var label: String {
        switch self {
        case .sealedIndex(let user, let tier): "\(Self.sealedIndexPrefix)\(user)/tier=\(tier.rawValue)"
        }
    }

    /// The purpose a label names, nil for any label memvault does not use.
    init?(label: String) {
        guard label.hasPrefix(Self.sealedIndexPrefix), let marker = label.range(of: "/tier=", options: .backwards) else { return nil }
        let user = String(label[label.index(label.startIndex, offsetBy: Self.sealedIndexPrefix.count)..<marker.lowerBound])
        guard !user.isEmpty, let tier = Tier(rawValue: String(label[marker.upperBound...])), tier.isEncrypted else { return nil }
        self = .sealedIndex(user: user, tier: tier)
    }
}
