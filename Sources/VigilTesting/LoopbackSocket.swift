import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A plain TCP client on loopback, for feeding recorded streams (BMP) to a listener the way a router does.
public enum LoopbackSocket {
    /// A socket call failed.
    public struct Failure: Error, CustomStringConvertible {
        /// What failed.
        public let description: String
    }

    /// A loopback TCP port free at the moment of asking (bound, read, released).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        defer { Glibc.close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Int32 in
                guard bind(fd, p, length) == 0 else { return -1 }
                return getsockname(fd, p, &length)
            }
        }
        guard bound == 0 else { throw Failure(description: "bind: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A whole HTTP/1.1 GET of `path` on 127.0.0.1:`port`: status code and body.
    public static func httpGet(_ path: String, port: Int) throws -> (status: Int, body: String) {
        let c = try Connection(port: port)
        defer { c.close() }
        try c.send(Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
        let answer = String(decoding: c.receiveAll(), as: UTF8.self)
        let status = answer.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        let body = answer.range(of: "\r\n\r\n").map { String(answer[$0.upperBound...]) } ?? ""
        return (status, body)
    }

    /// One raw HTTP/1.1 request (written whole by the caller, `Connection: close` included) to
    /// 127.0.0.1:`port`: status code, head and body of the answer.
    public static func http(_ request: String, port: Int, timeout: Double = 10) throws -> (
        status: Int, head: String, body: String
    ) {
        let c = try Connection(port: port)
        defer { c.close() }
        try c.send(Array(request.utf8))
        let answer = String(decoding: c.receiveAll(timeout: timeout), as: UTF8.self)
        let status = answer.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        guard let split = answer.range(of: "\r\n\r\n") else { return (status, answer, "") }
        return (status, String(answer[..<split.lowerBound]), String(answer[split.upperBound...]))
    }

    /// `httpGet` from an async test: the blocking socket calls run from a thread of their own
    /// (`Tools.offload`). Waiting for a server of this process on one of Swift's few cooperative threads
    /// can leave that server no thread to answer with; Swift picks this form in async code.
    public static func httpGet(_ path: String, port: Int) async throws -> (status: Int, body: String) {
        try await Tools.offload { try httpGet(path, port: port) as (status: Int, body: String) }
    }

    /// `http` from an async test, off the cooperative pool (see the async `httpGet`).
    public static func http(_ request: String, port: Int, timeout: Double = 10) async throws -> (
        status: Int, head: String, body: String
    ) {
        try await Tools.offload {
            try http(request, port: port, timeout: timeout) as (status: Int, head: String, body: String)
        }
    }

    /// Connects to 127.0.0.1:`port`, sends `bytes` in pieces of up to `piece` bytes, and closes.
    public static func send(_ bytes: [UInt8], port: Int, piece: Int = 1 << 16) throws {
        let connection = try Connection(port: port)
        defer { connection.close() }
        var at = 0
        while at < bytes.count {
            let n = min(piece, bytes.count - at)
            try connection.send(Array(bytes[at..<(at + n)]))
            at += n
        }
    }

    /// An open connection.
    public final class Connection: @unchecked Sendable {
        let fd: Int32

        /// Connects to 127.0.0.1:`port`, from the loopback address `source` when given (127.0.0.2, say:
        /// any 127/8 address is this machine's).
        public init(port: Int, source: String? = nil) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
            if let source, Self.call(fd, source, 0, bind) != 0 {
                Glibc.close(fd)
                throw Failure(description: "bind to \(source): errno \(errno)")
            }
            guard Self.call(fd, "127.0.0.1", port, connect) == 0 else {
                Glibc.close(fd)
                throw Failure(description: "connect to port \(port): errno \(errno)")
            }
        }

        /// `bind` or `connect` of `fd` to the IPv4 address `host` and `port`.
        static func call(
            _ fd: Int32, _ host: String, _ port: Int, _ body: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Int32
        ) -> Int32 {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr(host)
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    body(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }

        /// Sends all of `bytes`; a peer that closed is an error (MSG_NOSIGNAL: not a SIGPIPE that kills the test
        /// process, as a BMP station closing a refused router's connection would).
        public func send(_ bytes: [UInt8]) throws {
            var at = 0
            while at < bytes.count {
                let sent = bytes[at...].withUnsafeBytes {
                    Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                guard sent > 0 else { throw Failure(description: "send: errno \(errno)") }
                at += sent
            }
        }

        /// Reads until the peer closes (or `timeout` seconds pass): a whole HTTP/1.1 answer sent with
        /// `Connection: close`.
        public func receiveAll(timeout: Double = 5) -> [UInt8] {
            var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            var out: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { break }
                out += buffer[0..<n]
            }
            return out
        }

        /// Reads until what arrived contains `marker` or `timeout` seconds pass; returns all that arrived.
        public func receive(until marker: String, timeout: Double = 5) -> String {
            var tv = timeval(tv_sec: 0, tv_usec: 200_000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            let deadline = Date().addingTimeInterval(timeout)
            var out: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while Date() < deadline {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n == 0 { break }
                if n > 0 {
                    out += buffer[0..<n]
                    if String(decoding: out, as: UTF8.self).contains(marker) { break }
                }
            }
            return String(decoding: out, as: UTF8.self)
        }

        /// True when the peer has closed the connection (a read returns end of stream within `timeout`).
        public func peerClosed(timeout: Double) -> Bool {
            var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            var buffer = [UInt8](repeating: 0, count: 4096)
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n == 0 || (n < 0 && errno == ECONNRESET) { return true }
                if n < 0 { return false }
            }
            return false
        }

        /// Closes the connection.
        public func close() { Glibc.close(fd) }
    }
}
