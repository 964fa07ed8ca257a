import ArgumentParser
import Foundation
import MRT
import Vigil
import VigilStore

/// The detection rules' knobs that `replay` and `watch` share.
struct RuleOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("Peers holding more IPv4 routes than this vote (default 400000).", valueName: "routes"))
    var fullFeed: Int?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The input runs N times faster than real time (a compressed lab run): durations in the rules shrink N times.",
            valueName: "N"))
    var timeScale: Double = 1

    @Option(
        name: .long,
        help: ArgumentHelp(
            "AS relationships for route leaks: a CAIDA as-rel file (a|b|-1 provider, a|b|0 peers; plain, gzip or bzip2). Without it they are inferred from AS degrees in the data.",
            valueName: "file"))
    var asRelationships: String?

    func validate() throws {
        if !(0.001...100_000).contains(timeScale) {
            throw ValidationError("--time-scale must be from 0.001 to 100000, not \(timeScale)")
        }
        if let fullFeed, fullFeed < 0 { throw ValidationError("--full-feed must be 0 or more") }
    }

    /// The relationships file's links, or nil without one; an error when it cannot be read or holds no
    /// link at all. Lines it cannot read are counted in a warning with the first one's number.
    func relationships(warn: (String) -> Void) throws -> ASRelationships? {
        guard let path = asRelationships else { return nil }
        let bytes: [UInt8]
        do { bytes = try DecompressedFile.read(path: path) } catch {
            throw RuntimeError("cannot read --as-relationships \(path): \(error)")
        }
        let (rels, problems) = ASRelationships.parse(caida: String(decoding: bytes, as: UTF8.self))
        if let first = problems.first {
            warn("\(path): \(problems.count) line\(problems.count == 1 ? "" : "s") skipped; first, \(first)")
        }
        guard rels.count > 0 else {
            throw RuntimeError("--as-relationships \(path) holds no a|b|-1 or a|b|0 line")
        }
        return rels
    }

    /// `target` with the full-feed threshold applied, and its thresholds scaled.
    func apply(to target: inout Target) -> Thresholds {
        if let fullFeed { target.thresholds.fullFeedIPv4 = fullFeed }
        return target.thresholds.scaled(by: timeScale)
    }
}

/// Where history is kept: the SQLite file `watch` writes and `events` and `status` read.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("SQLite file for history.", valueName: "file"))
    var store = "vigil.sqlite"

    /// The store, which must exist already (commands that only read it).
    func openExisting() throws -> History {
        guard FileManager.default.fileExists(atPath: store) else {
            throw RuntimeError(
                "no store at \(store): run `vigil watch --store \(store)` first, or give --store FILE")
        }
        return try History(path: store)
    }
}
