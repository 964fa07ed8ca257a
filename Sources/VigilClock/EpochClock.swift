/// The one clock of Vigil's live edges: a Swift `Clock` whose instants are seconds since the epoch. Whatever
/// waits (the watch's tick, RIS Live's pings and stall watchdog, the webhook dispatcher's scans and
/// back-off, the change stream's keep-alive) and whatever stamps (arrival times, store times) takes one,
/// so tests run them on a `ManualClock` and production on the `SystemClock`.
public protocol EpochClock: Clock, Sendable where Instant == EpochInstant, Duration == Swift.Duration {}

extension EpochClock {
    /// Now, in seconds since the epoch.
    public var seconds: Double { now.seconds }

    /// Sleeps `seconds` of this clock's time (nothing for zero or less).
    public func sleep(seconds: Double) async throws {
        guard seconds > 0, seconds.isFinite else { return }
        try await sleep(until: now.advanced(by: .seconds(seconds)), tolerance: nil)
    }
}
