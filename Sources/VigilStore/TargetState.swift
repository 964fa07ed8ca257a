import Vigil

extension VigilStore {
    /// A target's state now, as `vigil status` and the API say it: "feed problem" while a source has a gap
    /// or a feed problem is open; otherwise "dark" or "partial" while an outage is open (dark when the last
    /// bin had no prefix up); "up" when none is.
    public static func state(openEvents: [DetectedEvent], lastBin: StoredSignals?, feedGap: Bool) -> String {
        if feedGap || openEvents.contains(where: { $0.cause == .feedProblem }) { return "feed problem" }
        guard openEvents.contains(where: { $0.cause != .hijack && $0.cause != .feedProblem && $0.end == nil }) else {
            return "up"
        }
        guard let lastBin else { return "partial" }
        return lastBin.prefixesUp == 0 ? "dark" : "partial"
    }
}
