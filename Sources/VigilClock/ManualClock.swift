import Synchronization

/// A clock that moves only when told: tests of timers (ticks, heartbeats, pruning, back-off) run without
/// waiting, and the same way on a loaded machine as on an idle one. Sleepers wake, in deadline order,
/// when `advance` moves the time to or past their deadline; a cancelled sleeper throws at once.
public final class ManualClock: EpochClock {
    private struct Sleeper {
        var id: Int
        var deadline: EpochInstant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: EpochInstant
        var sleepers: [Sleeper] = []
        var nextID = 0
    }

    private let state: Mutex<State>

    /// A clock reading `seconds` since the epoch.
    public init(seconds: Double) { state = Mutex(State(now: EpochInstant(seconds: seconds))) }

    public var now: EpochInstant { state.withLock { $0.now } }

    public var minimumResolution: Duration { .nanoseconds(1) }

    /// How many tasks sleep on this clock now (a test waits for its subject to be asleep before it moves
    /// the time, so no wake-up is missed).
    public var sleepers: Int { state.withLock { $0.sleepers.count } }

    public func sleep(until deadline: EpochInstant, tolerance: Duration?) async throws {
        let id = state.withLock { s in
            defer { s.nextID += 1 }
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let ready: Bool = state.withLock { s in
                    if deadline <= s.now || Task.isCancelled { return true }
                    s.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            let woken = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                guard let i = s.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return s.sleepers.remove(at: i).continuation
            }
            woken?.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }

    /// Moves the time forward by `duration`, waking every sleeper whose deadline it reaches.
    public func advance(by duration: Duration) {
        advance(to: now.advanced(by: duration))
    }

    /// Moves the time to `instant` (never back), waking every sleeper whose deadline it reaches.
    public func advance(to instant: EpochInstant) {
        let woken = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            s.now = max(s.now, instant)
            let due = s.sleepers.filter { $0.deadline <= s.now }.sorted { $0.deadline < $1.deadline }
            s.sleepers.removeAll { $0.deadline <= s.now }
            return due.map(\.continuation)
        }
        for c in woken { c.resume() }
    }
}
