/// The fuzz targets: one entry function per reader of bytes that a person or another machine
/// wrote. Each runs the reader on any input and checks its laws, stopping the process (a trap
/// the fuzzer reports as a crash) when one does not hold. A reader that rejects the input with an
/// error is fine; only a trap, a memory error or a broken law is a finding.
///
/// The libFuzzer executable (`memvault-fuzz`, built by `scripts/fuzz`) and the corpus replay
/// tests (`FuzzReplayTests`) call the same functions.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// Entry files: parse → bytes is exact; id insertion changes nothing but id lines.
    case entryFile = "entry-file"
    /// age files: header, stanzas, armor, STREAM payload.
    case age
    /// JSON Lines of `memvault import`.
    case importRecords = "import-records"
    /// `memvault.toml`.
    case vaultConfig = "vault-config"
    /// The index's entry table.
    case entryTable = "entry-table"
    /// The index's postings file.
    case postings
    /// The index's vector file.
    case vectors
    /// The index's state file.
    case indexState = "index-state"
    /// The sealed index of an encrypted tier (its file and its payload).
    case sealedIndex = "sealed-index"
    /// The entry-level three-way merge of `sync` and `resolve`.
    case entryMerge = "entry-merge"
    /// The key agent's socket protocol: requests and answers.
    case agentProtocol = "agent-protocol"

    /// Runs the target on one input.
    public func run(_ input: UnsafeRawBufferPointer) {
        let bytes = Array(input)
        switch self {
        case .entryFile: EntryFileFuzz.run(bytes)
        case .age: AgeFuzz.run(bytes)
        case .importRecords: ImportRecordsFuzz.run(bytes)
        case .vaultConfig: VaultConfigFuzz.run(bytes)
        case .entryTable: SidecarFuzz.entryTable(bytes)
        case .postings: SidecarFuzz.postings(bytes)
        case .vectors: SidecarFuzz.vectors(bytes)
        case .indexState: SidecarFuzz.indexState(bytes)
        case .sealedIndex: SealedIndexFuzz.run(bytes)
        case .entryMerge: EntryMergeFuzz.run(bytes)
        case .agentProtocol: AgentProtocolFuzz.run(bytes)
        }
    }

    /// Runs the target on bytes.
    public func run(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { run($0) }
    }
}

/// Stops the process when a law does not hold: the fuzzer then saves the input.
func law(_ holds: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if !holds() {
        fatalError("fuzz law broken: \(message())", file: file, line: line)
    }
}

/// Splits `bytes` at each NUL byte (the separator the merge target's inputs use between versions).
func splitAtNUL(_ bytes: [UInt8], maxParts: Int) -> [[UInt8]] {
    bytes.split(separator: 0, maxSplits: maxParts - 1, omittingEmptySubsequences: false).map(Array.init)
}
