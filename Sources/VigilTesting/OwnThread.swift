import Testing
import VigilStore

/// Runs each test of a suite on a thread of its own instead of Swift's cooperative pool.
///
/// Swift Testing calls a synchronous test from the pool, and the pool has one thread per core (two on
/// the CI machine). A test that decodes real files for a minute, or waits for bgpdump, holds one of them
/// for that minute; two such tests stall every task in the process: the servers other suites talk to,
/// their timers, their waits. That is why the suites once ran in serial groups, one `swift test` each.
/// With this trait a test's body runs on a Dispatch thread of its own (a `StoreThread`, the executor
/// the engine gives its blocking store calls), so the pool stays free for the tasks that need it and the
/// operating system shares the cores between all of them.
///
/// For suites of synchronous tests, or async tests whose work is CPU-bound and sequential: the child
/// tasks of a test inherit the thread and run one at a time on it.
public struct OwnThreadTrait: SuiteTrait, TestTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        // Only a test case has a body; a suite's scope is the scopes of its tests.
        guard testCase != nil else { return try await function() }
        let thread = StoreThread(label: "test: \(test.name)")
        try await withTaskExecutorPreference(thread) { try await function() }
    }
}

extension Trait where Self == OwnThreadTrait {
    /// Each test on a thread of its own (see `OwnThreadTrait`).
    public static var ownThread: Self { Self() }
}
