import BGP
import Foundation
import GRDB
import Vigil
import VigilClock

/// Vigil's history in one SQLite file (WAL mode): events with their diagnosis and evidence, per-bin
/// signals, feed gaps, peers and targets.
///
/// Every write is one transaction, committed before the call returns, so a monitor killed at any moment
/// loses nothing it had reported. Readers (`vigil events`, `vigil status`, the server) open the same file
/// while the monitor writes.
public final class History: Sendable {
    /// The file.
    public let path: String
    let pool: DatabasePool
    /// The clock of the store's own stamps (when an event row or a target was last written): the watch's.
    public let clock: any EpochClock

    /// Opens (creating it if needed) the store at `path` and brings its schema up to date.
    public init(path: String, clock: any EpochClock = SystemClock()) throws(StoreError) {
        self.path = path
        self.clock = clock
        // Several processes may open a new file at once (watch starting while `vigil events` reads it):
        // switching it to WAL and creating the schema then collide, SQLite answers "locked" or our
        // migration finds the other's tables. Trying again finds the other's work done.
        var attempt = 0
        while true {
            attempt += 1
            do {
                pool = try Self.open(path)
                return
            } catch let error as StoreError {
                throw error
            } catch {
                guard attempt < 25, Self.isCollision(error) else {
                    throw StoreError("cannot open the store \(path): \(error)")
                }
                usleep(UInt32(50_000 + 20_000 * attempt))
            }
        }
    }

    /// True for the errors of two openers colliding: busy or locked, or a migration of ours that failed
    /// while the other applied migrations (`MigratedMeanwhile`).
    static func isCollision(_ error: any Error) -> Bool {
        if error is MigratedMeanwhile { return true }
        guard let e = error as? DatabaseError else { return false }
        return e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED
    }

    /// Our migration failed while another opener applied migrations: we ran one it had just applied (a
    /// table that exists, a column already added, a table copied in its old shape, an identifier already
    /// recorded). Each migration runs in its own transaction, so ours was rolled back whole; opening again
    /// finds the work done.
    struct MigratedMeanwhile: Error {}

    private static func open(_ path: String) throws -> DatabasePool {
        var config = Configuration()
        config.busyMode = .timeout(5)
        let pool = try DatabasePool(path: path, configuration: config)
        let migrator = Schema.migrator
        if try pool.read({ db in try migrator.hasBeenSuperseded(db) }) {
            throw StoreError("\(path) was written by a newer Vigil: its schema is ahead of this version")
        }
        // A store already up to date is only read here: `vigil events` and `vigil status` must open it
        // while the disk is full or a watch's write is under way.
        if try pool.read({ db in try migrator.hasCompletedMigrations(db) }) { return pool }
        let before = try pool.read { db in try migrator.appliedIdentifiers(db) }
        do {
            try migrator.migrate(pool)
        } catch {
            let after = try? pool.read { db in try migrator.appliedIdentifiers(db) }
            if let after, after != before { throw MigratedMeanwhile() }
            throw error
        }
        return pool
    }

    func write(_ body: @Sendable (Database) throws -> Void) throws(StoreError) {
        do {
            try pool.write { db in try body(db) }
        } catch {
            throw StoreError("writing \(path)", error)
        }
    }

    func read<T: Sendable>(_ body: @Sendable (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.read { db in try body(db) }
        } catch {
            throw StoreError("reading \(path)", error)
        }
    }

    // MARK: Targets

    /// Records the target being watched (what `vigil status` lists).
    public func save(target: Target) throws(StoreError) {
        let description = target.summary
        let now = clock.seconds
        var names = JSONObject()
        for asn in target.upstreams.keys.sorted() {
            if let name = target.upstreamName(asn) { names.add("\(asn)", name) }
        }
        let row = TargetRecord(name: target.name, description: description, updated: now, upstreams: names.closed)
        try write { db in try row.upsert(db) }
    }

