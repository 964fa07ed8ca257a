import BGP

/// Route files in RIPE's JSON forms, told by their content: a RIPEstat `bgp-state` or `bgp-updates`
/// answer (one JSON document, as `https://stat.ripe.net/data/.../data.json` sends it) or a RIS Live
/// recording (one JSON message per line, as RIS Live sends them). Everything in them is checked: times go
/// through `UTCTime` (1970 to 9999), prefixes and addresses through their parsers, AS numbers must fit 32
/// bits; an entry or line that does not read is skipped and reported with its line or byte offset.
public enum JSONRouteFile {
    /// Which form a file has.
    public enum Kind: String, Sendable, Equatable {
        /// RIS Live messages, one per line.
        case risLive = "RIS Live recording"
        /// RIPEstat's `bgp-updates` answer.
        case ripestatUpdates = "RIPEstat bgp-updates answer"
        /// RIPEstat's `bgp-state` answer: the table at one time.
        case ripestatState = "RIPEstat bgp-state answer"
    }

    /// What a file held.
    public struct Contents: Sendable {
        public var kind: Kind
        /// The route changes in file order, or the table's entries (all `.announce`, at `stateTime`).
        public var routes: [JSONRoute] = []
        /// The time of a `bgp-state` table.
        public var stateTime: Double?
        /// Entries or lines skipped, each with its place and why (at most `maximumProblems` kept).
        public var problems: [String] = []
        public var skipped = 0
        /// Lines or entries that were not route messages (RIS Live's pings, KEEPALIVEs, OPENs...).
        public var ignored = 0

        /// Problems kept in full; the rest are counted.
        public static let maximumProblems = 20

        mutating func problem(_ text: String) {
            skipped += 1
            if problems.count < Self.maximumProblems { problems.append(text) }
        }
    }

    /// The longest AS path and the most communities a route may have (real paths are tens of ASes): so a
    /// route always fits one BGP message of 4,096 bytes when written as MRT.
    public static let maximumPathLength = 500
    public static let maximumCommunities = 400

    /// True when the bytes start (after white space) with `{`: a JSON file, not MRT.
    public static func isJSON(_ bytes: some Collection<UInt8>) -> Bool {
        for b in bytes.prefix(4096) {
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { continue }
            return b == UInt8(ascii: "{")
        }
        return false
    }

