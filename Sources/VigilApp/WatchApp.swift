import BGP
import BMP
import Foundation
import Logging
import Probing
import RISLive
import ServiceLifecycle
import Vigil
import VigilClock
import VigilLive
import VigilServer
import VigilStore

/// `vigil watch` assembled from its parts: the store, the live engine for every target, what it says on
/// the console, start-up (resume from the store, or seed from RIB files), the sources (RIS Live, BMP),
/// the probes, the dashboard and API, the webhooks, and the service group that runs them until SIGINT or
/// SIGTERM. The CLI only turns its options into a `Configuration`.
public struct WatchApp: Sendable {
    /// What to watch and how; everything the command line says, checked.
    public struct Configuration: Sendable {
        /// The targets, and the rules for each (one `Thresholds` per target).
        public var targets: [Target]
        public var thresholds: [Thresholds]
        /// Signal bin length, seconds.
        public var binSeconds: Double = 60
        /// AS relationships for route leaks (nil: inferred from the data).
        public var relationships: ASRelationships?
        /// The SQLite file.
        public var storePath: String
        /// RIS Live (nil: not used).
        public var risLive: RISLiveConfiguration?
        /// A BMP listener (nil: none).
        public var bmp: BMPListener?
        /// MRT RIB snapshots to seed every peer's table from (read only when the store holds no routes).
        public var ribs: [String] = []
        /// Signals and closed events older than this many days are pruned (0: never).
        public var retentionDays: Double = 365
        /// The dashboard and API (nil: not served).
        public var http: HTTP?
        /// Webhooks for alerts.
        public var hooks: [Webhook] = []
        /// Probes of the targets' hosts (nil: none).
        public var probes: Probes?
        /// Events as JSON lines; only events on the console.
        public var json = false
        public var quiet = false
        /// The clock everything waits by and stamps with (the machine's; a test's own for tests).
        public var clock: any EpochClock = SystemClock()

        /// A configuration for `targets` (their own thresholds) with history in `storePath`.
        public init(targets: [Target], storePath: String) {
            self.targets = targets
            thresholds = targets.map(\.thresholds)
            self.storePath = storePath
        }
    }

    /// The dashboard and API.
    public struct HTTP: Sendable {
        public var host: String
        public var port: Int
        /// The bearer token for writes (nil: writes refused).
        public var token: String?
        public var limits: ServerLimits
        /// Said at start-up when the server listens on every address.
        public var exposureNote: String?

        public init(host: String, port: Int, token: String?, limits: ServerLimits, exposureNote: String? = nil) {
            self.host = host
            self.port = port
            self.token = token
            self.limits = limits
            self.exposureNote = exposureNote
        }

        /// The address to show and to link to ("http://127.0.0.1:8080").
        public func url(port bound: Int) -> String { VigilHTTPServer.displayURL(host: host, port: bound) }
    }

    /// The probe schedule: what to probe and how gently.
    public struct Probes: Sendable {
        public var requests: [ProbeRequest]
        public var schedule: ProbeSchedule
        public var maxRate: Double
        public var traces: Bool
        public var prefixToAS: PrefixToAS?

        public init(
            requests: [ProbeRequest], schedule: ProbeSchedule, maxRate: Double, traces: Bool, prefixToAS: PrefixToAS?
        ) {
            self.requests = requests
            self.schedule = schedule
            self.maxRate = maxRate
            self.traces = traces
            self.prefixToAS = prefixToAS
        }
    }

    /// A failure while starting (the store cannot be opened, a RIB cannot be read) or running (a port is
    /// taken): one line that names what failed.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// What to watch.
    public let configuration: Configuration
    /// Where the console's lines go: events and notices, and everything else (start-up, feeds, errors).
    public let out: @Sendable (String) -> Void
    public let err: @Sendable (String) -> Void

    /// An app for `configuration`, saying its lines to `out` and `err`.
    public init(
        configuration: Configuration, out: @escaping @Sendable (String) -> Void,
        err: @escaping @Sendable (String) -> Void
    ) {
        self.configuration = configuration
        self.out = out
        self.err = err
    }

    /// The console's line for what the engine reported (nil: nothing to say with these options).
    static func line(
        _ output: LiveOutput, json: Bool, quiet: Bool, targets: [String: Target], first: Target
    ) -> (text: String, toErrors: Bool)? {
        let many = targets.count > 1
        switch output {
        case .storeFailing(let h):
            return (
                "vigil: error: the store fails: \(h.error ?? "") — events are still reported and kept in memory "
                    + "(waiting: \(h.waiting)); retrying with back-off", true
            )
        case .storeRecovered(let since, let written):
            return ("vigil: the store works again (failing since \(UTCTime.iso(since))); written: \(written)", true)
        case .notice(let n, let name):
            return quiet || json ? nil : (n.text(target: name, namingTarget: many), false)
        case .opened(let e), .updated(let e), .closed(let e):
            if json { return (e.jsonLine, false) }
            if case .opened = output { return (e.text(target: targets[e.target] ?? first, label: "EVENT OPEN"), false) }
            if case .closed = output {
                return (e.text(target: targets[e.target] ?? first, label: "EVENT CLOSED"), false)
            }
            return quiet
                ? nil
                : (
                    "EVENT \(e.id) updated: \(many ? e.target + ", " : "")\(e.cause.rawValue), \(e.prefixes.count) prefixes",
                    false
                )
        }
    }

