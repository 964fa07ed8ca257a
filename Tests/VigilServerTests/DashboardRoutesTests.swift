import BGP
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import Vigil
import VigilStore
import VigilTesting

@testable import VigilServer

/// The dashboard pages on a live server over the hand-filled store of `APIRoutesTests` (events 1, 2, 3;
/// three bins with 2, 1, 0 of 2 prefixes up; the clock at 5,100 s).
@Suite struct DashboardRoutesTests {
    static func withPages(
        _ prepare: (History) throws -> Void = { _ in },
        _ body: @escaping @Sendable (any TestClientProtocol, Int) async throws -> Void
    ) async throws {
        let store = try APIRoutesTests.filledStore()
        try prepare(store)
        try await ServerHarness.withServer(store, now: { 5_100 }, body)
    }

    @Test("overview: the target is dark since the open outage's start, with a sparkline and its open event")
    func overview() async throws {
        try await Self.withPages { client, _ in
            try await client.execute(uri: "/", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "text/html; charset=utf-8")
                let html = String(buffer: r.body)
                // Open origin-side outage and the last bin with 0 of 2 up: dark.
                #expect(html.contains(#"data-state="dark""#))
                // Since event 2's start: 5,000 s after the epoch is 01:23:20.
                #expect(html.contains(#"<time datetime="1970-01-01T01:23:20Z">"#))
                #expect(html.contains(#"class="spark""#))
                #expect(html.contains(#"href="/events/2""#))
                #expect(html.contains(#"<html lang="en">"#))
            }
        }
    }

    @Test("target page: a band per event in range, lanes per upstream, zoom links; unknown target 404")
    func targetPage() async throws {
        try await Self.withPages { client, _ in
            try await client.execute(uri: "/targets/north-korea", method: .get) { r in
                #expect(r.status == .ok)
                let html = String(buffer: r.body)
                for id in 1...3 { #expect(html.contains("data-event=\"\(id)\"")) }
                // Upstreams: 4837 from the bins, 20485 from the events.
                #expect(html.contains(#"data-lane="AS4837""#))
                #expect(html.contains(">AS20485 (TransTeleCom)<"))
                #expect(html.contains("from=1970-01-01T00:25:00Z&amp;to=1970-01-01T01:25:00Z") == false)
                // The 6-hour link ends at the page's end (now, 5,100 s = 01:25:00).
                #expect(html.contains("to=1970-01-01T01:25:00Z\">6 h</a>"))
            }
            // Zoomed to 4,900-5,100 s: events 1 (ended 1,600) and 3 (ended 3,100) are out of range.
            try await client.execute(uri: "/targets/north-korea?from=4900&to=5100", method: .get) { r in
                let html = String(buffer: r.body)
                #expect(html.contains(#"data-event="2""#))
                #expect(!html.contains(#"data-event="1""#))
                #expect(!html.contains(#"data-event="3""#))
            }
            try await client.execute(uri: "/targets/nowhere", method: .get) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "/targets/north-korea?from=yesterday", method: .get) { r in
                #expect(r.status == .badRequest)
            }
        }
    }

    @Test("target page: a probe lane per URL, each bin coloured by the share answered; none without probes")
    func probeLanes() async throws {
        try await Self.withPages { client, _ in
            try await client.execute(uri: "/targets/north-korea?from=4900&to=5100", method: .get) { r in
                #expect(!String(buffer: r.body).contains("<h2>Probes</h2>"))
            }
        }
        try await Self.withPages({ store in
            var batch = StoreBatch(target: "north-korea")
            batch.probes = [
                StoredProbeBin(
                    url: "tcp://ns1.kptc.kp:53", start: 4920, seconds: 60, sent: 2, answered: 2, attempts: 2),
                StoredProbeBin(
                    url: "tcp://ns1.kptc.kp:53", start: 4980, seconds: 60, sent: 2, answered: 1, attempts: 3),
                StoredProbeBin(
                    url: "tcp://<b>kcna</b>.kp:443", start: 4980, seconds: 60, sent: 1, answered: 0, attempts: 2,
                    lastError: "timed out"),
            ]
            try store.commit(batch)
        }) { client, _ in
            try await client.execute(uri: "/targets/north-korea?from=4900&to=5100", method: .get) { r in
                let html = String(buffer: r.body)
                #expect(html.contains("<h2>Probes</h2>"))
                #expect(html.components(separatedBy: "class=\"probe\"").count - 1 == 3)
                #expect(html.contains(#"data-url="tcp://ns1.kptc.kp:53" data-state="up""#))
                #expect(html.contains(#"data-url="tcp://ns1.kptc.kp:53" data-state="partial""#))
                #expect(html.contains(#"data-url="tcp://&lt;b&gt;kcna&lt;/b&gt;.kp:443" data-state="dark""#))
                #expect(!html.contains("<b>kcna"))
                #expect(html.contains("1 of 2 answered"))
                #expect(html.contains("3 of 5 probes answered in this range"))
            }
        }
    }

    @Test("event page: cause, diagnosis, ongoing, evidence and annotations, all escaped")
    func eventPage() async throws {
        try await Self.withPages({ store in
            _ = try store.addAnnotation(eventID: 3, author: "<i>eve</i>", text: "<b onclick=x>hi</b> & more", at: 4_000)
        }) { client, _ in
            try await client.execute(uri: "/events/2", method: .get) { r in
                let html = String(buffer: r.body)
                #expect(html.contains(#"data-diagnosis="origin-side""#))
                #expect(html.contains("<strong>ongoing</strong>"))
                // 5,100 - 5,000 s so far.
                #expect(html.contains("1 min so far"))
                #expect(html.contains("<li>all withdrawn</li>"))
            }
            try await client.execute(uri: "/events/3", method: .get) { r in
                let html = String(buffer: r.body)
                #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; stays text"))
                #expect(!html.contains("<script>alert(1)"))
                #expect(html.contains("&lt;b onclick=x&gt;hi&lt;/b&gt; &amp; more"))
                #expect(html.contains("<strong>&lt;i&gt;eve&lt;/i&gt;</strong>"))
                #expect(!html.contains("<b onclick"))
                #expect(html.contains("Origins seen</dt><dd>AS64666"))
            }
            try await client.execute(uri: "/events/99", method: .get) { r in #expect(r.status == .notFound) }
            try await client.execute(uri: "/events/x", method: .get) { r in #expect(r.status == .badRequest) }
        }
    }

    @Test("names from data (upstream names, descriptions) are escaped on every page")
    func hostileNames() async throws {
        try await Self.withPages({ store in
            var t = Target.northKorea
            t.upstreams[20485] = "<img src=x onerror=alert(1)>"
            t.summary = "\"quoted\" <desc>"
            try store.save(target: t)
        }) { client, _ in
            for uri in ["/", "/targets/north-korea", "/events/1"] {
                try await client.execute(uri: uri, method: .get) { r in
                    let html = String(buffer: r.body)
                    #expect(!html.contains("<img src=x"), "\(uri)")
                    #expect(!html.contains("<desc>"), "\(uri)")
                }
            }
            try await client.execute(uri: "/targets/north-korea", method: .get) { r in
                #expect(String(buffer: r.body).contains("AS20485 (&lt;img src=x onerror=alert(1)&gt;)"))
            }
            try await client.execute(uri: "/", method: .get) { r in
                #expect(String(buffer: r.body).contains("&quot;quoted&quot; &lt;desc&gt;"))
            }
        }
    }

    @Test("static files: the two shipped ones only; no path reaches the file system")
    func staticFiles() async throws {
        try await Self.withPages { client, port in
            try await client.execute(uri: "/static/vigil.css", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "text/css; charset=utf-8")
                #expect(String(buffer: r.body).contains("prefers-color-scheme: dark"))
            }
            try await client.execute(uri: "/static/vigil.js", method: .get) { r in
                #expect(String(buffer: r.body).contains("EventSource"))
            }
            // Raw request lines, so that no client normalises the dots away.
            let attempts = [
                "/static/../../../../../../etc/passwd", "/static/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
                "/static/%2e%2e/%2e%2e/Package.swift", "/static/vigil.css/../../../Package.swift",
                "/static/..%5c..%5cPackage.swift", "/static/openapi.json/../../../../etc/passwd",
                "/../../../../etc/passwd",
            ]
            for path in attempts {
                let c = try LoopbackSocket.Connection(port: port)
                try c.send(Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
                let answer = String(decoding: c.receiveAll(), as: UTF8.self)
                c.close()
                #expect(!answer.hasPrefix("HTTP/1.1 200"), "\(path): \(answer.prefix(80))")
                #expect(!answer.contains("root:"), "\(path)")
                #expect(!answer.contains("swift-tools-version"), "\(path)")
            }
        }
    }
}
