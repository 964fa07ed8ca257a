import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A resolved address, ready for the socket calls.
struct ResolvedAddress: @unchecked Sendable {
    /// AF_INET or AF_INET6.
    var family: Int32
    /// The sockaddr_in or sockaddr_in6, with the port set.
    var storage: sockaddr_storage
    var length: socklen_t
    /// The address as text.
    var text: String

    /// A copy with another port.
    func with(port: Int) -> ResolvedAddress {
        var copy = self
        withUnsafeMutablePointer(to: &copy.storage) { p in
            if family == AF_INET {
                p.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    $0.pointee.sin_port = in_port_t(UInt16(port).bigEndian)
                }
            } else {
                p.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    $0.pointee.sin6_port = in_port_t(UInt16(port).bigEndian)
                }
            }
        }
        return copy
    }
}

/// Names to addresses with the system resolver (getaddrinfo), at the moment of probing.
enum Resolver {
    /// The first address of `host` (an address is returned as is); the error says why it failed.
    static func resolve(_ host: String, port: Int = 0) throws(ProbeError) -> ResolvedAddress {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, "\(port)", &hints, &result)
        guard rc == 0, let first = result else {
            throw ProbeError.unresolvable(host, String(cString: gai_strerror(rc)))
        }
        defer { freeaddrinfo(result) }
        // Prefer IPv4 when both exist: most targets' IPv6 is thin.
        var chosen = first
        var p: UnsafeMutablePointer<addrinfo>? = first
        while let a = p {
            if a.pointee.ai_family == AF_INET {
                chosen = a
                break
            }
            p = a.pointee.ai_next
        }
        var storage = sockaddr_storage()
        let length = chosen.pointee.ai_addrlen
        memcpy(&storage, chosen.pointee.ai_addr, Int(length))
        return ResolvedAddress(
            family: chosen.pointee.ai_family, storage: storage, length: length, text: Self.text(storage))
    }

    /// A sockaddr's address as text.
    static func text(_ storage: sockaddr_storage) -> String {
        var s = storage
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        if Int32(s.ss_family) == AF_INET {
            withUnsafePointer(to: &s) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    var a = sin.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &a, &buffer, socklen_t(buffer.count))
                }
            }
        } else {
            withUnsafePointer(to: &s) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin in
                    var a = sin.pointee.sin6_addr
                    _ = inet_ntop(AF_INET6, &a, &buffer, socklen_t(buffer.count))
                }
            }
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
