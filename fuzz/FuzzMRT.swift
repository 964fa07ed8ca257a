import BGP
import MRT

/// libFuzzer entry point: the bytes are an MRT stream (raw, gzip or bzip2). Every record is framed,
/// decoded into elements and printed in both output formats; nothing may crash or hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMRT(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let reader = try? MRTReader(detecting: MemoryByteSource(bytes), name: "fuzz", bufferSize: 4096) else {
        return 0
    }
    var decoder = MRTDecoder()
    let text = BGPDumpFormatter(mode: .machine)
    let json = JSONElementFormatter()
    let out = TextBuffer()
    while let record = try? reader.next() {
        _ = decoder.decode(record) { e in
            text.format(e, into: out)
            json.format(e, into: out)
            _ = try? e.attributes.materialize()
        }
        out.removeAll()
    }
    return 0
}
