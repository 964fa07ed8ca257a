import BGP
import Testing
import VigilTesting

@Suite(.ownThread) struct ASPathTests {
    /// AS_SEQUENCE [174, 4837, 131279] with 4-byte AS numbers, then AS_SET {1, 2}, built by hand.
    static let fourByte: [UInt8] = [
        2, 3, 0, 0, 0, 174, 0, 0, 0x12, 0xE5, 0, 2, 0x00, 0xCF,
        1, 2, 0, 0, 0, 1, 0, 0, 0, 2,
    ]

    @Test func parsesFourByteSegments() throws {
        let path = try ASPathTests.fourByte.withUnsafeBytes { try ASPath(parsing: $0, asnSize: 4) }
        #expect(path.segments.count == 2)
        #expect(path.segments[0] == ASPathSegment(kind: .sequence, asns: [174, 4837, 131279]))
        #expect(path.segments[1] == ASPathSegment(kind: .set, asns: [1, 2]))
        #expect(path.description == "174 4837 131279 {1,2}")
        #expect(path.pathLength == 4)
        #expect(path.origin == nil, "a path ending in an AS_SET has no single origin")
        #expect(path.originCandidates == [1, 2])
    }

    @Test func parsesTwoByteSegmentsAndConfederations() throws {
        let bytes: [UInt8] = [3, 2, 0xFD, 0xE8, 0xFD, 0xE9, 2, 2, 0x12, 0xE5, 0x5F, 0x55]
        let path = try bytes.withUnsafeBytes { try ASPath(parsing: $0, asnSize: 2) }
        #expect(path.description == "(65000 65001) 4837 24405")
        #expect(path.pathLength == 2, "confederation segments do not count (RFC 5065 5.3)")
        #expect(path.origin == 24405)
    }

    @Test func reportsMalformedPaths() {
        let badType: [UInt8] = [9, 1, 0, 1]
        #expect(throws: BGPDecodingError.self) { try badType.withUnsafeBytes { try ASPath(parsing: $0, asnSize: 2) } }
        let short: [UInt8] = [2, 3, 0, 1, 0, 2]
        let error = #expect(throws: BGPDecodingError.self) {
            try short.withUnsafeBytes { try ASPath(parsing: $0, asnSize: 2) }
        }
        #expect(error?.isTruncation == true)
        #expect(error?.offset == 2)
    }

    /// RFC 6793 4.2.3: with AS_PATH "100 23456 23456 300" (length 4) and AS4_PATH "70000 80000 300"
    /// (length 3), keep the first 4 - 3 = 1 AS of AS_PATH and append AS4_PATH.
    @Test func mergesAS4Path() {
        let old = ASPath(sequence: [100, 23456, 23456, 300])
        let new = ASPath(sequence: [70000, 80000, 300])
        #expect(old.merged(withAS4Path: new).description == "100 70000 80000 300")
        // AS4_PATH longer than AS_PATH is ignored.
        #expect(ASPath(sequence: [23456]).merged(withAS4Path: new).description == "23456")
    }
}
