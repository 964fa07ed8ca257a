extension UInt32 {
    /// For a 32-bit pattern read as a negative Int32, its magnitude.
    @usableFromInline
    var magnitudeOfNegative: UInt32 { ~self &+ 1 }
}

/// Buffered output to a file descriptor; text goes out in large blocks.
public final class OutputSink {
    /// Text waiting to be written.
    public let buffer = TextBuffer(capacity: 1 << 18)
    private let fd: Int32
    /// Set when a write failed (a closed pipe, a full disk); further output is dropped.
    public private(set) var failed: String?

    /// A sink writing to `fd` (1 is standard output, 2 standard error).
    public init(fd: Int32 = 1) { self.fd = fd }

    /// Writes the buffer out when it holds more than `threshold` bytes.
    @inline(__always)
    public func flushIfNeeded(threshold: Int = 1 << 17) {
        if buffer.count >= threshold { flush() }
    }

    /// Writes everything buffered.
    public func flush() {
        if failed == nil { failed = buffer.write(to: fd) }
        buffer.removeAll()
    }

    /// Appends a line of text and writes it out at once (for messages on standard error).
    public func say(_ line: String) {
        buffer.append(string: line)
        buffer.append(10)
        flush()
    }
}
