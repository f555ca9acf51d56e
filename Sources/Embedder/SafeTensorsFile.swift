import Foundation
import MemvaultSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `.safetensors` file, memory-mapped read-only, with its header validated.
///
/// The format is an 8-byte little-endian header length, a JSON header mapping each
/// tensor name to its `dtype`, `shape` and `data_offsets` (relative to the end of the
/// header), then the raw data. Opening checks every entry: a known dtype, a byte
/// length that equals the shape's element count times the dtype size, and offsets
/// that lie inside the file. A truncated or malformed file throws; it never traps.
public struct SafeTensorsFile: Sendable {
    /// Where one tensor lives in the file.
    public struct TensorInfo: Sendable, Equatable {
        /// The tensor's name, such as `encoder.layer.0.attention.self.query.weight`.
        public let name: String
        /// The element type as the header spells it: `F32`, `I64`, ...
        public let dtype: String
        /// The dimensions, outermost first.
        public let shape: [Int]
        /// The bytes of the tensor, as offsets from the start of the file.
        public let byteRange: Range<Int>
    }

    /// The file this was read from.
    public let url: URL
    /// Every tensor in the file, by name.
    public let tensors: [String: TensorInfo]
    /// The size of the file in bytes.
    public var byteCount: Int { mapping.count }

    private let mapping: MappedFile

    /// One value of the header: a tensor's description, or anything else (`__metadata__`'s
    /// strings, or an entry that lacks a field, which is refused unless it is the metadata).
    private enum HeaderEntry: Decodable {
        case tensor(dtype: String, shape: [Int], offsets: [Int])
        case other

        private enum Key: String, CodingKey { case dtype, shape, dataOffsets = "data_offsets" }

        init(from decoder: any Decoder) throws {
            guard let fields = try? decoder.container(keyedBy: Key.self),
                let dtype = try? fields.decode(String.self, forKey: .dtype),
                let shape = try? fields.decode([Int].self, forKey: .shape),
                let offsets = try? fields.decode([Int].self, forKey: .dataOffsets)
            else {
                self = .other
                return
            }
            self = .tensor(dtype: dtype, shape: shape, offsets: offsets)
        }
    }

    private static let elementSizes: [String: Int] = [
        "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1,
        "U64": 8, "U32": 4, "U16": 2, "U8": 1, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1,
    ]

    /// Maps a safetensors file and validates its header.
    ///
    /// - Parameter url: The `.safetensors` file.
    /// - Throws: `EmbedderError` of kind `.modelMissing` if the file does not exist,
    ///   `.unreadable` if it cannot be opened or mapped, `.corrupt` if the header is
    ///   malformed or points outside the file.
    /// - Complexity: O(header size); the tensor data is not read.
    public init(contentsOf url: URL) throws(EmbedderError) {
        self.url = url
        let mapping = try MappedFile(url: url)
        self.mapping = mapping
        guard mapping.count >= 8 else {
            throw .corrupt("safetensors file is truncated: \(mapping.count) bytes, no header length", url)
        }
        var headerLength: UInt64 = 0
        for index in 0..<8 {
            headerLength |= UInt64(mapping.bytes[index]) << (8 * UInt64(index))
        }
        guard headerLength <= UInt64(mapping.count - 8), headerLength <= 100_000_000 else {
            throw .corrupt(
                "safetensors header length \(headerLength) exceeds the file size \(mapping.count)", url, at: "byte 0")
        }
        let dataStart = 8 + Int(headerLength)
        let headerBytes = Data(bytes: mapping.bytes + 8, count: Int(headerLength))
        // Decoded into one plain struct per entry (JSONDecoder), not JSONSerialization's
        // dictionaries of `Any`: their casts cost more than the parse.
        guard let header = try? JSONDecoder().decode([String: HeaderEntry].self, from: headerBytes) else {
            throw .corrupt("safetensors header is not a JSON object", url, at: "byte 8")
        }
        var tensors: [String: TensorInfo] = [:]
        for (name, entry) in header where name != "__metadata__" {
            guard case .tensor(let dtype, let shape, let offsets) = entry, offsets.count == 2 else {
                throw .corrupt("safetensors entry \(name) lacks dtype, shape or data_offsets", url, at: "byte 8")
            }
            guard let elementSize = Self.elementSizes[dtype] else {
                throw .corrupt("tensor \(name) has unknown dtype \(dtype)", url, at: "byte 8")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end, end <= mapping.count - dataStart else {
                throw .corrupt(
                    "tensor \(name) data_offsets [\(begin), \(end)] lie outside the \(mapping.count - dataStart) data bytes",
                    url, at: "byte 8")
            }
            var elements = 1
            for dimension in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
                guard dimension >= 0, !overflow else {
                    throw .corrupt("tensor \(name) has an invalid shape \(shape)", url, at: "byte 8")
                }
                elements = product
            }
            guard elements.multipliedReportingOverflow(by: elementSize) == (end - begin, false) else {
                throw .corrupt(
                    "tensor \(name) holds \(end - begin) bytes but shape \(shape) of \(dtype) needs \(elements * elementSize)",
                    url, at: "byte 8")
            }
            tensors[name] = TensorInfo(
                name: name, dtype: dtype, shape: shape, byteRange: (dataStart + begin)..<(dataStart + end))
        }
        self.tensors = tensors
    }

