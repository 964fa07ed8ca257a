#!/usr/bin/env python3
"""Routing lab runner: `lab/run SCENARIO [--out DIR] [--bmp HOST:PORT] [--speed N]`.

Brings up the topology of topology.py on loopback, lets it converge, has the collector write a RIB dump and
start its updates dump, records a baseline, applies one fault, waits, optionally repairs it, and writes
ground-truth.json beside the collector's MRT files. See lab/README.md.
"""
import argparse
import datetime
import glob
import json
import os
import random
import shutil
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import routers as lab_routers  # noqa: E402
import topology  # noqa: E402


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def say(message):
    print("%s %s" % (datetime.datetime.now().strftime("%H:%M:%S"), message), file=sys.stderr, flush=True)


class Churn(threading.Thread):
    """A steady trickle of unrelated updates: transits withdraw and re-announce background prefixes."""

    def __init__(self, lab, rate):
        super().__init__(daemon=True)
        self.lab = lab
        self.interval = 1.0 / rate if rate > 0 else None
        self.stopping = threading.Event()
        self.updates = 0
        self.errors = 0
        self.withdrawn = {}  # transit -> set of its background prefixes currently withdrawn
        self.random = random.Random(12654)

    def run(self):
        transits = [name for name, *_ in topology.TRANSITS if self.lab.routers[name].population]
        while self.interval and transits and not self.stopping.wait(self.interval):
            name = self.random.choice(transits)
            prefix = self.random.choice(self.lab.routers[name].population)
            down = self.withdrawn.setdefault(name, set())
            try:
                if prefix in down:
                    self.lab.announce(name, prefix)
                    down.discard(prefix)
                else:
                    self.lab.withdraw(name, prefix)
                    down.add(prefix)
                self.updates += 1
            except Exception:
                self.errors += 1  # the router is being faulted or stopped; the trickle goes on

    def stop(self):
        self.stopping.set()
        self.join(timeout=10)


