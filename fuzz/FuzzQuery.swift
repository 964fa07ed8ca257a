import BGP
import Vigil

/// libFuzzer entry point: the bytes are an HTTP query string (`since=...&bin=...`, already split by the
/// server at `&` and `=`). Every time goes through `UTCTime.read`, the parameters through the API's
/// events and series parsers; whatever they accept must be inside their stated bounds.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQuery(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if case .success(let t) = UTCTime.read(text) {
        precondition(t >= UTCTime.earliest && t < UTCTime.end, "time out of bounds")
        _ = UTCTime.iso(t)
    }
    _ = UTCTime.parse(text)
    var params: [String: String] = [:]
    for pair in text.split(separator: "&", omittingEmptySubsequences: false) {
        let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        params[String(kv[0])] = kv.count > 1 ? String(kv[1]) : ""
    }
    let get: (String) -> String? = { params[$0] }
    if let q = try? APIQuery.events(get) {
        precondition((1...10_000).contains(q.limit), "limit out of bounds")
        for t in [q.since, q.until].compactMap({ $0 }) { precondition(t >= 0 && t < UTCTime.end) }
    }
    for days in [31.0, 400.0] {
        if let s = try? APIQuery.series(get, now: 1_749_231_003, maxDays: days) {
            precondition(s.from < s.to && s.to - s.from <= days * 86400, "range out of bounds")
            if let bin = s.bin { precondition((s.to - s.from) / bin <= Double(APIQuery.maxBins), "too many bins") }
        }
    }
    return 0
}
