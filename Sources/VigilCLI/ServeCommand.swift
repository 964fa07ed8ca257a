import ArgumentParser
import Foundation
import Hummingbird
import Logging
import VigilServer
import VigilStore

/// `vigil serve`: the HTTP API over an existing store (or a new, empty one).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the JSON API over a store: /api/v1/targets, status, events, signals; /healthz; /metrics.",
        discussion: """
            Reads the store that `vigil watch` writes, also while it runs; starts on an empty store when none \
            exists yet. Errors are JSON ({"error":{"message":...}}): 400 for bad parameters, 404 for unknown ids. \
            Stops cleanly on SIGINT or SIGTERM.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @Option(name: .long, help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port to listen on (0: any free port).")
    var port = 8080

    func validate() throws {
        if !(0...65535).contains(port) { throw ValidationError("--port must be from 0 to 65535, not \(port)") }
    }

    func run() async throws {
        let store: VigilStore
        do {
            store = try VigilStore(path: storeOptions.store)
        } catch {
            throw ValidationError("\(error)")
        }
        var logger = Logger(label: "vigil")
        logger.logLevel = .warning
        let err = Console(errors: true)
        let path = storeOptions.store
        let app = VigilHTTPServer(store: store, host: host, port: port).application(logger: logger) { [host] bound in
            err.say("vigil: serving \(path) on http://\(host):\(bound)/ (API under /api/v1)")
        }
        try await app.runService()
    }
}
