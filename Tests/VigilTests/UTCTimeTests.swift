import Testing

@testable import Vigil

@Suite struct UTCTimeTests {
    // Expected strings from GNU date: `date -u -d @SECONDS +%FT%TZ`.
    @Test(arguments: [
        (0.0, "1970-01-01T00:00:00Z"),
        (951_782_400.0, "2000-02-29T00:00:00Z"),
        (1_749_231_003.0, "2025-06-06T17:30:03Z"),
        (4_102_444_800.0, "2100-01-01T00:00:00Z"),
        (1_749_231_003.25, "2025-06-06T17:30:03.250Z"),
    ])
    func formats(seconds: Double, text: String) {
        #expect(UTCTime.iso(seconds) == text)
        #expect(UTCTime.parse(text) == seconds)
    }

    @Test func parsesTheLabsMicroseconds() {
        #expect(UTCTime.parse("2025-06-06T17:30:03.123456Z") == 1_749_231_003.123456)
        #expect(UTCTime.parse("2025-13-06T17:30:03Z") == nil)
        #expect(UTCTime.parse("yesterday") == nil)
    }
}
