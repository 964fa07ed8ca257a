import BGP
import Foundation
import Vigil
import VigilStore

extension Charts {
    /// The probe lanes: one row per probed URL, one cell per bin, coloured by the share of probes
    /// answered (all, some, none) and titled with the counts and round trips; an empty cell is a bin
    /// without probes (not a failure).
    static func probes(_ bins: [StoredProbeBin], from: Double, to: Double, title: String) -> String {
        let urls = Array(Set(bins.map(\.url))).sorted()
        guard !urls.isEmpty else { return "" }
        let left = 250.0
        let right = 12.0
        let width = 960.0
        let row = 18.0
        let top = 4.0
        let height = top + Double(urls.count) * row + 24
        let span = max(to - from, 1)
        let x = { (t: Double) in left + (min(max(t, from), to) - from) / span * (width - left - right) }
        let answered = bins.reduce(0) { $0 + $1.answered }
        let sent = bins.reduce(0) { $0 + $1.sent }
        var svg = """
            <svg class="chart probes" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" \
            aria-label="\(HTML.escape(title))" aria-describedby="probes-desc"><title>\(HTML.escape(title))</title>\
            <desc id="probes-desc">\(urls.count) probed host\(urls.count == 1 ? "" : "s"); \(answered) of \(sent) probes answered in this range.</desc>
            """
        for (i, url) in urls.enumerated() {
            let y = top + Double(i) * row
            svg +=
                "<text x=\"4\" y=\"\(f(y + 13))\">\(HTML.escape(url.count > 38 ? String(url.prefix(37)) + "…" : url))</text>"
            for b in bins where b.url == url {
                let state = b.answered == b.sent ? "up" : (b.answered == 0 ? "dark" : "partial")
                let x0 = x(b.start)
                let x1 = x(b.start + b.seconds)
                var tip = "\(url) from \(UTCTime.iso(b.start)): \(b.answered) of \(b.sent) answered"
                if let mean = b.rttMeanMs { tip += String(format: ", %.1f ms mean", mean) }
                if let e = b.lastError, b.answered < b.sent { tip += "; " + e }
                svg += """
                    <rect class="probe" data-url="\(HTML.escape(url))" data-state="\(state)" \
                    style="fill: var(--\(state))" x="\(f(x0))" y="\(f(y + 2))" width="\(f(max(x1 - x0, 1)))" \
                    height="\(f(row - 4))"><title>\(HTML.escape(tip))</title></rect>
                    """
            }
        }
        return svg + "</svg>"
    }
}
