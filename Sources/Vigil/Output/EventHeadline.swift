import BGP

extension DetectedEvent {
    /// The event in one or two plain sentences, for a report's headline: what happened to whom and when,
    /// then the most likely cause. `name` is the target as people call it ("North Korea"), `upstreamNames`
    /// names upstream ASes. Only the event's own facts are used: its cause, times, prefixes, upstreams,
    /// origins and confidence.
    public func headline(name: String, upstreamNames: [UInt32: String] = [:]) -> String {
        let at = Self.clock(start)
        let span = end.map { " for \(Self.duration($0 - start))" } ?? ", and it is not over"
        let likely = confidence >= 0.9 ? "" : "most likely "
        func upstream(_ a: UInt32) -> String { ASLabel.text(a, name: upstreamNames[a]) }
        let upstreamList = upstreams.map(upstream)
        let count = prefixes.count == 1 ? "1 prefix" : "\(prefixes.count) prefixes"
        switch cause {
        case .originSide:
            let via =
                upstreamList.count > 1
                ? "; \(Self.joined(upstreamList)) \(upstreamList.count == 2 ? "both" : "all") lost its routes at once"
                : ""
            return "\(name)'s Internet went dark at \(at) (\(count))\(span)\(via); \(likely)a failure inside \(name)."
        case .upstreamLoss, .upstreamDown:
            return
                "\(name) lost its routes through \(upstreamList.isEmpty ? "an upstream" : Self.joined(upstreamList)) at \(at)\(span); \(likely)a cut at that upstream, not inside \(name)."
        case .hijack:
            let who = origins.isEmpty ? "Another network" : Self.joined(origins.map { "AS\($0)" })
            return
                "\(who) announced \(count) of \(name)'s address space from \(at)\(end.map { " to \(Self.clock($0))" } ?? " on"); \(likely)a hijack: traffic to that space went to \(who) instead."
        case .routeLeak:
            return "\(name)'s routes leaked through another network's path from \(at)\(span); \(likely)a route leak."
        case .instability:
            return "\(name)'s routes flapped from \(at)\(span); \(likely)instability, not an outage."
        case .feedProblem:
            return
                "Our own view failed at \(at)\(span): collector peers lost their sessions; \(name) itself stayed reachable."
        case .dataPlane:
            return
                "\(name)'s hosts stopped answering at \(at)\(span) while its routes stayed up; \(likely)a fault in the data plane."
        case .attack:
            return "\(name)'s links filled up at \(at)\(span); \(likely)an attack on the data plane."
        case .unknown:
            return "\(name)'s routes changed at \(at) (\(count))\(span); the cause is not clear."
        }
    }

    /// `17:32 UTC on 2025-06-06`.
    static func clock(_ t: Double) -> String {
        let iso = UTCTime.iso(t)
        return "\(iso.dropFirst(11).prefix(5)) UTC on \(iso.prefix(10))"
    }

    /// `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`.
    static func duration(_ seconds: Double) -> String {
        let s = max(0, Int(seconds.rounded()))
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min" }
        if s < 86400 { return "\(s / 3600) h" + (s % 3600 / 60 > 0 ? " \(s % 3600 / 60) min" : "") }
        return "\(s / 86400) d" + (s % 86400 / 3600 > 0 ? " \(s % 86400 / 3600) h" : "")
    }

    /// `A`, `A and B`, `A, B and C`.
    static func joined(_ items: [String]) -> String {
        guard items.count > 1, let last = items.last else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + last
    }
}
