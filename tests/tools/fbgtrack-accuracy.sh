# fbgsim | fbgtrack: tracked wavelengths follow a temperature ramp within
# a few pm of the truth, for every grating and every spectrum.
set -eu
G="-g 1530 -g 1545 -g 1560 -g 1575"
"$BIN/fbgsim" -N 200 $G --ramp 0.5 --truth "$TMPDIR/truth.tsv" |
	"$BIN/fbgtrack" -g g0:1530 -g g1:1545 -g g2:1560 -g g3:1575:3 \
	> "$TMPDIR/out.tsv"
head -n1 "$TMPDIR/out.tsv" | grep -q '^time_ns	source	quantity	value	unit	status	uncertainty$'
# join on time and source; max |error| and count
awk -F'\t' 'NR == FNR { if (FNR > 1) t[$1 FS $2] = $4; next }
	FNR > 1 { k = $1 FS $2; if (!(k in t) || $6 != "ok") { bad++; next }
		  e = $4 - t[k]; if (e < 0) e = -e; if (e > max) max = e; n++ }
	END { printf "records %d, bad %d, max error %.5f nm\n", n, bad, max
	      exit !(n == 800 && bad == 0 && max < 0.003) }' \
	"$TMPDIR/truth.tsv" "$TMPDIR/out.tsv"
