// swift-tools-version: 6.0
// memvault: personal memories as Markdown in git, with per-tier age encryption,
// a local MiniLM embedder and a sidecar vector index.
import PackageDescription

// The embedder's and the index's numeric kernels are plain Swift loops over SIMD types; on x86-64
// they are compiled for AVX2 and FMA (Haswell, 2013, and every AMD Zen), which every machine this
// project runs on has. Other architectures use the compiler's default.
#if arch(x86_64)
let kernelSettings: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
#else
let kernelSettings: [SwiftSetting] = []
#endif

let package = Package(
    name: "memvault",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "memvault", targets: ["memvault"]),
        .library(name: "Vault", targets: ["Vault"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // C libraries, through pkg-config. Installed by scripts/setup.
        .systemLibrary(
            name: "CGit2", path: "Sources/CGit2", pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(
            name: "CCmarkGFM", path: "Sources/CCmarkGFM", pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),
        // Linux system calls that are variadic in libc (prctl), wrapped for Swift; no library to link.
        .systemLibrary(name: "CSystem", path: "Sources/CSystem"),
        .systemLibrary(
            name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),

        // One library per concern.
        .target(name: "MemvaultSupport"),
        .target(name: "MarkdownCodec", dependencies: ["CCmarkGFM", "MemvaultSupport"]),
        .target(
            name: "AgeCrypto",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]),
        .target(name: "GitStore", dependencies: ["CGit2", "MemvaultSupport"]),
        .target(name: "Embedder", dependencies: ["COpenBLAS", "MemvaultSupport"], swiftSettings: kernelSettings),
        .target(name: "SearchIndex", dependencies: ["MemvaultSupport"], swiftSettings: kernelSettings),
        .target(
            name: "Vault",
            dependencies: [
                "MemvaultSupport", "MarkdownCodec", "GitStore", "AgeCrypto", "Embedder",
                "SearchIndex", "TOMLKit", "CSystem",
                // ChaCha20-Poly1305 and HKDF for the sealed index of encrypted tiers.
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(name: "Digest", dependencies: ["Vault", "SearchIndex", "MarkdownCodec", "Embedder"]),

        // The thin command line on top.
        .executableTarget(
            name: "memvault",
            dependencies: [
                "Vault", "Digest", "Embedder",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Release-build benchmarks that print figures (see docs/benchmarks.md), and the timer they
        // measure whole processes with.
        .target(name: "ProcessTimer", path: "Benchmarks/ProcessTimer"),
        .executableTarget(
            name: "memvault-bench",
            dependencies: ["Vault", "Embedder", "SearchIndex", "MarkdownCodec", "AgeCrypto", "ProcessTimer"],
            path: "Benchmarks/memvault-bench"),

        .testTarget(name: "MemvaultSupportTests", dependencies: ["MemvaultSupport"]),
        .testTarget(name: "MarkdownCodecTests", dependencies: ["MarkdownCodec"]),
        .testTarget(name: "AgeCryptoTests", dependencies: ["AgeCrypto"]),
        .testTarget(name: "GitStoreTests", dependencies: ["GitStore"]),
        .testTarget(name: "EmbedderTests", dependencies: ["Embedder"]),
        .testTarget(name: "SearchIndexTests", dependencies: ["SearchIndex"]),
        .testTarget(name: "VaultTests", dependencies: ["Vault", "AgeCrypto"]),
        .testTarget(name: "DigestTests", dependencies: ["Digest", "Vault", "Embedder"]),
        .testTarget(name: "CLITests", dependencies: ["Vault"]),
        .testTarget(name: "ProcessTimerTests", dependencies: ["ProcessTimer"]),
    ],
    swiftLanguageModes: [.v6]
)
