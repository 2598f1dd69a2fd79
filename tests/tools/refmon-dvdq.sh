# --dvdq: the charge passed and each electrode's dV/dQ as records. A small
# cell (0.05 Ah) charged at 5 A from 2 % through the anode's steep start:
# the charge within 0.1 % of the current's integral since the first
# filtered reading, dV/dQ against the truth's differences between the same
# times with an rms of error over uncertainty within 0.7-1.4.
set -eu
"$BIN/resim" -N 20000 -T -c 5 --soc 0.02 --capacity 0.05 --truth "$TMPDIR/truth.tsv" \
	>"$TMPDIR/raw"
"$BIN/refmon" -T --dvdq "$TMPDIR/raw" >"$TMPDIR/out.tsv"
awk -F'\t' '
	NR == FNR { if (FNR > 1) t[$1 FS $2] = $4; next }
	$3 == "charge" { q = $4; tq = $1 }
	$3 == "dvdq" { k = $1 FS $2
		if ((p[$2] != "") && (k in t)) {
			dq = 5 * ($1 - p[$2]) * 1e-9 / 3600
			want = (t[k] - t[p[$2] FS $2]) / dq
			e = ($4 - want) / $7; s[$2] += e * e; n[$2]++ }
		p[$2] = $1 }
	END { want = 5 * (tq - 60000000) * 1e-9 / 3600
	      printf "charge %.6f Ah, current integral %.6f Ah\n", q, want
	      if (q / want - 1 > 1e-3 || q / want - 1 < -1e-3) fail = 1
	      for (c in s) { r = sqrt(s[c] / n[c])
		printf "%s dV/dQ: %d records, rms(error/u) %.3f\n", c, n[c], r
		if (n[c] < 150 || r < 0.7 || r > 1.4) fail = 1 }
	      exit fail || !("re0/anode" in s) }' "$TMPDIR/truth.tsv" "$TMPDIR/out.tsv"
