import Foundation

/// Another process holding a SQLite database's write lock: Python's `sqlite3` in `BEGIN EXCLUSIVE`, as a
/// second program on the machine would, until `release()`. For the faults a locked store causes.
public final class SQLiteLocker: @unchecked Sendable {
    /// The process holding the lock.
    public let process: Process
    /// While this file exists, the lock is held.
    private let holdFile: String

    /// Takes the lock of the database at `path`; returns once it is held.
    public init(path: String) throws {
        holdFile = path + ".hold-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: holdFile, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [
            "-c",
            """
            import os, sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
            c.execute("BEGIN EXCLUSIVE")
            print("locked", flush=True)
            while os.path.exists(sys.argv[2]):
                time.sleep(0.05)
            c.execute("COMMIT")
            """,
            path, holdFile,
        ]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        guard line.contains("locked") else {
            process.terminate()
            throw LockerError(message: "the locker did not take the lock of \(path): \(line)")
        }
    }

    /// Lets the lock go (the locker commits and exits); returns once it has.
    public func release() {
        try? FileManager.default.removeItem(atPath: holdFile)
        process.waitUntilExit()
    }

    /// Kills the locker (its lock goes with it).
    public func kill() {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: holdFile)
    }

    struct LockerError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
