import AgeCrypto
import Vault

/// The key agent's socket protocol (`AgentProtocol`): any bytes, decoded as a request and as
/// the answer to each kind of request. Laws: decoding never traps; the encoding is canonical
/// (every field has one spelling: fixed-width integers, length-prefixed strings kept byte for
/// byte, no padding, nothing after the body), so a decoded request or answer encodes back to
/// exactly the input; an error message never holds the bytes of an identity from the input.
enum AgentProtocolFuzz {
    static let identityPrefix = Array("AGE-SECRET-KEY-1".utf8)

    static func run(_ bytes: [UInt8]) {
        let secrets = identities(in: bytes)
        switch AgentProtocol.decodeRequest(bytes) {
        case .success(let request):
            law(AgentProtocol.encode(request) == bytes, "a decoded \(request.name) request does not encode to its input")
        case .failure(let error):
            check(error, secrets)
        }
        for expected in expectations(for: bytes) {
            switch AgentProtocol.decodeResponse(bytes, expected: expected) {
            case .success(let response):
                law(AgentProtocol.encode(response) == bytes, "a decoded answer (expected \(expected)) does not encode to its input")
            case .failure(let error):
                check(error, secrets)
            }
        }
    }

    /// Every kind of answer a client waits for; for file keys, the count the body announces
    /// (as a client that sent that many files expects), at most the number a request may carry
    /// and at most one per byte of the input (each file key takes at least one byte; a larger
    /// count fails on the truncation in the same place, after reserving room for `count` results,
    /// which would only slow the fuzzer down).
    static func expectations(for bytes: [UInt8]) -> [AgentProtocol.Expected] {
        var count = 1
        if bytes.count >= 13 {
            count = min(bytes[9..<13].reduce(0) { $0 << 8 | Int($1) }, AgentProtocol.maximumFiles, bytes.count - 13)
        }
        return [.status, .derivedKey, .fileKeys(count: count)]
    }

    /// The secret part of each identity in the input (the characters after `AGE-SECRET-KEY-1`,
    /// any case, up to the first byte that is not a bech32 letter or digit).
    static func identities(in bytes: [UInt8]) -> [[UInt8]] {
        var found: [[UInt8]] = []
        let upper = bytes.map(uppercased)
        var start = 0
        while start + identityPrefix.count <= upper.count {
            guard let at = firstIndex(of: identityPrefix, in: upper, from: start) else { break }
            var end = at + identityPrefix.count
            while end < upper.count, isBech32(upper[end]) { end += 1 }
            found.append(Array(upper[at..<end]))
            start = at + 1
        }
        return found
    }

    /// The message names fields and counts only: neither the identity prefix nor the secret
    /// part of an identity in the input (8 characters or more of it) may appear.
    static func check(_ error: AgentProtocol.ProtocolError, _ secrets: [[UInt8]]) {
        let message = Array(error.message.utf8).map(uppercased)
        law(firstIndex(of: identityPrefix, in: message) == nil, "an error message holds an identity prefix: \(error.message)")
        for secret in secrets where secret.count >= identityPrefix.count + 8 {
            let tail = Array(secret[identityPrefix.count...].prefix(8))
            law(firstIndex(of: tail, in: message) == nil, "an error message holds part of an identity from the input")
        }
    }

    /// Where `needle` first occurs in `haystack` at or after `start`. A plain loop: Foundation's
    /// `firstRange(of:)` on byte arrays allocated on every step and took 87 % of the target's
    /// time (about 1,000 executions per second).
    static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var at = start
        while at + needle.count <= haystack.count {
            var matched = 0
            while matched < needle.count, haystack[at + matched] == needle[matched] { matched += 1 }
            if matched == needle.count { return at }
            at += 1
        }
        return nil
    }

    static func uppercased(_ byte: UInt8) -> UInt8 { (0x61...0x7A).contains(byte) ? byte - 0x20 : byte }

    static func isBech32(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) }
}
