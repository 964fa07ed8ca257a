import BGP
import RISLive

/// libFuzzer entry point: the bytes are one RIS Live frame's text (as a misbehaving or impersonated
/// server could send it). It is parsed; a message must carry a time from 1970 to 9999.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRISLive(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if case .message(let m) = try? RISFrame(parsing: text) {
        precondition(m.timestamp >= UTCTime.earliest && m.timestamp < UTCTime.end, "timestamp out of bounds")
    }
    return 0
}
