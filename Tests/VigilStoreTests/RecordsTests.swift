import BGP
import Foundation
import GRDB
import Testing
import Vigil
import VigilTesting

@testable import VigilStore

/// One GRDB record type per table: each record writes exactly the columns its table has, as the sqlite3
/// shell lists them, and a row written by the shell reads back as the value it holds.
@Suite(.ownThread) struct RecordsTests {
    /// Every record type, with a sample value and its table.
    static func samples() -> [(table: String, columns: [String])] {
        let event = DetectedEvent(
            id: 7, target: "north-korea", cause: .upstreamDown, confidence: 0.8, start: 100, end: nil,
            prefixes: [IPPrefix("175.45.176.0/24")].compactMap { $0 }, upstreams: [4837], origins: [131279],
            severity: 1, evidence: ["a"])
        let peer = PeerKey(collector: "rrc00", address: IPAddress("192.0.2.1") ?? .zero(.v4), asn: 64500)
        let prefix = IPPrefix("175.45.176.0/24") ?? IPPrefix(address: .zero(.v4), length: 0)
        func keys(_ record: some EncodableRecord) -> [String] { (try? record.databaseDictionary.keys.sorted()) ?? [] }
        return [
            (EventRecord.databaseTableName, keys(EventRecord(event, open: true, updated: 1))),
            (
                TargetRecord.databaseTableName,
                keys(TargetRecord(name: "t", description: "d", updated: 1, upstreams: "{}"))
            ),
            (FeedGapRecord.databaseTableName, keys(FeedGapRecord(source: "s", start: 1, reason: "r"))),
            (SettingRecord.databaseTableName, keys(SettingRecord(key: "k", value: "v"))),
            (
                AnnotationRecord.databaseTableName,
                keys(AnnotationRecord(eventID: 7, author: "a", text: "t", created: 1))
            ),
            (
                AlertLogRecord.databaseTableName,
                keys(AlertLogRecord(hook: "h", subject: "s", told: "t", time: 1))
            ),
            (
                OutboxRecord.databaseTableName,
                keys(OutboxRecord(hook: "h", subject: "s", kind: "k", body: "b", created: 1, nextTry: 1))
            ),
            (
                RouteRecord.databaseTableName,
                keys(
                    RouteRecord(StoredRoute(peer: peer, prefix: prefix, origin: 1, upstream: 2, time: 3), target: "t"))
            ),
            (
                PeerRecord.databaseTableName,
                keys(PeerRecord(StoredPeer(key: peer, lastHeard: 1, lastRoute: nil), target: "t"))
            ),
            (
                ProbeRecord.databaseTableName,
                keys(ProbeRecord(StoredProbeBin(url: "u", start: 0, seconds: 60), target: "t"))
            ),
            (
                SignalRecord.databaseTableName,
                keys(
                    SignalRecord(
                        SignalBin(
                            target: "t", start: 0, seconds: 60, prefixesUp: 1, prefixes: 2, votingPeers: 3, updates: 4,
                            visibility: [:], upstreamShare: [:])
                    ))
            ),
        ]
    }

    @Test("each record writes the columns of its table, as the sqlite3 shell lists them; every table has one")
    func recordsMatchTheSchema() throws {
        let path = VigilStoreTests.temporaryPath()
        _ = try History(path: path)
        let tables = try Tools.sqlite(
            path,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations' ORDER BY name"
        ).split(separator: "\n").map(String.init)
        let samples = Self.samples()
        #expect(samples.map(\.table).sorted() == tables, "a table without its record, or a record without its table")
        for (table, columns) in samples {
            let shell = try Tools.sqlite(path, "SELECT name FROM pragma_table_info('\(table)') ORDER BY name")
                .split(separator: "\n").map(String.init)
            #expect(columns == shell, "\(table): the record writes \(columns), the table has \(shell)")
        }
    }

    @Test("rows written by the sqlite3 shell read back as the values they hold")
    func rowsReadBack() throws {
        let path = VigilStoreTests.temporaryPath()
        let store = try History(path: path)
        _ = try Tools.sqlite(
            path,
            """
            INSERT INTO events (id, target, cause, confidence, start, "end", prefixes, upstreams, origins, severity,
                evidence, state, updated)
              VALUES (3, 'north-korea', 'upstream-down', 0.5, 1749231003, NULL, '["175.45.176.0/24"]', '[4837]',
                '[131279]', 1, '["AS4837 lost every route"]', 'open', 1749231010);
            INSERT INTO routes (target, collector, address, asn, prefix, origin, upstream, time)
              VALUES ('north-korea', 'rrc00', '192.0.2.1', 64500, '175.45.176.0/24', 131279, 4837, 1749231000);
            INSERT INTO feed_gaps (source, start, "end", reason) VALUES ('ris-live', 10, 20, 'closed');
            INSERT INTO settings (key, value) VALUES ('heartbeat', '1749231011');
            """)
        let e = try #require(try store.event(id: 3))
        #expect(e.cause == .upstreamDown && e.start == 1_749_231_003 && e.end == nil)
        #expect(e.prefixes.map(\.description) == ["175.45.176.0/24"] && e.upstreams == [4837] && e.origins == [131279])
        #expect(e.evidence == ["AS4837 lost every route"])
        #expect(try store.events(open: true).map(\.id) == [3])
        let routes = try store.routes(target: "north-korea")
        #expect(routes.count == 1)
        #expect(routes.first?.peer.address.description == "192.0.2.1" && routes.first?.peer.asn == 64500)
        #expect(routes.first?.origin == 131279 && routes.first?.upstream == 4837 && routes.first?.time == 1_749_231_000)
        #expect(try store.feedGaps().map { [$0.start, $0.end ?? -1] } == [[10, 20]])
        #expect(try store.setting("heartbeat") == "1749231011")
    }
}
