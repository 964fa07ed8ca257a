import Foundation
import Testing
import Vigil
import VigilTesting

@testable import VigilStore

/// Probe results per URL and bin: a bin committed twice adds up, and the `sqlite3` shell reads the
/// same figures from the file; wider bins sum the stored ones.
@Suite(.ownThread) struct ProbeBinsTests {
    @Test("a bin committed twice holds the sum; the sqlite3 shell agrees; pruning removes old bins")
    func upsertAndShell() throws {
        let path = VigilStoreTests.temporaryPath()
        let store = try History(path: path)
        var bin = StoredProbeBin(url: "icmp://h", start: 600, seconds: 60)
        // By hand: answered 10 ms and 30 ms, one failure (2 tries, "no answer").
        bin.add(reachable: true, rttMs: 10, attempts: 1, error: nil)
        bin.add(reachable: false, rttMs: nil, attempts: 2, error: "no answer")
        var batch = StoreBatch(target: "t")
        batch.probes = [bin]
        try store.commit(batch)
        var later = StoredProbeBin(url: "icmp://h", start: 600, seconds: 60)
        later.add(reachable: true, rttMs: 30, attempts: 1, error: nil)
        batch.probes = [
            later,
            StoredProbeBin(
                url: "icmp://h", start: 660, seconds: 60, sent: 1, answered: 1, attempts: 1, rttSumMs: 7, rttMaxMs: 7),
        ]
        try store.commit(batch)
        let shell = try Tools.sqlite(
            path,
            "SELECT sent, answered, attempts, rtt_sum_ms, rtt_max_ms, last_error FROM probes WHERE start = 600")
        #expect(shell == "3|2|4|40.0|30.0|no answer")
        let read = try store.probeBins(target: "t", from: 0, to: 1000)
        #expect(read.count == 2)
        #expect(read.first?.rttMeanMs == 20)  // (10 + 30) / 2
        let wide = try store.probeBins(target: "t", from: 0, to: 1000, bin: 600)
        #expect(wide.count == 1)
        #expect(wide.first.map { [$0.sent, $0.answered, $0.attempts] } == [4, 3, 5])
        #expect(wide.first?.rttMaxMs == 30 && wide.first?.start == 600)
        #expect(try store.prune(before: 650) >= 1)
        #expect(try store.probeBins(target: "t", from: 0, to: 1000).map(\.start) == [660])
    }
}
