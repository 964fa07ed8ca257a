import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Vigil
import VigilClock
import VigilStore

/// Sends alerts to webhooks: watches the store for event and feed-gap changes, queues what each hook
/// must be told in the store's outbox (so an alert survives a restart), and posts the queue in order
/// with retries and growing back-off while a receiver is down.
///
/// It reads the store, not the detector, so every committed change is alerted even when the process
/// died between committing and telling. While the store cannot be written (a full disk, a lock held
/// elsewhere), the events it has not taken (`unstored`, from the live engine) are told straight away,
/// without the outbox, and what each hook was told is kept in memory and written to the store's alert
/// log before anything is planned from the store again: an alert is never held back by the store, nor
/// sent twice once it works again.
public struct WebhookDispatcher: Service {
    /// Timing.
    public struct Options: Sendable {
        /// How often the store is checked.
        public var scanInterval: Double = 1
        /// A feed gap is told only once it lasts this long (seconds).
        public var feedGrace: Double = 60
        /// An event's updates are sent at most this often (seconds).
        public var updateHold: Double = 60
        /// The first retry delay, doubled per failure up to `maxBackoff` (seconds).
        public var firstRetry: Double = 2
        public var maxBackoff: Double = 600
        /// An alert still failing after this many tries is given up (and logged).
        public var maxAttempts = 30
        /// Per request.
        public var timeout: Double = 10

        /// The defaults.
        public init() {}
    }

    /// The store read and written.
    public let store: History
    /// Where alerts go.
    public let hooks: [Webhook]
    /// The dashboard's address for links ("http://127.0.0.1:8080"), when served.
    public let dashboard: String?
    /// Timing.
    public let options: Options
    /// Failures and give-ups, for the console.
    public let onReport: @Sendable (String) -> Void
    /// The clock the dispatcher stamps by and waits by (scans, retry times).
    public let clock: any EpochClock
    /// Whether the store fails, and the events it has not taken meanwhile: nil while it works (or when
    /// nobody says).
    public let unstored: (@Sendable () -> [(event: DetectedEvent, open: Bool)]?)?

    /// A dispatcher for `hooks` over `store`.
    public init(
        store: History, hooks: [Webhook], dashboard: String?, options: Options = Options(),
        clock: any EpochClock = SystemClock(),
        unstored: (@Sendable () -> [(event: DetectedEvent, open: Bool)]?)? = nil,
        onReport: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.store = store
        self.unstored = unstored
        self.hooks = hooks
        self.dashboard = dashboard
        self.options = options
        self.clock = clock
        self.onReport = onReport
    }

    /// The clock now, seconds since the epoch.
    func now() -> Double { clock.seconds }

    /// Runs until cancelled or a graceful shutdown, on a thread of its own: the dispatcher's store calls
    /// block (a lock held elsewhere makes each wait seconds), and must not hold a thread of the pool the
    /// server answers on.
    public func run() async throws {
        guard !hooks.isEmpty else { return }
        let thread = StoreThread(label: "vigil.webhooks")
        try await withTaskExecutorPreference(thread) { try await self.loop() }
    }

