import BGP

/// What one AS is to a neighbour, as RFC 7908 judges route leaks: a route learned from a provider or a
/// peer may only be passed on to customers.
public enum ASRelation: Sendable, Equatable {
    /// The first AS sells transit to the second.
    case provider
    /// The first AS buys transit from the second.
    case customer
    /// Settlement-free peers (or siblings).
    case peer

    var reversed: ASRelation {
        switch self {
        case .provider: .customer
        case .customer: .provider
        case .peer: .peer
        }
    }
}

/// AS relationships from a CAIDA as-rel file (`a|b|-1`: a is b's provider; `a|b|0`: peers; `#` comments).
public struct ASRelationships: Sendable {
    /// Per pair (lower AS in the high half): the lower AS's relation to the higher.
    private var table: [UInt64: ASRelation] = [:]
    /// Links held.
    public var count: Int { table.count }

    /// No links.
    public init() {}

    /// A problem with one line of an as-rel file.
    public struct Problem: Sendable, CustomStringConvertible {
        /// 1-based line number.
        public var line: Int
        /// What is wrong.
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// Reads a CAIDA as-rel file (serial-1 or serial-2: a fourth field, the source, is ignored). Lines that
    /// cannot be read are skipped and reported; AS numbers are checked to fit 32 bits.
    public static func parse(caida text: some StringProtocol) -> (ASRelationships, [Problem]) {
        var rels = ASRelationships()
        var problems: [Problem] = []
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line[...]
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(separator: "|", omittingEmptySubsequences: false)
            guard fields.count >= 3 else {
                problems.append(Problem(line: number, reason: "expected a|b|relation, got \(fields.count) fields"))
                continue
            }
            guard let a = UInt32(fields[0]), let b = UInt32(fields[1]), a != b else {
                problems.append(Problem(line: number, reason: "AS numbers must be two different 32-bit numbers"))
                continue
            }
            switch fields[2] {
            case "-1": rels.set(a, b, .provider)
            case "0": rels.set(a, b, .peer)
            case "1": rels.set(a, b, .customer)
            default: problems.append(Problem(line: number, reason: "relation must be -1, 0 or 1, not \(fields[2])"))
            }
        }
        return (rels, problems)
    }

    /// Records that `a` is `relation` to `b`.
    public mutating func set(_ a: UInt32, _ b: UInt32, _ relation: ASRelation) {
        if a < b {
            table[UInt64(a) << 32 | UInt64(b)] = relation
        } else {
            table[UInt64(b) << 32 | UInt64(a)] = relation.reversed
        }
    }

    /// What `a` is to `b`; nil when the file says nothing of the pair.
    public func relation(_ a: UInt32, _ b: UInt32) -> ASRelation? {
        a < b ? table[UInt64(a) << 32 | UInt64(b)] : table[UInt64(b) << 32 | UInt64(a)]?.reversed
    }
}

/// AS degrees (distinct neighbours) learned from the paths in the data, for the classic degree-based
/// inference of relationships (Gao, 2001): of two neighbours, the one with many more neighbours is the
/// provider. It is coarse, so it is used only where it is clear: an AS counts as the customer of a
/// neighbour with at least twice its degree.
public struct ASDegrees: Sendable {
    private var links: Set<UInt64> = []
    private var degree: [UInt32: Int] = [:]
    /// Links seen.
    public var linkCount: Int { links.count }

    /// Nothing seen yet.
    public init() {}

    /// Adds the links of a path (prepends collapsed).
    public mutating func add(path: [UInt32]) {
        guard path.count >= 2 else { return }
        for i in 1..<path.count {
            let (a, b) = (path[i - 1], path[i])
            guard a != b else { continue }
            let key = a < b ? UInt64(a) << 32 | UInt64(b) : UInt64(b) << 32 | UInt64(a)
            if links.insert(key).inserted {
                degree[a, default: 0] += 1
                degree[b, default: 0] += 1
            }
        }
    }

    /// Distinct neighbours of `asn` seen so far.
    public func degree(of asn: UInt32) -> Int { degree[asn] ?? 0 }

    /// Links needed before degrees say anything: a sample of a full table holds tens of thousands; a file
    /// of one network's routes holds a few dozen, where a tier-1 can look smaller than its customer.
    public static let minimumLinks = 5000

    /// What `a` is to `b` by degree: customer of a neighbour with at least twice its degree, provider of one
    /// with at most half; nil when neither (too close to call) or when either is unseen.
    public func relation(_ a: UInt32, _ b: UInt32) -> ASRelation? {
        guard links.count >= Self.minimumLinks else { return nil }
        let da = degree(of: a)
        let db = degree(of: b)
        guard da > 0, db > 0 else { return nil }
        if db >= 2 * da { return .customer }
        if da >= 2 * db { return .provider }
        return nil
    }
}

/// A route passed on against the relationships: `leaker` learned it from `from` (its provider or peer) and
/// passed it to `to` (its provider or peer), a valley in the path (RFC 7908 type 1 to 4).
public struct PathLeak: Hashable, Sendable {
    /// The AS that passed the route on.
    public var leaker: UInt32
    /// The AS it passed the route to (towards the collector).
    public var to: UInt32
    /// The AS it learned the route from (towards the origin).
    public var from: UInt32
    /// What the leaker is to `to` and to `from`.
    public var toRelation: ASRelation
    public var fromRelation: ASRelation
}

/// Finds valleys in paths: with a CAIDA file when one was given (`--as-relationships`), otherwise with
/// degrees inferred from the paths read so far.
public struct LeakJudge: Sendable {
    /// Relationships from a file, when given.
    public var given: ASRelationships?
    /// Degrees from the data (always kept: they also describe the leaker in evidence).
    public var degrees = ASDegrees()

    /// A judge; `given` relationships take precedence over inference.
    public init(given: ASRelationships? = nil) {
        self.given = given?.count == 0 ? nil : given
    }

    /// Whether relationships come from a file.
    public var usesFile: Bool { given != nil }

    /// What `a` is to `b`.
    public func relation(_ a: UInt32, _ b: UInt32) -> ASRelation? {
        if let given { return given.relation(a, b) }
        return degrees.relation(a, b)
    }

    /// The valley nearest the origin in `path` (neighbour first, origin last), if any: an AS that learned
    /// the route from a provider or peer and passed it to a provider or peer. Pairs whose relation is
    /// unknown are not judged.
    public func leak(in path: [UInt32]) -> PathLeak? {
        guard path.count >= 3 else { return nil }
        var i = path.count - 2
        while i >= 1 {
            let leaker = path[i]
            let from = path[i + 1]
            let to = path[i - 1]
            if let fromRelation = relation(leaker, from), fromRelation != .provider,
                let toRelation = relation(leaker, to), toRelation != .provider
            {
                return PathLeak(leaker: leaker, to: to, from: from, toRelation: toRelation, fromRelation: fromRelation)
            }
            i -= 1
        }
        return nil
    }
}
