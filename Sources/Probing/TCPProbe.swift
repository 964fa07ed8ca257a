#if canImport(Glibc)
    import Glibc
#endif

/// TCP connect: the host is reachable when the connection is accepted; the RTT is the handshake's.
enum TCPProbe {
    static func run(_ address: ResolvedAddress, timeout: Double) -> (reachable: Bool, rtt: Double?, error: String?) {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return (false, nil, "socket: " + Sockets.text(errno)) }
        defer { close(fd) }
        Sockets.nonBlocking(fd)
        let start = Sockets.now()
        let rc = Sockets.withSockaddr(address) { connect(fd, $0, $1) }
        if rc != 0 {
            guard errno == EINPROGRESS else { return (false, nil, Sockets.connectionError(errno)) }
            let seen = Sockets.wait(fd, Int16(POLLOUT), seconds: timeout)
            guard seen != 0 else { return (false, nil, "timed out after \(timeout) s") }
            var code: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
            guard code == 0 else { return (false, nil, Sockets.connectionError(code)) }
        }
        return (true, (Sockets.now() - start) * 1000, nil)
    }
}
