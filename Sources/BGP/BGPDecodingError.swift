/// Why a piece of BGP data could not be decoded, and where.
///
/// A struct over a private enum, so that new cases can be added without breaking callers.
/// `offset` counts bytes from the start of the buffer the decoder was given.
public struct BGPDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    enum Kind: Hashable, Sendable {
        case truncated(what: String, needed: Int, available: Int)
        case invalid(what: String)
    }

    let kind: Kind
    /// Byte offset of the problem within the decoded buffer.
    public let offset: Int

    /// Data ended before a field of `needed` bytes could be read.
    public static func truncated(_ what: String, needed: Int, available: Int, at offset: Int) -> BGPDecodingError {
        BGPDecodingError(kind: .truncated(what: what, needed: needed, available: available), offset: offset)
    }

    /// A field holds a value the protocol does not allow.
    public static func invalid(_ what: String, at offset: Int) -> BGPDecodingError {
        BGPDecodingError(kind: .invalid(what: what), offset: offset)
    }

    /// True when the data simply ran out (as opposed to holding a wrong value).
    public var isTruncation: Bool {
        if case .truncated = kind { return true }
        return false
    }

    /// The same error with its offset moved by `delta` (when a buffer is nested in a bigger one).
    public func shifted(by delta: Int) -> BGPDecodingError { BGPDecodingError(kind: kind, offset: offset + delta) }

    public var description: String {
        switch kind {
        case .truncated(let what, let needed, let available):
            return "\(what) truncated at offset \(offset): needs \(needed) bytes, \(available) left"
        case .invalid(let what):
            return "\(what) at offset \(offset)"
        }
    }
}
