import Foundation

/// Debian's headless Chromium, as the tests drive it: the DOM a page ends with, what the browser logged,
/// and on request a screenshot.
public enum Chromium {
    /// Runs Chromium on `url` (on a thread of its own, below the real-time tests beside it): the DOM after
    /// scripts ran and the log; with `screenshot`, also a PNG of `size` ("width,height").
    public static func load(_ url: String, screenshot: String? = nil, size: String = "1280,900", dark: Bool = false)
        async throws -> (dom: String, log: String)
    {
        try await Tools.offload {
            try Tools.$childNice.withValue(10) { try run(url, screenshot: screenshot, size: size, dark: dark) }
        }
    }

    static func run(_ url: String, screenshot: String?, size: String, dark: Bool) throws -> (dom: String, log: String) {
        let browser = try Tools.which("chromium", package: "Debian's chromium package")
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vigil-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        var args = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
            "--enable-logging=stderr", "--v=0", "--user-data-dir=\(profile.path)", "--window-size=\(size)",
        ]
        if dark { args.append("--force-dark-mode") }
        if let screenshot {
            _ = try Tools.run(browser, args + ["--hide-scrollbars", "--screenshot=\(screenshot)", url])
        }
        let r = try Tools.run(browser, args + ["--dump-dom", url])
        return (String(decoding: r.stdout, as: UTF8.self), String(decoding: r.stderr, as: UTF8.self))
    }

    /// Console lines in Chromium's log (script errors, failed loads, anything a page printed).
    public static func console(_ log: String) -> [String] {
        log.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
    }
}
