# Records whose mains filter spans a step of the current (5 A -> ... at
# 2 s, 121 taps at 1 kS/s: 60 ms either side) are a blend of before and
# after, off by up to half the iR jump: refmon writes them with status
# step, never ok. Against resim's truth, on three seeds: every ok anode
# record within 4 u (before this, 66 ok records were off by more), step
# records only within the filter's reach of the step (1.94-2.06 s), and
# a steady charge has no step record at all.
set -eu
for seed in 1 2 3; do
	"$BIN/resim" -N 4000 -T --step 2:5 -c 1 --seed $seed \
		--truth "$TMPDIR/truth.tsv" |
		"$BIN/refmon" -T -o 1000 >"$TMPDIR/out.tsv"
	awk -F'\t' 'NR == FNR { if ($2 == "re0/anode") tr[$1] = $4; next }
		$2 == "re0/anode" && $3 == "potential" && ($1 in tr) && $7 != "nan" {
			d = ($4 - tr[$1]) / $7; t = $1 / 1e9
			if ($6 == "ok") { n++; if (d > 4 || d < -4) bad++ }
			else if ($6 == "step") {
				s++; if (t < 1.93 || t > 2.07) far++ }
		}
		END { printf "seed '$seed': %d ok (%d beyond 4 u), %d step (%d far from it)\n",
			n, bad, s, far
			exit !(n > 3500 && !bad && s >= 100 && s <= 130 && !far) }' \
		"$TMPDIR/truth.tsv" "$TMPDIR/out.tsv"
done
# every channel of a blended scan says so
[ "$(awk -F'\t' '$6 == "step"' "$TMPDIR/out.tsv" | cut -f2 | sort -u | wc -l)" -eq 4 ]
"$BIN/resim" -N 3000 -T -c 1 | "$BIN/refmon" -T >"$TMPDIR/steady.tsv"
! grep -q '	step	' "$TMPDIR/steady.tsv"
