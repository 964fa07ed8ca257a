import ArgumentParser
import BGP
import BMP
import Foundation
import Logging
import RISLive
import ServiceLifecycle
import Vigil
import VigilLive
import VigilServer
import VigilStore

/// `vigil watch`: live monitoring, the main job.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch targets live (North Korea by default) from RIS Live and BMP, keeping history in SQLite.",
        discussion: """
            Subscribes on RIPE RIS Live to the target's prefixes (with more- and less-specifics), to the paths its \
            origin ASes and its expected upstreams originate, to a RIS beacon (a canary for feed health) and to \
            peer state changes. With --bmp it also listens for BMP routers. Several targets (--target and --country \
            repeated, --all-targets, --all-countries) are watched by one process: one set of subscriptions (the \
            union), one BMP listener, one store and one dashboard; each event and notice names its target. Events open and close the moment \
            the evidence arrives and are committed to the store (--store) before they are printed; \
            `vigil events` and `vigil status` read the store, also while watch runs.

            Start-up: routes and open events kept in the store are restored, so a restart resumes; --rib FILE \
            seeds every peer's table from an MRT RIB snapshot (the full-feed voting rule then applies). Without \
            a RIB, a filtered live stream cannot tell full feeds from partial ones: the peers that carried a \
            route to the target vote (`vigil status` says which rule is in force). A lost connection is a feed \
            gap, never withdrawals. Stops cleanly on SIGINT or SIGTERM.

            Dashboard and API: served on http://127.0.0.1:8080/ by default (--host, --port, --no-http), as \
            `vigil serve` serves them. Probes: the target's hosts (`vigil targets` lists them) are probed once a \
            minute each, with traceroutes when one stops answering; when every host fails while the routes stay \
            up, a data-plane event opens (cause data-plane, or attack when loss and delay rose first). Alerts: --webhook URL (JSON) and --slack-webhook URL get event start, \
            update and end, and feed lost and restored, exactly once each; they wait in the store's outbox \
            while a receiver is down, also across restarts.
            """
    )

    @OptionGroup var targetOptions: TargetOptions

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: ArgumentHelp("RIS Live websocket URL.", valueName: "url"))
    var risLive = "wss://ris-live.ripe.net/v1/ws/?client=vigil"

    @Flag(name: .long, help: "Do not connect to RIS Live (BMP only).")
    var noRisLive = false

    @Option(name: .long, help: ArgumentHelp("Listen for BMP routers on this address.", valueName: "host:port"))
    var bmp: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Addresses BMP routers may connect from, comma-separated prefixes (default: 127.0.0.0/8,::1/128). Others are closed at accept and logged; BMP itself has no authentication.",
            valueName: "cidr,..."))
    var bmpAllow: String?

    @Option(name: .long, help: "Most BMP routers connected at once; more are closed at accept.")
    var bmpMaxRouters = 64

    @Option(name: .long, help: ArgumentHelp("MRT RIB snapshot to seed every peer's table from.", valueName: "file"))
    var rib: [String] = []

    @Option(name: .long, help: "Signal bin length in seconds.")
    var bin: Double = 60

    @OptionGroup var rules: RuleOptions

    @Option(
        name: .long,
        help: ArgumentHelp("Keep signals and closed events this many days (0: forever).", valueName: "days"))
    var retentionDays: Double = 365

    @Option(
        name: .long, help: ArgumentHelp("RIS beacon silence that raises a feed-health alarm.", valueName: "seconds"))
    var canarySilence: Double = 3 * 3600

    @OptionGroup(title: "Probes") var probes: WatchProbeOptions

    @OptionGroup(title: "Dashboard and API") var http: HTTPOptions

    @Flag(name: .long, help: "Do not serve the dashboard and API.")
    var noHttp = false

    @OptionGroup(title: "Alerts") var alerts: AlertOptions

    @Flag(name: .long, help: "Print events as JSON lines (as `vigil replay --json`).")
    var json = false

    @Flag(name: .long, help: "Print only events, no notices or feed messages.")
    var quiet = false

    func validate() throws {
        if !(0.001...86400).contains(bin) {
            throw ValidationError("--bin must be from 0.001 to 86400 seconds, not \(bin)")
        }
        if !(0...36500).contains(retentionDays) {
            throw ValidationError("--retention-days must be from 0 (forever) to 36500, not \(retentionDays)")
        }
        if !(60...(30 * 86400)).contains(canarySilence) {
            throw ValidationError("--canary-silence must be from 60 seconds to 30 days, not \(canarySilence)")
        }
        if let bmp, Self.hostPort(bmp) == nil {
            throw ValidationError("--bmp takes HOST:PORT, such as 127.0.0.1:11019, not \(bmp)")
        }
        if noRisLive && bmp == nil { throw ValidationError("--no-ris-live leaves no source: add --bmp HOST:PORT") }
        _ = try Self.allowList(bmpAllow)
        if !(1...10_000).contains(bmpMaxRouters) {
            throw ValidationError("--bmp-max-routers must be from 1 to 10000, not \(bmpMaxRouters)")
        }
        try probes.check()
    }

    /// The prefixes of `--bmp-allow` (nil: the default, loopback only).
    static func allowList(_ text: String?) throws -> [IPPrefix]? {
        guard let text else { return nil }
        var out: [IPPrefix] = []
        for part in text.split(separator: ",") {
            let item = part.trimmingCharacters(in: .whitespaces)
            if let p = IPPrefix(item) {
                out.append(p)
            } else if let a = IPAddress(Substring(item)) {
                out.append(IPPrefix(address: a, length: a.family.bitWidth))
            } else {
                throw ValidationError("--bmp-allow takes addresses or prefixes such as 192.0.2.0/24, not '\(item)'")
            }
        }
        guard !out.isEmpty else { throw ValidationError("--bmp-allow needs at least one address or prefix") }
        return out
    }

    static func hostPort(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }

    func run() async throws {
        var targets = try targetOptions.resolveAll()
        let thresholds = targets.indices.map { rules.apply(to: &targets[$0]) }
        for i in targets.indices { probes.apply(to: &targets[i]) }
        let byName = Dictionary(targets.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let store = storeOptions.store
        let out = Console()
        let err = Console(errors: true)
        let history: History
        do {
            history = try History(path: store)
        } catch {
            throw RuntimeError("\(error)")
        }
        let json = self.json
        let quiet = self.quiet
        let many = targets.count > 1
        let first = targets[0]
        let relationships = try rules.relationships {
            FileHandle.standardError.write(Data("vigil: warning: \($0)\n".utf8))
        }
        let engine = LiveEngine(
            targets: targets, store: history, binSeconds: bin, thresholds: thresholds, relationships: relationships,
            output: { output in
                switch output {
                case .storeFailing(let h):
                    err.say(
                        "vigil: error: the store fails: \(h.error ?? "") — events are still reported and kept in memory "
                            + "(waiting: \(h.waiting)); retrying with back-off")
                case .storeRecovered(let since, let written):
                    err.say("vigil: the store works again (failing since \(UTCTime.iso(since))); written: \(written)")
                case .notice(let n, let name):
                    if !quiet && !json { out.say(n.text(target: name, namingTarget: many)) }
                case .opened(let e), .updated(let e), .closed(let e):
                    if json {
                        out.say(e.jsonLine)
                    } else if case .opened = output {
                        out.say(e.text(target: byName[e.target] ?? first, label: "EVENT OPEN"))
                    } else if case .closed = output {
                        out.say(e.text(target: byName[e.target] ?? first, label: "EVENT CLOSED"))
                    } else if !quiet {
                        out.say(
                            "EVENT \(e.id) updated: \(many ? e.target + ", " : "")\(e.cause.rawValue), \(e.prefixes.count) prefixes"
                        )
                    }
                }
            })
        let resumed = try engine.resume(now: WatchService.now())
        if !quiet {
            if many {
                let names = targets.prefix(8).map(\.name).joined(separator: ", ") + (targets.count > 8 ? ", ..." : "")
                let prefixes = targets.reduce(0) { $0 + $1.prefixes.count }
                err.say(
                    "vigil: watching \(targets.count) targets (\(names); \(prefixes) prefixes in all); history in \(store)"
                )
            } else {
                err.say(
                    "vigil: watching \(first.name) (\(first.summary.isEmpty ? "\(first.prefixes.count) prefixes" : first.summary)); history in \(store)"
                )
            }
            if resumed.routes > 0 || resumed.resumedEvents > 0 {
                err.say(
                    "vigil: resumed \(resumed.routes) routes and \(resumed.resumedEvents) open events from the store")
            }
        }
        if !rib.isEmpty && resumed.routes > 0 {
            // The store's routes are newer than any snapshot given at start-up, and a RIB would bring back
            // routes withdrawn since it was taken.
            err.say(
                "vigil: the store holds the state of the last run; --rib is not read (start on a new store to seed from a RIB)"
            )
        } else if !rib.isEmpty {
            let seeded = try RIBSeeder.seed(engine, paths: rib) { err.say("vigil: warning: \($0)") }
            if !quiet { err.say("vigil: seeded \(seeded.elements) routes from \(rib.count) RIB file(s)") }
        }
        engine.settleVotes()
        if !quiet { err.say("vigil: voting rule: \(engine.votingRule)") }
        try history.set("voting_rule", engine.votingRule)

        var options = WatchService.Options()
        options.retentionDays = retentionDays
        let healthFile = StoreHealthFile(storePath: store)
        do {
            try healthFile.create()
            options.healthFile = healthFile
        } catch {
            err.say("vigil: warning: \(error); vigil status will not see the store's failures")
        }
        if !noRisLive {
            var ris = RISLiveConfiguration()
            ris.url = risLive
            ris.canarySilence = canarySilence
            ris.subscriptions = RISSubscription.covering(targets)
            options.risLive = ris
        }
        if let bmp, let (host, port) = Self.hostPort(bmp) {
            var listener = BMPListener(host: host, port: port)
            if let allowed = try Self.allowList(bmpAllow) { listener.allowed = allowed }
            listener.maxRouters = bmpMaxRouters
            options.bmp = listener
            if BMPListener.isWildcard(host) {
                err.say(
                    "vigil: warning: BMP listens on every address (\(host)); BMP has no authentication, so only --bmp-allow "
                        + "(now \(listener.allowed.map(\.description).joined(separator: ","))) keeps other machines' messages out"
                )
            }
        }
        var logger = Logger(label: "vigil")
        logger.logLevel = .warning
        options.probes = try probes.scheduler(
            engine: engine, targets: targets, say: { text in if !quiet { err.say("vigil: \(text)") } })
        let service = WatchService(
            engine: engine, options: options, logger: logger,
            onFeed: { text in if !quiet { err.say("vigil: \(text)") } },
            onBMPBound: { port in if !quiet { err.say("vigil: BMP listening on port \(port)") } })
        var services: [any Service] = [service]
        let http = self.http
        if !noHttp {
            let server = VigilHTTPServer(
                store: history, host: http.host, port: http.port, apiToken: try http.token(), limits: http.limits,
                health: { engine.storeHealth })
            services.append(
                server.application(logger: logger) { bound in
                    if !quiet {
                        err.say("vigil: dashboard on \(http.url(port: bound))/ (API under /api/v1)")
                        if let note = http.exposureNote { err.say("vigil: \(note)") }
                    }
                })
        }
        let hooks = alerts.hooks
        if !hooks.isEmpty {
            services.append(
                WebhookDispatcher(
                    store: history, hooks: hooks, dashboard: noHttp ? nil : http.url(port: http.port),
                    unstored: { engine.unstoredEvents }, onReport: { text in err.say("vigil: \(text)") }))
            if !quiet { err.say("vigil: alerts to \(hooks.count) webhook\(hooks.count == 1 ? "" : "s")") }
        }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            let inUse = "\(error)".contains("Address already in use")
            err.say(
                "vigil: error: \(error)"
                    + (inUse
                        ? " (a port is taken: the dashboard's \(http.host):\(http.port) or the BMP listener's; choose others with --port or --bmp, or --no-http)"
                        : ""))
            throw ExitCode(1)
        }
        let c = engine.counters
        if !quiet {
            err.say(
                "vigil: stopped; \(c.risMessages) RIS Live messages, \(c.elementRoutes) BMP/RIB routes, \(c.eventsOpened) events opened, \(c.eventsClosed) closed"
            )
        }
    }
}
