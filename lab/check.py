#!/usr/bin/env python3
"""The lab's own tests: `lab/run check DIR...` checks scenario recordings against independent views.

For each scenario folder it reads the collector's MRT with Debian's `bgpdump -m` (not Vigil), rebuilds what
every peer announced for the watched prefixes, and checks
  1. that the ground truth is well formed and names files that exist;
  2. that the MRT agrees with the looking glass (GoBGP's `gobgp neighbor X adj-in`, a second collector peering
     with the same routers) just before the fault and at the end, peer by peer, prefix by prefix, AS path by
     AS path;
  3. that what happened is what the scenario claims, with the expectations written out below by hand from
     the topology (lab/topology.py), not from any program's output;
  4. that the peers carry full feeds (the background population) and that churn was recorded;
  5. when the folder holds `bmp.bin` (the BMP stream a listening station received, see selftest.py), that
     Wireshark's BMP dissector (tshark) finds a Peer Up for every peer, and that the last word the station
     got about each watched prefix from each peer matches the MRT's final table. The stream is wrapped into TCP segments of a pcap file for
     tshark (framing only; the BMP bytes are untouched).
Exit status 0 when every folder passes. Nothing here uses Vigil's code.
"""
import datetime
import ipaddress
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import topology  # noqa: E402

CAUSES = {"origin-side", "upstream-loss", "upstream-down", "hijack", "instability", "feed-problem"}
SPACE = ipaddress.ip_network(topology.TARGET_SPACE)
T176, T177, T178, T179 = topology.TARGET_PREFIXES
UNICOM, TTK, ORIGIN, HIJACKER = 4837, 20485, 131279, 64666


def watched(prefix):
    network = ipaddress.ip_network(prefix)
    return network.subnet_of(SPACE) or prefix in topology.UPSTREAM_OWN


def epoch(iso):
    return datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()


class Recording:
    """What bgpdump -m prints for the scenario's MRT files, replayed into per-peer tables."""

    def __init__(self, folder, files):
        self.rib_lines, self.update_lines = [], []
        for name in files:
            out = subprocess.run(["bgpdump", "-m", os.path.join(folder, name)], capture_output=True, text=True,
                                 check=True).stdout
            lines = [line.split("|") for line in out.splitlines() if line]
            (self.rib_lines if name.startswith("rib.") else self.update_lines).extend(lines)
        self.update_lines.sort(key=lambda f: int(f[1]))  # stable: keeps the file's order within a second

    def rib_sizes(self):
        sizes = {}
        for f in self.rib_lines:
            sizes[f[3]] = sizes.get(f[3], 0) + 1
        return sizes

    def table(self, until=None):
        """{peer: {prefix: AS path}} for watched prefixes, from the RIB dump and the updates before `until`
        (epoch seconds; updates stamped in an earlier second). A peer leaving Established loses its routes."""
        table = {}
        for f in self.rib_lines:
            if watched(f[5]):
                table.setdefault(f[3], {})[f[5]] = f[6]
        for f in self.update_lines:
            if until is not None and int(f[1]) >= int(until):
                break
            peer = f[3]
            if f[2] == "A" and watched(f[5]):
                table.setdefault(peer, {})[f[5]] = f[6]
            elif f[2] == "W" and watched(f[5]):
                table.setdefault(peer, {}).pop(f[5], None)
            elif f[2] == "STATE" and f[5] == "6" and f[6] != "6":
                table[peer] = {}
        return {peer: routes for peer, routes in table.items()}

    def changes(self, prefix, start, end=None):
        """Number of A and W lines for `prefix` stamped in [start, end)."""
        return sum(1 for f in self.update_lines if f[2] in ("A", "W") and f[5] == prefix
                   and int(f[1]) >= int(start) and (end is None or int(f[1]) < int(end)))

    def states(self, start):
        """(peer, old, new) of the state changes stamped at or after `start`."""
        return [(f[3], f[5], f[6]) for f in self.update_lines if f[2] == "STATE" and int(f[1]) >= int(start)]

    def background_updates(self):
        return sum(1 for f in self.update_lines if f[2] in ("A", "W") and not watched(f[5]))


