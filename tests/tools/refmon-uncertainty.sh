# resim | refmon: the uncertainty column is the filtered noise. Against the
# truth, (value - truth) / uncertainty has an rms near 1 on every channel,
# at two noise levels and with 60 Hz pickup; quadrupled noise gives about
# four times the uncertainty; electrode potentials corrected against a
# drift not yet measured (before the first rest) have none (nan).
set -eu

# check TAG RESIM-OPTIONS...: refmon --drift off on resim's scans; prints
# and checks rms(error / u) per channel after the noise estimate's first
# second, leaves the cell's mean u in $TMPDIR/u
check() {
	tag=$1
	shift
	"$BIN/resim" -N 40000 -c 2.5 -T --truth "$TMPDIR/truth.tsv" "$@" \
		>"$TMPDIR/raw"
	"$BIN/refmon" -T --drift off -o 20 <"$TMPDIR/raw" >"$TMPDIR/out.tsv"
	awk -F'\t' -v tag="$tag" -v ufile="$TMPDIR/u" '
		NR == FNR { if (FNR > 1) t[$1 FS $2] = $4; next }
		FNR > 1 && $1 >= 1e9 { k = $1 FS $2
			  if (!(k in t) || $6 != "ok" || $7 == "nan") { bad++; next }
			  e = ($4 - t[k]) / $7; s[$2] += e * e; n[$2]++; su[$2] += $7 }
		END { for (c in s) {
			r = sqrt(s[c] / n[c])
			printf "%s %s: %d records, rms(error/u) %.3f, mean u %.3g\n",
				tag, c, n[c], r, su[c] / n[c]
			if (n[c] < 700 || r < 0.8 || r > 1.25) fail = 1
		      }
		      printf "%.6g\n", su["re0/cell"] / n["re0/cell"] > ufile
		      exit fail || bad || !("re0/current" in s) }' \
		"$TMPDIR/truth.tsv" "$TMPDIR/out.tsv"
}

check "0.5 mV" --noise 0.0005
u1=$(cat "$TMPDIR/u")
check "2 mV" --noise 0.002
u4=$(cat "$TMPDIR/u")
check "60 Hz" --mains-hz 60
awk -v a="$u1" -v b="$u4" 'BEGIN { printf "u at 2 mV / u at 0.5 mV: %.2f\n", b / a
	exit !(b / a > 3.6 && b / a < 4.4) }'

# drift correction: nan until the first rest has been measured, then values
"$BIN/resim" -N 12000 -c 2.5 --step 4:0 -T --drift 0.0001 >"$TMPDIR/raw"
"$BIN/resim" -N 0 --ocv-out "$TMPDIR/ocv"
"$BIN/refmon" -T --drift hold --rest-time 2 --ocv "$TMPDIR/ocv" --capacity 5 \
	<"$TMPDIR/raw" >"$TMPDIR/out.tsv"
awk -F'\t' '$2 == "re0/anode" && $3 == "potential" {
		if ($7 == "nan") { if (seen) late++; else early++ } else seen++ }
	    END { printf "anode: %d without uncertainty before the first rest, %d with after, %d without after\n",
			early, seen, late
		  exit !(early > 0 && seen > 0 && late == 0) }' "$TMPDIR/out.tsv"
