import BGP

/// The resources a Regional Internet Registry delegated to one country, read from its "delegated"
/// statistics file (`registry|cc|type|start|value|date|status`, the format of APNIC's
/// delegated-apnic-latest and its siblings at the other RIRs).
public struct CountryResources: Sendable, Equatable {
    /// Two-letter country code, upper case.
    public var country: String
    /// Delegated AS numbers.
    public var asns: [UInt32] = []
    /// Delegated address blocks as prefixes (an IPv4 block of any size becomes the fewest prefixes).
    public var prefixes: [IPPrefix] = []
    /// Lines that were not understood, with their numbers, for the caller to report.
    public var skipped: [(line: Int, text: String)] = []

    /// An empty set of resources for `country`.
    public init(country: String) { self.country = country.uppercased() }

    /// Reads the resources of `country` from the text of a delegated-stats file.
    public init(country: String, delegatedStats text: String) {
        let c = country.uppercased()
        let read = Self.read(text, only: c)
        self = read.countries[c] ?? CountryResources(country: c)
        skipped = read.skipped
    }

    /// Reads every country's resources from the text of a delegated-stats file at once, with the lines
    /// that were not understood.
    public static func byCountry(delegatedStats text: String) -> (
        countries: [String: CountryResources], skipped: [(line: Int, text: String)]
    ) {
        read(text, only: nil)
    }

    private static func read(_ text: String, only: String?) -> (
        countries: [String: CountryResources], skipped: [(line: Int, text: String)]
    ) {
        var text = text
        return text.withUTF8 { read(bytes: $0, only: only) }
    }

    /// Reads the file's bytes: a file of a whole registry is some 60,000 lines, and splitting each into
    /// strings cost a replay of every country a tenth of its time.
    private static func read(bytes b: UnsafeBufferPointer<UInt8>, only: String?) -> (
        countries: [String: CountryResources], skipped: [(line: Int, text: String)]
    ) {
        var countries: [String: CountryResources] = [:]
        var skipped: [(line: Int, text: String)] = []
        let bar = UInt8(ascii: "|")
        var number = 0
        var lineStart = 0
        // The first seven fields of a line as byte ranges, and how many fields it has.
        var fields = [(start: Int, end: Int)](repeating: (0, 0), count: 7)
        func text(_ f: (start: Int, end: Int)) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: b[f.start..<f.end]), as: UTF8.self)
        }
        func equals(_ f: (start: Int, end: Int), _ word: StaticString) -> Bool {
            guard f.end - f.start == word.utf8CodeUnitCount else { return false }
            return word.withUTF8Buffer { w in (0..<w.count).allSatisfy { b[f.start + $0] == w[$0] } }
        }
        while lineStart <= b.count {
            var lineEnd = lineStart
            while lineEnd < b.count && b[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            defer { lineStart = lineEnd + 1 }
            // A final newline ends the last line; it does not start another.
            if lineEnd == b.count && lineStart == b.count { break }
            number += 1
            if lineEnd == lineStart || b[lineStart] == UInt8(ascii: "#") { continue }
            var count = 0
            var fieldStart = lineStart
            for i in lineStart...lineEnd where i == lineEnd || b[i] == bar {
                if count < 7 { fields[count] = (fieldStart, i) }
                count += 1
                fieldStart = i + 1
            }
            guard count >= 7 else {
                // Version and summary lines have fewer fields or '*' as the country.
                if count < 6 { skipped.append((number, text((lineStart, lineEnd)))) }
                continue
            }
            guard equals(fields[6], "allocated") || equals(fields[6], "assigned") else { continue }
            guard fields[1].end - fields[1].start == 2 else { continue }
            let cc = text(fields[1]).uppercased()
            guard only == nil || cc == only else { continue }
            if countries[cc] == nil { countries[cc] = CountryResources(country: cc) }
            if equals(fields[2], "asn") {
                if let first = UInt32(text(fields[3])), let count = UInt32(text(fields[4])), count > 0,
                    first <= UInt32.max - (count - 1)
                {
                    countries[cc]?.asns.append(contentsOf: (0..<count).map { first + $0 })
                } else {
                    skipped.append((number, text((lineStart, lineEnd))))
                }
            } else if equals(fields[2], "ipv4") {
                if let start = IPAddress(text(fields[3])), let count = UInt64(text(fields[4])), count > 0 {
                    countries[cc]?.prefixes.append(contentsOf: Self.ipv4Prefixes(start: start.v4, count: count))
                } else {
                    skipped.append((number, text((lineStart, lineEnd))))
                }
            } else if equals(fields[2], "ipv6") {
                if let prefix = IPPrefix("\(text(fields[3]))/\(text(fields[4]))") {
                    countries[cc]?.prefixes.append(prefix)
                } else {
                    skipped.append((number, text((lineStart, lineEnd))))
                }
            } else {
                skipped.append((number, text((lineStart, lineEnd))))
            }
        }
        return (countries, skipped)
    }

    /// The fewest prefixes that cover exactly `count` addresses from `start`.
    static func ipv4Prefixes(start: UInt32, count: UInt64) -> [IPPrefix] {
        var out: [IPPrefix] = []
        var address = UInt64(start)
        var left = count
        while left > 0 && address <= UInt64(UInt32.max) {
            var size: UInt64 = 1
            // Grow the block while it stays aligned and within what is left.
            while size * 2 <= left && address % (size * 2) == 0 && size < (1 << 32) { size *= 2 }
            let length = 32 - size.trailingZeroBitCount
            out.append(IPPrefix(address: IPAddress(v4: UInt32(address)), length: length))
            address += size
            left -= size
        }
        return out
    }

    public static func == (a: CountryResources, b: CountryResources) -> Bool {
        a.country == b.country && a.asns == b.asns && a.prefixes == b.prefixes
    }
}

extension Target {
    /// A target for a whole country: its delegated ASes as origins and its delegated blocks as prefixes.
    /// Prefixes these ASes originate elsewhere are added from routing data as it is read.
    public init(country resources: CountryResources) {
        self.init(
            name: "country-\(resources.country.lowercased())",
            summary:
                "Country \(resources.country): \(resources.asns.count) ASes, \(resources.prefixes.count) prefixes (RIR delegations)",
            originASNs: Set(resources.asns),
            prefixes: resources.prefixes
        )
        originsFromRegistry = true
    }
}
