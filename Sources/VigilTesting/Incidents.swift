import Foundation

/// The real incidents of `../shared/data/real/incidents/`, read with bgpdump (never with Vigil).
public enum Incidents {
    /// Cloudflare's partial withdrawal of 2022-06-21: the file, every prefix the three peers carried at
    /// 06:00 (announced before 1655791300 in bgpdump's reading: the README's target, AS13335's 1,436
    /// prefixes), the times of its withdrawals, and the hours its records fall in.
    public struct Cloudflare: Sendable {
        public var file: String
        public var prefixes: [String]
        public var withdrawals: Set<Double>
        public var hours: Set<Double>
        /// Every prefix the file names, announced or withdrawn.
        public var named: Set<String>

        /// The target as a targets file section: `[target.cloudflare]`, AS13335 and the prefixes.
        public var targetsFileSection: String {
            let list = prefixes.map { "\"\($0)\"" }.joined(separator: ", ")
            return "[target.cloudflare]\norigins = [13335]\nprefixes = [\(list)]\n"
        }
    }

    /// Reads the Cloudflare incident's file with `bgpdump -m`.
    public static func cloudflare() throws -> Cloudflare {
        let file = try Fixtures.path("incidents/cloudflare-2022-06-21/cloudflare-20220621.ris-t1.mrt.gz")
        let dump = try Tools.bgpdump(["-m", file])
        var prefixes: Set<String> = []
        var named: Set<String> = []
        var withdrawals: Set<Double> = []
        var hours: Set<Double> = []
        for line in dump.lines {
            let f = line.split(separator: "|", omittingEmptySubsequences: false)
            guard f.count > 5, let t = Double(f[1]) else { continue }
            hours.insert((t / 3600).rounded(.down) * 3600)
            named.insert(String(f[5]))
            if f[2] == "A", t < 1_655_791_300 { prefixes.insert(String(f[5])) }
            if f[2] == "W" { withdrawals.insert(t) }
        }
        return Cloudflare(
            file: file, prefixes: prefixes.sorted(), withdrawals: withdrawals, hours: hours, named: named)
    }
}
