import BGP
import Foundation
import Vigil
import VigilStore

/// How a hook wants its alerts: Vigil's own JSON, or a `{"text": ...}` message that Slack and
/// Mattermost incoming webhooks post as is.
public enum AlertFormat: String, Sendable, CaseIterable {
    case json
    case slack
}

/// A webhook: where alerts go and in which format.
public struct Webhook: Sendable, Hashable {
    /// The URL posted to.
    public var url: String
    /// The body format.
    public var format: AlertFormat

    /// A hook.
    public init(url: String, format: AlertFormat) {
        self.url = url
        self.format = format
    }

    /// Its name in the outbox (the store is the operator's own file; it keeps the whole URL).
    public var id: String { format.rawValue + " " + url }

    /// Its name wherever others may read it (console, logs, metrics, pages): the format and the URL's host
    /// only. Webhook URLs carry secrets in their paths and queries (Slack's `/services/T…/B…/SECRET`).
    public var label: String { Self.label(id: id) }

    /// The public name of a hook from its outbox id (`"slack https://hooks.slack.com/services/…"` →
    /// `"slack hooks.slack.com"`).
    public static func label(id: String) -> String {
        let parts = id.split(separator: " ", maxSplits: 1).map(String.init)
        let format = parts.first ?? "hook"
        let host = parts.count == 2 ? URLComponents(string: parts[1])?.host : nil
        return format + " " + (host.flatMap { $0.isEmpty ? nil : $0 } ?? "(unnamed host)")
    }

    /// The body of an alert about an event.
    func body(_ kind: AlertKind, event e: DetectedEvent, time: Double, dashboard: String?) -> String {
        let link = dashboard.map { $0 + "/events/\(e.id)" }
        let verb: String =
            switch kind {
            case .eventStart: "started"
            case .eventUpdate: "changed"
            case .eventEnd: "ended"
            default: kind.rawValue
            }
        let count = e.prefixes.count
        var scope = "\(count) prefix" + (count == 1 ? "" : "es")
        if count > 0 {
            let listed: [String] = e.prefixes.prefix(5).map(\.description)
            scope += " (" + listed.joined(separator: ", ") + (count > 5 ? ", …)" : ")")
        }
        if !e.upstreams.isEmpty {
            let names: [String] = e.upstreams.map { "AS\($0)" }
            scope += ", upstreams " + names.joined(separator: ", ")
        }
        let when = kind == .eventEnd ? e.end.map { UTCTime.iso($0) } ?? UTCTime.iso(time) : UTCTime.iso(e.start)
        let text = "\(e.target): \(e.cause.rawValue) \(verb) at \(when), \(scope)"
        switch format {
        case .json:
            var o = Self.header(kind, time: time, subject: "event:\(e.id)", text: text)
            o.add("target", e.target)
            o.add("url", link)
            o.add("event", raw: e.jsonLine)
            return o.closed
        case .slack:
            let mark =
                kind == .eventEnd ? ":large_green_circle:" : (e.cause == .feedProblem ? ":warning:" : ":red_circle:")
            let first = e.evidence.first.map { "\n> " + Self.slackEscape($0) } ?? ""
            var o = JSONObject()
            o.add(
                "text",
                "\(mark) *Vigil* " + Self.slackEscape(text) + first
                    + (link.map { "\n<\($0)|Event \(e.id) on the dashboard>" } ?? ""))
            return o.closed
        }
    }

    /// The body of an alert about a feed gap.
    func body(_ kind: AlertKind, gap: FeedGap, time: Double) -> String {
        let text =
            kind == .feedLost
            ? "feed \(gap.source) lost at \(UTCTime.iso(gap.start)): \(gap.reason) (no data is not an outage)"
            : "feed \(gap.source) restored at \(UTCTime.iso(gap.end ?? time)) after \(Int((gap.end ?? time) - gap.start)) s"
        switch format {
        case .json:
            var o = Self.header(kind, time: time, subject: "feed:\(gap.id)", text: text)
            var f = JSONObject()
            f.add("source", gap.source)
            f.add("start", UTCTime.iso(gap.start))
            f.add("end", gap.end.map { UTCTime.iso($0) })
            f.add("reason", gap.reason)
            o.add("feed", raw: f.closed)
            return o.closed
        case .slack:
            var o = JSONObject()
            o.add(
                "text", (kind == .feedLost ? ":warning:" : ":white_check_mark:") + " *Vigil* " + Self.slackEscape(text))
            return o.closed
        }
    }

    /// The fields every JSON alert starts with.
    static func header(_ kind: AlertKind, time: Double, subject: String, text: String) -> JSONObject {
        var o = JSONObject()
        o.add("type", "vigil.alert")
        o.add("kind", kind.rawValue)
        o.add("time", UTCTime.iso(time))
        o.add("subject", subject)
        o.add("text", text)
        return o
    }

    /// Slack's three control characters.
    static func slackEscape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
