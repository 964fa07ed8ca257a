import ArgumentParser
import BGP
import Foundation
import VigilServer
import VigilStore

/// `vigil report`: a folder to publish about one event, or about a target's time range, from a store.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract:
            "Write a report of an event (or of a target's time range) to publish: HTML, PNG, SVG, Markdown, JSON.",
        discussion: """
            Writes, into --out (default report-EVENT or report-TARGET), report.html (one self-contained file, \
            inline SVG and CSS, no script), timeline.svg and timeline.png (rendered with rsvg-convert, Debian's \
            librsvg2-bin), report.md and report.json, all with the same facts: the headline in words, the \
            timeline of the target's space and prefixes and one lane per upstream, the probes when the store \
            has them, the evidence, the affected prefixes, the data sources and the command that reproduces it.

            Examples:
              vigil replay --from 2008-02-24T18:00Z --to 2008-02-24T21:30Z --collectors route-views2 \\
                --targets youtube.toml --target youtube --store yt.sqlite
              vigil report 1 --store yt.sqlite
              vigil report --target youtube --from 2008-02-24T18:00Z --to 2008-02-24T21:30Z --store yt.sqlite
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("The event's number (see `vigil events`).", valueName: "event"))
    var event: Int?

    @Option(name: .long, help: ArgumentHelp("A target's range instead of one event.", valueName: "name"))
    var target: String?

    @Option(name: .long, help: ArgumentHelp("Start of the range, UTC.", valueName: "time"))
    var from: String?

    @Option(name: .long, help: ArgumentHelp("End of the range, UTC.", valueName: "time"))
    var to: String?

    @Option(name: .long, help: ArgumentHelp("Folder to write (made when missing).", valueName: "dir"))
    var out: String?

    func validate() throws {
        if event == nil && target == nil {
            throw ValidationError("give an event number, or --target with --from and --to")
        }
        if event != nil && (target != nil || from != nil || to != nil) {
            throw ValidationError("an event number, or --target with --from and --to, not both")
        }
        if target != nil {
            guard let from, let to else { throw ValidationError("--target needs --from and --to") }
            let a = try ArchiveOptions.time(from, "--from")
            let b = try ArchiveOptions.time(to, "--to")
            guard b > a else { throw ValidationError("--to must be after --from") }
        }
    }

    func run() throws {
        let store = try storeOptions.openExisting()
        let report: EventReport
        do {
            if let event {
                report = try EventReport.event(event, store: store, now: Date().timeIntervalSince1970)
            } else if let target, let from, let to {
                report = try EventReport.range(
                    target: target, from: try ArchiveOptions.time(from, "--from"),
                    to: try ArchiveOptions.time(to, "--to"),
                    store: store)
            } else {
                throw ValidationError("give an event number, or --target with --from and --to")
            }
        } catch let e as EventReport.Failure {
            throw RuntimeError(e.description)
        }
        let folder = out ?? (event.map { "report-\($0)" } ?? "report-\(target ?? "range")")
        let written: ReportWriter.Written
        do {
            written = try ReportWriter.write(report, to: folder, store: storeOptions.store)
        } catch {
            throw RuntimeError("\(error)")
        }
        for w in written.warnings { FileHandle.standardError.write(Data("vigil: warning: \(w)\n".utf8)) }
        print(report.headline)
        for f in written.files { print("  \(f)") }
    }
}
