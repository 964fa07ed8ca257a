import BGP
import Foundation
import Vigil
import VigilStore

/// SVG charts drawn on the server: they show without JavaScript and scale to any screen.
enum Charts {
    /// The bin a chart of `span` seconds reads: about 480 points across, never finer than the stored
    /// minute (nil: the stored bins as they are).
    static func bin(span: Double) -> Double? {
        span <= 480 * 60 ? nil : (span / 480 / 60).rounded(.up) * 60
    }

    /// The time shown around an event: as long again as it lasted on each side (at least 5 minutes),
    /// never past `now` (an ongoing event has no future to draw).
    static func window(around e: DetectedEvent, now: Double) -> (from: Double, to: Double) {
        let end = e.end ?? now
        let margin = max(end - e.start, 300)
        return (e.start - margin, min(end + margin, max(now, e.start + 60)))
    }

    /// A small line of the share of prefixes up, for the overview.
    static func sparkline(
        _ bins: [SignalBin], events: [DetectedEvent] = [], from: Double, to: Double, label: String
    ) -> String {
        let w = 160.0
        let h = 32.0
        let x = { (t: Double) in (t - from) / (to - from) * w }
        let y = { (b: SignalBin) in
            b.prefixes == 0 ? h - 2 : 2 + (h - 4) * (1 - Double(b.prefixesUp) / Double(b.prefixes))
        }
        let path = steps(bins, x: x, y: y)
        // Outages as marks at least 2 px wide, so a ten-minute event still shows on a day's line.
        let marks = events.filter { $0.start < to && ($0.end ?? to) > from }.map { e -> String in
            let x0 = min(x(max(e.start, from)), w - 3)
            let x1 = max(x(min(e.end ?? to, to)), x0 + 3)
            return "<rect class=\"band\" style=\"fill: var(--c-\(e.cause.rawValue))\" x=\"\(f(x0))\" y=\"0\" "
                + "width=\"\(f(x1 - x0))\" height=\"\(Int(h))\"/>"
        }
        return """
            <svg class="spark" viewBox="0 0 \(Int(w)) \(Int(h))" preserveAspectRatio="none" role="img" \
            aria-label="\(HTML.escape(label))"><title>\(HTML.escape(label))</title>\
            <rect class="frame" x="0" y="0" width="\(Int(w))" height="\(Int(h))"/>\
            \(marks.joined())<path class="series" d="\(path)"/></svg>
            """
    }

    /// An origin drawn in its own lane: the target's own, or one that took its space.
    struct OriginLane: Sendable, Equatable {
        var asn: UInt32
        var hijacker: Bool
    }

    /// The upstreams worth a lane: those that carried a real part of the target (a peak of at least a tenth
    /// of the largest upstream's), and those events name; the largest first, at most `limit`.
    static func relevantUpstreams(_ bins: [SignalBin], events: [DetectedEvent], limit: Int = 6) -> [UInt32] {
        var peak: [UInt32: Double] = [:]
        for b in bins { for (a, v) in b.upstreamShare { peak[a] = max(peak[a] ?? 0, v) } }
        let top = peak.values.max() ?? 0
        let named = Set(events.flatMap(\.upstreams))
        let chosen = peak.filter { $0.value >= 0.1 * top || named.contains($0.key) }
        return chosen.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(limit).map(\.key)
    }

    /// The origins worth a lane: when a hijack is in view, each hijacker (at most 3) beside the target's
    /// own origins that peers carried most (at most 2); none otherwise.
    static func relevantOrigins(_ bins: [SignalBin], events: [DetectedEvent]) -> [OriginLane] {
        let hijackers = Set(events.filter { $0.cause == .hijack }.flatMap(\.origins))
        guard !hijackers.isEmpty else { return [] }
        var peak: [UInt32: Double] = [:]
        for b in bins { for (a, v) in b.originShare { peak[a] = max(peak[a] ?? 0, v) } }
        let own = peak.filter { !hijackers.contains($0.key) }.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            .prefix(2).map { OriginLane(asn: $0.key, hijacker: false) }
        return own + hijackers.sorted().prefix(3).map { OriginLane(asn: $0, hijacker: true) }
    }

