import BGP
import Foundation
import MRT
import Testing
import VigilTesting

/// RIS's TABLE_DUMP files of 1999-2000 pack several RIB entries into one record and declare each record 4
/// bytes shorter than what was written. A file of that shape, built here byte by byte: three records of
/// two entries each. Debian's bgpdump reads the first entry and stops (which says the file has the shape
/// the archives have); Vigil reads all six and says the file needed it.
@Suite(.ownThread) struct ShortTableDumpTests {
    /// One TABLE_DUMP (AFI IPv4) entry: view 0, sequence, prefix, length, status 1, originated time, peer
    /// 193.0.0.56 AS3333, attributes ORIGIN IGP, AS_PATH (3333, origin), NEXT_HOP 193.0.0.56.
    static func entry(sequence: UInt16, prefix: [UInt8], length: UInt8, origin: UInt16) -> [UInt8] {
        let attributes: [UInt8] =
            [0x40, 1, 1, 0] + [0x40, 2, 6, 2, 2, 0x0D, 0x05, UInt8(origin >> 8), UInt8(origin & 0xFF)]
            + [0x40, 3, 4, 193, 0, 0, 56]
        return [0, 0, UInt8(sequence >> 8), UInt8(sequence & 0xFF)] + prefix + [length, 1]
            + [0x38, 0x0E, 0x3A, 0x00]  // originated 1999-11-19T..., any time
            + [193, 0, 0, 56, 0x0D, 0x05] + [0, UInt8(attributes.count)] + attributes
    }

    /// The file: records at 2000-01-02T00:00:00Z (946,771,200), each declaring its length less 4.
    static func file() -> [UInt8] {
        let entries: [(prefix: [UInt8], length: UInt8, origin: UInt16)] = [
            ([3, 0, 0, 0], 8, 80), ([4, 0, 0, 0], 8, 1), ([6, 1, 0, 0], 16, 668), ([12, 0, 0, 0], 8, 7018),
            ([193, 0, 0, 0], 21, 3333), ([195, 66, 224, 0], 19, 5459),
        ]
        var out: [UInt8] = []
        for r in 0..<3 {
            let body =
                entry(
                    sequence: UInt16(2 * r), prefix: entries[2 * r].prefix, length: entries[2 * r].length,
                    origin: entries[2 * r].origin)
                + entry(
                    sequence: UInt16(2 * r + 1), prefix: entries[2 * r + 1].prefix, length: entries[2 * r + 1].length,
                    origin: entries[2 * r + 1].origin)
            let declared = body.count - 4
            out += [0x38, 0x6E, 0x96, 0x00, 0, 12, 0, 1]
            out += [
                UInt8(declared >> 24), UInt8(declared >> 16 & 0xFF), UInt8(declared >> 8 & 0xFF),
                UInt8(declared & 0xFF),
            ]
            out += body
        }
        return out
    }

    @Test(
        "three records of two entries, each declared 4 bytes short: six RIB entries, nothing damaged, the summary says so"
    )
    func readWhole() throws {
        let r = try reader(Self.file(), name: "bview.20000102.0000")
        var decoder = MRTDecoder()
        var seen: [String] = []
        var damaged = 0
        while let record = try r.next() {
            let outcome = decoder.decode(record) { e in seen.append("\(e.prefix) \(e.attributes.originASN ?? 0)") }
            if case .damaged = outcome { damaged += 1 }
        }
        #expect(
            seen == [
                "3.0.0.0/8 80", "4.0.0.0/8 1", "6.1.0.0/16 668", "12.0.0.0/8 7018", "193.0.0.0/21 3333",
                "195.66.224.0/19 5459",
            ])
        #expect(damaged == 0)
        let d = r.diagnostics
        #expect(d.records == 3 && d.skippedBytes == 0 && d.resynchronisations == 0)
        #expect(d.shortTableDumpRecords == 3)
        #expect(d.summary.contains("3 TABLE_DUMP records declared 4 bytes short, read whole"), "\(d.summary)")
        #expect(d.warnings.count == 1)
    }

    @Test("Debian's bgpdump reads one entry of the file and stops, as it does on the archives' files")
    func bgpdumpStops() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("short-\(UUID().uuidString).mrt").path
        try Data(Self.file()).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try await Tools.bgpdump(["-m", path])
        let lines = String(decoding: r.stdout, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.contains("|3.0.0.0/8|") == true)
    }
}
