import BGP
import Foundation
import GRDB
import Vigil

/// A row of `events`: one detected event, its diagnosis and evidence, and whether the detector may still
/// change it. Lists are kept as JSON arrays (prefixes as text, AS numbers as numbers).
struct EventRecord: FetchableRecord, PersistableRecord, Equatable {
    static let databaseTableName = "events"

    /// The table's columns.
    enum Columns {
        static let id = Column("id")
        static let target = Column("target")
        static let cause = Column("cause")
        static let start = Column("start")
        static let end = Column("end")
        static let state = Column("state")
        static let updated = Column("updated")
    }

    var id: Int
    var target: String
    var cause: String
    var confidence: Double
    var start: Double
    var end: Double?
    var prefixes: String
    var upstreams: String
    var origins: String
    var severity: Double
    var evidence: String
    /// "open" or "closed".
    var state: String
    /// When the row was last written (the webhook dispatcher plans from what changed since its last scan).
    var updated: Double

    /// The row for `event`, written at `updated`.
    init(_ e: DetectedEvent, open: Bool, updated: Double) {
        id = e.id
        target = e.target
        cause = e.cause.rawValue
        confidence = e.confidence
        start = e.start
        end = e.end
        prefixes = StoreJSON.array(e.prefixes.map(\.description))
        upstreams = StoreJSON.array(e.upstreams.map { Int($0) })
        origins = StoreJSON.array(e.origins.map { Int($0) })
        severity = e.severity
        evidence = StoreJSON.array(e.evidence)
        state = open ? "open" : "closed"
        self.updated = updated
    }

    init(row: Row) {
        id = row["id"]
        target = row["target"]
        cause = row["cause"]
        confidence = row["confidence"]
        start = row["start"]
        end = row["end"]
        prefixes = row["prefixes"]
        upstreams = row["upstreams"]
        origins = row["origins"]
        severity = row["severity"]
        evidence = row["evidence"]
        state = row["state"]
        updated = row["updated"]
    }

    func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["target"] = target
        container["cause"] = cause
        container["confidence"] = confidence
        container["start"] = start
        container["end"] = end
        container["prefixes"] = prefixes
        container["upstreams"] = upstreams
        container["origins"] = origins
        container["severity"] = severity
        container["evidence"] = evidence
        container["state"] = state
        container["updated"] = updated
    }

    /// The event the row holds (an unknown cause reads as `unknown`, unreadable list items are dropped).
    var event: DetectedEvent {
        DetectedEvent(
            id: id, target: target, cause: Cause(rawValue: cause) ?? .unknown, confidence: confidence, start: start,
            end: end, prefixes: StoreJSON.strings(prefixes).compactMap { IPPrefix($0) },
            upstreams: StoreJSON.ints(upstreams).map { UInt32(clamping: $0) },
            origins: StoreJSON.ints(origins).map { UInt32(clamping: $0) }, severity: severity,
            evidence: StoreJSON.strings(evidence))
    }

    /// Whether the detector may still change the event.
    var isOpen: Bool { state == "open" }
}
