#!/usr/bin/env python3
"""Routing lab runner: `lab/run SCENARIO [--out DIR] [--bmp HOST:PORT] [--speed N]`.

Brings up the topology of topology.py on loopback, lets it converge, records a baseline, applies one
fault, waits, optionally repairs it, and writes ground-truth.json beside the collector's MRT files.
Status: work in progress (issue #3); see lab/README.md.
"""
import argparse
import datetime
import glob
import json
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gobgp  # noqa: E402
import topology  # noqa: E402


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Scenario:
    def __init__(self, args):
        self.args = args
        self.speed = args.speed
        self.routers = topology.build()
        self.out = os.path.abspath(args.out)
        shutil.rmtree(self.out, ignore_errors=True)
        os.makedirs(self.out)
        # BGP's 30 s minimum advertisement interval makes path hunting last minutes; compressed runs
        # scale it down with the rest of the scenario.
        mrai = int(round(30 / self.speed)) if self.speed < 30 else 0
        self.lab = gobgp.Lab(self.routers, os.path.join(self.out, "routers"), mrai=mrai)

    def pause(self, seconds):
        time.sleep(max(1.0, seconds / self.speed))

    def up(self):
        lab = self.lab
        for name in self.routers:
            if name == "collector":
                lab.start(name, mrt_dir=self.out, bmp=self.args.bmp)
            elif name != "hijacker":
                lab.start(name)
        for name, router in self.routers.items():
            if name == "hijacker":
                continue
            expected = len([n for n in router.neighbors if n != "hijacker"])
            lab.wait_for(lambda: self._established(name) >= expected, 60, "%s's %d sessions" % (name, expected))
        for name, router in self.routers.items():
            for prefix in router.prefixes:
                lab.announce(name, prefix)
        lab.wait_for(lambda: all(p in lab.rib("collector") for p in topology.TARGET_PREFIXES), 60,
                     "the target prefixes at the collector")
        self.baseline_rib = lab.rib("collector")

    def _established(self, name):
        try:
            return self.lab.established(name)
        except Exception:
            return 0

    def snapshot(self, label):
        """The collector's own view (gobgp's RIB and sessions), kept as an independent check."""
        for what, args in (("rib", ["global", "rib", "-a", "ipv4", "-j"]), ("neighbors", ["neighbor", "-j"])):
            with open(os.path.join(self.out, "collector-%s-%s.json" % (what, label)), "w") as f:
                f.write(self.lab.gobgp("collector", *args))

    def fault(self):
        """Records the collector's view just before the fault and returns the fault time."""
        self.snapshot("before")
        return now()

    def truth(self, scenario, cause, prefixes, upstreams, fault_at, repaired_at=None):
        self.snapshot("after")
        truth = {
            "scenario": scenario, "cause": cause, "prefixes": prefixes, "upstreams": upstreams,
            "fault_at": fault_at, "repaired_at": repaired_at,
            "mrt": sorted(os.path.basename(p) for p in glob.glob(os.path.join(self.out, "updates.*"))
                          + glob.glob(os.path.join(self.out, "rib.*"))),
        }
        with open(os.path.join(self.out, "ground-truth.json"), "w") as f:
            json.dump(truth, f, indent=2)
            f.write("\n")
        return truth

    # Scenarios ---------------------------------------------------------------------------------

    def origin_down(self, repair=False):
        """The origin withdraws everything (internal failure): all paths via both upstreams vanish."""
        self.pause(60)
        fault_at = self.fault()
        for prefix in topology.TARGET_PREFIXES:
            self.lab.withdraw("origin", prefix)
        self.pause(300)
        repaired_at = None
        if repair:
            repaired_at = now()
            for prefix in topology.TARGET_PREFIXES:
                self.lab.announce("origin", prefix)
            self.pause(120)
        name = "recovery" if repair else "origin-down"
        return self.truth(name, "origin-side", topology.TARGET_PREFIXES, [4837, 20485], fault_at, repaired_at)

    def upstream_cut_ttk(self):
        """Only the ttk–origin session is shut: .177 (Russia only) goes dark, the rest stays via AS4837."""
        self.pause(60)
        fault_at = self.fault()
        self.lab.gobgp("origin", "neighbor", self.routers["ttk"].address, "disable")
        self.pause(300)
        return self.truth("upstream-cut-ttk", "upstream-loss", topology.ONLY_TTK, [20485], fault_at)

    def upstreams_cut_sequential(self):
        """Unicom's session to the origin is cut, then ttk's minutes later: a provider-side event."""
        self.pause(60)
        fault_at = self.fault()
        self.lab.gobgp("origin", "neighbor", self.routers["unicom"].address, "disable")
        self.pause(180)
        self.lab.gobgp("origin", "neighbor", self.routers["ttk"].address, "disable")
        self.pause(300)
        return self.truth("upstreams-cut-sequential", "upstream-loss", topology.TARGET_PREFIXES, [4837, 20485],
                          fault_at)

    def upstream_down(self):
        """The whole AS4837 router fails: its own prefixes vanish too; .176 (China only) goes dark."""
        self.pause(60)
        fault_at = self.fault()
        self.lab.stop("unicom", hard=True)
        self.pause(300)
        return self.truth("upstream-down", "upstream-down", topology.ONLY_UNICOM, [4837], fault_at)

    def hijack(self, prefix):
        """AS64666 originates a target prefix (or a more-specific of one) behind AS6939."""
        self.lab.start("hijacker")
        self.lab.wait_for(lambda: self._established("hijacker") >= 1, 60, "the hijacker's session")
        self.pause(60)
        fault_at = self.fault()
        self.lab.announce("hijacker", prefix)
        self.pause(300)
        name = "hijack" if prefix.endswith("/24") else "hijack-more-specific"
        return self.truth(name, "hijack", [prefix], [], fault_at)

    def collector_feed_loss(self):
        """The collector loses five of its six sessions: our view fails, the target does not."""
        self.pause(60)
        fault_at = self.fault()
        for name in self.routers["collector"].neighbors[1:]:
            self.lab.gobgp("collector", "neighbor", self.routers[name].address, "disable")
        self.pause(300)
        return self.truth("collector-feed-loss", "feed-problem", [], [], fault_at)

    def flapping(self, cycles=8):
        """The origin's sessions flap for some minutes, then stabilise."""
        self.pause(60)
        fault_at = self.fault()
        upstreams = [self.routers["unicom"].address, self.routers["ttk"].address]
        for _ in range(cycles):
            for address in upstreams:
                self.lab.gobgp("origin", "neighbor", address, "disable")
            self.pause(20)
            for address in upstreams:
                self.lab.gobgp("origin", "neighbor", address, "enable")
            self.pause(25)
        repaired_at = now()
        self.pause(180)
        return self.truth("flapping", "instability", topology.TARGET_PREFIXES, [4837, 20485], fault_at, repaired_at)


