"""Starts, drives and stops the lab's routing daemons. Every process is started in the foreground by us,
tracked by PID, and stopped on exit, on Ctrl-C and on SIGTERM."""
import atexit
import json
import os
import signal
import subprocess
import time

import frr
import gobgp

BGPD = "/usr/lib/frr/bgpd"


class Lab:
    """The running routers of one scenario, with the commands that fault and inspect them."""

    def __init__(self, routers, workdir, bmp=None, mrai=0):
        self.routers = routers
        self.workdir = workdir
        self.bmp = bmp
        self.mrai = mrai
        self.processes = {}
        os.makedirs(workdir, exist_ok=True)
        atexit.register(self.stop_all)
        signal.signal(signal.SIGINT, self._interrupted)
        signal.signal(signal.SIGTERM, self._interrupted)

    def _interrupted(self, signum, frame):
        self.stop_all()
        raise SystemExit(128 + signum)

    def _dir(self, name):
        path = os.path.join(self.workdir, name)
        os.makedirs(path, exist_ok=True)
        return path

    def start(self, name):
        router = self.routers[name]
        folder = self._dir(name)
        if router.daemon == "gobgp":
            path = os.path.join(folder, "gobgpd.toml")
            with open(path, "w") as f:
                f.write(gobgp.config(router, self.routers))
            command = ["gobgpd", "-f", path, "--api-hosts", "127.0.0.1:%d" % router.api_port, "-l", "info"]
        else:
            path = os.path.join(folder, "bgpd.conf")
            with open(path, "w") as f:
                f.write(frr.config(router, self.routers, folder, self.bmp, self.mrai))
            command = [BGPD, "-Z", "-S", "-u", "root", "-g", "root", "-l", router.address, "-p", "179", "-P", "0",
                       "-f", path, "-i", os.path.join(folder, "bgpd.pid"), "--vty_socket", folder]
            if self.bmp and name == "collector":
                command += ["-M", "bmp"]
        log = open(os.path.join(folder, "stdout.log"), "a")
        self.processes[name] = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                                stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()

    def running(self, name):
        process = self.processes.get(name)
        return process is not None and process.poll() is None

    def stop(self, name, hard=False):
        process = self.processes.pop(name, None)
        if process and process.poll() is None:
            process.send_signal(signal.SIGKILL if hard else signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for leftover in ("bgpd.vty", "bgpd.pid"):  # bgpd leaves its socket behind when killed
            path = os.path.join(self.workdir, name, leftover)
            if os.path.exists(path):
                os.remove(path)
        self._drop_zebra_noise(name)

    def _drop_zebra_noise(self, name):
        """bgpd runs without zebra (-Z) and logs one "zclient_send_message() failed" per next hop it would
        have registered: thousands of lines that hide the session changes. They go; a last line counts them."""
        path = os.path.join(self.workdir, name, "%s.log" % name)
        if not os.path.exists(path):
            return
        with open(path, errors="replace") as f:
            lines = f.readlines()
        kept = [line for line in lines if "zclient_send_message() failed" not in line]
        if len(kept) != len(lines):
            kept.append("lab: %d \"sendmsg_nexthop: zclient_send_message() failed\" lines removed (no zebra)\n"
                        % (len(lines) - len(kept)))
            with open(path, "w") as f:
                f.writelines(kept)

    def stop_all(self):
        for name in list(self.processes):
            self.stop(name)

    # FRR ----------------------------------------------------------------------------------------

    def vtysh(self, name, *commands):
        """Runs vtysh commands against `name`'s bgpd and returns the output."""
        argv = ["vtysh", "--vty_socket", self._dir(name)]
        for command in commands:
            argv += ["-c", command]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError("vtysh %s on %s failed: %s%s" % (commands, name, result.stdout, result.stderr))
        return result.stdout

    def configure(self, name, *lines):
        """Applies configuration lines inside `router bgp` (and its IPv4 address family when asked)."""
        router = self.routers[name]
        return self.vtysh(name, "configure terminal", "router bgp %d" % router.asn, *lines)

    def announce(self, name, *prefixes):
        self.configure(name, "address-family ipv4 unicast", *["network %s" % p for p in prefixes])

    def withdraw(self, name, *prefixes):
        self.configure(name, "address-family ipv4 unicast", *["no network %s" % p for p in prefixes])

    def shutdown(self, name, neighbor, down=True):
        """Administratively shuts (or re-enables) `name`'s session to router `neighbor`."""
        address = self.routers[neighbor].address
        self.configure(name, ("" if down else "no ") + "neighbor %s shutdown" % address)

    def frr_sessions(self, name):
        """{neighbor address: state} from bgpd."""
        data = json.loads(self.vtysh(name, "show bgp ipv4 unicast summary json") or "{}")
        return {address: peer.get("state") for address, peer in data.get("peers", {}).items()}

    def frr_routes(self, name, space):
        """{prefix: [AS paths]} of `name`'s Loc-RIB inside `space`."""
        data = json.loads(self.vtysh(name, "show bgp ipv4 unicast %s longer-prefixes json" % space) or "{}")
        return {prefix: sorted(p.get("path", "") for p in paths) for prefix, paths in data.get("routes", {}).items()}

    # GoBGP --------------------------------------------------------------------------------------

    def gobgp(self, name, *args):
        """Runs the gobgp CLI against `name`'s daemon and returns its output."""
        port = self.routers[name].api_port
        result = subprocess.run(["gobgp", "-p", str(port)] + list(args), capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError("gobgp %s on %s failed: %s" % (" ".join(args), name, result.stderr.strip()))
        return result.stdout

    def gobgp_sessions(self, name):
        """{neighbor address: established?} from gobgpd."""
        data = json.loads(self.gobgp(name, "neighbor", "-j") or "[]")
        return {n["state"]["neighbor_address"]: n["state"].get("session_state") == 6 for n in data}

    # Both ---------------------------------------------------------------------------------------

    def established(self, name):
        """Number of Established sessions of `name`, 0 while its daemon is not answering yet."""
        try:
            if self.routers[name].daemon == "gobgp":
                return sum(1 for up in self.gobgp_sessions(name).values() if up)
            return sum(1 for state in self.frr_sessions(name).values() if state == "Established")
        except (RuntimeError, ValueError, KeyError, subprocess.TimeoutExpired):
            return 0

    def wait_for(self, condition, timeout, what):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if condition():
                return
            time.sleep(0.5)
        raise RuntimeError("timed out after %ds waiting for %s" % (timeout, what))
