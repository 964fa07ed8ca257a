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


def run_all(args):
    failed = []
    for name in vigil_lab.SCENARIOS:
        args.out = os.path.join(args.base, name)
        args.bmp = None
        receiver = None
        stream = os.path.join(args.base, "%s.bmp" % name)
        try:
            # Every scenario's collector exports BMP: check.py checks it against the MRT, and Vigil's live
            # tests stream it into `vigil watch`'s BMP listener.
            args.bmp = "%s:%d" % BMP_ADDRESS
            receiver = BMPReceiver(stream)
            receiver.start()
            vigil_lab.run(name, args)
        except Exception as error:
            vigil_lab.say("%s: FAILED: %s" % (name, error))
            failed.append(name)
        finally:
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
