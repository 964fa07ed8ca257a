import BGP
import MRT
import VigilStore

/// Seeds live monitoring from MRT RIB snapshots (`vigil watch --rib FILE`): every peer's table at the
/// snapshot's time, so the full-feed rule applies and an outage already under way shows as ongoing.
public enum RIBSeeder {
    /// What was read.
    public struct Summary: Sendable {
        /// Route elements read.
        public var elements = 0
        /// Decoding problems.
        public var diagnostics = MRTDiagnostics()
    }

    /// Reads `paths` into `engine`; `warning` receives each decoding problem. Call `engine.settleVotes()`
    /// after it (and after `resume`).
    public static func seed(_ engine: LiveEngine, paths: [String], warning: @escaping (String) -> Void) throws
        -> Summary
    {
        var summary = Summary()
        engine.beginSeeding()
        for path in paths {
            let reader = try MRTReader.open(path: path)
            reader.onWarning = { warning("\($0)") }
            var decoder = MRTDecoder()
            let collector = MRTReader.collectorLabel(forFile: path)
            var elements: [RouteElement] = []
            while let record = try reader.next() {
                elements.removeAll(keepingCapacity: true)
                let outcome = decoder.decode(record) { elements.append($0) }
                switch outcome {
                case .decoded: break
                case .unsupported: reader.reportUnsupported(record.header)
                case .damaged(let why): reader.reportDamage(record.header, why)
                }
                summary.elements += elements.count
                if !elements.isEmpty { engine.apply(elements: elements, collector: collector) }
            }
            summary.diagnostics.merge(reader.diagnostics)
        }
        return summary
    }
}
