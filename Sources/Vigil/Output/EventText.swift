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
            "  prefixes \(prefixes.map(\.description).joined(separator: ", "))"
                + (upstreams.isEmpty
                    ? "" : "; upstreams \(upstreams.map { Self.upstreamName($0, target) }.joined(separator: ", "))"),
        ]
        lines += evidence.map { "  - \($0)" }
        return lines.joined(separator: "\n")
    }

    /// "AS4837 China Unicom" when the target names the upstream, else "AS4837".
    static func upstreamName(_ asn: UInt32, _ target: Target) -> String {
        target.upstreamName(asn).map { "AS\(asn) \($0)" } ?? "AS\(asn)"
    }
}
