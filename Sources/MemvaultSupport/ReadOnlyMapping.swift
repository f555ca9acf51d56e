#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Maps files read-only for the large files every search and embedding reads (the model's
/// weights, the index's tables and vectors).
///
/// Each mapping asks for huge pages (`MADV_HUGEPAGE`). What it changes is how the kernel fills
/// the page cache when a page is not there: the fault reads a huge page's worth in one folio
/// instead of small pages, and mapping large folios costs far less per byte than mapping 4 kB
/// pages one by one (an embedding of a short query took 20 ms with the model's pages cached
/// small, 15 ms with them cached large, docs/benchmarks.md). Pages cached already are used as
/// they are; where transparent huge pages are off, the advice does nothing.
public enum ReadOnlyMapping {
    /// Maps `length` bytes of the open file `descriptor` from its start, read-only and private.
    /// - Parameter populate: map every page now (for a file read whole anyway), as `MAP_POPULATE`.
    /// - Returns: the address, or nil with `errno` set when `mmap` fails.
    public static func map(descriptor: Int32, length: Int, populate: Bool) -> UnsafeMutableRawPointer? {
        guard let address = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else { return nil }
        #if os(Linux)
        _ = madvise(address, length, 14)  // MADV_HUGEPAGE
        if populate, madvise(address, length, 22) != 0, errno == EINVAL {  // MADV_POPULATE_READ (Linux 5.14)
            // A kernel that does not know the advice: touch one byte a page, as MAP_POPULATE would
            // have mapped them. (Any other failure leaves the pages to be faulted in when read.)
            let page = Int(sysconf(Int32(_SC_PAGESIZE)))
            var sum: UInt8 = 0
            for offset in stride(from: 0, to: length, by: page) { sum &+= address.load(fromByteOffset: offset, as: UInt8.self) }
            withExtendedLifetime(sum) {}
        }
        #endif
        return address
    }
}
