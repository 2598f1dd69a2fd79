# iR-drop correction. A cell at 0 degC (series resistances 3.41 times
# their 25 degC values: 0.0273 and 0.0341 ohm, which refmon is not told)
# stepped 0 -> 2.5 -> 0 -> -2.5 A: --ir=auto reports each step's
# resistances within 3 uncertainties of the truth, and the iR-free
# potentials (truth: the potentials with I R taken out) have an rms of
# error over uncertainty within 0.7-1.4, as with the resistances given.
# At one reading every 32 s (an EC-Lab export) the steps are found but
# the estimate spans a whole interval (up to 5 u off in trials): status
# low_rate, not ok.
set -eu
. "$SRC/tests/tools/common/expect.sh"
rc=$(awk 'BEGIN { printf "%.6f", 0.008 * exp(4000 * (1 / 273.15 - 1 / 298.15)) }')
ra=$(awk 'BEGIN { printf "%.6f", 0.010 * exp(4000 * (1 / 273.15 - 1 / 298.15)) }')

# check TAG TRUTH OUT MINSTEPS
check() {
	awk -F'\t' -v tag="$1" -v rc="$rc" -v ra="$ra" -v min="$4" '
		NR == FNR { if (FNR > 1) t[$1 FS $2] = $4; next }
		$3 == "resistance" { r = $2 == "re0/anode" ? ra : rc
			e = ($4 - r) / $7; if (e < 0) e = -e
			printf "%s %s %.5f +- %.2g ohm (true %.5f)\n", tag, $2, $4, $7, r
			steps++; if (e > 3) bad++ }
		$3 == "potential_ir_free" && $7 != "nan" {
			k = $1 FS $2; i = t[$1 FS "re0/current"]
			if (!(k in t)) { miss++; next }
			ts = $1 / 1e9; if (ts % 4 < 0.3 || ts % 4 > 3.7) next
			tr = $2 == "re0/anode" ? t[k] + i * ra : t[k] - i * rc
			e = ($4 - tr) / $7; s[$2] += e * e; n[$2]++ }
		END { for (c in s) { x = sqrt(s[c] / n[c])
			printf "%s %s iR-free: %d records, rms(error/u) %.3f\n", tag, c, n[c], x
			if (x < 0.7 || x > 1.4 || n[c] < 20) bad++ }
		      exit bad || miss || steps < 2 * min || !("re0/anode" in s) }' "$2" "$3"
}

"$BIN/resim" -N 16000 -T -t 0 --step 2:2.5 --step 6:0 --step 10:-2.5 \
	--truth "$TMPDIR/truth.tsv" >"$TMPDIR/raw"
"$BIN/refmon" -T --ir auto "$TMPDIR/raw" >"$TMPDIR/auto.tsv" 2>"$TMPDIR/err"
cat "$TMPDIR/err"
grep -q "iR from 3 current steps" "$TMPDIR/err"
check auto "$TMPDIR/truth.tsv" "$TMPDIR/auto.tsv" 3
"$BIN/refmon" -T --ir "$rc,$ra" "$TMPDIR/raw" >"$TMPDIR/given.tsv"
check given "$TMPDIR/truth.tsv" "$TMPDIR/given.tsv" 0

# a reading every 32 s, steps every 128 s
"$BIN/resim" --eclab -r 0.03125 -N 600 -t 0 --mains 0 --step 2000:2.5 \
	--step 6000:0 --step 10000:-2.5 --truth "$TMPDIR/lo-truth.tsv" >"$TMPDIR/lo.mpt"
"$BIN/refmon" --ir auto "$TMPDIR/lo.mpt" >"$TMPDIR/lo.tsv" 2>"$TMPDIR/err"
cat "$TMPDIR/err"
grep -q "iR from 3 current steps" "$TMPDIR/err"
awk -F'\t' '$3 == "resistance" || $3 == "potential_ir_free" { n++; if ($6 != "low_rate") bad++ }
	END { printf "32 s: %d iR records, %d not low_rate\n", n, bad; exit !(n > 500 && !bad) }' \
	"$TMPDIR/lo.tsv"

expect 2 "--ir-step is for --ir=auto" "$BIN/refmon" --ir-step 0.1
expect 2 "ir" "$BIN/refmon" --ir 0.01
