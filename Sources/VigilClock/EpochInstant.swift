/// A moment as seconds since the Unix epoch: what every stamp in Vigil is (route times, bins, events),
/// and the instant of `EpochClock`, so the clock that waits is the clock that stamps.
public struct EpochInstant: InstantProtocol, Hashable, Sendable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var seconds: Double

    /// The instant `seconds` after the epoch.
    public init(seconds: Double) { self.seconds = seconds }

    public func advanced(by duration: Duration) -> EpochInstant {
        EpochInstant(seconds: seconds + duration.seconds)
    }

    public func duration(to other: EpochInstant) -> Duration { .seconds(other.seconds - seconds) }

    public static func < (a: EpochInstant, b: EpochInstant) -> Bool { a.seconds < b.seconds }
}

extension Duration {
    /// The duration in seconds, with its fraction.
    public var seconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
