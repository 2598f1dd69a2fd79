# ustof on echoes that are not the reference pulse: a narrower band (the
# cell's), and a broader one, at 4 samples a carrier cycle. Against ussim's
# truth, the ok values' error over their stated uncertainty has an RMS
# between 0.7 and 1.4, none is a period (200 ns) off, anything else is
# ambiguous with an uncertainty of at least a period; an empty gate is
# lost with its reason.
set -eu
"$BIN/ussim" -N 300 -e 10.013:300:0.25 -e 27.3:300:1.0 --noise 20 \
	--drift 0.37 --pulse-out "$TMPDIR/pulse" --truth "$TMPDIR/truth" \
	>"$TMPDIR/a"
"$BIN/ustof" -p "$TMPDIR/pulse" -g e0:5:15 -g e1:22:32 -g none:38:48 \
	-q tof "$TMPDIR/a" >"$TMPDIR/out" 2>"$TMPDIR/err"
awk -F'\t' '
FNR == 1 { next }
FILENAME == ARGV[1] { truth[$1 " " $2] = $4; next }
$2 == "us0/none" {
	if ($6 !~ /^lost:(weak|edge)$/ || $4 != "nan") { print "empty gate: " $0; bad = 1 }
	next
}
{
	t = truth[$1 " " $2]
	if (t == "") { print "no truth for " $1 " " $2; bad = 1; exit 1 }
	e = $4 - t
	if ($6 == "ambiguous") {
		amb[$2]++
		if ($7 < 200) { print "ambiguous with uncertainty " $7; bad = 1 }
		next
	}
	if ($6 != "ok") { print "status " $6 " at " $1 " " $2; bad = 1; next }
	if (e > 100 || e < -100) { print "ok a period off: " e " ns at " $1 " " $2; bad = 1 }
	n[$2]++; z2[$2] += (e / $7) ^ 2
}
END {
	for (k in n) {
		z = sqrt(z2[k] / n[k])
		printf "%s: %d ok, %d ambiguous, rms(error/uncertainty) %.3f\n", k, n[k], amb[k], z
		if (z < 0.7 || z > 1.4 || n[k] < 250) bad = 1
	}
	exit bad
}' "$TMPDIR/truth" "$TMPDIR/out"
# the empty gate is counted as lost in the summary
grep -q ' 300 gates lost' "$TMPDIR/err"
