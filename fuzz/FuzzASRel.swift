import BGP
import Vigil

/// libFuzzer entry point: the bytes are a CAIDA as-rel file. It is parsed (bad lines are reported, never
/// fatal); every link read must answer both ways, and the judge must find valleys in paths made of the
/// same bytes without trapping.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzASRel(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let (rels, problems) = ASRelationships.parse(caida: String(decoding: bytes, as: UTF8.self))
    for p in problems { precondition(p.line >= 1, "a problem without a line") }
    // Paths of up to 16 ASes drawn from the bytes (small numbers, so they meet the file's links).
    var path: [UInt32] = []
    for b in bytes.prefix(16) { path.append(UInt32(b % 8)) }
    let judge = LeakJudge(given: rels)
    if let leak = judge.leak(in: path) {
        precondition(path.contains(leak.leaker) && path.contains(leak.to) && path.contains(leak.from))
    }
    var degrees = ASDegrees()
    degrees.add(path: path)
    _ = degrees.relation(path.first ?? 0, path.last ?? 0)
    return 0
}
