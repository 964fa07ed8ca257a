#!/usr/bin/env python3
"""Replay throughput against the plain decoding pass, and replay memory (issue 4).

    Benchmarks/replay.py WORK VIGIL MRTBENCH [--runs N]

Times, on the updates corpus WORK/updates.mrt (one RIS file repeated: 1,718 distinct prefixes): the library's plain decoding passes (`MRTBench count`, which
frames records and builds elements, and `MRTBench decode`, which also reads each route's origin AS, AS path
length, next hop and communities, the fields a consumer of routes needs), and
`vigil replay` with the built-in north-korea target and with two 10,000-prefix targets: a country-sized one
(about 1% of the prefixes the corpus's updates touch, as 10,000 prefixes are about 1% of a full table; the
rest RIB prefixes no update touches, and reserved space) and a worst case that holds every prefix of the corpus, so that every update is tracked. Reports elements per second, each replay's share of the plain
pass, and the replay's peak resident memory (from wait4's rusage). Best of N runs (default 3).
"""
import ipaddress
import json
import os
import subprocess
import sys
import time


def run(cmd):
    """Runs cmd, returns (seconds, stdout, peak RSS in MB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit("%s failed with status %d" % (" ".join(cmd), status))
    return elapsed, out.decode(), usage.ru_maxrss / 1024


def best(cmd, runs):
    results = [run(cmd) for _ in range(runs)]
    return min(results, key=lambda r: r[0])


def main():
    work, vigil, bench = sys.argv[1:4]
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
    corpus = os.path.join(work, "updates.mrt")
    rib = os.path.join(work, "rib.mrt")
    targets = os.path.join(work, "targets-10k.toml")
    if not os.path.exists(targets):
        def distinct(path, kinds):
            seen, order = set(), []
            dump = subprocess.Popen([vigil, "dump", "-m", path], stdout=subprocess.PIPE, text=True)
            for line in dump.stdout:
                f = line.rstrip("\n").split("|")
                if len(f) > 5 and f[2] in kinds and f[5] not in seen:
                    seen.add(f[5])
                    order.append(f[5])
            dump.wait()
            return order

        in_updates = distinct(corpus, ("A", "W"))
        updated = [ipaddress.ip_network(p, strict=False) for p in in_updates]
        by_version = {4: [n for n in updated if n.version == 4], 6: [n for n in updated if n.version == 6]}

        def touches_updates(prefix):
            n = ipaddress.ip_network(prefix, strict=False)
            return any(n.overlaps(u) for u in by_version[n.version])

        rib_prefixes = [p for p in distinct(rib, ("B",)) if p not in set(in_updates)]
        # Worst case: every prefix the updates corpus touches, topped up to 10,000 from the RIB corpus.
        worst = (in_updates + rib_prefixes)[:10000]
        # Country-sized: a 10,000-prefix target holds about 1% of a full table (10,000 of ~900,000), so about
        # 1% of the prefixes the updates corpus touches; the rest are RIB prefixes that no update touches
        # (neither equal, inside nor covering), topped up with /24s of 240.0.0.0/4 (reserved space).
        share = in_updates[::100]
        quiet = [p for p in rib_prefixes if not touches_updates(p)]
        reserved = ["%d.%d.%d.0/24" % (240 + i // 65536, i // 256 % 256, i % 256) for i in range(10000)]
        country = (share + quiet + reserved)[:10000]
        with open(targets, "w") as out:
            for name, prefixes in (("bench-10k-worst", worst), ("bench-10k-country", country)):
                out.write("[target.%s]\nprefixes = [\n%s\n]\n\n" % (name, ",\n".join('  "%s"' % p for p in prefixes)))
        print("targets: worst case %d prefixes (%d touched by updates), country-sized %d (%d touched by updates)"
              % (len(worst), len(in_updates), len(country), len(share)), file=sys.stderr)

    seconds, out, rss = best([bench, "count", corpus], runs)
    elements = int(out.split()[0])
    rows = [("plain decoding pass: elements framed (MRTBench count)", elements, seconds, rss)]
    seconds, out, rss = best([bench, "decode", corpus], runs)
    rows.append(("plain decoding pass: origin, path, next hop read (MRTBench decode)", int(out.split()[0]), seconds, rss))
    for label, extra in (("vigil replay, north-korea", []),
                         ("vigil replay, 10,000 prefixes, ~1% of the updated prefixes (country-sized)",
                          ["--targets", targets, "--target", "bench-10k-country"]),
                         ("vigil replay, 10,000 prefixes covering every update (worst case)",
                          ["--targets", targets, "--target", "bench-10k-worst"])):
        seconds, out, rss = best([vigil, "replay", "--json", "--events-only", "--bin", "0"] + extra + [corpus], runs)
        summary = json.loads(out.strip().splitlines()[-1])
        rows.append((label, summary["update_elements"] + summary["rib_elements"], seconds, rss))
    base = rows[0][2]  # the same corpus: the share of throughput is the ratio of times
    decode = rows[1][2]
    print("| pass | elements | seconds | elements/s | share of count pass | share of decode pass | peak RSS |")
    print("|---|---|---|---|---|---|---|")
    for label, n, s, r in rows:
        print("| %s | %d | %.2f | %.2f M | %.0f%% | %.0f%% | %.0f MB |"
              % (label, n, s, n / s / 1e6, 100 * base / s, 100 * decode / s, r))


if __name__ == "__main__":
    main()
