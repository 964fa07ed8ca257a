import BGP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A growable byte buffer for writing text output fast.
///
/// Output formatting is the hot path of `vigil dump`: one bounds check per byte appended and
/// digit-pair tables for numbers keep it several times faster than `printf`. A class so that
/// formatters can share it without copies; used by one thread at a time.
public final class TextBuffer {
    // Exclusivity is checked by construction (one owner, no overlapping access); the dynamic checks
    // cost a tenth of the formatting time.
    @exclusivity(unchecked) private var base: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var capacity: Int
    /// Bytes written so far.
    @exclusivity(unchecked) public private(set) var count = 0

    /// An empty buffer with room for `capacity` bytes before it grows.
    public init(capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 64)
        base = UnsafeMutablePointer<UInt8>.allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The bytes written, as an array (for tests and small outputs).
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// The bytes written, as UTF-8 text.
    public var text: String { String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self) }

    /// Forgets the contents, keeping the storage.
    public func removeAll() { count = 0 }

    /// Drops everything after the first `n` bytes.
    public func truncate(to n: Int) { count = min(count, max(0, n)) }

    /// Calls `body` with the written bytes.
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    @inline(never)
    private func grow(_ needed: Int) {
        var size = capacity * 2
        while size < count + needed { size *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = size
    }

    /// Makes room for `n` more bytes.
    @inline(__always)
    public func reserve(_ n: Int) {
        if count + n > capacity { grow(n) }
    }

    /// Appends one byte.
    @inline(__always)
    public func append(_ byte: UInt8) {
        if count == capacity { grow(1) }
        base[count] = byte
        count += 1
    }

    /// Appends raw bytes.
    @inline(__always)
    public func append(_ bytes: UnsafeRawBufferPointer) {
        guard let src = bytes.baseAddress, bytes.count > 0 else { return }
        let n = bytes.count
        reserve(n)
        if n <= 16 {
            let from = src.assumingMemoryBound(to: UInt8.self)
            for i in 0..<n { base[count + i] = from[i] }
        } else {
            UnsafeMutableRawPointer(base + count).copyMemory(from: src, byteCount: n)
        }
        count += n
    }

    /// Appends the bytes of an array.
    @inline(__always)
    public func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Appends static text.
    @inline(__always)
    public func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends text.
    public func append(string text: String) {
        var copy = text
        copy.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    private static let pairs: StaticString =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

    /// Appends a number in decimal.
    @inline(__always)
    public func appendDecimal(_ value: UInt32) {
        if value < 10 {
            append(48 &+ UInt8(truncatingIfNeeded: value))
            return
        }
        var digits = 2
        var v = value
        while v >= 100 {
            v /= 10
            digits += 1
        }
        reserve(digits)
        var n = value
        var at = count + digits
        do {
            let table = TextBuffer.pairs.utf8Start
            while n >= 100 {
                let r = Int(n % 100)
                n /= 100
                at -= 2
                base[at] = table[2 * r]
                base[at + 1] = table[2 * r + 1]
            }
            if n >= 10 {
                at -= 2
                base[at] = table[2 * Int(n)]
                base[at + 1] = table[2 * Int(n) + 1]
            } else {
                at -= 1
                base[at] = 48 &+ UInt8(truncatingIfNeeded: n)
            }
        }
        count += digits
    }

    /// Appends a signed number in decimal.
    public func appendDecimal(signed value: Int32) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            appendDecimal(UInt32(bitPattern: value).magnitudeOfNegative)
        } else {
            appendDecimal(UInt32(value))
        }
    }

    /// Appends `value` zero-padded to at least `width` digits.
    public func appendPadded(_ value: UInt32, width: Int) {
        var digits = 1
        var v = value
        while v >= 10 {
            v /= 10
            digits += 1
        }
        for _ in digits..<max(digits, width) { append(48) }
        appendDecimal(value)
    }

    /// Appends an IPv4 address in dotted-quad form.
    @inline(__always)
    public func appendIPv4(_ value: UInt32) {
        appendDecimal(value >> 24)
        append(UInt8(ascii: "."))
        appendDecimal((value >> 16) & 0xFF)
        append(UInt8(ascii: "."))
        appendDecimal((value >> 8) & 0xFF)
        append(UInt8(ascii: "."))
        appendDecimal(value & 0xFF)
    }

    /// Appends a 16-bit value in lower-case hex without leading zeros.
    @inline(__always)
    public func appendHex16(_ value: UInt16) {
        let digits: StaticString = "0123456789abcdef"
        var started = false
        var shift: UInt16 = 12
        while true {
            let nibble = Int((value >> shift) & 0xF)
            if nibble != 0 || started || shift == 0 {
                started = true
                append(digits.utf8Start[nibble])
            }
            if shift == 0 { break }
            shift -= 4
        }
    }

    /// Appends an address in its standard text form (RFC 5952 for IPv6).
    public func appendAddress(_ address: IPAddress) {
        if address.family == .v4 {
            appendIPv4(address.v4)
        } else {
            var scratch: [UInt8] = []
            address.appendText(to: &scratch)
            append(scratch)
        }
    }

    /// Writes everything to `fd`; returns the error text when the write fails.
    public func write(to fd: Int32) -> String? {
        var done = 0
        while done < count {
            #if canImport(Glibc)
                let n = Glibc.write(fd, base + done, count - done)
            #else
                let n = Darwin.write(fd, base + done, count - done)
            #endif
            if n < 0 {
                if errno == EINTR { continue }
                return String(cString: strerror(errno))
            }
            done += n
        }
        return nil
    }
}
