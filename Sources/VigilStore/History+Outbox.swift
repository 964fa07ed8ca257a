import Foundation
import GRDB
import Vigil

/// One alert for one webhook, as kept in the store until it is delivered.
public struct OutboxEntry: Sendable, Equatable {
    /// Row id.
    public var id: Int
    /// The hook it is for (its identity: format and URL).
    public var hook: String
    /// What it is about ("event:12", "feed:42") and what it says ("event_start", "feed_lost", ...).
    public var subject: String
    public var kind: String
    /// The request body to send.
    public var body: String
    /// When it was queued, when to try next, tries so far, delivery time.
    public var created: Double
    public var nextTry: Double
    public var attempts: Int
    public var delivered: Double?
    /// The last failure, for `vigil status` and the logs.
    public var lastError: String?
}

extension History {
    /// Queues an alert; with `replacing`, an undelivered alert of the same hook, subject and kind is
    /// replaced instead (a newer update supersedes one not yet sent).
    public func enqueue(
        hook: String, subject: String, kind: String, body: String, at time: Double, notBefore: Double? = nil,
        told: String, replacing: Bool = false
    ) throws(StoreError) {
        try write { db in
            if replacing {
                let c = OutboxRecord.Columns.self
                try OutboxRecord.filter(c.hook == hook && c.subject == subject && c.kind == kind && c.delivered == nil)
                    .deleteAll(db)
            }
            var entry = OutboxRecord(
                hook: hook, subject: subject, kind: kind, body: body, created: time, nextTry: notBefore ?? time)
            try entry.insert(db)
            try AlertLogRecord(hook: hook, subject: subject, told: told, time: time).insert(db, onConflict: .replace)
        }
    }

    /// Drops undelivered alerts of a subject (a feed gap that closed before anyone was told of it);
    /// returns how many.
    @discardableResult
    public func cancelPending(hook: String, subject: String, told: String, at time: Double) throws(StoreError) -> Int {
        do {
            return try pool.write { db in
                let c = OutboxRecord.Columns.self
                let n = try OutboxRecord.filter(c.hook == hook && c.subject == subject && c.delivered == nil)
                    .deleteAll(db)
                try AlertLogRecord(hook: hook, subject: subject, told: told, time: time).insert(
                    db, onConflict: .replace)
                return n
            }
        } catch {
            throw StoreError("writing \(path): \(error)")
        }
    }

    /// Records what hooks were told outside the outbox (alerts sent straight away while the store could
    /// not be written), in one transaction, so that nothing is told twice once the store works again.
    public func logAlerts(_ entries: [(hook: String, subject: String, told: String, time: Double)]) throws(StoreError) {
        guard !entries.isEmpty else { return }
        try write { db in
            for e in entries {
                try AlertLogRecord(hook: e.hook, subject: e.subject, told: e.told, time: e.time)
                    .insert(db, onConflict: .replace)
            }
        }
    }

    /// What a hook has been told about a subject, and when.
    public func alertLog(hook: String, subject: String) throws(StoreError) -> (told: String, time: Double)? {
        try read { db in
            try AlertLogRecord.fetchOne(db, key: ["hook": hook, "subject": subject]).map { ($0.told, $0.time) }
        }
    }

    /// Every alert of a hook, delivered or not, oldest first (for tests and inspection).
    public func outbox(hook: String? = nil) throws(StoreError) -> [OutboxEntry] {
        try read { db in
            let c = OutboxRecord.Columns.self
            let rows = hook.map { OutboxRecord.filter(c.hook == $0) } ?? OutboxRecord.all()
            return try rows.order(c.id).fetchAll(db).map(\.entry)
        }
    }

    /// Records a delivery.
    public func markDelivered(id: Int, at time: Double) throws(StoreError) {
        try write { db in
            let c = OutboxRecord.Columns.self
            try OutboxRecord.filter(key: id).updateAll(
                db, c.delivered.set(to: time), c.attempts += 1, c.lastError.set(to: nil))
        }
    }

    /// Records that an alert will not be sent again (the receiver kept refusing it); `last_error` says why.
    public func giveUp(id: Int, error: String, at time: Double) throws(StoreError) {
        try write { db in
            let c = OutboxRecord.Columns.self
            try OutboxRecord.filter(key: id).updateAll(
                db, c.delivered.set(to: time), c.attempts += 1, c.lastError.set(to: "gave up: " + error))
        }
    }

    /// Records a failed try and when to try again.
    public func markFailed(id: Int, error: String, retryAt: Double) throws(StoreError) {
        try write { db in
            let c = OutboxRecord.Columns.self
            try OutboxRecord.filter(key: id).updateAll(
                db, c.attempts += 1, c.lastError.set(to: error), c.nextTry.set(to: retryAt))
        }
    }

    /// Events changed at or after `time` (by the store's update time), oldest change first.
    public func events(updatedSince time: Double) throws(StoreError) -> [(event: DetectedEvent, open: Bool)] {
        try read { db in
            let c = EventRecord.Columns.self
            return try EventRecord.filter(c.updated >= time).order(c.updated, c.id).fetchAll(db)
                .map { (event: $0.event, open: $0.isOpen) }
        }
    }

    /// A number that changes whenever events, signals, feed gaps or annotations change: pages poll it to
    /// know when to refresh.
    public func version() throws(StoreError) -> String {
        try read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT (SELECT MAX(updated) FROM events) AS e, (SELECT value FROM settings WHERE key = 'signals_written') AS s,
                        (SELECT COUNT(*) || '-' || COALESCE(MAX("end"), 0) FROM feed_gaps) AS g,
                        (SELECT MAX(id) FROM annotations) AS a
                    """)
            let parts: [String] = ["e", "s", "g", "a"].map { key in
                (row?[key] as DatabaseValue?).map { "\($0)" } ?? "-"
            }
            return parts.joined(separator: "/")
        }
    }

}

extension History {
    /// A hook's undelivered alerts, oldest first: delivered in this order, so an end never overtakes its start.
    public func pendingAlerts(hook: String, limit: Int = 100) throws(StoreError) -> [OutboxEntry] {
        try read { db in
            let c = OutboxRecord.Columns.self
            return try OutboxRecord.filter(c.hook == hook && c.delivered == nil).order(c.id).limit(max(0, limit))
                .fetchAll(db).map(\.entry)
        }
    }

    /// Undelivered alerts per hook, for the metrics.
    public func pendingAlertCounts() throws(StoreError) -> [String: Int] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT hook, COUNT(*) AS n FROM outbox WHERE delivered IS NULL GROUP BY hook")
                .reduce(into: [:]) { out, row in out[row["hook"] as String] = row["n"] as Int }
        }
    }
}
