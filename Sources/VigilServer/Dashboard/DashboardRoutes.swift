import BGP
import Foundation
import Hummingbird
import Vigil
import VigilStore

/// The dashboard: an overview of every target, a page per target with its timeline and events, a page
/// per event. Pages are complete HTML on the server (no build step, no JavaScript needed); a small
/// script refreshes them when the server-sent change stream says the store changed.
public struct DashboardRoutes: Sendable {
    /// The store shown.
    public let store: History
    /// The clock, seconds since the epoch.
    public let now: @Sendable () -> Double

    /// Pages over `store`.
    public init(store: History, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.store = store
        self.now = now
    }

    /// Adds the pages and the static files to `router`.
    public func add(to router: Router<BasicRequestContext>) {
        router.read("/") { _, _ in try await self.overview() }
        router.read("/targets/{name}") { request, context in
            try await self.target(context.parameters.get("name") ?? "", request)
        }
        router.read("/events/{id}") { _, context in
            guard let id = context.parameters.get("id", as: Int.self) else {
                throw HTTPError(.badRequest, message: "event id must be a number")
            }
            return try await self.event(id)
        }
        router.read("/static/{file}") { _, context in try Self.staticFile(context.parameters.get("file") ?? "") }
    }

    // MARK: Pages

    func overview() async throws -> Response {
        let t = now()
        let report = try await storeRead { try store.statusReport(now: t) }
        var main = "<h1>Overview</h1>"
        main += "<p class=\"muted\">Watch is \(report.running ? "running" : "not running")"
        if let h = report.heartbeat { main += " (last heartbeat \(HTML.time(h)))" }
        main += ". Voting rule: \(HTML.escape(report.votingRule ?? "unknown")).</p>"
        for g in report.openGaps {
            main +=
                "<p>\(HTML.state("feed problem")) \(HTML.escape(g.source)) without data since \(HTML.time(g.start)): \(HTML.escape(g.reason))</p>"
        }
        if report.targets.isEmpty {
            main += "<p>No targets yet: start <code>vigil watch</code> on this store.</p>"
            return Self.html(HTML.page(title: "Overview", main: main))
        }
        main += """
            <div class="table-wrap"><table><caption class="skip">Targets and their state</caption>
            <thead><tr><th scope="col">Target</th><th scope="col">State</th><th scope="col">Since</th>\
            <th scope="col">Last 24 h (share of prefixes up)</th><th scope="col" class="hide-narrow">Open events</th></tr></thead><tbody>
            """
        for s in report.targets {
            let bins = try await storeRead { try store.signalBins(target: s.name, from: t - 86400, to: t, bin: 900) }
            let link = "/targets/" + Self.pathComponent(s.name)
            let recent = try await storeRead {
                try store.events(target: s.name, since: t - 86400, until: t, limit: 200)
            }
            let spark = Charts.sparkline(
                bins, events: recent.filter(History.isOutage), from: t - 86400, to: t,
                label: "Share of \(s.name)'s prefixes up over the last 24 hours")
            let open = s.open.map { "<a href=\"/events/\($0.id)\">\($0.id): \(HTML.escape($0.cause.rawValue))</a>" }
            main += """
                <tr><th scope="row"><a href="\(link)">\(HTML.escape(s.name))</a><br><span class="muted">\(HTML.escape(s.description))</span></th>\
                <td data-state="\(HTML.escape(s.state))">\(HTML.state(s.state))\
                \(s.last.map { "<br><span class=\"muted\">\($0.prefixesUp)/\($0.prefixes) prefixes up</span>" } ?? "")</td>\
                <td>\(s.since.map(HTML.time) ?? "<span class=\"muted\">no outage on record</span>")</td>\
                <td>\(spark)</td><td class="hide-narrow">\(open.isEmpty ? "none" : open.joined(separator: "<br>"))</td></tr>
                """
        }
        main += "</tbody></table></div>"
        return Self.html(HTML.page(title: "Overview", main: main))
    }

