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

/// The target's signals over one time bin.
public struct BinSummary: Sendable {
    /// Bin start (inclusive) and length in seconds.
    public var start: Double
    public var length: Double
    /// Tracked prefixes up at the end of the bin, of how many.
    public var prefixesUp: Int
    public var prefixes: Int
    /// Peers voting at the end of the bin.
    public var votingPeers: Int
    /// Visibility per tracked prefix at the end of the bin.
    public var visibility: [IPPrefix: Double]
    /// Routes per voting peer through each upstream at the end of the bin.
    public var upstreamShare: [UInt32: Double]
    /// Route updates (all prefixes) read during the bin.
    public var updates: Int
    /// The dark share of the target's address space at the end of the bin (0...1).
    public var darkShare: Double = 0
    /// Per origin AS, the share of the peers up carrying its routes into the target's space.
    public var originShare: [UInt32: Double] = [:]
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
        var view = RoutingView(
            target: target, learnsOrigins: learnsOrigins, thresholds: thresholds,
            leakJudge: LeakJudge(given: relationships))
        var detector = Detector(target: target, thresholds: thresholds)
        var bytesDone: UInt64 = 0
        var ribTime: Double = 0

        // 1. RIB snapshots, one after the other: they describe one moment each.
        for input in inputs where input.isRIB {
            while let record = input.pending {
                ribTime = max(ribTime, Double(record.header.timestamp))
                var unused: Double?
                summary.ribElements += play(record, input, &view, changedAt: &unused)
                input.advance()
                progress?(bytesDone + input.reader.compressedPosition)
            }
            bytesDone += input.reader.compressedPosition
        }
        if ribTime > 0 {
            view.refreshAllVotes()
            for n in detector.observe(TargetSignals(changesOf: &view, time: ribTime)) { output(.notice(n)) }
        }

        // 2. Update files merged by record time.
        let updates = inputs.filter { !$0.isRIB }
        var binStart: Double?
        var binUpdates = 0
        func closeBins(before time: Double) {
            guard binSeconds > 0 else { return }
            if binStart == nil { binStart = (time / binSeconds).rounded(.down) * binSeconds }
            while let start = binStart, time >= start + binSeconds {
                let end = start + binSeconds
                let s = TargetSignals(snapshotOf: view, time: end)
                output(
                    .bin(
                        BinSummary(
                            start: start, length: binSeconds, prefixesUp: s.prefixesUp(thresholds.visibleFraction),
                            prefixes: s.visibility.count, votingPeers: s.votingPeers, visibility: s.visibility,
                            upstreamShare: s.upstreamShare, updates: binUpdates, darkShare: detector.darkShare,
                            originShare: view.originShares())))
                binUpdates = 0
                detector.tick(now: end)
                for e in detector.drainFinished() { output(.event(e)) }
                binStart = end
            }
        }
        var lastProgress: UInt64 = 0
        var recordsSinceProgress = 0
        var changedAt: Double?
        // Changes are looked at once per second of record time (MRT's resolution): a burst of updates in
        // one second is one observation, at the time of the last change in it.
        func observePending() {
            guard let t = changedAt else { return }
            changedAt = nil
            for n in detector.observe(TargetSignals(changesOf: &view, time: t)) { output(.notice(n)) }
            for e in detector.drainFinished() { output(.event(e)) }
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
            if binSeconds > 0, nextTime >= (binStart ?? -Double.infinity) + binSeconds { closeBins(before: nextTime) }
            let elements = play(record, input, &view, changedAt: &changedAt)
            summary.updateElements += elements
            binUpdates += elements
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
        if let start = binStart { closeBins(before: start + binSeconds) }
        for e in detector.finish() { output(.event(e)) }
        for input in inputs {
            summary.diagnostics.merge(input.reader.diagnostics)
            if let failure = input.failure {
                output(.warning("\(input.reader.name): \(failure)"))
                summary.failedInputs.append(input.path)
            } else if input.reader.diagnostics.records == 0 {
                summary.failedInputs.append(input.path)
            }
        }
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
