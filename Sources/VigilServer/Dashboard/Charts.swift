import BGP
import Foundation
import Vigil
import VigilStore

/// SVG charts drawn on the server: they show without JavaScript and scale to any screen.
enum Charts {
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

    /// The target timeline: one lane of prefixes up, one lane per upstream AS (routes per voting peer
    /// through it), feed gaps shaded, events as bands linking to their pages.
    static func timeline(
        bins: [SignalBin], from: Double, to: Double, upstreams: [UInt32], names: [UInt32: String] = [:],
        gaps: [FeedGap], events: [DetectedEvent], title: String
    ) -> String {
        let left = 110.0
        let right = 12.0
        let width = 960.0
        let laneHeight = 64.0
        let laneGap = 14.0
        let top = 8.0
        let lanes = 1 + upstreams.count
        let plotBottom = top + Double(lanes) * (laneHeight + laneGap) - laneGap
        let height = plotBottom + 28
        let span = max(to - from, 1)
        let x = { (t: Double) in left + (min(max(t, from), to) - from) / span * (width - left - right) }
        var svg = """
            <svg class="chart" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-labelledby="chart-title chart-desc">\
            <title id="chart-title">\(HTML.escape(title))</title>\
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
            svg += """
                <a href="/events/\(e.id)" aria-label="\(HTML.escape(label))"><rect class="band" data-event="\(e.id)" \
                style="fill: var(--c-\(e.cause.rawValue))" x="\(f(x0))" y="\(f(top))" width="\(f(max(x1 - x0, 2)))" \
                height="\(f(plotBottom - top))"><title>\(HTML.escape(label))</title></rect></a>
                """
        }
        // Lane 0: prefixes up.
        let maxPrefixes = max(bins.map(\.prefixes).max() ?? 1, 1)
        var laneTop = top
        svg += lane(
            name: "Prefixes up", top: laneTop, height: laneHeight, left: left, right: width - right,
            scale: "\(maxPrefixes)")
        let y0 = { (b: SignalBin) in laneTop + laneHeight * (1 - Double(b.prefixesUp) / Double(maxPrefixes)) }
        let path0 = steps(bins, x: x, y: y0)
        if !path0.isEmpty { svg += "<path class=\"series\" data-lane=\"prefixes\" d=\"\(path0)\"/>" }
        // One lane per upstream.
        let shares = bins.map(\.upstreamShare)
        for a in upstreams {
            laneTop += laneHeight + laneGap
            let peak = max(shares.compactMap { $0[a] }.max() ?? 1, 1)
            svg += lane(
                name: "AS\(a)" + (names[a].map { " " + $0 } ?? ""), top: laneTop, height: laneHeight, left: left,
                right: width - right,
                scale: String(format: "%.1f", peak))
            let t0 = laneTop
            var path = ""
            var open = false
            for (b, share) in zip(bins, shares) {
                let v = share[a] ?? 0
                let y = t0 + laneHeight * (1 - v / peak)
                path += (open ? "L" : "M") + "\(f(x(b.start))) \(f(y))L\(f(x(b.start + b.seconds))) \(f(y))"
                open = true
            }
            if !path.isEmpty { svg += "<path class=\"series\" data-lane=\"AS\(a)\" d=\"\(path)\"/>" }
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

    static func lane(name: String, top: Double, height: Double, left: Double, right: Double, scale: String) -> String {
        """
        <line class="axis" x1="\(f(left))" x2="\(f(right))" y1="\(f(top + height))" y2="\(f(top + height))"/>\
        <text x="4" y="\(f(top + 16))">\(HTML.escape(name))</text>\
        <text x="4" y="\(f(top + 32))" class="muted">max \(HTML.escape(scale))</text>
        """
    }

    /// A step line through the bins; a missing bin breaks it (no data is not drawn as a value).
    static func steps(_ bins: [SignalBin], x: (Double) -> Double, y: (SignalBin) -> Double) -> String {
        var path = ""
        var lastEnd: Double?
        for b in bins {
            let v = y(b)
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
