import Foundation
import Hummingbird
import Logging
import NIOCore
import VigilClock

/// A real HTTP server on loopback that serves a folder laid out as a public BGP archive (RIPE RIS's
/// `rrcNN/YYYY.MM/`, RouteViews' `COLLECTOR/bgpdata/YYYY.MM/{RIBS,UPDATES}/`): files with Range requests
/// answered as Apache answers them (206 and `Content-Range`), folders as Apache's HTML index (name, date,
/// size such as `203K`), and faults on request: a file listed but missing, one cut short after its headers
/// declared the whole length, one cut short only the first time, and one that answers too slowly. Every
/// request is logged, so a test can tell what a client asked for.
public final class ArchiveMirrorServer: Sendable {
    /// What the server does wrong for a path (relative to the root, without a leading slash).
    public enum Fault: Sendable {
        /// Listed in its folder, but 404 when asked for.
        case missing
        /// Declares the whole length, sends this many bytes, then drops the connection; every time.
        case truncated(Int)
        /// As `truncated`, on the first request only; later ones (Range requests too) are answered whole.
        case truncatedOnce(Int)
        /// Waits this long before answering.
        case slow(Duration)
    }

    /// The folder served.
    public let root: String
    private let faults: [String: Fault]
    private let log = Locked<[String]>([])
    private let served = Locked<Set<String>>([])
    private let portBox = Locked(0)

    public init(root: String, faults: [String: Fault] = [:]) {
        self.root = root.hasSuffix("/") ? String(root.dropLast()) : root
        self.faults = faults
    }

    /// The port once running, and the base URL of the folder `sub` of the root.
    public var port: Int { portBox.value }
    public func url(_ sub: String = "") -> String { "http://127.0.0.1:\(port)/\(sub)" }
    /// Every request so far: `GET /path` with ` Range: …` when one was asked.
    public var requests: [String] { log.value }

