import BGP

/// libFuzzer entry point: the bytes are a BGP message (with its 19-byte header). It is decoded as a
/// 2-byte and a 4-byte session, with and without ADD-PATH, turned into route elements by the shared
/// `UpdateDecoder`, and its UPDATE body walked in place.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUpdate(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let raw = UnsafeRawBufferPointer(start: data, count: size)
    for asnSize in [2, 4] {
        for addPath in [false, true] {
            _ = try? BGPMessage(parsing: raw, options: BGPSessionOptions(asnSize: asnSize, addPath: addPath))
        }
    }
    // The UPDATE decoder every source shares (MRT's BGP4MP, BMP's Route Monitoring), whole and filtered.
    var element = RouteElement(kind: .announcement, timestamp: 0, carrier: .init(format: .bmp, type: 0))
    var filtered = RouteFilter()
    filtered.prefixes = [IPPrefix(address: IPAddress(v4: 0xAF2D_B000), length: 22)]
    filtered.prefixMatch = .moreSpecific
    for decoder in [UpdateDecoder(), UpdateDecoder(filter: filtered)] {
        for asnSize in [2, 4] {
            _ = decoder.decodeMessage(raw, asnSize: asnSize, element: &element) { _ = $0.attributes.originAndUpstream }
        }
    }
    guard size > 19 else { return 0 }
    let body = UnsafeRawBufferPointer(rebasing: raw[19...])
    if let layout = try? BGPUpdateLayout(parsing: body) {
        let view = PathAttributeView(parsing: UnsafeRawBufferPointer(rebasing: body[layout.attributes]), asnSize: 2)
        _ = view.originASN
        _ = try? view.materialize()
        if let r = view.mpReach, let mp = try? MPReachLayout(bytes: view.bytes, range: r) {
            var it = NLRIIterator(bytes: view.bytes, range: mp.nlri, family: .v6, addPath: false)
            while it.next() != nil {}
        }
        _ = NLRIIterator.detectAddPath(body, range: layout.nlri, family: .v4, declared: false)
    }
    return 0
}
