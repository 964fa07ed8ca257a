/// A forward-only reader over the bytes of one JSON text, for the few shapes RIS Live sends.
///
/// RIS Live frames are small JSON objects arriving by the hundred thousand per second at full rate;
/// reading the fields Vigil needs straight from the bytes, and skipping the rest, avoids building a
/// dictionary tree per frame. Errors carry the byte offset.
struct JSONCursor {
    let bytes: UnsafeRawBufferPointer
    var at = 0
    /// Objects and arrays open around the cursor; `maxDepth` bounds it, so that a frame of nested `[`
    /// cannot exhaust the stack (RIS Live's deepest shape, an AS_SET inside a path, is 4 deep).
    var depth = 0
    static let maxDepth = 32

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    func fail(_ what: String) -> RISParseError { RISParseError(offset: at, reason: what) }

    mutating func skipSpace() {
        while at < bytes.count {
            switch bytes[at] {
            case 0x20, 0x09, 0x0A, 0x0D: at += 1
            default: return
            }
        }
    }

    /// The next significant byte, not consumed (nil at the end).
    mutating func peek() -> UInt8? {
        skipSpace()
        return at < bytes.count ? bytes[at] : nil
    }

    mutating func expect(_ c: UInt8) throws(RISParseError) {
        guard peek() == c else {
            throw fail(at < bytes.count ? "expected '\(Character(Unicode.Scalar(c)))'" : "text ends too early")
        }
        at += 1
    }

    /// Consumes `c` when it comes next.
    mutating func take(_ c: UInt8) -> Bool {
        if peek() == c {
            at += 1
            return true
        }
        return false
    }

    /// One level deeper; an error past `maxDepth`.
    mutating func enter() throws(RISParseError) {
        depth += 1
        guard depth <= Self.maxDepth else {
            depth -= 1
            throw fail("values nested more than \(Self.maxDepth) deep")
        }
    }

