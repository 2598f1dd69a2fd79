# resim | refmon: during a 2.5 A charge with 20 mV of 50 Hz pickup and
# 0.5 mV noise, every cell voltage and electrode potential record is
# within 0.6 mV of the truth at its time (5 sigma of the filtered noise),
# the current within 5 mA, with the filter delay taken out of the times.
set -eu
"$BIN/resim" -N 20000 -c 2.5 -T --truth "$TMPDIR/truth.tsv" >"$TMPDIR/raw"
"$BIN/refmon" -T --drift off <"$TMPDIR/raw" >"$TMPDIR/out.tsv"
head -n1 "$TMPDIR/out.tsv" | grep -q '^time_ns	source	quantity	value	unit	status	uncertainty$'
awk -F'\t' 'NR == FNR { if (FNR > 1) t[$1 FS $2] = $4; next }
	FNR > 1 { k = $1 FS $2; if (!(k in t) || $6 != "ok") { bad++; next }
		  e = $4 - t[k]; if (e < 0) e = -e
		  if ($2 == "re0/current") { if (e > maxi) maxi = e }
		  else if (e > maxv) maxv = e
		  n++ }
	END { printf "records %d, bad %d, max error %.3f mV, %.2f mA\n",
		n, bad, maxv * 1e3, maxi * 1e3
	      exit !(n >= 4 * 195 && bad == 0 && maxv < 0.6e-3 && maxi < 5e-3) }' \
	"$TMPDIR/truth.tsv" "$TMPDIR/out.tsv"
# the same without mains filtering would be off by the pickup: check the
# pickup is really there (raw anode codes swing > 30 mV peak to peak)
"$BIN/resim" -N 100 -c 2.5 | od -An -v -t d4 -w16 |
	awk '{ a = $3 * 0.000286102295e-3; if (NR == 1 || a < lo) lo = a; if (NR == 1 || a > hi) hi = a }
	     END { printf "raw anode span %.1f mV\n", (hi - lo) * 1e3; exit !(hi - lo > 0.03) }'
