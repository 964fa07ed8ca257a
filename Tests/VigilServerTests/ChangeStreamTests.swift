import Foundation
import Hummingbird
import Testing
import Vigil
import VigilClock
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

    @Test("on a manual clock: a keep-alive once 5 s of the clock passed without news; the stream ends at 600 s")
    func keepAliveAndLifetimeOnManualClock() async throws {
        let store = try ServerHarness.emptyStore()
        let clock = ManualClock(seconds: 5_100)
        try await ServerHarness.withServer(store, clock: clock, now: { 5_100 }) { _, port in
            let c = try LoopbackSocket.Connection(port: port)
            defer { c.close() }
            try c.send(
                Array("GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".utf8))
            let hello = try await Tools.offload { c.receive(until: "event: hello", timeout: 10) }
            #expect(hello.contains("event: hello"))
            /// Moves the clock once the stream sleeps on it (one poll per move).
            func advance(_ seconds: Double) async throws {
                #expect(try await Waiting.until(seconds: 20, every: .milliseconds(1)) { clock.sleepers > 0 })
                clock.advance(by: .seconds(seconds))
            }
            // Four polls of a second: nothing to say, and 4 s is not yet time for a keep-alive.
            for _ in 0..<4 { try await advance(1) }
            #expect(try await Waiting.until(seconds: 20, every: .milliseconds(1)) { clock.sleepers > 0 })
            let early = try await Tools.offload { c.receive(until: "keep-alive", timeout: 0.5) }
            #expect(!early.contains("keep-alive"), "\(early)")
            // The fifth: 5 s without a word, a keep-alive comment.
            try await advance(1)
            let alive = try await Tools.offload { c.receive(until: ": keep-alive", timeout: 10) }
            #expect(alive.contains(": keep-alive"), "\(alive)")
            // 595 s of the clock: still open. At 605 s the stream has outlived its 600 s and ends (the
            // chunked body's last, empty chunk).
            for _ in 0..<5 { try await advance(118) }
            #expect(try await Waiting.until(seconds: 20, every: .milliseconds(1)) { clock.sleepers > 0 })
            let open = try await Tools.offload { c.receive(until: "\r\n0\r\n\r\n", timeout: 0.5) }
            #expect(!open.contains("\r\n0\r\n\r\n") && open.contains(": keep-alive"), "\(open)")
            try await advance(10)
            let end = try await Tools.offload { c.receive(until: "\r\n0\r\n\r\n", timeout: 10) }
            #expect(end.contains("\r\n0\r\n\r\n"), "\(end)")
        }
    }

    @Test("streams beyond the cap say busy and end; slots come back when streams end, and HEAD takes none")
    func cap() async throws {
        let store = try ServerHarness.emptyStore()
        var limits = ServerLimits()
        limits.maxStreams = 1
        try await ServerHarness.withServer(store, limits: limits, now: { 5_100 }) { _, port in
            let request = "GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
            // HEAD requests (which never run the body) leave the one slot free.
            for _ in 0..<3 {
                let head = try await LoopbackSocket.http(
                    "HEAD /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", port: port)
                #expect(head.status == 200)
            }
            let first = try LoopbackSocket.Connection(port: port)
            try first.send(Array(request.utf8))
            let hello = try await Tools.offload { first.receive(until: "event: hello", timeout: 5) }
            #expect(hello.contains("event: hello"))
            // A second stream while the first is open: busy, with a retry of 30 s, and the answer ends.
            let second = try LoopbackSocket.Connection(port: port)
            try second.send(Array(request.utf8))
            let busy = try await Tools.offload { second.receive(until: "event: busy", timeout: 5) }
            #expect(busy.contains("retry: 30000\nevent: busy\ndata: {\"message\":\"1 change streams are open already"))
            second.close()
            // The first's browser goes away: the server learns it when a write fails (a keep-alive comment
            // every 5 s), gives the slot back, and a new stream says hello.
            first.close()
            var again = ""
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline {
                let next = try LoopbackSocket.Connection(port: port)
                try next.send(Array(request.utf8))
                again = try await Tools.offload { next.receive(until: "event: ", timeout: 5) }
                next.close()
                if again.contains("event: hello") { break }
                try await Task.sleep(for: .seconds(2))
            }
            #expect(again.contains("event: hello"), "\(again)")
        }
    }
}
