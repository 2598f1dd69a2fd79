# refmon reads records (cellsense-records(5)) as well as scans and
# EC-Lab exports, told from the header and said on stderr: resim's truth
# at 1 kS/s gives the truth back (ok records within 1e-6 of it, the mains
# filter's float taps' gain; the filter's blend of a current step says
# step); refmon's own output read again gives
# the same values at the same times; another cell's records and other
# quantities are passed over and counted; a bad line is named and skipped
# (exit 3); --reference with records is refused (they are vs Li/Li+).
set -eu
"$BIN/resim" -N 4000 -T -c 1 --step 2:5 --truth "$TMPDIR/truth.tsv" >/dev/null
"$BIN/refmon" "$TMPDIR/truth.tsv" >"$TMPDIR/out.tsv" 2>"$TMPDIR/err"
cat "$TMPDIR/err"
grep -q 'records of re0, 1000 readings a second' "$TMPDIR/err"
awk -F'\t' 'NR == FNR { tr[$1 FS $2] = $4; next }
	FNR > 1 && ($1 FS $2) in tr && $6 == "ok" { n++; w = tr[$1 FS $2]
		d = ($4 - w) / (w < 0 ? -w : w); if (d < 0) d = -d; if (d > max) max = d }
	END { printf "%d ok records, largest relative difference from the truth %.3g\n", n, max
	      exit !(n > 140 && max < 1e-6) }' "$TMPDIR/truth.tsv" "$TMPDIR/out.tsv"

# refmon's own output, read again: each reading stands for itself (10/s)
"$BIN/resim" -N 4000 -T -c 1 | "$BIN/refmon" -T >"$TMPDIR/first.tsv"
"$BIN/refmon" "$TMPDIR/first.tsv" >"$TMPDIR/again.tsv" 2>/dev/null
awk -F'\t' 'NR == FNR { v[$1 FS $2 FS $3] = $4; next }
	FNR > 1 && ($1 FS $2 FS $3) in v { n++
		d = $4 - v[$1 FS $2 FS $3]; if (d < 0) d = -d; if (d > max) max = d }
	END { printf "%d records again, largest difference %.3g\n", n, max
	      exit !(n > 140 && max < 1e-9) }' "$TMPDIR/first.tsv" "$TMPDIR/again.tsv"

# two cells, an alarm record and a bad line
{ cat "$TMPDIR/first.tsv"
  printf '9000000000\tre1/anode\tpotential\t0.1\tV\tok\tnan\n'
  printf '9000000000\tre0/anode\tplating\t1\ts\twarning\tnan\n'
  printf 'no record here\n'
  printf '9100000000\tre0/anode\tpotential\t0.1\tV\tok\tnan\n'; } >"$TMPDIR/mixed.tsv"
status=0
"$BIN/refmon" "$TMPDIR/mixed.tsv" >"$TMPDIR/mixed.out" 2>"$TMPDIR/err" || status=$?
cat "$TMPDIR/err"
[ "$status" -eq 3 ]
grep -q "mixed.tsv:$(($(wc -l <"$TMPDIR/first.tsv") + 3)): not a record" "$TMPDIR/err"
grep -q ': 2 records passed over' "$TMPDIR/err"
grep -q '^9100000000	re0/anode	potential	0.1	' "$TMPDIR/mixed.out"

# records are vs Li/Li+ already
status=0
"$BIN/refmon" --reference li-au "$TMPDIR/truth.tsv" >/dev/null 2>"$TMPDIR/err" || status=$?
[ "$status" -eq 2 ]
grep -q 'vs Li/Li+ already' "$TMPDIR/err"
status=0
"$BIN/refmon" -i records -r 10 "$TMPDIR/truth.tsv" >/dev/null 2>"$TMPDIR/err" || status=$?
[ "$status" -eq 2 ]
