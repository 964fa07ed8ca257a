import Foundation

/// Finds the shared real-world test data (`../shared/data/real/` beside the repository).
///
/// Every test reads its fixtures through here so that a missing folder fails with one clear
/// message instead of a cascade of "file not found" errors.
public enum Fixtures {
    /// Why fixtures could not be found.
    public struct Missing: Error, CustomStringConvertible {
        /// The explanation.
        public let description: String
    }

    /// The repository root (the folder holding Package.swift).
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// The `data/real` folder: `$VIGIL_SHARED_DATA` when set, else `../shared/data/real`.
    public static func realDataDirectory() throws -> URL {
        let url: URL
        if let override = ProcessInfo.processInfo.environment["VIGIL_SHARED_DATA"] {
            url = URL(fileURLWithPath: override)
        } else {
            url = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data/real")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Missing(
                description: """
                    shared test data not found at \(url.path): the tests need the real BGP data in \
                    ../shared/data/real beside the repository (or set VIGIL_SHARED_DATA to its path)
                    """)
        }
        return url
    }

    /// Path of a file under `data/real`, e.g. `mrt/bgpdump__updates.20160811.1600.gz`.
    public static func path(_ relative: String) throws -> String {
        let url = try realDataDirectory().appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw Missing(description: "fixture \(relative) is missing from \(url.deletingLastPathComponent().path)")
        }
        return url.path
    }

    /// Every MRT file in `data/real/mrt`, sorted by name.
    public static func mrtFiles() throws -> [String] {
        let dir = try realDataDirectory().appendingPathComponent("mrt")
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    }

    /// A new empty folder under the system's temporary folder, named `vigil-NAME-UUID`.
    public static func temporaryFolder(_ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-\(name)-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The bytes of a fixture, decompressed when it is gzip or bzip2.
    public static func decompressedBytes(_ relative: String) throws -> [UInt8] {
        try Tools.decompress(path(relative))
    }
}
