import BGP

/// The origins each prefix of the watched space was announced with before: the baseline a hijack is
/// judged against. It is learned from the routes the peers carried (a RIB snapshot, or, for targets whose
/// origins come from a registry, the first minutes of updates), so that multi-origin prefixes, providers
/// announcing their customers' blocks and multinationals are normal; a targets file's origins are the
/// operator's word and stay allowed everywhere in the target's space.
public struct OriginBaseline: Sendable {
    /// Origins per prefix as announced.
    private var byPrefix: [IPPrefix: [UInt32]] = [:]
    /// Every origin learned anywhere: most origins are told apart without walking a prefix's covering ones.
    private var anywhere: Set<UInt32> = []
    /// Prefixes with at least one learned origin.
    public var count: Int { byPrefix.count }

    /// An empty baseline.
    public init() {}

    /// Records that `origin` announced `prefix`. Returns true when that was not known yet.
    @discardableResult
    public mutating func learn(_ origin: UInt32, for prefix: IPPrefix) -> Bool {
        if byPrefix[prefix]?.contains(origin) == true { return false }
        byPrefix[prefix, default: []].append(origin)
        anywhere.insert(origin)
        return true
    }

    /// True when `origin` announced `prefix` or a prefix covering it: its more-specifics are its own too.
    public func allows(_ origin: UInt32, for prefix: IPPrefix) -> Bool {
        guard anywhere.contains(origin) else { return false }
        return covering(prefix) { $0.contains(origin) }
    }

    /// True when anyone announced `prefix` or a prefix covering it: space someone holds.
    public func isAnnounced(_ prefix: IPPrefix) -> Bool {
        !byPrefix.isEmpty && covering(prefix) { !$0.isEmpty }
    }

    /// The origins learned for `prefix` or the nearest prefix covering it (the space's holders).
    public func holders(of prefix: IPPrefix) -> [UInt32] {
        var found: [UInt32] = []
        _ = covering(prefix) { origins in
            found = origins
            return true
        }
        return found
    }

    /// Calls `body` with the origins of `prefix` and of each prefix covering it, most specific first,
    /// until it returns true.
    private func covering(_ prefix: IPPrefix, _ body: ([UInt32]) -> Bool) -> Bool {
        var length = Int(prefix.length)
        while length >= 0 {
            if let origins = byPrefix[IPPrefix(address: prefix.address, length: length)], body(origins) { return true }
            length -= 1
        }
        return false
    }
}
