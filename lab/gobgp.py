"""Configuration of GoBGP's gobgpd as the collector's looking glass: it peers with the same transits as the
recording collector, exports nothing, and answers `gobgp global rib` / `gobgp neighbor` for the checks."""


def config(router, routers):
    """gobgpd TOML for the looking glass `router`."""
    lines = [
        "[global.config]",
        "  as = %d" % router.asn,
        '  router-id = "%s"' % router.address,
        "  port = 179",
        '  local-address-list = ["%s"]' % router.address,
        "[global.apply-policy.config]",
        '  default-export-policy = "reject-route"',
        "",
    ]
    for name in router.neighbors:
        peer = routers[name]
        lines += [
            "[[neighbors]]",
            "  [neighbors.config]",
            '    neighbor-address = "%s"' % peer.address,
            "    peer-as = %d" % peer.asn,
            '    description = "%s"' % name,
            "  [neighbors.timers.config]",
            "    connect-retry = 1",
            "    hold-time = 9",
            "    keepalive-interval = 3",
            "  [neighbors.transport.config]",
            '    local-address = "%s"' % router.address,
        ]
    return "\n".join(lines) + "\n"
