import BGP
import Foundation
import Vigil

/// The JSON text of the store's list and map columns: written as the rest of Vigil writes JSON, read
/// leniently (a value that does not read is an empty list or map, never a failure of the whole row).
enum StoreJSON {
    /// A list of strings.
    static func array(_ values: [String]) -> String { "[" + values.map(JSONObject.quote).joined(separator: ",") + "]" }
    /// A list of numbers.
    static func array(_ values: [Int]) -> String { "[" + values.map(String.init).joined(separator: ",") + "]" }

    static func strings(_ text: String) -> [String] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String]) ?? []
    }

    static func ints(_ text: String) -> [Int] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Int]) ?? []
    }

    static func numbers(_ text: String) -> [String: Double] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            return [:]
        }
        return object.compactMapValues { ($0 as? NSNumber)?.doubleValue }
    }

    /// A map of AS number to share (upstreams, origins); keys that are not AS numbers are dropped.
    static func byASN(_ text: String) -> [UInt32: Double] {
        numbers(text).reduce(into: [:]) { out, kv in
            if let a = UInt32(kv.key) { out[a] = kv.value }
        }
    }

    /// A map of prefix to share (visibility); keys that are not prefixes are dropped.
    static func byPrefix(_ text: String) -> [IPPrefix: Double] {
        numbers(text).reduce(into: [:]) { out, kv in
            if let p = IPPrefix(kv.key) { out[p] = kv.value }
        }
    }
}
