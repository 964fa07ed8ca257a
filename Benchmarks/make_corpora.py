#!/usr/bin/env python3
"""Builds the benchmark corpora from the real files in ../shared/data/real/mrt.

updates.mrt: RIPE RIS rrc21 updates 2016-08-11 16:00 (bgpdump__updates.20160811.1600.gz)
             decompressed and concatenated 60 times (about 146 MB).
rib.mrt:     the first MiB of RouteViews' rib.20140523.0600 (pyasn__rib.20140523.0600_firstMB.bz2)
             decompressed, cut after its last whole record, concatenated 10 times (about 150 MB).
Records are walked with a plain MRT header walker here, independent of Vigil.
"""
import bz2
import gzip
import os
import struct
import sys

data_dir, out_dir = sys.argv[1], sys.argv[2]
os.makedirs(out_dir, exist_ok=True)


def whole_records(raw):
    """Length of the prefix of raw that holds only whole MRT records."""
    offset = 0
    while offset + 12 <= len(raw):
        _, mrt_type, _, length = struct.unpack(">IHHI", raw[offset:offset + 12])
        end = offset + 12 + length
        if end > len(raw):
            break
        offset = end
    return offset


updates = gzip.open(os.path.join(data_dir, "bgpdump__updates.20160811.1600.gz")).read()
with open(os.path.join(out_dir, "updates.mrt"), "wb") as f:
    for _ in range(60):
        f.write(updates)

decompressor = bz2.BZ2Decompressor()
rib = decompressor.decompress(open(os.path.join(data_dir, "pyasn__rib.20140523.0600_firstMB.bz2"), "rb").read())
rib = rib[:whole_records(rib)]
with open(os.path.join(out_dir, "rib.mrt"), "wb") as f:
    for _ in range(10):
        f.write(rib)
print("updates.mrt %d bytes, rib.mrt %d bytes" % (60 * len(updates), 10 * len(rib)))
