import BGP
import Foundation
import Hummingbird
import Vigil
import VigilStore

extension APIRoutes {
    /// `GET /api/v1/probes?target&from&to&bin`: reachability and round trips per probed host per bin.
    func probes(_ request: Request) async throws -> Response {
        let (target, from, to, asked) = try seriesQuery(request, maxDays: 31)
        var bin = asked
        var bins = try await storeRead { try store.probeBins(target: target, from: from, to: to, bin: asked) }
        if bins.count > APIQuery.maxBins {
            // More bins than an answer may hold: the least width that fits for one URL, times the URLs.
            let urls = Double(max(1, Set(bins.map(\.url)).count))
            let wider = APIQuery.leastBin(from: from, to: to) * urls
            bin = wider
            bins = try await storeRead { try store.probeBins(target: target, from: from, to: to, bin: wider) }
        }
        var o = Self.seriesHeader(target: target, from: from, to: to, bin: bin)
        o.add("probes", raw: "[" + bins.map(Self.json).joined(separator: ",") + "]")
        return Self.json(o.closed)
    }

    static func json(_ b: StoredProbeBin) -> String {
        var o = JSONObject()
        o.add("url", b.url)
        o.add("start", UTCTime.iso(b.start))
        o.add("seconds", b.seconds)
        o.add("sent", b.sent)
        o.add("answered", b.answered)
        o.add("attempts", b.attempts)
        o.add("rtt_mean_ms", raw: b.rttMeanMs.map { "\($0)" } ?? "null")
        o.add("rtt_max_ms", raw: b.rttMaxMs.map { "\($0)" } ?? "null")
        o.add("last_error", b.lastError)
        return o.closed
    }
}