    /// The target timeline, a lane per signal, each with what it counts: the share of the target's
    /// address space visible (against its baseline), the prefixes up, the share of peers carrying each
    /// relevant origin (the target's own beside a hijacker's), and the routes per voting peer through each
    /// upstream that carried the target. Feed gaps shaded, events as bands linking to their pages.
    static func timeline(
        bins: [SignalBin], from: Double, to: Double, upstreams: [UInt32], names: [UInt32: String] = [:],
        gaps: [FeedGap], events: [DetectedEvent], title: String, origins: [OriginLane] = [], linkEvents: Bool = true
    ) -> String {
        let left = 150.0
        let right = 12.0
        let width = 960.0
        let laneHeight = 56.0
        let laneGap = 16.0
        let top = 8.0
        let lanes = 2 + origins.count + upstreams.count
        let plotBottom = top + Double(lanes) * (laneHeight + laneGap) - laneGap
        let height = plotBottom + 28
        let span = max(to - from, 1)
        let x = { (t: Double) in left + (min(max(t, from), to) - from) / span * (width - left - right) }
        var svg = """
            <svg class="chart" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="\(HTML.escape(title))" aria-describedby="chart-desc">\
            <title>\(HTML.escape(title))</title>\
            <desc id="chart-desc">\(HTML.escape(description(bins: bins, events: events, gaps: gaps)))</desc>
            """
        // Feed gaps behind everything: no data there, which is not an outage.
        for g in gaps {
            let x0 = x(g.start)
            let x1 = x(g.end ?? to)
            svg += """
                <rect class="gap" data-gap="\(g.id)" x="\(f(x0))" y="\(f(top))" width="\(f(max(x1 - x0, 1)))" \
                height="\(f(plotBottom - top))"><title>Feed gap \(HTML.escape(g.source)): \(HTML.escape(g.reason))</title></rect>
                """
        }
        for e in events {
            let x0 = x(e.start)
            let x1 = x(e.end ?? to)
            let label = "Event \(e.id): \(e.cause.rawValue), \(e.prefixes.count) prefixes"
            let band = """
                <rect class="band" data-event="\(e.id)" \
                style="fill: var(--c-\(e.cause.rawValue))" x="\(f(x0))" y="\(f(top))" width="\(f(max(x1 - x0, 2)))" \
                height="\(f(plotBottom - top))"><title>\(HTML.escape(label))</title></rect>
                """
            svg += linkEvents ? "<a href=\"/events/\(e.id)\" aria-label=\"\(HTML.escape(label))\">\(band)</a>" : band
        }
        var laneTop = top
        func draw(
            _ name: String, unit: String, id: String, peak: Double, low: Double = 0, _ value: (SignalBin) -> Double?
        ) {
            svg += lane(name: name, top: laneTop, height: laneHeight, left: left, right: width - right, unit: unit)
            let t0 = laneTop
            let range = max(peak - low, 1e-9)
            let path = steps(bins, x: x) { b in
                value(b).map { t0 + laneHeight * (1 - min(max(($0 - low) / range, 0), 1)) }
            }
            if !path.isEmpty { svg += "<path class=\"series\" data-lane=\"\(id)\" d=\"\(path)\"/>" }
            laneTop += laneHeight + laneGap
        }
        // The space lane's floor follows the worst bin (in steps of 10%), so a loss of a few percent of a
        // large network shows; its unit says where the floor is.
        let worst = bins.map(\.darkShare).max() ?? 0
        let low = max(0, ((1 - worst - 0.05) * 10).rounded(.down) / 10)
        draw("Space visible", unit: "% of its /24s (\(Int((low * 100).rounded()))-100)", id: "space", peak: 1, low: low)
        {
            1 - $0.darkShare
        }
        // Prefixes no peer could speak for yet (a replay without a RIB) are unknown, not down: a bin that
        // knows none is drawn as no data.
        let maxPrefixes = max(bins.map(\.prefixes).max() ?? 1, 1)
        draw("Prefixes up", unit: "of \(maxPrefixes) known", id: "prefixes", peak: Double(maxPrefixes)) {
            $0.prefixes == 0 ? nil : Double($0.prefixesUp)
        }
        for o in origins {
            let label = "AS\(o.asn) " + (o.hijacker ? "(hijacker)" : "(origin)")
            draw(label, unit: "% of peers up (0-100)", id: "origin-AS\(o.asn)", peak: 1) { $0.originShare[o.asn] ?? 0 }
        }
        let shares = bins.map(\.upstreamShare)
        for a in upstreams {
            let peak = max(shares.compactMap { $0[a] }.max() ?? 1, 1)
            draw(
                "via " + ASLabel.text(a, name: names[a]),
                unit: "routes per peer (max \(String(format: "%.1f", peak)))", id: "AS\(a)", peak: peak
            ) { $0.upstreamShare[a] ?? 0 }
        }
        // Time axis.
        svg +=
            "<line class=\"axis\" x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(plotBottom))\" y2=\"\(f(plotBottom))\"/>"
        for i in 0...4 {
            let t = from + span * Double(i) / 4
            let iso = UTCTime.iso(t)
            let text =
                span > 2 * 86400
                ? String(iso.prefix(16)).replacingOccurrences(of: "T", with: " ")
                : String(iso.dropFirst(11).prefix(span > 7200 ? 5 : 8))
            let anchor = i == 0 ? "start" : (i == 4 ? "end" : "middle")
            svg += "<text x=\"\(f(x(t)))\" y=\"\(f(plotBottom + 18))\" text-anchor=\"\(anchor)\">\(text)</text>"
        }
        return svg + "</svg>"
    }

