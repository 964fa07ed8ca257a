import BGP
import BMP
import Foundation
import MRT
import RISLive
import Vigil
import VigilLive
import VigilTesting

/// Live ingest passes over the routes of one MRT update file, timed inside (the inputs are built first):
///
///     LiveBench mrt FILE          MRT records decoded into elements (the baseline: the same routes)
///     LiveBench ris-parse FILE    the file's UPDATEs as RIS Live frames, parsed
///     LiveBench ris-ingest FILE   parsed and applied to the live engine (north-korea, no store)
///     LiveBench bmp-decode FILE   the file's UPDATEs as BMP Route Monitoring messages, framed and decoded
///     LiveBench bmp-ingest FILE   framed, decoded and applied to the live engine
///
/// Prints: pass, items, seconds, items per second, and a checksum so no work is optimised away.
@main
struct LiveBench {
    static func now() -> Double { Date().timeIntervalSince1970 }

    static func main() throws {
        let args = CommandLine.arguments
        guard args.count == 3 || args.count == 4 else {
            print("usage: LiveBench mrt|ris-parse|ris-ingest|bmp-decode|bmp-ingest FILE [DELEGATED-STATS]")
            exit(2)
        }
        let pass = args[1]
        let path = args[2]
        // With a delegated-stats file: every country of it as a target, in one engine (as `vigil watch
        // --all-countries`); without, north-korea.
        var targets = [Target.northKorea]
        if args.count == 4 {
            let text = try String(contentsOfFile: args[3], encoding: .utf8)
            let countries = CountryResources.byCountry(delegatedStats: text).countries
            targets = countries.keys.sorted().compactMap { countries[$0].map(Target.init(country:)) }
        }
        var items = 0
        var checksum = 0
        var seconds = 0.0
        switch pass {
        case "mrt":
            let start = now()
            let reader = try MRTReader.open(path: path)
            var decoder = MRTDecoder()
            while let record = try reader.next() {
                items += 1
                _ = decoder.decode(record) { e in checksum &+= Int(e.prefix.length) }
            }
            seconds = now() - start
        case "ris-parse", "ris-ingest":
            let frames = try RISLiveFrames.fromMRT([path]).map(\.text)
            let engine = LiveEngine(targets: targets, store: nil)
            let ingest = pass == "ris-ingest"
            let start = now()
            for text in frames {
                guard case .message(let m) = try RISFrame(parsing: text) else { continue }
                items += 1
                checksum &+= m.announced.count + m.withdrawn.count
                if ingest { engine.apply(m) }
            }
            seconds = now() - start
            if ingest { checksum &+= engine.counters.risRoutes }
        case "bmp-decode", "bmp-ingest":
            let (stream, _) = try BMPFromMRT.stream(path)
            let engine = LiveEngine(targets: targets, store: nil)
            let ingest = pass == "bmp-ingest"
            let start = now()
            var framer = BMPStreamDecoder()
            var routes = BMPRouteDecoder()
            var elements: [RouteElement] = []
            // TCP-sized pieces, as a listener gets them.
            var at = 0
            while at < stream.count {
                let n = min(65536, stream.count - at)
                stream[at..<(at + n)].withUnsafeBytes { framer.append($0) }
                at += n
                framer.decode { frame in
                    items += 1
                    elements.removeAll(keepingCapacity: true)
                    _ = routes.elements(of: frame, now: 0) { elements.append($0) }
                    checksum &+= elements.count
                    if ingest { engine.apply(elements: elements, collector: "bmp:bench") }
                } problem: { _ in
                    checksum &+= 1
                }
            }
            seconds = now() - start
        default:
            print("unknown pass \(pass)")
            exit(2)
        }
        print("\(pass) \(items) \(seconds) \(Double(items) / max(seconds, 1e-9)) \(checksum)")
    }
}
