import Foundation
import Vigil

/// What one probe found.
public struct ProbeResult: Sendable, Equatable {
    /// The request.
    public var request: ProbeRequest
    /// The address probed (the name resolved), when it resolved.
    public var address: String?
    /// Whether the host answered as the probe asks: an echo reply, an accepted connection, a DNS answer,
    /// an HTTP response, the destination reached.
    public var reachable: Bool
    /// Round-trip time of the answer, milliseconds; nil when unreachable.
    public var rttMs: Double?
    /// What went wrong, in words; nil on success.
    public var error: String?
    /// When the probe started, seconds since the epoch.
    public var time: Double
    /// Tries sent (1 plus the retries used); 0 when nothing was sent (the name did not resolve).
    public var attempts = 1
    /// HTTP: the status code. DNS: the response code (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, ...) and whether
    /// TCP was needed.
    public var httpStatus: Int?
    public var dnsRcode: Int?
    public var dnsOverTCP: Bool?
    /// Traceroute: each hop that answered, and the last one.
    public var hops: [Hop]?

    /// One traceroute hop.
    public struct Hop: Sendable, Equatable {
        /// The TTL sent.
        public var ttl: Int
        /// Who answered (nil: nobody within the timeout).
        public var address: String?
        /// Round trip, milliseconds.
        public var rttMs: Double?
        /// The AS that announces `address`, when a prefix-to-AS table was given.
        public var asn: UInt32?

        /// A hop.
        public init(ttl: Int, address: String?, rttMs: Double?, asn: UInt32? = nil) {
            self.ttl = ttl
            self.address = address
            self.rttMs = rttMs
            self.asn = asn
        }
    }

    /// A result with no detail.
    public init(
        request: ProbeRequest, address: String?, reachable: Bool, rttMs: Double?, error: String?, time: Double
    ) {
        self.request = request
        self.address = address
        self.reachable = reachable
        self.rttMs = rttMs
        self.error = error
        self.time = time
    }

    /// The last hop that answered.
    public var lastHop: Hop? { hops?.last { $0.address != nil } }

    /// One JSON object: at least `url`, `reachable`, `rtt_ms` (null when unreachable) and `error` (null on
    /// success); `kind`, `host`, `address`, `time`, and the kind's own fields.
    public var json: String {
        var f: [(String, String)] = [
            ("url", JSONObject.quote(request.url)), ("kind", JSONObject.quote(request.kind.rawValue)),
            ("host", JSONObject.quote(request.host)), ("address", address.map(JSONObject.quote) ?? "null"),
            ("reachable", reachable ? "true" : "false"), ("rtt_ms", rttMs.map(Self.number) ?? "null"),
            ("error", error.map(JSONObject.quote) ?? "null"), ("time", Self.number(time)),
        ]
        if let httpStatus { f.append(("http_status", "\(httpStatus)")) }
        if let dnsRcode { f.append(("dns_rcode", "\(dnsRcode)")) }
        if let dnsOverTCP { f.append(("dns_over_tcp", dnsOverTCP ? "true" : "false")) }
        if let hops {
            let items = hops.map { h in
                "{\"ttl\":\(h.ttl),\"address\":\(h.address.map(JSONObject.quote) ?? "null"),"
                    + "\"rtt_ms\":\(h.rttMs.map(Self.number) ?? "null"),\"asn\":\(h.asn.map { "\($0)" } ?? "null")}"
            }
            f.append(("hops", "[" + items.joined(separator: ",") + "]"))
            f.append(("last_hop", lastHop?.address.map(JSONObject.quote) ?? "null"))
            f.append(("last_hop_asn", lastHop?.asn.map { "\($0)" } ?? "null"))
        }
        return "{" + f.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    static func number(_ v: Double) -> String {
        v.isFinite ? String(format: "%.3f", v) : "null"
    }
}