    /// The names of a target's expected upstreams, by AS number.
    public func upstreamNames(target: String) throws(StoreError) -> [UInt32: String] {
        let text = try read { db in try TargetRecord.fetchOne(db, key: target)?.upstreams }
        guard let text, let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            return [:]
        }
        return object.reduce(into: [:]) { out, kv in
            if let asn = UInt32(kv.key), let name = kv.value as? String { out[asn] = name }
        }
    }

    /// The targets recorded: (name, description).
    public func targets() throws(StoreError) -> [(name: String, description: String)] {
        try read { db in try Self.targets(db) }
    }

    static func targets(_ db: Database) throws -> [(name: String, description: String)] {
        try TargetRecord.order(TargetRecord.Columns.name).fetchAll(db).map { ($0.name, $0.description) }
    }

    // MARK: Events

    /// Inserts or replaces an event by its id; `open` says whether the detector may still change it.
    public func save(event e: DetectedEvent, open: Bool) throws(StoreError) {
        let now = clock.seconds
        try write { db in try Self.insert(event: e, open: open, updated: now, db) }
    }

    static func insert(event e: DetectedEvent, open: Bool, updated: Double, _ db: Database) throws {
        try EventRecord(e, open: open, updated: updated).upsert(db)
    }

    /// The next free event id (events are numbered by the detector; a restart continues the numbering).
    public func nextEventID() throws(StoreError) -> Int {
        try read { db in (try Int.fetchOne(db, sql: "SELECT MAX(id) FROM events") ?? 0) + 1 }
    }

    /// Events, newest first: of one target, started at or after `since`, of one cause, open or closed only.
    public func events(
        target: String? = nil, since: Double? = nil, until: Double? = nil, cause: Cause? = nil, open: Bool? = nil,
        limit: Int = 1000
    ) throws(StoreError) -> [DetectedEvent] {
        try read { db in
            try Self.events(db, target: target, since: since, until: until, cause: cause, open: open, limit: limit)
        }
    }

    static func events(
        _ db: Database, target: String? = nil, since: Double? = nil, until: Double? = nil, cause: Cause? = nil,
        open: Bool? = nil, limit: Int = 1000
    ) throws -> [DetectedEvent] {
        let c = EventRecord.Columns.self
        var rows = EventRecord.all()
        if let target { rows = rows.filter(c.target == target) }
        if let since { rows = rows.filter(c.end == nil || c.end >= since) }
        if let until { rows = rows.filter(c.start <= until) }
        if let cause { rows = rows.filter(c.cause == cause.rawValue) }
        if let open { rows = rows.filter(c.state == (open ? "open" : "closed")) }
        return try rows.order(c.start.desc, c.id.desc).limit(max(0, limit)).fetchAll(db).map(\.event)
    }

    /// One event by id, or nil.
    public func event(id: Int) throws(StoreError) -> DetectedEvent? {
        try read { db in try EventRecord.fetchOne(db, key: id)?.event }
    }

    // MARK: Signals

    /// Records one bin of a target's signals.
    public func save(signals s: SignalBin) throws(StoreError) {
        try write { db in try Self.insert(signals: s, db) }
    }

    static func insert(signals s: SignalBin, _ db: Database) throws {
        try SignalRecord(s).insert(db, onConflict: .replace)
        // The change marker pages poll (`version()`).
        try db.execute(
            sql: """
                INSERT INTO settings (key, value) VALUES ('signals_written', '1')
                ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1
                """)
    }

    // MARK: Feed gaps

    /// Opens a feed gap (a source lost: no data, which is never a withdrawal); returns its id.
    public func openFeedGap(source: String, start: Double, reason: String) throws(StoreError) -> Int {
        do {
            return try pool.write { db in
                var gap = FeedGapRecord(source: source, start: start, reason: reason)
                try gap.insert(db)
                return gap.id ?? Int(db.lastInsertedRowID)
            }
        } catch {
            throw StoreError("writing \(path)", error)
        }
    }

    /// Closes a feed gap.
    public func closeFeedGap(id: Int, end: Double) throws(StoreError) {
        try write { db in
            try FeedGapRecord.filter(key: id).updateAll(db, FeedGapRecord.Columns.end.set(to: end))
        }
    }

    /// Closes every gap left open by a run that stopped (at the time the new run starts).
    public func closeOpenFeedGaps(end: Double) throws(StoreError) {
        try write { db in
            let c = FeedGapRecord.Columns.self
            try FeedGapRecord.filter(c.end == nil).updateAll(db, c.end.set(to: end))
        }
    }

    /// Feed gaps overlapping a time range, oldest first.
    public func feedGaps(from: Double = 0, to: Double = .infinity) throws(StoreError) -> [FeedGap] {
        try read { db in try Self.feedGaps(db, from: from, to: to) }
    }

    static func feedGaps(_ db: Database, from: Double = 0, to: Double = .infinity) throws -> [FeedGap] {
        let upper = to.isFinite ? to : Double.greatestFiniteMagnitude
        let c = FeedGapRecord.Columns.self
        return try FeedGapRecord.filter(c.start <= upper && (c.end == nil || c.end >= from)).order(c.start)
            .fetchAll(db).map(\.gap)
    }

    // MARK: Peers

    /// Records when peers were last heard and last carried a route into the target's space.
    public func save(peers: [StoredPeer], target: String) throws(StoreError) {
        guard !peers.isEmpty else { return }
        try write { db in try Self.insert(peers: peers, target: target, db) }
    }

    static func insert(peers: [StoredPeer], target: String, _ db: Database) throws {
        for p in peers {
            try db.execute(
                sql: """
                    INSERT INTO peers (target, collector, address, asn, last_heard, last_route) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(target, collector, address, asn) DO UPDATE SET last_heard = excluded.last_heard,
                        last_route = COALESCE(excluded.last_route, peers.last_route)
                    """,
                arguments: [
                    target, p.key.collector, p.key.address.description, Int(p.key.asn), p.lastHeard, p.lastRoute,
                ])
        }
    }

    /// Peers of a target, with their times.
    public func peers(target: String) throws(StoreError) -> [StoredPeer] {
        try read { db in
            let c = PeerRecord.Columns.self
            return try PeerRecord.filter(c.target == target).order(c.collector, c.address).fetchAll(db)
                .compactMap(\.peer)
        }
    }

    // MARK: Settings and retention

    /// A stored setting.
    public func setting(_ key: String) throws(StoreError) -> String? {
        try read { db in try Self.setting(db, key) }
    }

    static func setting(_ db: Database, _ key: String) throws -> String? {
        try SettingRecord.fetchOne(db, key: key)?.value
    }

    /// Stores a setting.
    public func set(_ key: String, _ value: String) throws(StoreError) {
        try write { db in try SettingRecord(key: key, value: value).insert(db, onConflict: .replace) }
    }

    /// Deletes signals, closed feed gaps and closed events that ended before `before`; returns the rows removed.
    @discardableResult
    public func prune(before: Double) throws(StoreError) -> Int {
        do {
            return try pool.write { db in
                var n = try SignalRecord.filter(SignalRecord.Columns.start < before).deleteAll(db)
                n += try ProbeRecord.filter(ProbeRecord.Columns.start < before).deleteAll(db)
                let gap = FeedGapRecord.Columns.self
                n += try FeedGapRecord.filter(gap.end != nil && gap.end < before).deleteAll(db)
                let event = EventRecord.Columns.self
                n += try EventRecord.filter(event.state == "closed" && event.end != nil && event.end < before)
                    .deleteAll(db)
                return n
            }
        } catch {
            throw StoreError("pruning \(path): \(error)")
        }
    }

    /// Size of the store on disk, main file and WAL together.
    public var sizeInBytes: Int {
        [path, path + "-wal"].reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0)
        }
    }

}

