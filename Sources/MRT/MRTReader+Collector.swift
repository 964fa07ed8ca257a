extension MRTReader {
    /// The collector label Vigil gives an MRT file: the folder it sits in (archives keep one collector per
    /// folder, laid out as `rrc00/2025.06/...`; the lab as `SCENARIO/...`), skipping RIS's month folders
    /// (`2025.06`). Files of one folder share peers, so live seeding and replay name peers alike.
    public static func collectorLabel(forFile path: String) -> String {
        let parts = path.split(separator: "/")
        guard parts.count >= 2 else { return "" }
        for part in parts.dropLast().reversed() where !part.allSatisfy({ $0.isNumber || $0 == "." }) {
            return String(part)
        }
        return ""
    }
}
