import BGP
import HummingbirdWSClient
import Logging
import NIOSSL
import Synchronization
import VigilClock

/// One RIS Live subscription (`ris_subscribe`), by prefix or by AS path pattern.
public struct RISSubscription: Sendable, Equatable {
    /// A prefix, matched with its more-specifics.
    public var prefix: String?
    /// An AS path regular expression, e.g. `131279$` for routes that AS originates.
    public var path: String?
    /// The message type ("UPDATE", "RIS_PEER_STATE"); nil for all.
    public var type: String?
    /// With a prefix: also the prefixes covering it.
    public var lessSpecific = false

    /// Creates a subscription.
    public init(prefix: String? = nil, path: String? = nil, type: String? = "UPDATE") {
        self.prefix = prefix
        self.path = path
        self.type = type
    }

    /// The frame that asks for it.
    public var frame: String {
        var data: [String] = []
        if let prefix { data.append("\"prefix\":\"\(prefix)\",\"moreSpecific\":true,\"lessSpecific\":\(lessSpecific)") }
        if let path { data.append("\"path\":\"\(path)\"") }
        if let type { data.append("\"type\":\"\(type)\"") }
        data.append("\"socketOptions\":{\"includeRaw\":false}")
        return "{\"type\":\"ris_subscribe\",\"data\":{\(data.joined(separator: ","))}}"
    }
}

/// How to reach RIS Live and what to ask for.
public struct RISLiveConfiguration: Sendable {
    /// The websocket URL.
    public var url = "wss://ris-live.ripe.net/v1/ws/?client=vigil"
    /// What to subscribe to on every connection.
    public var subscriptions: [RISSubscription] = []
    /// Seconds between our `ping` frames (RIS Live answers `pong`).
    public var pingInterval: Double = 15
    /// Seconds the connection may wait without any frame (pongs included) before it counts as stalled and
    /// is replaced. Time our own handler spends on frames, and time this process did not run, do not count.
    public var stallTimeout: Double = 45
    /// Reconnection back-off: first delay, ceiling, seconds; each delay is jittered by ±50%.
    public var backoffInitial: Double = 1
    public var backoffMaximum: Double = 60
    /// A RIS beacon prefix subscribed as a canary (RIS announces and withdraws its beacons every two
    /// hours), and how long it may stay silent before the feed counts as unhealthy.
    public var canaryPrefix: String? = "84.205.64.0/24"
    public var canarySilence: Double = 3 * 3600
    /// Largest frame accepted, bytes.
    public var maxFrameSize = 1 << 20
    /// A message stamped more than this many seconds after this machine's clock is skipped (and reported
    /// as a malformed frame): one frame from the year 2100 would otherwise move the bin clock there and
    /// stop every later bin.
    public var maxClockSkew: Double = 300

    /// The default configuration (the public RIS Live service, no subscriptions yet).
    public init() {}

    /// Every subscription sent on connect: the configured ones, the canary, and peer state changes.
    public var allSubscriptions: [RISSubscription] {
        var all = subscriptions
        if let canaryPrefix { all.append(RISSubscription(prefix: canaryPrefix)) }
        all.append(RISSubscription(type: "RIS_PEER_STATE"))
        return all
    }
}

/// What the client reports, in order, to its handler.
public enum RISLiveEvent: Sendable {
    /// A connection is up and subscribed (`attempt` counts connections made by this client).
    case connected(attempt: Int)
    /// A message from a collector.
    case message(RISMessage)
    /// The server said something went wrong (`ris_error`).
    case serverError(String)
    /// A frame that could not be read: its number on this connection and the parse error.
    case malformed(frame: Int, error: RISParseError)
    /// The connection ended or could not be made; reconnection follows after `retryIn` seconds. From
    /// here to the next `connected` the feed has a gap: nothing heard is nothing known, not withdrawals.
    case disconnected(reason: String, retryIn: Double)
    /// The canary prefix has been silent longer than allowed since `since` (or it came back: false).
    case canary(silent: Bool, since: Double)
}

/// A RIS Live websocket client that stays connected: subscribes on every connection, pings, notices
/// stalls, reconnects with jittered exponential back-off, and hands every frame to one handler in order
/// (the handler's pace is the reading pace, so a flood cannot pile up in memory).
public struct RISLiveClient: Sendable {
    /// The configuration.
    public var configuration: RISLiveConfiguration
    /// The logger.
    public var logger: Logger
    /// The clock the client stamps by and waits by (pings, the stall watchdog, the canary, reconnection
    /// back-off); injected so tests run on their own time.
    public var clock: any EpochClock

    /// A client.
    public init(configuration: RISLiveConfiguration, logger: Logger, clock: any EpochClock = SystemClock()) {
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
    }

    /// The clock now, seconds since the epoch.
    func now() -> Double { clock.seconds }

