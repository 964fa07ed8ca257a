import BGP
import Testing
import VigilTesting

@testable import BMP

/// The framer against tshark's BMP dissector, on the real router captures in `data/real/pcap/`.
@Suite(.ownThread) struct BMPStreamDecoderTests {
    static let captures = [
        "pmacct-ta__200-BMP-HUAWEI-locrib_instance.pcap", "pmacct-ta__201-BMP-CISCO-rd_instance.pcap",
        "pmacct-ta__202-BMP-CISCO-HUAWEI-multiple-sources-01.pcap", "pmacct-ta__204-BMP-CISCO-peer_down.pcap",
        "pmacct-ta__206-BMP-high-availability.pcap", "pmacct-ta__400-IPFIX-BMP-CISCO-SRv6-01.pcap",
    ]

    /// Feeds `bytes` in random pieces of 1 to 1,500 bytes (TCP segments) and returns the frames' types,
    /// offsets, and the problems reported.
    static func frame(_ bytes: [UInt8], seed: UInt64, decoder: inout BMPStreamDecoder)
        -> (types: [Int], offsets: [UInt64], problems: [BMPDecodingError])
    {
        var rng = SplitMix(state: seed)
        var types: [Int] = []
        var offsets: [UInt64] = []
        var problems: [BMPDecodingError] = []
        var at = 0
        while at < bytes.count {
            let n = min(bytes.count - at, Int.random(in: 1...1500, using: &rng))
            decoder.append(Array(bytes[at..<(at + n)]))
            at += n
            decoder.decode { frame in
                types.append(Int(frame.type))
                offsets.append(frame.offset)
                // Every message of a real router decodes completely.
                if frame.type != 0 { #expect(throws: Never.self) { _ = try frame.message() } }
            } problem: {
                problems.append($0)
            }
        }
        return (types, offsets, problems)
    }

    @Test("messages framed from TCP pieces equal tshark's decoding", arguments: captures)
    func framingMatchesTshark(capture: String) throws {
        let pcap = try Fixtures.path("pcap/\(capture)")
        let expected = try Captures.bmpMessageTypes(pcap)
        let stream = try Captures.tcpPayload(pcap)
        #expect(expected.count > 50)
        var decoder = BMPStreamDecoder()
        let result = Self.frame(stream, seed: 7, decoder: &decoder)
        #expect(result.types == expected)
        #expect(result.problems.isEmpty)
        #expect(decoder.diagnostics.skippedBytes == 0)
        #expect(decoder.finish() == nil)
    }

    @Test("garbage before, inside and after the stream is skipped and counted, the messages still come out")
    func garbageIsSkipped() throws {
        let pcap = try Fixtures.path("pcap/pmacct-ta__204-BMP-CISCO-peer_down.pcap")
        let expected = try Captures.bmpMessageTypes(pcap)
        let stream = try Captures.tcpPayload(pcap)
        // Message boundaries from a clean pass (itself checked against tshark above).
        var clean = BMPStreamDecoder()
        let offsets = Self.frame(stream, seed: 1, decoder: &clean).offsets
        let cut = Int(offsets[offsets.count / 2])
        // Garbage that cannot start a message: bytes other than 3, so no version byte is ever seen.
        var rng = SplitMix(state: 42)
        let junk1 = (0..<100).map { _ in UInt8.random(in: 4...255, using: &rng) }
        let junk2 = (0..<333).map { _ in UInt8.random(in: 4...255, using: &rng) }
        // The stream ends 10 bytes into a copy of its first message.
        let tail = Array(stream[0..<10])
        let dirty = junk1 + stream[..<cut] + junk2 + stream[cut...] + tail
        var decoder = BMPStreamDecoder()
        let result = Self.frame(dirty, seed: 9, decoder: &decoder)
        #expect(result.types == expected)
        #expect(result.problems.count == 2)
        #expect(result.problems.first?.offset == 0)
        #expect(result.problems.last?.offset == UInt64(100 + cut))
        #expect(decoder.diagnostics.skippedBytes == 433)
        #expect(decoder.diagnostics.resynchronisations == 2)
        let end = decoder.finish()
        #expect(end?.offset == UInt64(dirty.count - 10))
        #expect(decoder.diagnostics.truncatedBytes == 10)
    }

    @Test("random bytes never crash the framer or the decoders")
    func randomBytesAreSurvived() {
        var rng = SplitMix(state: 2026)
        for round in 0..<200 {
            // Bias towards bytes that look like headers, so the decoders behind the framer are reached.
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...4000, using: &rng) {
                bytes.append(Int.random(in: 0..<4, using: &rng) == 0 ? 3 : UInt8.random(in: 0...255, using: &rng))
            }
            if round % 2 == 0, bytes.count > 10 {
                bytes[0] = 3
                bytes[1] = 0
                bytes[2] = 0
                bytes[3] = 0
                bytes[4] = UInt8.random(in: 6...200, using: &rng)
                bytes[5] = UInt8.random(in: 0...6, using: &rng)
            }
            var decoder = BMPStreamDecoder()
            var routes = BMPRouteDecoder(views: Set(BMPRouteDecoder.View.allCases))
            decoder.append(bytes)
            decoder.decode { frame in
                _ = try? frame.message()
                _ = routes.elements(of: frame, now: 0) { _ in }
            } problem: { _ in
            }
            _ = decoder.finish()
            #expect(decoder.pendingBytes == 0)
        }
    }
}
