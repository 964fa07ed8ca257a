import BGP

/// The common header of every BMP message (RFC 7854 4.1): version 3, total length, type.
public enum BMPCommonHeader {
    /// Bytes on the wire.
    public static let length = 6
    /// The only version this decoder reads.
    public static let version: UInt8 = 3
    /// Largest message accepted; longer lengths mean the stream is corrupt (the biggest legitimate one,
    /// a Route Monitoring or Route Mirroring with an extended-length UPDATE, stays under 70 KB). It also
    /// bounds what one connection can make the station buffer: an unfinished message is at most this long.
    public static let maximumLength = 1 << 18

    /// The shortest legal length for a message type: the per-peer types need their header.
    static func minimumLength(type: UInt8) -> Int {
        switch type {
        case 0, 6: return length + BMPPeerHeader.length + BGPMessage.headerLength * (type == 0 ? 1 : 0)
        case 1: return length + BMPPeerHeader.length + 4
        case 2: return length + BMPPeerHeader.length + 1
        case 3: return length + BMPPeerHeader.length + 20
        default: return length
        }
    }

    /// True when `b` at `offset` (with at least `length` bytes) looks like the start of a message.
    static func isPlausible(_ b: UnsafeRawBufferPointer, _ offset: Int) -> Bool {
        guard b[offset] == version, b[offset + 5] <= 6 else { return false }
        let n = Int(b.u32(offset + 1))
        return n >= minimumLength(type: b[offset + 5]) && n <= maximumLength
    }
}

extension BMPMessage {
    /// Decodes one whole message (common header included) from `b`; `offset` is its place in the stream,
    /// for the error.
    public init(parsing b: UnsafeRawBufferPointer, offset: UInt64 = 0) throws(BMPDecodingError) {
        func fail(_ why: String) -> BMPDecodingError { BMPDecodingError(offset: offset, reason: why) }
        guard b.count >= BMPCommonHeader.length else { throw fail("message shorter than the common header") }
        guard b[0] == BMPCommonHeader.version else { throw fail("version \(b[0]), expected 3") }
        let length = Int(b.u32(1))
        guard length <= b.count else { throw fail("message claims \(length) bytes, \(b.count) present") }
        guard let type = BMPMessageType(rawValue: b[5]) else { throw fail("unknown message type \(b[5])") }
        guard length >= BMPCommonHeader.minimumLength(type: type.rawValue) else {
            throw fail("\(type) message of \(length) bytes is too short")
        }
        let body = UnsafeRawBufferPointer(rebasing: b[BMPCommonHeader.length..<length])
        switch type {
        case .initiation:
            self = .initiation(try Self.tlvs(body, 0, offset))
        case .termination:
            self = .termination(try Self.tlvs(body, 0, offset))
        default:
            let peer = BMPPeerHeader(body)
            let rest = UnsafeRawBufferPointer(rebasing: body[BMPPeerHeader.length...])
            switch type {
            case .routeMonitoring:
                self = .routeMonitoring(peer, update: Array(rest))
            case .routeMirroring:
                self = .routeMirroring(peer)
            case .peerDown:
                self = .peerDown(peer, reason: rest[0])
            case .statisticsReport:
                var stats: [(type: UInt16, value: UInt64)] = []
                let count = Int(rest.u32(0))
                var at = 4
                for _ in 0..<count {
                    guard at + 4 <= rest.count else { throw fail("statistics report truncated") }
                    let t = rest.u16(at)
                    let n = Int(rest.u16(at + 2))
                    guard at + 4 + n <= rest.count else { throw fail("statistic \(t) overruns the message") }
                    let value: UInt64 =
                        n == 4
                        ? UInt64(rest.u32(at + 4)) : n == 8 ? rest.u64(at + 4) : n == 2 ? UInt64(rest.u16(at + 4)) : 0
                    stats.append((t, value))
                    at += 4 + n
                }
                self = .statisticsReport(peer, stats: stats)
            case .peerUp:
                let v6 = peer.flags & 0x80 != 0 && !peer.isLocRIB
                let local = v6 ? rest.ipv6(0) : rest.ipv4(12)
                var at = 20
                var opens: [[UInt8]] = []
                for side in ["sent", "received"] {
                    guard at + BGPMessage.headerLength <= rest.count else {
                        throw fail("peer up: \(side) OPEN missing")
                    }
                    let n = Int(rest.u16(at + 16))
                    guard n >= BGPMessage.headerLength, at + n <= rest.count else {
                        throw fail("peer up: \(side) OPEN of \(n) bytes overruns the message")
                    }
                    opens.append(Array(rest[at..<(at + n)]))
                    at += n
                }
                let info = try Self.tlvs(rest, at, offset)
                self = .peerUp(
                    peer, localAddress: local, localPort: rest.u16(16), remotePort: rest.u16(18), sentOpen: opens[0],
                    receivedOpen: opens[1], information: info)
            default:
                throw fail("unreachable message type \(type)")
            }
        }
    }

    /// The information TLVs from `at` to the end of `b`.
    static func tlvs(_ b: UnsafeRawBufferPointer, _ start: Int, _ offset: UInt64) throws(BMPDecodingError)
        -> [BMPInformation]
    {
        var out: [BMPInformation] = []
        var at = start
        while at < b.count {
            guard at + 4 <= b.count else {
                throw BMPDecodingError(offset: offset, reason: "information TLV header truncated")
            }
            let n = Int(b.u16(at + 2))
            guard at + 4 + n <= b.count else {
                throw BMPDecodingError(offset: offset, reason: "information TLV of \(n) bytes overruns the message")
            }
            out.append(BMPInformation(type: b.u16(at), value: Array(b[(at + 4)..<(at + 4 + n)])))
            at += 4 + n
        }
        return out
    }
}
