#if canImport(Glibc)
    import Glibc
#endif

/// Traceroute without root: UDP datagrams with rising TTL on one socket with Linux's IP_RECVERR, whose
/// error queue hands back each ICMP "time exceeded" with the router that sent it.
enum TraceProbe {
    // Linux constants (linux/in.h, linux/in6.h, linux/errqueue.h, bits/socket.h).
    static let ipRecvErr: Int32 = 11
    static let ipv6RecvErr: Int32 = 25
    static let ipv6UnicastHops: Int32 = 16
    static let msgErrQueue: Int32 = 0x2000
    static let originICMP: UInt8 = 2
    static let originICMP6: UInt8 = 3

    /// One ICMP error from the queue: who sent it, its type and code.
    struct Report {
        var from: String
        var type: UInt8
        var code: UInt8
    }

    static func run(_ address: ResolvedAddress, timeout: Double, maxHops: Int, asn: (String) -> UInt32?)
        -> ProbeOutcome
    {
        let v4 = address.family == AF_INET
        let fd = socket(address.family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return ProbeOutcome(reachable: false, rtt: nil, error: "socket: " + Sockets.text(errno)) }
        defer { close(fd) }
        Sockets.nonBlocking(fd)
        var on: Int32 = 1
        let level = v4 ? Int32(IPPROTO_IP) : Int32(IPPROTO_IPV6)
        setsockopt(fd, level, v4 ? ipRecvErr : ipv6RecvErr, &on, socklen_t(MemoryLayout<Int32>.size))
        var hops: [ProbeResult.Hop] = []
        var silent = 0
        let perHop = min(timeout, 1.0)
        for ttl in 1...max(1, maxHops) {
            var t = Int32(ttl)
            setsockopt(fd, level, v4 ? Int32(IP_TTL) : ipv6UnicastHops, &t, socklen_t(MemoryLayout<Int32>.size))
            let target = address.with(port: 33433 + ttl)
            let payload = Array("vigil trace".utf8)
            let start = Sockets.now()
            let sent = Sockets.withSockaddr(target) { sa, len in
                payload.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, sa, len) }
            }
            if sent < 0 && errno != EHOSTUNREACH && errno != ENETUNREACH && errno != ECONNREFUSED {
                return ProbeOutcome(
                    reachable: false, rtt: nil, error: "send: " + Sockets.connectionError(errno), hops: hops)
            }
            var report: Report?
            while report == nil {
                let left = perHop - (Sockets.now() - start)
                guard left > 0, Sockets.wait(fd, Int16(POLLERR | POLLIN), seconds: left) != 0 else { break }
                report = readError(fd, v4: v4)
                if report == nil {
                    // A datagram answered (unusual for UDP probes): drain it.
                    var sink = [UInt8](repeating: 0, count: 512)
                    _ = sink.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                }
            }
            let rtt = (Sockets.now() - start) * 1000
            guard let report else {
                hops.append(ProbeResult.Hop(ttl: ttl, address: nil, rttMs: nil))
                silent += 1
                if silent >= 4 { break }
                continue
            }
            silent = 0
            hops.append(ProbeResult.Hop(ttl: ttl, address: report.from, rttMs: rtt, asn: asn(report.from)))
            let timeExceeded = v4 ? report.type == 11 : report.type == 3
            if timeExceeded { continue }
            let portUnreachable = v4 ? (report.type == 3 && report.code == 3) : (report.type == 1 && report.code == 4)
            if portUnreachable && report.from == address.text {
                return ProbeOutcome(reachable: true, rtt: rtt, error: nil, hops: hops)
            }
            return ProbeOutcome(
                reachable: false, rtt: nil,
                error: "stopped at hop \(ttl) (\(report.from)): ICMP type \(report.type) code \(report.code)",
                hops: hops)
        }
        let last = hops.last { $0.address != nil }
        return ProbeOutcome(
            reachable: false, rtt: nil,
            error: last.map { "destination not reached; last answer from hop \($0.ttl) (\($0.address ?? ""))" }
                ?? "no hop answered",
            hops: hops)
    }

    /// Reads one ICMP error from the socket's error queue.
    static func readError(_ fd: Int32, v4: Bool) -> Report? {
        var data = [UInt8](repeating: 0, count: 512)
        var control = [UInt8](repeating: 0, count: 512)
        var name = sockaddr_storage()
        let n: Int = data.withUnsafeMutableBytes { d in
            control.withUnsafeMutableBytes { c in
                withUnsafeMutablePointer(to: &name) { namePointer in
                    var iov = iovec(iov_base: d.baseAddress, iov_len: d.count)
                    return withUnsafeMutablePointer(to: &iov) { iovPointer in
                        var msg = msghdr()
                        msg.msg_name = UnsafeMutableRawPointer(namePointer)
                        msg.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
                        msg.msg_iov = iovPointer
                        msg.msg_iovlen = 1
                        msg.msg_control = c.baseAddress
                        msg.msg_controllen = c.count
                        let r = recvmsg(fd, &msg, msgErrQueue | Int32(MSG_DONTWAIT))
                        return r < 0 ? -1 : Int(msg.msg_controllen)
                    }
                }
            }
        }
        guard n > 0 else { return nil }
        // Walk the control messages: cmsghdr is {size_t len; int level; int type;}, data 8-aligned.
        var offset = 0
        let header = MemoryLayout<Int>.size + 8
        while offset + header <= n {
            let length = control.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: Int.self) }
            let level = control.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + 8, as: Int32.self) }
            let type = control.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + 12, as: Int32.self) }
            guard length >= header else { return nil }
            let body = offset + header
            let wanted = v4 ? (Int32(IPPROTO_IP), ipRecvErr) : (Int32(IPPROTO_IPV6), ipv6RecvErr)
            if level == wanted.0 && type == wanted.1 && body + 16 <= n {
                let origin = control[body + 4]
                guard origin == originICMP || origin == originICMP6 else { return nil }
                // The offender's sockaddr follows the 16-byte sock_extended_err.
                var offender = sockaddr_storage()
                let size = min(MemoryLayout<sockaddr_storage>.size, n - (body + 16))
                withUnsafeMutableBytes(of: &offender) { o in
                    control.withUnsafeBytes { c in
                        o.copyMemory(from: UnsafeRawBufferPointer(rebasing: c[(body + 16)..<(body + 16 + size)]))
                    }
                }
                return Report(from: Resolver.text(offender), type: control[body + 5], code: control[body + 6])
            }
            offset += (length + 7) & ~7
        }
        return nil
    }
}
