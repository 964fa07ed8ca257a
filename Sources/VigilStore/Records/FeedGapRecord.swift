import GRDB

/// A row of `feed_gaps`: a time when a source gave no data (never read as withdrawals); `end` is nil while
/// the gap lasts.
struct FeedGapRecord: FetchableRecord, MutablePersistableRecord, Equatable {
    static let databaseTableName = "feed_gaps"

    /// The table's columns.
    enum Columns {
        static let id = Column("id")
        static let source = Column("source")
        static let start = Column("start")
        static let end = Column("end")
    }

    var id: Int?
    var source: String
    var start: Double
    var end: Double?
    var reason: String

    init(source: String, start: Double, end: Double? = nil, reason: String) {
        self.source = source
        self.start = start
        self.end = end
        self.reason = reason
    }

    init(row: Row) {
        id = row["id"]
        source = row["source"]
        start = row["start"]
        end = row["end"]
        reason = row["reason"]
    }

    func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["source"] = source
        container["start"] = start
        container["end"] = end
        container["reason"] = reason
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = Int(inserted.rowID) }

    /// The gap the row holds.
    var gap: FeedGap { FeedGap(id: id ?? 0, source: source, start: start, end: end, reason: reason) }
}
