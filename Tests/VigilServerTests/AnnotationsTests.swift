import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VigilStore

@testable import VigilServer

/// Annotations: open to read, written only with the server's bearer token, bodies bounded.
@Suite struct AnnotationsTests {
    static let token = "s3cret-token-for-tests-0123456789"

    static func post(_ client: any TestClientProtocol, _ uri: String, auth: String?, body: String) async throws -> (
        HTTPResponse.Status, [String: Any]
    ) {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if let auth { headers[.authorization] = auth }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body)) {
            r in
            (r.status, (try? ServerHarness.object(r.body)) ?? [:])
        }
    }

    static func message(_ o: [String: Any]) -> String { ((o["error"] as? [String: Any])?["message"] as? String) ?? "" }

    @Test("writes need the right bearer token; a stored note is read back by anyone, in order")
    func tokenRequired() async throws {
        let store = try APIRoutesTests.filledStore()
        try await ServerHarness.withServer(store, token: Self.token, now: { 7_000 }) { client, _ in
            let uri = "/api/v1/events/2/annotations"
            let note = #"{"text":"confirmed by the upstream's NOC","author":"analyst"}"#
            var (status, o) = try await Self.post(client, uri, auth: nil, body: note)
            #expect(status == .unauthorized)
            #expect(Self.message(o).contains("bearer token"))
            (status, _) = try await Self.post(client, uri, auth: "Bearer wrong-token-wrong-token-00", body: note)
            #expect(status == .unauthorized)
            (status, _) = try await Self.post(client, uri, auth: "Basic " + Self.token, body: note)
            #expect(status == .unauthorized)
            (status, o) = try await Self.post(client, uri, auth: "Bearer " + Self.token, body: note)
            #expect(status == .created)
            #expect(o["text"] as? String == "confirmed by the upstream's NOC")
            #expect(o["event_id"] as? Int == 2)
            #expect(o["created"] as? String == "1970-01-01T01:56:40Z")  // 7,000 s
            (status, _) = try await Self.post(client, uri, auth: "bearer " + Self.token, body: #"{"text":"second"}"#)
            #expect(status == .created)
            try await client.execute(uri: uri, method: .get) { r in
                let notes = try ServerHarness.object(r.body)["annotations"] as? [[String: Any]] ?? []
                #expect(notes.compactMap { $0["text"] as? String } == ["confirmed by the upstream's NOC", "second"])
                #expect(notes.compactMap { $0["author"] as? String } == ["analyst", "anonymous"])
            }
            try await client.execute(uri: "/api/v1/events/2", method: .get) { r in
                let notes = try ServerHarness.object(r.body)["annotations"] as? [[String: Any]] ?? []
                #expect(notes.count == 2)
            }
            // Only two rows were written: the refused requests left nothing.
            #expect(try store.annotations(eventID: 2).count == 2)
        }
    }

    @Test("without a configured token the API is read-only (403)")
    func readOnly() async throws {
        let store = try APIRoutesTests.filledStore()
        try await ServerHarness.withServer(store, token: nil, now: { 7_000 }) { client, _ in
            let (status, o) = try await Self.post(
                client, "/api/v1/events/2/annotations", auth: "Bearer anything-at-all-123456", body: #"{"text":"x"}"#)
            #expect(status == .forbidden)
            #expect(Self.message(o).contains("read-only"))
            #expect(try store.annotations(eventID: 2).isEmpty)
        }
    }

    @Test("bad bodies: too large 413, not JSON 400, no text 400, unknown event 404")
    func badBodies() async throws {
        let store = try APIRoutesTests.filledStore()
        try await ServerHarness.withServer(store, token: Self.token, now: { 7_000 }) { client, _ in
            let auth = "Bearer " + Self.token
            let big = #"{"text":""# + String(repeating: "a", count: 20_000) + #""}"#
            var (status, o) = try await Self.post(client, "/api/v1/events/2/annotations", auth: auth, body: big)
            #expect(status == .contentTooLarge)
            #expect(Self.message(o).contains("16384"))
            (status, o) = try await Self.post(client, "/api/v1/events/2/annotations", auth: auth, body: "{text:")
            #expect(status == .badRequest)
            #expect(Self.message(o).contains("not valid JSON"))
            (status, _) = try await Self.post(client, "/api/v1/events/2/annotations", auth: auth, body: "[1]")
            #expect(status == .badRequest)
            (status, o) = try await Self.post(
                client, "/api/v1/events/2/annotations", auth: auth, body: #"{"text":"  "}"#)
            #expect(status == .badRequest)
            #expect(Self.message(o).contains("\"text\" is required"))
            (status, _) = try await Self.post(
                client, "/api/v1/events/404/annotations", auth: auth, body: #"{"text":"x"}"#)
            #expect(status == .notFound)
            #expect(try store.annotations(eventID: 2).isEmpty)
        }
    }
}
