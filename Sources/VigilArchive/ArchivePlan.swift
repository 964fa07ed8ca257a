import BGP
import Vigil

/// A time range that no file of a collector covers: a feed gap for that collector (its peers' routes are
/// left as they were, never read as withdrawn).
public struct ArchiveGap: Sendable, Hashable, CustomStringConvertible {
    public var collector: String
    public var start: Double
    public var end: Double
    /// Why: the file that could not be fetched (its URL and what went wrong), or the archive's own hole.
    public var reason: String

    public init(collector: String, start: Double, end: Double, reason: String) {
        self.collector = collector
        self.start = start
        self.end = end
        self.reason = reason
    }

    public var description: String {
        "feed gap \(collector) \(UTCTime.iso(start)) to \(UTCTime.iso(end)): \(reason)"
    }
}

/// Which of a collector's listed files a replay of `[from, to)` needs: the last RIB snapshot at or before
/// `from` (within the archive's look-back), and every update file whose span overlaps the range from that
/// RIB's time to `to` (those before `from` bring the RIB up to date). An update
/// file spans from the time in its name to the next update file's time (RouteViews' times are not always
/// on the clock); the last one, and one followed by a hole longer than twice the archive's period, span the
/// nominal period, and the hole is a gap.
public struct ArchivePlan: Sendable, Equatable {
    /// An update file with the span it covers.
    public struct Update: Sendable, Hashable {
        public var file: ArchiveFile
        public var end: Double
    }

    public var rib: ArchiveFile?
    public var updates: [Update]
    /// Holes in the archive's own sequence of update files, within the range.
    public var holes: [(start: Double, end: Double)]

    public static func == (a: ArchivePlan, b: ArchivePlan) -> Bool {
        a.rib == b.rib && a.updates == b.updates && a.holes.elementsEqual(b.holes, by: { $0 == $1 })
    }

    /// The plan for `files` (one collector's, from every month listed) over `[from, to)`.
    public init(files: [ArchiveFile], from: Double, to: Double, project: ArchiveProject) {
        let ribs = files.filter { $0.kind == .rib && $0.time <= from && $0.time >= from - project.ribLookback }
        rib = ribs.max { $0.time < $1.time }
        // The updates from the RIB on bring it up to `from`.
        let from = rib?.time ?? from
        let all = files.filter { $0.kind == .updates }.sorted { $0.time < $1.time }
        var updates: [Update] = []
        let nominal = project.updateSeconds
        for (i, f) in all.enumerated() {
            var end = f.time + nominal
            if i + 1 < all.count, all[i + 1].time - f.time <= 2 * nominal { end = all[i + 1].time }
            if f.time < to, end > from { updates.append(Update(file: f, end: end)) }
        }
        // What the files leave uncovered in the range is the archive's own hole.
        var holes: [(Double, Double)] = []
        var covered = from
        for u in updates {
            if u.file.time > covered { holes.append((covered, u.file.time)) }
            covered = max(covered, u.end)
        }
        if covered < to { holes.append((covered, to)) }
        self.updates = updates
        self.holes = holes.filter { $0.1 > $0.0 }
    }
}

extension ArchiveGap {
    /// `{"type":"gap","collector":…,"start":…,"end":…,"reason":…}`, as `vigil replay --json` prints it.
    public var jsonLine: String {
        var o = JSONObject()
        o.add("type", "gap")
        o.add("collector", collector)
        o.add("start", UTCTime.iso(start))
        o.add("end", UTCTime.iso(end))
        o.add("reason", reason)
        return o.closed
    }
}
