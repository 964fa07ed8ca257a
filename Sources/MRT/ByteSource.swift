#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A stream of bytes: a file, standard input, or a decompressor over one of those.
///
/// Sources are read by one reader on one thread; they are classes because they own
/// file descriptors and codec state that must not be copied.
public protocol ByteSource: AnyObject {
    /// Fills up to `buffer.count` bytes and returns how many were written; 0 means end of stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(MRTInputError) -> Int
    /// Problems met so far that did not stop the stream (a truncated compressed stream, say).
    var problems: [MRTInputProblem] { get }
}

/// Something wrong with the input that ended or damaged the byte stream.
public struct MRTInputProblem: Hashable, Sendable, CustomStringConvertible {
    /// What happened, in plain words.
    public var message: String
    /// Offset in the compressed (on-disk) stream where it happened, when known.
    public var compressedOffset: UInt64?

    /// Creates a problem report.
    public init(message: String, compressedOffset: UInt64? = nil) {
        self.message = message
        self.compressedOffset = compressedOffset
    }

    public var description: String {
        if let compressedOffset { return "\(message) (compressed offset \(compressedOffset))" }
        return message
    }
}

/// An input that could not be read at all.
public struct MRTInputError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What failed and what to do about it.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// Reads a file descriptor (a file or standard input) with plain `read(2)` calls.
public final class FileByteSource: ByteSource {
    private let fd: Int32
    private let ownsDescriptor: Bool
    /// Bytes read so far from the descriptor.
    public private(set) var offset: UInt64 = 0
    public var problems: [MRTInputProblem] { [] }

    /// Opens `path` for reading; `-` means standard input.
    public init(path: String) throws(MRTInputError) {
        if path == "-" {
            fd = 0
            ownsDescriptor = false
            return
        }
        let opened = open(path, O_RDONLY)
        guard opened >= 0 else {
            throw MRTInputError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        if fstat(opened, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            close(opened)
            throw MRTInputError("cannot read \(path): it is a directory")
        }
        fd = opened
        ownsDescriptor = true
    }

    deinit {
        if ownsDescriptor { close(fd) }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(MRTInputError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            #if canImport(Glibc)
                let n = Glibc.read(fd, base, buffer.count)
            #else
                let n = Darwin.read(fd, base, buffer.count)
            #endif
            if n >= 0 {
                offset += UInt64(n)
                return n
            }
            if errno == EINTR { continue }
            throw MRTInputError("read failed after \(offset) bytes: \(String(cString: strerror(errno)))")
        }
    }
}

/// Serves bytes from memory; used for tests, fuzzing and data already loaded.
public final class MemoryByteSource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0
    public var problems: [MRTInputProblem] { [] }

    /// A source over `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(MRTInputError) -> Int {
        let n = min(buffer.count, bytes.count - position)
        guard n > 0, let dst = buffer.baseAddress else { return 0 }
        bytes.withUnsafeBytes { src in
            if let s = src.baseAddress { dst.copyMemory(from: s + position, byteCount: n) }
        }
        position += n
        return n
    }
}
