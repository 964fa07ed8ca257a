import Foundation
import Testing
import VigilTesting

/// `vigil probe` as a user runs it, on loopback only (the target's real hosts are only listed).
@Suite(.ownThread) struct ProbeCommandTests {
    @Test("--target north-korea --list names the target's hosts over TCP and sends nothing")
    func list() throws {
        let r = try Tools.run(try Tools.vigil(), ["probe", "--target", "north-korea", "--list"])
        #expect(r.status == 0)
        let lines = r.output.split(separator: "\n").map(String.init)
        #expect(lines.contains("tcp://ns1.kptc.kp:53"))
        #expect(lines.contains("tcp://kcna.kp:443"))
        #expect(lines.allSatisfy { $0.hasPrefix("tcp://") })
    }

    @Test("--json: one object per probe with url, reachable, rtt_ms and error; exit 1 when one is down")
    func json() throws {
        let closed = try LoopbackSocket.freePort()
        let r = try Tools.run(
            try Tools.vigil(), ["probe", "--json", "--retries", "0", "trace://127.0.0.1", "tcp://127.0.0.1:\(closed)"])
        #expect(r.status == 1)
        let objects = r.output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(objects.count == 2)
        #expect(objects.first?["url"] as? String == "trace://127.0.0.1")
        #expect(objects.first?["reachable"] as? Bool == true)
        #expect(objects.first?["rtt_ms"] is NSNumber)
        #expect(objects.first?["error"] is NSNull)
        #expect(objects.last?["reachable"] as? Bool == false)
        #expect(objects.last?["rtt_ms"] is NSNull)
        #expect((objects.last?["error"] as? String)?.contains("refused") == true)
    }

    @Test("--input reads URLs one per line (comments and blank lines skipped), from a file or standard input")
    func input() throws {
        let text = "# lab\ntrace://127.0.0.1\n\n  tcp://127.0.0.1:\(try LoopbackSocket.freePort())  \n"
        let r = try Tools.run(
            try Tools.vigil(), ["probe", "--json", "--retries", "0", "--input", "-"], input: Data(text.utf8))
        let urls = r.output.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["url"] as? String
        }
        #expect(urls.count == 2)
        #expect(urls.first == "trace://127.0.0.1")
        #expect(urls.last?.hasPrefix("tcp://127.0.0.1:") == true)
        let missing = try Tools.run(try Tools.vigil(), ["probe", "--input", "/nonexistent/urls.txt"])
        #expect(missing.status != 0)
        #expect(String(decoding: missing.stderr, as: UTF8.self).contains("cannot read /nonexistent/urls.txt"))
    }

    @Test("a bad URL is named with what is wrong; the good ones still run; exit 2")
    func badURL() throws {
        let r = try Tools.run(try Tools.vigil(), ["probe", "tcp://127.0.0.1", "trace://127.0.0.1"])
        #expect(r.status == 2)
        #expect(String(decoding: r.stderr, as: UTF8.self).contains("tcp://127.0.0.1: tcp:// needs a port"))
        #expect(r.output.contains("trace://127.0.0.1  reachable"))
    }
}
