import BGP
import Foundation

extension DetectedEvent {
    /// The event as the console prints it (`vigil replay`, `vigil watch`, `vigil events`): a head line
    /// with the cause and confidence (`label`: "EVENT", "EVENT OPEN", "EVENT CLOSED"), start and end, the
    /// prefixes and upstreams (named as `target` names them), then one line per piece of evidence.
    public func text(target: Target, label: String = "EVENT") -> String {
        var lines = [
            "\(label) \(id) \(self.target): \(cause.rawValue) (confidence \(String(format: "%.2f", confidence)))",
            "  start \(UTCTime.iso(start))  end \(end.map { UTCTime.iso($0) } ?? "ongoing")",
            "  prefixes \(Self.listed(prefixes))"
                + (upstreams.isEmpty
                    ? "" : "; upstreams \(upstreams.map { Self.upstreamName($0, target) }.joined(separator: ", "))"),
        ]
        lines += evidence.map { "  - \($0)" }
        return lines.joined(separator: "\n")
    }

    /// The prefixes to show on the console: all of a few, the first `shown` of many with how many more
    /// (a country's outage holds hundreds; `--json` and the event page list them all).
    static func listed(_ prefixes: [IPPrefix], shown: Int = 10) -> String {
        let head = prefixes.prefix(shown).map(\.description).joined(separator: ", ")
        return prefixes.count > shown ? "\(head) and \(prefixes.count - shown) more (\(prefixes.count) in all)" : head
    }

    /// "AS4837 China Unicom" when the target names the upstream, else "AS4837".
    static func upstreamName(_ asn: UInt32, _ target: Target) -> String {
        ASLabel.text(asn, name: target.upstreamName(asn))
    }
}
