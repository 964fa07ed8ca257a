import BGP
import Foundation
import Hummingbird
import Vigil
import VigilStore

/// Annotations: anyone may read them; writing one needs the bearer token the server was started with.
extension APIRoutes {
    /// The largest request body accepted, bytes.
    static let maxBodyBytes = 16 * 1024
    /// The longest note accepted, characters.
    static let maxNoteLength = 4000

    func annotations(_ id: Int) async throws -> Response {
        guard try await storeRead({ try store.event(id: id) }) != nil else {
            throw HTTPError(.notFound, message: "no event \(id)")
        }
        let notes = try await storeRead { try store.annotations(eventID: id) }
        return Self.json("{\"annotations\":[" + notes.map(Self.json).joined(separator: ",") + "]}")
    }

    func annotate(_ id: Int, _ request: Request) async throws -> Response {
        guard let token = apiToken else {
            throw HTTPError(
                .forbidden,
                message: "annotations are read-only on this server: start it with --api-token-file to allow writes")
        }
        guard let given = Self.bearer(request.headers[.authorization]), Self.same(given, token) else {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = "Bearer realm=\"vigil\""
            throw HTTPError(
                .unauthorized, headers: headers, message: "a valid bearer token is required to write annotations")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.maxBodyBytes)
        } catch {
            throw HTTPError(.contentTooLarge, message: "the request body is larger than \(Self.maxBodyBytes) bytes")
        }
        let object: [String: Any]
        do {
            guard let o = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
                throw HTTPError(.badRequest, message: "the body must be a JSON object")
            }
            object = o
        } catch let error as HTTPError {
            throw error
        } catch {
            throw HTTPError(.badRequest, message: "the body is not valid JSON: \(error.localizedDescription)")
        }
        guard let text = object["text"] as? String, text.unicodeScalars.contains(where: { !Self.spaces.contains($0) })
        else { throw HTTPError(.badRequest, message: "\"text\" is required: the note, a non-empty string") }
        // Lengths in code points, as JSON Schema's maxLength counts them (Character counts would let 201
        // combining marks pass as one).
        guard text.unicodeScalars.count <= Self.maxNoteLength else {
            throw HTTPError(.badRequest, message: "\"text\" is longer than \(Self.maxNoteLength) characters")
        }
        if let given = object["author"], !(given is String) {
            throw HTTPError(.badRequest, message: "\"author\" must be a string")
        }
        let author = (object["author"] as? String) ?? "anonymous"
        guard author.unicodeScalars.count <= 200 else {
            throw HTTPError(.badRequest, message: "\"author\" is longer than 200 characters")
        }
        // Control characters would truncate the text in C APIs (a NUL), hide text on a terminal or forge
        // lines in a log: a note may hold line breaks and tabs, an author nothing of the kind.
        if let c = Self.control(in: text, allowing: ["\n", "\t", "\r"]) {
            throw HTTPError(.badRequest, message: "\"text\" holds the control character U+\(Self.hex(c))")
        }
        if let c = Self.control(in: author, allowing: []) {
            throw HTTPError(.badRequest, message: "\"author\" holds the control character U+\(Self.hex(c))")
        }
        guard try await storeRead({ try store.event(id: id) }) != nil else {
            throw HTTPError(.notFound, message: "no event \(id)")
        }
        let note = try await storeRead { try store.addAnnotation(eventID: id, author: author, text: text, at: now()) }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.location] = "/api/v1/events/\(id)/annotations"
        return Response(
            status: .created, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: Self.json(note))))
    }

    static func json(_ a: Annotation) -> String {
        var o = JSONObject()
        o.add("id", a.id)
        o.add("event_id", a.eventID)
        o.add("author", a.author)
        o.add("text", a.text)
        o.add("created", UTCTime.iso(a.created))
        return o.closed
    }

    /// What JSON Schema's (ECMAScript's) `\s` matches: a note of these alone is empty. The OpenAPI
    /// document's pattern for `text` says the same.
    static let spaces: Set<Unicode.Scalar> = Set(
        [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF]
            .compactMap(Unicode.Scalar.init) + (0x2000...0x200A).compactMap(Unicode.Scalar.init))

    /// The first control character (Unicode category Cc: U+0000 to U+001F, U+007F to U+009F) in `s`
    /// that is not in `allowing`, or nil.
    static func control(in s: String, allowing: Set<Unicode.Scalar>) -> Unicode.Scalar? {
        s.unicodeScalars.first { ($0.value < 0x20 || (0x7F...0x9F).contains($0.value)) && !allowing.contains($0) }
    }

    /// A scalar's code as four or more hexadecimal digits.
    static func hex(_ c: Unicode.Scalar) -> String {
        let h = String(c.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - h.count)) + h
    }

    /// The token of an `Authorization: Bearer TOKEN` header.
    static func bearer(_ header: String?) -> String? {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }

    /// Compares in time that does not depend on where the strings differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var diff = UInt8(truncatingIfNeeded: x.count ^ y.count)
        for i in 0..<max(x.count, y.count) {
            diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return diff == 0 && x.count == y.count
    }
}
