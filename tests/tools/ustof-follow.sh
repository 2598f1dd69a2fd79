# ustof --follow: a back-wall echo drifting 1.5 ns a shot, 600 ns over 400
# shots, in a gate 600 ns wide, with another echo 2 us later. Without
# --follow the echo leaves the gate (lost); with it every shot is ok, its
# tof within 5 of its uncertainty of the truth (RMS 0.7-1.4), and the gate
# never jumps to the other echo.
set -eu
"$BIN/ussim" -N 400 -e 10:3000 -e 12:2000 --drift 1.5 --pulse-out "$TMPDIR/p" \
	--truth "$TMPDIR/truth" >"$TMPDIR/a"
"$BIN/ustof" -p "$TMPDIR/p" -g e0:9.7:10.3 -q tof "$TMPDIR/a" \
	>"$TMPDIR/still" 2>/dev/null
[ "$(grep -c '	lost:' "$TMPDIR/still")" -gt 100 ]
"$BIN/ustof" --follow -p "$TMPDIR/p" -g e0:9.7:10.3 -q tof "$TMPDIR/a" \
	>"$TMPDIR/out"
awk -F'\t' '
FNR == 1 { next }
FILENAME == ARGV[1] { if ($2 == "us0/e0") truth[$1] = $4; next }
{
	if ($6 != "ok") { print "status " $6 " at " $1; bad = 1; next }
	z = ($4 - truth[$1]) / $7
	if (z > 5 || z < -5) { print "tof " $4 " truth " truth[$1]; bad = 1 }
	n++; z2 += z * z
}
END {
	printf "%d ok, rms(error/uncertainty) %.3f\n", n, sqrt(z2 / n)
	exit bad || n != 400 || sqrt(z2 / n) < 0.7 || sqrt(z2 / n) > 1.4
}' "$TMPDIR/truth" "$TMPDIR/out"
