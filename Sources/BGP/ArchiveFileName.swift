/// The names RIPE RIS and RouteViews give their MRT files: `bview.YYYYMMDD.HHMM.gz` (RIS's RIB snapshots),
/// `rib.YYYYMMDD.HHMM.bz2` (RouteViews') and `updates.YYYYMMDD.HHMM.{gz,bz2}`, the time being when the
/// file starts (UTC). Read by the archive fetcher (which files a range needs) and by replay (when a file's
/// turn comes, before it is opened).
public enum ArchiveFileName {
    /// A RIB snapshot or an update file.
    public enum Kind: String, Sendable, Hashable {
        case rib
        case updates
    }

    /// The kind and start time `name` (a file name, no folder) gives; nil for any other name.
    public static func parse(_ name: String) -> (kind: Kind, time: Double)? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[3] == "gz" || parts[3] == "bz2" else { return nil }
        let kind: Kind
        switch parts[0] {
        case "bview", "rib": kind = .rib
        case "updates": kind = .updates
        default: return nil
        }
        let d = Array(parts[1].utf8)
        let c = Array(parts[2].utf8)
        guard d.count == 8, c.count == 4, d.allSatisfy({ $0 &- 48 < 10 }), c.allSatisfy({ $0 &- 48 < 10 }) else {
            return nil
        }
        func number(_ digits: ArraySlice<UInt8>) -> Int { digits.reduce(0) { $0 * 10 + Int($1 - 48) } }
        let (y, mo, day) = (number(d[0..<4]), number(d[4..<6]), number(d[6..<8]))
        let (h, mi) = (number(c[0..<2]), number(c[2..<4]))
        guard y >= 1970, (1...12).contains(mo), (1...UTCTime.daysIn(month: mo, year: y)).contains(day), h < 24, mi < 60
        else { return nil }
        let seconds = CivilTime.days(year: y, month: mo, day: day) * 86_400 + Int64(h * 3600 + mi * 60)
        guard case .success(let t) = UTCTime.checked(Double(seconds)) else { return nil }
        return (kind, t)
    }

    /// The same for a path: its last component.
    public static func parse(path: String) -> (kind: Kind, time: Double)? {
        parse(String(path.split(separator: "/").last ?? ""))
    }
}
