/// Parsing and RFC 5952 text form of `IPAddress`.
extension IPAddress: CustomStringConvertible, LosslessStringConvertible {
    /// Parses dotted-quad IPv4 or any RFC 4291 IPv6 text form (including `::` and an embedded IPv4 tail).
    public init?(_ text: String) { self.init(Substring(text)) }

    /// Parses an address from part of a string (see `init?(_: String)`).
    public init?(_ text: Substring) {
        if text.utf8.contains(UInt8(ascii: ":")) {
            guard let value = IPAddress.parseV6(text) else { return nil }
            self = value
        } else {
            guard let value = IPAddress.parseV4(text) else { return nil }
            self.init(v4: value)
        }
    }

    static func parseV4(_ text: Substring) -> UInt32? {
        // One pass over the bytes: four decimal octets of 1-3 digits, each at most 255.
        var value: UInt32 = 0
        var octet: UInt32 = 0
        var digits = 0
        var dots = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | octet
                octet = 0
                digits = 0
                dots += 1
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digits += 1
                octet = octet * 10 + UInt32(byte - UInt8(ascii: "0"))
                guard digits <= 3, octet <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard dots == 3, digits > 0 else { return nil }
        return value << 8 | octet
    }

    static func parseV6(_ text: Substring) -> IPAddress? {
        var groups: [UInt16] = []
        var tailV4: UInt32?
        var halves: [String] = []
        let chars = Array(text.utf8)
        var i = 0
        var start = 0
        while i < chars.count {
            if i + 1 < chars.count && chars[i] == UInt8(ascii: ":") && chars[i + 1] == UInt8(ascii: ":") {
                halves.append(String(decoding: chars[start..<i], as: UTF8.self))
                i += 2
                start = i
            } else {
                i += 1
            }
        }
        halves.append(String(decoding: chars[start...], as: UTF8.self))
        guard halves.count <= 2 else { return nil }
        func parseGroups(_ s: String, allowV4Tail: Bool) -> [UInt16]? {
            if s.isEmpty { return [] }
            var result: [UInt16] = []
            let items = s.split(separator: ":", omittingEmptySubsequences: false)
            for (index, item) in items.enumerated() {
                if allowV4Tail && index == items.count - 1 && item.contains(".") {
                    guard let v4 = parseV4(item) else { return nil }
                    tailV4 = v4
                    continue
                }
                guard !item.isEmpty, item.count <= 4, let g = UInt16(item, radix: 16) else { return nil }
                result.append(g)
            }
            return result
        }
        guard let head = parseGroups(halves[0], allowV4Tail: halves.count == 1) else { return nil }
        var tail: [UInt16] = []
        if halves.count == 2 {
            guard let t = parseGroups(halves[1], allowV4Tail: true) else { return nil }
            tail = t
        }
        var tailGroups = tail
        if let v4 = tailV4 {
            tailGroups.append(UInt16(v4 >> 16))
            tailGroups.append(UInt16(v4 & 0xFFFF))
        }
        let total = head.count + tailGroups.count
        if halves.count == 2 {
            guard total <= 7 else { return nil }
            groups = head + Array(repeating: 0, count: 8 - total) + tailGroups
        } else {
            guard total == 8 else { return nil }
            groups = head + tailGroups
        }
        var hi: UInt64 = 0
        var lo: UInt64 = 0
        for i in 0..<4 { hi = hi << 16 | UInt64(groups[i]) }
        for i in 4..<8 { lo = lo << 16 | UInt64(groups[i]) }
        return IPAddress(v6High: hi, low: lo)
    }

    /// Dotted quad for IPv4; RFC 5952 canonical text for IPv6.
    public var description: String {
        var out: [UInt8] = []
        out.reserveCapacity(40)
        appendText(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the text form to a byte buffer without building a `String`.
    public func appendText(to out: inout [UInt8]) {
        if family == .v4 {
            IPAddress.appendV4(v4, to: &out)
            return
        }
        // IPv4-mapped addresses keep their dotted tail (RFC 5952 section 5).
        if high == 0 && (low >> 32) == 0xFFFF {
            out.append(contentsOf: Array("::ffff:".utf8))
            IPAddress.appendV4(UInt32(truncatingIfNeeded: low), to: &out)
            return
        }
        // Longest run of two or more zero groups, first one on ties (RFC 5952 4.2).
        let (bestStart, bestLen) = longestZeroRun(minimum: 2)
        var i = 0
        while i < 8 {
            if i == bestStart {
                out.append(UInt8(ascii: ":"))
                if i == 0 { out.append(UInt8(ascii: ":")) }
                i += bestLen
                continue
            }
            IPAddress.appendHex16(group(i), to: &out)
            if i != 7 { out.append(UInt8(ascii: ":")) }
            i += 1
        }
    }

    /// The 16-bit group `index` (0 to 7) of an IPv6 address.
    @inlinable
    public func group(_ index: Int) -> UInt16 {
        UInt16(truncatingIfNeeded: (index < 4 ? high : low) >> UInt64(48 - 16 * (index & 3)))
    }

    /// The first longest run of zero groups of at least `minimum` groups, as (start, length);
    /// (-1, 0) when there is none. Text forms shorten this run to `::`.
    public func longestZeroRun(minimum: Int) -> (start: Int, length: Int) {
        var best = (start: -1, length: 0)
        var i = 0
        while i < 8 {
            guard group(i) == 0 else {
                i += 1
                continue
            }
            var j = i
            while j < 8 && group(j) == 0 { j += 1 }
            if j - i > best.length && j - i >= minimum { best = (i, j - i) }
            i = j
        }
        return best
    }

    /// Appends a dotted-quad IPv4 address.
    @inlinable
    public static func appendV4(_ value: UInt32, to out: inout [UInt8]) {
        for i in 0..<4 {
            let octet = UInt8(truncatingIfNeeded: value >> UInt32(24 - 8 * i))
            if octet >= 100 {
                out.append(48 + octet / 100)
                out.append(48 + (octet / 10) % 10)
                out.append(48 + octet % 10)
            } else if octet >= 10 {
                out.append(48 + octet / 10)
                out.append(48 + octet % 10)
            } else {
                out.append(48 + octet)
            }
            if i != 3 { out.append(UInt8(ascii: ".")) }
        }
    }

    /// Appends a 16-bit group in lower-case hex without leading zeros.
    @inlinable
    public static func appendHex16(_ value: UInt16, to out: inout [UInt8]) {
        let digits: StaticString = "0123456789abcdef"
        var started = false
        for shift in stride(from: 12, through: 0, by: -4) {
            let nibble = Int((value >> UInt16(shift)) & 0xF)
            if nibble != 0 || started || shift == 0 {
                started = true
                out.append(digits.utf8Start[nibble])
            }
        }
    }
}
