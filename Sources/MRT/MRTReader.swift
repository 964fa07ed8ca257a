/// One MRT record as handed out by `MRTReader.next()`.
///
/// `body` points into the reader's buffer and stays valid only until the next call to `next()`:
/// this is what lets a pass over a 150 MB file run without allocating per record.
public struct MRTRecord {
    /// The header and the record's place in the input.
    public var header: MRTRecordHeader
    /// The record body (after the header and any microsecond field).
    public var body: UnsafeRawBufferPointer
}

/// Frames MRT records from a byte stream, recovering from torn and truncated records.
///
/// Each header is checked for a known type, a sane length and a plausible record after it. When
/// the framing is lost (a torn write in an old archive, garbage in the middle) the reader scans
/// forward for the next offset where two consecutive plausible headers begin, reports the skipped
/// bytes, and carries on: the records after the damage are not lost.
public final class MRTReader {
    private let source: ByteSource
    /// The input's name, used in warnings.
    public let name: String
    /// How the input was compressed.
    public internal(set) var compression: MRTCompression = .none
    /// What was read, skipped and recovered so far.
    public private(set) var diagnostics = MRTDiagnostics()
    /// Called for each warning as it happens (the CLI prints them to stderr); warnings are also kept
    /// in `diagnostics`.
    public var onWarning: ((MRTWarning) -> Void)?

    private var buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var baseOffset: UInt64 = 0  // input offset of buffer[0]
    private var eof = false
    private var lastTimestamp: UInt32?
    private var reportedProblems = 0

    /// Largest record body accepted (RIB records for one prefix seen by every peer stay far below).
    public static let maximumRecordLength = 1 << 26
    /// Largest record body accepted when looking for a record boundary after damage.
    static let maximumResyncLength = 1 << 20

    /// Reads records from `source` (already decompressed), buffering `bufferSize` bytes at a time
    /// (the buffer grows for larger records).
    public init(source: ByteSource, name: String, bufferSize: Int = 1 << 20) {
        self.source = source
        self.name = name
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bufferSize, 64), alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Bytes of the decompressed input consumed so far.
    public var position: UInt64 { baseOffset + UInt64(start) }

    /// Bytes of the file read so far (compressed bytes for gzip and bzip2), for progress bars.
    public var compressedPosition: UInt64 { readAhead?.rawOffset ?? rawSource?.offset ?? position }

    /// The file underneath any decompressor, when the reader was opened from a path.
    var rawSource: FileByteSource?
    /// The read-ahead the decompressed bytes come through, when a pool decompresses this input.
    public internal(set) var readAhead: ReadAheadSource?

    private func warn(_ message: String, offset: UInt64?, record: Int?) {
        let warning = MRTWarning(input: name, offset: offset, record: record, message: message)
        diagnostics.warningCount += 1
        if diagnostics.warnings.count < 10_000 { diagnostics.warnings.append(warning) }
        onWarning?(warning)
    }

    /// Records a problem found while decoding a record's body (the framing was fine).
    public func reportDamage(_ header: MRTRecordHeader, _ message: String) {
        diagnostics.damagedRecords += 1
        warn(message, offset: header.offset, record: header.index)
    }

    /// Records a record skipped on purpose because its type is not decoded.
    public func reportUnsupported(_ header: MRTRecordHeader) {
        diagnostics.unsupportedRecords += 1
    }

    private func flushSourceProblems() {
        let problems = source.problems
        while reportedProblems < problems.count {
            warn(problems[reportedProblems].description, offset: position, record: nil)
            reportedProblems += 1
        }
    }

    /// Makes at least `count` bytes available from `start`, reading more as needed.
    /// Returns false when the input ends first.
    private func fill(_ count: Int) throws(MRTInputError) -> Bool {
        if end - start >= count { return true }
        if start > 0 {
            let live = end - start
            if live > 0, let base = buffer.baseAddress {
                base.copyMemory(from: base + start, byteCount: live)
            }
            baseOffset += UInt64(start)
            start = 0
            end = live
        }
        if count > buffer.count {
            var size = buffer.count
            while size < count { size *= 2 }
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
            if let dst = bigger.baseAddress, let src = buffer.baseAddress { dst.copyMemory(from: src, byteCount: end) }
            buffer.deallocate()
            buffer = bigger
        }
        while end < count && !eof {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
            if n == 0 {
                eof = true
                flushSourceProblems()
            } else {
                end += n
            }
        }
        return end - start >= count
    }

    private struct RawHeader {
        var timestamp: UInt32
        var type: UInt16
        var subtype: UInt16
        var length: Int
        var headerSize: Int
    }

    private func rawHeader(at offset: Int) -> RawHeader {
        let b = UnsafeRawBufferPointer(buffer)
        let type = b.u16(offset + 4)
        let rawLength = Int(b.u32(offset + 8))
        let extended = MRTType.hasExtendedTimestamp(type)
        return RawHeader(
            timestamp: b.u32(offset), type: type, subtype: b.u16(offset + 6),
            length: extended ? rawLength - 4 : rawLength, headerSize: extended ? 16 : 12)
    }

    private func plausible(_ h: RawHeader, limit: Int) -> Bool {
        MRTRecordHeader.isKnown(type: h.type, subtype: h.subtype) && h.length >= 0 && h.length <= limit
            && h.length >= MRTRecordHeader.minimumLength(type: h.type, subtype: h.subtype)
    }

