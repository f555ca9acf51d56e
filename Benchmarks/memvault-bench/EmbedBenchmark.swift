import Embedder
import Foundation

/// `memvault-bench embed [--texts FILE] [--runs N] [--passes N] [--batch-only]`: how
/// fast the embedder is.
///
/// Prints the model load time, one-text latency (a short query and the first 200
/// texts of the file, one at a time), batch throughput over the whole file, and
/// how close that is to the machine's FLOP limit for this model. `--batch-only`
/// skips all but the batch figures, for quick alternating comparisons.
enum EmbedBenchmark {
    /// Multiply-adds of all-MiniLM-L6-v2 per token, times two: about 21 MFLOP.
    static let flopsPerToken = Double(6 * 2 * (4 * 384 * 384 + 2 * 384 * 1536) as Int)
    /// OpenBLAS sgemm on both cores of the reference machine, one single-threaded
    /// sgemm per core on this model's shapes (1,000 rows; 384×1154, 384×384,
    /// 384×1536, 1536×384 weights, bias copies included): 89.5 GFLOP/s per core,
    /// measured with a C program (docs/benchmarks.md). One sgemm split over both
    /// cores by OpenBLAS reaches less, about 165 GFLOP/s.
    static let machineFlops = 179e9

    static func run(_ arguments: [String]) throws {
        var textsFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../texts/conversational.txt").standardized
        var runs = 300
        var passes = 3
        var batchOnly = false
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--texts" where index + 1 < arguments.count:
                textsFile = URL(fileURLWithPath: arguments[index + 1])
                index += 1
            case "--runs" where index + 1 < arguments.count:
                runs = max(Int(arguments[index + 1]) ?? runs, 1)
                index += 1
            case "--passes" where index + 1 < arguments.count:
                passes = max(Int(arguments[index + 1]) ?? passes, 1)
                index += 1
            case "--batch-only":
                batchOnly = true
            default:
                throw BenchmarkError(
                    "unknown option \(arguments[index]); usage: memvault-bench embed [--texts FILE] [--runs N] "
                        + "[--passes N] [--batch-only]")
            }
            index += 1
        }
        let texts = try String(contentsOf: textsFile, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
        let directory = Embedder.defaultModelDirectory()

        var loads: [Double] = []
        var loaded: Embedder?
        for _ in 0..<5 {
            let start = ContinuousClock.now
            loaded = try Embedder(modelDirectory: directory)
            loads.append((ContinuousClock.now - start).milliseconds)
        }
        let embedder = loaded!
        let tokens = texts.reduce(0) { $0 + embedder.tokenizer.encode($1).count }
        print("model: \(Embedder.modelID) from \(directory.path)")
        let environment = ProcessInfo.processInfo.environment
        let forced = ["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"].map { "\($0)=\(environment[$0] ?? "(unset)")" }
        print("BLAS kernel: \(Embedder.blasCoreName) (\(forced.joined(separator: ", ")))")
        print("own kernels (short queries, attention, GELU, LayerNorm): \(Embedder.kernelVariant)")
        print("texts: \(texts.count) from \(textsFile.path), \(format(Double(tokens) / Double(texts.count))) tokens on average")
        print("model load: first \(format(loads[0])) ms, median of 5 \(format(median(loads))) ms")

        _ = embedder.embedMatrix(Array(texts.prefix(64)))
        if !batchOnly {
            let query = "had coffee with Maria"
            let short = latencies(embedder, Array(repeating: query, count: runs))
            print(
                "one short query (\(embedder.tokenizer.encode(query).count) tokens, \(runs) runs): \(short)")
            let single = latencies(embedder, Array(texts.prefix(200)))
            print("one text of the file (first \(min(texts.count, 200)), one at a time): \(single)")
        }

        var walls: [Double] = []
        var cpus: [Double] = []
        for _ in 0..<passes {
            let start = ContinuousClock.now
            let cpu = cpuMilliseconds()
            _ = embedder.embedMatrix(texts)
            walls.append((ContinuousClock.now - start).milliseconds / 1000)
            cpus.append((cpuMilliseconds() - cpu) / 1000)
        }
        let seconds = median(walls)
        let tokensPerSecond = Double(tokens) / seconds
        let limit = machineFlops / flopsPerToken
        print(
            "batch (32 per pass, all \(texts.count) texts, median of \(passes)): "
                + "\(format(Double(texts.count) / seconds)) texts/s, "
                + "\(format(tokensPerSecond)) tokens/s = \(format(100 * tokensPerSecond / limit))% of the "
                + "\(format(limit)) tokens/s FLOP limit (\(format(flopsPerToken / 1e6)) MFLOP/token)")
        let cpuSeconds = median(cpus)
        print(
            "batch CPU time: \(format(cpuSeconds)) s per pass (median; least \(format(cpus.min()!)) s) on "
                + "\(format(cpuSeconds / seconds)) cores; \(format(Double(texts.count) / cpuSeconds * 2)) texts/s "
                + "if both cores were ours")
        print("load average: \(loadAverage()) (other processes share the cores; compare with a peer run alongside)")
    }

    /// Embeds each text alone; returns "p50 …, p95 …, CPU … per text".
    static func latencies(_ embedder: Embedder, _ texts: [String]) -> String {
        var wall: [Double] = []
        let cpu = cpuMilliseconds()
        for text in texts {
            let start = ContinuousClock.now
            _ = embedder.embedMatrix([text])
            wall.append((ContinuousClock.now - start).milliseconds)
        }
        let cpuPerText = (cpuMilliseconds() - cpu) / Double(texts.count)
        return "p50 \(format(percentile(wall, 0.5))) ms, p95 \(format(percentile(wall, 0.95))) ms, "
            + "CPU \(format(cpuPerText)) ms per text"
    }

    struct BenchmarkError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }


    /// CPU time of this process so far, all threads, in milliseconds.
    static func cpuMilliseconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) * 1000 + Double(time.tv_nsec) / 1e6
    }

    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3)
            .joined(separator: " ") ?? "unknown"
    }

    static func median(_ values: [Double]) -> Double { percentile(values, 0.5) }

    static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(Int(Double(sorted.count) * fraction), sorted.count - 1)]
    }

    static func format(_ value: Double) -> String {
        String(format: value >= 100 ? "%.0f" : value >= 10 ? "%.1f" : "%.2f", value)
    }
}
