import Foundation

/// A chain of network namespaces a test builds for itself, addressed from 198.18.0.0/15: the test's
/// own namespace, then `routers` forwarding namespaces, then a `target` namespace holding
/// `targetAddress`. Traceroute sees one hop per router, then the target. Needs root (`ip netns`);
/// `remove()` deletes every namespace (and with them their links and routes).
public final class NetnsChain: @unchecked Sendable {
    /// Namespaces, routers first, target last.
    public let names: [String]
    /// The target's address, and each router's address on the side facing the test.
    public let targetAddress: String
    public let routerAddresses: [String]
    private let hostLink: String
    /// The /24s the test's namespace routes into the chain.
    private let routed: [String]

    /// Builds the chain; `tag` keeps parallel chains apart (a few letters).
    public init(routers: Int, tag: String, base: Int = 100) throws {
        precondition(routers >= 1 && routers <= 8)
        let id = "\(tag)\(getpid() % 10000)"
        names = (1...routers).map { "vr\($0)-\(id)" } + ["vt-\(id)"]
        hostLink = "vh-\(id)"
        // Link k (0: test-router 1, ..., routers: last router-target) is 198.18.(base+k).0/30: .1 near, .2 far.
        let net = { (k: Int) in "198.18.\(base + k)" }
        routerAddresses = (0..<routers).map { "\(net($0)).2" }
        targetAddress = "\(net(routers)).2"
        routed = (1...routers).map { "\(net($0)).0/24" }
        // A chain left by a killed run on the same addresses: its link holds 198.18.base.1.
        let stale = (try? Self.run("/usr/sbin/ip", ["-o", "addr", "show", "to", "\(net(0)).0/30"])) ?? ""
        for line in stale.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count > 1 { _ = try? Self.run("/usr/sbin/ip", ["link", "del", String(fields[1])]) }
        }
        for r in routed { _ = try? Self.run("/usr/sbin/ip", ["route", "del", r]) }
        do {
            for n in names { try Self.ip(["netns", "add", n]) }
            // The test's side.
            try Self.ip(["link", "add", hostLink, "type", "veth", "peer", "name", "in0", "netns", names[0]])
            try Self.ip(["addr", "add", "\(net(0)).1/30", "dev", hostLink])
            try Self.ip(["link", "set", hostLink, "up"])
            for (i, n) in names.enumerated() {
                try Self.ip(["-n", n, "link", "set", "lo", "up"])
                try Self.ip(["-n", n, "addr", "add", "\(net(i)).2/30", "dev", "in0"])
                try Self.ip(["-n", n, "link", "set", "in0", "up"])
                try Self.ip(["-n", n, "route", "add", "default", "via", "\(net(i)).1"])
                guard i < routers else { continue }
                // Towards the next namespace.
                try Self.ip([
                    "-n", n, "link", "add", "out0", "type", "veth", "peer", "name", "in0", "netns", names[i + 1],
                ])
                try Self.ip(["-n", n, "addr", "add", "\(net(i + 1)).1/30", "dev", "out0"])
                try Self.ip(["-n", n, "link", "set", "out0", "up"])
                try Self.run("/usr/sbin/ip", ["netns", "exec", n, "sysctl", "-qw", "net.ipv4.ip_forward=1"])
                for k in (i + 2)...routers + 1 where k <= routers {
                    try Self.ip(["-n", n, "route", "add", "\(net(k)).0/24", "via", "\(net(i + 1)).2"])
                }
            }
            for r in routed { try Self.ip(["route", "add", r, "via", "\(net(0)).2"]) }
        } catch {
            remove()
            throw error
        }
    }

    /// Runs `ip` inside namespace `name` (a fault: `["route", "add", "blackhole", ...]`).
    public func ip(in name: String, _ arguments: [String]) throws {
        try Self.ip(["-n", name] + arguments)
    }

    /// Deletes the namespaces, the test's link and its routes.
    public func remove() {
        for r in routed { _ = try? Self.run("/usr/sbin/ip", ["route", "del", r]) }
        _ = try? Self.run("/usr/sbin/ip", ["link", "del", hostLink])
        for n in names { _ = try? Self.run("/usr/sbin/ip", ["netns", "del", n]) }
    }

    /// True when this process may build namespaces.
    public static var available: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")
    }

    static func ip(_ arguments: [String]) throws { try run("/usr/sbin/ip", arguments) }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let r = try Tools.run(tool, arguments)
        guard r.status == 0 else {
            throw ValidationFailure(
                "\(tool) \(arguments.joined(separator: " ")): \(String(decoding: r.stderr, as: UTF8.self))")
        }
        return r.output
    }
}
