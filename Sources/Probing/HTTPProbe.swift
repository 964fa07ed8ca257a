import AsyncHTTPClient
import NIOCore

/// HTTP(S) GET: any HTTP answer means the server is reachable; the status and the time to the response
/// head are reported. Redirects are not followed (a redirect is an answer).
enum HTTPProbe {
    static func run(_ url: String, timeout: Double, client: HTTPClient) async -> ProbeOutcome {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "User-Agent", value: "vigil-probe")
        let start = Sockets.now()
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            let rtt = (Sockets.now() - start) * 1000
            _ = try? await response.body.collect(upTo: 1 << 20)
            let status = Int(response.status.code)
            return ProbeOutcome(
                reachable: true, rtt: rtt, error: status >= 500 ? "HTTP \(status)" : nil, status: status)
        } catch {
            return ProbeOutcome(reachable: false, rtt: nil, error: "\(error)")
        }
    }
}