    func target(_ name: String, _ request: Request) async throws -> Response {
        guard try await storeRead({ try store.targets() }).contains(where: { $0.name == name }) else {
            throw HTTPError(.notFound, message: "no target \(name)")
        }
        let q = request.uri.queryParameters
        let t = now()
        let range = try APIRoutes.checked { () throws(QueryError) in
            try APIQuery.series({ q.get($0) }, target: name, now: t, maxDays: 400)
        }
        let (from, to) = (range.from, range.to)
        let span = to - from
        let bin = Charts.bin(span: span)
        let bins = try await storeRead { try store.signalBins(target: name, from: from, to: to, bin: bin) }
        let events = try await storeRead { try store.events(target: name, since: from, until: to, limit: 500) }
        let gaps = try await storeRead { try store.feedGaps(from: from, to: to) }
        let upstreams = Charts.relevantUpstreams(bins, events: events)
        let origins = Charts.relevantOrigins(bins, events: events)
        let link = "/targets/" + Self.pathComponent(name)
        var main = "<h1>\(HTML.escape(name))</h1>"
        main +=
            "<p class=\"muted\">From \(HTML.time(from)) to \(HTML.time(to))\(bin.map { ", \(HTML.duration($0)) bins (worst moment of each)" } ?? "").</p>"
        main += "<div class=\"zoom\"><span>Show the last:</span>"
        for (label, seconds) in [("6 h", 6 * 3600.0), ("24 h", 86400), ("7 d", 7 * 86400), ("30 d", 30 * 86400)] {
            main += "<a href=\"\(link)?from=\(UTCTime.iso(to - seconds))&amp;to=\(UTCTime.iso(to))\">\(label)</a>"
        }
        main += "<a href=\"\(link)?from=\(UTCTime.iso(from - span))&amp;to=\(UTCTime.iso(from))\">← earlier</a>"
        main += "<a href=\"\(link)?from=\(UTCTime.iso(to))&amp;to=\(UTCTime.iso(to + span))\">later →</a>"
        main += """
            <form method="get" action="\(link)"><label for="from">From</label>\
            <input id="from" name="from" value="\(UTCTime.iso(from.rounded(.down)))" size="20">\
            <label for="to">to</label><input id="to" name="to" value="\(UTCTime.iso(to.rounded(.up)))" size="20">\
            <button type="submit">Show</button></form></div>
            """
        let names = try await storeRead { try store.upstreamNames(target: name) }
        main += Charts.timeline(
            bins: bins, from: from, to: to, upstreams: upstreams, names: names, gaps: gaps, events: events,
            title: "\(name): space visible, prefixes up, origins' share of peers and routes through each upstream",
            origins: origins)
        main += Self.legend(events: events, gaps: !gaps.isEmpty)
        if span <= 31 * 86400 {
            let probes = try await storeRead { try store.probeBins(target: name, from: from, to: to, bin: bin) }
            if !probes.isEmpty {
                main += "<h2>Probes</h2>"
                main += Charts.probes(
                    probes, from: from, to: to, title: "\(name): share of probes answered, per probed host")
                main +=
                    "<div class=\"legend\"><span style=\"--sw: var(--up)\">all answered</span><span style=\"--sw: var(--partial)\">some</span><span style=\"--sw: var(--dark)\">none</span></div>"
            }
        }
        main += "<h2>Events</h2>" + Self.eventTable(events, names: names)
        return Self.html(HTML.page(title: name, main: main))
    }

    func event(_ id: Int) async throws -> Response {
        guard let e = try await storeRead({ try store.event(id: id) }) else {
            throw HTTPError(.notFound, message: "no event \(id)")
        }
        let notes = try await storeRead { try store.annotations(eventID: id) }
        let t = now()
        let end = e.end ?? t
        let (from, to) = Charts.window(around: e, now: t)
        let bin = Charts.bin(span: to - from)
        let bins = try await storeRead { try store.signalBins(target: e.target, from: from, to: to, bin: bin) }
        let gaps = try await storeRead { try store.feedGaps(from: from, to: to) }
        let upstreams = Charts.relevantUpstreams(bins, events: [e])
        let origins = Charts.relevantOrigins(bins, events: [e])
        let names = try await storeRead { try store.upstreamNames(target: e.target) }
        var main = "<h1>Event \(e.id): <span class=\"cause\">\(HTML.escape(e.cause.rawValue))</span></h1>"
        main += "<dl class=\"facts\">"
        main +=
            "<dt>Target</dt><dd><a href=\"/targets/\(Self.pathComponent(e.target))\">\(HTML.escape(e.target))</a></dd>"
        main +=
            "<dt>Diagnosis</dt><dd data-diagnosis=\"\(HTML.escape(e.cause.rawValue))\">\(HTML.escape(Self.explain(e.cause))) (confidence \(Int((e.confidence * 100).rounded())) %)</dd>"
        main += "<dt>Start</dt><dd>\(HTML.time(e.start))</dd>"
        main += "<dt>End</dt><dd>\(e.end.map(HTML.time) ?? "<strong>ongoing</strong>")</dd>"
        main += "<dt>Duration</dt><dd>\(HTML.duration(end - e.start))\(e.end == nil ? " so far" : "")</dd>"
        main +=
            "<dt>Scope</dt><dd>\(e.prefixes.count) prefix\(e.prefixes.count == 1 ? "" : "es"), severity \(String(format: "%.1f", e.severity))</dd>"
        main += "<dt>Upstreams</dt><dd>\(e.upstreams.isEmpty ? "none" : Self.upstreams(e.upstreams, names))</dd>"
        if !e.origins.isEmpty {
            main += "<dt>Origins seen</dt><dd>\(e.origins.map { "AS\($0)" }.joined(separator: ", "))</dd>"
        }
        main += "</dl>"
        main += Charts.timeline(
            bins: bins, from: from, to: to, upstreams: upstreams, names: names, gaps: gaps, events: [e],
            title: "\(e.target) around event \(e.id)", origins: origins)
        main += HTML.evidenceAndPrefixes(e)
        main += "<h2>Annotations</h2>"
        if notes.isEmpty {
            main += "<p class=\"muted\">None yet.</p>"
        } else {
            main +=
                "<ul class=\"notes\">"
                + notes.map {
                    "<li><strong>\(HTML.escape($0.author))</strong>, \(HTML.time($0.created)): <span class=\"note\">\(HTML.escape($0.text))</span></li>"
                }.joined() + "</ul>"
        }
        main +=
            "<p class=\"muted\">Add one with <code>POST /api/v1/events/\(e.id)/annotations</code> and the server's bearer token.</p>"
        return Self.html(HTML.page(title: "Event \(e.id)", main: main))
    }

