import BGP
import MRT
import Vigil

/// What a replay reports as it goes.
public enum ReplayOutput: Sendable {
    /// A change worth a timeline line, for the named target.
    case notice(TimelineNotice, target: String)
    /// The signals at the end of a time bin.
    case bin(SignalBin)
    /// A finished (or, at the end, ongoing) event with its diagnosis.
    case event(DetectedEvent)
    /// A problem with an input, with its file and offset; the replay goes on.
    case warning(String)
    /// What an input held, when that is worth a line (a JSON input: its form and routes).
    case note(String)
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
    /// Peers seen and peers that voted at the end (for several targets, the most any target had).
    public var peers = 0
    public var votingPeers = 0
}

/// Replays MRT files through the same view, detector and diagnosis as live monitoring: RIB snapshots
/// first (they seed every peer's state), then all update files merged in timestamp order. One pass over
/// the files serves every target (a `TargetSet`): a route reaches only the monitors whose space it touches.
public struct Replayer {
    /// The targets replayed, in the order given.
    public let targets: [Target]
    /// Thresholds per target (the target's, possibly scaled for compressed recordings).
    public let thresholds: [Thresholds]
    /// Bin length for the timeline, seconds.
    public var binSeconds: Double
    /// Collector label for every input; nil derives it from each file's folder.
    public var collector: String?
    /// Learn prefixes the target's origin ASes announce outside its listed space (country targets).
    public var learnsOrigins = false
    /// AS relationships for route leaks (a CAIDA file); nil infers them from degrees in the data.
    public var relationships: ASRelationships?
    /// The range asked for (`--from`, `--to`): update records at or after `to` are not played, and what
    /// happened wholly before `from` (bins ended by then, events over by then, notices) is played but not
    /// reported: the RIB and the updates between it and `from` bring the view up to date first.
    public var window: (from: Double, to: Double)?
    /// Decompress on worker threads (one per core), ahead of the replay, rather than on its own thread.
    public var readAhead = true
    /// Files beyond which update files named as the archives name them wait unopened until their turn
    /// (`MRTInput.init(waiting:)`): a day of every collector is thousands of files.
    public var maxOpenFiles = 64

    /// A replayer for `target`.
    public init(target: Target, thresholds: Thresholds? = nil, binSeconds: Double = 300, collector: String? = nil) {
        self.init(targets: [target], thresholds: thresholds.map { [$0] }, binSeconds: binSeconds, collector: collector)
    }

    /// A replayer for several targets at once; `thresholds`, when given, has one entry per target.
    public init(targets: [Target], thresholds: [Thresholds]? = nil, binSeconds: Double = 300, collector: String? = nil)
    {
        precondition(thresholds == nil || thresholds?.count == targets.count, "one thresholds per target")
        self.targets = targets
        self.thresholds = thresholds ?? targets.map(\.thresholds)
        self.binSeconds = binSeconds
        self.collector = collector
    }

    /// The target replayed (the first, when there are several).
    public var target: Target { targets[0] }

