# ustof against ussim's truth: two echoes (one inverted) drifting 0.7 ns a
# shot, 4 samples per carrier cycle. Every tof within 4 of its own stated
# uncertainty of the truth, RMS error below 1.3x the mean uncertainty (the
# bound at that SNR), shift following the drift, and the driver's layout
# (shot header + timestamp) giving the same values with the timestamps.
set -eu
"$BIN/ussim" -N 40 -e 10.013:6000 -e 27.3:-2500 --drift 0.7 --noise 30 \
	--pulse-out "$TMPDIR/pulse" --truth "$TMPDIR/truth" >"$TMPDIR/a"
"$BIN/ustof" -p "$TMPDIR/pulse" -g e0:5:15 -g e1:22:32 --polarity any \
	-q tof,shift "$TMPDIR/a" >"$TMPDIR/out"
awk -F'\t' '
FNR == 1 { next }
FILENAME == ARGV[1] { truth[$1 " " $2] = $4; next }
$3 == "tof" {
	src = $2; sub("us0/", "us0/", src)
	t = truth[$1 " " src]
	if (t == "") { print "no truth for " $1 " " src; bad = 1; exit 1 }
	if ($6 != "ok") { print "status " $6 " at " $1 " " src; bad = 1 }
	e = $4 - t; n[src]++; s2[src] += e * e; u[src] += $7
	if (e > 4 * $7 || e < -4 * $7) { print "error " e " ns > 4 x " $7 " at " $1 " " src; bad = 1 }
}
$3 == "shift" && $2 == "us0/e0" {
	want = 0.7 * ($1 / 1e9)
	if ($4 - want > 0.5 || want - $4 > 0.5) { print "shift " $4 " wanted " want; bad = 1 }
}
END {
	for (k in n) {
		rms = sqrt(s2[k] / n[k]); mu = u[k] / n[k]
		printf "%s: %d shots, rms %.4f ns, mean stated uncertainty %.4f ns\n", k, n[k], rms, mu
		if (rms > 1.3 * mu || n[k] != 40) bad = 1
	}
	exit bad
}' "$TMPDIR/truth" "$TMPDIR/out"

# the driver's layout: blocks, shot header, timestamp element
"$BIN/ussim" -N 40 -e 10.013:6000 -e 27.3:-2500 --drift 0.7 --noise 30 \
	-H -T -r 100 >"$TMPDIR/b"
[ "$(wc -c <"$TMPDIR/b")" -eq $((40 * (2048 + 256 + 256))) ]
"$BIN/ustof" -H -T -p "$TMPDIR/pulse" -g e0:5:15 -g e1:22:32 --polarity any \
	-q tof,shift "$TMPDIR/b" >"$TMPDIR/out2"
cut -f2- "$TMPDIR/out" >"$TMPDIR/v1"
cut -f2- "$TMPDIR/out2" >"$TMPDIR/v2"
cmp "$TMPDIR/v1" "$TMPDIR/v2"
# timestamps from the stream: shot 39 at 390 ms
grep -q '^390000000	us0/e1	tof' "$TMPDIR/out2"
