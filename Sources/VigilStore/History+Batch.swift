import BGP
import GRDB
import Vigil

/// One peer's route into the watched space, as kept for restarts.
public struct StoredRoute: Sendable, Equatable {
    /// The peer.
    public var peer: PeerKey
    /// The prefix.
    public var prefix: IPPrefix
    /// Origin and upstream of the path (nil when unknown).
    public var origin: UInt32?
    public var upstream: UInt32?
    /// When it was announced.
    public var time: Double

    /// Creates a route.
    public init(peer: PeerKey, prefix: IPPrefix, origin: UInt32?, upstream: UInt32?, time: Double) {
        self.peer = peer
        self.prefix = prefix
        self.origin = origin
        self.upstream = upstream
        self.time = time
    }
}

/// Everything one step of live monitoring changed, written in one transaction: the routes behind an
/// event are never committed after the event, nor the event after a crash that kept its routes.
public struct StoreBatch: Sendable {
    /// The target.
    public var target: String
    /// Routes announced (or replaced).
    public var announced: [StoredRoute] = []
    /// Routes withdrawn: (peer, prefix).
    public var withdrawn: [(PeerKey, IPPrefix)] = []
    /// Peers whose session went down: all their routes go.
    public var peersDown: [PeerKey] = []
    /// Events to insert or replace, and whether each is still open.
    public var events: [(event: DetectedEvent, open: Bool)] = []
    /// Peer times.
    public var peers: [StoredPeer] = []
    /// Finished bins.
    public var signals: [SignalBin] = []
    /// Settings to store (key, value).
    public var settings: [(String, String)] = []
    /// Probe results, per URL and bin (added to what a bin already holds).
    public var probes: [StoredProbeBin] = []
    /// Feed gaps opened (`end` nil) or closed, in order; a gap is known by its source and start.
    public var gaps: [(source: String, start: Double, reason: String, end: Double?)] = []

    /// An empty batch for `target`.
    public init(target: String) { self.target = target }

    /// Nothing to write.
    public var isEmpty: Bool {
        announced.isEmpty && withdrawn.isEmpty && peersDown.isEmpty && events.isEmpty && peers.isEmpty
            && signals.isEmpty && settings.isEmpty && probes.isEmpty && gaps.isEmpty
    }
}

extension StoreBatch {
    /// A peer and prefix: the key of a route row.
    struct RouteKey: Hashable {
        var peer: PeerKey
        var prefix: IPPrefix
    }

    /// Adds a later batch to this one, so that committing the result writes what committing the two in
    /// order would: a route row is kept once per peer and prefix (its last state), a peer down drops the
    /// routes announced before it, an event and a setting keep their last value, peer times their last
    /// report. Events, bins and probe counts are never dropped. A batch that failed to commit waits this
    /// way for the store, its size bounded by the routes, events and bins there are, not by the updates.
    public mutating func merge(_ later: StoreBatch) {
        // A peer down deletes every route of the peer that this batch would write, and any withdrawal of
        // one is then implied by it.
        if !later.peersDown.isEmpty {
            let down = Set(later.peersDown)
            announced.removeAll { down.contains($0.peer) }
            withdrawn.removeAll { down.contains($0.0) }
            let known = Set(peersDown)
            var added = Set<PeerKey>()
            for k in later.peersDown where !known.contains(k) && added.insert(k).inserted { peersDown.append(k) }
        }
        // Within a batch, deletions run before insertions: a later withdrawal removes this batch's
        // announcement of the route, a later announcement replaces it.
        if !later.withdrawn.isEmpty || !later.announced.isEmpty {
            let gone = Set(later.withdrawn.map { RouteKey(peer: $0.0, prefix: $0.1) })
            let replaced = Set(later.announced.map { RouteKey(peer: $0.peer, prefix: $0.prefix) })
            announced.removeAll {
                let k = RouteKey(peer: $0.peer, prefix: $0.prefix)
                return gone.contains(k) || replaced.contains(k)
            }
            var known = Set(withdrawn.map { RouteKey(peer: $0.0, prefix: $0.1) })
            for (peer, prefix) in later.withdrawn where known.insert(RouteKey(peer: peer, prefix: prefix)).inserted {
                withdrawn.append((peer, prefix))
            }
            // The later batch's own announcements, once each (its last).
            var seen = Set<RouteKey>()
            var own: [StoredRoute] = []
            for r in later.announced.reversed() where seen.insert(RouteKey(peer: r.peer, prefix: r.prefix)).inserted {
                own.append(r)
            }
            announced += own.reversed()
        }
        // The last state of each event, in the order they were first seen.
        for (e, open) in later.events {
            if let i = events.firstIndex(where: { $0.event.id == e.id }) {
                events[i] = (e, open)
            } else {
                events.append((e, open))
            }
        }
        for p in later.peers {
            if let i = peers.firstIndex(where: { $0.key == p.key }) {
                peers[i] = StoredPeer(key: p.key, lastHeard: p.lastHeard, lastRoute: p.lastRoute ?? peers[i].lastRoute)
            } else {
                peers.append(p)
            }
        }
        signals += later.signals
        for (key, value) in later.settings {
            if let i = settings.firstIndex(where: { $0.0 == key }) {
                settings[i].1 = value
            } else {
                settings.append((key, value))
            }
        }
        probes += later.probes
        gaps += later.gaps
    }

