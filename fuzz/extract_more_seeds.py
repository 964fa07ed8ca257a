#!/usr/bin/env python3
"""Seeds for the BMP, RIS Live, query and targets-file fuzzers from the real data and the docs: BMP
streams from the pmacct captures (TCP payloads through tshark, a piece-size byte in front), RIS Live
frames one per line, query strings written by hand, and the example targets file. Independent of Vigil."""
import os
import struct
import sys

data_dir, out = sys.argv[1:3]
for name in ("bmp", "rislive", "query", "targets"):
    os.makedirs(os.path.join(out, "seeds-" + name), exist_ok=True)


def write(kind, name, data):
    with open(os.path.join(out, "seeds-" + kind, name), "wb") as f:
        f.write(data)


# BMP: each capture's TCP payloads per flow, in capture order (a plain pcap reader: Ethernet or Linux
# cooked capture, IPv4 or IPv6, TCP), cut into seeds of at most 16 KiB with a piece-size byte in front.
def flows(path):
    raw = open(path, "rb").read()
    if len(raw) < 24 or raw[:4] not in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1"):
        return {}
    little = raw[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")
    e = "<" if little else ">"
    linktype = struct.unpack(e + "I", raw[20:24])[0]
    out, at = {}, 24
    while at + 16 <= len(raw):
        incl = struct.unpack(e + "I", raw[at + 8:at + 12])[0]
        frame = raw[at + 16:at + 16 + incl]
        at += 16 + incl
        if linktype == 1 and len(frame) >= 14:
            ethertype, ip = struct.unpack(">H", frame[12:14])[0], frame[14:]
            while ethertype == 0x8100 and len(ip) >= 4:
                ethertype, ip = struct.unpack(">H", ip[2:4])[0], ip[4:]
        elif linktype == 113 and len(frame) >= 16:
            ethertype, ip = struct.unpack(">H", frame[14:16])[0], frame[16:]
        else:
            continue
        if ethertype == 0x0800 and len(ip) >= 20 and ip[9] == 6:
            tcp, key = ip[(ip[0] & 15) * 4:], (ip[12:16], ip[16:20])
        elif ethertype == 0x86DD and len(ip) >= 40 and ip[6] == 6:
            tcp, key = ip[40:], (ip[8:24], ip[24:40])
        else:
            continue
        if len(tcp) < 20:
            continue
        payload = tcp[(tcp[12] >> 4) * 4:]
        if payload:
            flow = key + (tcp[0:2], tcp[2:4])
            out[flow] = out.get(flow, b"") + payload
    return out


for pcap in sorted(p for p in os.listdir(os.path.join(data_dir, "pcap")) if "BMP" in p and p.endswith(".pcap")):
    for f, stream in enumerate(flows(os.path.join(data_dir, "pcap", pcap)).values()):
        if not stream or stream[0] != 3:
            continue  # not a BMP v3 stream (the other side of the session)
        for i in range(0, min(len(stream), 32 * 4000), 4000):
            write("bmp", "%s-%d-%d" % (pcap, f, i), bytes([(i // 4000) * 37 % 256]) + stream[i:i + 4000])

# RIS Live: every frame of the recordings.
n = 0
for name in sorted(os.listdir(os.path.join(data_dir, "ris-live"))):
    for line in open(os.path.join(data_dir, "ris-live", name), "rb"):
        if line.strip() and n < 500:
            write("rislive", "frame-%d" % n, line.strip())
            n += 1

# Queries, as the API documents them.
for i, q in enumerate([
    "since=2025-06-06T17:30:03Z&until=2025-06-07T02:30:00.123456789Z&cause=origin-side&state=open&limit=10",
    "target=north-korea&from=1749231003&to=1749317403.5&bin=300",
    "target=north-korea&from=&to=&bin=",
    "since=2025-01-01T00:00:00.9999999999999999999Z",
    "target=north-korea&to=1e19",
    "253402300799.999999999",
    "9999-12-31T23:59:59Z",
]):
    write("query", "q-%d" % i, q.encode())

# Targets files: the shipped example.
example = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "targets.toml")
write("targets", "example", open(example, "rb").read())
write("targets", "probes", b'[target.x]\nprefixes = ["192.0.2.0/24"]\nupstreams = [64500]\nprobes = ["a:53", "gopher://b"]\n')
print("seeds: %s" % ", ".join("%d %s" % (len(os.listdir(os.path.join(out, "seeds-" + k))), k)
                            for k in ("bmp", "rislive", "query", "targets")))
