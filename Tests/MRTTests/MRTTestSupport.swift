import BGP
import Foundation
import MRT
import VigilTesting

/// Counts of what a decoder produced from one input.
struct ElementCounts {
    var records = 0
    var announcements = 0
    var withdrawals = 0
    var ribEntries = 0
    var stateChanges = 0
    var unsupported = 0
    var damaged = 0
    var diagnostics = MRTDiagnostics()
}

/// Reads every element of `source` through the library.
func countElements(_ reader: MRTReader, filter: RouteFilter = RouteFilter()) throws -> ElementCounts {
    var decoder = MRTDecoder(filter: filter)
    var counts = ElementCounts()
    while let record = try reader.next() {
        counts.records += 1
        let outcome = decoder.decode(record) { e in
            switch e.kind {
            case .announcement: counts.announcements += 1
            case .withdrawal: counts.withdrawals += 1
            case .ribEntry: counts.ribEntries += 1
            case .stateChange: counts.stateChanges += 1
            }
        }
        switch outcome {
        case .decoded: break
        case .unsupported: counts.unsupported += 1
        case .damaged: counts.damaged += 1
        }
    }
    counts.diagnostics = reader.diagnostics
    return counts
}

/// Opens a fixture from `data/real/mrt`.
func openFixture(_ name: String) throws -> MRTReader {
    try MRTReader.open(path: try Fixtures.path("mrt/\(name)"))
}

/// A reader over bytes in memory.
func reader(_ bytes: [UInt8], name: String = "memory") throws -> MRTReader {
    try MRTReader(detecting: MemoryByteSource(bytes), name: name)
}

/// Offsets and lengths (header included) of every record in well-formed bytes.
func recordSpans(_ bytes: [UInt8]) throws -> [(offset: Int, size: Int)] {
    let r = try reader(bytes)
    var spans: [(Int, Int)] = []
    while let record = try r.next() {
        spans.append((Int(record.header.offset), record.header.headerSize + record.header.length))
    }
    return spans
}
