import BGP
import MRT
import Testing
import VigilTesting

@Suite(.ownThread) struct MRTReaderTests {
    /// Record counts from the data's README (a plain MRT header walker) and the elements bgpdump counted.
    @Test(arguments: [
        ("bgpdump__updates.20020722.2238.gz", 1_121),
        ("bgpdump__updates.20160811.1600.gz", 17_406),
        ("bgpkit__rrc00_updates.19990903.1041.gz", 24_242),
        ("hask-mrt__update.bz2", 15_044),
        ("gobgpdump__route-views2.updates.20130101.0058.arch3.mrt", 1_342),
        ("libbgpstream__ris.rrc06.updates.1427846400.gz", 795),
        ("bgpdump__bview.64k_stream_overflow.gz", 2),
        ("bgpdump__bview.ipv4_unicast_add_path.gz", 32),
        ("mrtparse__openbgpd_rib_table-v2", 24),
        ("bgpkit__rrc15_updates.20100227.1600.gz", 6_615),
    ])
    func framesEveryRecord(file: String, records: Int) throws {
        let counts = try countElements(try openFixture(file))
        #expect(counts.records == records)
        #expect(counts.diagnostics.warningCount == 0)
    }

    @Test func readsRecordsLongerThan64KiB() throws {
        let r = try openFixture("bgpdump__bview.64k_stream_overflow.gz")
        _ = try r.next()
        let rib = try #require(try r.next())
        #expect(rib.header.length > 65_535)
    }

    /// The first MiB of a RouteViews RIB: README counts a PEER_INDEX_TABLE and 9,072 RIB records,
    /// 270,005 entries, the last record cut by the end of the truncated bzip2 stream.
    @Test func truncatedBzip2KeepsEverythingBeforeTheCut() throws {
        let counts = try countElements(try openFixture("pyasn__rib.20140523.0600_firstMB.bz2"))
        #expect(counts.records == 9_073)
        #expect(counts.ribEntries == 270_005)
        #expect(counts.diagnostics.skippedRecords == 1)
        #expect(counts.diagnostics.warnings.contains { $0.message.contains("bzip2 stream is truncated") })
        #expect(counts.diagnostics.warnings.contains { $0.message.contains("record is truncated") })
    }

    @Test func recoversRecordsAfterATornRecord() throws {
        let original = try Fixtures.decompressedBytes("mrt/bgpdump__updates.20160811.1600.gz")
        let spans = try recordSpans(original)
        // Delete 7 bytes inside record 100: its length now overruns into record 101.
        let cut = spans[99].offset + 30
        var damaged = original
        damaged.removeSubrange(cut..<(cut + 7))
        let counts = try countElements(try reader(damaged))
        #expect(counts.records == spans.count - 1)
        #expect(counts.diagnostics.skippedRecords == 1)
        #expect(counts.diagnostics.resynchronisations == 1)
        #expect(counts.diagnostics.skippedBytes == UInt64(spans[99].size - 7))
        let warning = try #require(counts.diagnostics.warnings.first)
        #expect(warning.offset == UInt64(spans[99].offset))
        #expect(warning.record == 100)
    }

    @Test func skipsGarbageBetweenRecords() throws {
        let original = try Fixtures.decompressedBytes("mrt/bgpdump__updates.20020722.2238.gz")
        let spans = try recordSpans(original)
        var damaged = original
        damaged.insert(contentsOf: [UInt8](repeating: 0xEE, count: 13), at: spans[50].offset)
        let counts = try countElements(try reader(damaged))
        #expect(counts.records == spans.count)
        #expect(counts.diagnostics.skippedBytes == 13)
        #expect(counts.diagnostics.resynchronisations == 1)
        #expect(counts.diagnostics.warnings.first?.offset == UInt64(spans[50].offset))
    }

    @Test func reportsATruncatedLastRecordAndTrailingBytes() throws {
        let original = try Fixtures.decompressedBytes("mrt/bgpdump__updates.20020722.2238.gz")
        let spans = try recordSpans(original)
        let last = try #require(spans.last)
        let cut = Array(original[0..<(last.offset + last.size / 2)])
        let counts = try countElements(try reader(cut))
        #expect(counts.records == spans.count - 1)
        #expect(counts.diagnostics.warnings.contains { $0.message.contains("record is truncated") })

        let trailing = try countElements(try reader(original + [1, 2, 3, 4, 5]))
        #expect(trailing.records == spans.count)
        #expect(trailing.diagnostics.skippedBytes == 5)
        #expect(trailing.diagnostics.warnings.contains { $0.message.contains("ends with 5 bytes") })
    }

    @Test func survivesPureGarbage() throws {
        var state: UInt32 = 12345
        let garbage: [UInt8] = (0..<20_000).map { _ in
            state = state &* 1_103_515_245 &+ 12345
            return UInt8(truncatingIfNeeded: state >> 16)
        }
        let counts = try countElements(try reader(garbage))
        #expect(counts.records == 0)
        #expect(counts.diagnostics.skippedBytes == 20_000)
        #expect(try countElements(try reader([])).records == 0)
    }
}
