import GRDB

/// A row of `annotations`: a note an analyst attached to an event.
struct AnnotationRecord: FetchableRecord, MutablePersistableRecord, Equatable {
    static let databaseTableName = "annotations"

    /// The table's columns.
    enum Columns {
        static let id = Column("id")
        static let eventID = Column("event_id")
        static let created = Column("created")
    }

    var id: Int?
    var eventID: Int
    var author: String
    var text: String
    var created: Double

    init(eventID: Int, author: String, text: String, created: Double) {
        self.eventID = eventID
        self.author = author
        self.text = text
        self.created = created
    }

    init(row: Row) {
        id = row["id"]
        eventID = row["event_id"]
        author = row["author"]
        text = row["text"]
        created = row["created"]
    }

    func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["event_id"] = eventID
        container["author"] = author
        container["text"] = text
        container["created"] = created
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = Int(inserted.rowID) }

    /// The annotation the row holds.
    var annotation: Annotation {
        Annotation(id: id ?? 0, eventID: eventID, author: author, text: text, created: created)
    }
}
