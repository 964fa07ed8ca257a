import Foundation
import Vigil

/// Writes a report's folder: `report.html`, `timeline.svg`, `timeline.png` (rendered by Debian's
/// `rsvg-convert`, librsvg2-bin), `report.md` and `report.json`.
public enum ReportWriter {
    /// What was written, and what could not be (the PNG when no renderer is installed).
    public struct Written: Sendable {
        public var files: [String]
        public var warnings: [String]
    }

    /// Writes `report` into `folder` (made when missing); `store` is the store's path, for the command
    /// that makes the report again.
    public static func write(_ report: EventReport, to folder: String, store: String) throws -> Written {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw EventReport.Failure(description: "cannot create \(folder): \(error.localizedDescription)")
        }
        let css = ServerResources.text("vigil.css") ?? ""
        var files: [String] = []
        var warnings: [String] = []
        let texts = [
            ("report.html", report.html(css: css, store: store)), ("timeline.svg", report.standaloneSVG(css: css)),
            ("report.md", report.markdown(store: store)), ("report.json", report.json(store: store)),
        ]
        for (name, text) in texts {
            let path = folder + "/" + name
            guard fm.createFile(atPath: path, contents: Data(text.utf8)) else {
                throw EventReport.Failure(description: "cannot write \(path)")
            }
            files.append(path)
        }
        let png = folder + "/timeline.png"
        if let why = render(svg: folder + "/timeline.svg", png: png) {
            warnings.append("no timeline.png: \(why)")
        } else {
            files.append(png)
        }
        return Written(files: files, warnings: warnings)
    }

    /// Renders the SVG at twice its size with `rsvg-convert`; the reason when it could not.
    static func render(svg: String, png: String) -> String? {
        let candidates = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"]
        guard let tool = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return "rsvg-convert is not installed (Debian: apt install librsvg2-bin)"
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["--zoom", "2", "--format", "png", "--output", png, svg]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return "cannot run \(tool): \(error.localizedDescription)"
        }
        let message = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            return
                "\(tool) failed: \(String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))"
        }
        return nil
    }
}
