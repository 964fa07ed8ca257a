import GRDB

/// A row of `targets`: a target watched or replayed into the store, what `vigil status` lists, and its
/// upstreams' names for the pages (a JSON object, AS number to name).
struct TargetRecord: FetchableRecord, PersistableRecord, Equatable {
    static let databaseTableName = "targets"

    /// The table's columns.
    enum Columns {
        static let name = Column("name")
    }

    var name: String
    var description: String
    var updated: Double
    var upstreams: String

    init(name: String, description: String, updated: Double, upstreams: String) {
        self.name = name
        self.description = description
        self.updated = updated
        self.upstreams = upstreams
    }

    init(row: Row) {
        name = row["name"]
        description = row["description"]
        updated = row["updated"]
        upstreams = row["upstreams"]
    }

    func encode(to container: inout PersistenceContainer) {
        container["name"] = name
        container["description"] = description
        container["updated"] = updated
        container["upstreams"] = upstreams
    }
}
