/// The compression of an input, told by its first bytes (never by its name).
public enum MRTCompression: String, Sendable {
    case none
    case gzip
    case bzip2

    /// Detects gzip (`1f 8b`) and bzip2 (`BZh`) magic numbers.
    public static func detect(_ head: UnsafeRawBufferPointer) -> MRTCompression {
        if head.count >= 2 && head[0] == 0x1F && head[1] == 0x8B { return .gzip }
        if head.count >= 3 && head[0] == 0x42 && head[1] == 0x5A && head[2] == 0x68 { return .bzip2 }
        return .none
    }
}

/// Replays bytes already read from a source (to sniff its format) before reading on.
final class ReplayingByteSource: ByteSource {
    private let inner: ByteSource
    private var pending: [UInt8]
    var problems: [MRTInputProblem] { inner.problems }

    init(inner: ByteSource, pending: [UInt8]) {
        self.inner = inner
        self.pending = pending
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(MRTInputError) -> Int {
        if !pending.isEmpty {
            let n = min(buffer.count, pending.count)
            pending.withUnsafeBytes { src in
                if let s = src.baseAddress, let d = buffer.baseAddress { d.copyMemory(from: s, byteCount: n) }
            }
            pending.removeFirst(n)
            return n
        }
        return try inner.read(into: buffer)
    }
}

extension MRTReader {
    /// Opens a file (or `-` for standard input) and picks the decompressor from its magic bytes.
    public static func open(path: String) throws(MRTInputError) -> MRTReader {
        let file = try FileByteSource(path: path)
        let reader = try MRTReader(detecting: file, name: path == "-" ? "<stdin>" : path)
        reader.rawSource = file
        return reader
    }

    /// Opens a file whose decompression `pool` does on its worker threads, ahead of the reader;
    /// `priority` says when it is read (lowest first; `setPriority` on `readAhead` changes it).
    public static func open(path: String, readAhead pool: ReadAheadPool, priority: Double) throws(MRTInputError)
        -> MRTReader
    {
        let file = try FileByteSource(path: path)
        var source: ByteSource?
        // The pool buffers ahead; the reader's own buffer need only hold a record (it grows for larger ones).
        let reader = try MRTReader(detecting: file, name: path == "-" ? "<stdin>" : path, bufferSize: 64 << 10) {
            inner, compression in
            let wrapped = pool.wrap(
                inner, raw: file, priority: priority,
                chunkSize: compression == .bzip2 ? pool.chunkSize : pool.smallChunkSize)
            source = wrapped
            return wrapped
        }
        reader.readAhead = source as? ReadAheadSource
        return reader
    }

    /// Wraps any byte source, sniffing gzip or bzip2 from its first bytes; `wrap` may put the
    /// decompressed stream behind another source (a read-ahead), told which compression it undoes.
    public convenience init(
        detecting raw: ByteSource, name: String, bufferSize: Int = 1 << 20,
        wrap: (ByteSource, MRTCompression) -> ByteSource = { source, _ in source }
    ) throws(MRTInputError) {
        var head: [UInt8] = []
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 4, alignment: 1)
        defer { scratch.deallocate() }
        while head.count < 4 {
            let n = try raw.read(into: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<(4 - head.count)]))
            if n == 0 { break }
            head.append(contentsOf: scratch[0..<n])
        }
        let compression = head.withUnsafeBytes { MRTCompression.detect($0) }
        let replay = ReplayingByteSource(inner: raw, pending: head)
        let source: ByteSource
        switch compression {
        case .none: source = replay
        case .gzip: source = try GzipByteSource(input: replay)
        case .bzip2: source = try Bzip2ByteSource(input: replay)
        }
        self.init(source: wrap(source, compression), name: name, bufferSize: bufferSize)
        self.compression = compression
    }
}

/// Whole files through the same decompressors as MRT input (plain, gzip or bzip2, told by magic bytes):
/// for the text files Vigil reads beside MRT, such as a CAIDA as-rel file as published (`.bz2`).
public enum DecompressedFile {
    /// The file's bytes, decompressed; an error when it cannot be read, is damaged, or holds more than
    /// `limit` bytes once decompressed.
    public static func read(path: String, limit: Int = 512 << 20) throws(MRTInputError) -> [UInt8] {
        let file = try FileByteSource(path: path)
        var head: [UInt8] = []
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
        defer { scratch.deallocate() }
        while head.count < 4 {
            let n = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<(4 - head.count)]))
            if n == 0 { break }
            head.append(contentsOf: scratch[0..<n])
        }
        let replay = ReplayingByteSource(inner: file, pending: head)
        let source: ByteSource
        switch head.withUnsafeBytes({ MRTCompression.detect($0) }) {
        case .none: source = replay
        case .gzip: source = try GzipByteSource(input: replay)
        case .bzip2: source = try Bzip2ByteSource(input: replay)
        }
        var out: [UInt8] = []
        while true {
            let n = try source.read(into: scratch)
            if n == 0 { break }
            out.append(contentsOf: scratch[0..<n])
            if out.count > limit { throw MRTInputError("\(path): more than \(limit >> 20) MiB once decompressed") }
        }
        if let problem = source.problems.first { throw MRTInputError("\(path): \(problem)") }
        return out
    }
}
