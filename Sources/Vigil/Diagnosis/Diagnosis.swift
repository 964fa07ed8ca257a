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
        ASLabel.text(asn, name: target.upstreamName(asn))
    }

    /// The first `limit` names and "and N more" (a sentence is a note, not a list).
    static func listed(_ names: [String], limit: Int) -> String {
        names.count <= limit
            ? names.joined(separator: ", ")
            : names.prefix(limit).joined(separator: ", ") + " and \(names.count - limit) more"
    }

    /// A share as a percentage with at most one decimal (`24.3%`, `0.4%`).
    static func percent(_ share: Double) -> String {
        let tenths = (share * 1000).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0
            ? "\(Int(tenths / 10))%" : "\(Int(tenths) / 10).\(Int(tenths) % 10)%"
    }

    /// The prefixes as an analyst lists them: the largest first (covering blocks before their parts), the
    /// first `limit`, and "and N more".
    static func prefixNote(_ prefixes: [IPPrefix], limit: Int) -> String {
        listed(prefixes.sorted { ($0.length, $0) < ($1.length, $1) }.map(\.description), limit: limit)
    }

    static func diagnose(_ o: OutageRecord, target: Target, thresholds t: Thresholds) -> Verdict {
        var evidence: [String] = []
        var lost = o.lostAt.sorted { $0.value < $1.value }
        let firstDown = o.timeline.first?.time ?? o.start
        // Each prefix's first time down, in one pass over the timeline (a search per prefix would cost a
        // country-sized outage, diagnosed after every change live, the square of its prefixes).
        var firstDownOf: [IPPrefix: Double] = [:]
        for step in o.timeline where step.down && firstDownOf[step.prefix] == nil {
            firstDownOf[step.prefix] = step.time
        }
        let lastFirstDown = o.prefixes.compactMap { firstDownOf[$0] }.max() ?? o.start
        // Counts and shares first, then the largest few: the full list is the event's `prefixes` field.
        let space =
            o.baseWeight > 0
            ? "; at the worst \(percent(o.peakShare)) of its address space was dark (\(String(format2: o.peakWeight)) of "
                + "\(String(format2: o.baseWeight)) /24 equivalents)"
            : (o.peakShare > 0 ? "; at the worst \(percent(o.peakShare)) of its address space was dark" : "")
        // Covering blocks where the prefixes aggregate: "in 3 blocks: 175.45.176.0/22, ..." reads at a glance.
        let blocks = IPPrefix.aggregated(o.prefixes)
        let listing =
            blocks.count < o.prefixes.count
            ? ", in \(blocks.count) block\(blocks.count == 1 ? "" : "s"): " + prefixNote(blocks, limit: 5)
            : ": " + prefixNote(o.prefixes, limit: 5)
        evidence.append(
            "\(o.prefixes.count) of the target's \(max(o.trackedCount, o.prefixes.count)) tracked prefixes went dark between "
                + "\(UTCTime.iso(firstDown)) and \(UTCTime.iso(lastFirstDown))" + listing + space)
        if !o.notBack.isEmpty, let end = o.end {
            evidence.append(
                "\(o.notBack.count) of them had not come back by \(UTCTime.iso(end)), when the rest of the space was back; "
                    + "they left the baseline: \(prefixNote(o.notBack, limit: 5))")
        }
        // A partial outage in which an upstream lost only the paths to the dark prefixes says nothing of
        // that upstream: the prefixes went, and its paths to them went with them.
        let partial = o.peakShare < 0.95 && o.prefixes.count < max(o.trackedCount, o.prefixes.count)
        if partial {
            lost = lost.filter { asn, _ in !carriedOnlyDark(asn, o) }
        }
        let lostASNs = lost.map(\.key).sorted()
        let head = evidence
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
        if partial, let verdict = originWithdrew(o, target: target, lost: Set(lostASNs), evidence: head) {
            return verdict
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

extension Diagnosis {
    /// True when every path `asn` lost led to a prefix that went dark: it carried little else of the
    /// target before, and still carries what it carried of the rest.
    static func carriedOnlyDark(_ asn: UInt32, _ o: OutageRecord) -> Bool {
        guard let base = o.baselineShare[asn], base > 0 else { return true }
        // Paths to the dark prefixes per voting peer, as they were when each prefix was last up.
        let peers = Double(max(1, o.upstreamsBefore.values.map { $0.values.reduce(0, +) }.max() ?? 1))
        var dark = 0.0
        for p in o.prefixes { dark += Double(o.upstreamsBefore[p]?[asn] ?? 0) }
        let rest = base - dark / peers
        let lowest = o.lowestShare[asn] ?? 0
        return rest < 0.5 || lowest >= 0.5 * rest
    }

    /// The origin-side reading of a partial outage: the dark prefixes vanished from every upstream that
    /// carried them, while those upstreams kept carrying the target's other prefixes. Nil when the
    /// evidence does not say so (an upstream that failed explains more of the dark prefixes).
    static func originWithdrew(_ o: OutageRecord, target: Target, lost: Set<UInt32>, evidence: [String]) -> Verdict? {
        let known = o.prefixes.filter { o.upstreamsBefore[$0]?.isEmpty == false }
        guard !known.isEmpty else { return nil }
        // A dark prefix is the origin's doing when at least one upstream it went through did not fail.
        let withdrawn = known.filter { p in o.upstreamsBefore[p]?.keys.contains { !lost.contains($0) } ?? false }
        guard 2 * withdrawn.count > known.count else { return nil }
        var carriers: [UInt32: Int] = [:]
        for p in withdrawn { for u in o.upstreamsBefore[p]?.keys ?? [:].keys { carriers[u, default: 0] += 1 } }
        let names = carriers.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { name($0.key, target) }
        var lines = evidence
        lines.append(
            "\(withdrawn.count) of the \(known.count) dark prefixes whose paths were known vanished from every upstream "
                + "that carried them (\(listed(names, limit: 4))), while those upstreams kept carrying the target's "
                + "other prefixes: the origin withdrew them (an origin-side change, partial)")
        if !lost.isEmpty {
            lines.append(
                "paths via \(listed(lost.sorted().map { name($0, target) }, limit: 4)) fell too, but explain only "
                    + "\(known.count - withdrawn.count) of them")
        }
        let confidence = lost.isEmpty ? 0.75 : 0.6
        return Verdict(cause: .originSide, confidence: confidence, upstreams: [], evidence: lines)
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

extension IPPrefix {
    /// The fewest prefixes covering exactly the same addresses: prefixes inside others are dropped and
    /// two halves of one block become the block (four /24s of 175.45.176.0/22 read as the /22). For
    /// evidence, where "12 blocks" says more than "343 prefixes".
    public static func aggregated(_ prefixes: [IPPrefix]) -> [IPPrefix] {
        var blocks: [IPPrefix] = []
        for p in Set(prefixes).sorted() {
            if let last = blocks.last, last.contains(p) { continue }
            blocks.append(p)
            // Merge the tail while its last two are the halves of one block.
            while blocks.count >= 2 {
                let a = blocks[blocks.count - 2]
                let b = blocks[blocks.count - 1]
                guard a.length == b.length, a.length > 0, a.family == b.family else { break }
                let parent = IPPrefix(address: a.address, length: Int(a.length) - 1)
                guard parent.address == a.address, parent.contains(b) else { break }
                blocks.removeLast(2)
                blocks.append(parent)
            }
        }
        return blocks
    }
}
