import CBzip2

/// Decompresses a bzip2 stream, including concatenated streams (as `pbzip2` writes them).
///
/// A stream cut short yields everything before the cut and reports a problem.
public final class Bzip2ByteSource: ByteSource {
    private let input: ByteSource
    private let stream: UnsafeMutablePointer<bz_stream>
    private let inBuffer: UnsafeMutableRawBufferPointer
    private var inputEnded = false
    private var finished = false
    private var streamOpen = true
    private var compressedOffset: UInt64 = 0
    public private(set) var problems: [MRTInputProblem] = []

    /// Wraps `input`, whose first bytes are a bzip2 header.
    public init(input: ByteSource) throws(MRTInputError) {
        self.input = input
        stream = UnsafeMutablePointer<bz_stream>.allocate(capacity: 1)
        stream.initialize(to: bz_stream())
        inBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 18, alignment: 16)
        guard BZ2_bzDecompressInit(stream, 0, 0) == BZ_OK else {
            stream.deallocate()
            inBuffer.deallocate()
            throw MRTInputError("libbz2 could not be initialised")
        }
    }

    deinit {
        if streamOpen { BZ2_bzDecompressEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
        inBuffer.deallocate()
    }

    private func refill() throws(MRTInputError) {
        guard stream.pointee.avail_in == 0, !inputEnded else { return }
        let n = try input.read(into: inBuffer)
        if n == 0 {
            inputEnded = true
            return
        }
        stream.pointee.next_in = inBuffer.baseAddress?.assumingMemoryBound(to: CChar.self)
        stream.pointee.avail_in = UInt32(n)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(MRTInputError) -> Int {
        guard !finished, let out = buffer.baseAddress, buffer.count > 0 else { return 0 }
        stream.pointee.next_out = out.assumingMemoryBound(to: CChar.self)
        stream.pointee.avail_out = UInt32(buffer.count)
        while stream.pointee.avail_out == UInt32(buffer.count) {
            try refill()
            if !streamOpen {
                if stream.pointee.avail_in == 0 && inputEnded {
                    finished = true
                    break
                }
                // Another stream follows: start a fresh decompressor, keeping the pending input.
                let pendingIn = stream.pointee.next_in
                let pendingCount = stream.pointee.avail_in
                stream.pointee = bz_stream()
                guard BZ2_bzDecompressInit(stream, 0, 0) == BZ_OK else {
                    throw MRTInputError("libbz2 could not be re-initialised")
                }
                stream.pointee.next_in = pendingIn
                stream.pointee.avail_in = pendingCount
                stream.pointee.next_out = out.assumingMemoryBound(to: CChar.self)
                stream.pointee.avail_out = UInt32(buffer.count)
                streamOpen = true
            }
            if stream.pointee.avail_in == 0 && inputEnded {
                problems.append(
                    MRTInputProblem(
                        message: "bzip2 stream is truncated: it ends inside a compressed block",
                        compressedOffset: compressedOffset))
                finished = true
                break
            }
            let before = stream.pointee.avail_in
            let status = BZ2_bzDecompress(stream)
            compressedOffset += UInt64(before - stream.pointee.avail_in)
            switch status {
            case BZ_OK:
                continue
            case BZ_STREAM_END:
                BZ2_bzDecompressEnd(stream)
                streamOpen = false
            default:
                problems.append(
                    MRTInputProblem(
                        message: "bzip2 data is corrupt (error \(status)); the rest of the file is skipped",
                        compressedOffset: compressedOffset))
                finished = true
            }
            if finished { break }
        }
        return buffer.count - Int(stream.pointee.avail_out)
    }
}