    /// Replays `paths`, calling `output` as things happen and `progress` with (bytes read, bytes in all).
    /// With several targets, events are numbered in the order they are reported (each target's detector
    /// numbers its own from 1).
    public func run(
        paths: [String], output: @escaping (ReplayOutput) -> Void, progress: ((UInt64) -> Void)? = nil
    ) -> ReplaySummary {
        var summary = ReplaySummary()
        var inputs: [MRTInput] = []
        let pool = readAhead ? ReadAheadPool() : nil
        defer {
            inputs.removeAll()
            pool?.shutdown()
        }

        // JSON inputs (RIPEstat answers, RIS Live recordings) become MRT records in memory.
        var json: [String] = []
        var mrt: [String] = []
        for path in paths {
            if JSONInputs.isJSON(path: path) { json.append(path) } else { mrt.append(path) }
        }
        if !json.isEmpty {
            let made = JSONInputs.inputs(json)
            for n in made.notes { output(.note(n)) }
            for w in made.warnings { output(.warning(w)) }
            summary.failedInputs += made.failed
            for input in made.inputs { input.onWarning = { output(.warning("\($0)")) } }
            inputs += made.inputs
        }
        // Many files (days of many collectors): an update file named as the archives name them waits
        // unopened until its turn comes.
        let waits = mrt.count > maxOpenFiles
        for (i, path) in mrt.enumerated() {
            do {
                let input: MRTInput
                if waits, let (kind, time) = ArchiveFileName.parse(path: path), kind == .updates {
                    input = MRTInput(waiting: path, collector: collector, readAhead: pool, startsAt: time)
                } else {
                    input = try MRTInput(path: path, collector: collector, readAhead: pool, order: i)
                }
                input.onWarning = { output(.warning("\($0)")) }
                inputs.append(input)
            } catch {
                output(.warning("\(error)"))
                summary.failedInputs.append(path)
            }
        }
        var set = TargetSet(
            monitors: targets.indices.map { i in
                TargetMonitor(
                    target: targets[i], binSeconds: self.binSeconds, thresholds: thresholds[i],
                    learnsOrigins: learnsOrigins && (targets.count == 1 || targets[i].originsFromRegistry),
                    relationships: relationships, reportsOpenEvents: false, ticksAtBinEnds: true)
            })
        let single = targets.count == 1
        let binSeconds = self.binSeconds
        var nextID = 1
        let reportFrom = window?.from ?? -Double.infinity
        let stopAt = window?.to ?? .infinity
        /// Hands on what the monitors said: replay prints an event once it is over.
        func emit(_ i: Int) {
            for o in set.monitors[i].drain() {
                switch o {
                case .notice(let n):
                    if n.time >= reportFrom { output(.notice(n, target: set.monitors[i].target.name)) }
                case .closed(var e):
                    if let end = e.end, end < reportFrom { continue }
                    // One target numbers its own events, unless some are left out before the window.
                    if !single || window != nil {
                        e.id = nextID
                        nextID += 1
                    }
                    output(.event(e))
                case .bin(let b):
                    if b.start + b.seconds > reportFrom { output(.bin(b)) }
                case .opened, .updated: break
                }
            }
        }
        var bytesDone: UInt64 = 0
        var ribTime: Double = 0
        var changed = Changes(count: targets.count)

        // 1. RIB snapshots, one after the other: they describe one moment each.
        for input in inputs where input.isRIB {
            while let record = input.pending {
                ribTime = max(ribTime, Double(record.header.timestamp))
                summary.ribElements += play(record, input, &set, &changed)
                input.advance()
                progress?(bytesDone + input.reader.compressedPosition)
            }
            bytesDone += input.reader.compressedPosition
        }
        changed.removeAll()
        if ribTime > 0 {
            for i in set.monitors.indices {
                set.sync(i)
                set.monitors[i].view.refreshAllVotes()
                set.monitors[i].observe(time: ribTime)
                emit(i)
            }
        }

        // 2. Update files merged by record time.
        let updates = inputs.filter { !$0.isRIB }
        var lastProgress: UInt64 = 0
        var recordsSinceProgress = 0
        var binStart: Double?
        var binUpdates = 0
        // Changes are looked at once per second of record time (MRT's resolution): a burst of updates in
        // one second is one observation, at the time of the last change in it.
        func observePending() {
            for i in changed.list {
                guard let t = changed.at[i] else { continue }
                if !single { set.sync(i) }
                set.monitors[i].observe(time: t)
                emit(i)
            }
            changed.removeAll()
        }
        var heap = MergeHeap(count: updates.count) { updates[$0].time }
        // Files waiting their turn are opened ahead, in time order, as others end, so that up to
        // `maxOpenFiles` are open: the read-ahead workers then decompress the next files while the merge
        // plays the current ones (opened only at their turn, a day's files left one core idle). Their first
        // record is read at their turn: reading it now would wait for its decompression here.
        let queue = updates.indices.filter { updates[$0].suspendedAt != nil }.sorted {
            (updates[$0].suspendedAt ?? 0, $0) < (updates[$1].suspendedAt ?? 0, $1)
        }
        var nextWaiting = 0
        var open = updates.filter { $0.suspendedAt == nil && $0.pending != nil }.count
        func openAhead() {
            while open < maxOpenFiles, nextWaiting < queue.count {
                let input = updates[queue[nextWaiting]]
                nextWaiting += 1
                guard let at = input.suspendedAt, at < stopAt, !input.prefetched else { continue }
                input.prefetch()
                open += 1
            }
        }
        /// The top input moved on: its new place in the merge, and another file opened ahead when it ended.
        /// (The heap is passed, not captured: a local captured by a closure lives in a box, and the merge
        /// touches the heap for every run of records.)
        func settle(_ input: MRTInput, _ heap: inout MergeHeap) {
            heap.updateTop(input.time)
            if input.time == nil {
                open -= 1
                openAhead()
            }
        }
        openAhead()
        while let (nextTime, index) = heap.top {
            let input = updates[index]
            if input.suspendedAt != nil, nextTime < stopAt {
                if !input.prefetched { open += 1 }
                input.resume()
                settle(input, &heap)
                continue
            }
            guard input.pending != nil, nextTime < stopAt else { break }
            if nextTime < ribTime {
                summary.skippedBeforeRIB += 1
                input.advance()
                settle(input, &heap)
                continue
            }
            if let t = changed.latest, nextTime.rounded(.down) > t.rounded(.down) { observePending() }
            if binSeconds > 0, nextTime >= (binStart ?? -Double.infinity) + binSeconds {
                for i in set.monitors.indices {
                    if !single { set.sync(i) }
                    set.monitors[i].binUpdates += binUpdates
                    set.monitors[i].closeBins(before: nextTime)
                    emit(i)
                }
                binUpdates = 0
                binStart = set.monitors[0].binStart
            }
            // The records that follow in this file are played in one go while nothing else would come
            // between them in the merge: the same second of record time (one observation), the same bin,
            // at or after the RIB, and (with other files) before every other file's next record.
            let limit = min(
                stopAt, binSeconds > 0 ? (binStart ?? .infinity) + binSeconds : .infinity, heap.secondTime)
            let run = RecordRun(second: nextTime.rounded(.down), limit: limit, notBefore: ribTime)
            let (elements, records) = play(input, run, &set, &changed)
            settle(input, &heap)
            summary.updateElements += elements
            binUpdates += elements
            recordsSinceProgress &+= records
            if let progress, recordsSinceProgress >= 4096 {
                recordsSinceProgress = 0
                let position = bytesDone + updates.reduce(0) { $0 + $1.reader.compressedPosition }
                if position > lastProgress + 1 << 20 {
                    lastProgress = position
                    progress(position)
                }
            }
        }
        observePending()
        for i in set.monitors.indices {
            if !single { set.sync(i) }
            set.monitors[i].binUpdates += binUpdates
            if let start = set.monitors[i].binStart { set.monitors[i].closeBins(before: start + binSeconds) }
            set.monitors[i].finish()
            emit(i)
        }
        for input in inputs {
            summary.diagnostics.merge(input.diagnostics)
            if let failure = input.failure {
                output(.warning("\(input.reader.name): \(failure)"))
                summary.failedInputs.append(input.path)
            } else if input.opened && input.diagnostics.records == 0 {
                summary.failedInputs.append(input.path)
            }
        }
        // Every view knows every peer; votes are per target (without a RIB, a peer votes for the targets
        // it has shown a route to): the most any target had.
        summary.peers = set.monitors[0].view.peers.count
        summary.votingPeers = set.monitors.map(\.view.votingPeers.count).max() ?? 0
        return summary
    }

