import BGP

/// The rules that name an outage's most likely cause, each with a confidence and the evidence behind it.
/// See DESIGN.md "Core semantics" and docs/design-notes.md for where these rules refine it.
public enum Diagnosis {
    /// A cause with its confidence, the upstreams involved and the lines of evidence.
    public struct Verdict: Sendable {
        /// The cause.
        public var cause: Cause
        /// 0...1.
        public var confidence: Double
        /// Upstreams whose paths vanished.
        public var upstreams: [UInt32]
        /// Plain-English evidence.
        public var evidence: [String]
    }

    static func name(_ asn: UInt32, _ target: Target) -> String {
        target.upstreamName(asn).map { "AS\(asn) (\($0))" } ?? "AS\(asn)"
    }

    /// The first `limit` names and "and N more" (a sentence is a note, not a list).
    static func listed(_ names: [String], limit: Int) -> String {
        names.count <= limit
            ? names.joined(separator: ", ")
            : names.prefix(limit).joined(separator: ", ") + " and \(names.count - limit) more"
    }

    static func diagnose(_ o: OutageRecord, target: Target, thresholds t: Thresholds) -> Verdict {
        var evidence: [String] = []
        let lost = o.lostAt.sorted { $0.value < $1.value }
        let lostASNs = lost.map(\.key).sorted()
        let firstDown = o.timeline.first?.time ?? o.start
        let lastFirstDown =
            o.prefixes.compactMap { p in o.timeline.first { $0.prefix == p && $0.down }?.time }.max() ?? o.start
        // Counts first, then the first few: the full list is the event's `prefixes` field.
        evidence.append(
            "\(o.prefixes.count) of the target's \(max(o.trackedCount, o.prefixes.count)) tracked prefixes went dark between "
                + "\(UTCTime.iso(firstDown)) and \(UTCTime.iso(lastFirstDown)): "
                + listed(o.prefixes.sorted().map(\.description), limit: 5))
        for (asn, time) in lost {
            evidence.append(
                "paths via \(name(asn, target)) fell below half their baseline at \(UTCTime.iso(time)) (\(String(format2: o.baselineShare[asn] ?? 0)) routes per peer before)"
            )
        }
        let kept = o.baselineShare.filter { $0.value > 0 && o.lostAt[$0.key] == nil }.map(\.key).sorted()
        if !kept.isEmpty {
            let names = kept.sorted { (o.baselineShare[$0] ?? 0, $1) > (o.baselineShare[$1] ?? 0, $0) }.map {
                name($0, target)
            }
            evidence.append(
                kept.count == 1
                    ? "paths via \(names[0]) remained"
                    : "paths via \(kept.count) other upstreams remained (largest first): \(listed(names, limit: 5))")
        }

        // Flapping outweighs everything: the same prefix lost again and again.
        if let worst = o.downs.max(by: { $0.value < $1.value }), worst.value >= t.flapCount {
            let end = o.end.map { UTCTime.iso($0) } ?? "now"
            evidence.insert(
                "\(worst.key) went down \(worst.value) times between \(UTCTime.iso(o.start)) and \(end)", at: 0)
            let confidence = min(0.9, 0.6 + 0.05 * Double(worst.value - t.flapCount))
            return Verdict(cause: .instability, confidence: confidence, upstreams: lostASNs, evidence: evidence)
        }
        guard !lost.isEmpty else {
            evidence.append(
                o.baselineShare.isEmpty
                    ? "no quiet baseline before the event: upstreams cannot be compared"
                    : "no upstream lost its paths: the prefixes went dark without a change in how they were reached")
            return Verdict(cause: .unknown, confidence: 0.3, upstreams: [], evidence: evidence)
        }
        // An upstream whose own prefixes vanished with the paths through it has failed itself.
        var downUpstreams: [UInt32] = []
        for asn in lostASNs {
            guard let base = o.baselineOwn[asn], base > 0 else { continue }
            let lowest = o.lowestOwn[asn] ?? base
            if lowest < t.upstreamOwnFraction * base {
                downUpstreams.append(asn)
                evidence.append(
                    "\(name(asn, target))'s own prefixes fell from \(String(format2: base)) to \(String(format2: lowest)) per peer: the upstream itself failed"
                )
            } else {
                evidence.append(
                    "\(name(asn, target))'s own prefixes stayed visible (\(String(format2: lowest)) per peer, \(String(format2: base)) before)"
                )
            }
        }
        if !downUpstreams.isEmpty {
            return Verdict(cause: .upstreamDown, confidence: 0.85, upstreams: downUpstreams, evidence: evidence)
        }
        let spread = (lost.last?.value ?? 0) - (lost.first?.value ?? 0)
        if !kept.isEmpty {
            evidence.append(
                "partial: the target stayed reachable through \(listed(kept.map { name($0, target) }, limit: 5))")
            return Verdict(cause: .upstreamLoss, confidence: 0.8, upstreams: lostASNs, evidence: evidence)
        }
        if spread > t.transient {
            evidence.append(
                "the upstreams were lost one after another, \(Int(spread.rounded())) s apart (more than the \(Int(t.transient)) s of route propagation): a provider-side event"
            )
            return Verdict(cause: .upstreamLoss, confidence: 0.7, upstreams: lostASNs, evidence: evidence)
        }
        let ownKnown = lostASNs.allSatisfy { (o.baselineOwn[$0] ?? 0) > 0 }
        evidence.append(
            "all paths via \(lostASNs.map { name($0, target) }.joined(separator: " and ")) vanished within \(Int(spread.rounded())) s of each other, with nothing before: an internal failure"
        )
        return Verdict(cause: .originSide, confidence: ownKnown ? 0.8 : 0.6, upstreams: lostASNs, evidence: evidence)
    }
}

extension String {
    /// A number with at most two decimals, without Foundation.
    init(format2 value: Double) {
        let scaled = (value * 100).rounded()
        let whole = Int(scaled / 100)
        let cents = Int(abs(scaled).truncatingRemainder(dividingBy: 100))
        self =
            cents == 0
            ? "\(whole)" : (cents % 10 == 0 ? "\(whole).\(cents / 10)" : "\(whole).\(cents < 10 ? "0" : "")\(cents)")
    }
}
