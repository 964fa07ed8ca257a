"""Starts, drives and stops GoBGP daemons for the lab; every process is tracked by PID and stopped on exit."""
import atexit
import json
import os
import signal
import subprocess
import time


def config(router, routers, mrt_dir=None, bmp=None, mrai=30):
    """gobgpd TOML for `router`."""
    policy = "origin-export" if router.export_only else "next-hop-self"
    lines = [
        "[global.config]",
        "  as = %d" % router.asn,
        '  router-id = "%s"' % router.address,
        "  port = 179",
        '  local-address-list = ["%s"]' % router.address,
        "[global.apply-policy.config]",
        '  export-policy-list = ["%s"]' % policy,
        '  default-export-policy = "%s"' % ("reject-route" if router.export_only else "accept-route"),
        "",
    ]
    # GoBGP applies only global policies to ordinary peers, so a per-upstream export filter is a global
    # statement matching the neighbor and the prefix.
    statements = []
    for neighbor, prefixes in router.export_only.items():
        lines += ["[[defined-sets.prefix-sets]]", '  prefix-set-name = "to-%s"' % neighbor]
        lines += ['  [[defined-sets.prefix-sets.prefix-list]]\n    ip-prefix = "%s"' % p for p in prefixes]
        lines += ["[[defined-sets.neighbor-sets]]", '  neighbor-set-name = "%s"' % neighbor,
                  '  neighbor-info-list = ["%s"]' % routers[neighbor].address]
        statements.append((neighbor, [
            "    [policy-definitions.statements.conditions.match-prefix-set]",
            '      prefix-set = "to-%s"' % neighbor,
            "    [policy-definitions.statements.conditions.match-neighbor-set]",
            '      neighbor-set = "%s"' % neighbor,
        ]))
    if not statements:
        statements.append(("all", []))
    lines += ["[[policy-definitions]]", '  name = "%s"' % policy]
    for label, conditions in statements:
        lines += ["  [[policy-definitions.statements]]", '    name = "%s"' % label] + conditions + [
            "    [policy-definitions.statements.actions]",
            '      route-disposition = "accept-route"',
            "      [policy-definitions.statements.actions.bgp-actions]",
            '        set-next-hop = "%s"' % router.next_hop,
        ]
    for name in router.neighbors:
        peer = routers[name]
        lines += [
            "[[neighbors]]",
            "  [neighbors.config]",
            '    neighbor-address = "%s"' % peer.address,
            "    peer-as = %d" % peer.asn,
            "  [neighbors.timers.config]",
            "    connect-retry = 1",
            "    hold-time = 9",
            "    keepalive-interval = 3",
            "    minimum-advertisement-interval = %d" % mrai,
            "  [neighbors.transport.config]",
            '    local-address = "%s"' % router.address,
        ]
    if mrt_dir:
        lines += [
            "[[mrt-dump]]",
            "  [mrt-dump.config]",
            '    dump-type = "updates"',
            '    file-name = "%s/updates.20060102.150405.mrt"' % mrt_dir,
            "    rotation-interval = 3600",
        ]
    if bmp:
        host, port = bmp.rsplit(":", 1)
        lines += ["[[bmp-servers]]", "  [bmp-servers.config]", '    address = "%s"' % host, "    port = %s" % port,
                  '    route-monitoring-policy = "pre-policy"']
    return "\n".join(lines) + "\n"


class Lab:
    """The running routers of one scenario."""

    def __init__(self, routers, workdir, mrai=30):
        self.routers = routers
        self.mrai = mrai
        self.workdir = workdir
        self.processes = {}
        os.makedirs(workdir, exist_ok=True)
        atexit.register(self.stop_all)
        signal.signal(signal.SIGINT, self._interrupted)
        signal.signal(signal.SIGTERM, self._interrupted)

    def _interrupted(self, signum, frame):
        self.stop_all()
        raise SystemExit(130)

    def start(self, name, mrt_dir=None, bmp=None):
        router = self.routers[name]
        path = os.path.join(self.workdir, "%s.toml" % name)
        with open(path, "w") as f:
            f.write(config(router, self.routers, mrt_dir, bmp, self.mrai))
        log = open(os.path.join(self.workdir, "%s.log" % name), "a")
        self.processes[name] = subprocess.Popen(
            ["gobgpd", "-f", path, "--api-hosts", "127.0.0.1:%d" % router.api_port, "-l", "info"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self, name, hard=False):
        process = self.processes.pop(name, None)
        if process and process.poll() is None:
            process.send_signal(signal.SIGKILL if hard else signal.SIGTERM)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_all(self):
        for name in list(self.processes):
            self.stop(name)

    def gobgp(self, name, *args):
        """Runs the gobgp CLI against `name`'s daemon and returns its output."""
        port = self.routers[name].api_port
        result = subprocess.run(["gobgp", "-p", str(port)] + list(args), capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            raise RuntimeError("gobgp %s on %s failed: %s" % (" ".join(args), name, result.stderr.strip()))
        return result.stdout

    def announce(self, name, prefix):
        self.gobgp(name, "global", "rib", "add", prefix, "-a", "ipv4")

    def withdraw(self, name, prefix):
        self.gobgp(name, "global", "rib", "del", prefix, "-a", "ipv4")

    def established(self, name):
        """Number of Established sessions of `name`."""
        data = json.loads(self.gobgp(name, "neighbor", "-j") or "[]")
        return sum(1 for n in data if n.get("state", {}).get("session_state") == 6)

    def rib(self, name):
        """`name`'s Loc-RIB as {prefix: [as paths]} (from `gobgp global rib -j`)."""
        data = json.loads(self.gobgp(name, "global", "rib", "-a", "ipv4", "-j") or "{}")
        table = {}
        for prefix, paths in data.items():
            table[prefix] = [[a for a in path.get("attrs", []) if a.get("type") == 2] for path in paths]
        return table

    def wait_for(self, condition, timeout, what):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if condition():
                return
            time.sleep(0.5)
        raise RuntimeError("timed out after %ds waiting for %s" % (timeout, what))
