#if canImport(Glibc)
    import Glibc
#endif

/// A progress bar on standard error, shown only when standard error is a terminal.
final class ProgressBar {
    private let label: String
    private let total: UInt64
    private var lastDrawn: UInt64 = 0
    private var lastPercent = -1

    /// A bar for `total` bytes, or nil when stderr is not a terminal or the size is unknown.
    init?(label: String, total: UInt64?) {
        guard let total, total > 0, isatty(2) != 0 else { return nil }
        self.label = label.split(separator: "/").last.map(String.init) ?? label
        self.total = total
    }

    /// Redraws when the position moved by at least one percent.
    func update(_ position: UInt64) {
        guard position >= lastDrawn + total / 100 else { return }
        lastDrawn = position
        let percent = Int(min(100, position * 100 / total))
        guard percent != lastPercent else { return }
        lastPercent = percent
        let width = 30
        let filled = width * percent / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = "\r\(label) [\(bar)] \(percent)%"
        _ = line.withCString { write(2, $0, strlen($0)) }
    }

    /// Clears the bar.
    func finish() {
        let blank = "\r" + String(repeating: " ", count: label.count + 40) + "\r"
        _ = blank.withCString { write(2, $0, strlen($0)) }
    }
}
