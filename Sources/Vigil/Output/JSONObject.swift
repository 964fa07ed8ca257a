import BGP

/// Builds one JSON object as text, keys in insertion order, without Foundation's encoder: the one writer
/// behind every `--json` output, so replay, the store and the API print the same objects.
public struct JSONObject: Sendable {
    /// An empty object.
    public init() {}

    private(set) var text = "{"
    private var first = true

    private mutating func key(_ k: String) {
        if !first { text += "," }
        first = false
        text += JSONObject.quote(k) + ":"
    }

    /// Adds a member (strings are quoted and escaped).
    public mutating func add(_ k: String, _ v: String) {
        key(k)
        text += JSONObject.quote(v)
    }

    /// Adds a member (nil is null; doubles keep three decimals).
    public mutating func add(_ k: String, _ v: String?) {
        key(k)
        text += v.map(JSONObject.quote) ?? "null"
    }

    /// Adds a member (nil is null; doubles keep three decimals).
    public mutating func add(_ k: String, _ v: Int) {
        key(k)
        text += "\(v)"
    }

    /// Adds a member (nil is null; doubles keep three decimals).
    public mutating func add(_ k: String, _ v: Double) {
        key(k)
        text += v.isFinite ? "\((v * 1000).rounded() / 1000)" : "null"
    }

    /// Adds a member (nil is null; doubles keep three decimals).
    public mutating func add(_ k: String, _ v: [String]) {
        key(k)
        text += "[" + v.map(JSONObject.quote).joined(separator: ",") + "]"
    }

    /// Adds a member (nil is null; doubles keep three decimals).
    public mutating func add(_ k: String, _ v: [Int]) {
        key(k)
        text += "[" + v.map { "\($0)" }.joined(separator: ",") + "]"
    }

    /// Adds a member whose value is already JSON text.
    public mutating func add(_ k: String, raw: String) {
        key(k)
        text += raw
    }

    /// The finished object.
    public var closed: String { text + "}" }

    /// `s` as a JSON string literal.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}

extension DetectedEvent {
    /// The event as one line of JSON, as `vigil replay --json`, `vigil events --json` and the API print it:
    /// `{"type":"event", "id", "target", "cause", "confidence", "start", "end", "prefixes", "upstreams",
    /// "origins", "severity", "evidence"}`, times in ISO 8601 UTC and `end` null while ongoing.
    public var jsonLine: String {
        var o = JSONObject()
        o.add("type", "event")
        o.add("id", id)
        o.add("target", target)
        o.add("cause", cause.rawValue)
        o.add("confidence", confidence)
        o.add("start", UTCTime.iso(start))
        o.add("end", end.map { UTCTime.iso($0) })
        o.add("prefixes", prefixes.map(\.description))
        o.add("upstreams", upstreams.map { Int($0) })
        o.add("origins", origins.map { Int($0) })
        o.add("severity", severity)
        o.add("evidence", evidence)
        return o.closed
    }
}
