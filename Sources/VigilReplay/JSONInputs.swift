import BGP
import Foundation
import MRT
import RISLive

/// Replay inputs that are JSON rather than MRT, told by their content (`JSONRouteFile`): RIPEstat
/// `bgp-state` and `bgp-updates` answers and RIS Live recordings. Each file's routes are written as MRT
/// records in memory (`MRTWriter`), one input per collector (a `bgp-state` table as a TABLE_DUMP_V2
/// snapshot, played with the RIBs first; changes as BGP4MP UPDATEs in time order), so they go through the
/// same decoder, merge, view and detector as the archives' files.
enum JSONInputs {
    /// A JSON file larger than this is refused (RIPEstat answers for a small target are megabytes).
    static let maximumBytes = 1 << 30

    /// What the JSON files among `paths` became: the inputs, and per file a line of what was read,
    /// warnings for what was skipped, and the paths that could not be read at all.
    struct Result {
        var inputs: [MRTInput] = []
        var notes: [String] = []
        var warnings: [String] = []
        var failed: [String] = []
    }

    /// True when `path` is a file whose first bytes are a JSON object.
    static func isJSON(path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 4096) else { return false }
        return JSONRouteFile.isJSON(head)
    }

    /// Reads every path in `paths` (all JSON) and makes its inputs.
    static func inputs(_ paths: [String]) -> Result {
        var result = Result()
        var files: [(String, JSONRouteFile.Contents)] = []
        for path in paths {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            guard size <= maximumBytes else {
                result.warnings.append("\(path): a JSON input of \(size) bytes is over the \(maximumBytes)-byte limit")
                result.failed.append(path)
                continue
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                result.warnings.append("\(path): cannot be read")
                result.failed.append(path)
                continue
            }
            do {
                files.append((path, try JSONRouteFile.read([UInt8](data))))
            } catch {
                result.warnings.append("\(path): \(error)")
                result.failed.append(path)
            }
        }
        var contents = files.map(\.1)
        JSONRouteFile.fillPeerASNs(&contents)
        for ((path, _), file) in zip(files, contents) {
            result.notes.append(
                "\(path): \(file.kind.rawValue), \(file.routes.count) routes"
                    + (file.skipped > 0 ? ", \(file.skipped) skipped" : "")
                    + (file.ignored > 0 ? ", \(file.ignored) other messages" : ""))
            for p in file.problems { result.warnings.append("\(path): \(p)") }
            if file.skipped > file.problems.count {
                result.warnings.append("\(path): \(file.skipped - file.problems.count) more skipped")
            }
            var byCollector: [String: [JSONRoute]] = [:]
            // A recording's messages without a `host` are one collector's, named after the source.
            for r in file.routes { byCollector[r.collector.isEmpty ? "ris-live" : r.collector, default: []].append(r) }
            for (collector, routes) in byCollector.sorted(by: { $0.key < $1.key }) {
                var writer = MRTWriter()
                if let time = file.stateTime {
                    writer.snapshot(routes, time: time)
                } else {
                    // A recording may hold messages a little out of order; the merge needs each input in order.
                    let ordered = routes.enumerated().sorted {
                        ($0.element.time, $0.offset) < ($1.element.time, $1.offset)
                    }
                    for (_, r) in ordered { writer.update(r) }
                }
                result.inputs.append(
                    MRTInput(bytes: writer.bytes, name: "\(path) (\(collector))", collector: collector))
            }
        }
        return result
    }
}
