import BGP
import MRT
import Vigil

/// One MRT file opened for replay: its reader, its decoder, whether it is a RIB snapshot or an update
/// file (told by its first record), the collector it belongs to, and the record waiting to be played.
final class MRTInput {
    let path: String
    let reader: MRTReader
    var decoder = MRTDecoder()
    let isRIB: Bool
    let collector: String
    /// The next record, already read (its body stays valid until the reader is advanced).
    var pending: MRTRecord?
    var failure: String?

    init(path: String, collector: String?) throws(MRTInputError) {
        self.path = path
        reader = try MRTReader.open(path: path)
        self.collector = collector ?? MRTInput.collectorLabel(path)
        do {
            pending = try reader.next()
        } catch {
            failure = "\(error)"
            pending = nil
        }
        let type = pending?.header.type
        isRIB = type == MRTType.tableDump || type == MRTType.tableDumpV2
    }

    /// The folder a file sits in names its collector (archives are laid out as `rrc00/2025.06/...`, the
    /// lab as `SCENARIO/...`); files of one folder share peers.
    static func collectorLabel(_ path: String) -> String {
        let parts = path.split(separator: "/")
        guard parts.count >= 2 else { return "" }
        // Skip RIS's month folders (2025.06) to reach the collector's name.
        for part in parts.dropLast().reversed() where !part.allSatisfy({ $0.isNumber || $0 == "." }) {
            return String(part)
        }
        return ""
    }

    /// The pending record's time.
    var time: Double? {
        guard let h = pending?.header else { return nil }
        return Double(h.timestamp) + Double(h.microseconds) / 1_000_000
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