    /// Walks an object's members: `body` is called with each key's bytes and must consume the value.
    mutating func object(_ body: (inout JSONCursor, UnsafeRawBufferPointer) throws(RISParseError) -> Void)
        throws(RISParseError)
    {
        try expect(UInt8(ascii: "{"))
        try enter()
        defer { depth -= 1 }
        if take(UInt8(ascii: "}")) { return }
        repeat {
            let key = try rawString()
            try expect(UInt8(ascii: ":"))
            try body(&self, key)
        } while take(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"))
    }

    /// Walks an array's elements: `body` must consume each value.
    mutating func array(_ body: (inout JSONCursor) throws(RISParseError) -> Void) throws(RISParseError) {
        try expect(UInt8(ascii: "["))
        try enter()
        defer { depth -= 1 }
        if take(UInt8(ascii: "]")) { return }
        repeat { try body(&self) } while take(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"))
    }

    /// A string's raw bytes between the quotes (escapes left in place; RIS Live's addresses, prefixes and
    /// names have none).
    mutating func rawString() throws(RISParseError) -> UnsafeRawBufferPointer {
        try expect(UInt8(ascii: "\""))
        let start = at
        while at < bytes.count {
            let c = bytes[at]
            if c == UInt8(ascii: "\"") {
                at += 1
                return UnsafeRawBufferPointer(rebasing: bytes[start..<(at - 1)])
            }
            if c == UInt8(ascii: "\\") { at += 1 }
            at += 1
        }
        at = start
        throw fail("string is not closed")
    }

    /// A string value as text, escapes decoded.
    mutating func string() throws(RISParseError) -> String {
        let raw = try rawString()
        guard raw.contains(UInt8(ascii: "\\")) else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        var i = 0
        while i < raw.count {
            let c = raw[i]
            i += 1
            guard c == UInt8(ascii: "\\"), i < raw.count else {
                out.append(c)
                continue
            }
            let e = raw[i]
            i += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var value: UInt32 = 0
                var digits = 0
                while digits < 4, i < raw.count, let d = Self.hexValue(raw[i]) {
                    value = value << 4 | UInt32(d)
                    i += 1
                    digits += 1
                }
                out.append(contentsOf: Array(String(Character(Unicode.Scalar(value) ?? "\u{FFFD}")).utf8))
            default: out.append(e)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }

    /// A number as a Double (RIS Live's timestamps: digits, a point, digits).
    mutating func number() throws(RISParseError) -> Double {
        skipSpace()
        let start = at
        var negative = false
        if at < bytes.count, bytes[at] == UInt8(ascii: "-") {
            negative = true
            at += 1
        }
        // All digits as one integer and a power of ten: one correctly rounded division while the integer
        // has at most 15 digits (RIS timestamps have 12 to 16); the standard library otherwise.
        var mantissa: UInt64 = 0
        var digits = 0
        var fraction = 0
        while at < bytes.count, bytes[at] &- 48 < 10 {
            mantissa = mantissa &* 10 &+ UInt64(bytes[at] &- 48)
            at += 1
            digits += 1
        }
        if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
            at += 1
            while at < bytes.count, bytes[at] &- 48 < 10 {
                mantissa = mantissa &* 10 &+ UInt64(bytes[at] &- 48)
                at += 1
                digits += 1
                fraction += 1
            }
        }
        var exact = digits <= 15
        if at < bytes.count, bytes[at] | 0x20 == UInt8(ascii: "e") {
            at += 1
            if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
            while at < bytes.count, bytes[at] &- 48 < 10 { at += 1 }
            exact = false
        }
        guard digits > 0 else {
            at = start
            throw fail("expected a number")
        }
        if !exact {
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
            guard let v = Double(text) else { throw fail("bad number \(text)") }
            return v
        }
        var scale = 1.0
        for _ in 0..<fraction { scale *= 10 }
        let value = Double(mantissa) / scale
        return negative ? -value : value
    }

    /// An unsigned integer (AS numbers), given as a number or as a string of digits.
    mutating func asn() throws(RISParseError) -> UInt32 {
        let quoted = take(UInt8(ascii: "\""))
        skipSpace()
        let start = at
        var value: UInt64 = 0
        while at < bytes.count, bytes[at] &- 48 < 10 {
            value = value * 10 + UInt64(bytes[at] &- 48)
            at += 1
            if value > UInt64(UInt32.max) {
                at = start
                throw fail("AS number out of range")
            }
        }
        guard at > start else { throw fail("expected an AS number") }
        if quoted { try expect(UInt8(ascii: "\"")) }
        return UInt32(value)
    }

    /// Skips any value.
    mutating func skipValue() throws(RISParseError) {
        switch peek() {
        case UInt8(ascii: "{"): try object { c, _ throws(RISParseError) in try c.skipValue() }
        case UInt8(ascii: "["): try array { c throws(RISParseError) in try c.skipValue() }
        case UInt8(ascii: "\""): _ = try rawString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case nil: throw fail("text ends where a value should be")
        default: _ = try number()
        }
    }

    /// Consumes `null` when it comes next.
    mutating func takeNull() -> Bool {
        if peek() == UInt8(ascii: "n"), (try? literal("null")) != nil { return true }
        return false
    }

    mutating func literal(_ word: StaticString) throws(RISParseError) {
        let n = word.utf8CodeUnitCount
        guard at + n <= bytes.count else { throw fail("text ends inside \(word)") }
        for i in 0..<n where bytes[at + i] != word.utf8Start[i] { throw fail("expected \(word)") }
        at += n
    }
}

/// Compares raw key bytes with a literal without building a String.
@inline(__always)
func == (bytes: UnsafeRawBufferPointer, literal: StaticString) -> Bool {
    let n = literal.utf8CodeUnitCount
    guard bytes.count == n else { return false }
    for i in 0..<n where bytes[i] != literal.utf8Start[i] { return false }
    return true
}
