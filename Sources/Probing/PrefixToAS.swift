/// Which AS announces an IPv4 address: a longest-prefix match over a prefix-to-AS table, as CAIDA's
/// RouteViews pfx2as files (`ADDRESS<TAB>LENGTH<TAB>AS`) and pyasn's ipasn files (`PREFIX/LENGTH<TAB>AS`)
/// give it. Multi-origin entries (`AS1_AS2`, `AS1,AS2`) map to their first AS.
public struct PrefixToAS: Sendable {
    /// Per prefix length, network → AS.
    private var tables: [[UInt32: UInt32]] = Array(repeating: [:], count: 33)
    /// Entries read and lines skipped.
    public private(set) var count = 0
    public private(set) var skipped = 0

    /// Reads a table's text; IPv6 lines and comments are skipped.
    public init(text: String) {
        for line in text.split(whereSeparator: \.isNewline) {
            if line.hasPrefix(";") || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            var address: Substring
            var lengthText: Substring
            var asText: Substring
            if fields.count >= 3 {
                (address, lengthText, asText) = (fields[0], fields[1], fields[2])
            } else if fields.count == 2, let slash = fields[0].firstIndex(of: "/") {
                address = fields[0][..<slash]
                lengthText = fields[0][fields[0].index(after: slash)...]
                asText = fields[1]
            } else {
                skipped += 1
                continue
            }
            let first = asText.split(whereSeparator: { $0 == "_" || $0 == "," }).first ?? asText
            guard let v4 = Self.parse(address), let length = Int(lengthText), (0...32).contains(length),
                let asn = UInt32(first)
            else {
                skipped += 1
                continue
            }
            let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << (32 - length)
            tables[length][v4 & mask] = asn
            count += 1
        }
    }

    /// The AS of the longest prefix holding `address` (IPv4 text), or nil.
    public func asn(of address: String) -> UInt32? {
        guard let v4 = Self.parse(Substring(address)) else { return nil }
        for length in stride(from: 32, through: 0, by: -1) {
            let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << (32 - length)
            if let asn = tables[length][v4 & mask] { return asn }
        }
        return nil
    }

    static func parse(_ s: Substring) -> UInt32? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard let b = UInt8(p) else { return nil }
            v = v << 8 | UInt32(b)
        }
        return v
    }
}