    // MARK: Pieces

    static func eventTable(_ events: [DetectedEvent], names: [UInt32: String], links: Bool = true) -> String {
        guard !events.isEmpty else { return "<p class=\"muted\">No events in this range.</p>" }
        var out = """
            <div class="table-wrap"><table><thead><tr><th scope="col">Event</th><th scope="col">Cause</th>\
            <th scope="col">Start</th><th scope="col">End</th><th scope="col" class="hide-narrow">Prefixes</th>\
            <th scope="col" class="hide-narrow">Upstreams</th></tr></thead><tbody>
            """
        for e in events {
            out += """
                <tr><td>\(links ? "<a href=\"/events/\(e.id)\">\(e.id)</a>" : "\(e.id)")</td><td>\(HTML.escape(e.cause.rawValue))</td>\
                <td>\(HTML.time(e.start))</td><td>\(e.end.map(HTML.time) ?? "ongoing")</td>\
                <td class="hide-narrow">\(e.prefixes.count)</td>\
                <td class="hide-narrow">\(Self.upstreams(e.upstreams, names))</td></tr>
                """
        }
        return out + "</tbody></table></div>"
    }

    /// Upstreams as "AS4837 China Unicom, AS20485 TransTeleCom", escaped.
    static func upstreams(_ list: [UInt32], _ names: [UInt32: String]) -> String {
        list.map { HTML.escape(ASLabel.text($0, name: names[$0])) }.joined(separator: ", ")
    }

    static func legend(events: [DetectedEvent], gaps: Bool) -> String {
        var items = Set(events.map(\.cause)).sorted { $0.rawValue < $1.rawValue }.map {
            "<span style=\"--sw: var(--c-\($0.rawValue))\">\($0.rawValue)</span>"
        }
        if gaps { items.append("<span style=\"--sw: var(--gap)\">feed gap (no data)</span>") }
        return items.isEmpty ? "" : "<div class=\"legend\">" + items.joined() + "</div>"
    }

    /// One sentence per cause, for readers who do not know the rule names.
    static func explain(_ cause: Cause) -> String {
        switch cause {
        case .originSide: "Internal failure: the target withdrew its routes itself"
        case .upstreamLoss: "Upstream cut: paths through an upstream vanished while the upstream stayed up"
        case .upstreamDown: "Upstream down: an upstream failed as a whole, its own prefixes too"
        case .hijack: "Possible hijack: another network originated the target's address space"
        case .routeLeak:
            "Route leak: paths to the target crossed a network that passed them on against its relationships"
        case .instability: "Instability: routes flapped, lost and recovered repeatedly"
        case .dataPlane: "Data-plane outage: the routes stayed up but no probed host answered"
        case .attack: "Likely attack: loss and delay rose, then no probed host answered, while the routes stayed up"
        case .feedProblem: "Our own feed failed: not an outage of the target"
        case .unknown: "Unknown: no rule fits the evidence"
        }
    }

    /// A target name as a URL path component.
    static func pathComponent(_ name: String) -> String {
        name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))
            ?? name
    }

    static func staticFile(_ name: String) throws -> Response {
        let types = ["vigil.css": "text/css; charset=utf-8", "vigil.js": "text/javascript; charset=utf-8"]
        guard let type = types[name], let text = ServerResources.text(name) else {
            throw HTTPError(.notFound, message: "no static file \(name)")
        }
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "max-age=300"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    static func html(_ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.contentSecurityPolicy] = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

}
