import ArgumentParser
import BGP
import Foundation
import MRT
import Vigil
import VigilArchive
import VigilClock
import VigilReplay
import VigilStore

/// `vigil replay`: the live pipeline run over MRT files on their own clock, or over a time range fetched
/// from the public archives.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay MRT files and report the targets' outages with their most likely cause.",
        discussion: """
            RIB files (TABLE_DUMP, TABLE_DUMP_V2) seed every peer's state; update files (BGP4MP) of all \
            collectors are then played merged in timestamp order. Files are told apart by their first record, \
            not their names; raw, gzip and bzip2 are read alike. Files in one folder are one collector's.

            Prints a timeline (one line per bin, and one per change of a tracked prefix) and the events with \
            their diagnosis. With --json, one object per line: {"type":"event", "id", "target", "cause", \
            "confidence", "start", "end", "prefixes", "upstreams", "evidence", ...}, {"type":"bin", ...}, \
            {"type":"notice", ...} and a final {"type":"summary", ...}. Causes: origin-side, upstream-loss, \
            upstream-down, hijack, route-leak, instability, feed-problem, unknown (and, live only, data-plane and attack).

            Several targets are replayed in one pass over the files: repeat --target or --country, or give \
            --all-targets or --all-countries. Each bin, event and notice names its target; events are numbered in \
            the order they are reported.

            Damaged or truncated files are handled as by `vigil dump`: a warning with the offset, recovery, \
            and counts in the summary.

            A time range instead of files: --from and --to fetch what the public archives hold (RIPE RIS, \
            RouteViews) for --collectors (default rrc00,route-views2): each collector's last RIB snapshot at or \
            before --from and every update file from it to --to, found in the archives' listings, downloaded \
            several at once into the cache (resumed after a failure, sizes checked) and replayed. A file that \
            cannot be had (404, time-out, truncated) is reported with its URL and becomes a feed gap for its \
            collector (never withdrawals); the rest goes on. A second run of the same range sends no request. \
            With files, --from and --to only window the replay.

            For a small target, --source ripestat asks RIPEstat's data API instead (bgp-state at --from, \
            bgp-updates to --to, for the targets' prefixes; RIS collectors, data from 2024 on). Files may also be \
            RIPEstat bgp-state or bgp-updates answers, or RIS Live recordings (one message per line), told by \
            their content.
            """
    )

    @OptionGroup var targetOptions: TargetOptions

    @Argument(
        help: ArgumentHelp(
            "MRT files (RIB snapshots, update files), RIPEstat answers or RIS Live recordings (or give --from and --to).",
            valueName: "file"))
    var files: [String] = []

    @OptionGroup var archive: ArchiveOptions

    @Flag(name: .long, help: "One JSON object per line.")
    var json = false

    @Option(name: .long, help: "Timeline bin length in seconds (0: no bins).")
    var bin: Double = 300

    @OptionGroup var rules: RuleOptions

    @Option(
        name: .long,
        help: ArgumentHelp("Collector label for all files (default: each file's folder).", valueName: "name"))
    var collector: String?

    @Flag(name: .long, help: "Print only events and the summary, no timeline.")
    var eventsOnly = false

    @Flag(name: .long, help: "Do not print each input warning; print only the summary.")
    var quiet = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Also keep the replay's bins and events in this SQLite store, for `vigil serve` and `vigil events`.",
            valueName: "file"))
    var store: String?

    func validate() throws {
        if !(bin == 0 || (0.001...86400).contains(bin)) {
            throw ValidationError("--bin must be 0 (no bins) or from 0.001 to 86400 seconds, not \(bin)")
        }
        if files.isEmpty && archive.range == nil {
            throw ValidationError("give MRT files, or a time range with --from and --to to fetch from the archives")
        }
        if !files.isEmpty && archive.fetches {
            throw ValidationError(
                "--collectors, --all-collectors, --cache, --offline and the archive URLs fetch a range; with files, leave them out"
            )
        }
    }

    func run() async throws {
        var files = self.files
        var sources = files
        var gaps: [ArchiveGap] = []
        let stderr = OutputSink(fd: 2)
        if files.isEmpty,
            let request = try archive.ripestatRequest(
                prefixes: try targetOptions.resolveAll().flatMap { $0.prefixes.map(\.description) })
        {
            let fetched: RIPEstatFetchResult
            do {
                fetched = try await RIPEstatFetcher(request).fetch { [quiet] line in
                    if !quiet { FileHandle.standardError.write(Data("vigil: \(line)\n".utf8)) }
                }
            } catch {
                throw RuntimeError("\(error)")
            }
            for w in fetched.warnings where !quiet { stderr.say("vigil: warning: \(w)") }
            stderr.say(
                "vigil: \(fetched.paths.count) RIPEstat answers (\(fetched.cached) from the cache \(request.cache.root)/ripestat), \(fetched.requests) requests, \(ArchiveProgress.megabytes(fetched.bytes)) downloaded"
            )
            files = fetched.paths
            sources = fetched.urls
            gaps = fetched.gaps
        } else if files.isEmpty, let request = try archive.request() {
            let printer = ArchiveProgressPrinter(sink: stderr)
            let fetched: ArchiveFetchResult
            do {
                fetched = try await ArchiveFetcher(request).fetch { printer.show($0) }
            } catch {
                throw RuntimeError("\(error)")
            }
            printer.finish()
            for w in fetched.warnings where !quiet { stderr.say("vigil: warning: \(w)") }
            stderr.say(
                "vigil: \(fetched.files.count) files (\(fetched.files.filter(\.cached).count) from the cache \(request.cache.root)), \(fetched.requests) requests, \(ArchiveProgress.megabytes(fetched.bytes)) downloaded; \(fetched.gaps.count) feed gaps"
            )
            files = fetched.paths
            sources = fetched.files.map(\.url)
            gaps = fetched.gaps
            if files.isEmpty { throw RuntimeError("nothing to replay: no file of the range could be had") }
        }
        try replay(files: files, gaps: gaps, sources: sources)
    }

    /// The command line as typed, for the store's note of how to replay it again.
    static var commandLine: String {
        (["vigil"] + CommandLine.arguments.dropFirst()).map { a in
            a.allSatisfy({ $0.isLetter || $0.isNumber || "-_./:=,+@".contains($0) })
                ? a : "'" + a.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }

    func replay(files: [String], gaps: [ArchiveGap], sources: [String]) throws {
        var targets = try targetOptions.resolveAll()
        let thresholds = targets.indices.map { rules.apply(to: &targets[$0]) }
        let byName = Dictionary(targets.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let stdout = OutputSink(fd: 1)
        let stderr = OutputSink(fd: 2)
        var replayer = Replayer(
            targets: targets, thresholds: thresholds, binSeconds: eventsOnly ? 0 : bin, collector: collector)
        replayer.learnsOrigins = !targetOptions.country.isEmpty || targetOptions.allCountries
        replayer.relationships = try rules.relationships { stderr.say("vigil: warning: \($0)") }
        replayer.window = archive.range
        let total = files.reduce(UInt64(0)) { $0 + (DumpCommand.fileSize($1) ?? 0) }
        let progress = ProgressBar(label: "replay", total: total)
        var warnings = 0
        var events = 0
        var recorder: ReplayRecorder?
        do {
            recorder = try store.map { try ReplayRecorder(store: try History(path: $0), targets: targets) }
        } catch {
            throw RuntimeError("\(error)")
        }
        for t in targets { recorder?.note(target: t.name, sources: sources, command: Self.commandLine) }
        let naming = targets.count > 1
        // The archives' holes, before the timeline: a span of a collector with no data.
        for g in gaps {
            stdout.say(json ? g.jsonLine : g.description)
            recorder?.add(gap: g.collector, start: g.start, end: g.end, reason: g.reason)
        }
        let summary = replayer.run(
            paths: files,
            output: { item in
                switch item {
                case .warning(let text):
                    warnings += 1
                    if !quiet && warnings <= DumpCommand.warningLimit { stderr.say("vigil: warning: \(text)") }
                case .note(let text):
                    if !quiet { stderr.say("vigil: \(text)") }
                case .notice(let n, let name):
                    guard !eventsOnly else { return }
                    stdout.say(json ? n.jsonLine(target: name) : n.text(target: name, namingTarget: naming))
                case .bin(let b):
                    stdout.say(json ? b.jsonLine : b.text(namingTarget: naming))
                    recorder?.add(b)
                case .event(let e):
                    events += 1
                    // Numbered after the events the store already holds.
                    let numbered = recorder?.add(e) ?? e
                    stdout.say(json ? numbered.jsonLine : numbered.text(target: byName[e.target] ?? targets[0]))
                }
                stdout.flushIfNeeded(threshold: 0)
            }, progress: { progress?.update($0) })
        progress?.finish()
        let d = summary.diagnostics
        stdout.say(
            json
                ? summary.jsonLine(targets: targets.map(\.name), events: events)
                : summary.text(targets: targets.count, events: events, files: files.count))
        stdout.flush()
        if d.hasProblems || summary.skippedBeforeRIB > 0 {
            stderr.say("vigil: \(d.summary); \(summary.skippedBeforeRIB) update records older than the RIB skipped")
        }
        if summary.votingPeers == 0 && summary.failedInputs.count < files.count {
            stderr.say(
                "vigil: warning: no peer voted (none carries a full feed by --full-feed \(targets[0].thresholds.fullFeedIPv4)); nothing could be detected"
            )
        }
        do {
            try recorder?.finish()
        } catch {
            stderr.say("vigil: error: \(error)")
            throw ExitCode(1)
        }
        if !summary.failedInputs.isEmpty {
            stderr.say("vigil: error: could not read \(summary.failedInputs.joined(separator: ", "))")
            throw ExitCode(1)
        }
    }
}
