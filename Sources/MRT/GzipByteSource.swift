import CZlib

/// Inflates a gzip stream, including several concatenated members (as `cat a.gz b.gz` makes).
///
/// A stream cut short (a partial download) yields everything before the cut and reports a problem
/// instead of failing, so the records it holds are not lost.
public final class GzipByteSource: ByteSource {
    private let input: ByteSource
    private let stream: UnsafeMutablePointer<z_stream>
    private let inBuffer: UnsafeMutableRawBufferPointer
    private var inputEnded = false
    private var finished = false
    private var memberOpen = true
    private var compressedOffset: UInt64 = 0
    public private(set) var problems: [MRTInputProblem] = []

    /// Wraps `input`, whose first bytes are a gzip header.
    public init(input: ByteSource) throws(MRTInputError) {
        self.input = input
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        inBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 18, alignment: 16)
        guard vigil_inflateInit2(stream, 15 + 16) == Z_OK else {
            stream.deallocate()
            inBuffer.deallocate()
            throw MRTInputError("zlib could not be initialised")
        }
    }

    deinit {
        inflateEnd(stream)
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
        stream.pointee.next_in = inBuffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = uInt(n)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(MRTInputError) -> Int {
        guard !finished, let out = buffer.baseAddress, buffer.count > 0 else { return 0 }
        stream.pointee.next_out = out.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(buffer.count)
        while stream.pointee.avail_out == uInt(buffer.count) {
            try refill()
            if !memberOpen {
                // Between members: another member follows only if input remains.
                if stream.pointee.avail_in == 0 && inputEnded {
                    finished = true
                    break
                }
                inflateReset(stream)
                memberOpen = true
            }
            if stream.pointee.avail_in == 0 && inputEnded {
                problems.append(
                    MRTInputProblem(
                        message: "gzip stream is truncated: it ends inside a compressed member",
                        compressedOffset: compressedOffset))
                finished = true
                break
            }
            let before = stream.pointee.avail_in
            let status = inflate(stream, Z_NO_FLUSH)
            compressedOffset += UInt64(before - stream.pointee.avail_in)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                memberOpen = false
            default:
                let detail = stream.pointee.msg.map { String(cString: $0) } ?? "error \(status)"
                problems.append(
                    MRTInputProblem(
                        message: "gzip data is corrupt (\(detail)); the rest of the file is skipped",
                        compressedOffset: compressedOffset))
                finished = true
            }
            if finished { break }
        }
        return buffer.count - Int(stream.pointee.avail_out)
    }
}
