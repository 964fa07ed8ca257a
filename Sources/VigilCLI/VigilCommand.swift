import ArgumentParser

/// The `vigil` command: an Internet outage observatory.
@main
struct VigilCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Watch a country's Internet from the outside and explain its outages.",
        subcommands: [
            WatchCommand.self, ServeCommand.self, ReplayCommand.self, EventsCommand.self, StatusCommand.self,
            TargetsCommand.self, DumpCommand.self, ProbeCommand.self, ReportCommand.self,
        ]
    )
}
