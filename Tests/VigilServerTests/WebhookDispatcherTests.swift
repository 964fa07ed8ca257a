import AsyncHTTPClient
import BGP
import Foundation
import Hummingbird
import Logging
import Testing
import Vigil
import VigilStore
import VigilTesting

@testable import VigilServer

/// Webhooks against a real HTTP receiver on loopback: the lab recovery scenario's event is written to a
/// store as a live monitor would (open, then closed); the receiver is down at first and the dispatcher
/// is restarted meanwhile; in the end each hook has the start and the end exactly once, in order.
@Suite(.enabled(if: !LabRecordings.skipped, "VIGIL_SKIP_LAB=1"), .serialized)
struct WebhookDispatcherTests {
    typealias Inbox = WebhookReceiver.Inbox

    static func receiver(port: Int, inbox: Inbox) -> some ApplicationProtocol {
        WebhookReceiver.application(port: port, inbox: inbox)
    }

    static func kind(_ body: String) -> String { WebhookReceiver.kind(body) }

    @Test("start and end exactly once per hook, across a receiver outage and a dispatcher restart")
    func exactlyOnce() async throws {
        let (lab, _) = try LabStore.make("recovery")
        let event = try #require(try lab.events().first)
        let store = try ServerHarness.emptyStore()
        try store.save(target: .northKorea)
        try store.set("webhook_scan", "\(Date().timeIntervalSince1970 - 5)")
        let port = try LoopbackSocket.freePort()
        let hooks = [
            Webhook(url: "http://127.0.0.1:\(port)/hook/json", format: .json),
            Webhook(url: "http://127.0.0.1:\(port)/hook/slack", format: .slack),
        ]
        var options = WebhookDispatcher.Options()
        options.scanInterval = 0.2
        options.firstRetry = 0.3
        options.maxBackoff = 1
        // A refused connection fails the request only at its deadline (the client keeps trying to connect).
        options.timeout = 1
        let reports = Inbox()
        let dispatcher = WebhookDispatcher(
            store: store, hooks: hooks, dashboard: "http://127.0.0.1:8080", options: options,
            onReport: { reports.add("report", $0) })

        // The outage begins; nobody listens yet.
        var open = event
        open.end = nil
        try store.save(event: open, open: true)
        let first = Task { try await dispatcher.run() }
        #expect(
            try await Waiting.until(seconds: 10) {
                ((try? store.outbox()) ?? []).filter { $0.attempts >= 2 }.count == 2
            })
        first.cancel()
        _ = try? await first.value
        #expect(try store.outbox().allSatisfy { $0.delivered == nil && $0.lastError != nil })

        // A new dispatcher (a restarted vigil watch) and the receiver back.
        let inbox = Inbox()
        let receiver = Self.receiver(port: port, inbox: inbox)
        let server = Task { try await receiver.runService() }
        let second = Task { try await dispatcher.run() }
        #expect(
            try await Waiting.until(seconds: 15) { inbox.bodies("json").count == 1 && inbox.bodies("slack").count == 1 }
        )
        // The outage ends.
        try store.save(event: event, open: false)
        #expect(
            try await Waiting.until(seconds: 15) { inbox.bodies("json").count == 2 && inbox.bodies("slack").count == 2 }
        )
        // Rescans and a re-save of the same final event add nothing.
        try store.save(event: event, open: false)
        try await Task.sleep(for: .seconds(1.5))
        second.cancel()
        _ = try? await second.value
        server.cancel()
        _ = try? await server.value

        let json = inbox.bodies("json")
        #expect(json.map(Self.kind) == ["event_start", "event_end"])
        let last = try #require(json.last)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        let sent = try #require(object["event"] as? [String: Any])
        #expect(sent["id"] as? Int == event.id)
        #expect(sent["cause"] as? String == "origin-side")
        #expect(sent["end"] as? String == event.end.map { UTCTime.iso($0) })
        #expect(object["url"] as? String == "http://127.0.0.1:8080/events/\(event.id)")
        let slack = inbox.bodies("slack")
        #expect(slack.count == 2)
        let texts = slack.compactMap {
            ((try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any])?["text"] as? String
        }
        #expect(texts.first?.contains("north-korea: origin-side started") == true)
        #expect(texts.last?.contains("north-korea: origin-side ended") == true)
        #expect(try store.pendingAlerts(hook: hooks[0].id).isEmpty)
        #expect(reports.bodies("report").contains { $0.contains("retrying with back-off") })
    }
}

/// Finding 7: a receiver answering with a redirect must not get our alert posted to another address.
@Suite(.serialized) struct WebhookRedirectTests {
    /// A receiver on `host:port`: `/away` redirects (307) to `away`, `/here` to its own `/final`, and every
    /// POST is recorded.
    static func receiver(host: String, port: Int, away: String, inbox: WebhookDispatcherTests.Inbox)
        -> some ApplicationProtocol
    {
        let router = Router()
        router.post("/{path}") { request, context in
            let path = context.parameters.get("path") ?? ""
            let body = try await request.body.collect(upTo: 1 << 20)
            inbox.add("\(host)/\(path)", String(buffer: body))
            var headers = HTTPFields()
            switch path {
            case "away":
                headers[.location] = away
                return Response(status: .temporaryRedirect, headers: headers)
            case "here":
                headers[.location] = "/final"
                return Response(status: .temporaryRedirect, headers: headers)
            default:
                return Response(status: .ok)
            }
        }
        var logger = Logger(label: "receiver")
        logger.logLevel = .critical
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port)), logger: logger)
    }

    @Test("a 307 to another host is not followed (nothing reaches it); one on the hook's own host is, body and all")
    func redirects() async throws {
        let inbox = WebhookDispatcherTests.Inbox()
        let (a, b) = (try LoopbackSocket.freePort(), try LoopbackSocket.freePort())
        let elsewhere = "http://127.0.0.2:\(b)/steal"
        let first = Self.receiver(host: "127.0.0.1", port: a, away: elsewhere, inbox: inbox)
        let second = Self.receiver(host: "127.0.0.2", port: b, away: elsewhere, inbox: inbox)
        let tasks = [Task { try await first.runService() }, Task { try await second.runService() }]
        defer { for t in tasks { t.cancel() } }
        try await Task.sleep(for: .milliseconds(500))
        let store = try ServerHarness.emptyStore()
        let dispatcher = WebhookDispatcher(store: store, hooks: [], dashboard: nil)
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        try await HTTPClient.withHTTPClient(configuration: configuration) { client in
            let refused = await dispatcher.post(
                #"{"kind":"event_start"}"#, to: "http://127.0.0.1:\(a)/away", client: client)
            #expect(refused?.contains("redirect to 127.0.0.2 not followed") == true, "\(refused ?? "delivered")")
            let followed = await dispatcher.post(
                #"{"kind":"event_end"}"#, to: "http://127.0.0.1:\(a)/here", client: client)
            #expect(followed == nil)
        }
        #expect(inbox.bodies("127.0.0.2/steal").isEmpty)
        #expect(inbox.bodies("127.0.0.1/final") == [#"{"kind":"event_end"}"#])
    }

    @Test("hooks are named by format and host wherever others read them")
    func labels() {
        #expect(
            Webhook(url: "https://hooks.slack.com/services/T0/B0/SECRET", format: .slack).label
                == "slack hooks.slack.com")
        #expect(Webhook.label(id: "json https://user:pw@noc.example:8443/hook?key=k") == "json noc.example")
        #expect(Webhook.label(id: "json not a url") == "json (unnamed host)")
    }
}
