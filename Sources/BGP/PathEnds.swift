/// The origin of an AS path and the AS before it (its upstream), read left to right without keeping the
/// path: prepends collapse, and an AS_SET at the end leaves no origin (its members are not one origin).
///
/// The one rule for origin and upstream, whatever the path comes from: BGP's wire bytes
/// (`ASPathView.lastTwoDistinct`) or RIS Live's JSON (`RISMessage`).
public struct PathEnds: Sendable, Equatable {
    /// The last AS of the path, nil when none (or when it ends in an AS_SET).
    public private(set) var origin: UInt32?
    /// The last AS before the origin that differs from it.
    public private(set) var upstream: UInt32?
    private var endsInSet = false

    /// Nothing read yet.
    public init() {}

    /// Reads the next AS of an AS_SEQUENCE.
    @inline(__always)
    public mutating func append(_ asn: UInt32) {
        if !endsInSet, let o = origin, o == asn { return }  // prepending
        upstream = endsInSet ? nil : origin
        origin = asn
        endsInSet = false
    }

    /// Reads an AS_SET.
    @inline(__always)
    public mutating func appendSet() {
        endsInSet = true
        upstream = nil
        origin = nil
    }
}
