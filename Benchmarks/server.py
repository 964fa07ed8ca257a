#!/usr/bin/env python3
"""HTTP API under load (issue 6).

    Benchmarks/server.py VIGIL [--store FILE] [--duration SECONDS]

A store holding a year of one-minute signals for 50 targets (26.3 million bins; four prefixes and two
upstreams each, a few outages per target) is made once with the sqlite3 shell into the schema that
`vigil serve` creates, then `vigil serve` (release build) answers wrk (Debian's) on loopback with two
connections per core:

- /api/v1/status, every target's state now;
- /api/v1/signals for 7 days at the stored one-minute bins (10,080 bins per answer), a random target
  and a random week of the year per request (a Lua script), so no answer is served from one warm spot;
- the same 7 days in one-hour bins (168 bins), as the dashboard's week view asks for them.

Reports requests/s and the latency percentiles wrk measures; the goal is p99 < 50 ms for the 7-day query.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

TARGETS = 50
MINUTES = 365 * 24 * 60
YEAR_START = 1_735_689_600  # 2025-01-01T00:00:00Z
YEAR_END = YEAR_START + MINUTES * 60


def sql1(path, query):
    return subprocess.run(["sqlite3", path, query], capture_output=True, text=True).stdout.strip()


def create_schema(vigil, path):
    serve = subprocess.Popen([vigil, "serve", "--store", path, "--port", "0"], stderr=subprocess.PIPE, text=True)
    serve.stderr.readline()  # "serving ...": the schema exists
    serve.terminate()
    serve.wait()


def make_store(vigil, path):
    """Creates the schema with vigil itself, then fills it with the sqlite3 shell; a store made before
    by an older schema is made again."""
    with tempfile.TemporaryDirectory() as tmp:
        create_schema(vigil, os.path.join(tmp, "schema.sqlite"))
        migrations = sql1(os.path.join(tmp, "schema.sqlite"), "SELECT group_concat(identifier) FROM grdb_migrations")
    if os.path.exists(path):
        if (sql1(path, "SELECT group_concat(identifier) FROM grdb_migrations") == migrations
                and sql1(path, "SELECT COUNT(*) FROM targets") == str(TARGETS)
                and sql1(path, "SELECT COUNT(*) FROM signals WHERE target = 't%02d'" % TARGETS) == str(MINUTES)):
            return
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    create_schema(vigil, path)
    sql = ["PRAGMA journal_mode=WAL;", "PRAGMA synchronous=OFF;", "BEGIN;"]
    for n in range(1, TARGETS + 1):
        name = "t%02d" % n
        vis = '{"10.%d.0.0/24":1.0,"10.%d.1.0/24":1.0,"10.%d.2.0/24":1.0,"10.%d.3.0/24":1.0}' % ((n,) * 4)
        sql.append(
            "INSERT INTO targets (name, description, updated, upstreams) VALUES ('%s', 'benchmark target %d', %d,"
            " '{\"4837\":\"China Unicom\",\"20485\":\"TransTeleCom\"}');" % (name, n, YEAR_END))
        # A one-minute bin for every minute of the year; about one outage of 45 minutes every two weeks.
        sql.append(
            "WITH RECURSIVE m(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM m WHERE i < %d) "
            "INSERT INTO signals (target, start, seconds, prefixes_up, prefixes, voting_peers, updates, visibility,"
            " upstreams) SELECT '%s', %d + i * 60, 60, CASE WHEN (i + %d) %% 20011 < 45 THEN 0 ELSE 4 END, 4, 300,"
            " (i * 7 + %d) %% 13, '%s', CASE WHEN (i + %d) %% 20011 < 45 THEN '{}'"
            " ELSE '{\"4837\":2.0,\"20485\":2.0}' END FROM m;"
            % (MINUTES - 1, name, YEAR_START, n * 7919, n, vis, n * 7919))
        for k, start in enumerate(range(20011 - n * 7919 % 20011, MINUTES, 20011)):
            sql.append(
                "INSERT INTO events (id, target, cause, confidence, start, \"end\", prefixes, upstreams, origins,"
                " severity, evidence, state, updated) VALUES (%d, '%s', 'origin-side', 0.8, %d, %d,"
                " '[\"10.%d.0.0/24\"]', '[4837,20485]', '[]', 4, '[\"benchmark\"]', 'closed', %d);"
                % (n * 1000 + k, name, YEAR_START + start * 60, YEAR_START + (start + 45) * 60, n, YEAR_END))
    sql.append("COMMIT;")
    print("making the store (%d targets x %d minutes)..." % (TARGETS, MINUTES), file=sys.stderr)
    started = time.time()
    subprocess.run(["sqlite3", path], input="\n".join(sql), text=True, check=True, capture_output=True)
    print("made in %.0f s, %.1f GB" % (time.time() - started, os.path.getsize(path) / 1e9), file=sys.stderr)


LUA = """
math.randomseed(42)
request = function()
  local t = string.format("t%%02d", math.random(1, %d))
  local from = %d + math.random(0, %d) * 86400
  return wrk.format("GET", "/api/v1/signals?target=" .. t .. "&from=" .. from .. "&to=" .. (from + 7 * 86400) .. "%s")
