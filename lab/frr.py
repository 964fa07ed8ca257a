"""Configuration of FRR's bgpd for one lab router (see docs/lab-notes.md for why each line is there)."""
import topology


def config(router, routers, workdir, bmp=None, mrai=0):
    """bgpd's configuration for `router`.

    Every router rewrites the next hop to its 198.18.0.N address on export (bgpd rejects 127/8 next hops
    as martians), checks no connected route (there is no zebra), and uses short timers so that a failed
    router is noticed within seconds. The origin exports each target prefix only to the upstreams that
    carry it; the collector exports nothing.
    """
    lines = [
        "hostname %s" % router.name,
        "log file %s/%s.log informational" % (workdir, router.name),
        "log timestamp precision 3",
        # Route-map changes apply at once; the default 5 s timer re-sends every route to every peer 5 s
        # after start-up, which a recording would show as a second full table.
        "bgp route-map delay-timer 0",
        "!",
        "route-map deny-all deny 10",
        "exit",
        "route-map next-hop-self permit 10",
        " set ip next-hop %s" % router.next_hop,
        "exit",
        "bgp as-path access-list own-or-customer seq 5 permit ^$",
    ]
    customer_asns = sorted({routers[c].asn for c in router.customers})
    if customer_asns:
        lines.append("bgp as-path access-list own-or-customer seq 10 permit ^(%s)_"
                     % "|".join(str(a) for a in customer_asns))
    lines += ["route-map own-or-customer permit 10", " match as-path own-or-customer",
              " set ip next-hop %s" % router.next_hop, "exit"]
    for neighbor, prefixes in router.export_only.items():
        lines += ["ip prefix-list to-%s seq %d permit %s" % (neighbor, 5 * (i + 1), p)
                  for i, p in enumerate(prefixes)]
        lines += ["route-map to-%s permit 10" % neighbor, " match ip address prefix-list to-%s" % neighbor,
                  " set ip next-hop %s" % router.next_hop, "exit"]
    lines += [
        "!",
        "router bgp %d" % router.asn,
        " bgp router-id %s" % router.address,
        " no bgp ebgp-requires-policy",
        " no bgp network import-check",
        " no bgp default ipv4-unicast",
        " bgp log-neighbor-changes",
    ]
    for name in router.neighbors:
        peer = routers[name]
        lines += [
            " neighbor %s remote-as %d" % (peer.address, peer.asn),
            " neighbor %s description %s" % (peer.address, name),
            " neighbor %s update-source %s" % (peer.address, router.address),
            " neighbor %s disable-connected-check" % peer.address,
            " neighbor %s timers 3 9" % peer.address,
            " neighbor %s timers connect 1" % peer.address,
            " neighbor %s advertisement-interval %d" % (peer.address, mrai),
        ]
    if bmp and router.name == "collector":
        # One or more stations, comma-separated: each gets its own BMP session.
        lines += [" bmp targets vigil", "  bmp monitor ipv4 unicast pre-policy"]
        for station in bmp.split(","):
            host, port = station.rsplit(":", 1)
            lines.append("  bmp connect %s port %s min-retry 100 max-retry 2000" % (host, port))
        lines.append(" exit")
    lines.append(" address-family ipv4 unicast")
    lines += ["  network %s" % p for p in router.prefixes + router.population]
    for name in router.neighbors:
        peer = routers[name]
        lines.append("  neighbor %s activate" % peer.address)
        if router.name == "collector" and bmp:
            # BMP pre-policy monitoring reads the Adj-RIB-In, which bgpd keeps only with this; without it
            # FRR 8.4 sends every route as a withdrawal.
            lines.append("  neighbor %s soft-reconfiguration inbound" % peer.address)
        if router.name == "collector":
            export = "deny-all"
        elif name in router.export_only:
            export = "to-%s" % name
        elif router.export_only:
            export = "deny-all"
        elif name in router.customers or name in topology.COLLECTORS:
            export = "next-hop-self"
        else:
            export = "own-or-customer"
        lines.append("  neighbor %s route-map %s out" % (peer.address, export))
    lines += [" exit-address-family", "exit", ""]
    return "\n".join(lines)
