/// Builds one JSON object as text, keys in insertion order, without Foundation's encoder.
struct JSONObject {
    private(set) var text = "{"
    private var first = true

    private mutating func key(_ k: String) {
        if !first { text += "," }
        first = false
        text += JSONObject.quote(k) + ":"
    }

    mutating func add(_ k: String, _ v: String) {
        key(k)
        text += JSONObject.quote(v)
    }

    mutating func add(_ k: String, _ v: String?) {
        key(k)
        text += v.map(JSONObject.quote) ?? "null"
    }

    mutating func add(_ k: String, _ v: Int) {
        key(k)
        text += "\(v)"
    }

    mutating func add(_ k: String, _ v: Double) {
        key(k)
        text += v.isFinite ? "\((v * 1000).rounded() / 1000)" : "null"
    }

    mutating func add(_ k: String, _ v: [String]) {
        key(k)
        text += "[" + v.map(JSONObject.quote).joined(separator: ",") + "]"
    }

    mutating func add(_ k: String, _ v: [Int]) {
        key(k)
        text += "[" + v.map { "\($0)" }.joined(separator: ",") + "]"
    }

    mutating func add(_ k: String, raw: String) {
        key(k)
        text += raw
    }

    /// The finished object.
    var closed: String { text + "}" }

    static func quote(_ s: String) -> String {
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
