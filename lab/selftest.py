#!/usr/bin/env python3
"""`lab/run test [--out DIR] [--speed N]`: the lab's own test.

Runs every scenario; each collector also exports BMP to a station here that keeps the stream (bmp.bin).
Then checks every recording with check.py and runs three negative controls that must fail: a recording
checked against another scenario's claims, MRT compared with a looking-glass view from the wrong moment,
and a BMP stream cut before its first route. Exit status 0 only when all checks pass and all controls fail.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check  # noqa: E402
import vigil_lab  # noqa: E402

BMP_ADDRESS = ("127.0.0.1", 11019)


class BMPReceiver(threading.Thread):
    """Accepts the collector's BMP connections and keeps the bytes (a station that only listens), and beside
    them (PATH.times) when each piece arrived: "offset unix-time" per recv. FRR 8.4 does not put usable
    times in BMP's per-peer headers (see docs/lab-notes.md), so arrival is the clock that counts."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.path = path
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(BMP_ADDRESS)
        self.server.listen(4)
        self.server.settimeout(0.5)  # so that close() is noticed: accept() does not wake up on close
        self.received = 0
        self.closing = threading.Event()

    def run(self):
        with open(self.path, "wb") as out, open(self.path + ".times", "w") as times:
            while not self.closing.is_set():
                try:
                    connection, _ = self.server.accept()
                except socket.timeout:
                    continue
                except OSError:
                    return
                connection.settimeout(None)
                with connection:
                    while True:
                        data = connection.recv(65536)
                        if not data:
                            break
                        times.write("%d %.6f\n" % (self.received, time.time()))
                        out.write(data)
                        self.received += len(data)

    def close(self):
        self.closing.set()
        self.server.close()


VIGIL_BMP_ADDRESS = ("127.0.0.1", 11020)


