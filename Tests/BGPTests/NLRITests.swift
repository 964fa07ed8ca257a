import BGP
import Testing
import VigilTesting

@Suite(.ownThread) struct NLRITests {
    /// 175.45.176.0/24 and 175.45.177.0/24, then 10.0.0.0/8, encoded by hand (length, then the bytes needed).
    static let plain: [UInt8] = [24, 175, 45, 176, 24, 175, 45, 177, 8, 10]

    @Test func decodesPlainLists() throws {
        let list = try NLRITests.plain.withUnsafeBytes {
            try NLRIIterator.decodeAll($0, range: 0..<$0.count, family: .v4, addPath: false)
        }
        #expect(list.map(\.prefix.description) == ["175.45.176.0/24", "175.45.177.0/24", "10.0.0.0/8"])
        #expect(list.allSatisfy { $0.pathID == nil })
    }

    @Test func decodesAddPathLists() throws {
        let bytes: [UInt8] = [0, 0, 0, 7, 24, 175, 45, 178]
        let list = try bytes.withUnsafeBytes {
            try NLRIIterator.decodeAll($0, range: 0..<$0.count, family: .v4, addPath: true)
        }
        #expect(list == [NLRI(prefix: IPPrefix("175.45.178.0/24")!, pathID: 7)])
    }

    @Test func stopsAtTruncation() {
        let bytes: [UInt8] = [24, 175, 45, 176, 24, 175]
        bytes.withUnsafeBytes { raw in
            var it = NLRIIterator(bytes: raw, range: 0..<raw.count, family: .v4, addPath: false)
            #expect(it.next()?.prefix.description == "175.45.176.0/24")
            #expect(it.next() == nil)
            #expect(it.error?.isTruncation == true)
            #expect(it.error?.offset == 5)
        }
    }

    @Test func rejectsImpossibleLengths() {
        let bytes: [UInt8] = [33, 1, 2, 3, 4, 5]
        #expect(throws: BGPDecodingError.self) {
            try bytes.withUnsafeBytes {
                try NLRIIterator.decodeAll($0, range: 0..<$0.count, family: .v4, addPath: false)
            }
        }
    }

    /// BIRD's dump of 172.17.0.0/24 with path id 2: read without path ids the first bytes are three
    /// /0 prefixes and a /2, then 0xAC = 172 is an impossible IPv4 length, so the list only parses as ADD-PATH.
    @Test func detectsUndeclaredAddPath() {
        let bytes: [UInt8] = [0, 0, 0, 2, 24, 172, 17, 0, 0, 0, 0, 2, 24, 172, 17, 1]
        bytes.withUnsafeBytes { raw in
            #expect(NLRIIterator.detectAddPath(raw, range: 0..<raw.count, family: .v4, declared: false))
        }
        NLRITests.plain.withUnsafeBytes { raw in
            #expect(!NLRIIterator.detectAddPath(raw, range: 0..<raw.count, family: .v4, declared: false))
        }
    }
}
