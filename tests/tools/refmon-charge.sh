# --dvdq on an EC-Lab export takes the export's own charge column when it
# has one ((Q-Qo), else Q charge/discharge, else Capacity), says which on
# stderr, and counts the records where it and the current's integral
# differ by more than 1 % + 2 digits. resim writes (Q-Qo) as the true
# current's integral: refmon's charge is that within 1e-9 Ah, no record
# differs; the same column made 10 % larger is used as it is and every
# record past the first few is counted; renamed Q charge/discharge it is
# the same charge; without a charge column the current is integrated and
# said so.
set -eu
"$BIN/resim" --eclab --decimal-point -N 20000 -c 5 --soc 0.02 --capacity 0.05 \
	--truth "$TMPDIR/truth.tsv" >"$TMPDIR/q.txt"
"$BIN/refmon" --dvdq "$TMPDIR/q.txt" >"$TMPDIR/out.tsv" 2>"$TMPDIR/err"
cat "$TMPDIR/err"
grep -q "charge from the export's (Q-Qo)/mA.h, compared" "$TMPDIR/err"
grep -q ': 0 of [0-9]* records differ' "$TMPDIR/err"
# the true integral: 5 A from the first record's time
awk -F'\t' '$3 == "charge" { if (t0 == "") t0 = $1
		want = 5 * ($1 - t0) * 1e-9 / 3600; d = $4 - want
		if (d < 0) d = -d; if (d > max) max = d; n++ }
	END { printf "%d charge records, largest error %.3g Ah\n", n, max
	      exit !(n > 150 && max < 1e-9) }' "$TMPDIR/out.tsv"

# a column 10 % off: used, and the differences counted
awk -F'\t' 'BEGIN { OFS = FS } NR > 1 { $10 = sprintf("%.7E", $10 * 1.1) } 1' \
	"$TMPDIR/q.txt" >"$TMPDIR/off.txt"
"$BIN/refmon" --dvdq "$TMPDIR/off.txt" >"$TMPDIR/off.tsv" 2>"$TMPDIR/err"
cat "$TMPDIR/err"
awk '/records differ/ { for (i = 1; i <= NF; i++) if ($i == "of") { d = $(i - 1); n = $(i + 1) } }
	END { exit !(n > 150 && d > n - 10) }' "$TMPDIR/err"
awk -F'\t' '$3 == "charge" { q = $4 } END { exit !(q > 0.0297 && q < 0.0308) }' \
	"$TMPDIR/off.tsv"

# Q charge/discharge: the same charge
sed '1s|(Q-Qo)/mA.h|Q charge/discharge/mA.h|' "$TMPDIR/q.txt" >"$TMPDIR/half.txt"
"$BIN/refmon" --dvdq "$TMPDIR/half.txt" >"$TMPDIR/half.tsv" 2>"$TMPDIR/err"
grep -q "export's Q charge/discharge/mA.h" "$TMPDIR/err"
cmp "$TMPDIR/out.tsv" "$TMPDIR/half.tsv"

# no charge column: the current's integral, said
cut -f1-7,9 "$TMPDIR/q.txt" >"$TMPDIR/none.txt"
"$BIN/refmon" --dvdq "$TMPDIR/none.txt" >"$TMPDIR/none.tsv" 2>"$TMPDIR/err"
grep -q 'charge integrated from the current' "$TMPDIR/err"
! grep -q 'records differ' "$TMPDIR/err"
awk -F'\t' '$3 == "charge" { q = $4 } END { exit !(q > 0.0272 && q < 0.0276) }' \
	"$TMPDIR/none.tsv"
