# refmon reads EC-Lab text exports, recognised from the file. Fixtures
# from resim's truth in the EC-Lab layout (header block, decimal commas,
# CRLF): at 1 kS/s (mains filtered, delay in time) and at one reading
# every 32 s (filter off, said so), with decimal points and no header
# block too: error/uncertainty has an rms within 0.7-1.4 on every channel.
# Readings missing and repeated are counted and the times stay right; a
# bad line is named with its line number (exit 3); other text given as
# scans is refused naming the file; scan-only options are refused. The
# issue's Li-Au case at 32 s: no alarm with --ref-potential 0.31.
set -eu
. "$SRC/tests/tools/common/expect.sh"

# rms TAG TRUTH OUT: per channel, (value - truth) / uncertainty, after the
# noise estimate's warm-up; 0.7-1.4 and at least MIN records each
rms() {
	awk -F'\t' -v tag="$1" -v min="$4" '
		NR == FNR { if (FNR > 1) t[$1 FS $2] = $4; next }
		FNR > 1 && $3 != "plating" && $7 != "nan" {
			k = $1 FS $2; if (!(k in t)) { miss++; next }
			e = ($4 - t[k]) / $7; s[$2] += e * e; n[$2]++ }
		END { for (c in s) {
			r = sqrt(s[c] / n[c])
			printf "%s %s: %d records, rms(error/u) %.3f\n", tag, c, n[c], r
			if (n[c] < min || r < 0.7 || r > 1.4) fail = 1 }
		      if (miss) printf "%s: %d records at no true time\n", tag, miss
		      exit fail || miss || !("re0/anode" in s) }' "$2" "$3"
}

"$BIN/resim" --eclab -N 20000 -c 2.5 --truth "$TMPDIR/hi-truth.tsv" >"$TMPDIR/hi.mpt"
head -c 17 "$TMPDIR/hi.mpt" | grep -q "EC-Lab ASCII FILE"
grep -q "3,[0-9]*E+000" "$TMPDIR/hi.mpt"
"$BIN/refmon" "$TMPDIR/hi.mpt" >"$TMPDIR/hi.tsv" 2>"$TMPDIR/err"
cat "$TMPDIR/err"
grep -q "EC-Lab export (decimal commas), 1000 readings a second" "$TMPDIR/err"
rms "1 kS/s" "$TMPDIR/hi-truth.tsv" "$TMPDIR/hi.tsv" 150

for fmt in "" "--decimal-point"; do
	"$BIN/resim" --eclab $fmt -N 2000 -r 0.03125 --mains 0 -c 0.5 \
		--truth "$TMPDIR/lo-truth.tsv" >"$TMPDIR/lo.mpt"
	"$BIN/refmon" "$TMPDIR/lo.mpt" >"$TMPDIR/lo.tsv" 2>"$TMPDIR/err"
	cat "$TMPDIR/err"
	grep -q "0.03125 readings a second" "$TMPDIR/err"
	grep -q "mains filter off" "$TMPDIR/err"
	rms "32 s $fmt" "$TMPDIR/lo-truth.tsv" "$TMPDIR/lo.tsv" 1900
done

# readings 5000-5999 gone (a pause), every 10th of the rest repeated:
# counted; each record still at its true time, within its uncertainty
awk '{ keep = NR <= 6 || NR - 7 < 5000 || NR - 7 >= 6000 }
	keep { print } keep && NR > 6 && NR % 10 == 0 { print }' \
	"$TMPDIR/hi.mpt" >"$TMPDIR/gaps.mpt"
"$BIN/refmon" "$TMPDIR/gaps.mpt" >"$TMPDIR/gaps.tsv" 2>"$TMPDIR/err"
cat "$TMPDIR/err"
grep -q "1 gaps (1000 scans missing), 1900 repeated times" "$TMPDIR/err"
rms "gap" "$TMPDIR/hi-truth.tsv" "$TMPDIR/gaps.tsv" 140

# a bad line: named, skipped, counted, exit 3
sed '100s/\t3[,.][0-9]*E+000\t/\tXXX\t/' "$TMPDIR/lo.mpt" >"$TMPDIR/bad.mpt"
set +e
"$BIN/refmon" "$TMPDIR/bad.mpt" >/dev/null 2>"$TMPDIR/err"
st=$?
set -e
cat "$TMPDIR/err"
[ "$st" -eq 3 ]
grep -q "bad.mpt:100: field 5 (Ewe) 'XXX' is not a number; line skipped" "$TMPDIR/err"
grep -q "1 bad lines" "$TMPDIR/err"

# text that is neither: refused, naming the file (it used to decode the
# bytes as scans and exit 0); records are read as records now
# (refmon-records.sh)
printf 'voltage,current\n3.7,0.5\n' >"$TMPDIR/other.csv"
expect 1 "other.csv: text, not binary scans nor an EC-Lab export" \
	"$BIN/refmon" "$TMPDIR/other.csv"
[ ! -s "$TMPDIR/o" ]
expect 2 "is an EC-Lab export: --rate is for binary scans" \
	"$BIN/refmon" -r 1000 "$TMPDIR/lo.mpt"
expect 2 "--timestamps is for binary scans" "$BIN/refmon" -T --input eclab

# the cell: Li-Au reference, a reading every 32 s
"$BIN/resim" --eclab -N 500 -r 0.03125 --mains 0 -c 0.5 --ref-potential 0.31 \
	>"$TMPDIR/liau.mpt"
"$BIN/refmon" "$TMPDIR/liau.mpt" 2>/dev/null >"$TMPDIR/plain.tsv"
n=$(awk -F'\t' '$3 == "plating" && $6 == "plating"' "$TMPDIR/plain.tsv" | wc -l)
"$BIN/refmon" --drift=off --ref-potential 0.31 "$TMPDIR/liau.mpt" 2>/dev/null >"$TMPDIR/ok.tsv"
m=$(awk -F'\t' '$3 == "plating"' "$TMPDIR/ok.tsv" | wc -l)
echo "Li-Au at 32 s: $n plating records without --ref-potential, $m with"
[ "$n" -gt 0 ] && [ "$m" -eq 0 ]
