#!/usr/bin/env python3
"""Probing throughput (issue 7): `vigil probe` against 10,000 lab addresses.

    sudo Benchmarks/probe.py VIGIL [--count N]

A network namespace answers for all of 198.19.0.0/18 (an AnyIP local route on its loopback), reached
over a veth pair from this namespace; nothing leaves the machine. `vigil probe --json` (release build)
probes N addresses with ICMP echo and, separately, with TCP connect to a closed port (the namespace
answers RST: a fast, well-defined "refused"). Reported: probes per second of wall time and per CPU
second (user + system, i.e. per core), peak RSS, and the accounting: one result per probe, each
answered as expected. The global cap is raised to 10,000/s for the run (default 100/s).
"""
import json
import os
import resource
import subprocess
import sys
import time

NS = "vbench-probe"


def sh(*args, check=True):
    return subprocess.run(args, capture_output=True, text=True, check=check)


def setup():
    teardown()
    sh("ip", "netns", "add", NS)
    sh("ip", "link", "add", "vbp0", "type", "veth", "peer", "name", "vbp1", "netns", NS)
    sh("ip", "addr", "add", "198.18.250.1/30", "dev", "vbp0")
    sh("ip", "link", "set", "vbp0", "up")
    sh("ip", "-n", NS, "addr", "add", "198.18.250.2/30", "dev", "vbp1")
    sh("ip", "-n", NS, "link", "set", "vbp1", "up")
    sh("ip", "-n", NS, "link", "set", "lo", "up")
    sh("ip", "-n", NS, "route", "add", "local", "198.19.0.0/18", "dev", "lo")
    sh("ip", "-n", NS, "route", "add", "default", "via", "198.18.250.1")
    # No ICMP rate limit in the namespace: every echo is answered.
    sh("ip", "netns", "exec", NS, "sysctl", "-qw", "net.ipv4.icmp_ratelimit=0")
    sh("ip", "route", "add", "198.19.0.0/18", "via", "198.18.250.2")


def teardown():
    sh("ip", "route", "del", "198.19.0.0/18", check=False)
    sh("ip", "link", "del", "vbp0", check=False)
    sh("ip", "netns", "del", NS, check=False)


def run(vigil, urls):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # The URLs on standard input: argument parsing of 10,000 words is quadratic in swift-argument-parser.
    p = subprocess.run(
        [vigil, "probe", "--json", "--max-rate", "10000", "--timeout", "2", "--retries", "0", "--input", "-"],
        input="\n".join(urls) + "\n", capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    results = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
    return results, wall, cpu, after.ru_maxrss / 1024


def main():
    args = sys.argv[1:]
    if not args or os.geteuid() != 0:
        sys.exit(__doc__)
    vigil = args[0]
    count = int(args[args.index("--count") + 1]) if "--count" in args else 10_000
    hosts = ["198.19.%d.%d" % (i // 250, i % 250 + 1) for i in range(count)]
    setup()
    try:
        rows = []
        for kind, urls, expected in (
            ("ICMP echo", ["icmp://" + h for h in hosts], True),
            ("TCP connect (refused)", ["tcp://%s:9" % h for h in hosts], False),
        ):
            results, wall, cpu, rss = run(vigil, urls)
            accounted = len(results) == count and [r["url"] for r in results] == urls
            as_expected = sum(1 for r in results if r["reachable"] == expected)
            rows.append((kind, count, wall, cpu, rss, accounted, as_expected))
    finally:
        teardown()
    print("| probes | count | wall s | probes/s (wall) | CPU s | probes/s per core | peak RSS | one result each | as expected |")
    print("|---|---|---|---|---|---|---|---|---|")
    for kind, n, wall, cpu, rss, accounted, ok in rows:
        print("| %s | %d | %.2f | %.0f | %.2f | %.0f | %.0f MB | %s | %d |"
              % (kind, n, wall, n / wall, cpu, n / cpu if cpu else 0, rss, "yes" if accounted else "NO", ok))


if __name__ == "__main__":
    main()
