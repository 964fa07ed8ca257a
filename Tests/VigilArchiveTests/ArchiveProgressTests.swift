import Testing
import VigilArchive

/// The progress line `vigil replay --from --to` shows, worked out by hand.
@Suite struct ArchiveProgressTests {
    @Test("files, megabytes of the estimate, rate and time left")
    func line() {
        // 31.2 MB of ~96 MB at 4.1 MB/s: (96,000,000 - 31,200,000) / 4,100,000 = 15.8 s, shown as 0:16.
        let p = ArchiveProgress(
            filesDone: 12, files: 40, bytes: 31_200_000, expected: 96_000_000, rate: 4_100_000, finished: false)
        #expect(p.line == "fetch 12/40 files  31.2 MB of ~96.0 MB  4.1 MB/s  0:16 left")
        // Everything cached: no bytes, no rate, nothing left to estimate.
        let cached = ArchiveProgress(filesDone: 12, files: 12, bytes: 0, expected: 0, rate: 0, finished: true)
        #expect(cached.line == "fetch 12/12 files  0.0 MB")
        #expect(cached.secondsLeft == nil)
        // 2 minutes 5 seconds left.
        let slow = ArchiveProgress(
            filesDone: 0, files: 3, bytes: 0, expected: 125_000_000, rate: 1_000_000, finished: false)
        #expect(slow.line.hasSuffix("2:05 left"), "\(slow.line)")
    }
}
