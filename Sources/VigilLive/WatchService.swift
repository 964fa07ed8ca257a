import BGP
import BMP
import Foundation
import Logging
import MRT
import RISLive
import ServiceLifecycle
import Vigil
import VigilClock
import VigilStore

/// `vigil watch` as a service: RIS Live and BMP sources feeding one engine, the target's probes, a
/// one-second clock, and feed-health bookkeeping, until a graceful shutdown (SIGINT, SIGTERM) or cancellation.
public struct WatchService: Service {
    /// What to run.
    public struct Options: Sendable {
        /// RIS Live, or nil for none.
        public var risLive: RISLiveConfiguration?
        /// A BMP listener, or nil for none.
        public var bmp: BMPListener?
        /// Signals older than this many days are pruned (0: keep everything).
        public var retentionDays: Double = 365
        /// Seconds between clock ticks.
        public var tickInterval: Double = 1
        /// The target's probes, or nil for none.
        public var probes: ProbeScheduler?
        /// Where the store's health is reported for `vigil status` (beside the store), or nil.
        public var healthFile: StoreHealthFile?
        /// The clock the service ticks by and stamps with (feed gaps, a lost router, the heartbeat).
        public var clock: any EpochClock = SystemClock()

        /// Nothing yet.
        public init() {}
    }

    /// The engine everything feeds.
    public let engine: LiveEngine
    /// What to run.
    public let options: Options
    /// The logger.
    public let logger: Logger
    /// Reports a source's state changes (connected, gap, canary), for the console.
    public let onFeed: @Sendable (String) -> Void
    /// Called with the BMP port once bound.
    public let onBMPBound: (@Sendable (Int) -> Void)?

    /// A service.
    public init(
        engine: LiveEngine, options: Options, logger: Logger, onFeed: @escaping @Sendable (String) -> Void = { _ in },
        onBMPBound: (@Sendable (Int) -> Void)? = nil
    ) {
        self.engine = engine
        self.options = options
        self.logger = logger
        self.onFeed = onFeed
        self.onBMPBound = onBMPBound
    }

    /// The service's clock now, seconds since the epoch.
    func now() -> Double { options.clock.seconds }

    public func run() async throws {
        engine.reportHealth(to: options.healthFile)
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                if let ris = options.risLive { group.addTask { await runRISLive(ris) } }
                if let bmp = options.bmp {
                    group.addTask {
                        try await bmp.run(
                            sink: BMPFeed(engine: engine, logger: logger, onFeed: onFeed, now: bmp.clock),
                            bound: onBMPBound)
                    }
                }
                if let probes = options.probes, !probes.requests.isEmpty { group.addTask { await probes.run() } }
                group.addTask { try await runClock() }
                try await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            logger.info("shutting down")
        }
    }

    /// Ticks the engine every second; prunes old history once an hour.
    func runClock() async throws {
        var lastPrune = 0.0
        var lastBeat = 0.0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await options.clock.sleep(seconds: options.tickInterval)
            } catch {
                break
            }
            let now = self.now()
            // Nothing here waits for the store: the engine commits on its own thread, and the health it
            // reports is the last commit's, so the report beside the store stays fresh while a commit
            // waits for a lock held elsewhere.
            engine.tick(now: now)
            if now - lastBeat >= 5, let store = engine.store {
                lastBeat = now
                // Beside the store, for `vigil status`: said also while the store cannot be written (the
                // engine also reports it as soon as a commit finds the store failing or working again).
                options.healthFile?.write(engine.storeHealth, storePath: store.path, at: now)
                let rule = engine.votingRule
                let counters = engine.counters.json
                let logger = logger
                // Bookkeeping in the store, after the commits; it waits while the store fails.
                engine.withStore { store in
                    do {
                        try store.set("heartbeat", "\(now)")
                        try store.set("voting_rule", rule)
                        try store.set("counters", counters)
                    } catch {
                        logger.warning("heartbeat not written: \(error)")
                    }
                }
            }
            if options.retentionDays > 0, now - lastPrune > 3600 {
                lastPrune = now
                let before = now - options.retentionDays * 86400
                let days = Int(options.retentionDays)
                let logger = logger
                engine.withStore { store in
                    do {
                        let removed = try store.prune(before: before)
                        if removed > 0 { logger.info("pruned \(removed) rows older than \(days) days") }
                    } catch {
                        logger.warning("\(error)")
                    }
                }
            }
        }
        let end = now()
        // Writes what it can; throws, saying what was not written, when the store still fails.
        try engine.shutdown(now: end)
        try engine.store?.set("stopped", "\(end)")
    }

    /// Runs the RIS Live client into the engine, recording every disconnection as a feed gap.
    func runRISLive(_ configuration: RISLiveConfiguration) async {
        let client = RISLiveClient(configuration: configuration, logger: logger, clock: options.clock)
        let gap = GapTracker(engine: engine, source: "ris-live")
        let feed = onFeed
        let engine = self.engine
        await client.run { event in
            switch event {
            case .connected(let attempt):
                gap.end(at: now())
                feed("RIS Live connected (connection \(attempt)) to \(configuration.url)")
            case .message(let m):
                engine.apply(m)
            case .serverError(let text):
                feed("RIS Live error: \(text)")
            case .malformed(let frame, let error):
                engine.noteSkippedRISFrame()
                feed("RIS Live frame \(frame) skipped: \(error)")
            case .disconnected(let reason, let retry):
                gap.begin(at: now(), reason: reason)
                feed("RIS Live disconnected (\(reason)); feed gap recorded; retrying in \(Int(retry.rounded())) s")
            case .canary(let silent, let since):
                feed(
                    silent
                        ? "feed health: RIS beacon silent since \(UTCTime.iso(since))"
                        : "feed health: RIS beacon heard again")
            }
        }
    }
}

