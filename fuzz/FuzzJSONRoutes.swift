import BGP
import MRT
import RISLive

/// libFuzzer entry point: the bytes are a replay input told as JSON (a RIPEstat `bgp-state` or
/// `bgp-updates` answer, or a RIS Live recording), as a damaged download or a hostile file could hold it.
/// It is read; every route must carry a time from 1970 to 9999; the routes are written as MRT and read back
/// with the reader and decoder replay uses, which must find every record whole.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONRoutes(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard JSONRouteFile.isJSON(bytes), let contents = try? JSONRouteFile.read(bytes) else { return 0 }
    var writer = MRTWriter()
    for r in contents.routes {
        precondition(r.time >= UTCTime.earliest && r.time < UTCTime.end, "time out of bounds")
        if contents.stateTime == nil { writer.update(r) }
    }
    if let t = contents.stateTime { writer.snapshot(contents.routes, time: t) }
    let reader = MRTReader(source: MemoryByteSource(writer.bytes), name: "fuzz")
    var decoder = MRTDecoder()
    while let record = try? reader.next() {
        if case .damaged(let why) = decoder.decode(record, { _ in }) {
            preconditionFailure("written record damaged: \(why)")
        }
    }
    precondition(reader.diagnostics.damagedRecords == 0, "written records damaged")
    return 0
}
