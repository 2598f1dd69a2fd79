# aehits on a stream as users have it: unsigned 12-bit samples with their
# mid-scale (raw and .npy), --offset auto (or 2048) taking it off, gives
# the signed stream's hits exactly; without it, one warning; text blocks
# (one a line) give the same; -T on text names it as text.
set -eu
. "$SRC/tests/tools/common/expect.sh"
PY=/usr/bin/python3
"$BIN/ussim" --ae -F 625000 -n 1024 --duration 2.048 --burst-rate 20 \
	--amp 300:1800 --noise 20 >"$TMPDIR/s16"
"$BIN/aehits" -F 625000 -t 44 "$TMPDIR/s16" >"$TMPDIR/ref"
[ "$(grep -c '	amplitude	' "$TMPDIR/ref")" -ge 20 ]
$PY - "$TMPDIR" <<'PYEOF'
import sys
import numpy as np
d = sys.argv[1]
a = np.fromfile(d + "/s16", dtype="<i2")
a = a[: len(a) // 1024 * 1024].reshape(-1, 1024)
u = (a.astype("<i4") + 2048).astype("<u2")
u.tofile(d + "/u12")
np.save(d + "/u12.npy", u)
with open(d + "/s.txt", "w") as f:
    for r in a:
        f.write(" ".join(str(int(v)) for v in r) + "\n")
PYEOF
# 2.048 s at 625 kHz: 1250 whole blocks, the same samples in every form
"$BIN/aehits" -f le:u12/16 --offset auto -F 625000 -t 44 "$TMPDIR/u12" \
	>"$TMPDIR/o" 2>"$TMPDIR/e"
grep -q "u12: offset 2048 taken off every sample" "$TMPDIR/e"
cmp "$TMPDIR/ref" "$TMPDIR/o"
"$BIN/aehits" --offset 2048 -F 625000 -t 44 "$TMPDIR/u12.npy" \
	>"$TMPDIR/o" 2>"$TMPDIR/e"
grep -q "u12.npy: NumPy .npy, dtype '<u2' (unsigned)" "$TMPDIR/e"
cmp "$TMPDIR/ref" "$TMPDIR/o"
"$BIN/aehits" -F 625000 -t 44 "$TMPDIR/s.txt" >"$TMPDIR/o" 2>"$TMPDIR/e"
grep -q "s.txt: text, 1024 numbers a line" "$TMPDIR/e"
cmp "$TMPDIR/ref" "$TMPDIR/o"
# no offset: every sample is a hit above threshold; say why
"$BIN/aehits" -f le:u12/16 -F 625000 -t 44 "$TMPDIR/u12" >/dev/null 2>"$TMPDIR/e" || true
grep -q "u12: the first block's mean (20[0-9.]*) is far from zero .*try --offset auto" "$TMPDIR/e"
expect 1 "s.txt: text, not raw samples: -T is for what iio_readdev writes" \
	"$BIN/aehits" -T -F 625000 "$TMPDIR/s.txt"
