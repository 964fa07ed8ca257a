import Foundation
import MRT
import VigilArchive

/// Shows a fetch's progress on standard error: one line redrawn in place on a terminal (files, bytes,
/// rate, time left), else a plain line when a file is done, at most every five seconds, and the last one.
final class ArchiveProgressPrinter: @unchecked Sendable {
    private let sink: OutputSink
    private let terminal = isatty(2) != 0
    private let lock = NSLock()
    private var lastPlain = -Double.infinity
    private var lastDone = 0
    private var drawn = false

    init(sink: OutputSink) { self.sink = sink }

    func show(_ p: ArchiveProgress) {
        lock.lock()
        defer { lock.unlock() }
        if terminal {
            let line = "\r" + p.line + "   "
            _ = line.withCString { write(2, $0, strlen($0)) }
            drawn = true
            return
        }
        let now = Date().timeIntervalSince1970
        guard p.finished || (p.filesDone > lastDone && now - lastPlain >= 5) else { return }
        lastDone = p.filesDone
        lastPlain = now
        sink.say("vigil: " + p.line)
    }

    /// Ends the redrawn line.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drawn { _ = "\n".withCString { write(2, $0, strlen($0)) } }
    }
}
