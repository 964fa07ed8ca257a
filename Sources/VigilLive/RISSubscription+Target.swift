import RISLive
import Vigil

extension RISSubscription {
    /// The RIS Live subscriptions that bring everything about `target`: its prefixes with their more- and
    /// less-specifics (a prefix inside another listed one is already covered), and the routes its origins
    /// and its expected upstreams originate (`ASN$` paths).
    public static func covering(_ target: Target) -> [RISSubscription] {
        let outer = target.prefixes.filter { p in !target.prefixes.contains { $0 != p && $0.contains(p) } }
        var subs = outer.map { p in
            var s = RISSubscription(prefix: p.description)
            s.lessSpecific = true
            return s
        }
        subs += target.originASNs.sorted().map { RISSubscription(path: "\($0)$") }
        subs += target.upstreams.keys.sorted().map { RISSubscription(path: "\($0)$") }
        return subs
    }
}
