import Foundation

/// Polling for tests that wait on another task, process or server.
public enum Waiting {
    /// Waits until `done` holds, checking every 20 ms, for at most `seconds`; returns whether it held.
    public static func until(seconds: Double, _ done: () -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if done() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return done()
    }
}
