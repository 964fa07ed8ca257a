import BGP

/// Reads user targets from a targets file: a small subset of TOML, one `[target.NAME]` table per target.
///
/// ```toml
/// # Comments start with '#'.
/// [target.example-isp]
/// summary = "Example ISP and its customers"
/// origins = [64500, 64501]                  # ASes allowed to originate the prefixes
/// prefixes = ["192.0.2.0/24", "2001:db8::/32"]
/// upstreams = [64510, 64511]                # expected upstreams (a hint; learned from data too)
/// probes = ["ns1.example.net:53", "icmp://www.example.net", "dns://ns1.example.net/example.net"]
/// probe_interval_seconds = 60             # the probe schedule: see ProbeSchedule
/// probe_jitter = 0.1
/// probe_timeout_seconds = 5
/// probe_retries = 1
/// visible_fraction = 0.5                    # thresholds: see Thresholds
/// full_feed_ipv4 = 400000
/// ```
public enum TargetFile {
    /// Parses `text`; `name` is used in error messages. `checkProbe` judges each probe URL (the `Probing`
    /// module's grammar, which the core does not import) and returns why it is wrong, or nil: a bad URL
    /// is then an error at its line when the file is read, not when probing starts.
    public static func parse(
        _ text: String, name: String = "targets file", checkProbe: ((String) -> String?)? = nil
    ) throws(TargetFileError) -> [Target] {
        var targets: [Target] = []
        var current: (name: String, line: Int, values: [String: (Value, Int)])?
        var pending: (key: String, line: Int, depth: Int)?
        var pendingLines: [String] = []  // the lines of an array that spans several, joined once it closes

        func finish() throws(TargetFileError) {
            guard let c = current else { return }
            targets.append(try build(c.name, c.values, file: name, line: c.line, checkProbe: checkProbe))
        }

        for (index, rawLine) in text.utf8.split(separator: 10, omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = String(decoding: trimmed(withoutComment(rawLine)), as: UTF8.self)
            if var p = pending {
                pendingLines.append(line)
                p.depth += depth(line)
                if p.depth <= 0 {
                    pending = nil
                    let value = try parseValue(pendingLines.joined(separator: " "), file: name, line: p.line)
                    pendingLines.removeAll()
                    current?.values[p.key] = (value, p.line)
                } else {
                    pending = p
                }
                continue
            }
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.hasPrefix("[target.") else {
                    throw TargetFileError(
                        file: name, line: number, message: "expected a [target.NAME] header, found \(line)")
                }
                try finish()
                let targetName = String(line.dropFirst("[target.".count).dropLast()).trimmingSpaces
                guard !targetName.isEmpty,
                    targetName.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
                else {
                    throw TargetFileError(
                        file: name, line: number, message: "target names use letters, digits, - and _")
                }
                if targets.contains(where: { $0.name == targetName }) {
                    throw TargetFileError(file: name, line: number, message: "target \(targetName) is defined twice")
                }
                current = (targetName, number, [:])
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw TargetFileError(file: name, line: number, message: "expected key = value, found \(line)")
            }
            guard current != nil else {
                throw TargetFileError(
                    file: name, line: number, message: "\(line) comes before any [target.NAME] header")
            }
            let key = String(line[..<equals]).trimmingSpaces
            let valueText = String(line[line.index(after: equals)...]).trimmingSpaces
            if current?.values[key] != nil {
                throw TargetFileError(file: name, line: number, message: "\(key) is set twice")
            }
            let open = depth(valueText)
            if open <= 0 {
                current?.values[key] = (try parseValue(valueText, file: name, line: number), number)
            } else {
                pending = (key, number, open)
                pendingLines = [valueText]
            }
        }
        if let p = pending {
            throw TargetFileError(file: name, line: p.line, message: "the array of \(p.key) is never closed")
        }
        try finish()
        return targets
    }

    // MARK: Values

    enum Value {
        case string(String)
        case number(Double)
        case array([Value])
    }

    /// The line up to a '#' outside a string.
    static func withoutComment(_ line: Substring.UTF8View) -> Substring.UTF8View {
        var inString = false
        var i = line.startIndex
        while i != line.endIndex {
            let c = line[i]
            if c == UInt8(ascii: "\"") { inString.toggle() }
            if c == UInt8(ascii: "#") && !inString { return line[line.startIndex..<i] }
            i = line.index(after: i)
        }
        return line
    }

    /// The bytes without leading and trailing spaces, tabs and carriage returns.
    static func trimmed(_ bytes: Substring.UTF8View) -> Substring.UTF8View {
        func blank(_ c: UInt8) -> Bool { c == 32 || c == 9 || c == 13 }
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start != end, blank(bytes[start]) { start = bytes.index(after: start) }
        while start != end, blank(bytes[bytes.index(before: end)]) { end = bytes.index(before: end) }
        return bytes[start..<end]
    }

    /// Brackets opened minus brackets closed on one line, outside strings.
    static func depth(_ text: String) -> Int {
        var depth = 0
        var inString = false
        for c in text.utf8 {
            if c == UInt8(ascii: "\"") {
                inString.toggle()
            } else if !inString && c == UInt8(ascii: "[") {
                depth += 1
            } else if !inString && c == UInt8(ascii: "]") {
                depth -= 1
            }
        }
        return depth
    }

    /// Arrays nest at most this deep (the format uses flat arrays; a line of nested `[` must not exhaust
    /// the stack).
    static let maxNesting = 4

    static func parseValue(_ text: String, file: String, line: Int, nesting: Int = 0) throws(TargetFileError)
        -> Value
    {
        let t = text.trimmingSpaces
        let bytes = t.utf8
        if bytes.first == UInt8(ascii: "\"") {
            let inner = bytes.dropFirst().dropLast()
            guard bytes.count >= 2, bytes.last == UInt8(ascii: "\""), !inner.contains(UInt8(ascii: "\"")) else {
                throw TargetFileError(file: file, line: line, message: "unterminated string \(t)")
            }
            return .string(String(decoding: inner, as: UTF8.self))
        }
        if t.hasPrefix("[") {
            guard nesting < maxNesting else {
                throw TargetFileError(file: file, line: line, message: "arrays nest more than \(maxNesting) deep")
            }
            guard t.hasSuffix("]") else {
                throw TargetFileError(file: file, line: line, message: "malformed array \(t)")
            }
            var items: [Value] = []
            let inner = t.utf8.dropFirst().dropLast()
            var itemStart = inner.startIndex
            var inString = false
            var i = inner.startIndex
            let quote = UInt8(ascii: "\"")
            func take(_ end: String.UTF8View.Index) throws(TargetFileError) {
                let item = trimmed(Substring(t)[itemStart..<end].utf8)
                // A plain string (nearly every item: prefixes, probe URLs) is taken as it stands; anything
                // else goes through the general parser.
                if item.count >= 2, item.first == quote, item.last == quote {
                    let text = item.dropFirst().dropLast()
                    if !text.contains(quote) {
                        items.append(.string(String(decoding: text, as: UTF8.self)))
                        return
                    }
                }
                if !item.isEmpty {
                    items.append(
                        try parseValue(
                            String(decoding: item, as: UTF8.self), file: file, line: line, nesting: nesting + 1))
                }
            }
            while i != inner.endIndex {
                let c = inner[i]
                if c == UInt8(ascii: "\"") { inString.toggle() }
                if c == UInt8(ascii: ",") && !inString {
                    try take(i)
                    itemStart = inner.index(after: i)
                }
                i = inner.index(after: i)
            }
            try take(inner.endIndex)
            return .array(items)
        }
        guard let number = Double(t.replacingUnderscores) else {
            throw TargetFileError(file: file, line: line, message: "\(t) is not a string, a number or an array")
        }
        return .number(number)
    }

    // MARK: Building targets

    static func build(
        _ name: String, _ values: [String: (Value, Int)], file: String, line: Int, checkProbe: ((String) -> String?)?
    ) throws(TargetFileError) -> Target {
        var target = Target(name: name, originASNs: [], prefixes: [])
        for (key, entry) in values.sorted(by: { $0.value.1 < $1.value.1 }) {
            let (value, at) = entry
            func fail(_ message: String) -> TargetFileError {
                TargetFileError(file: file, line: at, message: "\(key): \(message)")
            }
            func strings() throws(TargetFileError) -> [String] {
                guard case .array(let items) = value else { throw fail("expected an array of strings") }
                var out: [String] = []
                for item in items {
                    guard case .string(let s) = item else { throw fail("expected an array of strings") }
                    out.append(s)
                }
                return out
            }
            func asns() throws(TargetFileError) -> [UInt32] {
                guard case .array(let items) = value else { throw fail("expected an array of AS numbers") }
                var out: [UInt32] = []
                for item in items {
                    switch item {
                    case .number(let n) where n >= 0 && n <= Double(UInt32.max) && n == n.rounded():
                        out.append(UInt32(n))
                    case .string(let s) where UInt32(s.uppercased().replacingASPrefix) != nil:
                        out.append(UInt32(s.uppercased().replacingASPrefix) ?? 0)
                    default: throw fail("expected AS numbers such as 64500 or \"AS64500\"")
                    }
                }
                return out
            }
            func number(_ range: ClosedRange<Double>) throws(TargetFileError) -> Double {
                guard case .number(let n) = value, range.contains(n) else {
                    throw fail("expected a number in \(range.lowerBound)...\(range.upperBound)")
                }
                return n
            }
            switch key {
            case "summary":
                guard case .string(let s) = value else { throw fail("expected a string") }
                target.summary = s
            case "origins": target.originASNs = Set(try asns())
            case "prefixes":
                for text in try strings() {
                    guard let prefix = IPPrefix(text) else {
                        throw fail("\(text) is not a prefix such as 192.0.2.0/24")
                    }
                    target.prefixes.append(prefix)
                }
            case "upstreams": for asn in try asns() { target.upstreams[asn] = "" }  // a number, no name
            case "probes":
                target.probeHosts = try strings()
                for host in target.probeHosts {
                    if let why = checkProbe?(Target.probeURL(host)) { throw fail("\(host): \(why)") }
                }
            case "probe_interval_seconds": target.probeSchedule.interval = try number(1...86_400)
            case "probe_jitter": target.probeSchedule.jitter = try number(0...0.5)
            case "probe_timeout_seconds": target.probeSchedule.timeout = try number(0.1...60)
            case "probe_retries": target.probeSchedule.retries = Int(try number(0...5))
            case "visible_fraction": target.thresholds.visibleFraction = try number(0.01...1)
            case "full_feed_ipv4": target.thresholds.fullFeedIPv4 = Int(try number(0...10_000_000))
            case "full_feed_ipv6": target.thresholds.fullFeedIPv6 = Int(try number(0...10_000_000))
            case "transient_seconds": target.thresholds.transient = try number(0...86_400)
            case "merge_window_seconds": target.thresholds.mergeWindow = try number(0...86_400)
            case "flap_count": target.thresholds.flapCount = Int(try number(2...1000))
            case "upstream_own_fraction": target.thresholds.upstreamOwnFraction = try number(0.01...1)
            case "feed_loss_fraction": target.thresholds.feedLossFraction = try number(0.01...1)
            default:
                throw fail("unknown key (known: summary, origins, prefixes, upstreams, probes, probe_*, thresholds)")
            }
        }
        guard !target.prefixes.isEmpty else {
            throw TargetFileError(file: file, line: line, message: "target \(name) has no prefixes")
        }
        return target
    }
}

/// A targets file that could not be read, with the line at fault.
public struct TargetFileError: Error, CustomStringConvertible, Sendable {
    /// The file's name.
    public var file: String
    /// 1-based line number.
    public var line: Int
    /// What is wrong.
    public var message: String

    /// `file:line: message`, as compilers print errors.
    public var description: String { "\(file):\(line): \(message)" }
}

extension String {
    var trimmingSpaces: String {
        let bytes = utf8
        guard let first = bytes.first, let last = bytes.last,
            first == 32 || first == 9 || first == 13 || last == 32 || last == 9 || last == 13
        else { return self }
        return String(decoding: TargetFile.trimmed(Substring(self).utf8), as: UTF8.self)
    }

    var replacingUnderscores: String { String(filter { $0 != "_" }) }

    var replacingASPrefix: String { hasPrefix("AS") ? String(dropFirst(2)) : self }
}
