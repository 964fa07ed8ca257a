import BGP

/// One MRT file an archive lists: a RIB snapshot or an update file, with the time its name gives.
public struct ArchiveFile: Sendable, Hashable {
    /// RIB snapshot (`bview.…`, `rib.…`) or update file (`updates.…`), as its name says.
    public typealias Kind = ArchiveFileName.Kind

    /// The file's name (`updates.20080224.1807.bz2`).
    public var name: String
    public var kind: Kind
    /// The time in its name, seconds since the epoch (UTC).
    public var time: Double
    /// Its size as the listing shows it (`1.7G` is about 1.7 × 2^30 bytes), when it shows one: for the
    /// progress bar's estimate only; the download checks the size the server declares.
    public var listedSize: UInt64?

    public init(name: String, kind: Kind, time: Double, listedSize: UInt64? = nil) {
        self.name = name
        self.kind = kind
        self.time = time
        self.listedSize = listedSize
    }

    /// The file that `name` names, when it is an MRT file of an archive: `bview.YYYYMMDD.HHMM.gz` (RIS),
    /// `rib.YYYYMMDD.HHMM.bz2` (RouteViews) or `updates.YYYYMMDD.HHMM.{gz,bz2}`; nil for anything else.
    public static func named(_ name: String) -> ArchiveFile? {
        guard let (kind, time) = ArchiveFileName.parse(name) else { return nil }
        return ArchiveFile(name: name, kind: kind, time: time)
    }
}

/// A directory listing of an archive folder (the HTML index that Apache, nginx or Python's http.server
/// writes), read for the MRT files it links to.
///
/// Only the link targets are read, not the layout around them: RIS and RouteViews both serve Apache's
/// index, but mirrors serve others, and layouts change. Links that are not plain file names of an archive
/// (folders, sort links, other files) are ignored. Outside bytes: at most `maxBytes` are read, and every
/// name goes through `ArchiveFile.named`.
public enum ArchiveListing {
    /// The largest listing read (RIS's busiest month folder is about 2 MB of HTML).
    public static let maxBytes = 32 << 20

    /// The archive files `html` links to, in the order of their times (each name once).
    public static func files(in html: [UInt8]) -> [ArchiveFile] {
        let bytes = html.count > maxBytes ? Array(html[0..<maxBytes]) : html
        var out: [String: ArchiveFile] = [:]
        var i = 0
        let n = bytes.count
        while i + 6 < n {
            // `href=` in any case, then a quoted or bare value.
            guard bytes[i] | 0x20 == UInt8(ascii: "h"), bytes[i + 1] | 0x20 == UInt8(ascii: "r"),
                bytes[i + 2] | 0x20 == UInt8(ascii: "e"), bytes[i + 3] | 0x20 == UInt8(ascii: "f"),
                bytes[i + 4] == UInt8(ascii: "=")
            else {
                i += 1
                continue
            }
            var j = i + 5
            var quote: UInt8?
            if j < n, bytes[j] == UInt8(ascii: "\"") || bytes[j] == UInt8(ascii: "'") {
                quote = bytes[j]
                j += 1
            }
            let start = j
            while j < n, j - start < 256 {
                let b = bytes[j]
                if let q = quote {
                    if b == q { break }
                } else if b == UInt8(ascii: " ") || b == UInt8(ascii: ">") {
                    break
                }
                j += 1
            }
            var name = String(decoding: bytes[start..<min(j, n)], as: UTF8.self)
            if name.hasPrefix("./") { name.removeFirst(2) }
            i = j
            guard var file = ArchiveFile.named(name) else { continue }
            file.listedSize = size(after: j, in: bytes)
            out[name] = file
        }
        return out.values.sorted { ($0.time, $0.name) < ($1.time, $1.name) }
    }

    /// The size the listing shows after a link (Apache: `2008-02-24 18:10  203K`; nginx: bytes), read from
    /// the text up to the next link or the end of the line; nil when there is none.
    static func size(after position: Int, in bytes: [UInt8]) -> UInt64? {
        var text: [UInt8] = []
        var i = position
        var inTag = false
        var sawClose = false
        while i < bytes.count, text.count < 200 {
            let b = bytes[i]
            if b == UInt8(ascii: "<") {
                // The next link (or the next row) ends this entry.
                if sawClose, i + 1 < bytes.count, bytes[i + 1] | 0x20 == UInt8(ascii: "a") { break }
                if i + 2 < bytes.count, bytes[i + 1] | 0x20 == UInt8(ascii: "t"),
                    bytes[i + 2] | 0x20 == UInt8(ascii: "r"),
                    sawClose
                {
                    break
                }
                inTag = true
            } else if b == UInt8(ascii: ">") {
                inTag = false
                sawClose = true
                text.append(UInt8(ascii: " "))
            } else if b == 10 {
                if sawClose { break }
            } else if !inTag {
                text.append(b)
            }
            i += 1
        }
        var best: UInt64?
        for token in text.split(whereSeparator: { $0 == 32 || $0 == 9 }) {
            if let v = sizeValue(Array(token)) { best = v }
        }
        return best
    }

    /// `203K`, `1.7G`, `4096` as bytes (K, M, G, T are powers of 1024, as Apache prints them); nil otherwise.
    static func sizeValue(_ t: [UInt8]) -> UInt64? {
        guard !t.isEmpty, t.count <= 16 else { return nil }
        var digits = t
        var scale: Double = 1
        switch t.last.map({ $0 | 0x20 }) {
        case UInt8(ascii: "k"): scale = 1024
        case UInt8(ascii: "m"): scale = 1_048_576
        case UInt8(ascii: "g"): scale = 1_073_741_824
        case UInt8(ascii: "t"): scale = 1_099_511_627_776
        default: break
        }
        if scale > 1 { digits.removeLast() }
        guard !digits.isEmpty, digits.first != UInt8(ascii: "."), digits.last != UInt8(ascii: "."),
            digits.allSatisfy({ $0 &- 48 < 10 || $0 == UInt8(ascii: ".") }),
            digits.filter({ $0 == UInt8(ascii: ".") }).count <= 1
        else { return nil }
        guard let v = Double(String(decoding: digits, as: UTF8.self)), v.isFinite, v * scale < 1e18 else { return nil }
        return UInt64(v * scale)
    }
}
