import GRDB

/// A row of `outbox`: one alert for one webhook, kept until it is delivered (or given up on).
struct OutboxRecord: FetchableRecord, MutablePersistableRecord, Equatable {
    static let databaseTableName = "outbox"

    /// The table's columns.
    enum Columns {
        static let id = Column("id")
        static let hook = Column("hook")
        static let subject = Column("subject")
        static let kind = Column("kind")
        static let delivered = Column("delivered")
        static let attempts = Column("attempts")
        static let lastError = Column("last_error")
        static let nextTry = Column("next_try")
    }

    var id: Int?
    var hook: String
    var subject: String
    var kind: String
    var body: String
    var created: Double
    var nextTry: Double
    var attempts = 0
    var delivered: Double?
    var lastError: String?

    init(hook: String, subject: String, kind: String, body: String, created: Double, nextTry: Double) {
        self.hook = hook
        self.subject = subject
        self.kind = kind
        self.body = body
        self.created = created
        self.nextTry = nextTry
    }

    init(row: Row) {
        id = row["id"]
        hook = row["hook"]
        subject = row["subject"]
        kind = row["kind"]
        body = row["body"]
        created = row["created"]
        nextTry = row["next_try"]
        attempts = row["attempts"]
        delivered = row["delivered"]
        lastError = row["last_error"]
    }

    func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["hook"] = hook
        container["subject"] = subject
        container["kind"] = kind
        container["body"] = body
        container["created"] = created
        container["next_try"] = nextTry
        container["attempts"] = attempts
        container["delivered"] = delivered
        container["last_error"] = lastError
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = Int(inserted.rowID) }

    /// The entry the row holds.
    var entry: OutboxEntry {
        OutboxEntry(
            id: id ?? 0, hook: hook, subject: subject, kind: kind, body: body, created: created, nextTry: nextTry,
            attempts: attempts, delivered: delivered, lastError: lastError)
    }
}
