import BGP
import VigilArchive

/// libFuzzer entry point: the bytes are an archive's directory listing (HTML from a server we do not
/// control). Whatever `ArchiveListing` returns must be archive files with times in bounds, each name once,
/// in time order, and nothing that could leave a path or a URL.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzListing(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let files = ArchiveListing.files(in: Array(UnsafeBufferPointer(start: data, count: size)))
    var names = Set<String>()
    var last = -Double.infinity
    for f in files {
        precondition(f.time >= UTCTime.earliest && f.time < UTCTime.end, "time out of bounds")
        precondition(f.time >= last, "not in time order")
        last = f.time
        precondition(names.insert(f.name).inserted, "a name twice")
        precondition(
            !f.name.contains("/") && !f.name.contains("..") && f.name.utf8.count <= 40, "a name that is not a file's")
        precondition(ArchiveFile.named(f.name)?.time == f.time, "a name that does not say its time")
    }
    return 0
}
