import Testing
import VigilStore

/// Runs each test of a suite on a thread of its own instead of Swift's cooperative pool, and the child
/// processes it starts at a lower scheduling priority.
///
/// Swift Testing calls a synchronous test from the pool, and the pool has one thread per core (two on
/// the CI machine). A test that decodes real files for a minute, or waits for bgpdump, holds one of them
/// for that minute; two such tests stall every task in the process: the servers other suites talk to,
/// their timers, their waits. That is why the suites once ran in serial groups, one `swift test` each.
/// With this trait a test's body runs on a thread of its own (a `StoreThread`, the serial executor the
/// engine gives its blocking store calls), so the pool stays free for the tasks that
/// need it; and the child processes it starts (bgpdump, `vigil replay`) run at nice 19 (`Tools.run`), so
/// that the real-time end-to-end tests running beside (probes on the wire, a web server in a namespace
/// answering within its timeout) get the CPU when they need it and the batch work takes the rest. The
/// thread itself keeps the normal priority: on Linux a thread inherits its creator's, and the threads
/// Dispatch and Swift's pool create on demand would inherit a lowered one from it.
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
        try await Tools.$childNice.withValue(19) {
            try await withTaskExecutorPreference(thread) { try await function() }
        }
    }
}

extension Trait where Self == OwnThreadTrait {
    /// Each test on a thread of its own, its child processes at low priority (see `OwnThreadTrait`).
    public static var ownThread: Self { Self() }
}
