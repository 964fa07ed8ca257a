#!/usr/bin/env python3
"""Many targets in one replay (issue 16): throughput and memory with 1, 10 and every APNIC country.

    Benchmarks/targets.py WORK VIGIL DELEGATED [--runs N]

Replays the updates corpus WORK/updates.mrt with `vigil replay --country CC ... --delegated DELEGATED`:
one country (the one with the most delegated prefixes), the ten with the most, and every country the
file delegates to (its own `registry|cc|type|...` lines, not Vigil's reading). Reports elements per
second, each run's share of the one-country throughput, and peak resident memory (wait4's rusage). The
goal: every country keeps at least 50% of the one-country throughput, under 1 GB. Best of N (default 3).
"""
import collections
import json
import os
import sys

from replay import run  # the same timing and peak-memory reading as the replay benchmark


def main():
    work, vigil, delegated = sys.argv[1:4]
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
    corpus = os.path.join(work, "updates.mrt")
    blocks = collections.Counter()
    for line in open(delegated, encoding="utf-8", errors="replace"):
        f = line.rstrip("\n").split("|")
        if len(f) >= 7 and len(f[1]) == 2 and f[1].isalpha() and f[6] in ("allocated", "assigned") \
                and f[2] in ("ipv4", "ipv6", "asn"):
            blocks[f[1].upper()] += 1
    ranked = [cc for cc, _ in blocks.most_common()]
    rows = []
    for label, countries in (("1 country (%s)" % ranked[0], ranked[:1]),
                             ("10 countries (the largest)", ranked[:10]),
                             ("every APNIC country (%d)" % len(ranked), ranked)):
        cmd = [vigil, "replay", "--json", "--events-only", "--bin", "0", "--delegated", delegated]
        for cc in countries:
            cmd += ["--country", cc]
        results = [run(cmd + [corpus]) for _ in range(runs)]
        seconds, out, rss = min(results, key=lambda r: r[0])
        summary = json.loads(out.strip().splitlines()[-1])
        rows.append((label, summary["update_elements"] + summary["rib_elements"], seconds, rss))
    base = rows[0][2]
    print("| targets | elements | seconds | elements/s | share of one-country throughput | peak RSS |")
    print("|---|---|---|---|---|---|")
    for label, n, s, r in rows:
        print("| %s | %d | %.2f | %.2f M | %.0f%% | %.0f MB |" % (label, n, s, n / s / 1e6, 100 * base / s, r))


if __name__ == "__main__":
    main()
