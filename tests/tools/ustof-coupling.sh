# ustof's coupling (sensor health): an echo fading 0.1 dB a shot, as a
# transducer debonding. The coupling of each shot, in dB against the mean
# amplitude of the first 10 ok shots, follows the truth: error over stated
# uncertainty RMS between 0.7 and 1.4, none beyond 4; the first 9 shots
# have no reference yet (lost:noref).
set -eu
"$BIN/ussim" -N 200 --fade -0.1 --noise 20 --pulse-out "$TMPDIR/p" >"$TMPDIR/a"
"$BIN/ustof" -p "$TMPDIR/p" -g e:5:15 -q coupling "$TMPDIR/a" >"$TMPDIR/out"
awk -F'\t' '
BEGIN { for (k = 0; k < 10; k++) m += 10 ^ (-0.1 * k / 20); m /= 10 }
FNR == 1 { next }
{
	s = $1 / 1e9
	if (s < 9) { if ($6 != "lost:noref" || $4 != "nan") { print "early: " $0; bad = 1 }; next }
	if ($6 != "ok") { print "status: " $0; bad = 1; next }
	want = 20 * log(10 ^ (-0.1 * s / 20) / m) / log(10)
	z = ($4 - want) / $7
	if (z > 4 || z < -4) { print "coupling " $4 " want " want " u " $7; bad = 1 }
	n++; z2 += z * z
}
END {
	printf "%d shots, rms(error/uncertainty) %.3f\n", n, sqrt(z2 / n)
	exit bad || n != 191 || sqrt(z2 / n) < 0.7 || sqrt(z2 / n) > 1.4
}' "$TMPDIR/out"
