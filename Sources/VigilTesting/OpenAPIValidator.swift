import Foundation

/// Checks JSON answers against the response schemas of an OpenAPI 3.0 document: the subset of JSON
/// Schema the document uses (type, nullable, enum, required, properties, additionalProperties, items,
/// $ref, allOf, minimum, maximum, minLength, maxLength, date-time format).
public struct OpenAPIValidator: Sendable {
    private let data: Data
    private var document: [String: Any] { (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:] }

    /// A validator for the document in `data`.
    public init(data: Data) throws {
        guard (try JSONSerialization.jsonObject(with: data)) is [String: Any] else {
            throw ValidationFailure("the OpenAPI document is not a JSON object")
        }
        self.data = data
    }

    /// The paths the document lists.
    public var paths: [String] { ((document["paths"] as? [String: Any]) ?? [:]).keys.sorted() }

    /// The problems of `body` as the answer with `status` to `method` on the document's `path`
    /// ("/api/v1/events/{id}"); empty when it conforms. An answer whose status the document does not list
    /// is a problem too.
    public func problems(path: String, method: String, status: Int, body: Data) -> [String] {
        let document = self.document
        guard
            let operation = ((document["paths"] as? [String: Any])?[path] as? [String: Any])?[method.lowercased()]
                as? [String: Any]
        else { return ["the document has no \(method) \(path)"] }
        guard let response = (operation["responses"] as? [String: Any])?["\(status)"] as? [String: Any] else {
            return ["the document lists no \(status) answer for \(method) \(path)"]
        }
        guard let schema = ((response["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"]
        else { return [] }
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])
        } catch {
            return ["\(method) \(path) \(status): the body is not JSON: \(error)"]
        }
        var out: [String] = []
        check(value, schema, at: "$", in: document, into: &out)
        return out
    }

    private func resolve(_ schema: Any, in document: [String: Any]) -> [String: Any] {
        guard let s = schema as? [String: Any] else { return [:] }
        guard let ref = s["$ref"] as? String, ref.hasPrefix("#/") else { return s }
        var node: Any = document
        for part in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] ?? [:] }
        return resolve(node, in: document)
    }

    private func check(_ value: Any, _ raw: Any, at path: String, in document: [String: Any], into out: inout [String])
    {
        let s = resolve(raw, in: document)
        if let all = s["allOf"] as? [Any] {
            for part in all { check(value, part, at: path, in: document, into: &out) }
        }
        if value is NSNull {
            if s["nullable"] as? Bool != true && s["type"] != nil { out.append("\(path): null where not nullable") }
            return
        }
        if let choices = s["enum"] as? [Any], !choices.contains(where: { "\($0)" == "\(value)" }) {
            out.append("\(path): \(value) is not one of \(choices)")
        }
        switch s["type"] as? String {
        case "object":
            guard let o = value as? [String: Any] else { return out.append("\(path): not an object") }
            for key in s["required"] as? [String] ?? [] where o[key] == nil {
                out.append("\(path): missing \(key)")
            }
            let props = s["properties"] as? [String: Any] ?? [:]
            for (k, v) in o {
                if let p = props[k] {
                    check(v, p, at: "\(path).\(k)", in: document, into: &out)
                } else if let extra = s["additionalProperties"] as? [String: Any] {
                    check(v, extra, at: "\(path).\(k)", in: document, into: &out)
                } else if s["additionalProperties"] as? Bool == false {
                    out.append("\(path): unexpected property \(k)")
                }
            }
        case "array":
            guard let a = value as? [Any] else { return out.append("\(path): not an array") }
            if let items = s["items"] {
                for (i, v) in a.enumerated() { check(v, items, at: "\(path)[\(i)]", in: document, into: &out) }
            }
        case "string":
            guard let text = value as? String else { return out.append("\(path): not a string") }
            if s["format"] as? String == "date-time",
                text.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"#, options: .regularExpression) == nil
            {
                out.append("\(path): \(text) is not a UTC date-time")
            }
            if let n = s["minLength"] as? Int, text.count < n { out.append("\(path): shorter than \(n)") }
            if let n = s["maxLength"] as? Int, text.count > n { out.append("\(path): longer than \(n)") }
        case "integer", "number":
            guard let n = value as? NSNumber else { return out.append("\(path): not a number") }
            if s["type"] as? String == "integer" && n.doubleValue.rounded() != n.doubleValue {
                out.append("\(path): \(n) is not an integer")
            }
            if let m = (s["minimum"] as? NSNumber)?.doubleValue, n.doubleValue < m {
                out.append("\(path): \(n) below \(m)")
            }
            if let m = (s["maximum"] as? NSNumber)?.doubleValue, n.doubleValue > m {
                out.append("\(path): \(n) above \(m)")
            }
        case "boolean":
            if !(value is Bool) { out.append("\(path): not a boolean") }
        default:
            break
        }
    }
}

/// A test-support check failed before it could run.
public struct ValidationFailure: Error, CustomStringConvertible {
    /// What failed.
    public let description: String
    /// A failure saying `description`.
    public init(_ description: String) { self.description = description }
}
