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
                try db.execute(
                    sql: "DELETE FROM outbox WHERE hook = ? AND subject = ? AND kind = ? AND delivered IS NULL",
                    arguments: [hook, subject, kind])
            }
            try db.execute(
                sql: "INSERT INTO outbox (hook, subject, kind, body, created, next_try) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [hook, subject, kind, body, time, notBefore ?? time])
            try db.execute(
                sql: "INSERT OR REPLACE INTO alert_log (hook, subject, told, time) VALUES (?, ?, ?, ?)",
                arguments: [hook, subject, told, time])
        }
    }

    /// Drops undelivered alerts of a subject (a feed gap that closed before anyone was told of it);
    /// returns how many.
    @discardableResult
    public func cancelPending(hook: String, subject: String, told: String, at time: Double) throws(StoreError) -> Int {
        do {
            return try pool.write { db in
                try db.execute(
                    sql: "DELETE FROM outbox WHERE hook = ? AND subject = ? AND delivered IS NULL",
                    arguments: [hook, subject])
                let n = db.changesCount
                try db.execute(
                    sql: "INSERT OR REPLACE INTO alert_log (hook, subject, told, time) VALUES (?, ?, ?, ?)",
                    arguments: [hook, subject, told, time])
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
                try db.execute(
                    sql: "INSERT OR REPLACE INTO alert_log (hook, subject, told, time) VALUES (?, ?, ?, ?)",
                    arguments: [e.hook, e.subject, e.told, e.time])
            }
        }
    }

    /// What a hook has been told about a subject, and when.
    public func alertLog(hook: String, subject: String) throws(StoreError) -> (told: String, time: Double)? {
        try read { db in
            try Row.fetchOne(
                db, sql: "SELECT told, time FROM alert_log WHERE hook = ? AND subject = ?", arguments: [hook, subject]
            ).map { (told: $0["told"] as String, time: $0["time"] as Double) }
        }
    }

    /// Every alert of a hook, delivered or not, oldest first (for tests and inspection).
    public func outbox(hook: String? = nil) throws(StoreError) -> [OutboxEntry] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM outbox WHERE ? IS NULL OR hook = ? ORDER BY id", arguments: [hook, hook]
            ).map(Self.outboxEntry)
        }
    }

    /// Records a delivery.
    public func markDelivered(id: Int, at time: Double) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "UPDATE outbox SET delivered = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
                arguments: [time, id])
        }
    }

    /// Records that an alert will not be sent again (the receiver kept refusing it); `last_error` says why.
    public func giveUp(id: Int, error: String, at time: Double) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "UPDATE outbox SET delivered = ?, attempts = attempts + 1, last_error = ? WHERE id = ?",
                arguments: [time, "gave up: " + error, id])
        }
    }

    /// Records a failed try and when to try again.
    public func markFailed(id: Int, error: String, retryAt: Double) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_try = ? WHERE id = ?",
                arguments: [error, retryAt, id])
        }
    }

    /// Events changed at or after `time` (by the store's update time), oldest change first.
    public func events(updatedSince time: Double) throws(StoreError) -> [(event: DetectedEvent, open: Bool)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM events WHERE updated >= ? ORDER BY updated, id", arguments: [time])
                .map { (event: Self.event($0), open: ($0["state"] as String) == "open") }
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

    static func outboxEntry(_ row: Row) -> OutboxEntry {
        OutboxEntry(
            id: row["id"], hook: row["hook"], subject: row["subject"], kind: row["kind"], body: row["body"],
            created: row["created"], nextTry: row["next_try"], attempts: row["attempts"], delivered: row["delivered"],
            lastError: row["last_error"])
    }
}

extension History {
    /// A hook's undelivered alerts, oldest first: delivered in this order, so an end never overtakes its start.
    public func pendingAlerts(hook: String, limit: Int = 100) throws(StoreError) -> [OutboxEntry] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM outbox WHERE hook = ? AND delivered IS NULL ORDER BY id LIMIT ?",
                arguments: [hook, limit]
            ).map(Self.outboxEntry)
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
