internal import CCmarkGFM

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A bump allocator for one cmark parse at a time on one thread.
///
/// cmark-gfm makes many small allocations per node and frees them one by one;
/// parsing into an arena and dropping it whole roughly halves the parse time. cmark's
/// own arena (`cmark_get_arena_mem_allocator`) is one global, unsafe when files are
/// parsed on several threads, so each thread gets its own arena here, found through
/// thread-local storage from the allocation callbacks (which take no context).
final class ParseArena {
    private struct Chunk {
        var base: UnsafeMutableRawPointer
        var capacity: Int
    }

    /// The callbacks handed to `cmark_parser_new_with_mem`; lives as long as the arena.
    let memory: UnsafeMutablePointer<cmark_mem>
    private var chunks: [Chunk] = []
    private var chunkIndex = 0
    private var used = 0
    /// The most recent block, which `realloc` may grow in place.
    private var lastBlock: UnsafeMutableRawPointer?
    /// Blocks too large for a chunk, freed on `reset`.
    private var largeBlocks: [UnsafeMutableRawPointer] = []

    private static let headerSize = 16
    private static let chunkSize = 1 << 20
    /// Chunks kept between parses; the rest are returned to the system.
    private static let chunksKept = 8

    private init() {
        memory = .allocate(capacity: 1)
        memory.initialize(to: cmark_mem(calloc: arenaCalloc, realloc: arenaRealloc, free: arenaFree))
    }

    deinit {
        reset()
        for chunk in chunks { free(chunk.base) }
        memory.deallocate()
    }

    /// The calling thread's arena.
    static var current: ParseArena {
        if let existing = pthread_getspecific(threadKey) {
            return Unmanaged<ParseArena>.fromOpaque(existing).takeUnretainedValue()
        }
        let arena = ParseArena()
        let status = pthread_setspecific(threadKey, Unmanaged.passRetained(arena).toOpaque())
        precondition(status == 0, "pthread_setspecific failed: \(status)")
        return arena
    }

    /// Forgets every block: call when the parse's tree is no longer used.
    func reset() {
        for block in largeBlocks { free(block) }
        largeBlocks.removeAll(keepingCapacity: true)
        while chunks.count > Self.chunksKept { free(chunks.removeLast().base) }
        chunkIndex = 0
        used = 0
        lastBlock = nil
    }

    fileprivate func allocate(_ size: Int) -> UnsafeMutableRawPointer? {
        let total = (Self.headerSize + size + 15) & ~15
        if total > Self.chunkSize / 4 {
            guard let block = calloc(1, total) else { return nil }
            largeBlocks.append(block)
            return stamp(block, size: size)
        }
        if chunks.isEmpty || used + total > chunks[chunkIndex].capacity {
            if chunks.isEmpty || chunkIndex + 1 == chunks.count {
                guard let base = calloc(1, Self.chunkSize) else { return nil }
                chunks.append(Chunk(base: base, capacity: Self.chunkSize))
                if chunks.count > 1 { chunkIndex += 1 }
            } else {
                chunkIndex += 1
            }
            used = 0
        }
        let block = chunks[chunkIndex].base + used
        used += total
        memset(block, 0, total)
        let payload = stamp(block, size: size)
        lastBlock = payload
        return payload
    }

    fileprivate func reallocate(_ payload: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        guard let payload else { return allocate(size) }
        let header = payload - Self.headerSize
        let oldSize = header.load(as: Int.self)
        if size <= oldSize { return payload }
        // Grow the newest block in place when the chunk has room (strbufs grow this way).
        if payload == lastBlock {
            let newTotal = (Self.headerSize + size + 15) & ~15
            let start = header - chunks[chunkIndex].base
            if start + newTotal <= chunks[chunkIndex].capacity, newTotal <= Self.chunkSize / 4 {
                let oldTotal = (Self.headerSize + oldSize + 15) & ~15
                memset(header + oldTotal, 0, newTotal - oldTotal)
                used = start + newTotal
                header.storeBytes(of: size, as: Int.self)
                return payload
            }
        }
        guard let moved = allocate(size) else { return nil }
        moved.copyMemory(from: payload, byteCount: oldSize)
        return moved
    }

    /// Records the payload size in the block's header (16 bytes, keeping payloads aligned).
    private func stamp(_ block: UnsafeMutableRawPointer, size: Int) -> UnsafeMutableRawPointer {
        block.storeBytes(of: size, as: Int.self)
        return block + Self.headerSize
    }
}

/// One key for every thread's arena; its destructor releases the arena when the thread ends.
private let threadKey: pthread_key_t = {
    var key = pthread_key_t()
    let status = pthread_key_create(&key) { releaseArena($0) }
    precondition(status == 0, "pthread_key_create failed: \(status)")
    return key
}()

private func releaseArena(_ arena: UnsafeMutableRawPointer?) {
    if let arena { Unmanaged<ParseArena>.fromOpaque(arena).release() }
}

private func arenaCalloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? {
    let (total, overflow) = count.multipliedReportingOverflow(by: size)
    return overflow ? nil : ParseArena.current.allocate(total)
}

private func arenaRealloc(_ block: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
    ParseArena.current.reallocate(block, size)
}

/// Blocks are dropped together by `ParseArena.reset`.
private func arenaFree(_ block: UnsafeMutableRawPointer?) {}
