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
    /// The test's end of the link into the chain: every probe crosses it (capture here).
    public var hostInterface: String { hostLink }
    /// The /24s the test's namespace routes into the chain, and the host routes added since.
    private let routed: [String]
    private var extraRoutes: [String] = []

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

    /// Adds another host address to the target namespace (on its loopback) and routes it along the
    /// chain; `remove()` takes it away with the rest.
    public func addTargetHost(_ address: String) throws {
        let target = names[names.count - 1]
        try Self.ip(["-n", target, "addr", "add", address + "/32", "dev", "lo"])
        try Self.ip(["route", "add", address + "/32", "via", routerAddresses[0]])
        extraRoutes.append(address + "/32")
        for i in 0..<(names.count - 1) {
            let next = i + 1 < routerAddresses.count ? routerAddresses[i + 1] : targetAddress
            try Self.ip(["-n", names[i], "route", "add", address + "/32", "via", next])
        }
    }

    /// A TCP socket listening on `address`:`port` inside namespace `name`: the kernel completes
    /// handshakes into its backlog, so TCP probes get an answer with no server process. Close it when done.
    public func listenTCP(in name: String, address: String, port: Int) throws -> Int32 {
        // glibc's setns(2), which the Glibc module does not declare.
        typealias SetNS = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "setns") else { throw ValidationFailure("no setns in libc") }
        let setns = unsafeBitCast(symbol, to: SetNS.self)
        let result = ListenBox()
        let thread = Thread {
            // setns moves only this thread; the socket stays in the namespace it was made in.
            let original = open("/proc/self/ns/net", O_RDONLY)
            let target = open("/run/netns/\(name)", O_RDONLY)
            defer {
                if original >= 0 {
                    _ = setns(original, 0x4000_0000)
                    close(original)
                }
                if target >= 0 { close(target) }
                result.done.signal()
            }
            guard original >= 0, target >= 0, setns(target, 0x4000_0000) == 0 else { return }
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = in_port_t(UInt16(port).bigEndian)
            sa.sin_addr.s_addr = inet_addr(address)
            let bound = withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if bound == 0 && listen(fd, 128) == 0 { result.fd = fd } else { close(fd) }
        }
        thread.start()
        result.done.wait()
        guard result.fd >= 0 else { throw ValidationFailure("cannot listen on \(address):\(port) in \(name)") }
        return result.fd
    }

    /// Runs `ip` inside namespace `name` (a fault: `["route", "add", "blackhole", ...]`).
    public func ip(in name: String, _ arguments: [String]) throws {
        try Self.ip(["-n", name] + arguments)
    }

    /// Deletes the namespaces, the test's link and its routes.
    public func remove() {
        for r in routed + extraRoutes { _ = try? Self.run("/usr/sbin/ip", ["route", "del", r]) }
        _ = try? Self.run("/usr/sbin/ip", ["link", "del", hostLink])
        for n in names { _ = try? Self.run("/usr/sbin/ip", ["netns", "del", n]) }
    }

    /// A prefix-to-AS table (pfx2as format) for a two-router chain at `base`: the test's link and the
    /// routers' in AS4837 (an upstream), the target's link and its extra hosts' /24 in AS131279.
    public static func prefixToASText(base: Int) -> String {
        """
        198.18.\(base).0\t24\t4837
        198.18.\(base + 1).0\t24\t4837
        198.18.\(base + 2).0\t24\t131279
        198.18.\(base + 9).0\t24\t131279
        """
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

/// The outcome of `listenTCP`'s thread.
private final class ListenBox: @unchecked Sendable {
    var fd: Int32 = -1
    let done = DispatchSemaphore(value: 0)
}
