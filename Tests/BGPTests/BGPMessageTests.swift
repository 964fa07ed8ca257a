import BGP
import Testing
import VigilTesting

@Suite(.ownThread) struct BGPMessageTests {
    static func message(type: UInt8, body: [UInt8]) -> [UInt8] {
        let length = 19 + body.count
        return [UInt8](repeating: 0xFF, count: 16) + [UInt8(length >> 8), UInt8(length & 0xFF), type] + body
    }

    /// An UPDATE withdrawing 175.45.179.0/24 and announcing 175.45.176.0/24 via 4837 131279.
    @Test func decodesUpdate() throws {
        let body: [UInt8] = [
            0, 4, 24, 175, 45, 179,  // withdrawn routes
            0, 24,  // path attribute length
            0x40, 1, 1, 0,  // ORIGIN IGP
            0x40, 2, 10, 2, 2, 0, 0, 0x12, 0xE5, 0, 2, 0, 0xCF,  // AS_PATH 4837 131279
            0x40, 3, 4, 10, 0, 0, 1,  // NEXT_HOP 10.0.0.1
        ]
        let bytes = BGPMessageTests.message(type: 2, body: body + [24, 175, 45, 176])
        let decoded = try bytes.withUnsafeBytes { try BGPMessage(parsing: $0) }
        guard case .update(let update) = decoded else {
            Issue.record("not an update: \(decoded)")
            return
        }
        #expect(update.withdrawn.map(\.prefix.description) == ["175.45.179.0/24"])
        #expect(update.announced.map(\.prefix.description) == ["175.45.176.0/24"])
        #expect(update.attributes.asPath?.origin == 131279)
        #expect(update.allAnnounced.count == 1 && update.allWithdrawn.count == 1)
    }

    @Test func decodesOpenWithCapabilities() throws {
        // Version 4, My AS 23456 (AS_TRANS), hold 180, id 192.0.2.9, capability 65 = AS 131279.
        let body: [UInt8] = [4, 0x5B, 0xA0, 0, 180, 192, 0, 2, 9, 8, 2, 6, 65, 4, 0, 2, 0, 0xCF]
        let decoded = try BGPMessageTests.message(type: 1, body: body).withUnsafeBytes { try BGPMessage(parsing: $0) }
        guard case .open(let open) = decoded else {
            Issue.record("not an open")
            return
        }
        #expect(open.myAS == 23456 && open.holdTime == 180 && open.asn == 131279)
        #expect(open.identifier.description == "192.0.2.9")
    }

    @Test func decodesNotificationAndKeepalive() throws {
        let n = try BGPMessageTests.message(type: 3, body: [6, 2]).withUnsafeBytes { try BGPMessage(parsing: $0) }
        let expected: [UInt8] = [6, 2]
        #expect(n == .notification(try expected.withUnsafeBytes { try BGPNotification(parsing: $0) }))
        let k = try BGPMessageTests.message(type: 4, body: []).withUnsafeBytes { try BGPMessage(parsing: $0) }
        #expect(k == .keepalive)
    }

    @Test func rejectsBadHeadersWithOffsets() {
        var bytes = BGPMessageTests.message(type: 4, body: [])
        bytes[3] = 0
        let markerError = #expect(throws: BGPDecodingError.self) {
            try bytes.withUnsafeBytes { try BGPMessage(parsing: $0) }
        }
        #expect(markerError?.offset == 3)
        let short = Array(BGPMessageTests.message(type: 2, body: [0, 0, 0, 0]).prefix(20))
        #expect(throws: BGPDecodingError.self) { try short.withUnsafeBytes { try BGPMessage(parsing: $0) } }
        // Attribute length pointing past the end of the message.
        let overrun = BGPMessageTests.message(type: 2, body: [0, 0, 0, 9, 0x40, 1, 1, 0])
        let overrunError = #expect(throws: BGPDecodingError.self) {
            try overrun.withUnsafeBytes { try BGPMessage(parsing: $0) }
        }
        #expect(overrunError?.isTruncation == true)
        #expect(overrunError?.offset == 19 + 4)
    }
}