    /// Runs until the task is cancelled; `ready` gets the port once listening.
    public func run(ready: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        var logger = Logger(label: "archive-mirror")
        logger.logLevel = .critical
        let router = Router()
        router.get("**") { request, _ -> Response in try await self.answer(request) }
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                self.portBox.withLock { $0 = port }
                ready(port)
            }, logger: logger)
        try await app.run()
    }

    /// Starts the server in a task; returns once it listens.
    public func start() async throws -> Task<Void, any Error> {
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let task = Task { try await self.run { continuation.yield($0) } }
        for await _ in stream { break }
        return task
    }

    private func answer(_ request: Request) async throws -> Response {
        let path = String(request.uri.path.drop { $0 == "/" }).removingPercentEncoding ?? ""
        let range = request.headers[.range]
        log.append("GET /\(path)" + (range.map { " Range: \($0)" } ?? ""))
        guard !path.split(separator: "/").contains(".."), !path.contains("\0") else {
            return Response(status: .badRequest)
        }
        let full = root + "/" + path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isFolder) else {
            return Response(status: .notFound)
        }
        if isFolder.boolValue {
            guard path.isEmpty || path.hasSuffix("/") else {
                return Response(status: .movedPermanently, headers: [.location: "/\(path)/"])
            }
            return Response(
                status: .ok, headers: [.contentType: "text/html;charset=UTF-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: try index(path: path, folder: full))))
        }
        let first = served.withLock { $0.insert(path).inserted }
        switch faults[path] {
        case .missing:
            return Response(status: .notFound)
        case .slow(let delay):
            try await Task.sleep(for: delay)
        default:
            break
        }
        guard let data = FileManager.default.contents(atPath: full) else { return Response(status: .forbidden) }
        var start = 0
        var status = HTTPResponse.Status.ok
        var headers: HTTPFields = [.acceptRanges: "bytes", .contentType: "application/octet-stream"]
        if let range, range.hasPrefix("bytes="), range.hasSuffix("-"), let from = Int(range.dropFirst(6).dropLast()) {
            guard from < data.count else {
                return Response(status: .rangeNotSatisfiable, headers: [.contentRange: "bytes */\(data.count)"])
            }
            start = from
            status = .partialContent
            headers[.contentRange] = "bytes \(from)-\(data.count - 1)/\(data.count)"
        }
        let body = data[(data.startIndex + start)...]
        var cut: Int?
        switch faults[path] {
        case .truncated(let n): cut = n
        case .truncatedOnce(let n) where first: cut = n
        default: break
        }
        if let cut {
            // The whole length declared, part of it sent, then the connection dropped.
            let sent = ByteBuffer(bytes: body.prefix(max(0, cut - start)))
            return Response(
                status: status, headers: headers,
                body: ResponseBody(contentLength: body.count) { writer in
                    try await writer.write(sent)
                    throw CancellationError()
                })
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Apache's index of a folder: one row per entry, with its time and its size as Apache prints it.
    private func index(path: String, folder: String) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        var rows = ""
        for name in names {
            let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/" + name)
            let isFolder = attributes[.type] as? FileAttributeType == .typeDirectory
            let size = (attributes[.size] as? NSNumber)?.uint64Value ?? 0
            let shown = isFolder ? "-" : Self.apacheSize(size)
            let link = isFolder ? name + "/" : name
            rows +=
                "<tr><td valign=\"top\"><img src=\"/icons/unknown.gif\" alt=\"[   ]\"></td><td><a href=\"\(link)\">\(link)</a></td>"
                + "<td align=\"right\">2025-06-07 04:10  </td><td align=\"right\">\(shown)</td><td>&nbsp;</td></tr>\n"
        }
        return """
            <!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">
            <html>
             <head>
              <title>Index of /\(path)</title>
             </head>
             <body>
            <h1>Index of /\(path)</h1>
              <table>
               <tr><th valign="top"><img src="/icons/blank.gif" alt="[ICO]"></th><th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Last modified</a></th><th><a href="?C=S;O=A">Size</a></th><th><a href="?C=D;O=A">Description</a></th></tr>
               <tr><th colspan="5"><hr></th></tr>
            <tr><td valign="top"><img src="/icons/back.gif" alt="[PARENTDIR]"></td><td><a href="../">Parent Directory</a></td><td>&nbsp;</td><td align="right">  - </td><td>&nbsp;</td></tr>
            \(rows)   <tr><th colspan="5"><hr></th></tr>
            </table>
            </body></html>

            """
    }

    /// Sizes as Apache's index prints them: bytes below 1 K, then one decimal under 10 (`1.7G`), else whole.
    static func apacheSize(_ n: UInt64) -> String {
        if n < 1024 { return "\(n)" }
        var value = Double(n)
        for unit in ["K", "M", "G", "T"] {
            value /= 1024
            if value < 1024 || unit == "T" {
                return value < 9.95 ? "\((value * 10).rounded() / 10)\(unit)" : "\(Int(value.rounded()))\(unit)"
            }
        }
        return "\(n)"
    }
}

extension ArchiveMirrorServer {
    /// A server (not started) for a mirror laid out by `makeMirror` in a new temporary folder, with
    /// `faults`; and the files linked, by their path under its root.
    public static func mirror(faults: [String: Fault] = [:]) throws -> (ArchiveMirrorServer, linked: [String: String]) {
        let root = try Fixtures.temporaryFolder("mirror")
        let linked = try makeMirror(at: root)
        return (ArchiveMirrorServer(root: root, faults: faults), linked)
    }

    /// Lays out, under `root`, a mirror of the two archives made of the real files in the shared data
    /// (symbolic links, the files' bytes untouched): RouteViews' route-views2 in its layout before 2026
    /// (`routeviews/bgpdata/2008.02/UPDATES/`, the YouTube incident's 95 update files; `RIBS/` empty, as
    /// no RIB of that day is in the data), and RIS's (`ris/rrcNN/YYYY.MM/`) with the RIS files named as
    /// the archive names them. Returns the files linked, by their path under `root`.
    @discardableResult
    public static func makeMirror(at root: String) throws -> [String: String] {
        var linked: [String: String] = [:]
        let fm = FileManager.default
        func link(_ source: String, _ relative: String) throws {
            let target = root + "/" + relative
            try fm.createDirectory(
                atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try fm.createSymbolicLink(atPath: target, withDestinationPath: source)
            linked[relative] = source
        }
        let youtube = try Fixtures.path("incidents/youtube-2008-02-24/route-views2")
        for name in try fm.contentsOfDirectory(atPath: youtube) where name.hasPrefix("updates.") {
            try link(youtube + "/" + name, "routeviews/bgpdata/2008.02/UPDATES/" + name)
        }
        try fm.createDirectory(atPath: root + "/routeviews/bgpdata/2008.02/RIBS", withIntermediateDirectories: true)
        let ris: [(String, String)] = [
            ("mrt/bgpdump__bview.20020722.2337.gz", "ris/rrc00/2002.07/bview.20020722.2337.gz"),
            ("mrt/bgpdump__updates.20020722.2238.gz", "ris/rrc00/2002.07/updates.20020722.2238.gz"),
            ("mrt/bgpkit__rrc15_updates.20100227.1600.gz", "ris/rrc15/2010.02/updates.20100227.1600.gz"),
            (
                "mrt/bgpkit__rrc03_updates.20100227.1600.first-796-records.gz",
                "ris/rrc03/2010.02/updates.20100227.1600.gz"
            ),
            ("mrt/bgpkit__rrc00_updates.19990903.1041.gz", "ris/rrc00/1999.09/updates.19990903.1041.gz"),
        ]
        for (source, relative) in ris { try link(try Fixtures.path(source), relative) }
        return linked
    }
}