def looking_glass(folder, label):
    """{peer: {prefix: AS path}} from GoBGP's Adj-RIB-In snapshot."""
    with open(os.path.join(folder, "views", "looking-glass-adj-in-%s.json" % label)) as f:
        data = json.load(f)
    table = {}
    for peer, routes in data.items():
        for prefix, paths in routes.items():
            for path in paths:
                for attr in path.get("attrs", []):
                    if attr.get("type") == 2:
                        asns = [a for seg in attr.get("as_paths", []) for a in seg.get("asns", [])]
                        table.setdefault(peer, {})[prefix] = " ".join(str(a) for a in asns)
    return table


def established_at_looking_glass(folder, label):
    with open(os.path.join(folder, "views", "looking-glass-neighbors-%s.json" % label)) as f:
        return {n["state"]["neighbor_address"] for n in json.load(f) if n["state"].get("session_state") == 6}


def path_asns(path):
    return [int(a) for a in path.split()]


def upstream(path):
    """The AS before the origin (prepending collapsed), as DESIGN.md defines it."""
    asns = path_asns(path)
    while len(asns) > 1 and asns[-2] == asns[-1]:
        asns.pop()
    return asns[-2] if len(asns) > 1 else None


class Checker:
    def __init__(self, folder):
        self.folder = folder
        self.failures = []
        self.passed = 0

    def expect(self, condition, message):
        if condition:
            self.passed += 1
        else:
            self.failures.append(message)

    def run(self):
        with open(os.path.join(self.folder, "ground-truth.json")) as f:
            truth = json.load(f)
        self.check_truth(truth)
        rec = Recording(self.folder, truth["mrt"])
        peers = [p["address"] for p in truth["collector"]["peers"]]
        fault, repaired = epoch(truth["fault_at"]), truth["repaired_at"] and epoch(truth["repaired_at"])
        before, after = rec.table(until=fault), rec.table()

        # 2. The MRT against the looking glass, before the fault and at the end.
        for label, mrt in (("before", before), ("after", after)):
            glass = looking_glass(self.folder, label)
            for peer in peers:
                self.expect(mrt.get(peer, {}) == glass.get(peer, {}),
                            "%s: peer %s: MRT says %s, looking glass says %s"
                            % (label, peer, sorted(mrt.get(peer, {}).items()), sorted(glass.get(peer, {}).items())))

        # Baseline, hand-derived: every peer sees all four target prefixes from AS131279, and the upstreams'
        # own prefixes.
        for peer in peers:
            routes = before.get(peer, {})
            for prefix in topology.TARGET_PREFIXES:
                self.expect(prefix in routes and path_asns(routes[prefix])[-1] == ORIGIN,
                            "before: peer %s lacks %s from AS%d" % (peer, prefix, ORIGIN))
            # .176 is exported to AS4837 only and .177 to AS20485 only (topology.py).
            if T176 in routes:
                self.expect(upstream(routes[T176]) == UNICOM, "before: %s reaches .176 via %s" % (peer, routes[T176]))
            if T177 in routes:
                self.expect(upstream(routes[T177]) == TTK, "before: %s reaches .177 via %s" % (peer, routes[T177]))
            for prefix in topology.UPSTREAM_OWN:
                self.expect(prefix in routes, "before: peer %s lacks %s" % (peer, prefix))

        # 4. Full feeds and churn.
        sizes = rec.rib_sizes()
        for peer in peers:
            self.expect(sizes.get(peer, 0) >= truth["population"],
                        "RIB: peer %s holds %d routes, fewer than the population %d"
                        % (peer, sizes.get(peer, 0), truth["population"]))
        if truth["churn_updates"]:
            self.expect(rec.background_updates() > 0, "no background churn in the updates")

        # 5. The BMP export, decoded by tshark.
        if os.path.exists(os.path.join(self.folder, "bmp.bin")):
            self.check_bmp(truth, rec, peers, after)

        # 3. The scenario itself.
        getattr(self, "scenario_" + truth["scenario"].replace("-", "_"))(truth, rec, peers, before, after, fault,
                                                                        repaired)
        return self.failures

    def check_truth(self, truth):
        for key in ("scenario", "cause", "prefixes", "upstreams", "fault_at", "repaired_at", "mrt"):
            self.expect(key in truth, "ground truth lacks %s" % key)
        self.expect(truth["cause"] in CAUSES, "unknown cause %s" % truth["cause"])
        self.expect(any(m.startswith("rib.") for m in truth["mrt"]), "no RIB dump listed")
        self.expect(any(m.startswith("updates.") for m in truth["mrt"]), "no updates file listed")
        for name in truth["mrt"]:
            self.expect(os.path.getsize(os.path.join(self.folder, name)) > 0, "%s is missing or empty" % name)
        if truth["repaired_at"]:
            self.expect(epoch(truth["repaired_at"]) > epoch(truth["fault_at"]), "repaired before the fault")

    def check_bmp(self, truth, rec, peers, after):
        """The BMP stream decoded by tshark ends in the same routes as the MRT."""
        port = int(truth["bmp"].split(",")[0].rsplit(":", 1)[1])
        pcap = os.path.join(self.folder, "bmp.pcap")
        with open(os.path.join(self.folder, "bmp.bin"), "rb") as f:
            stream_to_pcap(f.read(), pcap, port)
        out = subprocess.run(["tshark", "-r", pcap, "-d", "tcp.port==%d,bmp" % port, "-Y", "bmp", "-T", "json",
                              "--no-duplicate-keys"], capture_output=True, text=True, check=True).stdout
        messages = []
        for frame in json.loads(out):
            m = frame["_source"]["layers"].get("bmp", [])
            messages.extend(m if isinstance(m, list) else [m])
        arrivals = bmp_arrivals(self.folder)
        # The scenario ends where the teardown begins. With arrival times (bmp.times): the first Peer Down
        # that arrived after the scenario finished. Without: the first Peer Down after the last Peer Up (a
        # session may bounce while the lab starts; BMP then sends Down and Up again).
        last_up = max((i for i, m in enumerate(messages) if m.get("bmp.type") == "3"), default=-1)
        finished = epoch(truth["finished_at"]) if truth.get("finished_at") else None
        up, state, monitored = set(), {}, 0
        for i, message in enumerate(messages):
            address = message.get("bmp.peer.header", {}).get("bmp.peer.ip.addr")
            kind = message.get("bmp.type")
            if kind == "2":
                if arrivals and finished is not None and i < len(arrivals):
                    if arrivals[i] > finished:
                        break
                elif i > last_up:
                    break
                state = {k: v for k, v in state.items() if k[0] != address}  # a Peer Down drops its routes
                continue
            if kind == "3":
                up.add(address)
            if kind != "0":
                continue
            monitored += 1
            updates = message.get("bgp", [])
            for update in updates if isinstance(updates, list) else [updates]:
                for prefix in update.get("bgp.update.withdrawn_routes", {}):
                    state[(address, prefix)] = False
                for prefix in update.get("bgp.update.nlri", {}):
                    state[(address, prefix)] = True
        self.expect(set(peers) <= up, "BMP: Peer Up for %s, expected %s" % (sorted(up), peers))
        self.expect(monitored > 0, "BMP: no Route Monitoring messages")
        # What the station was last told about each watched prefix must be what the MRT ends with.
        bmp_final = {key for key, present in state.items() if present and watched(key[1])}
        mrt_final = {(peer, prefix) for peer, routes in after.items() for prefix in routes if peer in peers}
        self.expect(bmp_final == mrt_final, "BMP: final routes differ from the MRT: only in BMP %s, only in MRT %s"
                    % (sorted(bmp_final - mrt_final)[:8], sorted(mrt_final - bmp_final)[:8]))
        withdrawn = {key for key, present in state.items() if not present and watched(key[1])}
        self.expect(any(p.startswith("175.45.") for _, p in withdrawn) or truth["scenario"] != "origin-down",
                    "BMP: no target withdrawal")

    # Per-scenario expectations ------------------------------------------------------------------

    def all_gone(self, table, peers, prefixes, label):
        for peer in peers:
            for prefix in prefixes:
                self.expect(prefix not in table.get(peer, {}),
                            "%s: peer %s still has %s (%s)" % (label, peer, prefix, table.get(peer, {}).get(prefix)))

    def all_via(self, table, peers, prefixes, via, label):
        for peer in peers:
            for prefix in prefixes:
                path = table.get(peer, {}).get(prefix)
                self.expect(path is not None and upstream(path) == via,
                            "%s: peer %s reaches %s via %s, not AS%d" % (label, peer, prefix, path, via))

    def scenario_origin_down(self, truth, rec, peers, before, after, fault, repaired):
        self.all_gone(after, peers, topology.TARGET_PREFIXES, "after")
        for prefix in topology.UPSTREAM_OWN:  # the upstreams themselves are fine
            self.expect(all(prefix in after.get(p, {}) for p in peers), "after: %s vanished" % prefix)
        for prefix in topology.TARGET_PREFIXES:
            self.expect(rec.changes(prefix, fault) >= len(peers), "few updates for %s after the fault" % prefix)

    def scenario_recovery(self, truth, rec, peers, before, after, fault, repaired):
        self.all_gone(rec.table(until=repaired), peers, topology.TARGET_PREFIXES, "at the repair")
        for peer in peers:
            self.expect(set(topology.TARGET_PREFIXES) <= set(after.get(peer, {})), "after: %s not restored" % peer)

    def scenario_upstream_cut_ttk(self, truth, rec, peers, before, after, fault, repaired):
        self.all_gone(after, peers, [T177], "after")
        self.all_via(after, peers, [T176, T178, T179], UNICOM, "after")
        for prefix in topology.TTK_OWN:  # only the session to the origin was cut
            self.expect(all(prefix in after.get(p, {}) for p in peers), "after: AS20485's %s vanished" % prefix)

    def scenario_upstreams_cut_sequential(self, truth, rec, peers, before, after, fault, repaired):
        second = epoch(truth["actions"][1]["at"])
        middle = rec.table(until=second)
        self.all_gone(middle, peers, [T176], "between the cuts")
        self.all_via(middle, peers, [T177, T178, T179], TTK, "between the cuts")
        self.all_gone(after, peers, topology.TARGET_PREFIXES, "after")
        for prefix in topology.UPSTREAM_OWN:
            self.expect(all(prefix in after.get(p, {}) for p in peers), "after: %s vanished" % prefix)

    def scenario_upstream_down(self, truth, rec, peers, before, after, fault, repaired):
        self.all_gone(after, peers, [T176] + topology.UNICOM_OWN, "after")
        self.all_via(after, peers, [T177, T178, T179], TTK, "after")

    def scenario_hijack(self, truth, rec, peers, before, after, fault, repaired):
        hijacked = [p for p in peers if upstream(after.get(p, {}).get(T178, "")) is not None
                    and path_asns(after[p][T178])[-1] == HIJACKER]
        # AS6939 hears the hijack directly (path 6939 64666, shorter than 6939 4837 131279): it must pick it.
        self.expect("127.0.0.24" in hijacked, "after: AS6939 does not carry the hijacked %s" % T178)
        self.expect(all(path_asns(before[p][T178])[-1] == ORIGIN for p in peers), "before: %s already hijacked" % T178)

    def scenario_hijack_more_specific(self, truth, rec, peers, before, after, fault, repaired):
        specific = "175.45.178.0/25"
        # A more-specific has no competitor: every peer learns it, originated by AS64666.
        for peer in peers:
            path = after.get(peer, {}).get(specific)
            self.expect(path is not None and path_asns(path)[-1] == HIJACKER,
                        "after: peer %s has %s as %s" % (peer, specific, path))
            self.expect(path_asns(after[peer][T178])[-1] == ORIGIN, "after: %s lost the /24's origin" % peer)
        self.all_gone(before, peers, [specific], "before")

    def scenario_collector_feed_loss(self, truth, rec, peers, before, after, fault, repaired):
        lost = [p for p, old, new in rec.states(fault) if old == "6" and new != "6"]
        self.expect(sorted(set(lost)) == sorted(peers[1:]), "sessions lost %s, expected %s" % (lost, peers[1:]))
        self.expect(set(topology.TARGET_PREFIXES) <= set(after.get(peers[0], {})),
                    "after: the remaining peer %s lost the target" % peers[0])
        self.expect(established_at_looking_glass(self.folder, "after") == {peers[0]},
                    "the looking glass does not show exactly one session left")

    def scenario_flapping(self, truth, rec, peers, before, after, fault, repaired):
        for prefix in topology.TARGET_PREFIXES:
            self.expect(rec.changes(prefix, fault, repaired + 1) >= 4 * len(peers),
                        "%s changed only %d times while flapping" % (prefix, rec.changes(prefix, fault, repaired + 1)))
        for peer in peers:
            self.expect(set(topology.TARGET_PREFIXES) <= set(after.get(peer, {})), "after: %s not stable" % peer)


