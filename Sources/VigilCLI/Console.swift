import Foundation
import Synchronization

/// Lines to standard output or error from any task, whole and in order, flushed at once (a live
/// monitor's output is read as it happens, often through a pipe).
final class Console: Sendable {
    private let lock = Mutex<Void>(())
    private let useStandardError: Bool

    /// Standard output, or standard error with `errors`.
    init(errors: Bool = false) { useStandardError = errors }

    func say(_ line: String) {
        var bytes = Array((line + "\n").utf8)
        let fd: Int32 = useStandardError ? 2 : 1
        lock.withLock { _ in
            var done = 0
            while done < bytes.count {
                let n = bytes.withUnsafeBytes { b -> Int in
                    guard let base = b.baseAddress else { return 0 }
                    return write(fd, base + done, b.count - done)
                }
                if n <= 0 { return }
                done += n
            }
        }
        bytes.removeAll()
    }
}
