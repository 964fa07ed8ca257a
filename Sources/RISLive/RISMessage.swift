import BGP

/// One frame from RIS Live (`https://ris-live.ripe.net/manual/`), reduced to what monitoring needs.
public enum RISFrame: Sendable {
    /// A `ris_message`: an UPDATE, a peer state change, or another BGP message (OPEN, KEEPALIVE...).
    case message(RISMessage)
    /// A `ris_error` with the server's text.
    case error(String)
    /// The answer to our `ping`.
    case pong
    /// The server accepted a subscription.
    case subscribed
    /// Any other frame type, kept by name so that it can be counted.
    case other(String)
}

/// A `ris_message` frame's data.
public struct RISMessage: Sendable, Equatable {
    /// What the message is.
    public enum Kind: Sendable, Equatable {
        /// A BGP UPDATE.
        case update
        /// `RIS_PEER_STATE`: the collector's session with the peer changed ("connected", "down"...).
        case peerState(String)
        /// Another BGP message type (OPEN, NOTIFICATION, KEEPALIVE), by its RIS name.
        case other(String)

        /// For a peer state change, whether the session came up ("connected", "up": true) or went down
        /// ("down": false); nil for any other state and any other message. The one reading of RIS's states,
        /// for live monitoring and for recordings replayed.
        public var sessionUp: Bool? {
            guard case .peerState(let state) = self else { return nil }
            if state == "connected" || state == "up" { return true }
            return state == "down" ? false : nil
        }
    }

    /// When the collector received it, seconds since the epoch.
    public var timestamp: Double
    /// The collector's peer.
    public var peer: IPAddress
    /// The peer's AS (RIS sends it as a string).
    public var peerASN: UInt32
    /// The collector, without the `.ripe.net` suffix some frames carry ("rrc00").
    public var host: String
    /// What the message is.
    public var kind: Kind
    /// The origin AS of the announced path (nil when it ends in an AS_SET or is empty).
    public var origin: UInt32?
    /// The AS before the origin once prepends are collapsed (nil when there is none).
    public var upstream: UInt32?
    /// The announced prefixes (all announcement groups, whatever their next hop).
    public var announced: [IPPrefix]
    /// The withdrawn prefixes.
    public var withdrawn: [IPPrefix]
    /// The whole AS path and an AS_SET at its end, read only when asked (`RISFrame(parsing:keepingPath:)`,
    /// for recordings replayed): live monitoring needs the origin and upstream alone.
    public var path: [UInt32] = []
    public var originSet: [UInt32] = []

    /// Creates a message.
    public init(
        timestamp: Double, peer: IPAddress, peerASN: UInt32, host: String, kind: Kind, origin: UInt32? = nil,
        upstream: UInt32? = nil, announced: [IPPrefix] = [], withdrawn: [IPPrefix] = []
    ) {
        self.timestamp = timestamp
        self.peer = peer
        self.peerASN = peerASN
        self.host = host
        self.kind = kind
        self.origin = origin
        self.upstream = upstream
        self.announced = announced
        self.withdrawn = withdrawn
    }
}

/// Why a frame could not be read: the byte offset in the frame and what was wrong.
public struct RISParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Offset in the frame's text.
    public var offset: Int
    /// What was wrong.
    public var reason: String

    public var description: String { "RIS Live frame, byte \(offset): \(reason)" }
}

