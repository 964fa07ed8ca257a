/// A problem found while reading, located so that a user can find it with `xxd` or `dd`.
public struct MRTWarning: Hashable, Sendable, CustomStringConvertible {
    /// The input's name as given by the user.
    public var input: String
    /// Offset in the decompressed input of the record or bytes concerned.
    public var offset: UInt64?
    /// 1-based record number, when the problem belongs to one record.
    public var record: Int?
    /// What is wrong and what was done about it.
    public var message: String

    /// Creates a warning.
    public init(input: String, offset: UInt64?, record: Int?, message: String) {
        self.input = input
        self.offset = offset
        self.record = record
        self.message = message
    }

    public var description: String {
        var location = input
        if let record { location += ": record \(record)" }
        if let offset { location += " at offset \(offset)" }
        return "\(location): \(message)"
    }
}

/// Counts of what was read, skipped and recovered; printed as the summary at the end.
public struct MRTDiagnostics: Hashable, Sendable {
    /// Records framed and handed out.
    public var records = 0
    /// Records whose body could not be fully decoded (their good parts were still used).
    public var damagedRecords = 0
    /// Records of a type or subtype Vigil does not decode (skipped on purpose, not errors).
    public var unsupportedRecords = 0
    /// Bytes skipped while resynchronising after corruption, or left over at the end.
    public var skippedBytes: UInt64 = 0
    /// Torn or truncated records dropped entirely.
    public var skippedRecords = 0
    /// Times the reader lost the record framing and found it again.
    public var resynchronisations = 0
    /// TABLE_DUMP records that declared 4 bytes less than they hold (RIS's files of 1999-2000), read whole.
    public var shortTableDumpRecords = 0
    /// Every warning (the first 10,000 are kept; the count goes on).
    public var warnings: [MRTWarning] = []
    /// Total warnings, including those not kept.
    public var warningCount = 0

    /// Nothing to report.
    public init() {}

    /// True when anything at all went wrong.
    public var hasProblems: Bool { warningCount > 0 }

    /// Adds up two inputs' diagnostics.
    public mutating func merge(_ other: MRTDiagnostics) {
        records += other.records
        damagedRecords += other.damagedRecords
        unsupportedRecords += other.unsupportedRecords
        skippedBytes += other.skippedBytes
        skippedRecords += other.skippedRecords
        resynchronisations += other.resynchronisations
        shortTableDumpRecords += other.shortTableDumpRecords
        warningCount += other.warningCount
        warnings.append(contentsOf: other.warnings.prefix(max(0, 10_000 - warnings.count)))
    }

    /// One line for the end of a run: what was read and what was lost.
    public var summary: String {
        "\(records) records read, \(damagedRecords) damaged, \(skippedRecords) dropped, "
            + "\(skippedBytes) bytes skipped, \(resynchronisations) resynchronisations, "
            + "\(unsupportedRecords) of unsupported types, \(warningCount) warnings"
            + (shortTableDumpRecords > 0
                ? "; \(shortTableDumpRecords) TABLE_DUMP records declared 4 bytes short, read whole" : "")
    }
}
