# Lithium plating from the relaxation after a charge (refmon's second
# indicator), on resim's plating model (--plating): a cold charge plates,
# the rest shows a plateau near 0 V and then a steepening. Against the
# truth: at 1 kS/s the plateau's end within 3 u of the truth's steepest
# rise; a warm charge's clean relaxation is none. At 10 S/s, over
# relaxation time constants, noise and reference offsets the model's
# plating case was not made for, a clean relaxation is never called
# plating and a plated one never none. An EC-Lab export at one reading
# every 30 s: plated (a plateau still going when the rest ends) and clean.
set -eu
"$BIN/resim" -T -N 360000 -t -10 --soc 0.7 -c 5 --step 60:0 --tau 60 \
	--plating --r-strip 0.1 --truth "$TMPDIR/truth.tsv" |
	"$BIN/refmon" -T >"$TMPDIR/out.tsv" 2>"$TMPDIR/err"
grep '	relaxation	' "$TMPDIR/out.tsv"
grep -q 'lithium plating indicated by the relaxation' "$TMPDIR/err"
[ "$(grep -c '	relaxation	.*	plating	' "$TMPDIR/out.tsv")" -eq 2 ]
# the truth's steepest rise of the anode after the charge, s into the rest
awk -F'\t' 'NR == FNR { if ($2 == "re0/anode" && $3 == "potential") {
		if (pt != "" && $1 > 60.1e9) { d = ($4 - pv) / ($1 - pt)
			if (d > best) { best = d; bt = $1 / 1e9 } }
		pt = $1; pv = $4 }; next }
	$2 == "re0/anode" && $3 == "relaxation" {
		rest = $1 / 1e9; e = (bt - rest - $4) / $7
		printf "plateau end %.1f s (truth %.1f), %.2f u\n", $4, bt - rest, e
		ok = e < 3 && e > -3 }
	END { exit !ok }' "$TMPDIR/truth.tsv" "$TMPDIR/out.tsv"
"$BIN/resim" -T -N 360000 -t 25 --soc 0.7 -c 5 --step 60:0 --tau 60 \
	--plating --r-strip 0.1 | "$BIN/refmon" -T >"$TMPDIR/clean.tsv"
grep '	relaxation	' "$TMPDIR/clean.tsv"
[ "$(grep -c '	relaxation	.*	none	' "$TMPDIR/clean.tsv")" -eq 2 ]

# 10 S/s, the cases the model was not made for
: >"$TMPDIR/verdicts"
for tau in 20 600; do for noise in 0.0002 0.002; do for ref in 0 0.02; do
	for temp in 25 -10; do
		"$BIN/resim" -r 10 -N 38000 -t $temp --soc 0.7 -c 5 \
			--step 60:0 --tau $tau --plating --noise $noise \
			--ref-potential $ref --seed $((${#tau} + ${#noise})) |
			"$BIN/refmon" -r 10 2>/dev/null |
			awk -F'\t' -v t=$temp '$3 == "relaxation" {
				print (t == 25 ? "clean" : "plated"), $2, $6 }' \
			>>"$TMPDIR/verdicts"
	done
done; done; done
sort "$TMPDIR/verdicts" | uniq -c
! grep -q '^clean .* plating$' "$TMPDIR/verdicts"
! grep -q '^plated .* none$' "$TMPDIR/verdicts"
# the anode, never unsure on these
[ "$(grep -c '^clean re0/anode none$' "$TMPDIR/verdicts")" -eq 8 ]
[ "$(grep -c '^plated re0/anode plating$' "$TMPDIR/verdicts")" -eq 8 ]

# an EC-Lab export, a reading every 30 s
"$BIN/resim" --eclab -r 0.0333333333 -N 400 --soc 0.6 -c 2 \
	--step 1500:5:-10 --step 1620:0 --tau 100 --plating --noise 0.0002 \
	>"$TMPDIR/plated.mpt"
"$BIN/refmon" "$TMPDIR/plated.mpt" >"$TMPDIR/eplated.tsv" 2>"$TMPDIR/err"
grep -q 'still going when the rest ended' "$TMPDIR/err"
grep -q '	re0/anode	relaxation	.*	plating	nan$' "$TMPDIR/eplated.tsv"
"$BIN/resim" --eclab -r 0.0333333333 -N 400 --soc 0.6 -c 2 \
	--step 1500:5 --step 1620:0 --tau 100 --plating --noise 0.0002 |
	"$BIN/refmon" >"$TMPDIR/eclean.tsv" 2>/dev/null
grep '	relaxation	' "$TMPDIR/eclean.tsv"
grep -q '	re0/anode	relaxation	.*	none	' "$TMPDIR/eclean.tsv"
! grep -q '	relaxation	.*	plating	' "$TMPDIR/eclean.tsv"
# off when asked
"$BIN/refmon" --relaxation=off "$TMPDIR/plated.mpt" 2>/dev/null |
	{ ! grep -q '	relaxation	'; }
