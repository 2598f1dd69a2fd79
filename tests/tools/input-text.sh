# Text and .npy inputs, detected and said: fbgtrack on one spectrum a line
# (blanks, commas, semicolons) and on a NumPy array gives what it gives on
# the same spectra as raw le:f64; a bad token is named with its line and
# column; a text file is never read as raw samples, and -T on text is an
# error naming it as text.
set -eu
. "$SRC/tests/tools/common/expect.sh"
PY=/usr/bin/python3
"$BIN/fbgsim" -N 8 -g 1530 -g 1560 --ramp 0.3 -f le:f64 >"$TMPDIR/s.f64"
"$BIN/fbgtrack" -f le:f64 -g a:1530 -g b:1560 "$TMPDIR/s.f64" >"$TMPDIR/raw"
$PY - "$TMPDIR" <<'PYEOF'
import sys
import numpy as np
d = sys.argv[1]
s = np.fromfile(d + "/s.f64", dtype="<f8").reshape(-1, 512)
with open(d + "/s.txt", "w") as f:
    f.write("# fbgsim spectra, one a line\n")
    for k, row in enumerate(s):
        sep = [" ", ",", ";", "\t"][k % 4]
        f.write(sep.join(repr(float(v)) for v in row) + "\n")
        if k == 3:
            f.write("\n")
np.save(d + "/s.npy", s.astype("<f8"))
np.save(d + "/s32.npy", s.astype(">f4"))
PYEOF
for f in s.txt s.npy; do
	"$BIN/fbgtrack" -g a:1530 -g b:1560 "$TMPDIR/$f" >"$TMPDIR/o" 2>"$TMPDIR/e"
	cat "$TMPDIR/e"
	cmp "$TMPDIR/raw" "$TMPDIR/o"
done
grep -q "s.npy: NumPy .npy, dtype '<f8' (float), 8 x 512" "$TMPDIR/e"
"$BIN/fbgtrack" -g a:1530 -g b:1560 <"$TMPDIR/s.txt" >"$TMPDIR/o" 2>"$TMPDIR/e"
grep -q "stdin: text, 512 numbers a line" "$TMPDIR/e"
cmp "$TMPDIR/raw" "$TMPDIR/o"
# big-endian f4: the same to float rounding
"$BIN/fbgtrack" -g a:1530 -g b:1560 "$TMPDIR/s32.npy" >"$TMPDIR/o" 2>/dev/null
[ "$(grep -c '	ok	' "$TMPDIR/o")" -eq 16 ]

# a bad token on line 4 (spectrum 2), a short line: named, skipped, exit 3
awk 'NR == 4 { sub(/^[^ ,;\t]+/, "12x4") } NR == 7 { sub(/[ ,;\t][^ ,;\t]+$/, "") } { print }' \
	"$TMPDIR/s.txt" >"$TMPDIR/bad.txt"
expect 3 "bad.txt: line 4, column 1: not a number: skipped" \
	"$BIN/fbgtrack" -g a:1530 -g b:1560 "$TMPDIR/bad.txt"
grep -q "bad.txt: line 7: 511 numbers, expected 512: skipped" "$TMPDIR/e"
grep -q "bad.txt: 2 bad lines or records skipped" "$TMPDIR/e"
[ "$(grep -c '	ok	' "$TMPDIR/o")" -eq 12 ]
# -n given and the lines disagree: every line says so
expect 3 "line 2: more than 256 numbers (the first record had 256): skipped" \
	"$BIN/fbgtrack" -n 256 -w 1510,0.334 -g a:1530 "$TMPDIR/s.txt"
# text is text: never raw samples, and raw-only options name it
expect 1 "s.txt: text, not raw scans: --index and -T are for what iio_readdev writes" \
	"$BIN/fbgtrack" -T -g a:1530 "$TMPDIR/s.txt"
# a text file whose first line is a header but no export: named, with
# the line it stopped at
printf 'pixel values follow\n1 2 3\n' >"$TMPDIR/hdr.txt"
expect 1 "hdr.txt: read as wavelength/power export: line 2: spectrum of fewer than 16 rows: dropped" \
	"$BIN/fbgtrack" -g a:1530 "$TMPDIR/hdr.txt"
