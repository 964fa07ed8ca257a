import Foundation

/// Polling for tests that wait on another task, process or server.
public enum Waiting {
    /// Waits until `done` holds, checking `every` 20 ms (or as told), for at most `seconds`; returns
    /// whether it held.
    public static func until(seconds: Double, every: Duration = .milliseconds(20), _ done: () -> Bool) async throws
        -> Bool
    {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if done() { return true }
            try await Task.sleep(for: every)
        }
        return done()
    }
}