    /// Reads a file's bytes. A RIS Live recording is told by one of its first lines being a whole RIS Live
    /// frame (`isRecording`); anything else must be a RIPEstat answer (`data.bgp_state` or `data.updates`). Throws only
    /// when the bytes are neither (with the offset of what did not read); damage inside a file is
    /// skipped and reported in `problems`.
    public static func read(_ bytes: [UInt8]) throws(RISParseError) -> Contents {
        if isRecording(bytes) { return recording(bytes) }
        let result: Result<Contents, RISParseError> = bytes.withUnsafeBytes { raw in
            do throws(RISParseError) { return .success(try answer(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    // MARK: RIS Live recordings

    /// Calls `body` with each line of `raw` that is not blank and its number (from 1), until `body` says
    /// to stop (returns false).
    static func eachLine(_ raw: UnsafeRawBufferPointer, _ body: (Int, UnsafeRawBufferPointer) -> Bool) {
        var start = 0
        var number = 0
        while start < raw.count {
            number += 1
            let end = raw[start...].firstIndex(of: 0x0A) ?? raw.count
            let line = UnsafeRawBufferPointer(rebasing: raw[start..<end])
            start = end + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            if !body(number, line) { return }
        }
    }

    /// True when one of the first five lines that are not blank is a whole RIS Live frame (a damaged first
    /// line does not make a recording a RIPEstat answer).
    static func isRecording(_ bytes: [UInt8]) -> Bool {
        var found = false
        var looked = 0
        bytes.withUnsafeBytes { raw in
            eachLine(raw) { _, line in
                looked += 1
                // RIS Live's own frame types only: a pretty-printed RIPEstat answer has lines that are whole
                // objects with a `type` too ("A", "W").
                switch try? RISFrame(parsing: line) {
                case nil: break
                case .other(let type)? where !type.hasPrefix("ris_"): break
                default: found = true
                }
                return !found && looked < 5
            }
        }
        return found
    }

    /// Every line a RIS Live message; UPDATEs and peer state changes become routes.
    static func recording(_ bytes: [UInt8]) -> Contents {
        var out = Contents(kind: .risLive)
        bytes.withUnsafeBytes { raw in
            eachLine(raw) { number, line in
                do throws(RISParseError) {
                    switch try RISFrame(parsing: line, keepingPath: true) {
                    case .message(let m): add(m, to: &out)
                    default: out.ignored += 1
                    }
                } catch {
                    out.problem("line \(number), byte \(error.offset): \(error.reason)")
                }
                return true
            }
        }
        return out
    }

    static func add(_ m: RISMessage, to out: inout Contents) {
        let base = JSONRoute(time: m.timestamp, collector: m.host, peer: m.peer, peerASN: m.peerASN, kind: .announce)
        switch m.kind {
        case .update:
            for p in m.withdrawn {
                var r = base
                r.kind = .withdraw
                r.prefix = p
                out.routes.append(r)
            }
            if m.path.count + m.originSet.count > maximumPathLength, !m.announced.isEmpty {
                out.problem(
                    "an UPDATE of \(m.host) peer \(m.peer) with a path of \(m.path.count + m.originSet.count) ASes (at most \(maximumPathLength))"
                )
                return
            }
            for p in m.announced {
                var r = base
                r.prefix = p
                r.path = m.path
                r.originSet = m.originSet
                out.routes.append(r)
            }
        case .peerState:
            if let up = m.kind.sessionUp {
                var r = base
                r.kind = up ? .peerUp : .peerDown
                out.routes.append(r)
            } else {
                out.ignored += 1
            }
        case .other:
            out.ignored += 1
        }
    }

    // MARK: RIPEstat answers

    /// A RIPEstat answer: `{"status": ..., "data": {"bgp_state": [...]} | {"updates": [...]}, ...}`.
    static func answer(_ bytes: UnsafeRawBufferPointer) throws(RISParseError) -> Contents {
        var c = JSONCursor(bytes)
        var out: Contents?
        var status = ""
        var messages: [String] = []
        var callName = ""
        try c.object { c, key throws(RISParseError) in
            if key == "data" {
                out = try data(&c)
            } else if key == "status" {
                status = try c.string()
            } else if key == "data_call_name" {
                callName = try c.string()
            } else if key == "messages" {
                // [["error", "text"], ...]
                try c.array { c throws(RISParseError) in
                    var parts: [String] = []
                    try c.array { c throws(RISParseError) in
                        if c.peek() == UInt8(ascii: "\"") { parts.append(try c.string()) } else { try c.skipValue() }
                    }
                    messages.append(parts.joined(separator: ": "))
                }
            } else {
                try c.skipValue()
            }
        }
        if c.peek() != nil { throw c.fail("text goes on after the answer") }
        if status == "error" {
            throw RISParseError(
                offset: 0,
                reason: "RIPEstat answered with an error: "
                    + (messages.isEmpty ? "no message" : messages.joined(separator: "; ")))
        }
        guard let out else {
            throw RISParseError(
                offset: 0,
                reason: "neither a RIS Live recording nor a RIPEstat answer with data"
                    + (callName.isEmpty ? "" : " (data call \(callName))"))
        }
        return out
    }

    /// The answer's `data`: a `bgp_state` table or `updates`, with their time fields.
    static func data(_ c: inout JSONCursor) throws(RISParseError) -> Contents? {
        var state: Contents?
        var updates: Contents?
        var timestamp: Double?
        var stateEntries: [(Int, Entry)] = []
        try c.object { c, key throws(RISParseError) in
            if key == "bgp_state" {
                // The entries wait for the table's time, which may come after them.
                try c.array { c throws(RISParseError) in
                    let at = c.at
                    stateEntries.append((at, try Entry.read(&c)))
                }
                state = Contents(kind: .ripestatState)
            } else if key == "updates" {
                var out = Contents(kind: .ripestatUpdates)
                try c.array { c throws(RISParseError) in
                    let at = c.at
                    var time: Result<Double, UTCTime.InputError>?
                    var type = ""
                    var entry = Entry()
                    try c.object { c, key throws(RISParseError) in
                        if key == "timestamp" {
                            time = try Self.time(&c)
                        } else if key == "type" {
                            type = try c.string()
                        } else if key == "attrs" {
                            entry = try Entry.read(&c)
                        } else {
                            try c.skipValue()
                        }
                    }
                    let kind: JSONRoute.Kind? = type == "A" ? .announce : (type == "W" ? .withdraw : nil)
                    guard let kind else {
                        out.problem("byte \(at): update of type \"\(type)\" (A or W expected)")
                        return
                    }
                    switch time {
                    case .success(let t)?:
                        switch entry.route(time: t, kind: kind) {
                        case .success(let r): out.routes.append(r)
                        case .failure(let why): out.problem("byte \(at): \(why)")
                        }
                    case .failure(let e)?: out.problem("byte \(at): timestamp \(e.reason)")
                    case nil: out.problem("byte \(at): update without a timestamp")
                    }
                }
                updates = out
            } else if key == "timestamp" || key == "query_time" {
                if case .success(let t) = try Self.time(&c) { timestamp = t }
            } else {
                try c.skipValue()
            }
        }
        if var state {
            guard let timestamp else { throw RISParseError(offset: 0, reason: "bgp-state answer without a timestamp") }
            state.stateTime = timestamp
            for (at, entry) in stateEntries {
                switch entry.route(time: timestamp, kind: .announce) {
                case .success(let r): state.routes.append(r)
                case .failure(let why): state.problem("byte \(at): \(why)")
                }
            }
            return state
        }
        return updates
    }

    /// A time as RIPEstat writes it: `2024-01-01T00:00:05` (UTC, with or without `Z`) or, with
    /// `unix_timestamps=TRUE`, seconds.
    static func time(_ c: inout JSONCursor) throws(RISParseError) -> Result<Double, UTCTime.InputError> {
        if c.peek() == UInt8(ascii: "\"") {
            var text = try c.string()
            // RIPEstat writes UTC without the zone letter.
            if text.contains("T") && !text.hasSuffix("Z") { text += "Z" }
            return UTCTime.read(text)
        }
        return UTCTime.checked(try c.number())
    }

    /// A route's attributes as RIPEstat writes them (`bgp_state[]` and `updates[].attrs`).
    struct Entry {
        var prefix = ""
        var source = ""
        var path: [UInt32] = []
        var originSet: [UInt32] = []
        var communities: [UInt32] = []
        var badCommunities = 0

        static func read(_ c: inout JSONCursor) throws(RISParseError) -> Entry {
            var e = Entry()
            try c.object { c, key throws(RISParseError) in
                if key == "target_prefix" {
                    e.prefix = try c.string()
                } else if key == "source_id" {
                    e.source = try c.string()
                } else if key == "path" {
                    try c.array { c throws(RISParseError) in
                        if c.peek() == UInt8(ascii: "[") || c.peek() == UInt8(ascii: "{") {
                            // An AS_SET ([1, 2] or {1, 2} as some writers put it): kept after the sequence.
                            if c.peek() == UInt8(ascii: "{") { throw c.fail("an AS_SET must be a list") }
                            try c.array { c throws(RISParseError) in e.originSet.append(try c.asn()) }
                        } else {
                            e.path += e.originSet
                            e.originSet.removeAll()
                            e.path.append(try c.asn())
                        }
                    }
                } else if key == "community" {
                    try c.array { c throws(RISParseError) in
                        let text = try c.string()
                        let parts = text.split(separator: ":")
                        if parts.count == 2, let a = UInt16(parts[0]), let v = UInt16(parts[1]) {
                            e.communities.append(UInt32(a) << 16 | UInt32(v))
                        } else {
                            e.badCommunities += 1
                        }
                    }
                } else {
                    try c.skipValue()
                }
            }
            return e
        }

        /// The route this entry says, or why it cannot be one. The peer's AS is the path's first (RIS
        /// peers put their own AS first); a withdrawal has none (0: `JSONRouteFile.fillPeerASNs` finds it).
        func route(time: Double, kind: JSONRoute.Kind) -> Result<JSONRoute, ParseProblem> {
            guard let p = IPPrefix(prefix) else { return .failure(ParseProblem("\"\(prefix)\" is not a prefix")) }
            guard let (collector, peer) = Self.source(source) else {
                return .failure(ParseProblem("source_id \"\(source)\" is not COLLECTOR-PEER_ADDRESS"))
            }
            if kind == .announce && path.isEmpty && originSet.isEmpty {
                return .failure(ParseProblem("announcement of \(prefix) without a path"))
            }
            if path.count + originSet.count > JSONRouteFile.maximumPathLength {
                return .failure(
                    ParseProblem(
                        "a path of \(path.count + originSet.count) ASes (at most \(JSONRouteFile.maximumPathLength))"))
            }
            if communities.count > JSONRouteFile.maximumCommunities {
                return .failure(
                    ParseProblem("\(communities.count) communities (at most \(JSONRouteFile.maximumCommunities))"))
            }
            return .success(
                JSONRoute(
                    time: time, collector: collector, peer: peer, peerASN: path.first ?? 0, kind: kind, prefix: p,
                    path: path, originSet: originSet, communities: communities))
        }

        /// `00-195.66.224.175` or `rrc00-195.66.224.175` → ("rrc00", the address).
        static func source(_ text: String) -> (String, IPAddress)? {
            guard let dash = text.firstIndex(of: "-") else { return nil }
            var rrc = String(text[..<dash])
            if rrc.hasPrefix("rrc") { rrc.removeFirst(3) }
            guard !rrc.isEmpty, rrc.count <= 3, rrc.allSatisfy(\.isASCII), UInt8(rrc) != nil,
                let address = IPAddress(text[text.index(after: dash)...])
            else { return nil }
            return ("rrc" + (rrc.count == 1 ? "0" + rrc : rrc), address)
        }
    }

    /// Why an entry was skipped.
    struct ParseProblem: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Gives withdrawals (which carry no path, so no peer AS) the AS their peer showed in any route of
    /// `files`: a RIPEstat peer is known by collector and address.
    public static func fillPeerASNs(_ files: inout [Contents]) {
        struct Source: Hashable {
            var collector: String
            var peer: IPAddress
        }
        var asns: [Source: UInt32] = [:]
        for f in files {
            for r in f.routes where r.peerASN != 0 { asns[Source(collector: r.collector, peer: r.peer)] = r.peerASN }
        }
        for i in files.indices {
            for j in files[i].routes.indices where files[i].routes[j].peerASN == 0 {
                let key = Source(collector: files[i].routes[j].collector, peer: files[i].routes[j].peer)
                if let asn = asns[key] { files[i].routes[j].peerASN = asn }
            }
        }
    }
}
