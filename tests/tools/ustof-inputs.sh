# ustof on data as users have it: unsigned samples with their mid-scale
# offset (raw le:u12/16 and .npy <u2) with --offset auto give exactly the
# signed result, and without it a warning names the offset; floats with an
# offset (.npy <f4, as a published data set stores 9-bit values) with
# --offset auto (each record's mean) agree to a fraction of the stated
# uncertainty; text A-scans and a text pulse (an even byte count: never
# read as raw) give the raw result; --pulse-from cuts the pulse from shot 0
# and the shift follows the drift.
set -eu
. "$SRC/tests/tools/common/expect.sh"
PY=/usr/bin/python3
G="-g e0:5:15 -g e1:22:32 --polarity any"
"$BIN/ussim" -N 12 -e 10.013:1500 -e 27.3:-700 --noise 10 --drift 0.7 \
	--pulse-out "$TMPDIR/p16" >"$TMPDIR/a16"
"$BIN/ustof" -p "$TMPDIR/p16" $G "$TMPDIR/a16" >"$TMPDIR/ref"
# 12 shots x 2 gates x 5 quantities, all ok but coupling's first 9 shots
# a gate (lost:noref: its reference is the mean of the first 10)
[ "$(grep -c '	ok	' "$TMPDIR/ref")" -eq 102 ]
[ "$(grep -c '	lost:noref	' "$TMPDIR/ref")" -eq 18 ]
$PY - "$TMPDIR" <<'PYEOF'
import sys
import numpy as np
d = sys.argv[1]
a = np.fromfile(d + "/a16", dtype="<i2").reshape(-1, 1024)
p = np.fromfile(d + "/p16", dtype="<i2")
(a.astype("<i4") + 2048).astype("<u2").tofile(d + "/u12")
np.save(d + "/u12.npy", (a.astype("<i4") + 2048).astype("<u2"))
np.save(d + "/f32.npy", (a.astype("<f4") + 300.0))
np.save(d + "/pulse.npy", p.astype("<f8"))
with open(d + "/a.txt", "w") as f:
    f.write("# A-scans, one a line\n")
    for r in a:
        f.write(",".join(str(int(v)) for v in r) + "\n")
with open(d + "/p.txt", "w") as f:
    for v in p:
        f.write("%d\n" % v)
PYEOF
# unsigned raw, mid-scale of 12 bits taken off: byte-identical records (the
# pulse as text: a raw pulse would be in the records' unsigned format)
"$BIN/ustof" -f le:u12/16 --offset auto -p "$TMPDIR/p.txt" $G "$TMPDIR/u12" \
	>"$TMPDIR/o" 2>"$TMPDIR/e"
grep -q "u12: offset 2048 taken off every sample (--offset auto: mid-scale of 12-bit unsigned samples)" "$TMPDIR/e"
cmp "$TMPDIR/ref" "$TMPDIR/o"
"$BIN/ustof" -f le:u12/16 --offset 2048 -p "$TMPDIR/p.txt" $G "$TMPDIR/u12" >"$TMPDIR/o" 2>/dev/null
cmp "$TMPDIR/ref" "$TMPDIR/o"
# ... the same from .npy <u2: the 16-bit mid-scale is not this data's, so
# auto is not for it; --offset 2048 is
"$BIN/ustof" --offset 2048 -p "$TMPDIR/p.txt" $G "$TMPDIR/u12.npy" >"$TMPDIR/o" 2>"$TMPDIR/e"
grep -q "u12.npy: NumPy .npy, dtype '<u2' (unsigned), 12 x 1024" "$TMPDIR/e"
cmp "$TMPDIR/ref" "$TMPDIR/o"
# no --offset: a warning that says what to do
"$BIN/ustof" -f le:u12/16 -p "$TMPDIR/p.txt" $G "$TMPDIR/u12" >/dev/null 2>"$TMPDIR/e" || true
grep -q "u12: the first record's mean (20[0-9.]*) is far from zero against its swing (.*): unsigned samples with an offset? try --offset auto" "$TMPDIR/e"
# floats 300 up, --offset auto takes each record's mean; a .npy pulse
"$BIN/ustof" --offset auto -p "$TMPDIR/pulse.npy" $G "$TMPDIR/f32.npy" \
	>"$TMPDIR/o" 2>"$TMPDIR/e"
grep -q "each record's mean taken off its samples" "$TMPDIR/e"
grep -q "pulse.npy: pulse: NumPy .npy, dtype '<f8' (float), 1 x" "$TMPDIR/e"
paste "$TMPDIR/ref" "$TMPDIR/o" | awk -F'\t' '
NR == 1 { next }
$3 == "tof" || $3 == "shift" {
	if ($6 != "ok" || $13 != "ok") { print "status " $6 " " $13; bad = 1 }
	d = $4 - $11; if (d < 0) d = -d
	if (d > 0.3 * $7) { print "line " NR ": " $4 " vs " $11; bad = 1 }
	n++
}
END { if (n != 48) { print n " records"; bad = 1 }; exit bad }'
# text records and a text pulse (one number a line): the raw result
"$BIN/ustof" -p "$TMPDIR/p.txt" $G "$TMPDIR/a.txt" >"$TMPDIR/o" 2>"$TMPDIR/e"
cat "$TMPDIR/e"
grep -q "a.txt: text, 1024 numbers a line" "$TMPDIR/e"
grep -q "p.txt: pulse: text, [0-9]* numbers in [0-9]* lines" "$TMPDIR/e"
cmp "$TMPDIR/ref" "$TMPDIR/o"
[ $(( $(wc -c <"$TMPDIR/p.txt") % 2 )) -eq 0 ] || printf '0\n' >>"$TMPDIR/p.txt"
"$BIN/ustof" -p "$TMPDIR/p.txt" $G "$TMPDIR/a16" 2>/dev/null | cmp - "$TMPDIR/ref"
# -H is for raw data: text named as such
expect 1 "a.txt: text, not raw samples: -H is for what iio_readdev writes" \
	"$BIN/ustof" -H -p "$TMPDIR/p16" $G "$TMPDIR/a.txt"

