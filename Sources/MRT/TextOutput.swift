#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Number and text helpers for writing output straight into a byte buffer.
extension Array where Element == UInt8 {
    /// Appends the decimal digits of `value`.
    @inlinable
    public mutating func appendDecimal(_ value: UInt32) {
        if value < 10 {
            append(48 + UInt8(value))
            return
        }
        var count = 1
        var probe = value
        while probe >= 10 {
            probe /= 10
            count += 1
        }
        let startIndex = self.count
        for _ in 0..<count { append(48) }
        var n = value
        var i = startIndex + count - 1
        while n > 0 {
            self[i] = 48 + UInt8(n % 10)
            n /= 10
            i -= 1
        }
    }

    /// Appends the decimal digits of a signed value.
    @inlinable
    public mutating func appendDecimal(signed value: Int32) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            appendDecimal(UInt32(bitPattern: value).magnitudeOfNegative)
        } else {
            appendDecimal(UInt32(value))
        }
    }

    /// Appends a 64-bit value in decimal.
    @inlinable
    public mutating func appendDecimal64(_ value: UInt64) {
        if value <= UInt64(UInt32.max) {
            appendDecimal(UInt32(value))
            return
        }
        append(contentsOf: Array(String(value).utf8))
    }

    /// Appends `value` zero-padded to `width` digits.
    @inlinable
    public mutating func appendPadded(_ value: UInt32, width: Int) {
        var divisor: UInt32 = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        if v >= divisor * 10 { appendDecimal(v); return }
        while divisor > 0 {
            append(48 + UInt8(v / divisor))
            v %= divisor
            divisor /= 10
        }
    }

    /// Appends UTF-8 text.
    @inlinable
    public mutating func appendText(_ text: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}

extension UInt32 {
    /// For a 32-bit pattern read as a negative Int32, its magnitude.
    @usableFromInline
    var magnitudeOfNegative: UInt32 { ~self &+ 1 }
}

/// A buffered writer to a file descriptor; output goes out in large blocks.
public final class OutputSink {
    /// Bytes waiting to be written.
    public var buffer: [UInt8] = []
    private let fd: Int32
    /// Set when a write failed (a closed pipe, a full disk); further output is dropped.
    public private(set) var failed: String?

    /// A sink writing to `fd` (1 is standard output).
    public init(fd: Int32 = 1) {
        self.fd = fd
        buffer.reserveCapacity(1 << 18)
    }

    /// Writes the buffer out when it holds more than `threshold` bytes.
    @inline(__always)
    public func flushIfNeeded(threshold: Int = 1 << 17) {
        if buffer.count >= threshold { flush() }
    }

    /// Writes everything buffered.
    public func flush() {
        guard failed == nil else {
            buffer.removeAll(keepingCapacity: true)
            return
        }
        buffer.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count, let base = raw.baseAddress {
                let n = write(fd, base + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failed = String(cString: strerror(errno))
                    return
                }
                done += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
