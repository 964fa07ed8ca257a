import ArgumentParser
import BGP
import Foundation
import Probing
import Vigil

/// How a command chooses its target: a built-in one, one from a targets file, or a whole country.
struct TargetOptions: ParsableArguments {
    @Option(name: .long, help: "Target to watch: a built-in name (see `vigil targets`) or one from --targets.")
    var target: String = "north-korea"

    @Option(name: .long, help: ArgumentHelp("Targets file (TOML subset; see docs/targets.md).", valueName: "file"))
    var targets: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Watch a whole country (two-letter code) from an RIR delegated-stats file.", valueName: "CC")
    )
    var country: String?

    @Option(
        name: .long,
        help: ArgumentHelp("RIR delegated-stats file for --country (e.g. delegated-apnic-latest).", valueName: "file"))
    var delegated: String?

    func validate() throws {
        if country != nil && delegated == nil {
            throw ValidationError(
                "--country needs --delegated FILE (an RIR delegated-stats file, such as delegated-apnic-latest)")
        }
        if let country, country.count != 2 || !country.allSatisfy({ $0.isLetter }) {
            throw ValidationError("--country takes a two-letter country code such as KP, not \(country)")
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

    /// The country target, when --country was given.
    func countryTarget() throws -> (Target, CountryResources)? {
        guard let country, let delegated else { return nil }
        guard let data = FileManager.default.contents(atPath: delegated) else {
            throw RuntimeError("cannot read delegated-stats file \(delegated)")
        }
        let text = String(decoding: data, as: UTF8.self)
        let resources = CountryResources(country: country, delegatedStats: text)
        guard !resources.asns.isEmpty || !resources.prefixes.isEmpty else {
            throw RuntimeError("\(delegated) delegates nothing to \(country.uppercased())")
        }
        return (Target(country: resources), resources)
    }

    /// The chosen target.
    func resolve() throws -> Target {
        if let (t, _) = try countryTarget() { return t }
        let all = try known()
        guard let t = all.first(where: { $0.name == target }) else {
            throw ValidationError("unknown target \(target); known: \(all.map(\.name).joined(separator: ", "))")
        }
        return t
    }
}
