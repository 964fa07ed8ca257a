import BGP
import Vigil

/// libFuzzer entry point: the bytes are a targets file. It is parsed (with a probe check that refuses
/// one scheme, to walk that path too); every target read must have prefixes and bounded thresholds.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTargets(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let check: (String) -> String? = { $0.hasPrefix("gopher:") ? "refused" : nil }
    if let targets = try? TargetFile.parse(text, name: "fuzz", checkProbe: check) {
        for t in targets {
            precondition(!t.prefixes.isEmpty, "a target without prefixes")
            precondition(t.thresholds.visibleFraction > 0 && t.thresholds.visibleFraction <= 1)
            _ = t.probeURLs
            _ = t.trackedPrefixes
        }
    }
    return 0
}
