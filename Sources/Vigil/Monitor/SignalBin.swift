import BGP

/// A target's signals over one time bin: what the monitor reports as a bin closes, what the store keeps
/// per row of `signals`, and what `vigil replay` prints.
public struct SignalBin: Sendable, Equatable {
    /// The target's name.
    public var target: String
    /// Bin start (inclusive) and length in seconds.
    public var start: Double
    public var seconds: Double
    /// Tracked prefixes up at the end of the bin, of how many.
    public var prefixesUp: Int
    public var prefixes: Int
    /// Peers voting at the end of the bin.
    public var votingPeers: Int
    /// Visibility per tracked prefix at the end of the bin.
    public var visibility: [IPPrefix: Double]
    /// Routes per voting peer through each upstream at the end of the bin.
    public var upstreamShare: [UInt32: Double]
    /// Route updates (all prefixes) read during the bin.
    public var updates: Int
    /// The dark share of the target's address space at the end of the bin (0...1).
    public var darkShare: Double = 0
    /// Per origin AS, the share of the peers up carrying its routes into the target's space.
    public var originShare: [UInt32: Double] = [:]

    /// A bin.
    public init(
        target: String, start: Double, seconds: Double, prefixesUp: Int, prefixes: Int, votingPeers: Int,
        updates: Int, visibility: [IPPrefix: Double], upstreamShare: [UInt32: Double], darkShare: Double = 0,
        originShare: [UInt32: Double] = [:]
    ) {
        self.target = target
        self.start = start
        self.seconds = seconds
        self.prefixesUp = prefixesUp
        self.prefixes = prefixes
        self.votingPeers = votingPeers
        self.updates = updates
        self.visibility = visibility
        self.upstreamShare = upstreamShare
        self.darkShare = darkShare
        self.originShare = originShare
    }
}
