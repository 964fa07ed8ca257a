import GRDB

/// A row of `settings`: one named value (the heartbeat, the voting rule, counters, the webhook cursor,
/// learned baselines, the change marker pages poll).
struct SettingRecord: FetchableRecord, PersistableRecord, Equatable {
    static let databaseTableName = "settings"

    /// The table's columns.
    enum Columns {
        static let key = Column("key")
        static let value = Column("value")
    }

    var key: String
    var value: String

    init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    init(row: Row) {
        key = row["key"]
        value = row["value"]
    }

    func encode(to container: inout PersistenceContainer) {
        container["key"] = key
        container["value"] = value
    }
}
