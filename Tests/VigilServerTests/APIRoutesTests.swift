import BGP
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import Vigil
import VigilStore

@testable import VigilServer

/// The API on a real server on a loopback port (HummingbirdTesting's live mode), over a real SQLite
/// store filled by hand, so that every expected answer is known before the request.
@Suite struct APIRoutesTests {
    static let p176 = IPPrefix(address: IPAddress(v4: 0xAF2D_B000), length: 24)  // 175.45.176.0/24
    static let p177 = IPPrefix(address: IPAddress(v4: 0xAF2D_B100), length: 24)  // 175.45.177.0/24

    /// A store with: a closed upstream-loss (id 1), an open origin-side outage (id 2), a closed hijack (id 3),
    /// and three one-minute bins, the last with no prefix up.
    static func filledStore() throws -> History {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let store = try History(path: dir.appendingPathComponent("history.sqlite").path)
        try store.save(target: .northKorea)
        let events = [
            DetectedEvent(
                id: 1, target: "north-korea", cause: .upstreamLoss, confidence: 0.8, start: 1_000, end: 1_600,
                prefixes: [p177], upstreams: [20485], severity: 2.5, evidence: ["paths via AS20485 vanished"]),
            DetectedEvent(
                id: 2, target: "north-korea", cause: .originSide, confidence: 0.8, start: 5_000, end: nil,
                prefixes: [p176, p177], upstreams: [4837, 20485], severity: 9, evidence: ["all withdrawn"]),
            DetectedEvent(
                id: 3, target: "north-korea", cause: .hijack, confidence: 0.9, start: 3_000, end: 3_100,
                prefixes: [IPPrefix(address: IPAddress(v4: 0xAF2D_B200), length: 25)], upstreams: [], origins: [64666],
                severity: 0.1,
                evidence: ["<script>alert(1)</script> stays text"]),
        ]
        for e in events { try store.save(event: e, open: e.end == nil) }
        for (i, up) in [2, 1, 0].enumerated() {
            try store.save(
                signals: SignalBin(
                    target: "north-korea", start: 4_920 + Double(i) * 60, seconds: 60, prefixesUp: up, prefixes: 2,
                    votingPeers: 6, updates: 10 * i, visibility: [p176: Double(up) / 2], upstreamShare: [4837: 1.5]))
        }
        return store
    }

    /// Runs `body` against a live server over `store`, the clock at 5,100 s.
    static func withServer(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await ServerHarness.withServer(try filledStore(), now: { 5_100 }) { client, _ in try await body(client) }
    }

    static func object(_ body: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])
    }

    @Test("health, targets, and events newest first, each equal to the event's JSON line")
    func eventsAndHealth() async throws {
        try await Self.withServer { client in
            try await client.execute(uri: "/healthz", method: .get) { r in
                #expect(r.status == .ok)
                #expect(String(buffer: r.body) == #"{"status":"ok"}"#)
            }
            try await client.execute(uri: "/api/v1/targets", method: .get) { r in
                let targets = try Self.object(r.body)["targets"] as? [[String: Any]] ?? []
                #expect(targets.compactMap { $0["name"] as? String } == ["north-korea"])
            }
            try await client.execute(uri: "/api/v1/events", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "application/json")
                let events = try Self.object(r.body)["events"] as? [[String: Any]] ?? []
                // Newest first by start: 5000 (id 2), 3000 (id 3), 1000 (id 1).
                #expect(events.compactMap { $0["id"] as? Int } == [2, 3, 1])
                #expect(events.first?["end"] is NSNull)
                #expect(events.last?["cause"] as? String == "upstream-loss")
            }
            try await client.execute(uri: "/api/v1/events?cause=hijack", method: .get) { r in
                let events = try Self.object(r.body)["events"] as? [[String: Any]] ?? []
                #expect(events.compactMap { $0["id"] as? Int } == [3])
                #expect((events.first?["evidence"] as? [String])?.first == "<script>alert(1)</script> stays text")
            }
            try await client.execute(uri: "/api/v1/events?state=open", method: .get) { r in
                let events = try Self.object(r.body)["events"] as? [[String: Any]] ?? []
                #expect(events.compactMap { $0["id"] as? Int } == [2])
            }
            try await client.execute(uri: "/api/v1/events/1", method: .get) { r in
                #expect(r.status == .ok)
                let e = try Self.object(r.body)
                #expect(e["start"] as? String == "1970-01-01T00:16:40Z")
                #expect(e["end"] as? String == "1970-01-01T00:26:40Z")
                #expect(e["prefixes"] as? [String] == ["175.45.177.0/24"])
            }
        }
    }

    @Test("bad parameters give 400 and unknown ids 404, with a JSON message")
    func errors() async throws {
        try await Self.withServer { client in
            for (uri, status, words) in [
                ("/api/v1/events/999", HTTPResponse.Status.notFound, "no event 999"),
                ("/api/v1/events/abc", .badRequest, "number"),
                ("/api/v1/events?cause=aliens", .badRequest, "unknown cause aliens"),
                ("/api/v1/events?limit=0", .badRequest, "limit"),
                ("/api/v1/events?state=maybe", .badRequest, "open or closed"),
                ("/api/v1/events?since=yesterday", .badRequest, "since must be"),
                ("/api/v1/signals", .badRequest, "target is required"),
                ("/api/v1/signals?target=north-korea&from=10&to=5", .badRequest, "from must be before to"),
            ] {
                try await client.execute(uri: uri, method: .get) { r in
                    #expect(r.status == status, "\(uri)")
                    let error = try Self.object(r.body)["error"] as? [String: Any]
                    let message = error?["message"] as? String ?? ""
                    #expect(message.contains(words), "\(uri): \(message)")
                }
            }
        }
    }

    @Test("signals for a range, status now, and metrics")
    func signalsStatusMetrics() async throws {
        try await Self.withServer { client in
            try await client.execute(uri: "/api/v1/signals?target=north-korea&from=4950&to=5100", method: .get) { r in
                let bins = try Self.object(r.body)["signals"] as? [[String: Any]] ?? []
                // Bins start at 4920, 4980 and 5040: the two inside [4950, 5100).
                #expect(bins.compactMap { $0["prefixes_up"] as? Int } == [1, 0])
                #expect(bins.first?["start"] as? String == "1970-01-01T01:23:00Z")
            }
            try await client.execute(uri: "/api/v1/status", method: .get) { r in
                let targets = try Self.object(r.body)["targets"] as? [[String: Any]] ?? []
                #expect(targets.first?["state"] as? String == "dark")  // an open outage, no prefix up
                #expect(targets.first?["open_events"] as? [Int] == [2])
            }
            try await client.execute(uri: "/metrics", method: .get) { r in
                let text = String(buffer: r.body)
                #expect(text.contains("vigil_open_events{cause=\"origin-side\"} 1\n"))
                #expect(text.contains("vigil_open_events{cause=\"hijack\"} 0\n"))
                #expect(text.contains("vigil_store_bytes "))
                // Dark (open origin-side outage, last bin 0 of 2 up), and only dark.
                #expect(text.contains("vigil_target_state{target=\"north-korea\",state=\"dark\"} 1\n"))
                #expect(text.contains("vigil_target_state{target=\"north-korea\",state=\"up\"} 0\n"))
                #expect(!text.contains("vigil_heartbeat_age_seconds"))  // watch never ran on this store
            }
        }
    }
}
