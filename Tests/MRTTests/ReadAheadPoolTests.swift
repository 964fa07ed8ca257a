import Foundation
import MRT
import Testing
import VigilTesting

/// Inputs decompressed by a `ReadAheadPool` read exactly as `zcat` and `bzcat` decompress them, whatever
/// the order readers take turns in, with a budget far smaller than the inputs (so workers wait for
/// readers), and a damaged input's problem still reaches its reader.
@Suite(.ownThread) struct ReadAheadPoolTests {
    static let files = [
        "mrt/bgpdump__updates.20160811.1600.gz", "mrt/bgpkit__rrc15_updates.20100227.1600.gz",
        "mrt/hask-mrt__update.bz2", "incidents/youtube-2008-02-24/route-views2/updates.20080224.1854.bz2",
        "mrt/gobgpdump__route-views2.updates.20130101.0058.arch3.mrt",
    ]

    /// What Debian's tools make of a file.
    static func reference(_ path: String) throws -> [UInt8] {
        if path.hasSuffix(".gz") { return Array(try Tools.run("/bin/zcat", [path]).stdout) }
        if path.hasSuffix(".bz2") { return Array(try Tools.run("/bin/bzcat", [path]).stdout) }
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test(
        "five real files read in turns through two workers and a 64 KiB budget: byte for byte what zcat and bzcat give")
    func sameBytes() throws {
        Tools.lowerThreadPriority()
        let paths = try Self.files.map { try Fixtures.path($0) }
        let pool = ReadAheadPool(workers: 2, budget: 64 << 10, chunkSize: 16 << 10)
        defer { pool.shutdown() }
        // Readers whose decompressed bytes are pulled through MRTReader's byte source in turns of 7,000
        // bytes, the last-opened first: every reader waits on the pool at some point.
        var readers = try paths.enumerated().map { i, p in
            try MRTReader.open(path: p, readAhead: pool, priority: Double(i))
        }
        readers.reverse()
        var got = Array(repeating: [UInt8](), count: readers.count)
        var done = Set<Int>()
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 7_000, alignment: 1)
        defer { scratch.deallocate() }
        while done.count < readers.count {
            for (i, r) in readers.enumerated() where !done.contains(i) {
                let source = try #require(r.readAhead)
                let n = try source.read(into: scratch)
                if n == 0 { done.insert(i) } else { got[i] += scratch[0..<n] }
            }
        }
        for (i, p) in paths.reversed().enumerated() {
            let expected = try Self.reference(p)
            #expect(got[i].count == expected.count, "\(p)")
            #expect(got[i] == expected, "\(p)")
        }
    }

    @Test("records through the pool are the records read directly; a truncated bzip2 stream still says so")
    func records() throws {
        Tools.lowerThreadPriority()
        let pool = ReadAheadPool(workers: 2, budget: 1 << 20, chunkSize: 64 << 10)
        defer { pool.shutdown() }
        // The first MiB of a RouteViews RIB, its bzip2 stream cut mid-block.
        let path = try Fixtures.path("mrt/pyasn__rib.20140523.0600_firstMB.bz2")
        let direct = try countElements(try MRTReader.open(path: path))
        let pooled = try countElements(try MRTReader.open(path: path, readAhead: pool, priority: 0))
        #expect(pooled.records == direct.records && pooled.ribEntries == direct.ribEntries)
        // The data's README: 270,005 entries in its 9,072 whole records.
        #expect(pooled.ribEntries == 270_005)
        #expect(pooled.diagnostics.summary == direct.diagnostics.summary)
        #expect(pooled.diagnostics.warnings.map(\.message) == direct.diagnostics.warnings.map(\.message))
        #expect(direct.diagnostics.warnings.contains { $0.message.contains("truncated") })
    }
}
