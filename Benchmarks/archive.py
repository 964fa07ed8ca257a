#!/usr/bin/env python3
"""Replay of an archive mirror against zcat/bzcat of the same files on one core (issue 17).

    Benchmarks/archive.py DATA WORK VIGIL [--runs N] [--collectors N]

Builds, under WORK/mirror, a local mirror in RouteViews' layout from the real files: the YouTube incident's
95 update files of route-views2 (2008-02-24, bzip2, 23.7 MB) as N collectors' days (default 9: 213 MB
compressed), and in RIS's layout the real RIS gzip update files of DATA/mrt repeated as 40 collectors.
Then times, best of N runs (default 3), each part separately:
  - bzcat (or zcat) of every file, one process: the single-core reference;
  - two bzcat (zcat) processes over the two halves at once: what plain decompression reaches on the
    machine's cores, the ceiling of any replay that decompresses;
  - vigil replay of the same files (the youtube target; events only), which decompresses on worker
    threads ahead of its merge (ReadAheadPool).
Reports compressed MB/s and each as a multiple of the single-core reference.
"""
import os
import shutil
import subprocess
import sys
import time


def run(cmd, shell=False):
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, shell=shell, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit("%s failed with status %d" % (cmd, status))
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def best(cmd, runs, shell=False):
    return min((run(cmd, shell) for _ in range(runs)), key=lambda r: r[0])


def mirror(data, work, collectors):
    root = os.path.join(work, "mirror")
    shutil.rmtree(root, ignore_errors=True)
    bz2, gz = [], []
    youtube = os.path.join(data, "incidents/youtube-2008-02-24/route-views2")
    names = sorted(n for n in os.listdir(youtube) if n.startswith("updates."))
    for c in range(collectors):
        name = "route-views2" if c == 0 else "route-views%d" % (c + 2)
        folder = os.path.join(root, name, "bgpdata/2008.02/UPDATES")
        os.makedirs(folder)
        for n in names:
            os.symlink(os.path.join(youtube, n), os.path.join(folder, n))
            bz2.append(os.path.join(folder, n))
    ris = [n for n in sorted(os.listdir(os.path.join(data, "mrt"))) if n.endswith(".gz") and "updates" in n]
    for c in range(40):
        folder = os.path.join(root, "rrc%02d" % (c % 27), "copy%d" % c)
        os.makedirs(folder, exist_ok=True)
        for i, n in enumerate(ris):
            target = os.path.join(folder, "updates.%d.gz" % i)
            os.symlink(os.path.join(data, "mrt", n), target)
            gz.append(target)
    return bz2, gz


def main():
    data, work, vigil = (os.path.abspath(a) for a in sys.argv[1:4])
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
    collectors = int(sys.argv[sys.argv.index("--collectors") + 1]) if "--collectors" in sys.argv else 9
    bz2, gz = mirror(data, work, collectors)
    targets = os.path.join(work, "youtube.toml")
    with open(targets, "w") as f:
        f.write('[target.youtube]\norigins = [36561]\nprefixes = ["208.65.152.0/22"]\n')
    print("| files | compressed MB | tool | seconds | CPU s | MB/s | × one core |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for label, files, tool in (("RouteViews bzip2", bz2, "bzcat"), ("RIS gzip", gz, "zcat")):
        mb = sum(os.path.getsize(f) for f in files) / 1e6
        lists = [os.path.join(work, "%s-%d.txt" % (tool, i)) for i in range(3)]
        for path, part in zip(lists, (files, files[0::2], files[1::2])):
            with open(path, "w") as f:
                f.write("\n".join(files if part is files else part) + "\n")
        one = best("xargs %s < %s > /dev/null" % (tool, lists[0]), runs, shell=True)
        two = best(
            "xargs %s < %s > /dev/null & xargs %s < %s > /dev/null; wait" % (tool, lists[1], tool, lists[2]),
            runs, shell=True)
        replay = best([vigil, "replay", "--quiet", "--events-only", "--json", "--targets", targets,
                       "--target", "youtube"] + files, runs)
        for name, r in (("%s, one process" % tool, one), ("%s, two processes at once" % tool, two),
                        ("vigil replay", replay)):
            print("| %s (%d) | %.1f | %s | %.2f | %.2f | %.1f | %.2f |" % (
                label, len(files), mb, name, r[0], r[2], mb / r[0], one[0] / r[0]))


if __name__ == "__main__":
    main()
