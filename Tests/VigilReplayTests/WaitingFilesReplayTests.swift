import BGP
import Foundation
import Testing
import Vigil
import VigilTesting

@testable import VigilReplay

/// A replay of many files opens an update file only when its turn comes (`Replayer.maxOpenFiles`), and
/// decompresses ahead on worker threads; neither may change what it reports. The YouTube day's files of
/// 17:07 to 22:11 (21 of route-views2) with every file open and no read-ahead, then with at most 4 open and
/// the read-ahead: the same bins, events and counts, and the README's hijack (AS17557, 18:47:57 to 21:01:34).
@Suite(.ownThread) struct WaitingFilesReplayTests {
    @Test("21 files, all open at once without read-ahead, or waiting their turn with it: the same replay")
    func sameReplay() throws {
        Tools.lowerThreadPriority()
        let folder = try Fixtures.path("incidents/youtube-2008-02-24/route-views2")
        let paths = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("updates.") }
            .sorted().filter { ("updates.20080224.1707"..."updates.20080224.2211~").contains($0) }
            .map { folder + "/" + $0 }
        #expect(paths.count == 21)
        let target = Target(
            name: "youtube", originASNs: [36561], prefixes: [try #require(IPPrefix("208.65.152.0/22"))])
        func run(open: Int, readAhead: Bool) -> ([SignalBin], [DetectedEvent], ReplaySummary) {
            var replayer = Replayer(target: target)
            replayer.maxOpenFiles = open
            replayer.readAhead = readAhead
            var bins: [SignalBin] = []
            var events: [DetectedEvent] = []
            let summary = replayer.run(paths: paths) { item in
                switch item {
                case .bin(let b): bins.append(b)
                case .event(let e): events.append(e)
                default: break
                }
            }
            return (bins, events, summary)
        }
        let all = run(open: 1000, readAhead: false)
        let waiting = run(open: 4, readAhead: true)
        #expect(all.0.count > 60 && all.0 == waiting.0, "\(all.0.count) bins")
        #expect(all.1 == waiting.1)
        #expect(all.2.updateElements == waiting.2.updateElements && all.2.diagnostics == waiting.2.diagnostics)
        #expect(waiting.2.failedInputs.isEmpty)
        let hijack = try #require(waiting.1.first)
        #expect(waiting.1.count == 1 && hijack.cause == .hijack && hijack.origins == [17557])
        #expect(UTCTime.iso(hijack.start) == "2008-02-24T18:47:57Z")
        #expect(hijack.end.map { UTCTime.iso($0) } == "2008-02-24T21:01:34Z")
    }
}
