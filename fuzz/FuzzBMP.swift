import BGP
import BMP

/// libFuzzer entry point: the bytes are a BMP stream as TCP delivers it. The first byte chooses the size
/// of the pieces it arrives in (1 to 256 bytes), so framing across piece boundaries is exercised; every
/// framed message is turned into route elements and fully decoded. Nothing may crash, hang, or buffer
/// more than one message's worth of bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBMP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let piece = Int(data[0]) + 1
    let stream = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    var framer = BMPStreamDecoder()
    var routes = BMPRouteDecoder(views: Set(BMPRouteDecoder.View.allCases), usesRouterTimestamps: true)
    var at = 0
    while at < stream.count {
        let n = min(piece, stream.count - at)
        framer.append(UnsafeRawBufferPointer(rebasing: stream[at..<(at + n)]))
        at += n
        framer.decode { frame in
            _ = routes.elements(of: frame, now: 1_749_231_003.5) { e in _ = e.attributes.originAndUpstream }
            _ = try? frame.message()
        } problem: { _ in
        }
        precondition(framer.pendingBytes <= BMPCommonHeader.maximumLength + piece, "buffer past one message")
    }
    _ = framer.finish()
    return 0
}
