import VigilClock

/// Where a fetch stands: files done of all, bytes downloaded, the rate and the time left.
public struct ArchiveProgress: Sendable, Equatable {
    public var filesDone: Int
    public var files: Int
    /// Bytes downloaded so far (cached files count as done but add no bytes).
    public var bytes: UInt64
    /// The listings' estimate of all the bytes to download (0 when they show no sizes).
    public var expected: UInt64
    /// Bytes per second since the first byte.
    public var rate: Double
    /// The last report of the fetch.
    public var finished: Bool

    public init(filesDone: Int, files: Int, bytes: UInt64, expected: UInt64, rate: Double, finished: Bool) {
        self.filesDone = filesDone
        self.files = files
        self.bytes = bytes
        self.expected = expected
        self.rate = rate
        self.finished = finished
    }

    /// Seconds left at the current rate, when there is an estimate to go by.
    public var secondsLeft: Double? {
        guard rate > 0, expected > bytes else { return nil }
        return Double(expected - bytes) / rate
    }

    /// One line: `fetch 12/40 files  31.2 MB of ~96.0 MB  4.1 MB/s  0:16 left`.
    public var line: String {
        var s = "fetch \(filesDone)/\(files) files  \(Self.megabytes(bytes))"
        if expected > bytes { s += " of ~\(Self.megabytes(expected))" }
        if rate > 0 { s += "  \(Self.megabytes(UInt64(rate)))/s" }
        if let left = secondsLeft {
            let t = Int(left.rounded(.up))
            s += "  \(t / 60):\(t % 60 < 10 ? "0" : "")\(t % 60) left"
        }
        return s
    }

    /// Bytes as megabytes with one decimal (`31.2 MB`).
    public static func megabytes(_ n: UInt64) -> String {
        let tenths = (n + 50_000) / 100_000
        return "\(tenths / 10).\(tenths % 10) MB"
    }
}

/// The running counts behind `ArchiveProgress`, shared by the downloads.
final class ProgressCounter: Sendable {
    private struct State {
        var done = 0
        var bytes: UInt64 = 0
        var firstByte: Double?
        var lastReport = -Double.infinity
    }

    private let state = Locked(State())
    let files: Int
    let expected: UInt64
    let clock: any EpochClock
    let report: @Sendable (ArchiveProgress) -> Void

    init(files: Int, expected: UInt64, clock: any EpochClock, report: @escaping @Sendable (ArchiveProgress) -> Void) {
        self.files = files
        self.expected = expected
        self.clock = clock
        self.report = report
    }

    var downloaded: UInt64 { state.withLock { $0.bytes } }

    func add(_ n: UInt64) {
        let now = clock.seconds
        let snapshot: ArchiveProgress? = state.withLock { s in
            s.bytes += n
            if s.firstByte == nil { s.firstByte = now }
            guard now - s.lastReport >= 0.1 else { return nil }
            s.lastReport = now
            return progress(s, now: now, finished: false)
        }
        if let snapshot { report(snapshot) }
    }

    func fileDone() {
        let now = clock.seconds
        let snapshot = state.withLock { s in
            s.done += 1
            s.lastReport = now
            return progress(s, now: now, finished: false)
        }
        report(snapshot)
    }

    func finish() {
        let now = clock.seconds
        report(state.withLock { progress($0, now: now, finished: true) })
    }

    private func progress(_ s: State, now: Double, finished: Bool) -> ArchiveProgress {
        let elapsed = s.firstByte.map { now - $0 } ?? 0
        return ArchiveProgress(
            filesDone: s.done, files: files, bytes: s.bytes, expected: max(expected, s.bytes),
            rate: elapsed > 0.5 ? Double(s.bytes) / elapsed : 0, finished: finished)
    }
}
