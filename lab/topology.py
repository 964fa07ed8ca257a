"""The lab's small Internet around the North Korean target, as data.

Every router is a GoBGP daemon on its own loopback address (127.0.0.N, port 179) with its own gRPC
port. Real-world prefixes appear only as BGP data; next hops are set to 198.18.0.N (RFC 2544 test
range) because GoBGP rejects loopback next hops. No packet is ever sent to any of them.
"""
from dataclasses import dataclass, field


@dataclass
class Router:
    name: str
    asn: int
    index: int  # address 127.0.0.<index>, next hop 198.18.0.<index>, gRPC port 50000 + index
    prefixes: list = field(default_factory=list)  # announced by this router itself
    neighbors: list = field(default_factory=list)  # router names
    export_only: dict = field(default_factory=dict)  # neighbor name -> prefixes it may receive (origin)

    @property
    def address(self):
        return "127.0.0.%d" % self.index

    @property
    def next_hop(self):
        return "198.18.0.%d" % self.index

    @property
    def api_port(self):
        return 50000 + self.index


TARGET_PREFIXES = ["175.45.176.0/24", "175.45.177.0/24", "175.45.178.0/24", "175.45.179.0/24"]
# Published in December 2025: .176 only via China, .177 only via Russia, .178 (and here .179) via both.
ONLY_UNICOM = ["175.45.176.0/24"]
ONLY_TTK = ["175.45.177.0/24"]


def build():
    """The routers, keyed by name."""
    routers = {}

    def add(r):
        routers[r.name] = r

    add(Router("collector", 12654, 2))
    add(Router("origin", 131279, 10, prefixes=list(TARGET_PREFIXES), neighbors=["unicom", "ttk"],
               export_only={"unicom": ["175.45.176.0/24", "175.45.178.0/24", "175.45.179.0/24"],
                            "ttk": ["175.45.177.0/24", "175.45.178.0/24", "175.45.179.0/24"]}))
    add(Router("unicom", 4837, 11, prefixes=["221.192.0.0/14", "60.0.0.0/13", "123.112.0.0/12"],
               neighbors=["origin", "cogent", "ntt", "he"]))
    add(Router("ttk", 20485, 12, prefixes=["217.150.32.0/19", "188.43.0.0/16"],
               neighbors=["origin", "telia", "level3", "gtt"]))
    transits = [("cogent", 174, 20, "38.0.0.0/8"), ("telia", 1299, 21, "62.115.0.0/16"),
                ("ntt", 2914, 22, "129.250.0.0/16"), ("level3", 3356, 23, "4.0.0.0/9"),
                ("he", 6939, 24, "216.218.128.0/17"), ("gtt", 3257, 25, "89.149.128.0/17")]
    names = [t[0] for t in transits]
    for name, asn, index, prefix in transits:
        upstream_of = [r for r in ("unicom", "ttk") if name in routers[r].neighbors]
        mesh = [n for n in names if n != name]
        add(Router(name, asn, index, prefixes=[prefix], neighbors=upstream_of + mesh + ["collector"]))
    routers["collector"].neighbors = names
    # A router that can originate someone else's prefix (the hijack scenario); peers with one transit.
    add(Router("hijacker", 64666, 30, neighbors=["he"]))
    routers["he"].neighbors.append("hijacker")
    return routers
