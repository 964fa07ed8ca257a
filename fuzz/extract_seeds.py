#!/usr/bin/env python3
"""Seeds for the fuzzers from the real MRT files: slices of whole records (for fuzz-mrt) and the
BGP messages inside BGP4MP records (for fuzz-update). A plain header walker, independent of Vigil."""
import bz2
import gzip
import os
import struct
import sys

data_dir, mrt_out, update_out = sys.argv[1:4]
os.makedirs(mrt_out, exist_ok=True)
os.makedirs(update_out, exist_ok=True)


def load(path):
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except Exception:
            d = gzip.GzipFile(fileobj=__import__("io").BytesIO(raw))
            out = b""
            try:
                while True:
                    chunk = d.read(65536)
                    if not chunk:
                        break
                    out += chunk
            except Exception:
                pass
            return out
    if raw[:3] == b"BZh":
        return bz2.BZ2Decompressor().decompress(raw)
    return raw


messages = 0
for name in sorted(os.listdir(data_dir)):
    data = load(os.path.join(data_dir, name))
    offset, records, start = 0, 0, 0
    piece = 0
    while offset + 12 <= len(data) and piece < 8:
        ts, t, st, length = struct.unpack(">IHHI", data[offset:offset + 12])
        header = 16 if t == 17 else 12
        end = offset + 12 + length
        if end > len(data) or length > 1 << 20:
            break
        body = data[offset + header:end]
        if t in (16, 17) and st in (1, 4, 6, 7, 8, 9, 10, 11) and messages < 3000 and len(body) > 40:
            asn = 4 if st in (4, 7, 9, 11) else 2
            afi = struct.unpack(">H", body[2 * asn + 2:2 * asn + 4])[0] if len(body) > 2 * asn + 4 else 0
            at = 2 * asn + 4 + (8 if afi == 1 else 32)
            if at < len(body):
                with open(os.path.join(update_out, "%s-%d" % (name, records)), "wb") as f:
                    f.write(body[at:])
                messages += 1
        records += 1
        offset = end
        if offset - start > 16384 or records % 50 == 0:
            with open(os.path.join(mrt_out, "%s-%d" % (name, piece)), "wb") as f:
                f.write(data[start:offset])
            piece += 1
            start = offset
    # The compressed file itself, when small, exercises the decompressors.
    raw = open(os.path.join(data_dir, name), "rb").read()
    if len(raw) <= 65536:
        with open(os.path.join(mrt_out, name + ".whole"), "wb") as f:
            f.write(raw)
print("seeds: %d MRT slices, %d BGP messages" % (len(os.listdir(mrt_out)), len(os.listdir(update_out))))
