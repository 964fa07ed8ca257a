import ArgumentParser
import Foundation
import MRT
import Probing
import Vigil

/// `vigil probe`: one-off active probes.
struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Probe hosts once: ICMP echo, TCP connect, DNS, HTTP(S), traceroute.",
        discussion: """
            URLs: icmp://HOST, tcp://HOST:PORT, dns://SERVER/ZONE (the zone's SOA, over UDP, then TCP when the \
            answer is truncated or none comes), http://… and https://… (GET: status and time to the answer), \
            trace://HOST (UDP with rising TTL, no root needed; with --prefix2as each hop's AS is named). \
            Names are resolved when the probe runs. --target NAME probes the target's own hosts (over TCP, \
            which crosses filters best); --list prints those requests without sending anything.

            Probing is gentle by default: one probe per destination per second and at most 100 per second in \
            all (--max-rate), so a long list cannot flood anyone. ICMP needs root or a group in \
            net.ipv4.ping_group_range. Exit status: 0 when every host answered, 1 when any did not.
            """
    )

    @Argument(help: ArgumentHelp("What to probe.", valueName: "url"))
    var urls: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp("Also probe the URLs in this file, one per line (- for standard input).", valueName: "file"))
    var input: String?

    @Option(name: .long, help: "Probe the hosts of this target (`vigil targets` lists them).")
    var target: String?

    @Flag(name: .long, help: "Print the requests --target makes and stop.")
    var list = false

    @Flag(name: .long, help: "One JSON object per probe: url, reachable, rtt_ms, error, and the kind's details.")
    var json = false

    @Option(name: .long, help: "Seconds to wait for each answer (each hop for traceroute, at most 1 s).")
    var timeout: Double = 3

    @Option(name: .long, help: "Extra tries after a failure.")
    var retries = 1

    @Option(name: .long, help: "At most this many probes per second in all.")
    var maxRate: Double = 100

    @Option(
        name: .long, help: ArgumentHelp("Prefix-to-AS table (CAIDA pfx2as or pyasn; gzip or plain).", valueName: "file")
    )
    var prefix2as: String?

    func validate() throws {
        if urls.isEmpty && target == nil && input == nil {
            throw ValidationError("give URLs to probe, --input FILE, or --target NAME")
        }
        if timeout <= 0 || timeout > 60 {
            throw ValidationError("--timeout must be more than 0 and at most 60 seconds")
        }
        if retries < 0 || retries > 5 { throw ValidationError("--retries must be from 0 to 5") }
        if maxRate <= 0 || maxRate > 10_000 {
            throw ValidationError("--max-rate must be more than 0 and at most 10000")
        }
    }

    func run() async throws {
        var texts = urls
        if let input {
            let data =
                input == "-"
                ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: input)
            guard let data else { throw RuntimeError("cannot read \(input)") }
            texts += String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        }
        if let name = target {
            guard let t = Target.builtIn.first(where: { $0.name == name }) else {
                throw ValidationError(
                    "no built-in target \(name); built in: \(Target.builtIn.map(\.name).joined(separator: ", "))")
            }
            texts += t.probeURLs
        }
        if list {
            for t in texts { print(t) }
            return
        }
        var requests: [ProbeRequest] = []
        var bad: [String] = []
        for t in texts {
            do {
                requests.append(try ProbeRequest(t))
            } catch {
                bad.append("\(error)")
            }
        }
        let err = Console(errors: true)
        for b in bad { err.say("vigil: \(b)") }
        if requests.isEmpty { throw ExitCode(2) }
        var table: PrefixToAS?
        if let prefix2as { table = try Self.loadTable(prefix2as) }
        var options = ProbeOptions()
        options.timeout = timeout
        options.retries = retries
        options.maxRate = maxRate
        let results = await Prober(options: options, prefixToAS: table).run(requests)
        let out = Console()
        for r in results { out.say(json ? r.json : Self.text(r)) }
        if !bad.isEmpty { throw ExitCode(2) }
        if results.contains(where: { !$0.reachable }) { throw ExitCode(1) }
    }

    static func text(_ r: ProbeResult) -> String {
        var line = r.request.url + "  "
        line += r.reachable ? "reachable" : "UNREACHABLE"
        if let a = r.address, a != r.request.host { line += " (\(a))" }
        if let rtt = r.rttMs { line += String(format: "  %.1f ms", rtt) }
        if let s = r.httpStatus { line += "  HTTP \(s)" }
        if let c = r.dnsRcode { line += "  rcode \(c)" + (r.dnsOverTCP == true ? " over TCP" : "") }
        if let e = r.error { line += "  " + e }
        for h in r.hops ?? [] {
            line +=
                "\n  \(h.ttl)  " + (h.address ?? "*")
                + (h.asn.map { "  AS\($0)" } ?? "") + (h.rttMs.map { String(format: "  %.1f ms", $0) } ?? "")
        }
        return line
    }

    /// Reads a prefix-to-AS table, gzip, bzip2 or plain.
    static func loadTable(_ path: String) throws -> PrefixToAS {
        do {
            let text = try Self.readDecompressed(path)
            let table = PrefixToAS(text: String(decoding: text, as: UTF8.self))
            if table.count == 0 { throw RuntimeError("\(path) holds no IPv4 prefix-to-AS lines") }
            return table
        } catch let error as ValidationError {
            throw error
        } catch {
            throw RuntimeError("cannot read \(path): \(error)")
        }
    }

    /// A whole file's bytes, gunzipped or bunzipped when its magic bytes say so.
    static func readDecompressed(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RuntimeError("cannot read \(path)")
        }
        let bytes = [UInt8](data)
        let source: any ByteSource
        if bytes.starts(with: [0x1F, 0x8B]) {
            source = try GzipByteSource(input: MemoryByteSource(bytes))
        } else if bytes.starts(with: Array("BZh".utf8)) {
            source = try Bzip2ByteSource(input: MemoryByteSource(bytes))
        } else {
            return bytes
        }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { break }
            out += buffer[0..<n]
        }
        return out
    }
}