SCENARIOS = {
    "origin-down": lambda s: s.origin_down(),
    "recovery": lambda s: s.origin_down(repair=True),
    "upstream-cut-ttk": lambda s: s.upstream_cut_ttk(),
    "upstreams-cut-sequential": lambda s: s.upstreams_cut_sequential(),
    "upstream-down": lambda s: s.upstream_down(),
    "hijack": lambda s: s.hijack("175.45.178.0/24"),
    "hijack-more-specific": lambda s: s.hijack("175.45.178.0/25"),
    "collector-feed-loss": lambda s: s.collector_feed_loss(),
    "flapping": lambda s: s.flapping(),
}


def main():
    parser = argparse.ArgumentParser(description="Stage a North Korea outage with real BGP routers on loopback.")
    parser.add_argument("scenario", help="one of: %s, or all" % ", ".join(SCENARIOS))
    parser.add_argument("--out", default=None, help="output folder (default lab/out/SCENARIO)")
    parser.add_argument("--bmp", default=None, help="HOST:PORT the collector exports BMP to")
    parser.add_argument("--speed", type=float, default=30.0,
                        help="time compression: scenario minutes run N times faster (1 = full length)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("lab/run needs root (routers listen on port 179)")
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    for name in names:
        if name not in SCENARIOS:
            print("unknown scenario %s; known: %s, all" % (name, ", ".join(SCENARIOS)), file=sys.stderr)
            sys.exit(2)
    base_out = args.out
    for name in names:
        args.out = os.path.join(base_out, name) if (base_out and len(names) > 1) else (
            base_out or os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", name))
        scenario = Scenario(args)
        try:
            scenario.up()
            truth = SCENARIOS[name](scenario)
        finally:
            scenario.lab.stop_all()
        print(json.dumps(truth))


if __name__ == "__main__":
    main()
