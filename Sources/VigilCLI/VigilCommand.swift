import ArgumentParser

/// The `vigil` command: an Internet outage observatory.
@main
struct VigilCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Watch a country's Internet from the outside and explain its outages.",
        subcommands: [ReplayCommand.self, TargetsCommand.self, DumpCommand.self]
    )
}
