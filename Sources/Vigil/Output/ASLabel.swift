/// How an AS is named to people, everywhere (console, evidence, headlines, pages, reports): `AS4837`, or
/// `AS4837 (China Unicom)` when its name is known. Pages escape the result like any other text.
public enum ASLabel {
    /// The label of `asn`, with `name` when there is one.
    public static func text(_ asn: UInt32, name: String?) -> String {
        guard let name, !name.isEmpty else { return "AS\(asn)" }
        return "AS\(asn) (\(name))"
    }
}