    /// Whether a plausible header (or the clean end of input) follows the record that starts `rel`
    /// bytes after `start`. Nil when the input ends inside the next header, so nothing can be said.
    private func followedByPlausible(_ rel: Int, _ h: RawHeader) throws(MRTInputError) -> Bool? {
        let nextRel = rel + h.headerSize + h.length
        if try !fill(nextRel + 12) {
            return end - start == nextRel ? true : nil
        }
        return plausible(rawHeader(at: start + nextRel), limit: MRTReader.maximumRecordLength)
    }

    /// Whether the TABLE_DUMP record at `start` holds 4 bytes more than it declares: what follows its
    /// declared end is not a record header (nor the end of the input), but 4 bytes later one is (or the
    /// input ends there).
    private func declaredFourShort(_ h: RawHeader) throws(MRTInputError) -> Bool {
        let declaredEnd = h.headerSize + h.length
        if try fill(declaredEnd + 12) {
            guard !plausible(rawHeader(at: start + declaredEnd), limit: MRTReader.maximumRecordLength) else {
                return false
            }
        } else if end - start == declaredEnd {
            return false
        }
        let realEnd = declaredEnd + 4
        if try !fill(realEnd + 12) { return end - start == realEnd }
        let next = rawHeader(at: start + realEnd)
        return next.type == h.type && plausible(next, limit: MRTReader.maximumRecordLength)
            && timestampFits(next.timestamp)
    }

    private func timestampFits(_ t: UInt32) -> Bool {
        guard let last = lastTimestamp else { return true }
        let delta = t > last ? t - last : last - t
        return delta <= 366 * 86_400
    }

    /// Scans forward from `fromRel` bytes after `start` for the first offset where a plausible record
    /// begins that is itself followed by a plausible record (or the end). Returns the offset relative
    /// to `start`, or nil when the input ends first.
    private func resynchronise(fromRel: Int) throws(MRTInputError) -> Int? {
        var candidate = fromRel
        while true {
            if try !fill(candidate + 12) { return nil }
            let h = rawHeader(at: start + candidate)
            if plausible(h, limit: MRTReader.maximumResyncLength) && timestampFits(h.timestamp) {
                if let ok = try followedByPlausible(candidate, h), ok { return candidate }
            }
            candidate += 1
        }
    }

    private func skip(toRel skipped: Int, why: String) {
        diagnostics.skippedBytes += UInt64(skipped)
        diagnostics.resynchronisations += 1
        warn(
            "\(why); skipped \(skipped) bytes to the next record header at offset \(position + UInt64(skipped))",
            offset: position, record: diagnostics.records + 1)
        start += skipped
    }

    /// The next record, or nil at the end of the input. See `MRTRecord` for how long `body` lives.
    public func next() throws(MRTInputError) -> MRTRecord? {
        while true {
            if try !fill(12) {
                let left = end - start
                if left > 0 {
                    diagnostics.skippedBytes += UInt64(left)
                    warn("input ends with \(left) bytes that do not make an MRT header", offset: position, record: nil)
                    start = end
                }
                flushSourceProblems()
                return nil
            }
            var h = rawHeader(at: start)
            if !plausible(h, limit: MRTReader.maximumRecordLength) {
                let why = "no valid MRT header here (type \(h.type), subtype \(h.subtype), length \(h.length))"
                guard let target = try resynchronise(fromRel: 1) else {
                    let left = end - start
                    diagnostics.skippedBytes += UInt64(left)
                    warn("\(why); no further record found, \(left) bytes skipped", offset: position, record: nil)
                    start = end
                    return nil
                }
                skip(toRel: target, why: why)
                continue
            }
            if try !fill(h.headerSize + h.length) {
                let have = end - start
                diagnostics.skippedRecords += 1
                diagnostics.skippedBytes += UInt64(have)
                warn(
                    "record is truncated: the input ends after \(have) of \(h.headerSize + h.length) bytes",
                    offset: position, record: diagnostics.records + 1)
                start = end
                flushSourceProblems()
                return nil
            }
            if h.type == MRTType.tableDump, try declaredFourShort(h) {
                // RIS's TABLE_DUMP files of 1999-2000 declare each record 4 bytes shorter than written
                // (and pack several entries into one): read the 4 bytes as the record's.
                h.length += 4
                diagnostics.shortTableDumpRecords += 1
                if diagnostics.shortTableDumpRecords == 1 {
                    warn(
                        "TABLE_DUMP records declare 4 bytes less than they hold (as RIS wrote them in 1999-2000); read whole",
                        offset: position, record: diagnostics.records + 1)
                }
            } else if let ok = try followedByPlausible(0, h), !ok {
                // The next header is wrong: either this record's length is torn, or the damage starts
                // after it. Look for a record boundary inside this one.
                if let target = try resynchronise(fromRel: 1), target < h.headerSize + h.length {
                    diagnostics.skippedRecords += 1
                    skip(toRel: target, why: "torn record (type \(h.type), length \(h.length) does not reach a record)")
                    continue
                }
            }
            let b = UnsafeRawBufferPointer(buffer)
            diagnostics.records += 1
            let header = MRTRecordHeader(
                timestamp: h.timestamp, microseconds: h.headerSize == 16 ? b.u32(start + 12) : 0, type: h.type,
                subtype: h.subtype, length: h.length, offset: position, index: diagnostics.records)
            let body = UnsafeRawBufferPointer(rebasing: b[(start + h.headerSize)..<(start + h.headerSize + h.length)])
            start += h.headerSize + h.length
            lastTimestamp = h.timestamp
            return MRTRecord(header: header, body: body)
        }
    }
}
