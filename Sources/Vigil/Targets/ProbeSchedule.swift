/// How a target's hosts are probed while watching: every `interval` seconds each, spread by up to
/// `jitter` of the interval either way (so probes of many hosts and many Vigils do not fall in step),
/// waiting `timeout` seconds for each answer and trying `retries` more times before a probe counts as
/// failed. The defaults are gentle: one probe a minute per host.
public struct ProbeSchedule: Sendable, Hashable {
    /// Seconds between two probes of one host.
    public var interval: Double = 60
    /// The largest shift of a probe's time, as a fraction of `interval` (0...0.5).
    public var jitter: Double = 0.1
    /// Seconds to wait for an answer.
    public var timeout: Double = 5
    /// Extra tries after a failure, within the same probe.
    public var retries = 1

    /// The defaults.
    public init() {}

    /// The delay before the next probe of a host, given a random draw in 0...1.
    public func delay(draw: Double) -> Double {
        interval * (1 + jitter * (2 * min(max(draw, 0), 1) - 1))
    }
}
