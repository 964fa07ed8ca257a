import GRDB

/// What the probes of one URL found during one bin: reachability and round trips per host per bin.
public struct StoredProbeBin: Sendable, Equatable {
    /// The probe's URL (`tcp://ns1.kptc.kp:53`).
    public var url: String
    /// The bin: its start and length, seconds.
    public var start: Double
    public var seconds: Double
    /// Probes run, and probes answered.
    public var sent: Int
    public var answered: Int
    /// Packets' worth of tries (retries included), for checking the schedule's limits.
    public var attempts: Int
    /// Sum and largest of the answered probes' round trips, milliseconds.
    public var rttSumMs: Double
    public var rttMaxMs: Double?
    /// The last failure's reason.
    public var lastError: String?

    /// A bin.
    public init(
        url: String, start: Double, seconds: Double, sent: Int = 0, answered: Int = 0, attempts: Int = 0,
        rttSumMs: Double = 0, rttMaxMs: Double? = nil, lastError: String? = nil
    ) {
        self.url = url
        self.start = start
        self.seconds = seconds
        self.sent = sent
        self.answered = answered
        self.attempts = attempts
        self.rttSumMs = rttSumMs
        self.rttMaxMs = rttMaxMs
        self.lastError = lastError
    }

    /// The mean round trip of the answered probes.
    public var rttMeanMs: Double? { answered > 0 ? rttSumMs / Double(answered) : nil }

    /// Adds one probe's outcome.
    public mutating func add(reachable: Bool, rttMs: Double?, attempts tries: Int, error: String?) {
        sent += 1
        attempts += tries
        if reachable {
            answered += 1
            if let rttMs {
                rttSumMs += rttMs
                rttMaxMs = max(rttMaxMs ?? rttMs, rttMs)
            }
        } else if let error {
            lastError = error
        }
    }
}

extension History {
    static func insert(probes p: StoredProbeBin, target: String, _ db: Database) throws {
        // A probe that finished after its bin was written adds to that bin.
        try db.execute(
            sql: """
                INSERT INTO probes (target, url, start, seconds, sent, answered, attempts, rtt_sum_ms, rtt_max_ms, last_error)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (target, start, url) DO UPDATE SET
                  sent = sent + excluded.sent, answered = answered + excluded.answered,
                  attempts = attempts + excluded.attempts, rtt_sum_ms = rtt_sum_ms + excluded.rtt_sum_ms,
                  rtt_max_ms = max(coalesce(rtt_max_ms, excluded.rtt_max_ms), coalesce(excluded.rtt_max_ms, rtt_max_ms)),
                  last_error = coalesce(excluded.last_error, last_error)
                """,
            arguments: [
                target, p.url, p.start, p.seconds, p.sent, p.answered, p.attempts, p.rttSumMs, p.rttMaxMs, p.lastError,
            ])
    }

    /// A target's probe bins from `from` to `to`, by time then URL.
    public func probeBins(target: String, from: Double, to: Double) throws(StoreError) -> [StoredProbeBin] {
        try read { db in
            let c = ProbeRecord.Columns.self
            return try ProbeRecord.filter(c.target == target && c.start >= from && c.start < to).order(c.start, c.url)
                .fetchAll(db).map(\.bin)
        }
    }
}

extension History {
    /// A target's probe bins from `from` to `to`, each URL's stored bins summed into bins of `bin`
    /// seconds (nil: as stored).
    public func probeBins(target: String, from: Double, to: Double, bin: Double?) throws(StoreError)
        -> [StoredProbeBin]
    {
        let stored = try probeBins(target: target, from: from, to: to)
        guard let bin, bin > 0 else { return stored }
        var merged: [String: StoredProbeBin] = [:]
        for b in stored {
            let start = (b.start / bin).rounded(.down) * bin
            let key = "\(start) \(b.url)"
            var m = merged[key] ?? StoredProbeBin(url: b.url, start: start, seconds: bin)
            m.sent += b.sent
            m.answered += b.answered
            m.attempts += b.attempts
            m.rttSumMs += b.rttSumMs
            if let r = b.rttMaxMs { m.rttMaxMs = max(m.rttMaxMs ?? r, r) }
            m.lastError = b.lastError ?? m.lastError
            merged[key] = m
        }
        return merged.values.sorted { ($0.start, $0.url) < ($1.start, $1.url) }
    }
}
