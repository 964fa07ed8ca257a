import Foundation

/// The files the server ships (the OpenAPI document, the pages' stylesheet and script), read once from
/// the resource bundle SwiftPM installs beside the binary.
///
/// Looked up by name in a fixed table: no request path ever reaches the file system.
enum ServerResources {
    /// The files served, by name.
    static let names = ["openapi.json", "vigil.css", "vigil.js"]

    private static let loaded: [String: String] = {
        var out: [String: String] = [:]
        for dir in directories {
            for name in names where out[name] == nil {
                if let text = try? String(contentsOfFile: dir + "/" + name, encoding: .utf8) { out[name] = text }
            }
        }
        return out
    }()

    /// The text of a shipped file, or nil when it is not installed.
    static func text(_ name: String) -> String? { loaded[name] }

    /// Where the bundle may be: beside the executable (an installed or built binary, the test runner),
    /// then the source tree (a binary run from elsewhere during development).
    static var directories: [String] {
        var dirs: [String] = []
        let bundle = "Vigil_VigilServer.resources"
        if let exe = Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent() {
            dirs.append(exe.appendingPathComponent(bundle).path)
        }
        dirs.append(Bundle.main.bundleURL.appendingPathComponent(bundle).path)
        dirs.append(
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().path + "/Resources")
        return dirs
    }
}
