import BGP
import MRT
import Vigil

/// A peer as a file names it.
struct PeerAddress: Hashable {
    var address: IPAddress
    var asn: UInt32
}

/// One MRT file opened for replay: its reader, its decoder, whether it is a RIB snapshot or an update
/// file (told by its first record), the collector it belongs to, and the record waiting to be played.
final class MRTInput {
    let path: String
    /// The file's reader; while the file waits for its turn (`init(waiting:)`), a reader of nothing.
    private(set) var reader: MRTReader
    @exclusivity(unchecked) var decoder = MRTDecoder()
    let isRIB: Bool
    let collector: String
    /// A key to put in events whose peer is given by number.
    let placeholder: PeerKey
    /// The next record, already read (its body stays valid until the reader is advanced).
    @exclusivity(unchecked) var pending: MRTRecord?
    var failure: String?
    /// The view's numbers for this file's peers, and the last one looked up (records of one peer come in runs).
    // Read for every route of the replay's hot loop: no dynamic exclusivity checks (only the replay
    // loop touches them, on one thread).
    @exclusivity(unchecked) var peerIDs: [PeerAddress: Int] = [:]
    @exclusivity(unchecked) var lastPeer = PeerAddress(address: .zero(.v4), asn: 0)
    @exclusivity(unchecked) var lastID = -1
    /// A small direct-mapped cache in front of `peerIDs`: updates of a few dozen peers interleave, and
    /// hashing a peer's key costs more than the rest of a short record.
    @exclusivity(unchecked) var recent = [(PeerAddress, Int)](
        repeating: (PeerAddress(address: .zero(.v4), asn: 0), -1), count: 64)

    /// The pool that decompresses it, if any.
    private let pool: ReadAheadPool?
    /// Where warnings go (set by the replay; kept for a reader opened again).
    var onWarning: ((MRTWarning) -> Void)? {
        didSet { reader.onWarning = onWarning }
    }
    /// Set while the file is not open yet (`init(waiting:)`): when its turn comes.
    private(set) var suspendedAt: Double?
    /// The file was opened (a waiting file the replay never reached was not).
    private(set) var opened = true
    /// A waiting file opened ahead of its turn (`prefetch`).
    private(set) var prefetched = false

    /// An update file opened only when its turn comes, `lead` seconds before the time its archive name
    /// gives (`updates.YYYYMMDD.HHMM`): a replay of thousands of files holds open only those it is
    /// reading (a bzip2 stream holds megabytes once it has decoded a block).
    init(waiting path: String, collector: String?, readAhead: ReadAheadPool?, startsAt: Double, lead: Double = 300) {
        self.path = path
        pool = readAhead
        reader = MRTReader(source: MemoryByteSource([]), name: path, bufferSize: 64)
        self.collector = collector ?? MRTReader.collectorLabel(forFile: path)
        placeholder = PeerKey(collector: self.collector, address: .zero(.v4), asn: 0)
        isRIB = false
        suspendedAt = startsAt - lead
        opened = false
    }

    convenience init(path: String, collector: String?, readAhead: ReadAheadPool? = nil, order: Int = 0)
        throws(MRTInputError)
    {
        // Until its first record is read, inputs are read in the order given.
        self.init(
            reader: try Self.open(path, readAhead, priority: -1e15 + Double(order)), path: path, pool: readAhead,
            collector: collector ?? MRTReader.collectorLabel(forFile: path))
        // RIB snapshots are played first, one after the other; update files by their first record's time.
        if !isRIB, let t = time { reader.readAhead?.setPriority(t) }
    }

    /// An input over MRT records made in memory (route changes that came as JSON, `JSONInputs`), named
    /// `name` in warnings, every peer at `collector`.
    convenience init(bytes: [UInt8], name: String, collector: String) {
        self.init(
            reader: MRTReader(source: MemoryByteSource(bytes), name: name), path: name, pool: nil, collector: collector)
    }

    /// An input over `reader`, its first record read: whether it is a RIB comes from that record.
    private init(reader: MRTReader, path: String, pool: ReadAheadPool?, collector: String) {
        self.path = path
        self.pool = pool
        self.reader = reader
        self.collector = collector
        placeholder = PeerKey(collector: collector, address: .zero(.v4), asn: 0)
        do {
            pending = try reader.next()
        } catch {
            failure = "\(error)"
            pending = nil
        }
        let type = pending?.header.type
        isRIB = type == MRTType.tableDump || type == MRTType.tableDumpV2
    }

    /// A reader of `path`, decompressed by `pool` (read at `priority`) when there is one.
    static func open(_ path: String, _ pool: ReadAheadPool?, priority: Double) throws(MRTInputError) -> MRTReader {
        guard let pool else { return try MRTReader.open(path: path) }
        return try MRTReader.open(path: path, readAhead: pool, priority: priority)
    }

    /// The pending record's time.
    var time: Double? {
        if let suspendedAt { return suspendedAt }
        guard let h = pending?.header else { return nil }
        return Double(h.timestamp) + Double(h.microseconds) / 1_000_000
    }

    /// What reading found.
    var diagnostics: MRTDiagnostics { reader.diagnostics }

    /// Opens a waiting file ahead of its turn, so the read-ahead workers start on it; its first record is
    /// read at its turn (`resume`), and its place in the merge stays the time it waits for until then.
    func prefetch() {
        guard let t = suspendedAt, !prefetched else { return }
        prefetched = true
        opened = true
        reader.onWarning = nil
        do {
            reader = try Self.open(path, pool, priority: t)
            reader.onWarning = onWarning
        } catch {
            failure = "\(error)"
        }
    }

    /// Opens a waiting file (unless it was opened ahead) and reads its first record.
    func resume() {
        guard suspendedAt != nil else { return }
        prefetch()
        suspendedAt = nil
        guard failure == nil else {
            pending = nil
            return
        }
        do {
            pending = try reader.next()
        } catch {
            failure = "\(error)"
            pending = nil
        }
    }

    /// The view's number for the peer (address, asn) of this file.
    @inline(__always)
    func peerID<N: PeerNumbering>(_ address: IPAddress, _ asn: UInt32, _ view: inout N) -> Int {
        let key = PeerAddress(address: address, asn: asn)
        if lastID >= 0 && key == lastPeer { return lastID }
        let mixed = (address.low ^ (address.high &* 31) ^ UInt64(asn) << 32) &* 0x9E37_79B9_7F4A_7C15
        let slot = Int(truncatingIfNeeded: mixed >> 58)
        let id: Int
        if recent[slot].1 >= 0 && recent[slot].0 == key {
            id = recent[slot].1
        } else if let known = peerIDs[key] {
            id = known
        } else {
            id = view.id(of: PeerKey(collector: collector, address: address, asn: asn))
            peerIDs[key] = id
        }
        recent[slot] = (key, id)
        lastPeer = key
        lastID = id
        return id
    }

    /// Reads the next record into `pending`.
    func advance() {
        do {
            pending = try reader.next()
        } catch {
            failure = "\(error)"
            pending = nil
        }
    }
}
