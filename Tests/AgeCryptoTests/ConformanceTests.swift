import AgeCrypto
import Crypto
import Testing

/// The C2SP CCTV age test vectors in Tests/Fixtures/age-testkit.
@Suite("age testkit conformance")
struct ConformanceTests {
    @Test("every vector gives its expected outcome", arguments: TestVector.names)
    func vector(_ name: String) throws {
        let vector = try TestVector.load(name)
        if vector.isPostQuantum {
            try checkPostQuantum(vector)
            return
        }
        var identities: [any AgeIdentity] = try vector.identities.map { try X25519Identity(parsing: $0) }
        identities += vector.passphrases.map { ScryptIdentity(passphrase: $0) }
        #expect(!identities.isEmpty || vector.expect == .headerFailure || vector.expect == .armorFailure)
        if identities.isEmpty { identities = [X25519Identity.generate()] }

        var released: [UInt8] = []
        var failure: AgeError?
        do {
            try Age.decrypt(vector.file, with: identities) { released += $0 }
        } catch {
            failure = error
        }

        switch vector.expect {
        case .success:
            #expect(failure == nil, "\(name): \(failure.map(String.init(describing:)) ?? "")")
        case .payloadFailure:
            #expect(failure?.kind == .payloadFailure, "\(name): \(String(describing: failure))")
        case .noMatch:
            let accepted: [AgeError.Kind] = vector.passphrases.isEmpty ? [.noMatch] : [.noMatch, .wrongPassphrase]
            #expect(failure.map { accepted.contains($0.kind) } == true, "\(name): \(String(describing: failure))")
        case .hmacFailure:
            #expect(failure?.kind == .hmacFailure, "\(name): \(String(describing: failure))")
        case .headerFailure:
            #expect(failure?.kind == .headerFailure, "\(name): \(String(describing: failure))")
        case .armorFailure:
            #expect(failure?.kind == .armorFailure, "\(name): \(String(describing: failure))")
        }
        if vector.expect == .success || vector.expect == .payloadFailure {
            let payload = try #require(vector.payloadSHA256)
            #expect(hex(SHA256.hash(data: released)) == payload, "\(name): released plaintext hash")
        } else {
            #expect(released.isEmpty, "\(name): no plaintext may be released")
        }
        // The all-at-once API never returns partial plaintext.
        if vector.expect != .success {
            #expect(throws: AgeError.self) { try Age.decrypt(vector.file, with: identities) }
        }
    }

    /// Post-quantum hybrid identities are out of scope: parsing them is a clear
    /// `.unsupported`, and the files themselves fail cleanly for X25519 identities.
    private func checkPostQuantum(_ vector: TestVector) throws {
        for text in vector.identities where text.hasPrefix("AGE-SECRET-KEY-PQ-") {
            let error = #expect(throws: AgeError.self) { try X25519Identity(parsing: text) }
            #expect(error?.kind == .unsupported)
        }
        let others: [any AgeIdentity] = try vector.identities.filter { !$0.hasPrefix("AGE-SECRET-KEY-PQ-") }
            .map { try X25519Identity(parsing: $0) }
        #expect(throws: AgeError.self) {
            try Age.decrypt(vector.file, with: others + [X25519Identity.generate()])
        }
    }

    @Test("the testkit holds 143 vectors; counts by outcome")
    func counts() throws {
        let vectors = try TestVector.names.map { try TestVector.load($0, inflating: false) }
        #expect(vectors.count == 143)
        let postQuantum = vectors.filter(\.isPostQuantum)
        let classic = vectors.filter { !$0.isPostQuantum }
        #expect(postQuantum.count == 19)
        #expect(classic.count == 124)
        #expect(vectors.filter(\.compressed).count == 22)
        var byOutcome: [String: Int] = [:]
        for vector in classic { byOutcome[vector.expect.rawValue, default: 0] += 1 }
        print("age testkit: \(vectors.count) vectors, \(classic.count) X25519/scrypt, \(postQuantum.count) post-quantum; \(byOutcome.sorted { $0.key < $1.key })")
    }
}
