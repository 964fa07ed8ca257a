/// Turns BGP UPDATE messages into route elements, whatever carried them: MRT's BGP4MP and type 5 records,
/// BMP's Route Monitoring. One decoder, so every source applies the same filter and the same attribute
/// rules, and gives the same elements for the same bytes.
///
/// The caller fills what its carrier knows (time, peer, carrier) in the element it passes; the decoder
/// fills the rest per prefix and calls `visit`. `filter` is applied as early as the message allows: the
/// prefixes before any attribute is decoded, the origin before delivery.
public struct UpdateDecoder: Sendable {
    /// Which elements to deliver.
    public var filter: RouteFilter

    /// A decoder delivering the elements that pass `filter`.
    public init(filter: RouteFilter = RouteFilter()) { self.filter = filter }

    /// Decodes one whole BGP message (marker, length, type, body) into elements, as a BGP4MP record's
    /// message would be. For sources that carry BGP messages outside MRT (BMP Route Monitoring), so that
    /// every source of routes shares one UPDATE decoder and one element type. `element` carries the
    /// peer, time and header the caller knows; messages other than UPDATE yield nothing.
    public func decodeMessage(
        _ message: UnsafeRawBufferPointer, asnSize: Int, element: inout RouteElement, _ visit: (RouteElement) -> Void
    ) -> DecodingOutcome {
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

    // MARK: UPDATE bodies

    /// Emits the withdrawals and announcements of an UPDATE body in bgpdump's order: withdrawn routes,
    /// MP_UNREACH_NLRI, NLRI, MP_REACH_NLRI.
    public func decodeUpdate(
        _ body: UnsafeRawBufferPointer, asnSize: Int, addPath: Bool, element: inout RouteElement,
        _ visit: (RouteElement) -> Void
    ) -> DecodingOutcome {
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
        _ element: inout RouteElement, _ visit: (RouteElement) -> Void
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