    /// The monitors whose watched state changed since they last looked, with the time of the last change.
    struct Changes {
        var at: [Double?]
        var list: [Int] = []
        var latest: Double?

        init(count: Int) { at = Array(repeating: nil, count: count) }

        @inline(__always)
        mutating func mark(_ i: Int, _ time: Double) {
            if at[i] == nil { list.append(i) }
            at[i] = time
            latest = time
        }

        mutating func removeAll() {
            for i in list { at[i] = nil }
            list.removeAll(keepingCapacity: true)
            latest = nil
        }
    }

    /// Which records of a file may be played in one go: those of one second of record time, before `limit`
    /// (the bin's end, other files' next records) and at or after `notBefore` (the RIB's time).
    struct RecordRun {
        var second: Double
        var limit: Double
        var notBefore: Double

        @inline(__always)
        func admits(_ time: Double) -> Bool { time < limit && time >= notBefore && time.rounded(.down) == second }
    }

    /// Plays `input`'s pending record and those after it that `run` admits, advancing the input; returns
    /// the route elements and records played. What a record needs from the replay (the relevance filter,
    /// the feeder, the closure's context) is set up once per run, not once per record.
    func play(_ input: MRTInput, _ run: RecordRun, _ set: inout TargetSet, _ changed: inout Changes) -> (Int, Int) {
        var elements = 0
        var records = 0
        if set.monitors.count == 1 {
            var changedAt: Double?
            let relevance = set.monitors[0].view.relevance
            let learns = set.monitors[0].view.learnsOrigins
            var feeder = ElementFeeder(placeholder: input.placeholder)
            repeat {
                guard let record = input.pending else { break }
                let outcome = input.decoder.decode(record) { e in
                    let id = input.peerID(e.peerAddress, e.peerASN, &set.monitors[0].view)
                    if e.kind != .stateChange { elements += 1 }
                    if feeder.feed(e, peer: id, view: &set.monitors[0].view, relevance: relevance, learns: learns) {
                        changedAt = e.time
                    }
                }
                feeder.flush(&set.monitors[0].view)
                report(outcome, record, input)
                records += 1
                input.advance()
            } while input.time.map(run.admits) == true
            if let t = changedAt { changed.mark(0, t) }
            return (elements, records)
        }
        var feeder = TargetSetFeeder(placeholder: input.placeholder)
        repeat {
            guard let record = input.pending else { break }
            let outcome = input.decoder.decode(record) { e in
                let id = input.peerID(e.peerAddress, e.peerASN, &set)
                if e.kind != .stateChange { elements += 1 }
                feeder.feed(e, peer: id, set: &set) { i in changed.mark(i, e.time) }
            }
            report(outcome, record, input)
            records += 1
            input.advance()
        } while input.time.map(run.admits) == true
        return (elements, records)
    }

