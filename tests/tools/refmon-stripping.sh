# The stripped charge (refmon's stripped_charge, mAh) against resim's
# plating model's truth (the lithium plated when the charge stopped).
# Calibrated as a lab would: --strip-current from four rests whose plated
# lithium is known (the mean of plated / plateau length, its standard
# error), then checked on other rests: other charges (other amounts),
# noise 0.2 and 1 mV, seeds, 10 readings a second and an EC-Lab export at
# one every 30 s. Each ok estimate's error over its uncertainty: rms
# within 0.7-1.4. A warm charge: nothing plated, 0 (ok). Without
# --strip-current: uncalibrated, within the bound (the charge passed
# below 50 mV), never ok.
set -eu
# $1 charge (s) $2 noise (V) $3 seed $4 output; the truth to $4.truth
rest() {
	"$BIN/resim" -r 10 -N $((($1 + 3660) * 10)) -t -10 --soc 0.7 -c 5 \
		--step "$1":0 --tau 60 --plating --noise "$2" --seed "$3" \
		--truth "$4.truth" | "$BIN/refmon" -r 10 -o 0.1 $STRIP \
		>"$4" 2>/dev/null
}
# the truth's plated lithium at its largest (the rest's start), mAh, and
# refmon's anode records: a line "plated relaxation stripped_charge"
pair() {
	awk -F'\t' 'NR == FNR { if ($3 == "plated_lithium" && $4 > q) q = $4
			next }
		$2 == "re0/anode" && $3 == "relaxation" { r = $4 " " $6 " " $7 }
		$2 == "re0/anode" && $3 == "stripped_charge" {
			s = $4 " " $6 " " $7 }
		END { print q + 0, r, s }' "$1.truth" "$1"
}

# calibrating: with a current of 1 A, stripped_charge is the plateau's
# length in mAh per A
STRIP=--strip-current=1,0
: >"$TMPDIR/cal"
# (lengths spread within a bin of the relaxation's 8 a decade: a series in
# the bins' own ratio, 1.33, would see one phase of them only)
for c in 45:1 52:2 62:3 75:4; do
	rest "${c%:*}" 0.0002 "${c#*:}" "$TMPDIR/c$c"
	pair "$TMPDIR/c$c" >>"$TMPDIR/cal"
done
cat "$TMPDIR/cal"
# plating ended in each: q / plateau length, A
STRIP=$(awk '$6 != "ok" { print "calibration rest not ended: " $0 >"/dev/stderr"; exit 1 }
	{ r = $1 / $5; s += r; ss += r * r; n++ }
	END { m = s / n; printf "--strip-current=%.6g,%.3g", m,
		sqrt((ss - n * m * m) / (n - 1) / n) }' "$TMPDIR/cal")
echo "calibrated: $STRIP"

: >"$TMPDIR/pairs"
for c in 40:0.0002:11 55:0.001:12 70:0.0002:13 90:0.001:14 110:0.0002:15 \
	130:0.001:16 50:0.0002:17 65:0.001:18 85:0.0002:19 120:0.0002:20 \
	58:0.001:21 95:0.0002:22; do
	set -- $(echo "$c" | tr : ' ')
	rest "$1" "$2" "$3" "$TMPDIR/t$1"
	pair "$TMPDIR/t$1" >>"$TMPDIR/pairs"
done
# an EC-Lab export, one reading every 30 s (the charge after 1500 s: the
# noise is known from 50 readings on)
for c in 50 80 110; do
	"$BIN/resim" --eclab -r 0.0333333333 -N 185 --soc 0.7 -c 0 -t -10 \
		--step 1500:5 --step $((1500 + c)):0 --tau 60 --plating \
		--noise 0.0002 --truth "$TMPDIR/e$c.truth" >"$TMPDIR/e$c.mpt"
	"$BIN/refmon" $STRIP "$TMPDIR/e$c.mpt" >"$TMPDIR/e$c" 2>/dev/null
	pair "$TMPDIR/e$c" >>"$TMPDIR/pairs"
done
cat "$TMPDIR/pairs"
awk '$6 == "ok" { e = ($5 - $1) / $7; ee += e * e; n++
		d = $5 / $1 - 1; rr += d * d
		if (e > 3 || e < -3) { print "off: " $0; bad++ } }
	$6 == "truncated" && $5 != "nan" && $5 > $1 * 1.05 {
		print "not a lower bound: " $0; bad++ }
	$6 != "ok" { other++ }
	END { rms = sqrt(ee / n)
		printf "%d ok: error/u rms %.2f, error rms %.1f %%; %d not ok\n",
			n, rms, 100 * sqrt(rr / n), other
		exit bad || n < 10 || rms < 0.7 || rms > 1.4 }' "$TMPDIR/pairs"

# warm: nothing plated, no plateau: 0, ok, give or take the bound (the
# anode came below 50 mV for a moment under the charge's iR)
"$BIN/resim" -r 10 -N 37000 -t 25 --soc 0.7 -c 5 --step 60:0 --tau 60 \
	--plating --noise 0.0002 --truth "$TMPDIR/w.truth" |
	"$BIN/refmon" -r 10 -o 0.1 $STRIP >"$TMPDIR/w" 2>/dev/null
pair "$TMPDIR/w" | tee "$TMPDIR/wp"
grep -q '^0 [0-9.]* none [a-z0-9.]* 0 ok [0-9.]*$' "$TMPDIR/wp"

# uncalibrated: the bound's middle, never ok, the truth within the bound
STRIP=
rest 70 0.0002 13 "$TMPDIR/u"
pair "$TMPDIR/u" | tee "$TMPDIR/up"
awk '{ b = 2 * $5; exit !($6 == "uncalibrated" && $1 > 0 && $1 <= b &&
	($7 - b / sqrt(12)) ^ 2 < (0.001 * b) ^ 2) }' "$TMPDIR/up"
# bad calibrations refused
for bad in 0,0.01 0.1 -0.1,0.01 0.1,x; do
	if "$BIN/refmon" --strip-current=$bad "$TMPDIR/e50.mpt" \
		>/dev/null 2>"$TMPDIR/err"; then
		echo "--strip-current=$bad taken"; exit 1
	fi
	grep -q 'strip-current' "$TMPDIR/err"
done
if "$BIN/refmon" --relaxation=off --strip-current=0.1,0.01 \
	"$TMPDIR/e50.mpt" >/dev/null 2>"$TMPDIR/err"; then
	echo "--strip-current taken with --relaxation=off"; exit 1
fi
grep -q 'relaxation=on' "$TMPDIR/err"
