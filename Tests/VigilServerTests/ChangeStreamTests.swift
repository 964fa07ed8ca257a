import Foundation
import Hummingbird
import Testing
import Vigil
import VigilStore
import VigilTesting

@testable import VigilServer

/// The server-sent change stream, read off a raw socket as a browser's EventSource would.
@Suite struct ChangeStreamTests {
    @Test("hello on connect, then a change event when an event is written to the store")
    func changeOnWrite() async throws {
        let store = try APIRoutesTests.filledStore()
        try await ServerHarness.withServer(store, now: { 5_100 }) { _, port in
            let c = try LoopbackSocket.Connection(port: port)
            defer { c.close() }
            try c.send(
                Array("GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".utf8))
            let hello = try await Tools.offload { c.receive(until: "event: hello", timeout: 5) }
            #expect(hello.hasPrefix("HTTP/1.1 200"))
            #expect(hello.lowercased().contains("content-type: text/event-stream"))
            #expect(hello.contains("event: hello"))
            // Nothing changes: no change event within 2.5 s (polls every second).
            let quiet = try await Tools.offload { c.receive(until: "event: change", timeout: 2.5) }
            #expect(!quiet.contains("event: change"))
            var e = try #require(try store.event(id: 2))
            e.end = 5_090
            try store.save(event: e, open: false)
            let next = try await Tools.offload { c.receive(until: "event: change", timeout: 5) }
            #expect(next.contains("event: change"))
            #expect(next.contains("data: {\"version\":"))
            // Every data line is one JSON object (the store's version text held quotes once).
            for text in [hello, next] {
                for line in text.split(separator: "\n") where line.hasPrefix("data: ") {
                    let object = try JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any]
                    #expect(object?["version"] is String, "\(line)")
                }
            }
        }
    }

    @Test("streams beyond the cap get 503 with Retry-After; a slot comes back when a stream ends")
    func cap() throws {
        let store = try ServerHarness.emptyStore()
        let slots = StreamSlots(limit: 1)
        _ = try ChangeStream(store: store, slots: slots).response()
        #expect(slots.count == 1)
        do {
            _ = try ChangeStream(store: store, slots: slots).response()
            Issue.record("a second stream was answered")
        } catch let error as HTTPError {
            #expect(error.status == .serviceUnavailable)
            #expect(error.headers[.retryAfter] == "30")
        }
        slots.release()
        #expect(slots.take())
    }
}
