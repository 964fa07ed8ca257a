#if canImport(Glibc)
    import Glibc
#endif

/// ICMP echo: an unprivileged ping socket where the kernel allows it (net.ipv4.ping_group_range), a
/// raw socket as root, and a clear message when neither can be opened.
enum ICMPProbe {
    /// Opens the socket for `family`: (fd, raw).
    static func open(family: Int32) throws(ProbeError) -> (Int32, Bool) {
        let proto = family == AF_INET ? Int32(IPPROTO_ICMP) : Int32(IPPROTO_ICMPV6)
        let dgram = socket(family, Int32(SOCK_DGRAM.rawValue), proto)
        if dgram >= 0 { return (dgram, false) }
        let raw = socket(family, Int32(SOCK_RAW.rawValue), proto)
        if raw >= 0 { return (raw, true) }
        throw ProbeError.notPermitted(
            "ICMP probes need root (a raw socket) or a group in net.ipv4.ping_group_range "
                + "(sysctl -w net.ipv4.ping_group_range='0 2147483647'); use tcp:// probes otherwise")
    }

    static func checksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var i = 0
        while i + 1 < bytes.count {
            sum += UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1])
            i += 2
        }
        if i < bytes.count { sum += UInt32(bytes[i]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }

    static func run(_ address: ResolvedAddress, timeout: Double, sequence: UInt16) throws(ProbeError) -> (
        reachable: Bool, rtt: Double?, error: String?
    ) {
        let (fd, raw) = try open(family: address.family)
        defer { close(fd) }
        Sockets.nonBlocking(fd)
        let v4 = address.family == AF_INET
        let identifier = UInt16(truncatingIfNeeded: getpid() ^ Int32(sequence))
        var packet: [UInt8] = [
            v4 ? 8 : 128, 0, 0, 0, UInt8(identifier >> 8), UInt8(identifier & 0xFF),
            UInt8(sequence >> 8), UInt8(sequence & 0xFF),
        ]
        packet += Array("vigil probe 0123".utf8)
        if v4 {
            let c = checksum(packet)
            packet[2] = UInt8(c >> 8)
            packet[3] = UInt8(c & 0xFF)
        }
        let start = Sockets.now()
        let sent = Sockets.withSockaddr(address) { sa, len in
            packet.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, sa, len) }
        }
        guard sent == packet.count else { return (false, nil, "send: " + Sockets.connectionError(errno)) }
        var buffer = [UInt8](repeating: 0, count: 1500)
        while true {
            let left = timeout - (Sockets.now() - start)
            guard left > 0, Sockets.wait(fd, Int16(POLLIN), seconds: left) != 0 else {
                return (false, nil, "no echo reply within \(timeout) s")
            }
            var from = sockaddr_storage()
            var fromLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let n = withUnsafeMutablePointer(to: &from) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                    buffer.withUnsafeMutableBytes { recvfrom(fd, $0.baseAddress, $0.count, 0, sa, &fromLength) }
                }
            }
            guard n > 0 else { continue }
            guard Resolver.text(from) == address.text else { continue }
            // A raw IPv4 socket hands over the IP header too.
            let offset = raw && v4 ? Int(buffer[0] & 0x0F) * 4 : 0
            guard n >= offset + 8 else { continue }
            let type = buffer[offset]
            let seq = UInt16(buffer[offset + 6]) << 8 | UInt16(buffer[offset + 7])
            let id = UInt16(buffer[offset + 4]) << 8 | UInt16(buffer[offset + 5])
            guard type == (v4 ? 0 : 129), seq == sequence else {
                if type == (v4 ? 3 : 1) { return (false, nil, "destination unreachable (ICMP type \(type))") }
                continue
            }
            // The kernel chooses the identifier of a ping socket; a raw socket's must be ours.
            if raw && id != identifier { continue }
            return (true, (Sockets.now() - start) * 1000, nil)
        }
    }
}

extension Prober {
    /// Nil when this process may send ICMP echo; otherwise what to change. A long-running prober asks
    /// before scheduling ICMP, so that a refused socket is never read as hosts that do not answer.
    public static func icmpProblem() -> String? {
        do {
            let (fd, _) = try ICMPProbe.open(family: AF_INET)
            close(fd)
            return nil
        } catch {
            return "\(error)"
        }
    }
}
