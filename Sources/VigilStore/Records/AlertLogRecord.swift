import GRDB

/// A row of `alert_log`: what one webhook has been told about one subject (an event, a feed gap), and
/// when; the deduplication of alerts.
struct AlertLogRecord: FetchableRecord, PersistableRecord, Equatable {
    static let databaseTableName = "alert_log"

    /// The table's columns.
    enum Columns {
        static let hook = Column("hook")
        static let subject = Column("subject")
    }

    var hook: String
    var subject: String
    var told: String
    var time: Double

    init(hook: String, subject: String, told: String, time: Double) {
        self.hook = hook
        self.subject = subject
        self.told = told
        self.time = time
    }

    init(row: Row) {
        hook = row["hook"]
        subject = row["subject"]
        told = row["told"]
        time = row["time"]
    }

    func encode(to container: inout PersistenceContainer) {
        container["hook"] = hook
        container["subject"] = subject
        container["told"] = told
        container["time"] = time
    }
}