    /// Decodes one record into the monitors' views; returns the number of route elements.
    func play(_ record: MRTRecord, _ input: MRTInput, _ set: inout TargetSet, _ changed: inout Changes) -> Int {
        if set.monitors.count == 1 {
            var changedAt: Double?
            let n = play(record, input, &set.monitors[0].view, changedAt: &changedAt)
            if let t = changedAt { changed.mark(0, t) }
            return n
        }
        var elements = 0
        var feeder = TargetSetFeeder(placeholder: input.placeholder)
        let outcome = input.decoder.decode(record) { e in
            let id = input.peerID(e.peerAddress, e.peerASN, &set)
            if e.kind != .stateChange { elements += 1 }
            feeder.feed(e, peer: id, set: &set) { i in changed.mark(i, e.time) }
        }
        report(outcome, record, input)
        return elements
    }

    /// Decodes one record into a single view; returns the number of route elements. `changedAt` is set to
    /// the time of the record's last element that changed the watched state (a plain variable rather than
    /// a callback: the hot loop then holds no closure context to retain per record).
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
        report(outcome, record, input)
        return elements
    }

    private func report(_ outcome: DecodingOutcome, _ record: MRTRecord, _ input: MRTInput) {
        switch outcome {
        case .decoded: break
        case .unsupported: input.reader.reportUnsupported(record.header)
        case .damaged(let why): input.reader.reportDamage(record.header, why)
        }
    }
}
