import Vigil

/// Keeps what a replay reports in a store (`vigil replay --store`): every target, every closed bin, and
/// every event, numbered after the events the store already holds, so a replay adds to a store that a
/// watch or an earlier replay wrote.
///
/// Bins and events are written in batches of `batchSize` in one transaction each (a replay of a day
/// closes thousands of bins; a transaction per bin would cost the replay its speed). A batch that fails
/// stays pending and is tried again with the next one; `finish` throws when something still could not be
/// written.
public struct ReplayRecorder {
    /// The store written.
    public let store: History
    /// Items written per transaction.
    public var batchSize = 1000
    /// Added to each event's number: the replay numbers its own from 1.
    public let idOffset: Int
    /// Why what is pending could not be written (nil once a later write took it).
    public private(set) var error: StoreError?
    private var pending: StoreBatch
    private var count = 0

    /// A recorder for a replay of `targets` (saved at once, with their descriptions).
    public init(store: History, targets: [Target]) throws(StoreError) {
        self.store = store
        for t in targets { try store.save(target: t) }
        idOffset = try store.nextEventID() - 1
        pending = StoreBatch(target: targets.first?.name ?? "")
    }

    /// Adds a closed bin.
    public mutating func add(_ bin: SignalBin) {
        pending.signals.append(bin)
        countOne()
    }

    /// Numbers `event` after those the store held and adds it (open when it has no end); returns it as
    /// numbered.
    public mutating func add(_ event: DetectedEvent) -> DetectedEvent {
        var numbered = event
        numbered.id += idOffset
        pending.events.append((numbered, numbered.end == nil))
        countOne()
        return numbered
    }

    /// The settings where a replay notes, for `vigil report`, a target's data sources and command.
    public static func sourcesKey(_ target: String) -> String { "report_sources:\(target)" }
    public static func commandKey(_ target: String) -> String { "report_command:\(target)" }

    /// Notes, for `vigil report`, where a target's data came from and the command that replays it again.
    public mutating func note(target: String, sources: [String], command: String) {
        pending.settings.append((Self.sourcesKey(target), StoreJSON.array(sources)))
        pending.settings.append((Self.commandKey(target), command))
    }

    /// Adds a feed gap: a span of `source` (a collector) with no data, which is never a withdrawal.
    public mutating func add(gap source: String, start: Double, end: Double, reason: String) {
        pending.gaps.append((source, start, reason, nil))
        pending.gaps.append((source, start, "", end))
        countOne()
    }

    private mutating func countOne() {
        count += 1
        if count >= batchSize { flush() }
    }

    /// Writes what is pending; on failure keeps it for the next try and remembers why.
    public mutating func flush() {
        count = 0
        guard !pending.isEmpty else { return }
        do {
            try store.commit(pending)
            pending = StoreBatch(target: pending.target)
            error = nil
        } catch {
            self.error = error
        }
    }

    /// Writes the rest; throws when it could not be written (what was written stays written).
    public mutating func finish() throws(StoreError) {
        flush()
        if let error { throw error }
    }
}
