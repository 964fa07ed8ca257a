import Synchronization
import Testing
import VigilClock
import VigilTesting

/// The tests' clock: it moves only when told, wakes sleepers whose deadline it reaches (earliest first),
/// and lets a cancelled sleeper go at once.
@Suite struct ManualClockTests {
    final class Woke: Sendable {
        let list = Mutex<[Int]>([])
    }

    @Test("sleepers wake when the time reaches their deadline, earliest first; not before")
    func wakesAtDeadlines() async throws {
        let clock = ManualClock(seconds: 100)
        let woke = Woke()
        let tasks = [3, 1, 2].map { n in
            Task {
                try await clock.sleep(seconds: Double(n))
                woke.list.withLock { $0.append(n) }
            }
        }
        #expect(try await Waiting.until(seconds: 120, every: .milliseconds(1)) { clock.sleepers == 3 })
        clock.advance(by: .seconds(0.5))
        try await Task.sleep(for: .milliseconds(50))
        #expect(woke.list.withLock { $0 }.isEmpty, "woke before any deadline")
        clock.advance(by: .seconds(1.5))  // 102: the 1 s and 2 s sleepers
        #expect(try await Waiting.until(seconds: 120, every: .milliseconds(1)) { woke.list.withLock { $0.count } == 2 })
        #expect(clock.sleepers == 1)
        clock.advance(to: EpochInstant(seconds: 103))
        for t in tasks { try await t.value }
        #expect(Set(woke.list.withLock { $0 }) == [1, 2, 3])
        #expect(clock.seconds == 103)
        clock.advance(to: EpochInstant(seconds: 50))
        #expect(clock.seconds == 103, "the clock went back")
    }

    @Test("a cancelled sleeper throws at once; a deadline already past returns at once")
    func cancellationAndPastDeadlines() async throws {
        let clock = ManualClock(seconds: 0)
        try await clock.sleep(until: EpochInstant(seconds: -5), tolerance: nil)
        let task = Task { try await clock.sleep(seconds: 3600) }
        #expect(try await Waiting.until(seconds: 120, every: .milliseconds(1)) { clock.sleepers == 1 })
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(clock.sleepers == 0)
    }
}
