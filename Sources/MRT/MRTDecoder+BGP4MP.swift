import BGP

extension MRTDecoder {
    // MARK: BGP4MP state changes

    func decodeStateChange(_ h: MRTRecordHeader, _ b: UnsafeRawBufferPointer, _ visit: (RouteElement) -> Void)
        -> DecodingOutcome
    {
        let asn = h.subtype == BGP4MPSubtype.stateChangeAS4 ? 4 : 2
        var element = RouteElement(kind: .stateChange, record: h)
        guard filter.accepts(kind: .stateChange), filter.prefixes.isEmpty, filter.originASNs.isEmpty else {
            return .decoded
        }
        element.peerASN = asn == 4 ? b.u32(0) : UInt32(b.u16(0))
        element.localASN = asn == 4 ? b.u32(4) : UInt32(b.u16(2))
        if asn == 2 && b.count == 8 {
            // Old Zebra wrote state changes without interface, family and addresses (bgpdump handles
            // the same); the peer address is unknown.
            element.oldState = b.u16(4)
            element.newState = b.u16(6)
        } else {
            let at = 2 * asn + 2
            guard b.count >= at + 2 else { return .damaged("BGP4MP state change is truncated") }
            let afi = b.u16(at)
            guard let family = AFI.family(afi) else { return .damaged("BGP4MP state change has unknown AFI \(afi)") }
            let aw = family == .v4 ? 4 : 16
            guard b.count >= at + 2 + 2 * aw + 4 else { return .damaged("BGP4MP state change is truncated") }
            element.peerAddress = family == .v4 ? b.ipv4(at + 2) : b.ipv6(at + 2)
            element.localAddress = family == .v4 ? b.ipv4(at + 2 + aw) : b.ipv6(at + 2 + aw)
            element.oldState = b.u16(at + 2 + 2 * aw)
            element.newState = b.u16(at + 4 + 2 * aw)
        }
        guard filter.accepts(peer: element.peerAddress, asn: element.peerASN) else { return .decoded }
        visit(element)
        return .decoded
    }

    // MARK: BGP4MP messages

    func decodeBGP4MPMessage(_ h: MRTRecordHeader, _ b: UnsafeRawBufferPointer, _ visit: (RouteElement) -> Void)
        -> DecodingOutcome
    {
        let s = h.subtype
        let asn = (s == 4 || s == 7 || s == 9 || s == 11) ? 4 : 2
        let addPath = s >= 8
        guard b.count >= 2 * asn + 4 else { return .damaged("BGP4MP message header is truncated") }
        var element = RouteElement(kind: .announcement, record: h)
        element.peerASN = asn == 4 ? b.u32(0) : UInt32(b.u16(0))
        element.localASN = asn == 4 ? b.u32(asn) : UInt32(b.u16(asn))
        let afiAt = 2 * asn + 2
        let afi = b.u16(afiAt)
        guard let family = AFI.family(afi) else {
            // Zebra wrote OPEN messages with interface and family 0xFFFF and no addresses.
            if afi == 0xFFFF && b.u16(afiAt - 2) == 0xFFFF { return .decoded }
            return .damaged("BGP4MP message has unknown AFI \(afi)")
        }
        let aw = family == .v4 ? 4 : 16
        let messageAt = afiAt + 2 + 2 * aw
        guard b.count >= messageAt + BGPMessage.headerLength else { return .damaged("BGP4MP message is truncated") }
        element.peerAddress = family == .v4 ? b.ipv4(afiAt + 2) : b.ipv6(afiAt + 2)
        element.localAddress = family == .v4 ? b.ipv4(afiAt + 2 + aw) : b.ipv6(afiAt + 2 + aw)
        guard filter.accepts(peer: element.peerAddress, asn: element.peerASN) else { return .decoded }
        for i in 0..<16 where b[messageAt + i] != 0xFF {
            return .damaged("BGP marker is wrong at byte \(messageAt + i) of the record")
        }
        let messageLength = Int(b.u16(messageAt + 16))
        let type = b[messageAt + 18]
        guard type == 2 else { return .decoded }  // Only UPDATEs carry routes.
        guard messageLength >= BGPMessage.headerLength else { return .damaged("BGP message length \(messageLength)") }
        var note: String?
        var bodyEnd = messageAt + messageLength
        if bodyEnd > b.count {
            note = "BGP message claims \(messageLength) bytes, the record holds \(b.count - messageAt)"
            bodyEnd = b.count
        }
        let body = UnsafeRawBufferPointer(rebasing: b[(messageAt + BGPMessage.headerLength)..<bodyEnd])
        let outcome = updates.decodeUpdate(body, asnSize: asn, addPath: addPath, element: &element, visit)
        if case .damaged = outcome { return outcome }
        if let note { return .damaged(note) }
        return outcome
    }

    // MARK: Deprecated type 5 (BGP) records of the 1999-2000 RIPE RIS archives

    func decodeLegacyBGP(_ h: MRTRecordHeader, _ b: UnsafeRawBufferPointer, _ visit: (RouteElement) -> Void)
        -> DecodingOutcome
    {
        switch h.subtype {
        case 1:  // UPDATE: peer AS, peer IP, local AS, local IP, then the UPDATE body without BGP header.
            var element = RouteElement(kind: .announcement, record: h)
            element.peerASN = UInt32(b.u16(0))
            element.peerAddress = b.ipv4(2)
            element.localASN = UInt32(b.u16(6))
            element.localAddress = b.ipv4(8)
            guard filter.accepts(peer: element.peerAddress, asn: element.peerASN) else { return .decoded }
            return updates.decodeUpdate(
                UnsafeRawBufferPointer(rebasing: b[12...]), asnSize: 2, addPath: false, element: &element, visit)
        case 3:  // STATE_CHANGE: peer AS, peer IP, old state, new state.
            guard filter.accepts(kind: .stateChange), filter.prefixes.isEmpty, filter.originASNs.isEmpty else {
                return .decoded
            }
            var element = RouteElement(kind: .stateChange, record: h)
            element.peerASN = UInt32(b.u16(0))
            element.peerAddress = b.ipv4(2)
            element.oldState = b.u16(6)
            element.newState = b.u16(8)
            guard filter.accepts(peer: element.peerAddress, asn: element.peerASN) else { return .decoded }
            visit(element)
            return .decoded
        default:
            return .decoded  // OPEN, NOTIFY, KEEPALIVE, SYNC carry no routes.
        }
    }
}