    /// The `F32` tensor `name`, checked against the shape the caller expects.
    ///
    /// The buffer points into the mapping and stays valid while this file value
    /// (or a copy of it) is alive.
    ///
    /// - Throws: `EmbedderError` of kind `.corrupt` if the tensor is absent, not
    ///   `F32`, of another shape, or not 4-byte aligned.
    func floats(_ name: String, shape: [Int]) throws(EmbedderError) -> UnsafeBufferPointer<Float> {
        guard let info = tensors[name] else {
            throw .corrupt("tensor \(name) is missing", url)
        }
        guard info.dtype == "F32" else {
            throw .corrupt("tensor \(name) has dtype \(info.dtype), expected F32", url)
        }
        guard info.shape == shape else {
            throw .corrupt("tensor \(name) has shape \(info.shape), expected \(shape)", url)
        }
        guard info.byteRange.lowerBound % MemoryLayout<Float>.alignment == 0 else {
            throw .corrupt("tensor \(name) is not 4-byte aligned", url, at: "byte \(info.byteRange.lowerBound)")
        }
        let base = UnsafeRawPointer(mapping.bytes + info.byteRange.lowerBound)
        return UnsafeBufferPointer(
            start: base.assumingMemoryBound(to: Float.self), count: info.byteRange.count / MemoryLayout<Float>.size)
    }
}

/// A whole file mapped read-only; unmapped when the last reference goes.
///
/// `@unchecked Sendable`: the mapping is `PROT_READ` and never changes after
/// `init`, so concurrent reads from any thread are safe.
final class MappedFile: @unchecked Sendable {
    let bytes: UnsafePointer<UInt8>
    let count: Int
    private let mappedLength: Int

    init(url: URL) throws(EmbedderError) {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            let kind: EmbedderError.Kind = code == ENOENT ? .modelMissing : .unreadable
            throw EmbedderError(
                kind: kind, message: "cannot open: \(String(cString: strerror(code)))", path: url.path,
                hint: EmbedderError.fetchHint)
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw EmbedderError(
                kind: .unreadable, message: "cannot stat: \(String(cString: strerror(errno)))", path: url.path)
        }
        count = Int(status.st_size)
        // mmap refuses a zero length; map one page so an empty file still reads as "truncated".
        mappedLength = max(count, 1)
        guard let address = ReadOnlyMapping.map(descriptor: descriptor, length: mappedLength, populate: false) else {
            throw EmbedderError(
                kind: .unreadable, message: "cannot mmap: \(String(cString: strerror(errno)))", path: url.path)
        }
        bytes = UnsafePointer(address.assumingMemoryBound(to: UInt8.self))
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes), mappedLength)
    }
}
