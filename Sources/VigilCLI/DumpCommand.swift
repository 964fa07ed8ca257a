import ArgumentParser
import BGP
import MRT

#if canImport(Glibc)
    import Glibc
#endif

/// `vigil dump`: print the elements of MRT files, bgpdump-compatible or as JSON.
struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print the routes in MRT files (RIB dumps and update files), like bgpdump.",
        discussion: """
            Reads raw, gzip or bzip2 MRT files (the format is told from the first bytes, not the name) \
            and prints one line per element: RIB entry (B), announcement (A), withdrawal (W) or \
            session state change (STATE). -m and -M print exactly what `bgpdump -m` / `bgpdump -M` print.

            Damaged input (torn records, truncated downloads) is reported on standard error with the \
            record number and byte offset; reading resumes at the next record and a summary of what \
            was skipped is printed at the end. The exit status is 0 when data was read, 1 when an \
            input could not be read at all.

            Examples:
              vigil dump -m updates.20160811.1600.gz
              vigil dump --json --prefix 175.45.176.0/22 --more-specific rib.bz2
              curl -s https://data.ris.ripe.net/rrc00/latest-update.gz | vigil dump -m -
            """
    )

    @Argument(help: ArgumentHelp("MRT files to read; - reads standard input.", valueName: "file"))
    var files: [String]

    @Flag(name: .customShort("m"), help: "One line per element with unix timestamps, as `bgpdump -m`.")
    var machine = false

    @Flag(name: .customShort("M"), help: "One line per element with readable timestamps, as `bgpdump -M`.")
    var human = false

    @Flag(name: .long, help: "One JSON object per element (bgpkit field names).")
    var json = false

    @Flag(name: .long, help: "Print only the number of elements (after filters).")
    var count = false

    @Option(name: .long, help: ArgumentHelp("Keep only this prefix (repeatable).", valueName: "prefix"))
    var prefix: [String] = []

    @Flag(name: .long, help: "With --prefix: also keep prefixes inside it.")
    var moreSpecific = false

    @Flag(name: .long, help: "With --prefix: also keep prefixes that cover it.")
    var lessSpecific = false

    @Option(name: .long, help: ArgumentHelp("Keep routes originated by this AS (repeatable).", valueName: "asn"))
    var origin: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp("Keep elements from this peer, by address or AS number (repeatable).", valueName: "peer"))
    var peer: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Keep these element types: A (announce), W (withdraw), B (RIB), STATE; comma-separated or repeated.",
            valueName: "type"))
    var type: [String] = []

    @Flag(name: .long, help: "Do not print each warning; print only the summary.")
    var quiet = false

    func validate() throws {
        if [machine, human, json, count].filter({ $0 }).count > 1 {
            throw ValidationError("choose one of -m, -M, --json and --count")
        }
        if moreSpecific && lessSpecific {
            throw ValidationError("--more-specific and --less-specific exclude each other")
        }
        if (moreSpecific || lessSpecific) && prefix.isEmpty {
            throw ValidationError("--more-specific and --less-specific need --prefix")
        }
        _ = try makeFilter()
    }

    func makeFilter() throws -> RouteFilter {
        var filter = RouteFilter()
        for text in prefix {
            guard let p = IPPrefix(text) else {
                throw ValidationError("--prefix \(text) is not a prefix such as 175.45.176.0/22 or 2001:db8::/32")
            }
            filter.prefixes.append(p)
        }
        filter.prefixMatch = moreSpecific ? .moreSpecific : (lessSpecific ? .lessSpecific : .exact)
        for text in origin {
            guard let asn = DumpCommand.parseASN(text) else {
                throw ValidationError("--origin \(text) is not an AS number such as 131279 or AS131279")
            }
            filter.originASNs.insert(asn)
        }
        for text in peer {
            if let address = IPAddress(text) {
                filter.peerAddresses.insert(address)
            } else if let asn = DumpCommand.parseASN(text) {
                filter.peerASNs.insert(asn)
            } else {
                throw ValidationError("--peer \(text) is neither an IP address nor an AS number")
            }
        }
        for item in type.flatMap({ $0.split(separator: ",") }) {
            switch item.uppercased() {
            case "A", "ANNOUNCE", "ANNOUNCEMENT": filter.kinds.insert(.announcement)
            case "W", "WITHDRAW", "WITHDRAWAL": filter.kinds.insert(.withdrawal)
            case "B", "RIB": filter.kinds.insert(.ribEntry)
            case "STATE", "S": filter.kinds.insert(.stateChange)
            default: throw ValidationError("--type \(item) is not one of A, W, B, STATE")
            }
        }
        return filter
    }

    static func parseASN(_ text: String) -> UInt32? {
        let digits = text.uppercased().hasPrefix("AS") ? String(text.dropFirst(2)) : text
        if let asn = UInt32(digits) { return asn }
        // asdot notation (RFC 5396): high.low
        let parts = digits.split(separator: ".")
        if parts.count == 2, let hi = UInt16(parts[0]), let lo = UInt16(parts[1]) {
            return UInt32(hi) << 16 | UInt32(lo)
        }
        return nil
    }

    func run() throws {
        let filter = try makeFilter()
        let stdout = OutputSink(fd: 1)
        let stderr = OutputSink(fd: 2)
        let text = BGPDumpFormatter(mode: human ? .human : .machine)
        let jsonFormatter = JSONElementFormatter()
        var elements = 0
        var failedInputs = 0
        for path in files {
            let reader: MRTReader
            do {
                reader = try MRTReader.open(path: path)
            } catch {
                stderr.say("vigil: error: \(error)")
                failedInputs += 1
                continue
            }
            if !quiet {
                var shown = 0
                reader.onWarning = { warning in
                    shown += 1
                    if shown <= DumpCommand.warningLimit {
                        stderr.say("vigil: warning: \(warning)")
                    } else if shown == DumpCommand.warningLimit + 1 {
                        stderr.say("vigil: further warnings about \(reader.name) are only counted in the summary")
                    }
                }
            }
            let progress = ProgressBar(label: reader.name, total: DumpCommand.fileSize(path))
            text.reset()
            var decoder = MRTDecoder(filter: filter)
            do {
                while let record = try reader.next() {
                    let outcome: DecodingOutcome
                    if count {
                        outcome = decoder.decode(record) { _ in elements += 1 }
                    } else if json {
                        outcome = decoder.decode(record) { e in jsonFormatter.format(e, into: stdout.buffer) }
                    } else {
                        outcome = decoder.decode(record) { e in text.format(e, into: stdout.buffer) }
                    }
                    switch outcome {
                    case .decoded: break
                    case .unsupported: reader.reportUnsupported(record.header)
                    case .damaged(let why): reader.reportDamage(record.header, why)
                    }
                    stdout.flushIfNeeded()
                    if stdout.failed != nil { break }
                    progress?.update(reader.compressedPosition)
                }
            } catch {
                stderr.say("vigil: error: \(reader.name): \(error)")
            }
            progress?.finish()
            if stdout.failed != nil { break }
            let d = reader.diagnostics
            if d.records == 0 { failedInputs += 1 }
            if d.hasProblems || d.records == 0 {
                stderr.say("vigil: \(reader.name): \(d.summary)")
            }
        }
        if count { stdout.buffer.append(string: "\(elements)\n") }
        stdout.flush()
        if let failure = stdout.failed, !failure.lowercased().contains("broken pipe") {
            stderr.say("vigil: error: cannot write output: \(failure)")
            throw ExitCode(1)
        }
        if failedInputs > 0 { throw ExitCode(1) }
    }

    /// Warnings printed per input before the rest are only counted.
    static let warningLimit = 100

    static func fileSize(_ path: String) -> UInt64? {
        guard path != "-" else { return nil }
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt64(info.st_size)
    }
}