/// Turns a source's disconnections into feed gaps in the store.
final class GapTracker: Sendable {
    let engine: LiveEngine
    let source: String
    /// The start of the gap under way, if any.
    private let open = Locked<Double?>(nil)

    init(engine: LiveEngine, source: String) {
        self.engine = engine
        self.source = source
    }

    func begin(at time: Double, reason: String) {
        let started: Bool = open.withLock { start in
            guard start == nil else { return false }
            start = time
            return true
        }
        if started { engine.feedGap(source: source, start: time, reason: reason) }
    }

    func end(at time: Double) {
        let start: Double? = open.withLock { start in
            defer { start = nil }
            return start
        }
        if let start { engine.endFeedGap(source: source, start: start, end: time) }
    }
}

/// Feeds BMP routers into the engine.
struct BMPFeed: BMPSink {
    let engine: LiveEngine
    let logger: Logger
    let onFeed: @Sendable (String) -> Void
    /// The clock that stamps what the routers say: the listener's.
    var now: @Sendable () -> Double = { SystemClock().seconds }

    func routerConnected(_ router: BMPRouter) { onFeed("BMP router \(router) connected") }

    func refused(address: String, reason: String) {
        engine.noteRefusedBMP()
        onFeed("BMP connection from \(address) refused: \(reason)")
    }

    func elements(_ elements: [RouteElement], router: BMPRouter) {
        engine.apply(elements: elements, collector: router.name)
    }

    func problem(_ error: BMPDecodingError, router: BMPRouter) {
        engine.noteSkippedBMP()
        onFeed("BMP \(router): \(error)")
    }

    func routerDisconnected(_ router: BMPRouter, diagnostics: BMPDiagnostics, truncated: BMPDecodingError?) {
        var text = "BMP router \(router) disconnected after \(diagnostics.totalMessages) messages"
        if diagnostics.skippedBytes > 0 {
            text += ", \(diagnostics.skippedBytes) bytes skipped in \(diagnostics.resynchronisations) resyncs"
        }
        if let truncated { text += "; \(truncated)" }
        onFeed(text)
        // Its sessions are unknown from now on: they leave the vote, as a peer down does.
        engine.routerLost(router.name, at: now())
    }
}
