import BGP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import Vigil
import VigilClock
import VigilStore
import VigilTesting

@testable import VigilServer

/// The API over a store that `vigil replay --store` filled from the lab's recovery scenario (an internal
/// failure: all four prefixes withdrawn, then restored): every answer conforms to the OpenAPI document,
/// and the figures agree with the scenario's ground truth.
@Suite(.enabled(if: !LabRecordings.skipped, "VIGIL_SKIP_LAB=1"))
struct LabStoreAPITests {
    /// The document as committed in the repository.
    static var documentInRepo: Data {
        get throws {
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Sources/VigilServer/Resources/openapi.json")
            return try Data(contentsOf: url)
        }
    }

    @Test("every documented answer conforms to openapi.json, and the event and signals match the ground truth")
    func conformsAndMatches() async throws {
        let (store, truth) = try LabStore.make("recovery")
        let repaired = try #require(truth.repairedAt)
        let validator = try OpenAPIValidator(data: try Self.documentInRepo)
        let token = "token-for-the-openapi-test-0123"
        let exercised = Locked<Set<String>>([])  // the operations the test called
        // Probe bins around the fault, written as the watch writes them (a second commit to a bin adds).
        // On a two-minute boundary, so that the two one-minute bins fall in one 120 s bin below.
        let t0 = (truth.faultAt / 120).rounded(.down) * 120
        let ns1 = "tcp://ns1.kptc.kp:53"
        var batch = StoreBatch(target: "north-korea")
        batch.probes = [
            StoredProbeBin(
                url: ns1, start: t0, seconds: 60, sent: 2, answered: 2, attempts: 2, rttSumMs: 30, rttMaxMs: 20),
            StoredProbeBin(
                url: ns1, start: t0 + 60, seconds: 60, sent: 3, answered: 1, attempts: 6, rttSumMs: 12, rttMaxMs: 12,
                lastError: "timed out"),
            StoredProbeBin(
                url: "icmp://kcna.kp", start: t0, seconds: 60, sent: 1, answered: 0, attempts: 2, lastError: "no answer"
            ),
        ]
        try store.commit(batch)
        batch.probes = [
            StoredProbeBin(
                url: ns1, start: t0, seconds: 60, sent: 1, answered: 1, attempts: 1, rttSumMs: 5, rttMaxMs: 5)
        ]
        try store.commit(batch)
        let probesFrom = UTCTime.iso(t0 - 60)
        let probesTo = UTCTime.iso(t0 + 180)
        try await ServerHarness.withServer(store, token: token, now: { repaired + 60 }) { client, _ in
            // (documented path, request, expected status)
            let from = UTCTime.iso(truth.faultAt - 30)
            let to = UTCTime.iso(repaired + 30)
            let calls: [(String, String, Int)] = [
                ("/healthz", "/healthz", 200),
                ("/api/v1/targets", "/api/v1/targets", 200),
                ("/api/v1/status", "/api/v1/status", 200),
                ("/api/v1/events", "/api/v1/events", 200),
                ("/api/v1/events", "/api/v1/events?target=north-korea&cause=origin-side&state=closed&limit=5", 200),
                ("/api/v1/events", "/api/v1/events?cause=meteor", 400),
                ("/api/v1/events", "/api/v1/events?since=tomorrow", 400),
                ("/api/v1/events/{id}", "/api/v1/events/1", 200),
                ("/api/v1/events/{id}", "/api/v1/events/999", 404),
                ("/api/v1/events/{id}", "/api/v1/events/one", 400),
                ("/api/v1/events/{id}/annotations", "/api/v1/events/1/annotations", 200),
                ("/api/v1/signals", "/api/v1/signals?target=north-korea&from=\(from)&to=\(to)", 200),
                ("/api/v1/signals", "/api/v1/signals?target=north-korea&from=\(from)&to=\(to)&bin=5", 200),
                ("/api/v1/signals", "/api/v1/signals?target=north-korea&bin=0", 400),
                ("/api/v1/signals", "/api/v1/signals", 400),
                ("/api/v1/openapi.json", "/api/v1/openapi.json", 200),
                ("/api/v1/probes", "/api/v1/probes?target=north-korea&from=\(probesFrom)&to=\(probesTo)", 200),
                ("/api/v1/probes", "/api/v1/probes?target=north-korea&from=\(probesFrom)&to=\(probesTo)&bin=120", 200),
                ("/api/v1/probes", "/api/v1/probes?target=north-korea&bin=0", 400),
                (
                    "/api/v1/probes",
                    "/api/v1/probes?target=north-korea&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z", 400
                ),
                ("/api/v1/probes", "/api/v1/probes", 400),
            ]
            for (path, uri, status) in calls {
                try await client.execute(uri: uri, method: .get) { r in
                    #expect(Int(r.status.code) == status, "\(uri)")
                    let problems = validator.problems(
                        path: path, method: "get", status: Int(r.status.code), body: Data(buffer: r.body))
                    #expect(problems.isEmpty, "\(uri): \(problems)")
                }
                exercised.withLock { _ = $0.insert("get " + path) }
            }
            // Annotations: created (201), refused (401), too large (413), each as documented.
            var headers = HTTPFields()
            headers[.authorization] = "Bearer " + token
            for (auth, body, status) in [
                (true, #"{"text":"confirmed: power cut"}"#, 201), (false, #"{"text":"x"}"#, 401),
                (true, #"{"text":""# + String(repeating: "z", count: 17_000) + #""}"#, 413),
            ] {
                try await client.execute(
                    uri: "/api/v1/events/1/annotations", method: .post, headers: auth ? headers : [:],
                    body: ByteBuffer(string: body)
                ) { r in
                    #expect(Int(r.status.code) == status)
                    let problems = validator.problems(
                        path: "/api/v1/events/{id}/annotations", method: "post", status: Int(r.status.code),
                        body: Data(buffer: r.body))
                    #expect(problems.isEmpty, "\(problems)")
                }
            }
            exercised.withLock { _ = $0.insert("post /api/v1/events/{id}/annotations") }
            // The served document is the committed one.
            let committed = try Self.documentInRepo
            try await client.execute(uri: "/api/v1/openapi.json", method: .get) { r in
                #expect(Data(buffer: r.body) == committed)
            }
            // The figures against the ground truth.
            try await client.execute(uri: "/api/v1/events", method: .get) { r in
                let events = try ServerHarness.object(r.body)["events"] as? [[String: Any]] ?? []
                #expect(events.count == 1)
                let e = try #require(events.first)
                let start = try #require(UTCTime.parse(e["start"] as? String ?? ""))
                let end = UTCTime.parse(e["end"] as? String ?? "")
                let mismatches = LabRecordings.mismatches(
                    truth, cause: e["cause"] as? String ?? "", prefixes: e["prefixes"] as? [String] ?? [],
                    upstreams: (e["upstreams"] as? [Int] ?? []).map { UInt32($0) }, start: start, end: end)
                #expect(mismatches.isEmpty, "\(mismatches)")
            }
            try await client.execute(
                uri: "/api/v1/signals?target=north-korea&from=\(from)&to=\(to)&bin=5", method: .get
            ) { r in
                let bins = try ServerHarness.object(r.body)["signals"] as? [[String: Any]] ?? []
                let up = bins.compactMap { $0["prefixes_up"] as? Int }
                // Four /24s; the fault withdrew all of them, the repair brought them back. A bin wholly
                // before the fault shows all four, one wholly between fault and repair none. (The lab's
                // RIB dump comes two to six seconds before the fault, so the first bin may hold both.)
                #expect(bins.compactMap { $0["prefixes"] as? Int }.allSatisfy { $0 == truth.prefixes.count })
                #expect(up.min() == 0)
                for bin in bins {
                    let start = try #require(UTCTime.parse(bin["start"] as? String ?? ""))
                    if start + 5 <= truth.faultAt {
                        #expect(bin["prefixes_up"] as? Int == truth.prefixes.count, "\(bin)")
                    } else if start >= truth.faultAt && start + 5 <= repaired {
                        #expect(bin["prefixes_up"] as? Int == 0, "\(bin)")
                    }
                }
                #expect(bins.compactMap { $0["seconds"] as? Int }.allSatisfy { $0 == 5 })
            }
            // As stored (one-second bins, each the state at its end): all four up in every bin before the
            // fault (the RIB dump's second at least), and back by the last one. (A five-second bin holding
            // the repair keeps its worst moment, zero.)
            try await client.execute(uri: "/api/v1/signals?target=north-korea&from=\(from)&to=\(to)", method: .get) {
                r in
                let bins = try ServerHarness.object(r.body)["signals"] as? [[String: Any]] ?? []
                let before = bins.filter {
                    (UTCTime.parse($0["start"] as? String ?? "") ?? .infinity) + 1 <= truth.faultAt
                }
                #expect(!before.isEmpty)
                #expect(before.allSatisfy { $0["prefixes_up"] as? Int == truth.prefixes.count }, "\(before)")
                #expect(bins.last?["prefixes_up"] as? Int == truth.prefixes.count)
            }
            // Probes as stored: ns1's first bin holds both commits (2 + 1 probes, (30 + 5) / 3 ms).
            try await client.execute(
                uri: "/api/v1/probes?target=north-korea&from=\(probesFrom)&to=\(probesTo)", method: .get
            ) { r in
                let bins = try ServerHarness.object(r.body)["probes"] as? [[String: Any]] ?? []
                #expect(bins.count == 3)
                let first = try #require(bins.first { $0["url"] as? String == ns1 })
                #expect(first["start"] as? String == UTCTime.iso(t0))
                #expect(first["sent"] as? Int == 3 && first["answered"] as? Int == 3 && first["attempts"] as? Int == 3)
                #expect(abs((first["rtt_mean_ms"] as? Double ?? 0) - 35.0 / 3) < 1e-9)
                #expect(first["rtt_max_ms"] as? Double == 20)
                let kcna = try #require(bins.first { $0["url"] as? String == "icmp://kcna.kp" })
                #expect(kcna["rtt_mean_ms"] is NSNull && kcna["last_error"] as? String == "no answer")
            }
            // Two-minute bins: ns1's two bins summed (6 probes, 4 answered, 9 tries, (35 + 12) / 4 ms).
            try await client.execute(
                uri: "/api/v1/probes?target=north-korea&from=\(probesFrom)&to=\(probesTo)&bin=120", method: .get
            ) { r in
                let bins = try ServerHarness.object(r.body)["probes"] as? [[String: Any]] ?? []
                let merged = bins.filter { $0["url"] as? String == ns1 }
                #expect(merged.count == 1)
                let m = try #require(merged.first)
                #expect(m["sent"] as? Int == 6 && m["answered"] as? Int == 4 && m["attempts"] as? Int == 9)
                #expect(m["rtt_mean_ms"] as? Double == 11.75)
                #expect(m["last_error"] as? String == "timed out")
                #expect(m["seconds"] as? Int == 120)
            }
            try await client.execute(uri: "/api/v1/status", method: .get) { r in
                let targets = try ServerHarness.object(r.body)["targets"] as? [[String: Any]] ?? []
                #expect(targets.first?["state"] as? String == "up")
                // Up since the outage ended, which the ground truth puts at the repair.
                let since = try #require(UTCTime.parse(targets.first?["since"] as? String ?? ""))
                #expect(abs(since - repaired) <= 5)
            }
        }
        // Every operation the document lists was exercised, except the endless stream and the metrics text.
        let documented = Set(validator.paths.flatMap { ["get " + $0] })
            .subtracting(["get /api/v1/stream", "get /metrics"])
        #expect(documented.subtracting(exercised.value).isEmpty, "\(documented.subtracting(exercised.value))")
    }
}
