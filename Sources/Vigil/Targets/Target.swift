import BGP

/// A network Vigil watches: its address space, the ASes that may originate it, the upstreams it is
/// expected to reach the world through, the hosts to probe, and the thresholds its detector uses.
public struct Target: Sendable, Hashable {
    /// Short name used on the command line and in output (`north-korea`).
    public var name: String
    /// One line for people.
    public var summary: String
    /// ASes allowed to originate the target's prefixes; any other origin is a hijack.
    public var originASNs: Set<UInt32>
    /// The watched prefixes: covering blocks and announced prefixes alike.
    public var prefixes: [IPPrefix]
    /// Expected upstreams and their names. Only a hint: the upstreams actually seen are learned from data.
    public var upstreams: [UInt32: String]
    /// Hosts for active probing, as `name` or `name:port` (TCP), or as a probe URL (`icmp://name`,
    /// `dns://server/zone`, `https://name/`...). See `probeURLs`.
    public var probeHosts: [String]
    /// How often and how patiently `vigil watch` probes them.
    public var probeSchedule = ProbeSchedule()
    /// The detector's thresholds for this target.
    public var thresholds: Thresholds
    /// True when `originASNs` come from a registry (a country's delegated ASes): a hint of who holds the
    /// space, not the rule. The origins the routes showed before decide what a hijack is (`OriginBaseline`).
    public var originsFromRegistry = false

    /// Creates a target.
    public init(
        name: String, summary: String = "", originASNs: Set<UInt32>, prefixes: [IPPrefix],
        upstreams: [UInt32: String] = [:], probeHosts: [String] = [], thresholds: Thresholds = Thresholds()
    ) {
        self.name = name
        self.summary = summary
        self.originASNs = originASNs
        self.prefixes = prefixes
        self.upstreams = upstreams
        self.probeHosts = probeHosts
        self.thresholds = thresholds
    }

    /// An expected upstream's name, nil when it has none (a targets file lists upstreams by number only).
    public func upstreamName(_ asn: UInt32) -> String? {
        guard let name = upstreams[asn], !name.isEmpty else { return nil }
        return name
    }

    /// The probe URLs the hosts stand for: a URL as written, `name:port` as TCP to that port, a bare
    /// name as TCP to port 80. TCP is the default because it crosses filters best.
    public var probeURLs: [String] { probeHosts.map(Self.probeURL) }

    /// The probe URL one entry of `probeHosts` stands for.
    public static func probeURL(_ host: String) -> String {
        host.contains("://") ? host : (host.contains(":") ? "tcp://\(host)" : "tcp://\(host):80")
    }

    /// The prefixes whose reachability is tracked one by one: the watched prefixes that contain no
    /// other watched prefix (North Korea's four /24s, not the /22 that only covers them).
    public var trackedPrefixes: [IPPrefix] {
        // Sorted by address then length, everything inside a prefix comes right after it: a prefix
        // contains another watched prefix exactly when it contains its successor.
        let sorted = Set(prefixes).sorted()
        return sorted.indices.compactMap { i in
            i + 1 < sorted.count && sorted[i].contains(sorted[i + 1]) ? nil : sorted[i]
        }
    }
}

/// The numbers behind the detector's decisions. Durations are in seconds of routing-message time, so a
/// compressed lab recording is judged with proportionally compressed durations (`scaled(by:)`).
public struct Thresholds: Sendable, Hashable {
    /// A prefix is up while at least this fraction of voting peers sees it.
    public var visibleFraction: Double = 0.5
    /// A peer votes when its table holds more than this many IPv4 prefixes (IODA's rule)...
    public var fullFeedIPv4: Int = 400_000
    /// ...or more than this many IPv6 prefixes.
    public var fullFeedIPv6: Int = 10_000
    /// Withdrawals this close together count as one simultaneous loss (route propagation, path hunting).
    public var transient: Double = 90
    /// A prefix that fails again within this long after recovering continues the same event.
    public var mergeWindow: Double = 600
    /// An event with this many losses of one prefix is instability (flapping), not an outage.
    public var flapCount: Int = 3
    /// An upstream whose own prefixes fall below this fraction of their baseline is down itself.
    public var upstreamOwnFraction: Double = 0.5
    /// Losing this fraction of the voting peers' sessions at once is a feed problem.
    public var feedLossFraction: Double = 0.5
    /// An outage opens when at least this share of the target's address space (in /24 equivalents, of the
    /// prefixes visible in its baseline) is dark, or twice the share its quiet baseline itself varies by,
    /// whichever is more; it ends when the dark share is back under half of that. A single /24 of North
    /// Korea's four is 25%, so small targets keep per-prefix sensitivity; one prefix of a country's
    /// thousands is far below it.
    public var outageShare: Double = 0.01
    /// ...and at least `minDarkPrefixes(n)` of its n tracked prefixes are dark: ⌈√n × this⌉. Unrelated
    /// prefixes come and go every hour, and in a target of n prefixes their number varies by about √n
    /// (counts of independent rare losses); a bar growing as √n keeps false alarms as rare for a country
    /// as for a network while one prefix of four (North Korea) still counts.
    public var darkPrefixScale: Double = 0.25

    /// The fewest dark prefixes that make an outage of a target tracking `n` prefixes.
    public func minDarkPrefixes(_ n: Int) -> Int {
        max(1, Int((Double(max(n, 0)).squareRoot() * darkPrefixScale).rounded(.up)))
    }
    /// A prefix dark this long outside an event leaves the baseline: prefixes disappear for good every day.
    public var goneAfter: Double = 3600
    /// Without a RIB, the first updates this long are the baseline of who announces what.
    public var learningWindow: Double = 900
    /// A hijack or a route leak is reported once at least this many peers carry it (or every peer up, when
    /// fewer are). One: a same-length hijack may win at only the peers nearest the hijacker (the lab's
    /// reaches one collector peer of six); learned baselines, not a peer count, keep storms quiet.
    public var minPeers: Int = 1

    /// The defaults.
    public init() {}

    /// The same thresholds with every duration divided by `factor` (a lab recording made `factor` times
    /// faster than real time).
    public func scaled(by factor: Double) -> Thresholds {
        var t = self
        t.transient /= factor
        t.mergeWindow /= factor
        t.goneAfter /= factor
        t.learningWindow /= factor
        return t
    }
}

extension Target {
    /// North Korea: AS131279 and 175.45.176.0/22 with its four announced /24s, reached through China
    /// Unicom (AS4837) and TransTeleCom (AS20485). See DESIGN.md for the sources of these facts.
    public static let northKorea = Target(
        name: "north-korea",
        summary: "North Korea (KP): AS131279, 175.45.176.0/22, upstreams China Unicom and TransTeleCom",
        originASNs: [131279],
        prefixes: ["175.45.176.0/22", "175.45.176.0/24", "175.45.177.0/24", "175.45.178.0/24", "175.45.179.0/24"]
            .compactMap { IPPrefix($0) },
        upstreams: [4837: "China Unicom", 20485: "TransTeleCom"],
        probeHosts: [
            "ns1.kptc.kp:53", "ns2.kptc.kp:53", "kcna.kp:443", "rodong.rep.kp:443", "naenara.com.kp:443",
            "smtp.star-co.net.kp:25",
        ]
    )

    /// The targets built into Vigil.
    public static let builtIn: [Target] = [.northKorea]
}
