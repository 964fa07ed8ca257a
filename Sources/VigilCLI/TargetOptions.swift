import ArgumentParser
import BGP
import Foundation
import Probing
import Vigil

/// How a command chooses its targets: built-in ones, ones from a targets file, or whole countries.
struct TargetOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Target to watch: a built-in name (see `vigil targets`) or one from --targets; repeat for several (default: north-korea).",
            valueName: "name"))
    var target: [String] = []

    @Option(name: .long, help: ArgumentHelp("Targets file (TOML subset; see docs/targets.md).", valueName: "file"))
    var targets: String?

    @Flag(name: .long, help: "Every known target: the built-in ones and those of --targets.")
    var allTargets = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Watch a whole country (two-letter code) from an RIR delegated-stats file; repeat for several.",
            valueName: "CC")
    )
    var country: [String] = []

    @Flag(name: .long, help: "Every country the --delegated file delegates to (as --country for each).")
    var allCountries = false

    @Option(
        name: .long,
        help: ArgumentHelp("RIR delegated-stats file for --country (e.g. delegated-apnic-latest).", valueName: "file"))
    var delegated: String?

    func validate() throws {
        if (!country.isEmpty || allCountries) && delegated == nil {
            throw ValidationError(
                "--\(allCountries ? "all-countries" : "country") needs --delegated FILE (an RIR delegated-stats file, such as delegated-apnic-latest)"
            )
        }
        for c in country where c.count != 2 || !c.allSatisfy({ $0.isLetter }) {
            throw ValidationError("--country takes a two-letter country code such as KP, not \(c)")
        }
        for list in [target, country.map { $0.uppercased() }] {
            if let twice = Dictionary(grouping: list, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
                throw ValidationError("\(twice) is given twice")
            }
        }
    }

    /// The targets known with these options: built-in ones, then the file's.
    func known() throws -> [Target] {
        var all = Target.builtIn
        if let path = targets ?? ProcessInfo.processInfo.environment["VIGIL_TARGETS"] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw RuntimeError("cannot read targets file \(path)")
            }
            do {
                for t in try TargetFile.parse(text, name: path, checkProbe: Self.checkProbe) {
                    all.removeAll { $0.name == t.name }
                    all.append(t)
                }
            } catch {
                throw RuntimeError("\(error)")
            }
        }
        return all
    }

    /// Why a probe URL cannot be probed (the `Probing` module's grammar), or nil.
    @Sendable static func checkProbe(_ url: String) -> String? {
        do {
            _ = try ProbeRequest(url)
            return nil
        } catch {
            // The error names the URL first; the targets file's message names it already.
            let text = "\(error)"
            return text.hasPrefix(url + ": ") ? String(text.dropFirst(url.count + 2)) : text
        }
    }

    /// The country targets of --country, in the order given, with what each was built from and the
    /// delegated-stats lines that were not understood.
    func countryTargets() throws -> (targets: [(Target, CountryResources)], skipped: [(line: Int, text: String)]) {
        guard !country.isEmpty || allCountries, let delegated else { return ([], []) }
        guard let data = FileManager.default.contents(atPath: delegated) else {
            throw RuntimeError("cannot read delegated-stats file \(delegated)")
        }
        let read = CountryResources.byCountry(delegatedStats: String(decoding: data, as: UTF8.self))
        var out: [(Target, CountryResources)] = []
        let named = country.map { $0.uppercased() }
        // Every country of the file, in code order, after those named (each once).
        let codes = named + (allCountries ? read.countries.keys.sorted().filter { !named.contains($0) } : [])
        for code in codes {
            guard let resources = read.countries[code], !resources.asns.isEmpty || !resources.prefixes.isEmpty else {
                throw RuntimeError("\(delegated) delegates nothing to \(code)")
            }
            out.append((Target(country: resources), resources))
        }
        return (out, read.skipped)
    }

    /// Every chosen target: --all-targets, then each --target, then each --country (north-korea when none
    /// is named).
    func resolveAll() throws -> [Target] {
        let known = try known()
        var out: [Target] = allTargets ? known : []
        for name in target where !out.contains(where: { $0.name == name }) {
            guard let t = known.first(where: { $0.name == name }) else {
                throw ValidationError("unknown target \(name); known: \(known.map(\.name).joined(separator: ", "))")
            }
            out.append(t)
        }
        for (t, _) in try countryTargets().targets {
            guard !out.contains(where: { $0.name == t.name }) else {
                throw ValidationError("two targets are named \(t.name)")
            }
            out.append(t)
        }
        if out.isEmpty {
            guard let t = known.first(where: { $0.name == "north-korea" }) else {
                throw ValidationError("no target named; known: \(known.map(\.name).joined(separator: ", "))")
            }
            out.append(t)
        }
        return out
    }
}
