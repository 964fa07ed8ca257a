/// Which route elements to keep. Decoders check it before path attributes are decoded, so a filtered
/// pass skips most of the work on the records and messages it rejects.
public struct RouteFilter: Sendable {
    /// How a prefix filter matches.
    public enum PrefixMatch: String, Sendable, CaseIterable {
        /// Only the prefix itself.
        case exact
        /// The prefix and everything inside it.
        case moreSpecific = "more-specific"
        /// The prefix and everything that covers it.
        case lessSpecific = "less-specific"
    }

    /// Prefixes to keep (any of them); empty keeps all.
    public var prefixes: [IPPrefix] = []
    /// How `prefixes` match.
    public var prefixMatch: PrefixMatch = .exact
    /// Origin ASes to keep (announcements and RIB entries only); empty keeps all.
    public var originASNs: Set<UInt32> = []
    /// Peer addresses to keep; empty keeps all.
    public var peerAddresses: Set<IPAddress> = []
    /// Peer ASes to keep; empty keeps all.
    public var peerASNs: Set<UInt32> = []
    /// Element kinds to keep; empty keeps all.
    public var kinds: Set<RouteElement.Kind> = []

    /// A filter that keeps everything.
    public init() {}

    /// True when no condition is set.
    public var isEmpty: Bool {
        prefixes.isEmpty && originASNs.isEmpty && peerAddresses.isEmpty && peerASNs.isEmpty && kinds.isEmpty
    }

    /// Whether `prefix` passes the prefix condition.
    @inlinable
    public func accepts(prefix: IPPrefix) -> Bool {
        if prefixes.isEmpty { return true }
        for p in prefixes {
            switch prefixMatch {
            case .exact: if p == prefix { return true }
            case .moreSpecific: if p.contains(prefix) { return true }
            case .lessSpecific: if prefix.contains(p) { return true }
            }
        }
        return false
    }

    /// Whether a peer passes the peer conditions.
    @inlinable
    public func accepts(peer address: IPAddress, asn: UInt32) -> Bool {
        (peerAddresses.isEmpty || peerAddresses.contains(address)) && (peerASNs.isEmpty || peerASNs.contains(asn))
    }

    /// Whether an element kind passes.
    @inlinable
    public func accepts(kind: RouteElement.Kind) -> Bool { kinds.isEmpty || kinds.contains(kind) }

    /// Whether an origin AS passes (nil, an empty or set-ending path, never matches a non-empty set).
    @inlinable
    public func accepts(origin: UInt32?) -> Bool {
        if originASNs.isEmpty { return true }
        guard let origin else { return false }
        return originASNs.contains(origin)
    }
}
