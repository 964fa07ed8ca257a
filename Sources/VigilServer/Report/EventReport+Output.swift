import BGP
import Foundation
import Vigil
import VigilStore

extension EventReport {
    /// The light theme's custom properties (`--name` to value), from the stylesheet's first `:root`
    /// block: a standalone SVG (and the PNG made from it) has no page whose stylesheet could resolve
    /// `var(--…)`, so its colours are written in from the same place the dashboard takes them.
    static func lightTheme(_ css: String) -> [String: String] {
        guard let open = css.range(of: ":root {"), let close = css[open.upperBound...].firstIndex(of: "}") else {
            return [:]
        }
        var out: [String: String] = [:]
        for declaration in css[open.upperBound..<close].split(separator: ";") {
            let pair = declaration.split(separator: ":", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let name = pair[0].trimmingCharacters(in: .whitespacesAndNewlines)
            if name.hasPrefix("--") { out[name] = pair[1].trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        return out
    }

    var chartTitle: String {
        event.map { "\(name): event \($0.id), \($0.cause.rawValue)" }
            ?? "\(name), \(UTCTime.iso(from)) to \(UTCTime.iso(to))"
    }

    /// The timeline as the dashboard draws it (lanes of space visible, prefixes up, origins, upstreams;
    /// feed gaps shaded; events as bands), without links.
    public var timeline: String {
        let upstreams = Charts.relevantUpstreams(bins, events: events)
        let origins = Charts.relevantOrigins(bins, events: events)
        return Charts.timeline(
            bins: bins, from: from, to: to, upstreams: upstreams, names: upstreamNames, gaps: gaps, events: events,
            title: chartTitle, origins: origins, linkEvents: false)
    }

    /// The timeline as a file of its own (`timeline.svg`): the SVG namespace, a size, the panel and the
    /// chart's styles written in with the light theme of `css` (the dashboard's stylesheet), so that
    /// `rsvg-convert` or a browser draws it alone.
    public func standaloneSVG(css: String) -> String {
        let theme = Self.lightTheme(css)
        func resolved(_ text: String) -> String {
            theme.reduce(text) { $0.replacingOccurrences(of: "var(\($1.key))", with: $1.value) }
        }
        let svg = resolved(timeline)
        let style = resolved(
            """
            <style>
            text { fill: var(--muted); font: 12px "DejaVu Sans", sans-serif; }
            .axis { stroke: var(--line); }
            .series { fill: none; stroke: var(--series); stroke-width: 1.5; }
            .gap { fill: var(--gap); }
            .band { opacity: .28; }
            </style>
            """)
        guard let open = svg.range(of: "<svg class=\"chart\" "), let close = svg[open.upperBound...].firstIndex(of: ">")
        else { return svg }
        let viewBox = svg[open.upperBound..<close]
        let size = viewBox.split(separator: "\"").dropFirst().first?.split(separator: " ") ?? []
        let width = size.count == 4 ? String(size[2]) : "960"
        let height = size.count == 4 ? String(size[3]) : "300"
        let head =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" class=\"chart\" \(viewBox)>"
            + style + "<rect width=\"100%\" height=\"100%\" fill=\"\(theme["--panel"] ?? "#f4f6f8")\"/>"
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + head + svg[svg.index(after: close)...] + "\n"
    }

    /// `vigil report`'s command for this report, to make it again from the store.
    func reportCommand(store: String) -> String {
        if let e = event, events.count == 1 { return "vigil report \(e.id) --store \(store)" }
        return "vigil report --target \(target) --from \(UTCTime.iso(from)) --to \(UTCTime.iso(to)) --store \(store)"
    }

    /// `report.html`: one file, no script, every style inline; readable printed or offline.
    public func html(css: String, store: String) -> String {
        var main = "<h1>\(HTML.escape(headline))</h1>"
        if let e = event {
            main += "<dl class=\"facts\">"
            main +=
                "<dt>Cause</dt><dd>\(HTML.escape(e.cause.rawValue)): \(HTML.escape(DashboardRoutes.explain(e.cause))) (confidence \(Int((e.confidence * 100).rounded())) %)</dd>"
            main += "<dt>Start</dt><dd>\(HTML.time(e.start))</dd>"
            main += "<dt>End</dt><dd>\(e.end.map(HTML.time) ?? "<strong>ongoing</strong>")</dd>"
            main +=
                "<dt>Upstreams</dt><dd>\(e.upstreams.isEmpty ? "none" : DashboardRoutes.upstreams(e.upstreams, upstreamNames))</dd>"
            if !e.origins.isEmpty {
                main += "<dt>Origins seen</dt><dd>\(e.origins.map { "AS\($0)" }.joined(separator: ", "))</dd>"
            }
            main += "</dl>"
        }
        main += "<h2>Timeline</h2>" + timeline
        if !probes.isEmpty {
            main += "<h2>Probes</h2>" + Charts.probes(probes, from: from, to: to, title: "Probes of \(name)")
        }
        if let e = event { main += HTML.evidenceAndPrefixes(e) }
        if events.count > 1 {
            main +=
                "<h2>Events in the range</h2>" + DashboardRoutes.eventTable(events, names: upstreamNames, links: false)
        }
        main += "<h2>Data sources</h2>"
        main +=
            sources.isEmpty
            ? "<p class=\"muted\">Not recorded in the store (a live watch; its peers are in the store).</p>"
            : "<ul>" + sources.map { "<li><code>\(HTML.escape($0))</code></li>" }.joined() + "</ul>"
        main += "<h2>Reproduce</h2><pre><code>"
        if let command { main += HTML.escape(command) + "\n" }
        main += HTML.escape(reportCommand(store: store)) + "</code></pre>"
        main += "<p class=\"muted\">Made by Vigil from its store; times are UTC.</p>"
        let style = css + "\npre { white-space: pre-wrap; overflow-wrap: anywhere; }"
        return HTML.page(title: "\(chartTitle) · report", main: main, inlineStyle: style)
    }

    /// `report.md`: the same facts as text, with the PNG.
    public func markdown(store: String) -> String {
        var out = "# \(headline)\n\n"
        if let e = event {
            out += "- Cause: \(e.cause.rawValue) (confidence \(Int((e.confidence * 100).rounded())) %)\n"
            out += "- Start: \(UTCTime.iso(e.start))\n- End: \(e.end.map { UTCTime.iso($0) } ?? "ongoing")\n"
            out +=
                "- Upstreams: \(e.upstreams.isEmpty ? "none" : e.upstreams.map { ASLabel.text($0, name: upstreamNames[$0]) }.joined(separator: ", "))\n"
            if !e.origins.isEmpty { out += "- Origins seen: \(e.origins.map { "AS\($0)" }.joined(separator: ", "))\n" }
        }
        out += "\n![Timeline of \(name)](timeline.png)\n"
        if let e = event {
            out += "\n## Evidence\n\n" + e.evidence.map { "- \($0)\n" }.joined()
            out += "\n## Affected prefixes\n\n" + e.prefixes.map { "- \($0)\n" }.joined()
        }
        if events.count > 1 {
            out +=
                "\n## Events in the range\n\n"
                + events.map {
                    "- \($0.id): \($0.cause.rawValue), \(UTCTime.iso($0.start)) to \($0.end.map { UTCTime.iso($0) } ?? "ongoing")\n"
                }.joined()
        }
        out += "\n## Data sources\n\n"
        out += sources.isEmpty ? "Not recorded in the store (a live watch).\n" : sources.map { "- `\($0)`\n" }.joined()
        out += "\n## Reproduce\n\n```sh\n" + (command.map { $0 + "\n" } ?? "") + reportCommand(store: store) + "\n```\n"
        return out
    }

    /// `report.json`: `{"type":"report","headline",…,"event":{…},"events":[…],"sources":[…],"command"}`.
    public func json(store: String) -> String {
        var o = JSONObject()
        o.add("type", "report")
        o.add("headline", headline)
        o.add("target", target)
        o.add("name", name)
        o.add("from", UTCTime.iso(from))
        o.add("to", UTCTime.iso(to))
        o.add("event", raw: event?.jsonLine ?? "null")
        o.add("events", raw: "[" + events.map(\.jsonLine).joined(separator: ",") + "]")
        o.add(
            "feed_gaps",
            raw: "["
                + gaps.map { g in
                    var j = JSONObject()
                    j.add("source", g.source)
                    j.add("start", UTCTime.iso(g.start))
                    j.add("end", g.end.map { UTCTime.iso($0) })
                    j.add("reason", g.reason)
                    return j.closed
                }.joined(separator: ",") + "]")
        o.add("sources", sources)
        o.add("command", command)
        o.add("report_command", reportCommand(store: store))
        return o.closed + "\n"
    }
}
