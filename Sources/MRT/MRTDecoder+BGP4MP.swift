import BGP

extension MRTDecoder {
    // MARK: BGP4MP state changes

    func decodeStateChange(_ h: MRTRecordHeader, _ b: UnsafeRawBufferPointer, _ visit: (MRTElement) -> Void)
        -> MRTRecordOutcome
    {
        let asn = h.subtype == BGP4MPSubtype.stateChangeAS4 ? 4 : 2
        var element = MRTElement(kind: .stateChange, record: h)
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

    func decodeBGP4MPMessage(_ h: MRTRecordHeader, _ b: UnsafeRawBufferPointer, _ visit: (MRTElement) -> Void)
        -> MRTRecordOutcome
    {
        let s = h.subtype
        let asn = (s == 4 || s == 7 || s == 9 || s == 11) ? 4 : 2
        let addPath = s >= 8
        guard b.count >= 2 * asn + 4 else { return .damaged("BGP4MP message header is truncated") }
        var element = MRTElement(kind: .announcement, record: h)
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
        let outcome = decodeUpdate(body, asnSize: asn, addPath: addPath, element: &element, visit)
        if case .damaged = outcome { return outcome }
        if let note { return .damaged(note) }
        return outcome
    }

    // MARK: Deprecated type 5 (BGP) records of the 1999-2000 RIPE RIS archives

    func decodeLegacyBGP(_ h: MRTRecordHeader, _ b: UnsafeRawBufferPointer, _ visit: (MRTElement) -> Void)
        -> MRTRecordOutcome
    {
        switch h.subtype {
        case 1:  // UPDATE: peer AS, peer IP, local AS, local IP, then the UPDATE body without BGP header.
            var element = MRTElement(kind: .announcement, record: h)
            element.peerASN = UInt32(b.u16(0))
            element.peerAddress = b.ipv4(2)
            element.localASN = UInt32(b.u16(6))
            element.localAddress = b.ipv4(8)
            guard filter.accepts(peer: element.peerAddress, asn: element.peerASN) else { return .decoded }
            return decodeUpdate(
                UnsafeRawBufferPointer(rebasing: b[12...]), asnSize: 2, addPath: false, element: &element, visit)
        case 3:  // STATE_CHANGE: peer AS, peer IP, old state, new state.
            guard filter.accepts(kind: .stateChange), filter.prefixes.isEmpty, filter.originASNs.isEmpty else {
                return .decoded
            }
            var element = MRTElement(kind: .stateChange, record: h)
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

    // MARK: UPDATE bodies

    /// Emits the withdrawals and announcements of an UPDATE body in bgpdump's order: withdrawn routes,
    /// MP_UNREACH_NLRI, NLRI, MP_REACH_NLRI.
    func decodeUpdate(
        _ body: UnsafeRawBufferPointer, asnSize: Int, addPath: Bool, element: inout MRTElement,
        _ visit: (MRTElement) -> Void
    ) -> MRTRecordOutcome {
        let layout: BGPUpdateLayout
        do {
            layout = try BGPUpdateLayout(parsing: body)
        } catch {
            return .damaged("UPDATE: \(error)")
        }
        var problem: String?
        let wantWithdrawals = filter.accepts(kind: .withdrawal) && filter.originASNs.isEmpty
        let wantAnnouncements = filter.accepts(kind: .announcement)
        if !filter.prefixes.isEmpty
            && !mayMatch(body, layout, withdrawals: wantWithdrawals, announcements: wantAnnouncements, addPath: addPath)
        {
            return .decoded
        }

        element.kind = .withdrawal
        element.viaMultiprotocol = false
        element.safi = 1
        if wantWithdrawals && !layout.withdrawn.isEmpty {
            note(emit(body, layout.withdrawn, .v4, addPath, &element, visit), "withdrawn routes", &problem)
        }
        if layout.attributes.isEmpty { return problem.map { .damaged($0) } ?? .decoded }

        let view = PathAttributeView(
            parsing: UnsafeRawBufferPointer(rebasing: body[layout.attributes]), asnSize: asnSize)
        if let e = view.error { note(e.shifted(by: layout.attributes.lowerBound), "path attributes", &problem) }
        let vb = view.bytes

        if wantWithdrawals, let range = view.mpUnreach {
            do {
                let mp = try MPUnreachLayout(bytes: vb, range: range)
                if let family = AFI.family(mp.afi), SAFI.isPlainPrefix(mp.safi) {
                    element.viaMultiprotocol = true
                    element.safi = mp.safi
                    note(emit(vb, mp.nlri, family, addPath, &element, visit), "MP_UNREACH_NLRI", &problem)
                }
            } catch {
                note(error, "MP_UNREACH_NLRI", &problem)
            }
        }

        guard wantAnnouncements, filter.originASNs.isEmpty || filter.accepts(origin: view.originASN) else {
            return problem.map { .damaged($0) } ?? .decoded
        }
        element.kind = .announcement
        element.attributes = view
        element.viaMultiprotocol = false
        element.safi = 1
        if !layout.nlri.isEmpty {
            element.nextHop = view.nextHop.map { IPAddress(v4: $0) }
            note(emit(body, layout.nlri, .v4, addPath, &element, visit), "NLRI", &problem)
        }
        if let range = view.mpReach {
            do {
                let mp = try MPReachLayout(bytes: vb, range: range)
                if let family = AFI.family(mp.afi), SAFI.isPlainPrefix(mp.safi) {
                    element.viaMultiprotocol = true
                    element.safi = mp.safi
                    element.nextHop = mp.nextHop
                    note(emit(vb, mp.nlri, family, addPath, &element, visit), "MP_REACH_NLRI", &problem)
                }
            } catch {
                note(error, "MP_REACH_NLRI", &problem)
            }
        }
        return problem.map { .damaged($0) } ?? .decoded
    }

    /// Delivers one element per prefix of the NLRI list at `bytes[range]` that passes the filter;
    /// returns why the list ended early, if it did.
    private func emit(
        _ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ family: IPAddress.Family, _ addPath: Bool,
        _ element: inout MRTElement, _ visit: (MRTElement) -> Void
    ) -> BGPDecodingError? {
        let ap = NLRIIterator.detectAddPath(bytes, range: range, family: family, declared: addPath)
        var it = NLRIIterator(bytes: bytes, range: range, family: family, addPath: ap)
        while let n = it.next() {
            guard filter.accepts(prefix: n.prefix) else { continue }
            element.prefix = n.prefix
            element.pathID = n.pathID
            visit(element)
        }
        return it.error
    }

    /// Keeps the first problem of a record for its warning.
    private func note(_ error: BGPDecodingError?, _ part: String, _ problem: inout String?) {
        if let error, problem == nil { problem = "\(part): \(error)" }
    }

    /// Whether any prefix of the UPDATE passes the prefix filter. A quick walk over the NLRI fields and
    /// the MP attributes' headers, so that UPDATEs with nothing of interest skip attribute decoding.
    func mayMatch(
        _ body: UnsafeRawBufferPointer, _ layout: BGPUpdateLayout, withdrawals: Bool, announcements: Bool,
        addPath: Bool
    ) -> Bool {
        func any(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ family: IPAddress.Family) -> Bool {
            guard filter.prefixes.contains(where: { $0.family == family }) else { return false }
            let ap = NLRIIterator.detectAddPath(bytes, range: range, family: family, declared: addPath)
            var it = NLRIIterator(bytes: bytes, range: range, family: family, addPath: ap)
            while let n = it.next() {
                if filter.accepts(prefix: n.prefix) { return true }
            }
            return it.error != nil  // damaged: let the full decoder report it
        }
        if withdrawals && !layout.withdrawn.isEmpty && any(body, layout.withdrawn, .v4) { return true }
        if announcements && !layout.nlri.isEmpty && any(body, layout.nlri, .v4) { return true }
        var offset = layout.attributes.lowerBound
        let end = layout.attributes.upperBound
        while end - offset >= 3 {
            let flags = body[offset]
            let type = body[offset + 1]
            let extended = flags & PathAttributeType.flagExtendedLength != 0
            guard !extended || end - offset >= 4 else { return true }
            let length = extended ? Int(body.u16(offset + 2)) : Int(body[offset + 2])
            let start = offset + (extended ? 4 : 3)
            guard end - start >= length else { return true }  // damaged: let the full decoder report it
            let range = start..<(start + length)
            if type == PathAttributeType.mpReachNLRI && announcements {
                guard let mp = try? MPReachLayout(bytes: body, range: range) else { return true }
                if let family = AFI.family(mp.afi), SAFI.isPlainPrefix(mp.safi), any(body, mp.nlri, family) {
                    return true
                }
            } else if type == PathAttributeType.mpUnreachNLRI && withdrawals {
                guard let mp = try? MPUnreachLayout(bytes: body, range: range) else { return true }
                if let family = AFI.family(mp.afi), SAFI.isPlainPrefix(mp.safi), any(body, mp.nlri, family) {
                    return true
                }
            }
            offset = start + length
        }
        return false
    }
}

// MARK: BGP messages from other carriers

extension MRTDecoder {
    /// Decodes one whole BGP message (marker, length, type, body) into elements, as a BGP4MP record's
    /// message would be. For sources that carry BGP messages outside MRT (BMP Route Monitoring), so that
    /// every source of routes shares one UPDATE decoder and one element type. `element` carries the
    /// peer, time and header the caller knows; messages other than UPDATE yield nothing.
    public func decodeBGPMessage(
        _ message: UnsafeRawBufferPointer, asnSize: Int, element: inout MRTElement, _ visit: (MRTElement) -> Void
    ) -> MRTRecordOutcome {
        guard message.count >= BGPMessage.headerLength else { return .damaged("BGP message is truncated") }
        for i in 0..<16 where message[i] != 0xFF { return .damaged("BGP marker is wrong at byte \(i)") }
        let length = Int(message.u16(16))
        guard message[18] == 2 else { return .decoded }
        guard length >= BGPMessage.headerLength, length <= message.count else {
            return .damaged("BGP message length \(length) does not fit its \(message.count) bytes")
        }
        let body = UnsafeRawBufferPointer(rebasing: message[BGPMessage.headerLength..<length])
        return decodeUpdate(body, asnSize: asnSize, addPath: false, element: &element, visit)
    }
}
