# Truncated input: the whole spectra are processed, the partial one is
# reported with its file and byte offset, and the exit status is 3.
# A missing grating is reported as lost, with no value, and counted.
set -eu
"$BIN/fbgsim" -N 3 -g 1530 > "$TMPDIR/s.raw"
head -c 3000 "$TMPDIR/s.raw" > "$TMPDIR/cut.raw"	# 2 spectra + 952 bytes
set +e
"$BIN/fbgtrack" -g g0:1530 -g gone:1580 "$TMPDIR/cut.raw" >"$TMPDIR/o" 2>"$TMPDIR/e"
st=$?
set -e
cat "$TMPDIR/e"
[ "$st" -eq 3 ]
grep -q "cut.raw: input ends inside spectrum 2 at byte offset 2048 (952 of 1024 bytes)" "$TMPDIR/e"
grep -q "cut.raw: 3000 bytes is not a whole number of 1024-byte spectra (-n 512, -f le:u16): is the pixel count right?" "$TMPDIR/e"
grep -q "2 spectra; 2 lost" "$TMPDIR/e"
[ "$(grep -c '	fbg0/g0	wavelength	15[0-9.]*	nm	ok	' "$TMPDIR/o")" -eq 2 ]
[ "$(grep -c '	fbg0/gone	wavelength	nan	nm	lost	nan$' "$TMPDIR/o")" -eq 2 ]
# saturated pixels: flagged, not hidden
"$BIN/fbgsim" -N 2 -g 1530:1 --source 200000 |
	"$BIN/fbgtrack" -g g0:1530 > "$TMPDIR/sat" 2>/dev/null
[ "$(grep -c '	saturated	' "$TMPDIR/sat")" -eq 2 ]
