import ArgumentParser
import BGP
import BMP
import Foundation
import RISLive
import Vigil
import VigilApp
import VigilLive

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
        let err = Console(errors: true)
        var c = WatchApp.Configuration(targets: targets, storePath: storeOptions.store)
        c.thresholds = thresholds
        c.binSeconds = bin
        c.relationships = try rules.relationships { err.say("vigil: warning: \($0)") }
        c.ribs = rib
        c.retentionDays = retentionDays
        c.json = json
        c.quiet = quiet
        if !noRisLive {
            var ris = RISLiveConfiguration()
            ris.url = risLive
            ris.canarySilence = canarySilence
            ris.subscriptions = RISSubscription.covering(targets)
            c.risLive = ris
        }
        if let bmp, let (host, port) = Self.hostPort(bmp) {
            var listener = BMPListener(host: host, port: port)
            if let allowed = try Self.allowList(bmpAllow) { listener.allowed = allowed }
            listener.maxRouters = bmpMaxRouters
            c.bmp = listener
        }
        if !noHttp {
            c.http = WatchApp.HTTP(
                host: http.host, port: http.port, token: try http.token(), limits: http.limits,
                exposureNote: http.exposureNote)
        }
        c.hooks = alerts.hooks
        let quiet = self.quiet
        c.probes = try probes.probes(for: targets) { text in if !quiet { err.say("vigil: \(text)") } }
        let out = Console()
        do {
            _ = try await WatchApp(configuration: c, out: { out.say($0) }, err: { err.say($0) }).run()
        } catch let failure as WatchApp.Failure {
            throw RuntimeError(failure.description)
        }
    }
}
