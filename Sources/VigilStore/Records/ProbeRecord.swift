import GRDB

/// A row of `probes`: one probe URL's results in one bin of a target (sent, answered, round trips, the
/// last error), clustered by target and time like the signals.
struct ProbeRecord: FetchableRecord, PersistableRecord, Equatable {
    static let databaseTableName = "probes"

    /// The table's columns.
    enum Columns {
        static let target = Column("target")
        static let url = Column("url")
        static let start = Column("start")
    }

    var target: String
    var bin: StoredProbeBin

    init(_ bin: StoredProbeBin, target: String) {
        self.target = target
        self.bin = bin
    }

    init(row: Row) {
        target = row["target"]
        bin = StoredProbeBin(
            url: row["url"], start: row["start"], seconds: row["seconds"], sent: row["sent"],
            answered: row["answered"], attempts: row["attempts"], rttSumMs: row["rtt_sum_ms"],
            rttMaxMs: row["rtt_max_ms"], lastError: row["last_error"])
    }

    func encode(to container: inout PersistenceContainer) {
        container["target"] = target
        container["url"] = bin.url
        container["start"] = bin.start
        container["seconds"] = bin.seconds
        container["sent"] = bin.sent
        container["answered"] = bin.answered
        container["attempts"] = bin.attempts
        container["rtt_sum_ms"] = bin.rttSumMs
        container["rtt_max_ms"] = bin.rttMaxMs
        container["last_error"] = bin.lastError
    }
}
