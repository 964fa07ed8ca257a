import BGP
import Foundation

extension BinSummary {
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
        var vis = JSONObject()
        for (p, v) in visibility.sorted(by: { $0.key < $1.key }) { vis.add(p.description, v) }
        o.add("visibility", raw: vis.closed)
        var ups = JSONObject()
        for (a, v) in upstreamShare.sorted(by: { $0.key < $1.key }) { ups.add("\(a)", v) }
        o.add("upstreams", raw: ups.closed)
        o.add("dark_share", darkShare)
        var origins = JSONObject()
        for (a, v) in originShare.sorted(by: { $0.key < $1.key }) { origins.add("\(a)", v) }
        o.add("origins", raw: origins.closed)
        return o.closed
    }
}
