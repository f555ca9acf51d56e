// swift-tools-version: 6.0
// memvault: personal memories as Markdown in git, with per-tier age encryption,
// a local MiniLM embedder and a sidecar vector index. Linux only: the code uses Linux system
// calls (inotify, prctl, SO_PEERCRED, st_mtim) and builds on no other platform.
import PackageDescription

/// How the two programs are linked, for a quicker start (docs/benchmarks.md):
/// - A release build links the Swift runtime statically (`--static-swift-stdlib`), and the
///   toolchain's flags for that add `--export-dynamic`: every public symbol of memvault's own
///   modules (13,557) lands in the dynamic symbol table, which the loader, each `dlopen` (libgit2,
///   OpenBLAS) and the runtime's start-up `dladdr` then search. Nothing looks these symbols up by
///   name, so the programs keep them private: `memvault --version` 4.6 → 4.2 ms.
/// - The program is position-independent, and its 91,487 relative relocations took a 2.2 MB table
///   that the loader read at every start. The toolchain's own linker, lld, packs them
///   (`-z pack-relative-relocs`, glibc 2.36's `DT_RELR`; the system's gold cannot) into 17 kB:
///   `--version` 0.6-0.7 ms quicker.
/// - Two symbols are exported after all: mbedTLS's CA certificate readers, which
///   Sources/CGit2Loader/loader.c defines so that libgit2's set-up binds to them and leaves the
///   system's certificates unread until a command reaches a remote (5 ms less in each commit).
let programLinkerSettings: [LinkerSetting] = [
    .unsafeFlags([
        "-use-ld=lld", "-Xlinker", "--no-export-dynamic", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
        "-Xlinker", "--export-dynamic-symbol=mbedtls_x509_crt_parse_file",
        "-Xlinker", "--export-dynamic-symbol=mbedtls_x509_crt_parse_path",
    ])
]

