import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Small helpers over the BSD socket calls the probes use.
enum Sockets {
    /// Monotonic seconds, for round-trip times.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// The text of an errno value.
    static func text(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// Makes `fd` non-blocking.
    static func nonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL, 0)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
    }

    /// Waits for `events` on `fd` for up to `seconds`; the events seen (0 on timeout).
    static func wait(_ fd: Int32, _ events: Int16, seconds: Double) -> Int16 {
        var p = pollfd(fd: fd, events: events, revents: 0)
        let ms = Int32(max(0, min(seconds, 3600)) * 1000)
        while true {
            let rc = poll(&p, 1, ms)
            if rc < 0 && errno == EINTR { continue }
            return rc > 0 ? p.revents : 0
        }
    }

    /// Calls `body` with `address` as a `sockaddr` pointer.
    static func withSockaddr<T>(_ address: ResolvedAddress, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        var storage = address.storage
        return withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, address.length) }
        }
    }

    /// The "errno" a connection attempt ended with, in words a reader of probe results understands.
    static func connectionError(_ code: Int32) -> String {
        switch code {
        case ECONNREFUSED: "connection refused (the host answered; nothing listens on the port)"
        case EHOSTUNREACH: "host unreachable"
        case ENETUNREACH: "network unreachable"
        case ETIMEDOUT: "timed out"
        default: text(code)
        }
    }
}