# --pulse-from: the first echo of shot 0 (samples 200..), as the pulse: its
# tof is then 10000 ns at shot 0 (the cut's start), and the shift follows
# the 0.7 ns a shot drift
"$BIN/ustof" --pulse-from=0:10:15 -g e0:8:12 -q tof,shift "$TMPDIR/a16" \
	>"$TMPDIR/o" 2>"$TMPDIR/e"
grep -q "a16: pulse: samples 200..300 (10..15 us) of record 0" "$TMPDIR/e"
awk -F'\t' '
NR == 1 { next }
$6 != "ok" { print "status " $6; bad = 1 }
$3 == "tof" && $1 == 0 && ($4 < 9999.9 || $4 > 10000.1) { print "tof " $4; bad = 1 }
$3 == "shift" {
	want = 0.7 * $1 / 1e9; e = $4 - want
	if (e > 4 * $7 + 0.05 || -e > 4 * $7 + 0.05) { print "shift " $4 " want " want " u " $7; bad = 1 }
	n++
}
END { if (n != 12) { print n " shifts"; bad = 1 }; exit bad }' "$TMPDIR/o"
expect 1 "pulse-from: the input has 12 records, no record 20" \
	"$BIN/ustof" --pulse-from=20:10:15 -g e0:8:12 "$TMPDIR/a16"
expect 2 "--pulse and --pulse-from: one reference pulse only" \
	"$BIN/ustof" -p "$TMPDIR/p16" --pulse-from=0:10:15 -g e0:8:12 "$TMPDIR/a16"

# --times: each record's time from a file (seconds, irregular), and a
# file with fewer times than records: the rest skipped, said, exit 3
awk 'BEGIN { for (i = 0; i < 12; i++) printf "%.6f\n", 1700000000 + i * i * 0.25 }' >"$TMPDIR/t.txt"
"$BIN/ustof" --times "$TMPDIR/t.txt" -p "$TMPDIR/p16" $G -q tof "$TMPDIR/a16" \
	>"$TMPDIR/o" 2>"$TMPDIR/e"
grep -q "t.txt: times: text, 12 numbers in 12 lines" "$TMPDIR/e"
[ "$(cut -f1 "$TMPDIR/o" | sed -n '2p;24p' | tr '\n' ' ')" = "1700000000000000000 1700000030250000000 " ]
cut -f2- "$TMPDIR/o" >"$TMPDIR/v1"
grep -v '	shift	\|	amplitude	\|	energy	\|	coupling	' "$TMPDIR/ref" | cut -f2- >"$TMPDIR/v2"
cmp "$TMPDIR/v1" "$TMPDIR/v2"
head -n 10 "$TMPDIR/t.txt" >"$TMPDIR/t10.txt"
expect 3 "t10.txt: times: 10 times, but there are more records: the rest skipped" \
	"$BIN/ustof" --times "$TMPDIR/t10.txt" -p "$TMPDIR/p16" $G -q tof "$TMPDIR/a16"
[ "$(grep -c '	tof	' "$TMPDIR/o")" -eq 20 ]
expect 2 "--times and -T" "$BIN/ustof" -T --times "$TMPDIR/t.txt" -p "$TMPDIR/p16" $G "$TMPDIR/a16"

# layouts that do not fit, named at the start: -H on records without shot
# headers (what would be one is samples: no driver's header), stopped at
# once (exit 3, no records), a wrong -n
expect 3 "a16: record 0 (byte offset 0): the 256 bytes after its samples are not a shot header (.*; it would be at byte offset 2048)" \
	"$BIN/ustof" -H -p "$TMPDIR/p16" $G "$TMPDIR/a16"
[ ! -s "$TMPDIR/o" ]
expect 3 "a16: 24576 bytes is not a whole number of 2000-byte records (-n 1000, -f le:s16): is the sample count right?" \
	"$BIN/ustof" -n 1000 -p "$TMPDIR/p16" $G "$TMPDIR/a16"
expect 3 "a16: block 0 (byte offset 0): the 256 bytes after its samples are not a shot header (.*; it would be at byte offset 2048)" \
	"$BIN/aehits" -H "$TMPDIR/a16"
[ ! -s "$TMPDIR/o" ]
# a real header with its flags (saturated) and overruns set is one
"$BIN/ussim" -N 3 -H >"$TMPDIR/ah"
$PY - "$TMPDIR/ah" <<'PYEOF'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[2048 + 16] = 1        # flags: saturated
b[2048 + 24] = 5        # overruns
open(sys.argv[1], "wb").write(b)
PYEOF
"$BIN/ustof" -H -p "$TMPDIR/p16" $G -q tof "$TMPDIR/ah" >"$TMPDIR/o"
[ "$(grep -c '	tof	' "$TMPDIR/o")" -eq 6 ]
