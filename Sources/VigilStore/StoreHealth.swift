import BGP
import Foundation
import Vigil

/// The store as the live engine sees it: whether commits fail, since when, and what waits to be written.
public struct StoreHealth: Sendable, Equatable {
    /// Wall time of the first failed commit of the current failure; nil while commits succeed.
    public var failingSince: Double?
    /// The last commit's error.
    public var error: String?
    /// Commits failed in a row.
    public var failures = 0
    /// What waits for the store ("1 event, 12 route rows"), or "nothing".
    public var waiting = "nothing"
    /// Seconds until the next try.
    public var retryIn: Double = 0

    /// All commits succeed.
    public init() {}

    /// True while commits fail.
    public var isFailing: Bool { failingSince != nil }
}

extension StoreHealth {
    /// The health as one JSON object, for `/healthz`: `{"status":"ok"}`, or the failing store named with its
    /// error, since when and what waits.
    public func json(path: String) -> String {
        var o = JSONObject()
        o.add("status", isFailing ? "failing" : "ok")
        if let since = failingSince {
            o.add("store", path)
            o.add("failing_since", UTCTime.iso(since))
            o.add("error", error ?? "")
            o.add("failed_commits", failures)
            o.add("waiting", waiting)
        }
        return o.closed
    }
}

/// A small file beside the store (`STORE.health`) where a running watch says whether it can write the
/// store, for `vigil status` to read when the store itself cannot be written (a full disk, a lock held
/// elsewhere). Its size is fixed when the watch starts and every report overwrites those bytes in place,
/// so it needs no new space on a full disk.
public struct StoreHealthFile: Sendable {
    /// The file's path.
    public let path: String
    /// Its fixed size: a report is at most this long (longer errors are cut).
    static let size = 4096

    /// The file beside the store at `storePath`.
    public init(storePath: String) { path = storePath + ".health" }

    /// Creates the file at its full size (the watch at start-up, while there is room).
    public func create() throws(StoreError) {
        guard FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x20, count: Self.size)) else {
            throw StoreError("cannot create \(path)")
        }
    }

    /// Overwrites the report in place; false when the file could not be written. An error too long for
    /// the file is cut.
    @discardableResult
    public func write(_ health: StoreHealth, storePath: String, at time: Double) -> Bool {
        var cut = health
        if let e = cut.error, e.utf8.count > Self.size / 2 { cut.error = String(e.prefix(Self.size / 4)) + "…" }
        var o = JSONObject()
        o.add("time", time)
        o.add("health", raw: cut.json(path: storePath))
        var bytes = Array(o.closed.utf8)
        guard bytes.count < Self.size else { return false }  // only a store path of kilobytes gets here
        bytes += Array(repeating: 0x20, count: Self.size - bytes.count)
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } == Self.size
    }

    /// The last report: when it was written and the store's health then (nil: no file, or unreadable).
    public func read() -> (time: Double, health: StoreHealth)? {
        guard let data = FileManager.default.contents(atPath: path),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let time = object["time"] as? Double, let fields = object["health"] as? [String: Any]
        else { return nil }
        var health = StoreHealth()
        if fields["status"] as? String == "failing" {
            health.failingSince = (fields["failing_since"] as? String).flatMap(UTCTime.parse) ?? time
            health.error = fields["error"] as? String
            health.failures = fields["failed_commits"] as? Int ?? 1
            health.waiting = fields["waiting"] as? String ?? "?"
        }
        return (time, health)
    }
}
