/// How a BGP session was negotiated, which changes how its messages are encoded.
public struct BGPSessionOptions: Hashable, Sendable {
    /// AS number width: 4 when both sides announced the four-octet AS capability (RFC 6793).
    public var asnSize: Int
    /// True when ADD-PATH (RFC 7911) receive was negotiated, so NLRI carry path identifiers.
    public var addPath: Bool

    /// Creates options.
    public init(asnSize: Int = 4, addPath: Bool = false) {
        self.asnSize = asnSize
        self.addPath = addPath
    }
}

/// A decoded BGP message (RFC 4271 section 4).
public enum BGPMessage: Hashable, Sendable {
    case open(BGPOpen)
    case update(BGPUpdate)
    case notification(BGPNotification)
    case keepalive
    /// ROUTE-REFRESH (RFC 2918) or another type, kept raw.
    case other(type: UInt8, body: [UInt8])

    /// The BGP message header is 16 marker bytes, a 2-byte length and a 1-byte type.
    public static let headerLength = 19

    /// Decodes one message including its 19-byte header.
    ///
    ///     0                   1                   2                   3
    ///     0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    ///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ///    |                           Marker (16)                         |
    ///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    ///    |          Length               |      Type     |
    ///    +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    public init(parsing b: UnsafeRawBufferPointer, options: BGPSessionOptions = .init()) throws(BGPDecodingError) {
        let header = try BGPMessageHeader(parsing: b)
        let body = UnsafeRawBufferPointer(rebasing: b[BGPMessage.headerLength..<header.length])
        do {
            switch header.type {
            case 1: self = .open(try BGPOpen(parsing: body))
            case 2: self = .update(try BGPUpdate(parsing: body, options: options))
            case 3: self = .notification(try BGPNotification(parsing: body))
            case 4: self = .keepalive
            default: self = .other(type: header.type, body: Array(body))
            }
        } catch {
            throw error.shifted(by: BGPMessage.headerLength)
        }
    }
}

/// The fixed header of a BGP message, validated.
public struct BGPMessageHeader: Hashable, Sendable {
    /// Total message length including the header.
    public var length: Int
    /// Message type (1 OPEN, 2 UPDATE, 3 NOTIFICATION, 4 KEEPALIVE, 5 ROUTE-REFRESH).
    public var type: UInt8

    /// Validates marker, length and type at the start of `b`.
    public init(parsing b: UnsafeRawBufferPointer) throws(BGPDecodingError) {
        guard b.count >= BGPMessage.headerLength else {
            throw .truncated("BGP message header", needed: BGPMessage.headerLength, available: b.count, at: 0)
        }
        for i in 0..<16 where b[i] != 0xFF { throw .invalid("BGP marker byte \(i) is not 0xFF", at: i) }
        length = Int(b.u16(16))
        type = b[18]
        guard length >= BGPMessage.headerLength else { throw .invalid("BGP message length \(length)", at: 16) }
        guard b.count >= length else { throw .truncated("BGP message", needed: length, available: b.count, at: 0) }
    }
}

/// An UPDATE message: withdrawn routes, path attributes, announced routes.
public struct BGPUpdate: Hashable, Sendable {
    /// Prefixes in the IPv4 Withdrawn Routes field.
    public var withdrawn: [NLRI]
    /// Path attributes (including MP_REACH / MP_UNREACH).
    public var attributes: PathAttributes
    /// Prefixes in the IPv4 NLRI field.
    public var announced: [NLRI]

    /// Creates an update.
    public init(withdrawn: [NLRI] = [], attributes: PathAttributes = .init(), announced: [NLRI] = []) {
        self.withdrawn = withdrawn
        self.attributes = attributes
        self.announced = announced
    }

    /// Decodes an UPDATE body (after the 19-byte header).
    public init(parsing b: UnsafeRawBufferPointer, options: BGPSessionOptions) throws(BGPDecodingError) {
        let layout = try BGPUpdateLayout(parsing: b)
        withdrawn = try NLRIIterator.decodeAll(b, range: layout.withdrawn, family: .v4, addPath: options.addPath)
        do {
            attributes = try PathAttributes(
                parsing: UnsafeRawBufferPointer(rebasing: b[layout.attributes]), asnSize: options.asnSize,
                addPath: options.addPath)
        } catch {
            throw error.shifted(by: layout.attributes.lowerBound)
        }
        announced = try NLRIIterator.decodeAll(b, range: layout.nlri, family: .v4, addPath: options.addPath)
    }

    /// Every announced prefix: the NLRI field and MP_REACH_NLRI.
    public var allAnnounced: [NLRI] { announced + (attributes.mpReach?.nlri ?? []) }
    /// Every withdrawn prefix: the Withdrawn Routes field and MP_UNREACH_NLRI.
    public var allWithdrawn: [NLRI] { withdrawn + (attributes.mpUnreach?.nlri ?? []) }
}

/// Where the three parts of an UPDATE body lie, validated against the body length.
public struct BGPUpdateLayout: Hashable, Sendable {
    /// Byte range of the Withdrawn Routes field.
    public var withdrawn: Range<Int>
    /// Byte range of the Path Attributes field.
    public var attributes: Range<Int>
    /// Byte range of the NLRI field.
    public var nlri: Range<Int>

