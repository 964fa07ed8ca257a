import GRDB

/// The store's tables, as numbered migrations: a store written by an older Vigil is brought up to date
/// when it is opened, and one written by a newer Vigil is refused rather than misread.
enum Schema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("1 events, signals, feed gaps, peers, targets") { db in
            try db.create(table: "targets") { t in
                t.primaryKey("name", .text)
                t.column("description", .text).notNull()
                t.column("updated", .double).notNull()
            }
            try db.create(table: "events") { t in
                // Ids are the detector's event numbers: the store hands out the next free one at start-up.
                t.primaryKey("id", .integer)
                t.column("target", .text).notNull().indexed()
                t.column("cause", .text).notNull()
                t.column("confidence", .double).notNull()
                t.column("start", .double).notNull().indexed()
                t.column("end", .double)
                t.column("prefixes", .text).notNull()
                t.column("upstreams", .text).notNull()
                t.column("origins", .text).notNull()
                t.column("severity", .double).notNull()
                t.column("evidence", .text).notNull()
                // "open" while the detector may still change it, "closed" once final.
                t.column("state", .text).notNull()
                t.column("updated", .double).notNull()
            }
            try db.create(table: "signals") { t in
                t.column("target", .text).notNull()
                t.column("start", .double).notNull()
                t.column("seconds", .double).notNull()
                t.column("prefixes_up", .integer).notNull()
                t.column("prefixes", .integer).notNull()
                t.column("voting_peers", .integer).notNull()
                t.column("updates", .integer).notNull()
                t.column("visibility", .text).notNull()
                t.column("upstreams", .text).notNull()
                t.primaryKey(["target", "start"])
            }
            try db.create(table: "feed_gaps") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("source", .text).notNull()
                t.column("start", .double).notNull().indexed()
                t.column("end", .double)
                t.column("reason", .text).notNull()
            }
            try db.create(table: "peers") { t in
                t.column("target", .text).notNull()
                t.column("collector", .text).notNull()
                t.column("address", .text).notNull()
                t.column("asn", .integer).notNull()
                t.column("last_heard", .double).notNull()
                // Last time the peer carried a route into the target's space: the 24-hour voting rule.
                t.column("last_route", .double)
                t.primaryKey(["target", "collector", "address", "asn"])
            }
            // Every peer's current route into the watched space (small: the target's prefixes and the
            // upstreams' own), so a restart resumes from the state it stopped in.
            try db.create(table: "routes") { t in
                t.column("target", .text).notNull()
                t.column("collector", .text).notNull()
                t.column("address", .text).notNull()
                t.column("asn", .integer).notNull()
                t.column("prefix", .text).notNull()
                t.column("origin", .integer)
                t.column("upstream", .integer)
                t.column("time", .double).notNull()
                t.primaryKey(["target", "collector", "address", "asn", "prefix"])
            }
            try db.create(table: "settings") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
        }
        m.registerMigration("2 annotations, webhook outbox") { db in
            try db.create(table: "annotations") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("event_id", .integer).notNull().indexed()
                t.column("author", .text).notNull()
                t.column("text", .text).notNull()
                t.column("created", .double).notNull()
            }
            // Alerts waiting for (or done with) delivery, one row per hook and notification, so that an
            // alert survives a restart and a receiver that is down gets it when it comes back.
            try db.create(table: "outbox") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("hook", .text).notNull()
                t.column("subject", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("body", .text).notNull()
                t.column("created", .double).notNull()
                t.column("next_try", .double).notNull()
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("delivered", .double)
                t.column("last_error", .text)
            }
            try db.create(index: "outbox_pending", on: "outbox", columns: ["hook", "delivered", "next_try"])
            // What each hook has been told about each subject (an event, a feed gap): the deduplication.
            try db.create(table: "alert_log") { t in
                t.column("hook", .text).notNull()
                t.column("subject", .text).notNull()
                t.column("told", .text).notNull()
                t.column("time", .double).notNull()
                t.primaryKey(["hook", "subject"])
            }
            try db.create(index: "events_updated", on: "events", columns: ["updated"])
            // Upstream names, for the pages ({"4837": "China Unicom"}).
            try db.alter(table: "targets") { t in t.add(column: "upstreams", .text).notNull().defaults(to: "{}") }
        }
        m.registerMigration("3 signals clustered by target and time") { db in
            // WITHOUT ROWID stores the bins in (target, start) order, so a range of one target is one
            // sequential read instead of an index lookup per bin (a week of minutes is 10,080 bins).
            try db.create(table: "signals_clustered", options: [.withoutRowID]) { t in
                t.column("target", .text).notNull()
                t.column("start", .double).notNull()
                t.column("seconds", .double).notNull()
                t.column("prefixes_up", .integer).notNull()
                t.column("prefixes", .integer).notNull()
                t.column("voting_peers", .integer).notNull()
                t.column("updates", .integer).notNull()
                t.column("visibility", .text).notNull()
                t.column("upstreams", .text).notNull()
                t.primaryKey(["target", "start"])
            }
            try db.execute(sql: "INSERT INTO signals_clustered SELECT * FROM signals")
            try db.drop(table: "signals")
            try db.rename(table: "signals_clustered", to: "signals")
            try db.create(index: "signals_start", on: "signals", columns: ["start"])
        }
        m.registerMigration("4 probe results per host per bin") { db in
            // One row per probe URL and bin: how many probes went out, how many were answered, their round
            // trips, and the last error, clustered like the signals so a target's range is one read.
            try db.create(table: "probes", options: [.withoutRowID]) { t in
                t.column("target", .text).notNull()
                t.column("url", .text).notNull()
                t.column("start", .double).notNull()
                t.column("seconds", .double).notNull()
                t.column("sent", .integer).notNull()
                t.column("answered", .integer).notNull()
                t.column("attempts", .integer).notNull()
                t.column("rtt_sum_ms", .double).notNull()
                t.column("rtt_max_ms", .double)
                t.column("last_error", .text)
                t.primaryKey(["target", "start", "url"])
            }
            try db.create(index: "probes_start", on: "probes", columns: ["start"])
        }
        m.registerMigration("5 signals: dark share of the space, origins' share of peers") { db in
            // The dark share of the target's address space (0...1) and, per origin AS, the share of the
            // peers up carrying its routes into the target's space: what an incident's page draws.
            try db.alter(table: "signals") { t in
                t.add(column: "dark_share", .double).notNull().defaults(to: 0)
                t.add(column: "origins", .text).notNull().defaults(to: "{}")
            }
        }
        return m
    }
}
