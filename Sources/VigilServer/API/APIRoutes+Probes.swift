import BGP
import Foundation
import Hummingbird
import Vigil
import VigilStore

extension APIRoutes {
    /// `GET /api/v1/probes?target&from&to&bin`: reachability and round trips per probed host per bin.
    func probes(_ request: Request) async throws -> Response {
        let (target, from, to, bin) = try seriesQuery(request, maxDays: 31)
        let size = bin
        let bins = try await storeRead { try store.probeBins(target: target, from: from, to: to, bin: size) }
        guard bins.count <= APIQuery.maxBins else {
            throw HTTPError(
                .badRequest,
                message: "more than \(APIQuery.maxBins) probe bins from \(UTCTime.iso(from)) to \(UTCTime.iso(to)): "
                    + "ask for a wider bin or a shorter range")
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
