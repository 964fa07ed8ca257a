"""The lab's small Internet around the North Korean target, as data.

Every router is a real daemon on its own loopback address (127.0.0.N, port 179): FRR's bgpd for the
origin, the upstreams, the transits, the hijacker and the recording collector; GoBGP for the collector's
looking glass, whose `gobgp global rib` is the independent view the lab's checks compare the MRT with.
Real-world prefixes appear only as BGP data; next hops are rewritten to 198.18.0.N (RFC 2544 test range)
because both daemons reject loopback next hops. No packet is ever sent to any of them.
"""
from dataclasses import dataclass, field


@dataclass
class Router:
    name: str
    asn: int
    index: int  # address 127.0.0.<index>, next hop 198.18.0.<index>
    daemon: str = "frr"  # "frr" (bgpd) or "gobgp" (gobgpd)
    prefixes: list = field(default_factory=list)  # announced by this router itself
    population: list = field(default_factory=list)  # background prefixes it originates (full-feed bulk)
    neighbors: list = field(default_factory=list)  # router names
    export_only: dict = field(default_factory=dict)  # neighbor name -> prefixes it may receive (origin)
    # Neighbors that buy transit from this router. Routes learned from anyone else (peers, providers)
    # are exported to customers and collectors only: the valley-free rule real networks follow.
    customers: list = field(default_factory=list)

    @property
    def address(self):
        return "127.0.0.%d" % self.index

    @property
    def next_hop(self):
        return "198.18.0.%d" % self.index

    @property
    def api_port(self):
        """gRPC port of a GoBGP daemon."""
        return 50000 + self.index


TARGET_PREFIXES = ["175.45.176.0/24", "175.45.177.0/24", "175.45.178.0/24", "175.45.179.0/24"]
TARGET_SPACE = "175.45.176.0/22"
# Published in December 2025: .176 only via China, .177 only via Russia, .178 (and here .179) via both.
ONLY_UNICOM = ["175.45.176.0/24"]
ONLY_TTK = ["175.45.177.0/24"]
UNICOM_OWN = ["221.192.0.0/14", "60.0.0.0/13", "123.112.0.0/12"]
TTK_OWN = ["217.150.32.0/19", "188.43.0.0/16"]
UPSTREAM_OWN = UNICOM_OWN + TTK_OWN
TRANSITS = [("cogent", 174, 20, "38.0.0.0/8"), ("telia", 1299, 21, "62.115.0.0/16"),
            ("ntt", 2914, 22, "129.250.0.0/16"), ("level3", 3356, 23, "4.0.0.0/9"),
            ("he", 6939, 24, "216.218.128.0/17"), ("gtt", 3257, 25, "89.149.128.0/17")]
# Background /24s come from these first octets, one per transit; none overlaps a prefix above.
POPULATION_OCTETS = [11, 12, 13, 14, 15, 16]
COLLECTORS = ("collector", "looking-glass")


def population(index, count):
    """`count` distinct /24s for the transit with position `index` in TRANSITS."""
    octet = POPULATION_OCTETS[index]
    return ["%d.%d.%d.0/24" % (octet, j // 256, j % 256) for j in range(count)]


def build(population_size=6000):
    """The routers, keyed by name. `population_size` background prefixes are spread over the transits,
    so every peer of the collector carries at least that many routes (a full feed for a threshold below it)."""
    routers = {}

    def add(r):
        routers[r.name] = r

    add(Router("collector", 12654, 2))
    add(Router("looking-glass", 12654, 3, daemon="gobgp"))
    add(Router("origin", 131279, 10, prefixes=list(TARGET_PREFIXES), neighbors=["unicom", "ttk"],
               export_only={"unicom": ["175.45.176.0/24", "175.45.178.0/24", "175.45.179.0/24"],
                            "ttk": ["175.45.177.0/24", "175.45.178.0/24", "175.45.179.0/24"]}))
    add(Router("unicom", 4837, 11, prefixes=list(UNICOM_OWN), neighbors=["origin", "cogent", "ntt", "he"],
               customers=["origin"]))
    add(Router("ttk", 20485, 12, prefixes=list(TTK_OWN), neighbors=["origin", "telia", "level3", "gtt"],
               customers=["origin"]))
    names = [t[0] for t in TRANSITS]
    share = -(-population_size // len(TRANSITS)) if population_size > 0 else 0
    for position, (name, asn, index, prefix) in enumerate(TRANSITS):
        upstream_of = [r for r in ("unicom", "ttk") if name in routers[r].neighbors]
        mesh = [n for n in names if n != name]
        add(Router(name, asn, index, prefixes=[prefix], population=population(position, share),
                   neighbors=upstream_of + mesh + list(COLLECTORS), customers=list(upstream_of)))
    routers["collector"].neighbors = list(names)
    routers["looking-glass"].neighbors = list(names)
    # A router that can originate someone else's prefix (the hijack scenario); peers with one transit.
    add(Router("hijacker", 64666, 30, neighbors=["he"]))
    routers["he"].neighbors.append("hijacker")
    routers["he"].customers.append("hijacker")
    return routers
