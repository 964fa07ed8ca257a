import Vigil

extension ReplaySummary {
    /// The summary as `vigil replay --json`'s last line: `{"type":"summary",...}` with the target (or the
    /// targets), the element counts, the peers, the `events` reported and the decoding problems.
    public func jsonLine(targets: [String], events: Int) -> String {
        let d = diagnostics
        var o = JSONObject()
        o.add("type", "summary")
        if targets.count == 1 { o.add("target", targets[0]) } else { o.add("targets", targets) }
        o.add("rib_elements", ribElements)
        o.add("update_elements", updateElements)
        o.add("skipped_before_rib", skippedBeforeRIB)
        o.add("peers", peers)
        o.add("voting_peers", votingPeers)
        o.add("events", events)
        o.add("records", d.records)
        o.add("damaged_records", d.damagedRecords)
        o.add("dropped_records", d.skippedRecords)
        o.add("skipped_bytes", Int(d.skippedBytes))
        o.add("warnings", d.warningCount)
        o.add("failed_inputs", failedInputs)
        return o.closed
    }

    /// The summary as the console's last line: "3 events over 2 targets; 0 RIB and 1200 update elements
    /// from 2 files; 9 of 12 peers voting".
    public func text(targets: Int, events: Int, files: Int) -> String {
        let scope = targets == 1 ? "" : " over \(targets) targets"
        return
            "\(events) event\(events == 1 ? "" : "s")\(scope); \(ribElements) RIB and \(updateElements) update elements from \(files) file\(files == 1 ? "" : "s"); \(votingPeers) of \(peers) peers voting"
    }
}