def bmp_arrivals(folder):
    """Arrival time of each BMP message in bmp.bin, from bmp.times ("offset time" per piece received);
    [] when there is no bmp.times."""
    path = os.path.join(folder, "bmp.times")
    if not os.path.exists(path):
        return []
    pieces = []
    with open(path) as f:
        for line in f:
            offset, at = line.split()
            pieces.append((int(offset), float(at)))
    with open(os.path.join(folder, "bmp.bin"), "rb") as f:
        data = f.read()
    arrivals, offset, piece = [], 0, 0
    while offset + 6 <= len(data):
        end = offset + int.from_bytes(data[offset + 1:offset + 5], "big")
        # A message counts as arrived when its last byte did.
        while piece + 1 < len(pieces) and pieces[piece + 1][0] < end:
            piece += 1
        arrivals.append(pieces[piece][1])
        offset = end
    return arrivals


def stream_to_pcap(data, path, port):
    """Writes a received BMP stream as the segments of one TCP connection (127.0.0.2 -> 127.0.0.1:port)
    into a pcap file, so that tshark can dissect what a station received. A live capture can drop
    segments when the machine is busy; the stream cannot."""
    import struct

    def checksum(header):
        total = sum(struct.unpack("!%dH" % (len(header) // 2), header))
        while total >> 16:
            total = (total & 0xFFFF) + (total >> 16)
        return ~total & 0xFFFF

    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))  # LINKTYPE_RAW (IPv4)
        seq = 1000
        offset = index = 0
        while offset + 6 <= len(data):
            # One BMP message per segment: tshark then needs no TCP reassembly. Only the common header's
            # length field is read here, to cut the stream; the dissector decodes everything else.
            length = struct.unpack("!I", data[offset + 1:offset + 5])[0]
            if length < 6:
                raise ValueError("BMP stream desynchronised at byte %d" % offset)
            payload = data[offset:offset + length]
            tcp = struct.pack("!HHIIBBHHH", 40000, port, seq, 1, 5 << 4, 0x18, 65535, 0, 0)
            total = 20 + len(tcp) + len(payload)
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, index & 0xFFFF, 0, 64, 6, 0,
                             bytes([127, 0, 0, 2]), bytes([127, 0, 0, 1]))
            ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
            packet = ip + tcp + payload
            out.write(struct.pack("<IIII", index, 0, len(packet), len(packet)) + packet)
            seq += len(payload)
            offset += length
            index += 1


def folders(paths):
    for path in paths:
        if os.path.exists(os.path.join(path, "ground-truth.json")):
            yield path
        else:
            for name in sorted(os.listdir(path)):
                if os.path.exists(os.path.join(path, name, "ground-truth.json")):
                    yield os.path.join(path, name)


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: lab/run check DIR...  (a scenario's output folder, or a folder of them)")
    failed = 0
    found = list(folders(sys.argv[1:]))
    if not found:
        sys.exit("no ground-truth.json under %s" % " ".join(sys.argv[1:]))
    for folder in found:
        checker = Checker(folder)
        try:
            failures = checker.run()
        except Exception as error:  # a missing file or a bgpdump failure fails the folder, not the run
            failures = ["could not check: %r" % error]
        status = "ok" if not failures else "FAILED"
        print("%-28s %s (%d checks passed, %d failed)" % (os.path.basename(folder), status, checker.passed,
                                                           len(failures)))
        for failure in failures[:20]:
            print("    " + failure)
        failed += bool(failures)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