    /// Splits an UPDATE body (RFC 4271 4.3) into its fields.
    public init(parsing b: UnsafeRawBufferPointer) throws(BGPDecodingError) {
        guard b.count >= 2 else { throw .truncated("withdrawn routes length", needed: 2, available: b.count, at: 0) }
        let wLen = Int(b.u16(0))
        guard b.count - 2 >= wLen else {
            throw .truncated("withdrawn routes", needed: wLen, available: b.count - 2, at: 2)
        }
        withdrawn = 2..<(2 + wLen)
        let aAt = 2 + wLen
        guard b.count - aAt >= 2 else {
            throw .truncated("path attributes length", needed: 2, available: b.count - aAt, at: aAt)
        }
        let aLen = Int(b.u16(aAt))
        guard b.count - aAt - 2 >= aLen else {
            throw .truncated("path attributes", needed: aLen, available: b.count - aAt - 2, at: aAt + 2)
        }
        attributes = (aAt + 2)..<(aAt + 2 + aLen)
        nlri = (aAt + 2 + aLen)..<b.count
    }
}

/// An OPEN message (RFC 4271 4.2) with the capabilities Vigil cares about.
public struct BGPOpen: Hashable, Sendable {
    /// The BGP version (4).
    public var version: UInt8
    /// The 2-byte My AS field (23456 when the real AS needs four bytes).
    public var myAS: UInt16
    /// The proposed hold time in seconds.
    public var holdTime: UInt16
    /// The BGP identifier.
    public var identifier: IPAddress
    /// Capabilities (RFC 5492) as (code, value) pairs.
    public var capabilities: [(code: UInt8, value: [UInt8])]
    /// Optional parameters that are not capabilities, kept raw.
    public var otherParameters: [(type: UInt8, value: [UInt8])]

    /// The four-octet AS from capability 65, when announced.
    public var fourOctetAS: UInt32? {
        guard let cap = capabilities.first(where: { $0.code == 65 }), cap.value.count == 4 else { return nil }
        return cap.value.withUnsafeBytes { $0.u32(0) }
    }

    /// The speaker's AS: the four-octet capability when present, else My AS.
    public var asn: UInt32 { fourOctetAS ?? UInt32(myAS) }

    /// Decodes an OPEN body.
    public init(parsing b: UnsafeRawBufferPointer) throws(BGPDecodingError) {
        guard b.count >= 10 else { throw .truncated("OPEN", needed: 10, available: b.count, at: 0) }
        version = b[0]
        myAS = b.u16(1)
        holdTime = b.u16(3)
        identifier = b.ipv4(5)
        let optLen = Int(b[9])
        guard b.count - 10 >= optLen else {
            throw .truncated("OPEN optional parameters", needed: optLen, available: b.count - 10, at: 10)
        }
        capabilities = []
        otherParameters = []
        var offset = 10
        let end = 10 + optLen
        while offset < end {
            guard end - offset >= 2 else {
                throw .truncated("OPEN parameter", needed: 2, available: end - offset, at: offset)
            }
            let type = b[offset]
            let len = Int(b[offset + 1])
            guard end - offset - 2 >= len else {
                throw .truncated("OPEN parameter", needed: len, available: end - offset - 2, at: offset + 2)
            }
            if type == 2 {
                var c = offset + 2
                while c < offset + 2 + len {
                    guard offset + 2 + len - c >= 2 else {
                        throw .truncated("capability", needed: 2, available: 1, at: c)
                    }
                    let code = b[c]
                    let cLen = Int(b[c + 1])
                    guard offset + 2 + len - c - 2 >= cLen else {
                        throw .truncated("capability \(code)", needed: cLen, available: offset + len - c, at: c + 2)
                    }
                    capabilities.append((code, Array(b[(c + 2)..<(c + 2 + cLen)])))
                    c += 2 + cLen
                }
            } else {
                otherParameters.append((type, Array(b[(offset + 2)..<(offset + 2 + len)])))
            }
            offset += 2 + len
        }
    }

    public static func == (lhs: BGPOpen, rhs: BGPOpen) -> Bool {
        lhs.version == rhs.version && lhs.myAS == rhs.myAS && lhs.holdTime == rhs.holdTime
            && lhs.identifier == rhs.identifier
            && lhs.capabilities.map(\.code) == rhs.capabilities.map(\.code)
            && lhs.capabilities.map(\.value) == rhs.capabilities.map(\.value)
            && lhs.otherParameters.map(\.type) == rhs.otherParameters.map(\.type)
            && lhs.otherParameters.map(\.value) == rhs.otherParameters.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(version)
        hasher.combine(myAS)
        hasher.combine(identifier)
    }
}

/// A NOTIFICATION message (RFC 4271 4.5).
public struct BGPNotification: Hashable, Sendable {
    /// The error code.
    public var code: UInt8
    /// The error subcode.
    public var subcode: UInt8
    /// Diagnostic data.
    public var data: [UInt8]

    /// Decodes a NOTIFICATION body.
    public init(parsing b: UnsafeRawBufferPointer) throws(BGPDecodingError) {
        guard b.count >= 2 else { throw .truncated("NOTIFICATION", needed: 2, available: b.count, at: 0) }
        code = b[0]
        subcode = b[1]
        data = Array(b[2...])
    }
}