class Scenario:
    def __init__(self, name, args):
        self.name = name
        self.args = args
        self.speed = args.speed
        self.routers = topology.build(args.population)
        self.out = os.path.abspath(args.out)
        shutil.rmtree(self.out, ignore_errors=True)
        os.makedirs(os.path.join(self.out, "views"))
        self.lab = lab_routers.Lab(self.routers, os.path.join(self.out, "routers"), bmp=args.bmp)
        self.churn = Churn(self.lab, args.churn)
        self.events = []  # (UTC time, what) of every action the scenario took, for the ground truth

    def pause(self, seconds, minimum=1.0):
        """Waits `seconds` of scenario time: seconds / --speed of wall time, but at least `minimum`."""
        time.sleep(max(minimum, seconds / self.speed))

    def act(self, what, action, *args):
        self.events.append({"at": now(), "action": what})
        action(*args)

    # Bring-up -----------------------------------------------------------------------------------

    def up(self):
        lab = self.lab
        started = time.time()
        for name in self.routers:
            if name != "hijacker":
                lab.start(name)
        for name, router in self.routers.items():
            if name == "hijacker":
                continue
            expected = len([n for n in router.neighbors if n != "hijacker"])
            lab.wait_for(lambda: lab.established(name) >= expected, 90, "%s's %d sessions" % (name, expected))
        say("%d sessions established in %.1f s" % (self._session_count(), time.time() - started))
        share = len(self.routers["cogent"].population)
        expected_routes = share * len(topology.TRANSITS) + len(topology.TARGET_PREFIXES)
        lab.wait_for(lambda: self._collector_ready(expected_routes), 180,
                     "%d routes from every peer of the collector" % expected_routes)
        lab.wait_for(lambda: set(self._looking_glass_routes()) >= set(topology.TARGET_PREFIXES), 60,
                     "the target prefixes at the looking glass")
        say("converged in %.1f s" % (time.time() - started))
        # The updates dump starts before the RIB dump so that no change falls between the two.
        lab.vtysh("collector", "configure terminal", "dump bgp all %s/updates.%%Y%%m%%d.%%H%%M%%S" % self.out)
        lab.vtysh("collector", "configure terminal", "dump bgp routes-mrt %s/rib.%%Y%%m%%d.%%H%%M%%S" % self.out)
        lab.wait_for(self._rib_written, 60, "the collector's RIB dump")
        self.churn.start()

    def _session_count(self):
        return sum(len([n for n in r.neighbors if n != "hijacker"]) for n, r in self.routers.items()
                   if n != "hijacker") // 2

    def _collector_ready(self, expected_routes):
        data = json.loads(self.lab.vtysh("collector", "show bgp ipv4 unicast summary json") or "{}")
        peers = data.get("peers", {})
        return len(peers) == len(topology.TRANSITS) and all(
            p.get("state") == "Established" and p.get("pfxRcd", 0) >= expected_routes for p in peers.values())

    def _rib_written(self):
        files = glob.glob(os.path.join(self.out, "rib.*"))
        if not files:
            return False
        size = os.path.getsize(files[0])
        time.sleep(0.5)
        return size > 0 and os.path.getsize(files[0]) == size

    def _looking_glass_routes(self):
        data = json.loads(self.lab.gobgp("looking-glass", "global", "rib", "-a", "ipv4", topology.TARGET_SPACE,
                                         "longer-prefixes", "-j") or "{}")
        return data

    # Views and ground truth -------------------------------------------------------------------

    def snapshot(self, label):
        """The collector's own views of the target space: the looking glass's (GoBGP) RIB, adj-in per
        neighbor and sessions, and the recording collector's (FRR) RIB and sessions."""
        lab, folder = self.lab, os.path.join(self.out, "views")

        def write(name, text):
            with open(os.path.join(folder, "%s-%s.json" % (name, label)), "w") as f:
                f.write(text)

        write("looking-glass-rib", lab.gobgp("looking-glass", "global", "rib", "-a", "ipv4", topology.TARGET_SPACE,
                                             "longer-prefixes", "-j"))
        write("looking-glass-neighbors", lab.gobgp("looking-glass", "neighbor", "-j"))
        adj = {}
        for name in self.routers["looking-glass"].neighbors:
            address = self.routers[name].address
            if not lab.gobgp_sessions("looking-glass").get(address):
                adj[address] = {}  # a disabled or down neighbor has no Adj-RIB-In to ask for
                continue
            routes = {}
            for query in [[topology.TARGET_SPACE, "longer-prefixes"]] + [[p] for p in topology.UPSTREAM_OWN]:
                text = lab.gobgp("looking-glass", "neighbor", address, "adj-in", "-a", "ipv4", *query, "-j")
                routes.update(json.loads(text or "{}"))
            adj[address] = routes
        write("looking-glass-adj-in", json.dumps(adj, indent=1))
        write("collector-rib", lab.vtysh("collector", "show bgp ipv4 unicast %s longer-prefixes json"
                                         % topology.TARGET_SPACE))
        write("collector-neighbors", lab.vtysh("collector", "show bgp ipv4 unicast summary json"))

    def fault(self):
        """Records the views just before the fault and returns the fault time."""
        self.snapshot("before")
        return now()

    def truth(self, cause, prefixes, upstreams, fault_at, repaired_at=None):
        self.churn.stop()
        self.snapshot("after")
        self.lab.vtysh("collector", "configure terminal", "no dump bgp all")
        time.sleep(0.5)
        collector = self.routers["collector"]
        truth = {
            "scenario": self.name, "cause": cause, "prefixes": prefixes, "upstreams": upstreams,
            "fault_at": fault_at, "repaired_at": repaired_at,
            "mrt": sorted(os.path.basename(p) for p in glob.glob(os.path.join(self.out, "rib.*"))
                          + glob.glob(os.path.join(self.out, "updates.*"))),
            "target": {"origin": self.routers["origin"].asn, "prefixes": topology.TARGET_PREFIXES,
                       "upstreams": [self.routers["unicom"].asn, self.routers["ttk"].asn]},
            "collector": {"asn": collector.asn, "address": collector.address,
                          "peers": [{"address": self.routers[n].address, "asn": self.routers[n].asn}
                                    for n in collector.neighbors]},
            "actions": self.events,
            "speed": self.speed,
            "population": sum(len(r.population) for r in self.routers.values()),
            "churn_updates": self.churn.updates,
            "finished_at": now(),
            "bmp": self.args.bmp,
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
        self.act("origin withdraws all target prefixes", self.lab.withdraw, "origin", *topology.TARGET_PREFIXES)
        self.pause(300)
        repaired_at = None
        if repair:
            repaired_at = now()
            self.act("origin announces all target prefixes", self.lab.announce, "origin", *topology.TARGET_PREFIXES)
            self.pause(120)
        return self.truth("origin-side", topology.TARGET_PREFIXES, [4837, 20485], fault_at, repaired_at)

    def upstream_cut_ttk(self):
        """Only the ttk–origin session is shut: .177 (Russia only) goes dark, the rest stays via AS4837."""
        self.pause(60)
        fault_at = self.fault()
        self.act("ttk shuts its session to origin", self.lab.shutdown, "ttk", "origin")
        self.pause(300)
        return self.truth("upstream-loss", topology.ONLY_TTK, [20485], fault_at)

    def upstreams_cut_sequential(self):
        """Unicom cuts its session to the origin, then ttk minutes later: a provider-side event."""
        self.pause(60)
        fault_at = self.fault()
        self.act("unicom shuts its session to origin", self.lab.shutdown, "unicom", "origin")
        self.pause(180)
        self.act("ttk shuts its session to origin", self.lab.shutdown, "ttk", "origin")
        self.pause(300)
        return self.truth("upstream-loss", topology.TARGET_PREFIXES, [4837, 20485], fault_at)

    def upstream_down(self):
        """The whole AS4837 router fails: its own prefixes vanish too; .176 (China only) goes dark."""
        self.pause(60)
        fault_at = self.fault()
        self.act("unicom's bgpd is killed", self.lab.stop, "unicom", True)
        self.pause(300)
        return self.truth("upstream-down", topology.ONLY_UNICOM, [4837], fault_at)

    def hijack(self, prefix):
        """AS64666 originates a target prefix (or a more-specific of one) behind AS6939."""
        self.lab.start("hijacker")
        self.lab.wait_for(lambda: self.lab.established("hijacker") >= 1, 60, "the hijacker's session")
        self.pause(60)
        fault_at = self.fault()
        self.act("hijacker AS64666 announces %s" % prefix, self.lab.announce, "hijacker", prefix)
        self.pause(300)
        return self.truth("hijack", [prefix], [], fault_at)

    def collector_feed_loss(self):
        """The collector loses five of its six sessions: our view fails, the target does not."""
        self.pause(60)
        fault_at = self.fault()
        lost = self.routers["collector"].neighbors[1:]
        for name in lost:
            self.act("collector shuts its session to %s" % name, self.lab.shutdown, "collector", name)
            self.lab.gobgp("looking-glass", "neighbor", self.routers[name].address, "disable")
        self.pause(300)
        return self.truth("feed-problem", [], [], fault_at)

    def flapping(self, cycles=8):
        """The origin's sessions flap for some minutes, then stabilise."""
        self.pause(60)
        fault_at = self.fault()
        for _ in range(cycles):
            for upstream in ("unicom", "ttk"):
                self.act("origin shuts its session to %s" % upstream, self.lab.shutdown, "origin", upstream)
            # However compressed, each phase lasts long enough for the session to come up and the routes
            # to spread (about 1 s to reconnect, then a round of updates), or there is nothing to see.
            self.pause(20, minimum=3)
            for upstream in ("unicom", "ttk"):
                self.act("origin re-enables its session to %s" % upstream, self.lab.shutdown, "origin", upstream,
                         False)
            self.pause(25, minimum=4)
        repaired_at = now()
        self.pause(180)
        return self.truth("instability", topology.TARGET_PREFIXES, [4837, 20485], fault_at, repaired_at)


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
    p = parser()
    args = p.parse_args()
    if args.speed <= 0:
        p.error("--speed must be positive")
    if args.bmp and not all(":" in station for station in args.bmp.split(",")):
        p.error("--bmp takes HOST:PORT (several: comma-separated)")
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        p.error("unknown scenario %s; known: %s, all" % (unknown[0], ", ".join(SCENARIOS)))
    if os.geteuid() != 0:
        sys.exit("lab/run needs root (routers listen on port 179)")
    base_out = args.out
    failed = []
    for name in names:
        if base_out and len(names) > 1:
            args.out = os.path.join(base_out, name)
        else:
            args.out = base_out or os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", name)
        try:
            run(name, args)
        except Exception as error:  # one scenario failing must not stop `all`; the exit code tells
            say("%s: FAILED: %s" % (name, error))
            failed.append(name)
    if failed:
        sys.exit("failed: %s" % ", ".join(failed))


def run(name, args):
    """Runs scenario `name` into args.out and returns its ground truth; every router is stopped afterwards."""
    started = time.time()
    say("%s: starting (out %s)" % (name, args.out))
    scenario = Scenario(name, args)
    try:
        scenario.up()
        truth = SCENARIOS[name](scenario)
        say("%s: done in %.0f s; MRT %s" % (name, time.time() - started, ", ".join(truth["mrt"])))
        return truth
    finally:
        if scenario.churn.is_alive():
            scenario.churn.stop()
        scenario.lab.stop_all()


def parser():
    """The command line of `lab/run`."""
    p = argparse.ArgumentParser(
        prog="lab/run", description="Stage a North Korea outage with real BGP routers on loopback.",
        epilog="Other commands: `lab/run check DIR...` checks recordings; `lab/run test [--out DIR]` runs every "
               "scenario (origin-down with a BMP capture), checks them and proves the checks can fail.")
    p.add_argument("scenario", help="one of: %s, or all" % ", ".join(SCENARIOS))
    p.add_argument("--out", default=None,
                   help="output folder (default lab/out/SCENARIO; with `all`, one subfolder per scenario)")
    p.add_argument("--bmp", default=None, metavar="HOST:PORT[,HOST:PORT]",
                   help="where the collector exports BMP to (several stations: comma-separated)")
    p.add_argument("--speed", type=float, default=30.0,
                   help="time compression: scenario minutes run N times faster (1 = full length; default 30)")
    p.add_argument("--population", type=int, default=6000,
                   help="background prefixes spread over the transits (default 6000)")
    p.add_argument("--churn", type=float, default=2.0,
                   help="unrelated background updates per second (default 2; 0 = none)")
    return p

if __name__ == "__main__":
    main()