    /// Runs until SIGINT or SIGTERM (or until the task is cancelled); returns the engine's counters.
    public func run() async throws -> LiveCounters {
        let c = configuration
        let (out, err) = (self.out, self.err)
        let say: @Sendable (String) -> Void = { text in if !c.quiet { err("vigil: \(text)") } }
        let history: History
        do {
            history = try History(path: c.storePath, clock: c.clock)
        } catch {
            throw Failure("\(error)")
        }
        let byName = Dictionary(c.targets.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let first = c.targets[0]
        // One clock for everything that waits or stamps.
        let clock = c.clock
        let engine = LiveEngine(
            targets: c.targets, store: history, binSeconds: c.binSeconds, thresholds: c.thresholds,
            relationships: c.relationships, clock: { clock.seconds },
            output: { output in
                guard
                    let (text, toErrors) = Self.line(
                        output, json: c.json, quiet: c.quiet, targets: byName, first: first)
                else { return }
                if toErrors { err(text) } else { out(text) }
            })
        let resumed: LiveEngine.ResumeSummary
        do {
            resumed = try engine.resume(now: clock.seconds)
        } catch {
            throw Failure("\(error)")
        }
        if c.targets.count > 1 {
            let names = c.targets.prefix(8).map(\.name).joined(separator: ", ") + (c.targets.count > 8 ? ", ..." : "")
            let prefixes = c.targets.reduce(0) { $0 + $1.prefixes.count }
            say(
                "watching \(c.targets.count) targets (\(names); \(prefixes) prefixes in all); history in \(c.storePath)"
            )
        } else {
            say(
                "watching \(first.name) (\(first.summary.isEmpty ? "\(first.prefixes.count) prefixes" : first.summary)); history in \(c.storePath)"
            )
        }
        if resumed.routes > 0 || resumed.resumedEvents > 0 {
            say("resumed \(resumed.routes) routes and \(resumed.resumedEvents) open events from the store")
        }
        if !c.ribs.isEmpty && resumed.routes > 0 {
            // The store's routes are newer than any snapshot given at start-up, and a RIB would bring back
            // routes withdrawn since it was taken.
            err(
                "vigil: the store holds the state of the last run; --rib is not read (start on a new store to seed from a RIB)"
            )
        } else if !c.ribs.isEmpty {
            let seeded: RIBSeeder.Summary
            do {
                seeded = try RIBSeeder.seed(engine, paths: c.ribs) { err("vigil: warning: \($0)") }
            } catch {
                throw Failure("\(error)")
            }
            say("seeded \(seeded.elements) routes from \(c.ribs.count) RIB file(s)")
        }
        engine.settleVotes()
        say("voting rule: \(engine.votingRule)")
        do {
            try history.set("voting_rule", engine.votingRule)
        } catch {
            throw Failure("\(error)")
        }

        var options = WatchService.Options()
        options.clock = clock
        options.retentionDays = c.retentionDays
        let healthFile = StoreHealthFile(storePath: c.storePath)
        do {
            try healthFile.create()
            options.healthFile = healthFile
        } catch {
            err("vigil: warning: \(error); vigil status will not see the store's failures")
        }
        options.risLive = c.risLive
        if var bmp = c.bmp {
            bmp.clock = { clock.seconds }
            options.bmp = bmp
            if BMPListener.isWildcard(bmp.host) {
                err(
                    "vigil: warning: BMP listens on every address (\(bmp.host)); BMP has no authentication, so only --bmp-allow "
                        + "(now \(bmp.allowed.map(\.description).joined(separator: ","))) keeps other machines' messages out"
                )
            }
        }
        var logger = Logger(label: "vigil")
        logger.logLevel = .warning
        if let p = c.probes, !p.requests.isEmpty {
            var probes = ProbeScheduler(
                engine: engine, requests: p.requests, schedule: p.schedule, maxRate: p.maxRate, traces: p.traces,
                prefixToAS: p.prefixToAS)
            probes.clock = clock
            options.probes = probes
        }
        let service = WatchService(
            engine: engine, options: options, logger: logger, onFeed: say,
            onBMPBound: { port in say("BMP listening on port \(port)") })
        var services: [any Service] = [service]
        if let http = c.http {
            var server = VigilHTTPServer(
                store: history, host: http.host, port: http.port, apiToken: http.token, limits: http.limits,
                health: { engine.storeHealth })
            server.clock = c.clock
            services.append(
                server.application(logger: logger) { bound in
                    say("dashboard on \(http.url(port: bound))/ (API under /api/v1)")
                    if let note = http.exposureNote { say(note) }
                })
        }
        if !c.hooks.isEmpty {
            services.append(
                WebhookDispatcher(
                    store: history, hooks: c.hooks, dashboard: c.http.map { $0.url(port: $0.port) },
                    clock: clock, unstored: { engine.unstoredEvents },
                    onReport: { text in err("vigil: \(text)") }))
            say("alerts to \(c.hooks.count) webhook\(c.hooks.count == 1 ? "" : "s")")
        }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            let inUse = "\(error)".contains("Address already in use")
            let ports = c.http.map { "the dashboard's \($0.host):\($0.port) or " } ?? ""
            throw Failure(
                "\(error)"
                    + (inUse
                        ? " (a port is taken: \(ports)the BMP listener's; choose others with --port or --bmp, or --no-http)"
                        : ""))
        }
        let counters = engine.counters
        say(
            "stopped; \(counters.risMessages) RIS Live messages, \(counters.elementRoutes) BMP/RIB routes, \(counters.eventsOpened) events opened, \(counters.eventsClosed) closed"
        )
        return counters
    }
}
