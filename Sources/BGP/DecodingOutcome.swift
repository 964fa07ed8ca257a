/// What became of one record or message: decoded, not a kind Vigil decodes, or damaged.
public enum DecodingOutcome: Equatable, Sendable {
    /// Decoded completely.
    case decoded
    /// A type or subtype Vigil does not turn into elements (OSPF, IS-IS, BGP4MP_ENTRY...).
    case unsupported
    /// Partly decoded: elements before the damage were delivered; the message says what was wrong.
    case damaged(String)
}
