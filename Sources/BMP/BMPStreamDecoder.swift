import BGP

/// Counts of what a BMP stream held and what was skipped, for the operator.
public struct BMPDiagnostics: Hashable, Sendable {
    /// Messages framed, per type code.
    public var messages: [UInt8: Int] = [:]
    /// Bytes skipped while looking for the next message after garbage.
    public var skippedBytes: UInt64 = 0
    /// Times the framing was lost and found again.
    public var resynchronisations = 0
    /// Messages framed but not decodable (their bytes were skipped).
    public var damagedMessages = 0
    /// Bytes left at the end of the stream that did not form a whole message.
    public var truncatedBytes: UInt64 = 0

    /// Nothing seen yet.
    public init() {}

    /// All messages framed.
    public var totalMessages: Int { messages.values.reduce(0, +) }
}

/// One framed message: its type and bytes (common header included), borrowed from the decoder's buffer
/// until the callback returns, and its offset in the stream.
public struct BMPFrame {
    /// The message type code.
    public var type: UInt8
    /// The whole message.
    public var bytes: UnsafeRawBufferPointer
    /// Where it starts in the stream.
    public var offset: UInt64

    /// The per-peer header (Route Monitoring, Statistics, Peer Up/Down, Route Mirroring).
    public var peer: BMPPeerHeader? {
        type <= 3 || type == 6 ? BMPPeerHeader(UnsafeRawBufferPointer(rebasing: bytes[BMPCommonHeader.length...])) : nil
    }

    /// The BGP message of a Route Monitoring message.
    public var bgpMessage: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[(BMPCommonHeader.length + BMPPeerHeader.length)...])
    }

    /// The fully decoded message (copies what it keeps).
    public func message() throws(BMPDecodingError) -> BMPMessage { try BMPMessage(parsing: bytes, offset: offset) }
}

/// Cuts a BMP byte stream (as TCP delivers it, in pieces of any size) into messages.
///
/// Garbage does not stop it: when the bytes at the current position cannot be a message, it reports the
/// offset, then skips forward to the next position that looks like a message header (version 3, a known
/// type, a plausible length), counting the bytes skipped.
public struct BMPStreamDecoder {
    /// What was framed and skipped so far.
    public private(set) var diagnostics = BMPDiagnostics()
    private var buffer: [UInt8] = []
    private var start = 0
    /// Stream offset of `buffer[start]`.
    private var position: UInt64 = 0
    /// True while skipping garbage (one error per run of bad bytes).
    private var lost = false

    /// A decoder at the start of a stream.
    public init() {}

    /// Bytes received and not yet framed.
    public var pendingBytes: Int { buffer.count - start }

    /// Adds bytes received from the stream.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Adds bytes received from the stream.
    public mutating func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }

    /// Frames every whole message buffered, calling `visit` for each and `problem` for garbage found.
    public mutating func decode(_ visit: (BMPFrame) -> Void, problem: (BMPDecodingError) -> Void) {
        var start = self.start
        var position = self.position
        var lost = self.lost
        var diagnostics = self.diagnostics
        buffer.withUnsafeBytes { b in
            while b.count - start >= BMPCommonHeader.length {
                if !BMPCommonHeader.isPlausible(b, start) {
                    if !lost {
                        lost = true
                        diagnostics.resynchronisations += 1
                        problem(Self.describe(b, start, position))
                    }
                    start += 1
                    position += 1
                    diagnostics.skippedBytes += 1
                    continue
                }
                let length = Int(b.u32(start + 1))
                guard b.count - start >= length else { break }
                lost = false
                let frame = BMPFrame(
                    type: b[start + 5], bytes: UnsafeRawBufferPointer(rebasing: b[start..<(start + length)]),
                    offset: position)
                diagnostics.messages[frame.type, default: 0] += 1
                visit(frame)
                start += length
                position += UInt64(length)
            }
        }
        self.start = start
        self.position = position
        self.lost = lost
        self.diagnostics = diagnostics
    }

    /// Records a framed message that could not be decoded.
    public mutating func noteDamaged() { diagnostics.damagedMessages += 1 }

    /// Ends the stream: bytes left over are a truncated message, reported with their offset.
    public mutating func finish() -> BMPDecodingError? {
        let left = buffer.count - start
        guard left > 0 else { return nil }
        diagnostics.truncatedBytes += UInt64(left)
        let error = BMPDecodingError(
            offset: position, reason: "stream ended inside a message (\(left) bytes of it received)")
        buffer.removeAll()
        start = 0
        position += UInt64(left)
        return error
    }

    private static func describe(_ b: UnsafeRawBufferPointer, _ at: Int, _ position: UInt64) -> BMPDecodingError {
        let reason: String
        if b[at] != BMPCommonHeader.version {
            reason = "not a BMP v3 message (version byte \(b[at])); skipping to the next message"
        } else if b[at + 5] > 6 {
            reason = "unknown message type \(b[at + 5]); skipping to the next message"
        } else {
            reason = "implausible message length \(b.u32(at + 1)); skipping to the next message"
        }
        return BMPDecodingError(offset: position, reason: reason)
    }
}
