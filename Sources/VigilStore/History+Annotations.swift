import Foundation
import GRDB

/// A note an analyst attached to an event ("confirmed by the ISP", "power cut in Pyongyang").
public struct Annotation: Sendable, Equatable {
    /// Row id.
    public var id: Int
    /// The event annotated.
    public var eventID: Int
    /// Who wrote it, as they gave it.
    public var author: String
    /// The note.
    public var text: String
    /// When it was written, seconds since the epoch.
    public var created: Double

    /// Creates an annotation.
    public init(id: Int, eventID: Int, author: String, text: String, created: Double) {
        self.id = id
        self.eventID = eventID
        self.author = author
        self.text = text
        self.created = created
    }
}

extension History {
    /// Adds a note to an event; returns it with its id.
    public func addAnnotation(eventID: Int, author: String, text: String, at time: Double) throws(StoreError)
        -> Annotation
    {
        do {
            return try pool.write { db in
                var note = AnnotationRecord(eventID: eventID, author: author, text: text, created: time)
                try note.insert(db)
                return note.annotation
            }
        } catch {
            throw StoreError("writing \(path)", error)
        }
    }

    /// An event's notes, oldest first.
    public func annotations(eventID: Int) throws(StoreError) -> [Annotation] {
        try read { db in
            let c = AnnotationRecord.Columns.self
            return try AnnotationRecord.filter(c.eventID == eventID).order(c.created, c.id).fetchAll(db)
                .map(\.annotation)
        }
    }
}