    /// The dispatcher's loop: plan from the store (or from the engine while the store fails), deliver.
    private func loop() async throws {
        // Redirects are followed by `post` itself, and only on the hook's own host: a receiver must not be
        // able to send our alerts (and their body) on to any address it names.
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        try await HTTPClient.withHTTPClient(configuration: configuration) { client in
            // A store first used with hooks alerts from now on, not its whole history.
            var cursor = try store.setting("webhook_scan").flatMap(Double.init) ?? now()
            var memory = Told()
            var said = ""
            func report(_ text: String) {
                // One line per kind of failure, not one per scan.
                if text != said { onReport(text) }
                said = text
            }
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                let t = now()
                if let events = unstored?() {
                    // The store fails: nothing is planned from it or written to it (a write may wait
                    // seconds for a lock held elsewhere, holding a thread the server needs); the events it
                    // has not taken are told straight away.
                    if !events.isEmpty { await tellUnstored(events, at: t, client: client, memory: &memory) }
                    try? await clock.sleep(seconds: options.scanInterval)
                    continue
                }
                // What was told while the store failed goes into its log first: until it has, planning from
                // the store could tell it again.
                if memory.settle(store) {
                    do {
                        try plan(since: cursor - 2, at: t)
                        try store.set("webhook_scan", "\(t)")
                        cursor = t
                        said = ""
                    } catch {
                        report("webhooks: \(error)")
                    }
                }
                // The queue goes out whatever the store does (an entry posted whose delivery it cannot
                // record is remembered, never posted again).
                for hook in hooks { await deliver(hook, client: client, memory: &memory) }
                try? await clock.sleep(seconds: options.scanInterval)
            }
        }
    }

    /// Queues what each hook must be told about events changed and feed gaps seen since `since`.
    func plan(since: Double, at time: Double) throws(StoreError) {
        let changed = try store.events(updatedSince: since)
        let gaps = try store.feedGaps(from: since - options.feedGrace)
        for hook in hooks {
            for (e, open) in changed {
                let subject = "event:\(e.id)"
                let told = try store.alertLog(hook: hook.id, subject: subject)
                for draft in AlertPlanner.plan(event: e, open: open, told: told?.told) {
                    let hold =
                        draft.kind == .eventUpdate ? told.map { $0.time + options.updateHold } : nil
                    try store.enqueue(
                        hook: hook.id, subject: subject, kind: draft.kind.rawValue,
                        body: hook.body(draft.kind, event: e, time: time, dashboard: dashboard), at: time,
                        notBefore: hold.map { max($0, time) }, told: draft.told, replacing: draft.replacing)
                }
            }
            for gap in gaps {
                let subject = "feed:\(gap.id)"
                let told = try store.alertLog(hook: hook.id, subject: subject)
                for draft in AlertPlanner.plan(gap: gap, told: told?.told, time: time, grace: options.feedGrace) {
                    if draft.told == "ignored" {
                        try store.cancelPending(hook: hook.id, subject: subject, told: "ignored", at: time)
                        continue
                    }
                    try store.enqueue(
                        hook: hook.id, subject: subject, kind: draft.kind.rawValue,
                        body: hook.body(draft.kind, gap: gap, time: time), at: time, told: draft.told)
                }
            }
        }
    }

    /// What hooks were told while the store could not record it: alerts sent without the outbox, and
    /// outbox entries posted whose delivery the store did not take. Written to the store as soon as it
    /// works again.
    struct Told {
        /// What each hook was told per subject ("HOOK SUBJECT" → told).
        var told: [String: String] = [:]
        /// Alert log rows not yet in the store.
        var unlogged: [(hook: String, subject: String, told: String, time: Double)] = []
        /// Outbox entries delivered, by id, with the time, not yet marked in the store.
        var delivered: [Int: Double] = [:]

        /// Writes what waits; true when nothing waits any more.
        mutating func settle(_ store: History) -> Bool {
            if !unlogged.isEmpty {
                guard (try? store.logAlerts(unlogged)) != nil else { return false }
                unlogged.removeAll()
            }
            for (id, time) in delivered.sorted(by: { $0.key < $1.key }) {
                guard (try? store.markDelivered(id: id, at: time)) != nil else { return false }
                delivered[id] = nil
            }
            // The store's log says it all now (and later changes are planned from the store).
            told.removeAll()
            return true
        }
    }

    /// Tells each hook about events the store has not taken (it fails), straight away: what the planner
    /// would queue, posted now, remembered in `memory` (a hook that fails is tried again at the next scan).
    func tellUnstored(
        _ events: [(event: DetectedEvent, open: Bool)], at time: Double, client: HTTPClient, memory: inout Told
    ) async {
        for hook in hooks {
            for (e, open) in events {
                let subject = "event:\(e.id)"
                let key = hook.id + " " + subject
                // Read from the store's log when it can be read (a full disk still reads).
                let told = memory.told[key] ?? (try? store.alertLog(hook: hook.id, subject: subject))?.told
                for draft in AlertPlanner.plan(event: e, open: open, told: told) {
                    let body = hook.body(draft.kind, event: e, time: time, dashboard: dashboard)
                    if let failure = await post(body, to: hook.url, client: client) {
                        onReport("webhook \(hook.label): \(failure); the store fails too, retrying at the next scan")
                        break
                    }
                    memory.told[key] = draft.told
                    memory.unlogged.append((hook.id, subject, draft.told, time))
                }
            }
        }
    }

    /// Posts a hook's queue in order, stopping at the first alert not yet due or failing. An entry posted
    /// whose delivery the store cannot record is remembered in `memory`, never posted again.
    func deliver(_ hook: Webhook, client: HTTPClient, memory: inout Told) async {
        guard let pending = try? store.pendingAlerts(hook: hook.id) else { return }
        for entry in pending where memory.delivered[entry.id] == nil {
            let t = now()
            guard entry.nextTry <= t else { return }
            let failure = await post(entry.body, to: hook.url, client: client)
            do {
                guard let failure else {
                    let at = now()
                    do {
                        try store.markDelivered(id: entry.id, at: at)
                    } catch {
                        memory.delivered[entry.id] = at
                        throw error
                    }
                    continue
                }
                if entry.attempts + 1 >= options.maxAttempts {
                    try store.giveUp(id: entry.id, error: failure, at: now())
                    onReport(
                        "webhook \(hook.label): gave up on \(entry.kind) \(entry.subject) after \(entry.attempts + 1) tries: \(failure)"
                    )
                    continue
                }
                let delay = min(options.maxBackoff, options.firstRetry * pow(2, Double(entry.attempts)))
                try store.markFailed(
                    id: entry.id, error: failure, retryAt: t + delay * Double.random(in: 0.8...1.2))
                if entry.attempts == 0 { onReport("webhook \(hook.label): \(failure); retrying with back-off") }
            } catch {
                onReport("webhooks: \(error)")
            }
            return
        }
    }

    /// Posts one body; nil on a 2xx answer, else what went wrong. A redirect (301, 302, 303, 307, 308) is
    /// followed, at most three times, only when it stays on the hook's scheme, host and port; one to any
    /// other address is a failure that names the host it wanted, never a post there.
    func post(_ body: String, to url: String, client: HTTPClient) async -> String? {
        var target = url
        for _ in 0...3 {
            var request = HTTPClientRequest(url: target)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "vigil")
            request.body = .bytes(ByteBuffer(string: body))
            do {
                let response = try await client.execute(
                    request, timeout: .milliseconds(Int64(options.timeout * 1000)))
                _ = try? await response.body.collect(upTo: 1 << 16)
                let code = Int(response.status.code)
                if (200..<300).contains(code) { return nil }
                guard [301, 302, 303, 307, 308].contains(code) else { return "HTTP \(code)" }
                guard let location = response.headers.first(name: "Location"),
                    let next = URL(string: location, relativeTo: URL(string: target))?.absoluteURL,
                    let from = URL(string: target)
                else { return "HTTP \(code) without a usable Location" }
                guard next.scheme == from.scheme, next.host == from.host, next.port == from.port else {
                    return
                        "HTTP \(code) redirect to \(next.host ?? "another address") not followed (only the hook's own host)"
                }
                target = next.absoluteString
            } catch {
                return Self.describe(error)
            }
        }
        return "more than 3 redirects"
    }

    /// A client error in words that never repeat the URL (AsyncHTTPClient's errors may hold it).
    static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        guard text.contains("://") else { return text }
        return "request failed (\(type(of: error)))"
    }

}
