# The reference electrode's own potential applies in every mode. A cell
# measured against a lithium-gold reference (+0.31 V vs Li/Li+) whose anode
# never goes below +0.13 V vs Li/Li+: read with --drift=off and
# --ref-potential 0.31 (the case of issue 14, which raised an 83-hour
# plating alarm) or --reference li-au, no alarm, the anode within 0.6 mV
# of the truth; li-au's stated 10 mV is in the uncertainty. Without the
# option the same scans alarm (the test can fail). Two answers to the
# reference's potential, or an unknown kind, are usage errors.
set -eu
. "$SRC/tests/tools/common/expect.sh"
"$BIN/resim" -N 20000 -T -c 1 --ref-potential 0.31 --truth "$TMPDIR/truth.tsv" \
	>"$TMPDIR/raw"

"$BIN/refmon" -T --drift=off "$TMPDIR/raw" >"$TMPDIR/plain.tsv"
n=$(awk -F'\t' '$3 == "plating" && $6 == "plating"' "$TMPDIR/plain.tsv" | wc -l)
echo "without --ref-potential: $n plating alarm records"
[ "$n" -gt 0 ]

for opt in "--ref-potential=0.31" "--reference=li-au" "--reference=0.31:0.01"; do
	"$BIN/refmon" -T --drift=off "$opt" "$TMPDIR/raw" >"$TMPDIR/out.tsv"
	awk -F'\t' -v opt="$opt" '
		NR == FNR { if (FNR > 1) t[$1 FS $2] = $4; next }
		$3 == "plating" { alarms++ }
		FNR > 1 && $2 == "re0/anode" && $3 == "potential" {
			k = $1 FS $2; if (!(k in t)) { bad++; next }
			e = $4 - t[k]; if (e < 0) e = -e; if (e > m) m = e
			if (min == "" || $4 < min) min = $4
			if ($7 == "nan" || $7 < 0.01 - 1e-6 && opt != "--ref-potential=0.31") lowu++
			n++ }
		END { printf "%s: %d anode records, lowest %.4f V, max error %.3f mV, %d alarms, %d with u < 10 mV\n",
			opt, n, min, m * 1e3, alarms, lowu
		      exit !(n >= 195 && !bad && m < 0.6e-3 && alarms == 0 && !lowu) }' \
		"$TMPDIR/truth.tsv" "$TMPDIR/out.tsv"
done

expect 2 "already set by --reference" "$BIN/refmon" --reference lto --ref-potential 1.55
expect 2 "already set by --ref-potential" "$BIN/refmon" --ref-potential 0.31 --reference li-au
expect 2 "reference 'gold'" "$BIN/refmon" --reference gold
expect 2 "reference 'lto:2'" "$BIN/refmon" --reference lto:2
