#!/usr/bin/env python3
"""Live ingest throughput and detection latency (issue 5).

    Benchmarks/live.py LIVEBENCH VIGIL MRTFILE [LABDIR] [--runs N]

1. Throughput, one core: the routes of one real MRT update file, as RIS Live frames and as BMP Route
   Monitoring messages, parsed and applied to the live engine (north-korea target, no store), against the
   MRT decoding of the same records (LiveBench passes, best of N).
2. Latency, with the routing lab's recordings (LABDIR, default .build/lab): each scenario's BMP stream,
   as the lab's collector sent it, is sent to `vigil watch --bmp` at the recorded pace; the latency is
   from the moment Vigil stamped the decisive message (the event's start or end) to the moment the
   event's JSON line, printed after the commit to SQLite, is read here. Vigil has no confirmation delay:
   an event opens on the message that crosses the line.
"""
import datetime
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time


def best(cmd, runs):
    results = []
    for _ in range(runs):
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split()
        results.append((float(out[2]), int(out[1])))
    return min(results)


def throughput(bench, mrt, runs):
    rows = {}
    for name in ("mrt", "ris-parse", "ris-ingest", "bmp-decode", "bmp-ingest"):
        seconds, items = best([bench, name, mrt], runs)
        rows[name] = (items, seconds, items / seconds)
    base = rows["mrt"][2]
    print("| pass | items | seconds | items/s | vs MRT records/s |")
    print("|---|---|---|---|---|")
    labels = {
        "mrt": "MRT records decoded into elements",
        "ris-parse": "RIS Live frames parsed",
        "ris-ingest": "RIS Live frames parsed and applied (north-korea)",
        "bmp-decode": "BMP Route Monitoring messages framed and decoded",
        "bmp-ingest": "BMP Route Monitoring messages framed, decoded and applied",
    }
    for name, (items, seconds, rate) in rows.items():
        print("| %s | %d | %.3f | %.0f | %.2f× |" % (labels[name], items, seconds, rate, rate / base))


def pieces(folder):
    with open(os.path.join(folder, "bmp.times")) as f:
        return [(int(o), float(t)) for o, t in (line.split() for line in f)]


def latency(vigil, lab):
    samples = []
    for scenario in sorted(os.listdir(lab)):
        folder = os.path.join(lab, scenario)
        if not os.path.exists(os.path.join(folder, "bmp.times")):
            continue
        truth = json.load(open(os.path.join(folder, "ground-truth.json")))
        store = os.path.join(tempfile.mkdtemp(), "latency.sqlite")
        proc = subprocess.Popen(
            [vigil, "watch", "--no-ris-live", "--bmp", "127.0.0.1:0", "--store", store, "--json", "--no-probes", "--no-http",
             "--full-feed", str(truth["population"] // 2), "--time-scale", str(truth["speed"])],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        port = None
        for line in proc.stderr:
            m = re.search(r"BMP listening on port (\d+)", line)
            if m:
                port = int(m.group(1))
                break
        threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
        lines = []

        def read():
            for line in proc.stdout:
                lines.append((time.time(), line))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        data = open(os.path.join(folder, "bmp.bin"), "rb").read()
        ps = pieces(folder)
        sock = socket.create_connection(("127.0.0.1", port))
        start = time.time()
        shift = start - ps[0][1]
        for i, (offset, at) in enumerate(ps):
            due = at + shift - time.time()
            if due > 0:
                time.sleep(due)
            end = ps[i + 1][0] if i + 1 < len(ps) else len(data)
            sock.sendall(data[offset:end])
        time.sleep(1)
        sock.close()
        time.sleep(1)
        proc.terminate()
        proc.wait(timeout=30)
        reader.join(timeout=5)
        seen = set()
        for received, line in lines:
            e = json.loads(line)
            if e.get("type") != "event" or e["cause"] == "feed-problem":
                continue
            for key in ("start", "end"):
                if e.get(key) and (e["id"], key) not in seen:
                    seen.add((e["id"], key))
                    stamp = datetime.datetime.fromisoformat(e[key].replace("Z", "+00:00")).timestamp()
                    samples.append((received - stamp, scenario, key))
    if not samples:
        print("no lab recordings with bmp.times in %s: run `sudo lab/run test --out %s`" % (lab, lab))
        return
    values = sorted(s[0] for s in samples)
    p = lambda q: values[min(len(values) - 1, int(q * len(values)))]
    print("%d event starts and ends over %d scenarios: median %.0f ms, p99 %.0f ms, max %.0f ms"
          % (len(values), len({s[1] for s in samples}), p(0.5) * 1000, p(0.99) * 1000, values[-1] * 1000))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
    if "--runs" in sys.argv:
        args.remove(str(runs))
    bench, vigil, mrt = args[:3]
    lab = args[3] if len(args) > 3 else ".build/lab"
    throughput(bench, mrt, runs)
    print()
    latency(vigil, lab)


if __name__ == "__main__":
    main()
