import BGP
import Foundation
import MRT
import Synchronization
import Testing
import VigilTesting

@testable import BMP

/// The BMP listener on a loopback port, fed the TCP payloads of the real router captures by real
/// sockets: several routers at once, pieces of any size, garbage and truncated streams.
@Suite struct BMPListenerTests {
    /// What the sink saw, per router.
    final class Recorder: BMPSink, @unchecked Sendable {
        struct Router {
            var routes = 0
            var sessions = 0
            var problems: [BMPDecodingError] = []
            var diagnostics: BMPDiagnostics?
            var truncated: BMPDecodingError?
        }
        private let lock = NSLock()
        private var routers: [Int: Router] = [:]
        private var order: [Int] = []

        func routerConnected(_ router: BMPRouter) {
            lock.withLock {
                order.append(router.connection)
                routers[router.connection, default: Router()] = Router()
            }
        }
        func elements(_ elements: [RouteElement], router: BMPRouter) {
            let routes = elements.filter { $0.kind != .stateChange }.count
            lock.withLock {
                routers[router.connection, default: Router()].routes += routes
                routers[router.connection, default: Router()].sessions += elements.count - routes
            }
        }
        func problem(_ error: BMPDecodingError, router: BMPRouter) {
            lock.withLock { routers[router.connection, default: Router()].problems.append(error) }
        }
        func routerDisconnected(_ router: BMPRouter, diagnostics: BMPDiagnostics, truncated: BMPDecodingError?) {
            lock.withLock {
                routers[router.connection, default: Router()].diagnostics = diagnostics
                routers[router.connection, default: Router()].truncated = truncated
            }
        }
        var finished: [Router] { lock.withLock { routers.values.filter { $0.diagnostics != nil } } }
    }

    /// Starts a listener on a free loopback port.
    static func listen(_ sink: Recorder) async throws -> (Task<Void, any Error>, Int) {
        let port = Mutex(0)
        let listener = BMPListener(host: "127.0.0.1", port: 0, views: Set(BMPRouteDecoder.View.allCases))
        let task = Task { try await listener.run(sink: sink) { p in port.withLock { $0 = p } } }
        for _ in 0..<500 where port.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(10)) }
        let bound = port.withLock { $0 }
        try #require(bound != 0)
        return (task, bound)
    }

    static func send(_ bytes: [UInt8], port: Int, piece: Int) throws {
        try LoopbackSocket.send(bytes, port: port, piece: piece)
    }

    @Test("three routers at once, in pieces of 1 to 1,000 bytes: every message framed, counted as tshark counts")
    func severalRouters() async throws {
        let captures = [
            "pmacct-ta__204-BMP-CISCO-peer_down.pcap", "pmacct-ta__206-BMP-high-availability.pcap",
            "pmacct-ta__200-BMP-HUAWEI-locrib_instance.pcap",
        ]
        let recorder = Recorder()
        let (task, port) = try await Self.listen(recorder)
        defer { task.cancel() }
        var expected: [Int: [Int]] = [:]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (i, capture) in captures.enumerated() {
                let pcap = try Fixtures.path("pcap/\(capture)")
                let stream = try Captures.tcpPayload(pcap)
                expected[stream.count] = try Captures.bmpMessageTypes(pcap)
                group.addTask { try Self.send(stream, port: port, piece: [1, 97, 1000][i]) }
            }
            try await group.waitForAll()
        }
        let done = try await Waiting.until(seconds: 20) { recorder.finished.count == 3 }
        #expect(done)
        for router in recorder.finished {
            let d = try #require(router.diagnostics)
            // Match each connection to its capture by the bytes it carried.
            let types = expected.first { $0.value.count == d.totalMessages }?.value ?? []
            var counts: [UInt8: Int] = [:]
            for t in types { counts[UInt8(t), default: 0] += 1 }
            #expect(d.messages == counts)
            #expect(d.skippedBytes == 0)
            #expect(router.problems.isEmpty)
            #expect(router.truncated == nil)
            #expect(router.sessions == (counts[3] ?? 0) + (counts[2] ?? 0))
        }
    }

    @Test("garbage and a cut stream on the port are reported with offsets; the listener keeps serving")
    func garbageAndTruncation() async throws {
        let recorder = Recorder()
        let (task, port) = try await Self.listen(recorder)
        defer { task.cancel() }
        try Self.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8), port: port, piece: 100)
        let pcap = try Fixtures.path("pcap/pmacct-ta__204-BMP-CISCO-peer_down.pcap")
        let stream = try Captures.tcpPayload(pcap)
        let messages = try Captures.bmpMessageTypes(pcap).count
        try Self.send(Array(stream.prefix(5000)), port: port, piece: 700)
        try Self.send(stream, port: port, piece: 1500)
        let done = try await Waiting.until(seconds: 20) { recorder.finished.count == 3 }
        #expect(done)
        let all = recorder.finished
        let garbage = try #require(all.first { $0.diagnostics?.totalMessages == 0 })
        #expect(garbage.problems.first?.offset == 0)
        #expect(garbage.diagnostics?.skippedBytes ?? 0 > 0)
        let cut = try #require(all.first { ($0.diagnostics?.totalMessages ?? 0) > 0 && $0.truncated != nil })
        #expect((cut.truncated?.offset ?? 0) < 5000)
        #expect(cut.diagnostics?.truncatedBytes == 5000 - (cut.truncated?.offset ?? 0))
        let whole = try #require(all.first { $0.truncated == nil && ($0.diagnostics?.totalMessages ?? 0) > 0 })
        #expect(whole.diagnostics?.totalMessages == messages)
    }
}
