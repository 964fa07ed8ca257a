import BGP
import RISLive
import Vigil

extension RISSubscription {
    /// The RIS Live subscriptions that bring everything about `target`: its prefixes with their more- and
    /// less-specifics (a prefix inside another listed one is already covered), and the routes its origins
    /// and its expected upstreams originate (`ASN$` paths).
    public static func covering(_ target: Target) -> [RISSubscription] { covering([target]) }

    /// One set of subscriptions for several targets: the union of what each needs, each prefix and AS
    /// once (a prefix inside another target's is already covered by it).
    public static func covering(_ targets: [Target]) -> [RISSubscription] {
        var seen = Set<IPPrefix>()
        let all = targets.flatMap(\.prefixes).filter { seen.insert($0).inserted }
        // A prefix is covered when one of its shorter prefixes is listed (at most 128 lookups each).
        let outer = all.filter { p in
            !(0..<Int(p.length)).contains { seen.contains(IPPrefix(address: p.address, length: $0)) }
        }
        var subs = outer.map { p in
            var s = RISSubscription(prefix: p.description)
            s.lessSpecific = true
            return s
        }
        let origins = Set(targets.flatMap(\.originASNs))
        let upstreams = Set(targets.flatMap(\.upstreams.keys)).subtracting(origins)
        subs += origins.sorted().map { RISSubscription(path: "\($0)$") }
        subs += upstreams.sorted().map { RISSubscription(path: "\($0)$") }
        return subs
    }
}