/// A store operation failed; the message names the file and the cause.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public let description: String
    /// SQLite's result code when SQLite failed (13 SQLITE_FULL, 5 SQLITE_BUSY, 10 SQLITE_IOERR, ...; the
    /// primary code, without the extended bits), nil for other failures.
    public let code: Int32?

    /// An error saying `description`, with SQLite's `code` when SQLite failed.
    public init(_ description: String, code: Int32? = nil) {
        self.description = description
        self.code = code
    }

    /// An error for `what` failing with `error`, keeping SQLite's code when the error is SQLite's.
    init(_ what: String, _ error: any Error) {
        self.init("\(what): \(error)", code: (error as? DatabaseError).map { $0.resultCode.primaryResultCode.rawValue })
    }

    /// True when the disk (or the file system's quota) is full.
    public var isDiskFull: Bool { code == 13 }
    /// True when another connection holds the lock (SQLITE_BUSY or SQLITE_LOCKED).
    public var isLocked: Bool { code == 5 || code == 6 }
}

/// A time when a source gave no data: never read as withdrawals.
public struct FeedGap: Sendable, Equatable {
    /// Row id.
    public var id: Int
    /// The source ("ris-live", "bmp:192.0.2.1").
    public var source: String
    /// Start, and end (nil while the gap lasts).
    public var start: Double
    public var end: Double?
    /// Why.
    public var reason: String

    /// A gap.
    public init(id: Int, source: String, start: Double, end: Double?, reason: String) {
        self.id = id
        self.source = source
        self.start = start
        self.end = end
        self.reason = reason
    }
}

/// A peer's times as stored.
public struct StoredPeer: Sendable, Equatable {
    /// The peer.
    public var key: PeerKey
    /// Last heard from, and last seen carrying a route into the target's space.
    public var lastHeard: Double
    public var lastRoute: Double?

    /// Creates a record.
    public init(key: PeerKey, lastHeard: Double, lastRoute: Double?) {
        self.key = key
        self.lastHeard = lastHeard
        self.lastRoute = lastRoute
    }
}
