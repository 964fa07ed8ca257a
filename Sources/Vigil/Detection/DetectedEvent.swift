import BGP

/// The cause vocabulary shared with the lab's ground truth. Keep the raw values stable.
public enum Cause: String, Sendable, CaseIterable {
    /// An internal failure: the target withdrew everything itself.
    case originSide = "origin-side"
    /// Paths through one or more upstreams vanished while the upstreams themselves stayed up.
    case upstreamLoss = "upstream-loss"
    /// An upstream failed as a whole: its own prefixes vanished too.
    case upstreamDown = "upstream-down"
    /// Someone else originated the target's space.
    case hijack
    /// Paths to the target crossed an AS that passed them on against its relationships (a valley): a route
    /// leak (RFC 7908).
    case routeLeak = "route-leak"
    /// Repeated loss and recovery: flapping.
    case instability
    /// The routes stayed up while every probed host stopped answering: filtering, or a failure behind
    /// the border (power, internal network), with nothing in the routes to show it.
    case dataPlane = "data-plane"
    /// As `dataPlane`, but loss and round trips rose before the failure: the signature of a flood.
    case attack
    /// Our own view failed (collector sessions, silent feeds): not an outage of the target.
    case feedProblem = "feed-problem"
    /// None of the rules fits.
    case unknown
}

/// One finished (or, at the end of a replay, still ongoing) event with its diagnosis.
public struct DetectedEvent: Sendable, Equatable {
    /// Sequential identifier within a run.
    public var id: Int
    /// The target's name.
    public var target: String
    /// The most likely cause.
    public var cause: Cause
    /// How strongly the evidence supports the cause, 0...1.
    public var confidence: Double
    /// The time of the routing message that crossed the line.
    public var start: Double
    /// The time of the message that ended it; nil while ongoing.
    public var end: Double?
    /// Prefixes that went dark (or were hijacked).
    public var prefixes: [IPPrefix]
    /// Upstreams whose paths vanished.
    public var upstreams: [UInt32]
    /// Foreign origins, for hijacks.
    public var origins: [UInt32] = []
    /// Lost fraction × minutes.
    public var severity: Double
    /// Plain-English lines with times, counts and ASNs.
    public var evidence: [String]

    /// Creates an event (the detector makes them; stores read them back).
    public init(
        id: Int, target: String, cause: Cause, confidence: Double, start: Double, end: Double?, prefixes: [IPPrefix],
        upstreams: [UInt32], origins: [UInt32] = [], severity: Double, evidence: [String]
    ) {
        self.id = id
        self.target = target
        self.cause = cause
        self.confidence = confidence
        self.start = start
        self.end = end
        self.prefixes = prefixes
        self.upstreams = upstreams
        self.origins = origins
        self.severity = severity
        self.evidence = evidence
    }
}

/// A change worth a line on the timeline.
public struct TimelineNotice: Sendable, Equatable {
    /// When.
    public var time: Double
    /// What, in plain English.
    public var text: String
}