let package = Package(
    name: "memvault",
    products: [
        .executable(name: "memvault", targets: ["memvault"]),
        .executable(name: "memvault-mcp", targets: ["memvault-mcp"]),
        .library(name: "Vault", targets: ["Vault"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        // The logger type MCP's Transport protocol names (already a dependency of swift-sdk).
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        // Reading the zip files that ChatGPT, Claude and Day One export (zlib through pkg-config).
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
        // Heap, for the k best of a scan.
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    ],
    targets: [
        // C libraries, through pkg-config. Installed by scripts/setup.
        .systemLibrary(
            // Headers only: GitStore opens libgit2 with dlopen on first use (CGit2Loader).
            name: "CGit2", path: "Sources/CGit2",
            providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(
            name: "CCmarkGFM", path: "Sources/CCmarkGFM", pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),
        .systemLibrary(
            // Headers only: the embedder loads libopenblas.so.0 with dlopen when it first needs it.
            name: "COpenBLAS", path: "Sources/COpenBLAS",
            providers: [.apt(["libopenblas-dev"])]),

        // One library per concern.
        // Linux calls that are variadic in libc (prctl) or need _GNU_SOURCE (CPU sets), wrapped for Swift.
        .target(name: "CLinuxProcess"),
        .target(name: "MemvaultSupport", dependencies: ["CLinuxProcess"]),
        .target(name: "MarkdownCodec", dependencies: ["CCmarkGFM"]),
        .target(
            name: "AgeCrypto",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]),
        // libgit2 opened with dlopen on first use (the table of the functions GitStore calls).
        .target(name: "CGit2Loader", dependencies: ["CGit2"]),
        // AtomicFile: a checkout replaces each file whole (MemvaultSupport).
        .target(name: "GitStore", dependencies: ["CGit2", "CGit2Loader", "MemvaultSupport"]),
        // The numeric inner loops of the embedder and the vector index, in C: each compiled for
        // any x86-64 and for AVX2 with FMA, the loader choosing per CPU at start (no compiler
        // flags, so the library builds as any package's dependency and runs on any x86-64).
        .target(name: "CKernels"),
        .target(name: "Embedder", dependencies: ["COpenBLAS", "CKernels", "MemvaultSupport"]),
        .target(
            name: "SearchIndex",
            dependencies: ["CKernels", "MemvaultSupport", .product(name: "HeapModule", package: "swift-collections")]),
        // Tier classification on write: the secret scanner, sensitive-category lexicons, event language, neighbours.
        .target(name: "Classifier", dependencies: ["MemvaultSupport"]),
        .target(
            name: "Vault",
            dependencies: [
                "MemvaultSupport", "MarkdownCodec", "GitStore", "AgeCrypto", "Embedder",
                "SearchIndex", "TOMLKit", "CLinuxProcess", "Classifier",
                // ChaCha20-Poly1305 and HKDF for the sealed index of encrypted tiers.
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(name: "Digest", dependencies: ["Vault", "SearchIndex", "MarkdownCodec", "Embedder"]),
        // The prompt-ready context block under a hard token budget (`memvault context`, MCP).
        .target(name: "MemoryContext", dependencies: ["Vault", "MarkdownCodec", "Embedder"]),
        // The MCP server: tools, resources and the per-client tier policy over the Vault API.
        .target(
            name: "MCPServer",
            dependencies: [
                "Vault", "Digest", "MemoryContext", "MarkdownCodec", "Embedder", "SearchIndex",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // Readers of other services' exports (ChatGPT, Claude, Day One, jrnl, Markdown folders).
        .target(
            name: "Importers",
            dependencies: ["Vault", "GitStore", "MarkdownCodec", "MemvaultSupport", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),

        // Fuzz targets: one entry function per reader of bytes from outside (see docs/reliability.md),
        // the libFuzzer/replay executable that runs them (scripts/fuzz), and the corpus replay tests.
        .target(
            name: "FuzzTargets",
            dependencies: ["MarkdownCodec", "AgeCrypto", "SearchIndex", "Vault", "MemvaultSupport"]),
        .executableTarget(name: "memvault-fuzz", dependencies: ["FuzzTargets"]),

        // The thin command line on top.
        .executableTarget(
            name: "memvault",
            dependencies: [
                "Vault", "Digest", "Embedder", "MemoryContext", "Importers", "SearchIndex", "MemvaultSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: programLinkerSettings),
        // The MCP server that `memvault mcp` hands its process to: apart, so that the command line
        // starts without the MCP SDK's networking libraries (libcurl and its ~30 dependencies).
        .executableTarget(
            name: "memvault-mcp",
            dependencies: [
                "MCPServer", "Vault", "Embedder", "MemvaultSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: programLinkerSettings),

        // Release-build benchmarks that print figures (see docs/benchmarks.md), and the timer they
        // measure whole processes with.
        .target(name: "ProcessTimer", path: "Benchmarks/ProcessTimer"),
        // Other services' exports (ChatGPT, Claude, Day One, jrnl, Markdown folders), generated at
        // run time for the importer benchmark and the importer tests that need large inputs.
        .target(name: "SyntheticExports", path: "Benchmarks/SyntheticExports"),
        .executableTarget(
            name: "memvault-bench",
            dependencies: ["Vault", "Embedder", "SearchIndex", "MarkdownCodec", "AgeCrypto", "ProcessTimer", "Classifier", "SyntheticExports", "TestSupport"],
            path: "Benchmarks/memvault-bench"),

        // Test helpers that several test targets share (not shipped: no product names it).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "MemvaultSupportTests", dependencies: ["MemvaultSupport"]),
        .testTarget(name: "MarkdownCodecTests", dependencies: ["MarkdownCodec", "TestSupport"]),
        .testTarget(name: "AgeCryptoTests", dependencies: ["AgeCrypto"]),
        .testTarget(name: "GitStoreTests", dependencies: ["GitStore"]),
        .testTarget(name: "CKernelsTests", dependencies: ["CKernels", "TestSupport"]),
        .testTarget(name: "EmbedderTests", dependencies: ["Embedder", "CKernels", "TestSupport"]),
        .testTarget(name: "SearchIndexTests", dependencies: ["SearchIndex", "CKernels", "TestSupport"]),
        .testTarget(name: "ClassifierTests", dependencies: ["Classifier", "MemvaultSupport", "TestSupport"]),
        .testTarget(name: "VaultTests", dependencies: ["Vault", "AgeCrypto", "Embedder", "MarkdownCodec", "SearchIndex", "TestSupport"]),
        .testTarget(name: "DigestTests", dependencies: ["Digest", "Vault", "Embedder"]),
        // Runs the built `memvault` binary end to end; links none of the libraries, only the timer
        // and the shared test helpers.
        .testTarget(name: "CLITests", dependencies: ["ProcessTimer", "TestSupport"]),
        .testTarget(name: "ProcessTimerTests", dependencies: ["ProcessTimer"]),
        .testTarget(name: "MemoryContextTests", dependencies: ["MemoryContext", "Vault"]),
        .testTarget(
            name: "MCPServerTests",
            dependencies: ["MCPServer", "Vault", "TestSupport", .product(name: "MCP", package: "swift-sdk")]),
        .testTarget(name: "FuzzReplayTests", dependencies: ["FuzzTargets"]),
        .testTarget(name: "ImportersTests", dependencies: ["Importers", "Vault", "MarkdownCodec", "ZIPFoundation", "ProcessTimer", "TestSupport", "SyntheticExports"]),
    ],
    swiftLanguageModes: [.v6]
)