    /// Connects and reconnects until the task is cancelled, calling `handler` with each event.
    public func run(_ handler: @escaping @Sendable (RISLiveEvent) async -> Void) async {
        var attempt = 0
        var failures = 0
        let canary = Locked((heard: now(), alarmed: false))
        while !Task.isCancelled {
            attempt += 1
            let heardAny = Locked(false)
            var reason = "connection closed by the server"
            do {
                try await connectOnce(attempt: attempt, canary: canary, heardAny: heardAny, handler)
            } catch is CancellationError {
                return
            } catch {
                reason = "\(error)"
            }
            if Task.isCancelled { return }
            failures = heardAny.withLock { $0 } ? 0 : failures + 1
            let base = min(configuration.backoffMaximum, configuration.backoffInitial * Double(1 << min(failures, 16)))
            let delay = base * Double.random(in: 0.5...1.5)
            await handler(.disconnected(reason: reason, retryIn: delay))
            do {
                try await clock.sleep(seconds: delay)
            } catch {
                return
            }
        }
    }

    /// Stalled: no frame for too long.
    struct Stalled: Error, CustomStringConvertible {
        var seconds: Double
        var description: String { "no frame from RIS Live for \(Int(seconds)) s: connection stalled" }
    }

    private func connectOnce(
        attempt: Int, canary: Locked<(heard: Double, alarmed: Bool)>, heardAny: Locked<Bool>,
        _ handler: @escaping @Sendable (RISLiveEvent) async -> Void
    ) async throws {
        let config = configuration
        let epoch = clock
        let clock: @Sendable () -> Double = { epoch.seconds }
        let tls: TLSConfiguration? = config.url.hasPrefix("wss:") ? .makeClientConfiguration() : nil
        try await WebSocketClient.connect(
            url: config.url, configuration: WebSocketClientConfiguration(maxFrameSize: config.maxFrameSize),
            tlsConfiguration: tls, logger: logger
        ) { inbound, outbound, _ in
            for s in config.allSubscriptions { try await outbound.write(.text(s.frame)) }
            await handler(.connected(attempt: attempt))
            let waitingSince = Locked(clock())
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // Pings, the stall watchdog and the canary check.
                    let tick = min(config.pingInterval, config.stallTimeout / 3)
                    var woke = clock()
                    while true {
                        try await epoch.sleep(seconds: tick)
                        let t = clock()
                        // A wake more than a tick late means this process did not run (a loaded machine, a
                        // suspended laptop): frames may wait unread in the socket, so the silence is ours,
                        // not the server's. The next wake on time judges it, after the reader had its turn.
                        let late = t - woke - tick > tick
                        woke = t
                        let silent = t - waitingSince.withLock { $0 }
                        if silent > config.stallTimeout && !late { throw Stalled(seconds: silent) }
                        try await outbound.write(.text("{\"type\":\"ping\"}"))
                        let alarm: Double? = canary.withLock { c in
                            guard config.canaryPrefix != nil, !c.alarmed, t - c.heard > config.canarySilence else {
                                return nil
                            }
                            c.alarmed = true
                            return c.heard
                        }
                        if let alarm { await handler(.canary(silent: true, since: alarm)) }
                    }
                }
                group.addTask {
                    var frames = 0
                    for try await message in inbound.messages(maxSize: config.maxFrameSize) {
                        frames += 1
                        // Silence counts only while the reader waits: time our handler spends on a frame
                        // (a slow store, a busy engine) is not the server's.
                        waitingSince.withLock { $0 = .infinity }
                        defer { waitingSince.withLock { $0 = clock() } }
                        guard case .text(let text) = message else { continue }
                        let parsed: Result<RISFrame, RISParseError>
                        do throws(RISParseError) {
                            parsed = .success(try RISFrame(parsing: text))
                        } catch {
                            parsed = .failure(error)
                        }
                        guard case .success(let frame) = parsed else {
                            if case .failure(let error) = parsed {
                                await handler(.malformed(frame: frames, error: error))
                            }
                            continue
                        }
                        switch frame {
                        case .message(let m):
                            let ahead = m.timestamp - clock()
                            guard ahead <= config.maxClockSkew else {
                                let why =
                                    "timestamp \(UTCTime.iso(m.timestamp)) is \(Int(ahead)) s ahead of this machine's clock "
                                    + "(more than \(Int(config.maxClockSkew)) s); message skipped"
                                await handler(.malformed(frame: frames, error: RISParseError(offset: 0, reason: why)))
                                continue
                            }
                            heardAny.withLock { $0 = true }
                            if let p = config.canaryPrefix.flatMap(IPPrefix.init),
                                m.announced.contains(p) || m.withdrawn.contains(p)
                            {
                                let back = canary.withLock { c in
                                    defer { c = (m.timestamp, false) }
                                    return c.alarmed
                                }
                                if back { await handler(.canary(silent: false, since: m.timestamp)) }
                            }
                            await handler(.message(m))
                        case .error(let text):
                            await handler(.serverError(text))
                        case .pong, .subscribed, .other:
                            break
                        }
                    }
                }
                // Whichever ends first (the server closing, a stall, an error) ends the connection.
                try await group.next()
                group.cancelAll()
            }
        }
    }
}
