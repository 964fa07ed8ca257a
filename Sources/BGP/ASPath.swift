/// One segment of an AS path (RFC 4271 section 4.3, RFC 5065 for confederations).
public struct ASPathSegment: Hashable, Sendable {
    /// The segment type code.
    public enum Kind: UInt8, Hashable, Sendable {
        case set = 1
        case sequence = 2
        case confedSequence = 3
        case confedSet = 4
    }

    /// The segment type.
    public var kind: Kind
    /// The AS numbers in wire order.
    public var asns: [UInt32]

    /// Creates a segment.
    public init(kind: Kind, asns: [UInt32]) {
        self.kind = kind
        self.asns = asns
    }

    /// Path length contribution per RFC 4271 9.1.2.2: a sequence counts each AS, a set counts one,
    /// confederation segments count nothing (RFC 5065 5.3).
    public var pathLength: Int {
        switch kind {
        case .sequence: return asns.count
        case .set: return asns.isEmpty ? 0 : 1
        case .confedSequence, .confedSet: return 0
        }
    }
}

/// An AS path as a list of segments.
///
/// `init(parsing:)` reads the wire form with 2- or 4-byte AS numbers; `merged(withAS4Path:)`
/// reconstructs the true path of a 2-byte session from AS_PATH and AS4_PATH per RFC 6793.
public struct ASPath: Hashable, Sendable {
    /// The segments in wire order.
    public var segments: [ASPathSegment]

    /// Creates a path from segments.
    public init(segments: [ASPathSegment]) { self.segments = segments }

    /// A path of one AS_SEQUENCE.
    public init(sequence: [UInt32]) {
        self.segments = sequence.isEmpty ? [] : [ASPathSegment(kind: .sequence, asns: sequence)]
    }

    /// Decodes the wire form of an AS_PATH or AS4_PATH attribute value.
    public init(parsing bytes: UnsafeRawBufferPointer, asnSize: Int) throws(BGPDecodingError) {
        var segments: [ASPathSegment] = []
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= 2 else {
                throw .truncated("AS path segment header", needed: 2, available: bytes.count - offset, at: offset)
            }
            guard let kind = ASPathSegment.Kind(rawValue: bytes[offset]) else {
                throw .invalid("AS path segment type \(bytes[offset])", at: offset)
            }
            let count = Int(bytes[offset + 1])
            let needed = count * asnSize
            guard bytes.count - offset - 2 >= needed else {
                throw .truncated("AS path segment", needed: needed, available: bytes.count - offset - 2, at: offset + 2)
            }
            var asns: [UInt32] = []
            asns.reserveCapacity(count)
            for i in 0..<count {
                let at = offset + 2 + i * asnSize
                asns.append(asnSize == 4 ? bytes.u32(at) : UInt32(bytes.u16(at)))
            }
            segments.append(ASPathSegment(kind: kind, asns: asns))
            offset += 2 + needed
        }
        self.segments = segments
    }

    /// Path length for route selection (sets count one, confederation segments zero).
    public var pathLength: Int { segments.reduce(0) { $0 + $1.pathLength } }

    /// The origin AS: the last AS of a final AS_SEQUENCE; nil when the path ends in a set or is empty.
    public var origin: UInt32? {
        guard let last = segments.last(where: { $0.kind == .sequence || $0.kind == .set }) else { return nil }
        return last.kind == .sequence ? last.asns.last : nil
    }

    /// The origin AS candidates: the last sequence AS, or every member of a final AS_SET.
    public var originCandidates: [UInt32] {
        guard let last = segments.last(where: { $0.kind == .sequence || $0.kind == .set }) else { return [] }
        if last.kind == .set { return last.asns }
        return last.asns.last.map { [$0] } ?? []
    }

    /// The AS numbers of all sequence segments, in order (sets and confederations left out).
    public var sequenceASNs: [UInt32] { segments.filter { $0.kind == .sequence }.flatMap(\.asns) }

    /// RFC 6793 section 4.2.3: keep the leading ASes of AS_PATH so that the result has the
    /// length of AS_PATH, taking the trailing part from AS4_PATH. When AS4_PATH is longer than
    /// AS_PATH it is ignored.
    public func merged(withAS4Path as4: ASPath) -> ASPath {
        let total = pathLength
        let as4Length = as4.pathLength
        guard as4Length <= total else { return self }
        var keep = total - as4Length
        var result: [ASPathSegment] = []
        for segment in segments where keep > 0 {
            switch segment.kind {
            case .sequence:
                let take = Swift.min(keep, segment.asns.count)
                result.append(ASPathSegment(kind: .sequence, asns: Array(segment.asns.prefix(take))))
                keep -= take
            case .set:
                result.append(segment)
                keep -= segment.pathLength
            case .confedSequence, .confedSet:
                result.append(segment)
            }
        }
        result.append(contentsOf: as4.segments)
        return ASPath(segments: result)
    }
}

extension ASPath: CustomStringConvertible {
    /// The conventional text form: sequences space-separated, `{a,b}` for sets, `(a b)` and `[a,b]`
    /// for confederation sequences and sets.
    public var description: String {
        var parts: [String] = []
        for segment in segments {
            let list = segment.asns.map(String.init)
            switch segment.kind {
            case .sequence: parts.append(list.joined(separator: " "))
            case .set: parts.append("{" + list.joined(separator: ",") + "}")
            case .confedSequence: parts.append("(" + list.joined(separator: " ") + ")")
            case .confedSet: parts.append("[" + list.joined(separator: ",") + "]")
            }
        }
        return parts.joined(separator: " ")
    }
}

extension ASPath {
    /// The path as one list of ASes from the neighbour to the origin with prepends collapsed
    /// (`3356 3356 174 13335` reads `3356 174 13335`); confederation segments are left out (they are
    /// inside one AS). Nil when the path holds an AS_SET: the order of its ASes is unknown, so no
    /// neighbour relation can be read from it.
    public var collapsedSequence: [UInt32]? {
        var out: [UInt32] = []
        for segment in segments {
            switch segment.kind {
            case .set: return nil
            case .confedSequence, .confedSet: continue
            case .sequence:
                for asn in segment.asns where asn != out.last { out.append(asn) }
            }
        }
        return out
    }
}
