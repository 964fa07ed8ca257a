import ArgumentParser
import Foundation
import VigilServer

/// Where the dashboard and API listen, and the token that allows writes.
struct HTTPOptions: ParsableArguments {
    @Option(name: .long, help: "Address the dashboard and API listen on.")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port of the dashboard and API (0: any free port).")
    var port = 8080

    @Option(
        name: .long,
        help: ArgumentHelp(
            "File holding the bearer token that allows writing annotations (without it the API is read-only).",
            valueName: "file"))
    var apiTokenFile: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Also answer requests whose Host header names this host (repeatable; default: localhost, 127.0.0.1, ::1 and --host). Use the name a reverse proxy or your users type; '*' allows any name.",
            valueName: "name"))
    var allowedHost: [String] = []

    @Option(name: .long, help: "Most HTTP connections open at once (more wait until one closes).")
    var maxConnections = 256

    @Option(
        name: .long,
        help:
            "Seconds a connection may stay without sending a whole request head before it is closed (idle and header timeout)."
    )
    var idleTimeout = 15

    func validate() throws {
        if !(0...65535).contains(port) { throw ValidationError("--port must be from 0 to 65535, not \(port)") }
        if !(1...100_000).contains(maxConnections) {
            throw ValidationError("--max-connections must be from 1 to 100000, not \(maxConnections)")
        }
        if !(1...3600).contains(idleTimeout) {
            throw ValidationError("--idle-timeout must be from 1 to 3600 seconds, not \(idleTimeout)")
        }
        for name in allowedHost where name.isEmpty || name.contains(where: { $0 == "/" || $0 == " " }) {
            throw ValidationError("--allowed-host takes a host name such as vigil.example.net, not '\(name)'")
        }
    }

    /// The server's limits: allowed host names, timeouts, caps.
    var limits: ServerLimits {
        var l = ServerLimits(listeningOn: host, extraHosts: allowedHost)
        l.maxConnections = maxConnections
        l.idleTimeout = .seconds(idleTimeout)
        return l
    }

    /// The token, read from its file; an error names the file when it cannot be used. A file that others
    /// may read or write is refused, as ssh refuses such a key: the token is a password.
    func token() throws -> String? {
        guard let apiTokenFile else { return nil }
        var info = stat()
        guard stat(apiTokenFile, &info) == 0 else {
            throw RuntimeError("cannot read the API token file \(apiTokenFile)")
        }
        if info.st_mode & 0o077 != 0 {
            throw RuntimeError(
                "the API token file \(apiTokenFile) is open to other users (mode \(String(info.st_mode & 0o777, radix: 8))): "
                    + "run chmod 600 \(apiTokenFile)")
        }
        guard let text = try? String(contentsOfFile: apiTokenFile, encoding: .utf8) else {
            throw RuntimeError("cannot read the API token file \(apiTokenFile)")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.count >= 16 else {
            throw RuntimeError(
                "the API token in \(apiTokenFile) is shorter than 16 characters: use a long random one")
        }
        return token
    }

    /// A word for the operator when the server listens on every address but answers only to local names.
    var exposureNote: String? {
        guard ["0.0.0.0", "::", "[::]"].contains(host), !allowedHost.contains("*") else { return nil }
        let names = ServerLimits(listeningOn: host, extraHosts: allowedHost).allowedHosts.sorted()
        return "listening on every address, but answering only requests for \(names.joined(separator: ", ")) "
            + "(others get 421): add --allowed-host NAME for each name others type, and see docs/security.md"
    }

    /// The address for links, as a browser would type it.
    func url(port bound: Int) -> String { VigilHTTPServer.displayURL(host: host, port: bound) }
}

/// Webhooks that get alerts.
struct AlertOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "POST each alert as JSON to this URL (repeatable): event start, update, end; feed lost and restored.",
            valueName: "url"))
    var webhook: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "POST alerts as Slack/Mattermost messages ({\"text\": ...}) to this URL (repeatable).", valueName: "url"))
    var slackWebhook: [String] = []

    func validate() throws {
        for url in webhook + slackWebhook {
            guard let u = URL(string: url), u.scheme == "http" || u.scheme == "https", u.host != nil else {
                throw ValidationError("a webhook must be an http:// or https:// URL, not \(url)")
            }
        }
    }

    /// The hooks.
    var hooks: [Webhook] {
        webhook.map { Webhook(url: $0, format: .json) } + slackWebhook.map { Webhook(url: $0, format: .slack) }
    }
}