end
"""


def wrk(url, duration, script=None):
    cmd = ["wrk", "-t2", "-c4", "-d%ds" % duration, "--latency", "--timeout", "10s"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    pct = {}
    for p in ("50", "90", "99"):
        m = re.search(r"\s%s%%\s+([\d.]+)(us|ms|s)\b" % p, out)
        value = float(m.group(1))
        pct[p] = value / 1000 if m.group(2) == "us" else value * 1000 if m.group(2) == "s" else value
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, pct, int(errors.group(1)) if errors else 0, out


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    vigil = args[0]
    store = os.path.join(os.path.dirname(vigil), "bench-server.sqlite")
    duration = 20
    if "--store" in args:
        store = args[args.index("--store") + 1]
    if "--duration" in args:
        duration = int(args[args.index("--duration") + 1])
    make_store(vigil, store)
    serve = subprocess.Popen([vigil, "serve", "--store", store, "--port", "0"], stderr=subprocess.PIPE, text=True)
    line = serve.stderr.readline()
    port = int(re.search(r"127\.0\.0\.1:(\d+)/", line).group(1))
    base = "http://127.0.0.1:%d" % port
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            scripts = {}
            for name, extra in (("minute", ""), ("hour", "&bin=3600")):
                scripts[name] = os.path.join(tmp, name + ".lua")
                with open(scripts[name], "w") as f:
                    f.write(LUA % (TARGETS, YEAR_START, 365 - 8, extra))
            size = len(subprocess.run(
                ["curl", "-s", base + "/api/v1/signals?target=t07&from=%d&to=%d" % (YEAR_START, YEAR_START + 7 * 86400)],
                capture_output=True).stdout)
            wrk(base + "/api/v1/status", 3)  # warm-up
            for label, url, script in (
                ("/api/v1/status (50 targets)", base + "/api/v1/status", None),
                ("/api/v1/signals, 7 days, 1-minute bins (10,080 bins, %.1f MB)" % (size / 1e6), base + "/", scripts["minute"]),
                ("/api/v1/signals, 7 days, 1-hour bins (168 bins)", base + "/", scripts["hour"]),
            ):
                rps, pct, errors, _ = wrk(url, duration, script)
                rows.append((label, rps, pct, errors))
    finally:
        serve.terminate()
        serve.wait()
    print("| request | requests/s | p50 | p90 | p99 | non-2xx |")
    print("|---|---|---|---|---|---|")
    for label, rps, pct, errors in rows:
        print("| %s | %.0f | %.1f ms | %.1f ms | %.1f ms | %d |" % (label, rps, pct["50"], pct["90"], pct["99"], errors))
    print()
    print("wrk -t2 -c4 (two connections per core), %d s per row, `vigil serve` release build, loopback;" % duration)
    print("store: %d targets x a year of 1-minute bins, %.1f GB." % (TARGETS, os.path.getsize(store) / 1e9))


if __name__ == "__main__":
    main()
