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
/// thread-local storage from the allocation callbacks (which take no context). The
/// state sits behind a pointer so the callbacks pay no reference counting or
/// exclusivity checks.
struct ParseArena {
    private struct Chunk {
        var base: UnsafeMutableRawPointer
        var capacity: Int
    }

    /// The callbacks handed to `cmark_parser_new_with_mem`.
    let memory: UnsafeMutablePointer<cmark_mem>
    private var chunks: [Chunk] = []
    private var chunkIndex = 0
    private var base: UnsafeMutableRawPointer?
    private var capacity = 0
    private var used = 0
    /// The most recent block, which `realloc` may grow in place.
    private var lastBlock: UnsafeMutableRawPointer?
    /// Blocks too large for a chunk, freed on `reset`.
    private var largeBlocks: [UnsafeMutableRawPointer] = []

    private static let headerSize = 16
    private static let chunkSize = 1 << 20
    private static let largeBlockSize = chunkSize / 4
    /// Chunks kept between parses; the rest are returned to the system.
    private static let chunksKept = 8

    private init() {
        memory = .allocate(capacity: 1)
        memory.initialize(to: cmark_mem(calloc: arenaCalloc, realloc: arenaRealloc, free: arenaFree))
    }

    /// The calling thread's arena, made on first use and freed when the thread ends.
    static var current: UnsafeMutablePointer<ParseArena> {
        if let existing = pthread_getspecific(threadKey) {
            return existing.assumingMemoryBound(to: ParseArena.self)
        }
        let arena = UnsafeMutablePointer<ParseArena>.allocate(capacity: 1)
        arena.initialize(to: ParseArena())
        let status = pthread_setspecific(threadKey, arena)
        precondition(status == 0, "pthread_setspecific failed: \(status)")
        return arena
    }

    /// Forgets every block: call when the parse's tree is no longer used.
    mutating func reset() {
        for block in largeBlocks { free(block) }
        largeBlocks.removeAll(keepingCapacity: true)
        while chunks.count > Self.chunksKept { free(chunks.removeLast().base) }
        chunkIndex = 0
        base = chunks.first?.base
        capacity = chunks.first?.capacity ?? 0
        used = 0
        lastBlock = nil
    }

    fileprivate mutating func releaseAll() {
        reset()
        for chunk in chunks { free(chunk.base) }
        chunks.removeAll()
        memory.deallocate()
    }

    fileprivate mutating func allocate(_ size: Int) -> UnsafeMutableRawPointer? {
        let total = (Self.headerSize + size + 15) & ~15
        if total > Self.largeBlockSize {
            guard let block = calloc(1, total) else { return nil }
            largeBlocks.append(block)
            return Self.stamp(block, size: size)
        }
        if used + total > capacity {
            guard nextChunk() else { return nil }
        }
        let block = base! + used
        used += total
        memset(block, 0, total)
        let payload = Self.stamp(block, size: size)
        lastBlock = payload
        return payload
    }

    private mutating func nextChunk() -> Bool {
        if base != nil, chunkIndex + 1 < chunks.count {
            chunkIndex += 1
        } else {
            guard let fresh = calloc(1, Self.chunkSize) else { return false }
            chunks.append(Chunk(base: fresh, capacity: Self.chunkSize))
            chunkIndex = chunks.count - 1
        }
        base = chunks[chunkIndex].base
        capacity = chunks[chunkIndex].capacity
        used = 0
        return true
    }

    fileprivate mutating func reallocate(_ payload: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
        guard let payload else { return allocate(size) }
        let header = payload - Self.headerSize
        let oldSize = header.load(as: Int.self)
        if size <= oldSize { return payload }
        // Grow the newest block in place when the chunk has room (strbufs grow this way).
        if payload == lastBlock, let base {
            let newTotal = (Self.headerSize + size + 15) & ~15
            let start = header - base
            if start + newTotal <= capacity, newTotal <= Self.largeBlockSize {
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
    private static func stamp(_ block: UnsafeMutableRawPointer, size: Int) -> UnsafeMutableRawPointer {
        block.storeBytes(of: size, as: Int.self)
        return block + headerSize
    }
}

/// One key for every thread's arena; its destructor frees the arena when the thread ends.
private let threadKey: pthread_key_t = {
    var key = pthread_key_t()
    let status = pthread_key_create(&key) { releaseArena($0) }
    precondition(status == 0, "pthread_key_create failed: \(status)")
    return key
}()

private func releaseArena(_ pointer: UnsafeMutableRawPointer?) {
    guard let arena = pointer?.assumingMemoryBound(to: ParseArena.self) else { return }
    arena.pointee.releaseAll()
    arena.deinitialize(count: 1)
    arena.deallocate()
}

private func arenaCalloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? {
    let (total, overflow) = count.multipliedReportingOverflow(by: size)
    return overflow ? nil : ParseArena.current.pointee.allocate(total)
}

private func arenaRealloc(_ block: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer? {
    ParseArena.current.pointee.reallocate(block, size)
}

/// Blocks are dropped together by `ParseArena.reset`.
private func arenaFree(_ block: UnsafeMutableRawPointer?) {}
