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
        abstract: "Serve the dashboard and the JSON API over a store (as `vigil watch` does while it runs).",
        discussion: """
            Reads the store that `vigil watch` writes, also while it runs; starts on an empty store when none \
            exists yet. Pages: / (overview), /targets/NAME (timeline; from= and to= zoom), /events/ID; they update \
            live over server-sent events (/api/v1/stream). API under /api/v1, described by /api/v1/openapi.json; \
            /healthz; Prometheus /metrics. Errors are JSON ({"error":{"message":...}}): 400 for bad parameters, \
            404 for unknown ids. Annotations can be written only with --api-token-file. Stops cleanly on SIGINT \
            or SIGTERM.
            """
    )

    @OptionGroup var storeOptions: StoreOptions

    @OptionGroup var http: HTTPOptions

    func run() async throws {
        let store: History
        do {
            store = try History(path: storeOptions.store)
        } catch {
            throw RuntimeError("\(error)")
        }
        var logger = Logger(label: "vigil")
        logger.logLevel = .warning
        let err = Console(errors: true)
        let path = storeOptions.store
        let http = self.http
        let app = VigilHTTPServer(
            store: store, host: http.host, port: http.port, apiToken: try http.token(), limits: http.limits
        )
        .application(logger: logger) { bound in
            err.say("vigil: serving \(path): dashboard on \(http.url(port: bound))/ (API under /api/v1)")
            if let note = http.exposureNote { err.say("vigil: \(note)") }
        }
        do {
            try await app.runService()
        } catch {
            throw RuntimeError(Self.bindHelp(error, http))
        }
    }

    /// A listening failure in words, with the way out when the port is taken.
    static func bindHelp(_ error: any Error, _ http: HTTPOptions) -> String {
        let text = "\(error)"
        if text.contains("Address already in use") {
            return "cannot listen on \(http.host):\(http.port): the port is in use; choose another with --port"
        }
        return "cannot serve on \(http.host):\(http.port): \(text)"
    }
}
