import BGP
import Foundation

extension SignalBin {
    /// The bin as `vigil replay` prints it: prefixes up, the dark share of the space when any, peers,
    /// updates, and the routes per voting peer through each upstream.
    public var text: String { text(namingTarget: false) }

    /// `text`, with the target's name after the time when several targets print bins side by side.
    public func text(namingTarget: Bool) -> String {
        let ups = upstreamShare.sorted { $0.key < $1.key }.map { "AS\($0.key) \(String(format: "%.1f", $0.value))" }
        return
            "\(UTCTime.iso(start))  \(namingTarget ? target + ": " : "")\(prefixesUp)/\(prefixes) prefixes up"
            + (darkShare > 0 ? " (\(String(format: "%.1f", darkShare * 100))% of the space dark)" : "")
            + ", \(votingPeers) peers, \(updates) updates"
            + (ups.isEmpty ? "" : "; routes per peer via " + ups.joined(separator: ", "))
    }

    /// The bin as one JSON object (`vigil replay --json`): `{"type":"bin","target":...,...}`.
    public var jsonLine: String {
        var o = JSONObject()
        o.add("type", "bin")
        o.add("target", target)
        o.add("start", UTCTime.iso(start))
        o.add("seconds", Int(seconds))
        o.add("prefixes_up", prefixesUp)
        o.add("prefixes", prefixes)
        o.add("voting_peers", votingPeers)
        o.add("updates", updates)
        o.add("visibility", raw: visibilityJSON)
        o.add("upstreams", raw: upstreamsJSON)
        o.add("dark_share", darkShare)
        o.add("origins", raw: originsJSON)
        return o.closed
    }

    /// The visibility per prefix as one JSON object, prefixes in order (also the store's column).
    public var visibilityJSON: String {
        var o = JSONObject()
        for (p, v) in visibility.sorted(by: { $0.key < $1.key }) { o.add(p.description, v) }
        return o.closed
    }

    /// Routes per voting peer through each upstream as one JSON object, ASes in order (also the store's column).
    public var upstreamsJSON: String {
        var o = JSONObject()
        for (a, v) in upstreamShare.sorted(by: { $0.key < $1.key }) { o.add("\(a)", v) }
        return o.closed
    }

    /// The share of peers carrying each origin's routes as one JSON object (also the store's column).
    public var originsJSON: String {
        var o = JSONObject()
        for (a, v) in originShare.sorted(by: { $0.key < $1.key }) { o.add("\(a)", v) }
        return o.closed
    }
}