    /// Several targets' batches with later ones added, target by target (`merge`), in the order the
    /// targets first appear: what committing `earlier` then `later` would write.
    public static func merged(_ earlier: [StoreBatch], then later: [StoreBatch]) -> [StoreBatch] {
        var out = earlier
        for b in later {
            if let i = out.firstIndex(where: { $0.target == b.target }) {
                out[i].merge(b)
            } else {
                out.append(b)
            }
        }
        return out
    }

    /// What several targets' batches hold together, as `summary` says it.
    public static func summary(of batches: [StoreBatch]) -> String {
        var all = StoreBatch(target: "")
        for b in batches {
            all.events += b.events
            all.announced += b.announced
            all.withdrawn += b.withdrawn
            all.peersDown += b.peersDown
            all.signals += b.signals
            all.probes += b.probes
            all.gaps += b.gaps
            all.peers += b.peers
            all.settings += b.settings
        }
        return all.summary
    }

    /// What the batch holds, for a report of what is waiting ("2 events, 310 route rows, 4 bins").
    public var summary: String {
        var parts: [String] = []
        func add(_ n: Int, _ what: String) { if n > 0 { parts.append("\(n) \(what)\(n == 1 ? "" : "s")") } }
        add(events.count, "event")
        add(announced.count + withdrawn.count, "route row")
        add(peersDown.count, "peer down")
        add(signals.count, "signal bin")
        add(probes.count, "probe bin")
        add(gaps.count, "feed gap change")
        add(peers.count + settings.count, "peer time and setting")
        return parts.isEmpty ? "nothing" : parts.joined(separator: ", ")
    }
}

extension History {
    /// Writes a batch in one transaction.
    public func commit(_ batch: StoreBatch) throws(StoreError) { try commit([batch]) }

    /// Writes several targets' batches in one transaction (all or none), in order.
    public func commit(_ batches: [StoreBatch]) throws(StoreError) {
        let batches = batches.filter { !$0.isEmpty }
        guard !batches.isEmpty else { return }
        let now = clock.seconds
        try write { db in for batch in batches { try Self.write(batch, at: now, db) } }
    }

    /// Writes one batch inside a transaction; `now` stamps its event rows.
    static func write(_ batch: StoreBatch, at now: Double, _ db: Database) throws {
        let t = batch.target
        for s in batch.signals { try Self.insert(signals: s, db) }
        for g in batch.gaps {
            if let end = g.end {
                let c = FeedGapRecord.Columns.self
                try FeedGapRecord.filter(c.source == g.source && c.start == g.start && c.end == nil)
                    .updateAll(db, c.end.set(to: end))
            } else {
                var gap = FeedGapRecord(source: g.source, start: g.start, reason: g.reason)
                try gap.insert(db)
            }
        }
        for p in batch.probes { try Self.insert(probes: p, target: t, db) }
        for (e, open) in batch.events { try Self.insert(event: e, open: open, updated: now, db) }
        try Self.insert(peers: batch.peers, target: t, db)
        for (key, value) in batch.settings {
            try SettingRecord(key: key, value: value).insert(db, onConflict: .replace)
        }
        let c = RouteRecord.Columns.self
        for k in batch.peersDown {
            try RouteRecord.filter(
                c.target == t && c.collector == k.collector && c.address == k.address.description && c.asn == Int(k.asn)
            ).deleteAll(db)
        }
        for (k, p) in batch.withdrawn {
            try RouteRecord.filter(
                c.target == t && c.collector == k.collector && c.address == k.address.description && c.asn == Int(k.asn)
                    && c.prefix == p.description
            ).deleteAll(db)
        }
        for r in batch.announced { try RouteRecord(r, target: t).insert(db, onConflict: .replace) }
    }

    /// The routes kept for a target, to seed the view at start-up.
    public func routes(target: String) throws(StoreError) -> [StoredRoute] {
        try read { db in
            try RouteRecord.filter(RouteRecord.Columns.target == target).order(RouteRecord.Columns.time)
                .fetchAll(db).compactMap(\.route)
        }
    }
}
