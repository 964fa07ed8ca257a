#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The machine's clock: wall time for stamps, and sleeps measured on the monotonic clock (a wall clock set
/// back by NTP does not stretch a sleep).
public struct SystemClock: EpochClock {
    /// The clock.
    public init() {}

    public var now: EpochInstant {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return EpochInstant(seconds: Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9)
    }

    public var minimumResolution: Duration { .nanoseconds(1) }

    public func sleep(until deadline: EpochInstant, tolerance: Duration?) async throws {
        let wait = now.duration(to: deadline)
        guard wait > .zero else {
            try Task.checkCancellation()
            return
        }
        try await ContinuousClock().sleep(for: wait, tolerance: tolerance)
    }
}

extension EpochClock where Self == SystemClock {
    /// The machine's clock.
    public static var system: SystemClock { SystemClock() }
}
