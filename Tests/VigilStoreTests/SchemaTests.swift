import Foundation
import GRDB
import Testing
import VigilTesting

@testable import VigilStore

/// Migrations on real files: a store written by the previous schema keeps its rows.
@Suite(.ownThread) struct SchemaTests {
    @Test("signals written under schema 2 survive the move to the clustered table, read back and countable")
    func clusteredSignals() throws {
        let path = VigilStoreTests.temporaryPath()
        do {
            let pool = try DatabasePool(path: path)
            try Schema.migrator.migrate(pool, upTo: "2 annotations, webhook outbox")
            try pool.write { db in
                for (target, start, up) in [("b", 120.0, 3), ("a", 60.0, 4), ("a", 0.0, 2)] {
                    try db.execute(
                        sql: """
                            INSERT INTO signals (target, start, seconds, prefixes_up, prefixes, voting_peers, updates,
                                visibility, upstreams) VALUES (?, ?, 60, ?, 4, 9, 1, '{}', '{"4837":1.0}')
                            """, arguments: [target, start, up])
                }
            }
        }
        let store = try History(path: path)
        #expect(try store.signalBins(target: "a", from: 0, to: 1_000).map(\.prefixesUp) == [2, 4])
        #expect(try store.signalBins(target: "b", from: 0, to: 1_000).map(\.start) == [120])
        let sql = try Tools.sqlite(path, "SELECT sql FROM sqlite_master WHERE name = 'signals'")
        #expect(sql.contains("WITHOUT ROWID"))
        #expect(try Tools.sqlite(path, "SELECT COUNT(*) FROM signals") == "3")
    }
}
