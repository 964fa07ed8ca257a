import Testing
import VigilTesting

@testable import BGP

@Suite(.ownThread) struct UTCTimeTests {
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

/// The one total reader of times from outside: bounds stated in `UTCTime` (years 1970 to 9999, nine
/// fraction digits), every refusal a reason, never a trap. Expected seconds from GNU date
/// (`date -u -d 2025-01-01 +%s` = 1735689600, `date -u -d 9999-12-31T23:59:59 +%s` = 253402300799,
/// `date -u -d 2024-02-29T12:00:00 +%s` = 1709208000).
@Suite(.ownThread) struct UTCTimeBoundsTests {
    static func read(_ text: String) -> Double? {
        if case .success(let t) = UTCTime.read(text) { return t }
        return nil
    }

    static func reason(_ text: String) -> String? {
        if case .failure(let e) = UTCTime.read(text) { return e.reason }
        return nil
    }

    @Test("the texts of the security finding are refused with a reason, not trapped on")
    func findings() {
        // 19 fraction digits (the GET that killed vigil serve), and more.
        #expect(Self.reason("2025-01-01T00:00:00.9999999999999999999Z")?.contains("fraction digits") == true)
        #expect(Self.reason("2025-01-01T00:00:00.9999999999Z")?.contains("fraction digits") == true)
        #expect(UTCTime.parse("2025-01-01T00:00:00.9999999999999999999Z") == nil)
        // Numbers of seconds beyond the year 9999, infinities, NaN, exponents.
        for text in ["1e19", "1e999", "-inf", "inf", "nan", "9223372036854775807", "99999999999999999999", "-1"] {
            #expect(Self.read(text) == nil, "\(text)")
        }
        #expect(Self.reason("253402300800")?.contains("9999") == true)
        #expect(Self.reason("-5")?.contains("1970") == true)
    }

    @Test("the bounds themselves, and ordinary times")
    func bounds() {
        #expect(Self.read("0") == 0)
        #expect(Self.read("1970-01-01T00:00:00Z") == 0)
        #expect(Self.read("253402300799") == 253_402_300_799)
        #expect(Self.read("9999-12-31T23:59:59Z") == 253_402_300_799)
        // Found by fuzz-query: a leap second on the last day lands on the first refused second.
        #expect(Self.reason("9999-12-31T23:59:60Z") == "is after the year 9999")
        #expect(Self.read("2016-12-31T23:59:60Z") == 1_483_228_800)
        #expect(Self.read("1969-12-31T23:59:59Z") == nil)
        #expect(Self.read("1735689600") == 1_735_689_600)
        #expect(Self.read("1735689600.5") == 1_735_689_600.5)
        #expect(Self.read("2025-01-01T00:00:00Z") == 1_735_689_600)
        // To the minute, as a range is written (`--from 2025-06-06T16:00Z`): 2025-06-06 is day 20,245.
        #expect(Self.read("2025-06-06T16:00Z") == 1_749_225_600)
        #expect(Self.read("2025-06-06T16:60Z") == nil)
        // Nine fraction digits are accepted (nanoseconds); ten are not.
        let nine = Self.read("2025-01-01T00:00:00.123456789Z")
        #expect(nine.map { abs($0 - 1_735_689_600.123456789) < 1e-6 } == true)
        #expect(Self.read("1735689600.123456789") != nil)
        #expect(Self.read("1735689600.1234567891") == nil)
        // Calendar: 2024 is a leap year, 2025 is not.
        #expect(Self.read("2024-02-29T12:00:00Z") == 1_709_208_000)
        #expect(Self.read("2025-02-29T12:00:00Z") == nil)
        #expect(Self.read("2025-04-31T00:00:00Z") == nil)
        // Shapes that are not times.
        for text in ["", "yesterday", "2025-01-01", "2025-01-01T00:00:00", "2025-01-01T00:00:00.Z", "1.", ".5", "0x10"]
        {
            #expect(Self.read(text) == nil, "\(text)")
        }
        #expect(Self.read(String(repeating: "9", count: 100_000)) == nil)
    }

    @Test("numbers from sources are checked against the same bounds")
    func checked() {
        #expect((try? UTCTime.checked(1e19).get()) == nil)
        #expect((try? UTCTime.checked(.infinity).get()) == nil)
        #expect((try? UTCTime.checked(.nan).get()) == nil)
        #expect((try? UTCTime.checked(-1).get()) == nil)
        #expect((try? UTCTime.checked(1_749_231_003.5).get()) == 1_749_231_003.5)
    }

    @Test("printing is total: a time outside the range is clamped to it, not trapped on")
    func printing() {
        #expect(UTCTime.iso(.nan) == "1970-01-01T00:00:00Z")
        #expect(UTCTime.iso(-1e300) == "1970-01-01T00:00:00Z")
        #expect(UTCTime.iso(1e19).hasPrefix("9999-12-31T23:59:59"))
        #expect(UTCTime.iso(.infinity).hasPrefix("9999-12-31T23:59:59"))
    }
}
