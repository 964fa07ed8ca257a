import AsyncHTTPClient
import Foundation
import NIOCore
import VigilClock

/// Why a request failed.
enum FetchFailure: Error, CustomStringConvertible {
    case notFound(Int)
    case status(Int)
    case truncated(UInt64, of: UInt64)
    /// Larger than the limit, in bytes.
    case tooLarge(UInt64)
    case transport(String)
    case local(String)

    var description: String {
        switch self {
        case .notFound(let code): "not found (HTTP \(code))"
        case .status(let code): "HTTP \(code)"
        case .truncated(let got, let of): "truncated: \(got) of \(of) bytes"
        case .tooLarge(let limit): "larger than \(limit) bytes, the limit"
        case .transport(let why): why
        case .local(let why): why
        }
    }

    var retryable: Bool {
        switch self {
        case .notFound, .tooLarge, .local: false
        case .status(let code): code >= 500 || code == 429 || code == 408
        case .truncated, .transport: true
        }
    }
}

/// How a GET is tried again, for the archives and RIPEstat alike: once, then after a back-off doubling
/// from `delay` while it fails in a way worth trying again (`FetchFailure.retryable`), at most `retries`
/// more times.
struct RetryPolicy: Sendable {
    var retries: Int
    var delay: Double
    var clock: any EpochClock

    /// The client both fetchers use: `timeout` to connect and between reads, at most five redirects, bodies
    /// as the server sends them (an archive's `.gz` stays compressed).
    static func clientConfiguration(timeout: Duration) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .init(timeout), read: .init(timeout))
        configuration.redirectConfiguration = .follow(max: 5, allowCycles: false)
        configuration.decompression = .disabled
        return configuration
    }

    /// `job` for each of `0..<count`, at most `parallel` at once; `done` is told how many have ended as each
    /// ends. The results come back in index order.
    static func inParallel<T: Sendable>(
        _ count: Int, parallel: Int, _ job: @escaping @Sendable (Int) async -> T, done: (Int) -> Void = { _ in }
    ) async -> [T] {
        var results: [T?] = Array(repeating: nil, count: count)
        await withTaskGroup(of: (Int, T).self) { group in
            var next = 0
            func start() {
                guard next < count else { return }
                let i = next
                next += 1
                group.addTask { (i, await job(i)) }
            }
            for _ in 0..<max(1, parallel) { start() }
            var ended = 0
            while let (i, result) = await group.next() {
                results[i] = result
                ended += 1
                done(ended)
                start()
            }
        }
        return results.compactMap { $0 }
    }

    /// Runs `attempt` under the rule; `count` is called before each try (each is a request).
    func run<T>(count: () -> Void, _ attempt: () async -> Result<T, FetchFailure>) async -> Result<T, FetchFailure> {
        var last = FetchFailure.transport("not tried")
        for n in 0...max(0, retries) {
            if n > 0 { try? await clock.sleep(seconds: delay * Double(1 << min(n - 1, 10))) }
            count()
            switch await attempt() {
            case .success(let value): return .success(value)
            case .failure(let e):
                last = e
                if !e.retryable { return .failure(e) }
            }
        }
        return .failure(last)
    }

    /// The body of `url` (at most `maxBytes`: more is a failure), under the rule.
    func body(_ url: String, client: HTTPClient, maxBytes: Int, count: () -> Void) async -> Result<
        [UInt8], FetchFailure
    > {
        await run(count: count) {
            do {
                let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(600))
                guard response.status == .ok else {
                    let code = Int(response.status.code)
                    return .failure(code == 404 || code == 410 ? .notFound(code) : .status(code))
                }
                var body: [UInt8] = []
                for try await chunk in response.body {
                    guard body.count + chunk.readableBytes <= maxBytes else {
                        return .failure(.tooLarge(UInt64(maxBytes)))
                    }
                    body += chunk.readableBytesView
                }
                return .success(body)
            } catch {
                return .failure(.transport(Self.describe(error)))
            }
        }
    }

    /// A client error in words, without the type dump.
    static func describe(_ error: any Error) -> String {
        if let e = error as? HTTPClientError {
            switch e {
            case .readTimeout: return "timed out (no data for the read time-out)"
            case .connectTimeout: return "timed out connecting"
            case .deadlineExceeded: return "timed out"
            case .remoteConnectionClosed: return "the server closed the connection"
            default: return "\(e)"
            }
        }
        if let e = error as? IOError { return "\(e.description)" }
        return "\(error)"
    }
}
