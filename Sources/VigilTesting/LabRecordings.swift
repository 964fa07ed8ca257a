import Foundation

/// The routing lab's recordings (lab/README.md): one folder per scenario with the collector's MRT and
/// `ground-truth.json`. `scripts/test` makes them with `lab/run test --out .build/lab` before the tests.
public enum LabRecordings {
    /// One scenario's ground truth, as the lab wrote it (never derived from Vigil).
    public struct GroundTruth: Sendable {
        /// Scenario name, cause, prefixes and upstreams of the fault.
        public var scenario: String
        public var cause: String
        public var prefixes: [String]
        public var upstreams: [UInt32]
        /// When the fault was applied and repaired (seconds since the epoch).
        public var faultAt: Double
        public var repairedAt: Double?
        /// The MRT files, as paths.
        public var mrt: [String]
        /// How many times faster than real time the lab ran.
        public var speed: Double
        /// Background prefixes every peer carries.
        public var population: Int
    }

    /// True when the lab tests should be skipped (`VIGIL_SKIP_LAB=1`).
    public static var skipped: Bool { ProcessInfo.processInfo.environment["VIGIL_SKIP_LAB"] == "1" }

    /// The recordings folder: `$VIGIL_LAB_OUT`, else `.build/lab` in the repository.
    public static func directory() throws -> URL {
        let url =
            ProcessInfo.processInfo.environment["VIGIL_LAB_OUT"].map { URL(fileURLWithPath: $0) }
            ?? Fixtures.repositoryRoot.appendingPathComponent(".build/lab")
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent("origin-down/ground-truth.json").path)
        else {
            throw Fixtures.Missing(
                description: """
                    no lab recordings in \(url.path): run `sudo lab/run test --out .build/lab` first (scripts/test \
                    does it as root), set VIGIL_LAB_OUT to a folder of recordings, or VIGIL_SKIP_LAB=1 to skip
                    """)
        }
        return url
    }

    /// The ground truth of `scenario`.
    public static func truth(_ scenario: String) throws -> GroundTruth {
        let folder = try directory().appendingPathComponent(scenario)
        let data = try Data(contentsOf: folder.appendingPathComponent("ground-truth.json"))
        guard let o = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Fixtures.Missing(description: "\(scenario)/ground-truth.json is not a JSON object")
        }
        func time(_ key: String) -> Double? {
            guard let text = o[key] as? String else { return nil }
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return f.date(from: text)?.timeIntervalSince1970
        }
        guard let fault = time("fault_at") else {
            throw Fixtures.Missing(description: "\(scenario)/ground-truth.json has no fault_at")
        }
        return GroundTruth(
            scenario: o["scenario"] as? String ?? scenario, cause: o["cause"] as? String ?? "",
            prefixes: o["prefixes"] as? [String] ?? [],
            upstreams: (o["upstreams"] as? [Int] ?? []).map { UInt32($0) }, faultAt: fault,
            repairedAt: time("repaired_at"),
            mrt: (o["mrt"] as? [String] ?? []).map { folder.appendingPathComponent($0).path },
            speed: o["speed"] as? Double ?? 1, population: o["population"] as? Int ?? 0)
    }

    /// The scenarios the lab stages.
    public static let scenarios = [
        "origin-down", "recovery", "upstream-cut-ttk", "upstreams-cut-sequential", "upstream-down", "hijack",
        "hijack-more-specific", "collector-feed-loss", "flapping",
    ]

    /// How an event differs from a scenario's ground truth: cause, prefixes and upstreams must be equal,
    /// the start within 5 s of the fault, and the end (when `end` is checked) within 5 s of the repair.
    /// Empty when it matches.
    public static func mismatches(
        _ truth: GroundTruth, cause: String, prefixes: [String], upstreams: [UInt32], start: Double, end: Double?,
        checksEnd: Bool = true
    ) -> [String] {
        var out: [String] = []
        if cause != truth.cause { out.append("cause \(cause), expected \(truth.cause)") }
        if prefixes.sorted() != truth.prefixes.sorted() {
            out.append("prefixes \(prefixes), expected \(truth.prefixes)")
        }
        if upstreams.sorted() != truth.upstreams.sorted() {
            out.append("upstreams \(upstreams), expected \(truth.upstreams)")
        }
        if abs(start - truth.faultAt) > 5 { out.append("start \(start), fault at \(truth.faultAt)") }
        if checksEnd, let repaired = truth.repairedAt {
            if let end {
                if abs(end - repaired) > 5 { out.append("end \(end), repaired at \(repaired)") }
            } else {
                out.append("the event never ended; repaired at \(repaired)")
            }
        }
        return out
    }
}
