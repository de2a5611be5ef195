#!/usr/bin/env bash
# Regenerates the file-format fixtures in tests/data/io/ used by test_inflate.cpp, test_npy.cpp
# and test_npz.cpp. Needs gzip and python3 with numpy (Debian: gzip, python3-numpy). The
# fixtures are checked in, so the tests never need these tools; run this only to change them:
#   bash tests/data/io/make_io_fixtures.sh
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}

# A text with enough repetition for matches and enough variety for dynamic Huffman blocks.
$PY - <<'PY'
lines = []
for i in range(1, 201):
    lines.append("line %03d: the quick brown fox jumps over the lazy dog %d times; %s\n"
                 % (i, i * i % 97, "abcdefghij"[i % 10] * (i % 7)))
open("lorem.txt", "w").write("".join(lines))
PY

gzip -9 -n -c lorem.txt > lorem.txt.gz                      # plain member, no name/time
cp lorem.txt named_member.txt && touch -d @1000000000 named_member.txt
gzip -9 -f named_member.txt                                # FNAME set: "named_member.txt"
printf 'first member\n' | gzip -1 -n > two_members.gz      # two members concatenated
printf 'second member\n' | gzip -9 -n >> two_members.gz

$PY - <<'PY'
import zlib
data = open("lorem.txt", "rb").read()
open("lorem_level0.zlib", "wb").write(zlib.compress(data, 0))   # stored blocks
open("lorem_level9.zlib", "wb").write(zlib.compress(data, 9))   # dynamic Huffman
open("short_fixed.zlib", "wb").write(zlib.compress(b"hello, hello, hello!", 9))  # fixed Huffman
raw = zlib.compressobj(9, zlib.DEFLATED, -15)
open("lorem.deflate", "wb").write(raw.compress(data) + raw.flush())  # raw DEFLATE
PY

$PY - <<'PY'
import numpy as np
from numpy.lib import format as fmt
np.save("f4_2x3.npy", (np.arange(6, dtype="<f4") * 0.5 - 1).reshape(2, 3))
np.save("f8_1d.npy", np.array([0.1, -2.5, 1e-300, 3.0], dtype="<f8"))
np.save("i4_1d.npy", np.array([-7, 0, 2147483647], dtype="<i4"))
np.save("i8_2x2.npy", np.array([[-(2**40), 1], [2, 2**62]], dtype="<i8"))
np.save("u1_1d.npy", np.array([0, 1, 255], dtype="u1"))
np.save("b1_2x3.npy", np.array([[True, False, True], [False, False, True]]))
np.save("f8_nan.npy", np.array([1.0, np.nan, 3.0]))
np.save("f8_fortran.npy", np.asfortranarray(np.arange(6, dtype="<f8").reshape(2, 3)))
np.save("f8_bigendian.npy", np.arange(3, dtype=">f8"))
a = np.arange(4, dtype="<f8").reshape(2, 2)
for v in ((2, 0), (3, 0)):
    with open("f8_v%d.npy" % v[0], "wb") as f:
        fmt.write_array(f, a, version=v)
W = (np.arange(12, dtype="<f8").reshape(3, 4) - 5) / 4
mask = np.array([[1, 0, 1, 1], [0, 1, 0, 0], [1, 1, 1, 0]], dtype=bool)
idx = np.array([3, 1, 4, 1, 5], dtype="<i8")
np.savez("savez.npz", W=W, mask=mask, idx=idx)
np.savez_compressed("savez_compressed.npz", W=W, mask=mask, idx=idx)
PY
echo "fixtures written to $(pwd)"
