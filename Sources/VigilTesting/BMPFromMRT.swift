import BGP
import MRT

/// A BMP stream made from MRT update files: every BGP4MP UPDATE becomes a Route Monitoring message
/// (pre-policy Adj-RIB-In of its peer, the record's time in the per-peer header), so BMP ingest can be
/// measured on the same routes as MRT decoding.
public enum BMPFromMRT {
    /// The stream, and the number of Route Monitoring messages in it.
    public static func stream(_ path: String) throws -> (bytes: [UInt8], messages: Int) {
        let reader = try MRTReader.open(path: path)
        var out: [UInt8] = []
        var messages = 0
        while let record = try reader.next() {
            let h = record.header
            guard h.type == MRTType.bgp4mp || h.type == MRTType.bgp4mpET else { continue }
            let s = h.subtype
            // MESSAGE (2-byte ASNs) and MESSAGE_AS4, without ADD-PATH or the local variants.
            guard s == 1 || s == 4 else { continue }
            let b = record.body
            let asn = s == 4 ? 4 : 2
            guard b.count >= 2 * asn + 4 else { continue }
            let afi = b.u16(2 * asn + 2)
            guard afi == 1 || afi == 2 else { continue }
            let aw = afi == 1 ? 4 : 16
            let messageAt = 2 * asn + 4 + 2 * aw
            guard b.count > messageAt + 19, b[messageAt + 18] == 2 else { continue }
            let peerASN = asn == 4 ? b.u32(0) : UInt32(b.u16(0))
            let message = b[messageAt...]
            let length = 6 + 42 + message.count
            out.append(3)
            appendU32(&out, UInt32(length))
            out.append(0)  // Route Monitoring
            out.append(0)  // global instance peer
            out.append((afi == 2 ? 0x80 : 0) | (asn == 2 ? 0x20 : 0))
            out += [UInt8](repeating: 0, count: 8)
            if afi == 1 { out += [UInt8](repeating: 0, count: 12) }
            out += b[(2 * asn + 4)..<(2 * asn + 4 + aw)]
            appendU32(&out, peerASN)
            appendU32(&out, 0)
            appendU32(&out, h.timestamp)
            appendU32(&out, h.microseconds)
            out += message
            messages += 1
        }
        return (out, messages)
    }

    static func appendU32(_ out: inout [UInt8], _ v: UInt32) {
        out += [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }
}