    static func lane(name: String, top: Double, height: Double, left: Double, right: Double, unit: String) -> String {
        """
        <line class="axis" x1="\(f(left))" x2="\(f(right))" y1="\(f(top + height))" y2="\(f(top + height))"/>\
        <text x="4" y="\(f(top + 16))">\(HTML.escape(name))</text>\
        <text x="4" y="\(f(top + 32))" class="muted unit">\(HTML.escape(unit))</text>
        """
    }

    /// A step line through the bins; a missing bin breaks it (no data is not drawn as a value).
    static func steps(_ bins: [SignalBin], x: (Double) -> Double, y: (SignalBin) -> Double?) -> String {
        var path = ""
        var lastEnd: Double?
        for b in bins {
            guard let v = y(b) else {
                lastEnd = nil
                continue
            }
            let joined = lastEnd.map { abs($0 - b.start) < 1 } ?? false
            path += (joined ? "L" : "M") + "\(f(x(b.start))) \(f(v))L\(f(x(b.start + b.seconds))) \(f(v))"
            lastEnd = b.start + b.seconds
        }
        return path
    }

    static func description(bins: [SignalBin], events: [DetectedEvent], gaps: [FeedGap]) -> String {
        var parts: [String] = []
        if let low = bins.min(by: { $0.prefixesUp < $1.prefixesUp }),
            let high = bins.max(by: { $0.prefixesUp < $1.prefixesUp })
        {
            parts.append("Prefixes up ranged from \(low.prefixesUp) to \(high.prefixesUp) of \(high.prefixes).")
        } else {
            parts.append("No signals in this range.")
        }
        parts.append(
            "\(events.count) event\(events.count == 1 ? "" : "s") and \(gaps.count) feed gap\(gaps.count == 1 ? "" : "s") shown."
        )
        return parts.joined(separator: " ")
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }
}