class VigilWatch:
    """`vigil watch` as a second BMP station of the collector, live during the scenario; its store is
    read afterwards with `vigil events --json`."""

    def __init__(self, vigil, folder, population, speed):
        self.vigil = vigil
        self.store = os.path.join(folder + ".vigil.sqlite")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(self.store + suffix):
                os.remove(self.store + suffix)
        self.log = open(folder + ".vigil.log", "w")
        self.process = subprocess.Popen(
            [vigil, "watch", "--no-ris-live", "--bmp", "%s:%d" % VIGIL_BMP_ADDRESS, "--store", self.store,
             "--json", "--port", "0", "--no-probes", "--full-feed", str(population // 2), "--time-scale", str(speed)],
            stdout=self.log, stderr=subprocess.STDOUT)
        time.sleep(1)  # listening before the collector starts

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        out = subprocess.run([self.vigil, "events", "--store", self.store, "--json", "--limit", "1000"],
                             capture_output=True, text=True)
        return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def check_vigil(truth, events):
    """What `vigil watch` saw over live BMP against the ground truth; returns the problems found."""
    finished = check.epoch(truth["finished_at"])
    # The teardown ends every session, which is a feed problem after the scenario: not part of it.
    seen = [e for e in reversed(events) if check.epoch(e["start"]) <= finished]
    target = [e for e in seen if e["cause"] != "feed-problem"]
    if truth["cause"] == "feed-problem":
        return ["target events %s" % [e["cause"] for e in target]] if target or not seen else []
    if len(target) != 1:
        return ["expected one target event, got %s" % [(e["cause"], e["prefixes"]) for e in target]]
    e = target[0]
    problems = []
    if e["cause"] != truth["cause"]:
        problems.append("cause %s, expected %s" % (e["cause"], truth["cause"]))
    if sorted(e["prefixes"]) != sorted(truth["prefixes"]):
        problems.append("prefixes %s, expected %s" % (e["prefixes"], truth["prefixes"]))
    if sorted(e["upstreams"]) != sorted(truth["upstreams"]):
        problems.append("upstreams %s, expected %s" % (e["upstreams"], truth["upstreams"]))
    if abs(check.epoch(e["start"]) - check.epoch(truth["fault_at"])) > 5:
        problems.append("start %s, fault at %s" % (e["start"], truth["fault_at"]))
    return problems


def run_all(args):
    failed = []
    for name in vigil_lab.SCENARIOS:
        args.out = os.path.join(args.base, name)
        args.bmp = None
        receiver = None
        watch = None
        stream = os.path.join(args.base, "%s.bmp" % name)
        try:
            # Every scenario's collector exports BMP to a station here (check.py checks the stream against
            # the MRT; Vigil's tests replay it) and, with --vigil, to `vigil watch` itself.
            args.bmp = "%s:%d" % BMP_ADDRESS
            receiver = BMPReceiver(stream)
            receiver.start()
            if args.vigil:
                args.bmp += ",%s:%d" % VIGIL_BMP_ADDRESS
                watch = VigilWatch(args.vigil, args.out, args.population, args.speed)
            truth = vigil_lab.run(name, args)
            if watch:
                time.sleep(2)
                problems = check_vigil(truth, watch.stop())
                watch = None
                vigil_lab.say("%s: vigil watch over live BMP: %s" % (name, "; ".join(problems) or "ok"))
                if problems:
                    failed.append(name)
        except Exception as error:
            vigil_lab.say("%s: FAILED: %s" % (name, error))
            failed.append(name)
        finally:
            if watch:
                watch.stop()
            if receiver:
                receiver.close()
                receiver.join(timeout=10)
                if os.path.exists(stream) and os.path.isdir(args.out):
                    shutil.move(stream, os.path.join(args.out, "bmp.bin"))
                    shutil.move(stream + ".times", os.path.join(args.out, "bmp.times"))
    return failed


def negative_controls(base):
    """Two altered copies that check.py must reject; returns the names of controls that wrongly passed."""
    wrong = []
    controls = os.path.join(base, "controls")
    shutil.rmtree(controls, ignore_errors=True)
    os.makedirs(controls)

    # A partial cut checked as a total one: .176, .178 and .179 stay visible, so origin-down's claims fail.
    claims = os.path.join(controls, "cut-claimed-as-origin-down")
    shutil.copytree(os.path.join(base, "upstream-cut-ttk"), claims, ignore=shutil.ignore_patterns("routers"))
    path = os.path.join(claims, "ground-truth.json")
    with open(path) as f:
        truth = json.load(f)
    truth["scenario"], truth["cause"], truth["prefixes"] = "origin-down", "origin-side", truth["target"]["prefixes"]
    with open(path, "w") as f:
        json.dump(truth, f)
    # The looking glass's view before the fault offered as the view after it.
    swapped = os.path.join(controls, "views-swapped")
    shutil.copytree(os.path.join(base, "origin-down"), swapped, ignore=shutil.ignore_patterns("routers"))
    views = os.path.join(swapped, "views")
    shutil.copy(os.path.join(views, "looking-glass-adj-in-before.json"),
                os.path.join(views, "looking-glass-adj-in-after.json"))
    # A BMP station that lost the stream after the sessions came up: no route reached it.
    cut = os.path.join(controls, "bmp-stream-cut")
    shutil.copytree(os.path.join(base, "origin-down"), cut, ignore=shutil.ignore_patterns("routers", "bmp.pcap"))
    with open(os.path.join(cut, "bmp.bin"), "rb") as f:
        data = f.read()
    offset = 0
    while offset + 6 <= len(data) and data[offset + 5] != 0:  # keep everything before the first Route Monitoring
        offset += int.from_bytes(data[offset + 1:offset + 5], "big")
    with open(os.path.join(cut, "bmp.bin"), "wb") as f:
        f.write(data[:offset])
    for folder in (claims, swapped, cut):
        failures = check.Checker(folder).run()
        print("control %-28s %s" % (os.path.basename(folder), "rejected as it must be" if failures else "PASSED"))
        if failures:
            print("    first reason: %s" % failures[0][:200])
        else:
            wrong.append(os.path.basename(folder))
    return wrong


def main():
    p = argparse.ArgumentParser(prog="lab/run test", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default="/tmp/vigil-lab", help="folder for all recordings (default /tmp/vigil-lab)")
    p.add_argument("--speed", type=float, default=30.0, help="time compression (default 30)")
    p.add_argument("--population", type=int, default=6000, help="background prefixes (default 6000)")
    p.add_argument("--churn", type=float, default=2.0, help="background updates per second (default 2)")
    p.add_argument("--vigil", default=None, metavar="BINARY",
                   help="also run `vigil watch` as a live BMP station in every scenario and check its events")
    args = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("lab/run test needs root (routers listen on port 179)")
    args.base = os.path.abspath(args.out)
    shutil.rmtree(args.base, ignore_errors=True)
    os.makedirs(args.base)
    started = time.time()
    failed = run_all(args)
    checked = subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "check.py"),
                              args.base])
    wrong = negative_controls(args.base) if not failed else []
    print("lab test: %d scenarios in %.0f s; %s" % (len(vigil_lab.SCENARIOS), time.time() - started,
                                                    "ok" if not (failed or checked.returncode or wrong) else "FAILED"))
    if failed or checked.returncode or wrong:
        sys.exit(1)


if __name__ == "__main__":
    main()
