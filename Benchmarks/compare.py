#!/usr/bin/env python3
"""Runs every tool on the same corpora in one go and prints elements/s, MB/s and ratios.

Wall-clock seconds, best of three runs (one with --quick); outputs go to /dev/null, and the
-m outputs of vigil and bgpdump are compared byte for byte in a separate run.
"""
import hashlib
import os
import subprocess
import sys
import time

work, vigil, bench = sys.argv[1], sys.argv[2], sys.argv[3]
runs = 1 if "--quick" in sys.argv else 3
here = os.path.dirname(os.path.abspath(__file__))

PYBGPKIT = """
import sys, pybgpkit_parser
n = 0
for e in pybgpkit_parser.Parser(url=sys.argv[1]):
    n += 1
print(n)
"""

MRTPARSE = """
import sys
from mrtparse import Reader
n = 0
for m in Reader(sys.argv[1]):
    d = m.data
    msg = d.get('bgp_message')
    if msg is not None:
        if 2 in msg.get('type', {}):
            n += len(msg.get('withdrawn_routes', [])) + len(msg.get('nlri', []))
            for a in msg.get('path_attributes', []):
                if 14 in a['type'] or 15 in a['type']:
                    v = a['value']
                    n += len(v.get('nlri', v.get('withdrawn_routes', [])))
    elif 'rib_entries' in d:
        n += len(d['rib_entries'])
    elif 'old_state' in d:
        n += 1
print(n)
"""


def timed(cmd, count_from_stdout):
    best, out = None, None
    for _ in range(runs):
        start = time.perf_counter()
        if count_from_stdout:
            result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True)
            out = result.stdout
        else:
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, out


def line_count(cmd):
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    digest, lines = hashlib.sha256(), 0
    for chunk in iter(lambda: proc.stdout.read(1 << 20), b""):
        digest.update(chunk)
        lines += chunk.count(b"\n")
    proc.wait()
    return lines, digest.hexdigest()


print("Vigil MRT benchmark: best of %d wall-clock runs per tool, outputs to /dev/null" % runs)
for corpus, prefix in (("updates.mrt", "175.45.176.0/22"), ("rib.mrt", "175.45.176.0/22")):
    path = os.path.join(work, corpus)
    mb = os.path.getsize(path) / 1e6
    vigil_lines, vigil_sum = line_count([vigil, "dump", "-m", path])
    bgpdump_lines, bgpdump_sum = line_count(["bgpdump", "-m", path])
    print("\n## %s (%.0f MB, %d elements)" % (corpus, mb, bgpdump_lines))
    print("vigil dump -m output identical to bgpdump -m: %s (%d lines, sha256 %s)"
          % ("yes" if vigil_sum == bgpdump_sum else "NO", vigil_lines, vigil_sum[:16]))
    rows = []
    t, _ = timed(["bgpdump", "-m", path], False)
    rows.append(("bgpdump -m (Debian 1.6.2)", bgpdump_lines, t))
    t, _ = timed([vigil, "dump", "-m", path], False)
    rows.append(("vigil dump -m", vigil_lines, t))
    t, out = timed([sys.executable, "-c", PYBGPKIT, path], True)
    rows.append(("pybgpkit-parser 0.6.2, Python loop", int(out.split()[0]), t))
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", MRTPARSE, path], stdout=subprocess.PIPE, check=True).stdout
    rows.append(("mrtparse, Python loop (1 run)", int(out.split()[0]), time.perf_counter() - start))
    for label, args in (
        ("library: count elements", ["count", path]),
        ("library: read origin, path, next hop, communities", ["decode", path]),
        ("library: same, --prefix %s filter" % prefix, ["decode", path, prefix]),
        ("library: decode all attributes to values", ["full", path]),
        ("library: same, --prefix %s filter" % prefix, ["full", path, prefix]),
    ):
        t, out = timed([bench] + args, True)
        rows.append((label, int(out.split()[0]), t))
    base = rows[0][2]
    pybgpkit = rows[2][2]
    print("| tool | elements | seconds | elements/s | MB/s | × bgpdump | × pybgpkit |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, n, t in rows:
        print("| %s | %d | %.2f | %.0f | %.1f | %.1f | %.1f |" % (label, n, t, n / t, mb / t, base / t, pybgpkit / t))
    unfiltered = [r for r in rows if r[0].startswith("library: decode all")][0][2]
    filtered = rows[-1][2]
    lean, lean_filtered = rows[5][2], rows[6][2]
    print("prefix filter speed-up: %.1f× (full attribute decoding), %.1f× (lean field reads)"
          % (unfiltered / filtered, lean / lean_filtered))
