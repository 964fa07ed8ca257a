import Foundation

/// What to measure: one probe of one kind against one host, as given on the command line.
///
/// `icmp://HOST`, `tcp://HOST:PORT`, `dns://SERVER/ZONE` (the zone's SOA asked of SERVER, over UDP with a
/// retry over TCP), `http://…` and `https://…` (a GET: status and timing), `trace://HOST` (UDP with
/// rising TTL). Hosts are names (resolved when the probe runs) or addresses; IPv6 addresses in brackets.
public struct ProbeRequest: Sendable, Hashable, CustomStringConvertible {
    /// The kinds of probe.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case icmp, tcp, dns, http, trace
    }

    /// The request as given.
    public var url: String
    /// What to do.
    public var kind: Kind
    /// The host probed (for DNS, the server asked), without brackets.
    public var host: String
    /// The port (TCP, DNS, HTTP), when it has one.
    public var port: Int?
    /// DNS: the zone whose SOA is asked.
    public var zone: String?

    public var description: String { url }

    /// Parses `text`; the error says what a valid request looks like.
    public init(_ text: String) throws(ProbeError) {
        url = text
        guard let sep = text.range(of: "://") else {
            throw ProbeError.badRequest(
                text, "expected SCHEME://…: icmp://HOST, tcp://HOST:PORT, dns://SERVER/ZONE, http(s)://…, trace://HOST")
        }
        let scheme = text[..<sep.lowerBound].lowercased()
        let rest = String(text[sep.upperBound...])
        switch scheme {
        case "icmp", "trace":
            kind = scheme == "icmp" ? .icmp : .trace
            let (h, p) = try Self.hostPort(rest.hasSuffix("/") ? String(rest.dropLast()) : rest, text)
            guard p == nil else { throw ProbeError.badRequest(text, "\(scheme):// takes a host without a port") }
            host = h
        case "tcp":
            kind = .tcp
            let (h, p) = try Self.hostPort(rest.hasSuffix("/") ? String(rest.dropLast()) : rest, text)
            guard let p else { throw ProbeError.badRequest(text, "tcp:// needs a port: tcp://HOST:PORT") }
            host = h
            port = p
        case "dns":
            kind = .dns
            guard let slash = rest.firstIndex(of: "/") else {
                throw ProbeError.badRequest(text, "dns:// needs a zone: dns://SERVER/ZONE (dns://ns1.kptc.kp/kp)")
            }
            let (h, p) = try Self.hostPort(String(rest[..<slash]), text)
            host = h
            port = p ?? 53
            var z = String(rest[rest.index(after: slash)...])
            if z.hasSuffix("/") { z.removeLast() }
            guard !z.isEmpty, z.count <= 253, !z.contains("/") else {
                throw ProbeError.badRequest(text, "the zone must be a domain name, such as kp or kptc.kp")
            }
            zone = z
        case "http", "https":
            kind = .http
            guard let u = URL(string: text), let h = u.host, !h.isEmpty else {
                throw ProbeError.badRequest(text, "not a valid URL")
            }
            host = h.hasPrefix("[") && h.hasSuffix("]") ? String(h.dropFirst().dropLast()) : h
            port = u.port ?? (scheme == "https" ? 443 : 80)
        default:
            throw ProbeError.badRequest(
                text, "unknown scheme \(scheme): use icmp, tcp, dns, http, https or trace")
        }
        guard !host.isEmpty else { throw ProbeError.badRequest(text, "no host") }
    }

    /// Splits `HOST`, `HOST:PORT`, `[V6]` or `[V6]:PORT`.
    static func hostPort(_ s: String, _ whole: String) throws(ProbeError) -> (String, Int?) {
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { throw ProbeError.badRequest(whole, "unclosed [") }
            let host = String(s[s.index(after: s.startIndex)..<close])
            let after = s[s.index(after: close)...]
            if after.isEmpty { return (host, nil) }
            guard after.hasPrefix(":"), let p = Int(after.dropFirst()), (1...65535).contains(p) else {
                throw ProbeError.badRequest(whole, "bad port after ]")
            }
            return (host, p)
        }
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 1 { return (s, nil) }
        if parts.count > 2 { return (s, nil) }  // a bare IPv6 address
        guard let p = Int(parts[1]), (1...65535).contains(p) else {
            throw ProbeError.badRequest(whole, "the port must be a number from 1 to 65535, not \(parts[1])")
        }
        return (String(parts[0]), p)
    }
}

/// Why a probe could not be run or what it ran into.
public enum ProbeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request text is not a probe.
    case badRequest(String, String)
    /// The name does not resolve.
    case unresolvable(String, String)
    /// The machine does not allow this kind of probe (ICMP without the right to open its socket).
    case notPermitted(String)

    public var description: String {
        switch self {
        case .badRequest(let text, let why): "\(text): \(why)"
        case .unresolvable(let host, let why): "cannot resolve \(host): \(why)"
        case .notPermitted(let why): why
        }
    }
}
