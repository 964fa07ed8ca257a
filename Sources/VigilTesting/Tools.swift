import Foundation
import MRT
import VigilClock

/// Runs external programs (the reference tools and Vigil's own binary) for tests.
public enum Tools {
    /// A finished process.
    public struct Result: Sendable {
        /// The exit status.
        public var status: Int32
        /// Everything written to standard output.
        public var stdout: Data
        /// Everything written to standard error.
        public var stderr: Data

        /// Standard output as text.
        public var output: String { String(decoding: stdout, as: UTF8.self) }
        /// Standard error as text.
        public var errors: String { String(decoding: stderr, as: UTF8.self) }
        /// Standard output split into lines (without the final empty one).
        public var lines: [Substring] {
            output.split(separator: "\n", omittingEmptySubsequences: false).dropLast(output.hasSuffix("\n") ? 1 : 0)
                .map { $0 }
        }
    }

    /// A tool the tests need is not installed.
    public struct NotInstalled: Error, CustomStringConvertible {
        /// The explanation.
        public let description: String

        /// Creates the error with the text to show.
        public init(description: String) { self.description = description }
    }

    /// The absolute path of `name` on PATH, or a clear error naming the package to install.
    public static func which(_ name: String, package: String) throws -> String {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for dir in dirs {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw NotInstalled(description: "\(name) is not installed: install \(package) (see README, Tests)")
    }

    /// The `vigil` binary built next to the test bundle.
    public static func vigil() throws -> String {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("vigil").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        let fallback = Fixtures.repositoryRoot.appendingPathComponent(".build/debug/vigil").path
        if FileManager.default.isExecutableFile(atPath: fallback) { return fallback }
        throw NotInstalled(description: "the vigil binary was not built; run `swift build` before the tests")
    }

    /// Runs `executable` with `arguments`, feeding `input` on stdin, and collects its output. `started`
    /// gets the child's process id once it runs (to signal it): the child then starts with no signal
    /// blocked (a child inherits the spawning thread's mask, and the test process's threads block most
    /// signals, so SIGINT would never reach it).
    public static func run(
        _ executable: String, _ arguments: [String], input: Data? = nil, started: ((Int32) -> Void)? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let inPipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        if let started {
            var none = sigset_t()
            var saved = sigset_t()
            sigemptyset(&none)
            pthread_sigmask(SIG_SETMASK, &none, &saved)
            defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
            try process.run()
            started(process.processIdentifier)
        } else {
            try process.run()
        }
        // After the spawn, from outside: a thread of this process with a lowered priority would hand it
        // on to the threads created from it.
        if childNice > 0 {
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(process.processIdentifier), childNice)
        }
        let writer = Thread {
            if let input {
                inPipe.fileHandleForWriting.write(input)
                try? inPipe.fileHandleForWriting.close()
            }
        }
        writer.start()
        let errorBox = Locked<Data?>(nil)  // stderr, read on another thread
        let errThread = Thread {
            let data = err.fileHandleForReading.readDataToEndOfFile()
            errorBox.withLock { $0 = data }
        }
        errThread.start()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while errorBox.withLock({ $0 }) == nil { usleep(1000) }
        return Result(status: process.terminationStatus, stdout: stdout, stderr: errorBox.withLock { $0 } ?? Data())
    }

    /// Runs blocking work (a child process, a socket read) on a thread of its own and awaits it, so a test
    /// does not hold one of Swift's few cooperative threads while a server in the same process needs
    /// them. A thread per call: Dispatch's queues run only a few items at a time on Linux, so a long child
    /// process there (a capture) would hold back the next one.
    public static func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Swift.Result { try body() }) }.start()
        }
    }

    /// The nice value of the child processes `run` starts: batch work (a replay, a decoder, a browser)
    /// runs below the real-time parts of the tests beside it. 19 in suites on their own threads
    /// (`OwnThreadTrait`), 10 from async tests, 0 where the child is itself timed (a capture).
    @TaskLocal public static var childNice: Int32 = 0

    /// Lowers the calling thread's priority (nice 19), and so that of every thread it starts from now on
    /// (Linux threads inherit it): for a test that keeps both cores busy in-process (a replay decompressing
    /// on worker threads) beside the real-time tests of the same run. Call it on a thread of the test's
    /// own (`.ownThread`).
    public static func lowerThreadPriority() {
        // On Linux the nice value is per thread, and PRIO_PROCESS with 0 names the calling thread.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
    }

    /// `run` from an async test: the child runs from a thread of its own (`offload`), since waiting for it
    /// on one of Swift's few cooperative threads would stall the servers and timers of every suite running
    /// beside. Swift picks this form in async code, so no async test can block the pool by mistake. The
    /// child is batch work (a replay, a decoder, a browser), so it runs at nice 10: the real-time parts of
    /// the tests beside it come first.
    public static func run(_ executable: String, _ arguments: [String], input: Data? = nil) async throws -> Result {
        let nice = max(childNice, 10)
        return try await offload {
            try Tools.$childNice.withValue(nice) { try run(executable, arguments, input: input, started: nil) }
        }
    }

    /// Runs one statement with Debian's `sqlite3` shell on the file at `path`; its output, trimmed.
    public static func sqlite(_ path: String, _ sql: String) throws -> String {
        try run(which("sqlite3", package: "Debian's sqlite3 package"), [path, sql]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `bgpdump` (Debian's 1.6.2) with `arguments`.
    public static func bgpdump(_ arguments: [String]) throws -> Result {
        try run(which("bgpdump", package: "Debian's bgpdump package"), arguments)
    }

    /// `sqlite` from an async test, off the cooperative pool (see the async `run`).
    public static func sqlite(_ path: String, _ sql: String) async throws -> String {
        let nice = max(childNice, 10)
        return try await offload { try Tools.$childNice.withValue(nice) { try sqlite(path, sql) } }
    }

    /// `bgpdump` from an async test, off the cooperative pool (see the async `run`).
    public static func bgpdump(_ arguments: [String]) async throws -> Result {
        let nice = max(childNice, 10)
        return try await offload { try Tools.$childNice.withValue(nice) { try bgpdump(arguments) } }
    }

    /// Decompresses a file with Vigil's own reader sources (gzip and bzip2 are told by magic bytes).
    public static func decompress(_ path: String) throws -> [UInt8] {
        let file = try FileByteSource(path: path)
        var head = [UInt8](repeating: 0, count: 3)
        let n = try head.withUnsafeMutableBytes { try file.read(into: $0) }
        head.removeLast(3 - n)
        let raw = MemoryByteSource(head + (try readAll(file)))
        let source: ByteSource
        switch head.withUnsafeBytes({ MRTCompression.detect($0) }) {
        case .gzip: source = try GzipByteSource(input: raw)
        case .bzip2: source = try Bzip2ByteSource(input: raw)
        case .none: source = raw
        }
        return try readAll(source)
    }

    static func readAll(_ source: ByteSource) throws -> [UInt8] {
        var result: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 8)
        defer { chunk.deallocate() }
        while true {
            let n = try source.read(into: chunk)
            if n == 0 { break }
            result.append(contentsOf: chunk[0..<n])
        }
        return result
    }
}
