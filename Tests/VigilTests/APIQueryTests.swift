import BGP
import Testing
import VigilTesting

@testable import Vigil

/// The API's and the pages' query parameters: every value from outside checked, empty ones absent.
@Suite(.ownThread) struct APIQueryTests {
    static func get(_ pairs: [String: String]) -> (String) -> String? { { pairs[$0] } }

    static func error(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return (error as? QueryError)?.message ?? "not a QueryError: \(error)"
        }
    }

    @Test("the finding's times are a 400's message naming the parameter, never a trap")
    func findings() {
        let e1 = Self.error { _ = try APIQuery.events(Self.get(["since": "2025-01-01T00:00:00.9999999999999999999Z"])) }
        #expect(e1?.hasPrefix("since has more than 9 fraction digits") == true)
        let e2 = Self.error {
            _ = try APIQuery.series(Self.get(["target": "t", "to": "1e19"]), now: 1e9, maxDays: 400)
        }
        #expect(e2?.hasPrefix("to ") == true)
        let e3 = Self.error {
            _ = try APIQuery.series(Self.get(["target": "t", "from": "-inf"]), now: 1e9, maxDays: 31)
        }
        #expect(e3?.hasPrefix("from ") == true)
        let e4 = Self.error { _ = try APIQuery.events(Self.get(["until": "nan"])) }
        #expect(e4?.hasPrefix("until ") == true)
    }

    @Test("empty values count as absent, as a form sends them and the OpenAPI document allows")
    func empty() throws {
        let q = try APIQuery.events(Self.get(["since": "", "until": "", "cause": "", "state": "", "limit": ""]))
        #expect(q == APIQuery.Events())
        let s = try APIQuery.series(Self.get(["target": "t", "from": "", "to": "", "bin": ""]), now: 1e9, maxDays: 1)
        #expect(s.from == 1e9 - 86400 && s.to == 1e9 && s.bin == nil)
    }

    @Test("filters and ranges by hand")
    func values() throws {
        let q = try APIQuery.events(
            Self.get([
                "since": "1735689600", "until": "2025-01-02T00:00:00Z", "cause": "hijack", "state": "open",
                "limit": "7",
            ]))
        #expect(
            q.since == 1_735_689_600 && q.until == 1_735_776_000 && q.cause == .hijack && q.open == true && q.limit == 7
        )
        #expect(Self.error { _ = try APIQuery.events(Self.get(["limit": "0"])) } != nil)
        #expect(Self.error { _ = try APIQuery.events(Self.get(["limit": "99999999999999999999999"])) } != nil)
        #expect(Self.error { _ = try APIQuery.events(Self.get(["cause": "aliens"])) }?.contains("hijack") == true)
        #expect(Self.error { _ = try APIQuery.series(Self.get([:]), now: 1e9, maxDays: 1) } == "target is required")
        // Two days apart with a one-day limit; from after to.
        let far = Self.get(["target": "t", "from": "1735689600", "to": "1735862400"])
        #expect(Self.error { _ = try APIQuery.series(far, now: 1e9, maxDays: 1) }?.contains("more than 1 days") == true)
        let backwards = Self.get(["target": "t", "from": "1735862400", "to": "1735689600"])
        #expect(Self.error { _ = try APIQuery.series(backwards, now: 1e9, maxDays: 9) } == "from must be before to")
    }

    @Test("a bin that would make more than maxBins bins is widened to the least that fits")
    func binBound() throws {
        // 400 days in one-second bins: 34,560,000 bins. The least bin for 20,000: 34,560,000 / 20,000 = 1,728 s.
        let q = Self.get(["target": "t", "from": "1700000000", "to": "1734560000", "bin": "1"])
        #expect(try APIQuery.series(q, now: 1e9, maxDays: 400).bin == 1728)
        let wide = Self.get(["target": "t", "from": "1700000000", "to": "1734560000", "bin": "3600"])
        #expect(try APIQuery.series(wide, now: 1e9, maxDays: 400).bin == 3600)
        // A day in one-second bins: 86,400 / 20,000 = 4.32, so 5 s.
        #expect(APIQuery.leastBin(from: 0, to: 86400) == 5)
        for bad in ["0", "-1", "nan", "inf", "1e999", "2678401"] {
            let b = Self.get(["target": "t", "bin": bad])
            #expect(Self.error { _ = try APIQuery.series(b, now: 1e9, maxDays: 1) } != nil, "\(bad)")
        }
    }
}
