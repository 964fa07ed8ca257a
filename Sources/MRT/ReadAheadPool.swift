import Foundation

/// Decompresses many inputs ahead of their reader, on worker threads: a replay merges its update files in
/// time order on one thread, and without this that thread would also do all of the decompression. Files
/// are consumed mostly one after the other (an archive's update files follow each other in time), so the
/// workers fill the input read next first (`priority`, lowest first), then the ones after it, within a
/// budget of buffered bytes; an input its reader is waiting on is filled first and past the budget.
///
/// Each input is read by one worker at a time, so a decompressor is never touched by two threads at once.
public final class ReadAheadPool: @unchecked Sendable {
    final class Entry {
        let source: ByteSource
        let raw: FileByteSource?
        var priority: Double
        var chunks: [(UnsafeMutableRawBufferPointer, Int)] = []
        /// Bytes of the first chunk already handed to the reader.
        var consumed = 0
        var filling = false
        var eof = false
        var error: MRTInputError?
        var waiting = false
        var problems: [MRTInputProblem] = []
        var rawOffset: UInt64 = 0
        var closed = false
        /// Bytes decompressed per turn of a worker on this input (`ReadAheadPool.chunkSize(for:)`).
        var chunkSize = 0

        init(source: ByteSource, raw: FileByteSource?, priority: Double) {
            self.source = source
            self.raw = raw
            self.priority = priority
        }
    }

    private let condition = NSCondition()
    private var entries: [Entry] = []
    private var buffered = 0
    private var stopping = false
    private var running = 0
    /// Bytes decompressed per turn of a worker on a bzip2 input: large, because a worker that leaves a bzip2
    /// stream in the middle of a block comes back to a cold cache (undoing a block walks a 3.6 MB table at
    /// random), which had doubled the cost of decompression with nine collectors' files in flight.
    public let chunkSize: Int
    /// Bytes per turn on any other input (gzip's state is 32 KiB; small turns let a reader start sooner).
    public let smallChunkSize: Int
    /// The most bytes held ahead of the readers, over all inputs.
    public let budget: Int

    /// A pool of `workers` threads (default: one per active core).
    public init(
        workers: Int = ProcessInfo.processInfo.activeProcessorCount, budget: Int = 256 << 20,
        chunkSize: Int = 4 << 20, smallChunkSize: Int = 256 << 10
    ) {
        self.chunkSize = chunkSize
        self.smallChunkSize = min(smallChunkSize, chunkSize)
        self.budget = budget
        for i in 0..<max(1, workers) {
            let thread = Thread { [self] in work() }
            thread.name = "vigil.read-ahead.\(i)"
            condition.lock()
            running += 1
            condition.unlock()
            thread.start()
        }
    }

    /// Stops the workers once they finish their current chunk and frees what is buffered. Call it once the
    /// pool's readers are done: the workers hold the pool until then.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        for e in entries { free(e) }
        entries.removeAll()
        condition.unlock()
    }

    /// `source` read ahead by the pool, `chunkSize` bytes per turn of a worker (`chunkSize` for bzip2,
    /// `smallChunkSize` for the rest); `raw` is the file underneath, for progress.
    func wrap(_ source: ByteSource, raw: FileByteSource?, priority: Double, chunkSize: Int) -> ReadAheadSource {
        let entry = Entry(source: source, raw: raw, priority: priority)
        entry.chunkSize = max(1, chunkSize)
        condition.lock()
        entries.append(entry)
        condition.broadcast()
        condition.unlock()
        return ReadAheadSource(pool: self, entry: entry)
    }

    /// Sets which input is read first (lowest first).
    func setPriority(_ entry: Entry, _ priority: Double) {
        condition.lock()
        entry.priority = priority
        condition.unlock()
    }

    /// Forgets an input its reader is done with.
    func close(_ entry: Entry) {
        condition.lock()
        entry.closed = true
        if !entry.filling {
            free(entry)
            entries.removeAll { $0 === entry }
        }
        condition.broadcast()
        condition.unlock()
    }

    private func free(_ e: Entry) {
        for (chunk, _) in e.chunks {
            buffered -= chunk.count
            chunk.deallocate()
        }
        e.chunks.removeAll()
    }

    /// The next input to fill, under the lock: one waited on first, then by priority within the budget.
    private func pick() -> Entry? {
        var best: Entry?
        for e in entries where !e.filling && !e.eof && e.error == nil && !e.closed {
            if e.waiting && e.chunks.isEmpty { return e }
            guard buffered + e.chunkSize <= budget else { continue }
            if best.map({ e.priority < $0.priority }) ?? true { best = e }
        }
        return best
    }

    private func work() {
        condition.lock()
        while !stopping {
            guard let e = pick() else {
                condition.wait()
                continue
            }
            e.filling = true
            let size = e.chunkSize
            buffered += size
            condition.unlock()
            let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
            var filled = 0
            var failure: MRTInputError?
            do {
                while filled < size {
                    let n = try e.source.read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[filled...]))
                    if n == 0 { break }
                    filled += n
                }
            } catch {
                failure = error
            }
            let problems = e.source.problems
            let offset = e.raw?.offset ?? 0
            condition.lock()
            e.filling = false
            e.problems = problems
            e.rawOffset = offset
            if filled > 0 {
                e.chunks.append((chunk, filled))
            } else {
                chunk.deallocate()
                buffered -= size
            }
            if filled < size { e.eof = true }
            if let failure { e.error = failure }
            if e.closed {
                free(e)
                entries.removeAll { $0 === e }
            }
            condition.broadcast()
        }
        running -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// What a reader calls: copies buffered bytes, waiting for a worker when there are none.
    fileprivate func read(_ e: Entry, into buffer: UnsafeMutableRawBufferPointer) throws(MRTInputError) -> Int {
        condition.lock()
        defer { condition.unlock() }
        while e.chunks.isEmpty {
            if let error = e.error { throw error }
            if e.eof || stopping { return 0 }
            e.waiting = true
            condition.broadcast()
            condition.wait()
        }
        e.waiting = false
        let (chunk, count) = e.chunks[0]
        let n = min(buffer.count, count - e.consumed)
        if let d = buffer.baseAddress, let s = chunk.baseAddress { d.copyMemory(from: s + e.consumed, byteCount: n) }
        e.consumed += n
        if e.consumed == count {
            e.chunks.removeFirst()
            e.consumed = 0
            buffered -= chunk.count
            chunk.deallocate()
            condition.broadcast()
        }
        return n
    }

    fileprivate func snapshot(_ e: Entry) -> ([MRTInputProblem], UInt64) {
        condition.lock()
        defer { condition.unlock() }
        return (e.problems, e.rawOffset)
    }
}

/// An input as its reader sees it when a `ReadAheadPool` decompresses it.
public final class ReadAheadSource: ByteSource {
    let pool: ReadAheadPool
    let entry: ReadAheadPool.Entry

    init(pool: ReadAheadPool, entry: ReadAheadPool.Entry) {
        self.pool = pool
        self.entry = entry
    }

    deinit { pool.close(entry) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(MRTInputError) -> Int {
        try pool.read(entry, into: buffer)
    }

    public var problems: [MRTInputProblem] { pool.snapshot(entry).0 }

    /// Bytes of the file read by the workers so far.
    var rawOffset: UInt64 { pool.snapshot(entry).1 }

    /// Reads this input before those of higher priority.
    public func setPriority(_ priority: Double) { pool.setPriority(entry, priority) }
}