extension RISFrame {
    /// Parses one frame's JSON text (the whole AS path kept when `keepingPath`).
    public init(parsing text: String, keepingPath: Bool = false) throws(RISParseError) {
        var text = text
        let result: Result<RISFrame, RISParseError> = text.withUTF8 { bytes in
            do throws(RISParseError) {
                return .success(try RISFrame(parsing: UnsafeRawBufferPointer(bytes), keepingPath: keepingPath))
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    /// Parses one frame from its UTF-8 bytes (the whole AS path kept when `keepingPath`).
    public init(parsing bytes: UnsafeRawBufferPointer, keepingPath: Bool = false) throws(RISParseError) {
        var c = JSONCursor(bytes)
        var type: UnsafeRawBufferPointer?
        var message: RISMessage?
        var errorText: String?
        var dataStart: Int?
        try c.object { c, key throws(RISParseError) in
            if key == "type" {
                type = try c.rawString()
            } else if key == "data" {
                if type == nil { dataStart = c.at }
                if let type, type == "ris_message" {
                    message = try RISFrame.message(&c, keepingPath: keepingPath)
                } else if let type, type == "ris_error" {
                    errorText = try RISFrame.errorMessage(&c)
                } else {
                    try c.skipValue()
                }
            } else {
                try c.skipValue()
            }
        }
        if c.peek() != nil { throw c.fail("text goes on after the frame") }
        guard let type else { throw RISParseError(offset: 0, reason: "frame has no \"type\"") }
        // "data" before "type": read it again now that the type is known.
        if let dataStart, message == nil, errorText == nil, type == "ris_message" || type == "ris_error" {
            var again = JSONCursor(bytes)
            again.at = dataStart
            if type == "ris_message" {
                message = try RISFrame.message(&again, keepingPath: keepingPath)
            } else {
                errorText = try RISFrame.errorMessage(&again)
            }
        }
        if type == "ris_message" {
            guard let message else { throw RISParseError(offset: 0, reason: "ris_message without data") }
            self = .message(message)
        } else if type == "ris_error" {
            self = .error(errorText ?? "")
        } else if type == "pong" {
            self = .pong
        } else if type == "ris_subscribe_ok" {
            self = .subscribed
        } else {
            self = .other(String(decoding: type, as: UTF8.self))
        }
    }

    static func errorMessage(_ c: inout JSONCursor) throws(RISParseError) -> String {
        var text = ""
        if c.takeNull() { return text }
        try c.object { c, key throws(RISParseError) in
            if key == "message" { text = try c.string() } else { try c.skipValue() }
        }
        return text
    }

    static func message(_ c: inout JSONCursor, keepingPath: Bool) throws(RISParseError) -> RISMessage {
        let start = c.at
        var m = RISMessage(timestamp: 0, peer: .zero(.v4), peerASN: 0, host: "", kind: .other(""))
        var sawPeer = false
        var sawTime = false
        var kind: UnsafeRawBufferPointer?
        var state = ""
        var path = PathEnds()
        try c.object { c, key throws(RISParseError) in
            if key == "timestamp" {
                let at = c.at
                // Years 1970 to 9999 only: a timestamp such as 1e19 or 1e999 would make bin closing loop.
                switch UTCTime.checked(try c.number()) {
                case .success(let t): m.timestamp = t
                case .failure(let e): throw RISParseError(offset: at, reason: "timestamp \(e.reason)")
                }
                sawTime = true
            } else if key == "peer" {
                let at = c.at
                let raw = try c.rawString()
                guard let address = IPAddress(Substring(String(decoding: raw, as: UTF8.self))) else {
                    throw RISParseError(offset: at, reason: "peer is not an IP address")
                }
                m.peer = address
                sawPeer = true
            } else if key == "peer_asn" {
                m.peerASN = try c.asn()
            } else if key == "host" {
                var host = try c.string()
                if host.hasSuffix(".ripe.net") { host.removeLast(9) }
                m.host = host
            } else if key == "type" {
                kind = try c.rawString()
            } else if key == "state" {
                state = try c.string()
            } else if key == "path" {
                try c.array { c throws(RISParseError) in
                    if c.peek() == UInt8(ascii: "[") {
                        // An AS_SET: its members are not one origin.
                        try c.array { c throws(RISParseError) in
                            let asn = try c.asn()
                            if keepingPath { m.originSet.append(asn) }
                        }
                        path.appendSet()
                    } else {
                        let asn = try c.asn()
                        if keepingPath {
                            // A sequence after a set: the set was not at the end (kept in order, as a sequence).
                            m.path += m.originSet
                            m.originSet.removeAll()
                            m.path.append(asn)
                        }
                        path.append(asn)
                    }
                }
            } else if key == "announcements" {
                try c.array { c throws(RISParseError) in
                    try c.object { c, key throws(RISParseError) in
                        if key == "prefixes" {
                            try c.array { c throws(RISParseError) in m.announced.append(try prefix(&c)) }
                        } else {
                            try c.skipValue()
                        }
                    }
                }
            } else if key == "withdrawals" {
                try c.array { c throws(RISParseError) in m.withdrawn.append(try prefix(&c)) }
            } else {
                try c.skipValue()
            }
        }
        guard sawPeer, sawTime else {
            throw RISParseError(offset: start, reason: "ris_message lacks \(sawPeer ? "timestamp" : "peer")")
        }
        if let kind, kind == "UPDATE" {
            m.kind = .update
        } else if let kind, kind == "RIS_PEER_STATE" {
            m.kind = .peerState(state)
        } else {
            m.kind = .other(kind.map { String(decoding: $0, as: UTF8.self) } ?? "")
        }
        m.origin = path.origin
        m.upstream = path.upstream
        return m
    }

    static func prefix(_ c: inout JSONCursor) throws(RISParseError) -> IPPrefix {
        let at = c.at
        let raw = try c.rawString()
        guard let p = IPPrefix(String(decoding: raw, as: UTF8.self)) else {
            throw RISParseError(offset: at, reason: "\"\(String(decoding: raw, as: UTF8.self))\" is not a prefix")
        }
        return p
    }
}
