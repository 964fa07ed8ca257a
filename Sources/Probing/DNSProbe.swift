#if canImport(Glibc)
    import Glibc
#endif

/// A zone's SOA asked of one server: over UDP, again over TCP when the UDP answer is truncated or none
/// comes. Any answer, whatever its response code, means the server is reachable.
enum DNSProbe {
    /// The query: no recursion wanted (an authoritative server is asked), one SOA question.
    static func query(zone: String, id: UInt16) -> [UInt8] {
        var q: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in zone.split(separator: ".") where !label.isEmpty {
            let bytes = Array(label.utf8.prefix(63))
            q.append(UInt8(bytes.count))
            q += bytes
        }
        q += [0, 0, 6, 0, 1]  // root, QTYPE SOA, QCLASS IN
        return q
    }

    /// The response code and the truncation bit of an answer to `id`, or nil when it is not one.
    static func header(_ answer: [UInt8], id: UInt16) -> (rcode: Int, truncated: Bool)? {
        guard answer.count >= 12, UInt16(answer[0]) << 8 | UInt16(answer[1]) == id, answer[2] & 0x80 != 0 else {
            return nil
        }
        return (Int(answer[3] & 0x0F), answer[2] & 0x02 != 0)
    }

    static func run(_ address: ResolvedAddress, zone: String, timeout: Double, retries: Int) -> ProbeOutcome {
        let id = UInt16.random(in: 1...UInt16.max)
        let q = query(zone: zone, id: id)
        var lastError = "no answer"
        for _ in 0...max(0, retries) {
            let start = Sockets.now()
            switch udp(address, q, id: id, timeout: timeout) {
            case .answer(let rcode, false):
                return ProbeOutcome(
                    reachable: true, rtt: (Sockets.now() - start) * 1000, error: nil, rcode: rcode, tcp: false)
            case .answer(_, true):
                lastError = "truncated over UDP"
            case .failed(let why):
                lastError = why
                continue
            }
            break
        }
        let start = Sockets.now()
        switch tcp(address, q, id: id, timeout: timeout) {
        case .answer(let rcode, _):
            return ProbeOutcome(
                reachable: true, rtt: (Sockets.now() - start) * 1000, error: nil, rcode: rcode, tcp: true)
        case .failed(let why):
            return ProbeOutcome(
                reachable: false, rtt: nil, error: "UDP: \(lastError); TCP: \(why)", rcode: nil, tcp: true)
        }
    }

    enum Exchange {
        case answer(Int, Bool)
        case failed(String)
    }

    static func udp(_ address: ResolvedAddress, _ q: [UInt8], id: UInt16, timeout: Double) -> Exchange {
        let fd = socket(address.family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return .failed("socket: " + Sockets.text(errno)) }
        defer { close(fd) }
        Sockets.nonBlocking(fd)
        guard Sockets.withSockaddr(address, { connect(fd, $0, $1) }) == 0 else {
            return .failed(Sockets.connectionError(errno))
        }
        guard q.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == q.count else {
            return .failed(Sockets.connectionError(errno))
        }
        let start = Sockets.now()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let left = timeout - (Sockets.now() - start)
            guard left > 0, Sockets.wait(fd, Int16(POLLIN), seconds: left) != 0 else {
                return .failed("no answer within \(timeout) s")
            }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EAGAIN { continue }
                // An ICMP port unreachable comes back as ECONNREFUSED on a connected UDP socket.
                return .failed(Sockets.connectionError(errno))
            }
            if let h = header(Array(buffer[0..<n]), id: id) { return .answer(h.rcode, h.truncated) }
        }
    }

    static func tcp(_ address: ResolvedAddress, _ q: [UInt8], id: UInt16, timeout: Double) -> Exchange {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return .failed("socket: " + Sockets.text(errno)) }
        defer { close(fd) }
        Sockets.nonBlocking(fd)
        let start = Sockets.now()
        if Sockets.withSockaddr(address, { connect(fd, $0, $1) }) != 0 {
            guard errno == EINPROGRESS else { return .failed(Sockets.connectionError(errno)) }
            guard Sockets.wait(fd, Int16(POLLOUT), seconds: timeout) != 0 else { return .failed("connect timed out") }
            var code: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
            guard code == 0 else { return .failed(Sockets.connectionError(code)) }
        }
        let framed = [UInt8(q.count >> 8), UInt8(q.count & 0xFF)] + q
        guard framed.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == framed.count else {
            return .failed(Sockets.connectionError(errno))
        }
        var got: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if got.count >= 2 {
                let length = Int(got[0]) << 8 | Int(got[1])
                if got.count >= 2 + length {
                    guard let h = header(Array(got[2..<(2 + length)]), id: id) else { return .failed("not an answer") }
                    return .answer(h.rcode, false)
                }
            }
            let left = timeout - (Sockets.now() - start)
            guard left > 0, Sockets.wait(fd, Int16(POLLIN), seconds: left) != 0 else {
                return .failed("no answer within \(timeout) s")
            }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EAGAIN { continue }
            guard n > 0 else { return .failed(n == 0 ? "connection closed before the answer" : Sockets.text(errno)) }
            got += buffer[0..<n]
        }
    }
}

/// What a probe function found, before it becomes a `ProbeResult`.
struct ProbeOutcome: Sendable {
    var reachable: Bool
    var rtt: Double?
    var error: String?
    var rcode: Int? = nil
    var tcp: Bool? = nil
    var status: Int? = nil
    var hops: [ProbeResult.Hop]? = nil
    /// When the first packet left (monotonic seconds), when the probe knows it.
    var sentAt: Double? = nil
}
