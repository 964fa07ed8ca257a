import BGP
import MRT
import Vigil

/// What a replay reports as it goes.
public enum ReplayOutput: Sendable {
    /// A change worth a timeline line.
    case notice(TimelineNotice)
    /// The signals at the end of a time bin.
    case bin(BinSummary)
    /// A finished (or, at the end, ongoing) event with its diagnosis.
    case event(DetectedEvent)
    /// A problem with an input, with its file and offset; the replay goes on.
    case warning(String)
}

/// Counts for the end of a replay.
public struct ReplaySummary: Sendable {
    /// Route elements read, in RIB files and update files.
    public var ribElements = 0
    public var updateElements = 0
    /// Update records older than the newest RIB snapshot, skipped (the snapshot already holds them).
    public var skippedBeforeRIB = 0
    /// Decoding problems over all inputs.
    public var diagnostics = MRTDiagnostics()
    /// Inputs that could not be opened or read at all.
    public var failedInputs: [String] = []
    /// Peers seen and peers that voted at the end.
    public var peers = 0
    public var votingPeers = 0
}

/// Replays MRT files through the same view, detector and diagnosis as live monitoring: RIB snapshots
/// first (they seed every peer's state), then all update files merged in timestamp order.
public struct Replayer {
    /// The target replayed.
    public let target: Target
    /// Thresholds (the target's, possibly scaled for compressed recordings).
    public let thresholds: Thresholds
    /// Bin length for the timeline, seconds.
    public var binSeconds: Double
    /// Collector label for every input; nil derives it from each file's folder.
    public var collector: String?
    /// Learn prefixes the target's origin ASes announce outside its listed space (country targets).
    public var learnsOrigins = false
    /// AS relationships for route leaks (a CAIDA file); nil infers them from degrees in the data.
    public var relationships: ASRelationships?

    /// A replayer for `target`.
    public init(target: Target, thresholds: Thresholds? = nil, binSeconds: Double = 300, collector: String? = nil) {
        self.target = target
        self.thresholds = thresholds ?? target.thresholds
        self.binSeconds = binSeconds
        self.collector = collector
    }

    /// Replays `paths`, calling `output` as things happen and `progress` with (bytes read, bytes in all).
    public func run(
        paths: [String], output: @escaping (ReplayOutput) -> Void, progress: ((UInt64) -> Void)? = nil
    ) -> ReplaySummary {
        var summary = ReplaySummary()
        var inputs: [MRTInput] = []
        for path in paths {
            do {
                let input = try MRTInput(path: path, collector: collector)
                input.reader.onWarning = { output(.warning("\($0)")) }
                inputs.append(input)
            } catch {
                output(.warning("\(error)"))
                summary.failedInputs.append(path)
            }
        }
        var monitor = TargetMonitor(
            target: target, binSeconds: binSeconds, thresholds: thresholds, learnsOrigins: learnsOrigins,
            relationships: relationships, reportsOpenEvents: false, ticksAtBinEnds: true)
        /// Hands on what the monitor said: replay prints an event once it is over.
        func emit() {
            for o in monitor.drain() {
                switch o {
                case .notice(let n): output(.notice(n))
                case .closed(let e): output(.event(e))
                case .bin(let b): output(.bin(b))
                case .opened, .updated: break
                }
            }
        }
        var bytesDone: UInt64 = 0
        var ribTime: Double = 0

        // 1. RIB snapshots, one after the other: they describe one moment each.
        for input in inputs where input.isRIB {
            while let record = input.pending {
                ribTime = max(ribTime, Double(record.header.timestamp))
                var unused: Double?
                summary.ribElements += play(record, input, &monitor.view, changedAt: &unused)
                input.advance()
                progress?(bytesDone + input.reader.compressedPosition)
            }
            bytesDone += input.reader.compressedPosition
        }
        if ribTime > 0 {
            monitor.view.refreshAllVotes()
            monitor.observe(time: ribTime)
            emit()
        }

        // 2. Update files merged by record time.
        let updates = inputs.filter { !$0.isRIB }
        let binSeconds = self.binSeconds
        var lastProgress: UInt64 = 0
        var recordsSinceProgress = 0
        var changedAt: Double?
        // Changes are looked at once per second of record time (MRT's resolution): a burst of updates in
        // one second is one observation, at the time of the last change in it.
        func observePending() {
            guard let t = changedAt else { return }
            changedAt = nil
            monitor.observe(time: t)
            emit()
        }
        let single = updates.count == 1 ? updates.first : nil
        while true {
            var next: MRTInput?
            var nextTime = Double.infinity
            if let single {
                // One file: no merge to do.
                next = single
                nextTime = single.time ?? .infinity
            } else {
                for input in updates {
                    if let t = input.time, t < nextTime {
                        nextTime = t
                        next = input
                    }
                }
            }
            guard let input = next, let record = input.pending else { break }
            if nextTime < ribTime {
                summary.skippedBeforeRIB += 1
                input.advance()
                continue
            }
            if let t = changedAt, nextTime.rounded(.down) > t.rounded(.down) { observePending() }
            if binSeconds > 0, nextTime >= (monitor.binStart ?? -Double.infinity) + binSeconds {
                monitor.closeBins(before: nextTime)
                emit()
            }
            let elements = play(record, input, &monitor.view, changedAt: &changedAt)
            summary.updateElements += elements
            monitor.binUpdates += elements
            input.advance()
            recordsSinceProgress &+= 1
            if let progress, recordsSinceProgress & 4095 == 0 {
                let position = bytesDone + updates.reduce(0) { $0 + $1.reader.compressedPosition }
                if position > lastProgress + 1 << 20 {
                    lastProgress = position
                    progress(position)
                }
            }
        }
        observePending()
        if let start = monitor.binStart { monitor.closeBins(before: start + binSeconds) }
        monitor.finish()
        emit()
        for input in inputs {
            summary.diagnostics.merge(input.reader.diagnostics)
            if let failure = input.failure {
                output(.warning("\(input.reader.name): \(failure)"))
                summary.failedInputs.append(input.path)
            } else if input.reader.diagnostics.records == 0 {
                summary.failedInputs.append(input.path)
            }
        }
        let view = monitor.view
        summary.peers = view.peers.count
        summary.votingPeers = view.votingPeers.count
        return summary
    }

    /// Decodes one record into the view; returns the number of route elements. `changedAt` is set to the
    /// time of the record's last element that changed the watched state (a plain variable rather than a
    /// callback: the hot loop then holds no closure context to retain per record).
    func play(_ record: MRTRecord, _ input: MRTInput, _ view: inout RoutingView, changedAt: inout Double?) -> Int {
        var elements = 0
        let relevance = view.relevance
        let learns = view.learnsOrigins
        var feeder = ElementFeeder(placeholder: input.placeholder)
        let outcome = input.decoder.decode(record) { e in
            let id = input.peerID(e.peerAddress, e.peerASN, &view)
            if e.kind != .stateChange { elements += 1 }
            if feeder.feed(e, peer: id, view: &view, relevance: relevance, learns: learns) { changedAt = e.time }
        }
        feeder.flush(&view)
        switch outcome {
        case .decoded: break
        case .unsupported: input.reader.reportUnsupported(record.header)
        case .damaged(let why): input.reader.reportDamage(record.header, why)
        }
        return elements
    }
}
