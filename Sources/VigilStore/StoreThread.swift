import Dispatch

/// A thread of its own for work that calls the store. A store call may block for seconds (SQLite's busy
/// timeout while another process holds the lock, a slow or full disk); on Swift's cooperative pool (two
/// threads on a two-core machine) that would stall every other task, the HTTP server's among them. A task
/// run with this executor as its preference (`withTaskExecutorPreference`) blocks this thread instead.
///
/// Serial: jobs run one at a time, in the order enqueued.
public final class StoreThread: TaskExecutor, @unchecked Sendable {
    /// The queue the jobs run on (Dispatch's own threads, not the cooperative pool).
    public let queue: DispatchQueue

    /// A thread named `label` (shown in debuggers and crash reports).
    public init(label: String) { queue = DispatchQueue(label: label) }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

}
