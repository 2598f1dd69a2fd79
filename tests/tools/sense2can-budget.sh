# The bus budget in a dry run (frames timed by the records): 16 gratings
# at 1 Hz all go out; at 20 kHz they are folded and the frames' worst-case
# bus time stays under the ceiling; periods and policies from the options
# and the map; the plan is printed, stretched when it does not fit.
set -eu
gen() {	# gen RATE SECONDS: 16 gratings of fbg0, RATE records/s each
	awk -v rate="$1" -v secs="$2" 'BEGIN {
		OFS = "\t"
		print "time_ns", "source", "quantity", "value", "unit", "status", "uncertainty"
		n = rate * secs
		for (i = 0; i < n; i++) {
			t = sprintf("%d%09d", 1700000000 + int(i / rate), (i % rate) * int(1e9 / rate))
			for (g = 0; g < 16; g++)
				print t, "fbg0/g" g, "wavelength", sprintf("%.4f", 1530 + g + (i % 100) * 0.001), "nm", "ok", "0.001"
		}
	}'
}
# load LOG: worst-case bus time of the frames (135 bits each: 8-byte
# classical frames, 11-bit ids) over the log's span, in % of 500 kbit/s
load() {
	awk '{ t = substr($1, 2, length($1) - 2) + 0; if (NR == 1) t0 = t; t1 = t; n++ }
	     END { span = t1 - t0; if (span <= 0) span = 1e-9; printf "%d %.3f %.2f\n", n, span, n * 135 / 500000 / span * 100 }' "$1"
}

gen 1 10 >"$TMPDIR/slow.tsv"
"$BIN/sense2can" -n vcan0 "$TMPDIR/slow.tsv" >"$TMPDIR/slow.log" 2>"$TMPDIR/slow.err"
cat "$TMPDIR/slow.err"
grep -q "plan: 500000 bit/s, ceiling 30.0% (150000 bit/s)" "$TMPDIR/slow.err"
grep -q "wrote 160 frames on vcan0; 160 records read.*; 0 aggregated" "$TMPDIR/slow.err"

gen 20000 1 >"$TMPDIR/fast.tsv"
"$BIN/sense2can" -n vcan0 "$TMPDIR/fast.tsv" >"$TMPDIR/fast.log" 2>"$TMPDIR/fast.err"
cat "$TMPDIR/fast.err"
set -- $(load "$TMPDIR/fast.log")
echo "20 kHz x 16, as they come: $1 frames in $2 s, load $3%"
# the ceiling, plus the budget's 10 ms of burst over a 1 s span
awk -v l="$3" 'BEGIN { exit !(l <= 30 * 1.011 && l >= 25) }'
grep -q "320000 records read.*; [0-9]* aggregated" "$TMPDIR/fast.err"
agg=$(sed -n 's/.*; \([0-9]*\) aggregated.*/\1/p' "$TMPDIR/fast.err")
# every record is in a frame, alone or folded with others
[ $((agg + $1)) -eq 320000 ] || { echo "aggregated $agg + frames $1 != records"; exit 1; }

# A period of 10 ms and the mean: 100 frames per grating per second,
# values averaged (the input ramps 1530.000..1530.099 per 100 records).
# The map has this one line: 16 frames of 135 bits per 10 ms are 43.2 %
# of 500 kbit/s, so the periods are stretched x1.44 when the gratings come.
grep '^fbg.*wavelength' "$SRC/dbc/cellsense.map" >"$TMPDIR/one.map"
"$BIN/sense2can" -n -m "$TMPDIR/one.map" -p 10 -P mean vcan0 "$TMPDIR/fast.tsv" >"$TMPDIR/p10.log" 2>"$TMPDIR/p10.err"
cat "$TMPDIR/p10.err"
# nothing is planned before a record comes; the one line then takes 2.70 %
grep -q "a map line takes its share of the bus from its first record" "$TMPDIR/p10.err"
if grep -q "planned load 2.70%" "$TMPDIR/p10.err"; then
	echo "a load planned before any record"; exit 1
fi
grep -q "plan: 16 kinds of record now (fbg0/g15 wavelength is new): periods stretched x1.44 to fit, planned load 30.00%" "$TMPDIR/p10.err"
set -- $(load "$TMPDIR/p10.log")
echo "period 10 ms (stretched): $1 frames, load $3%"
awk -v n="$1" 'BEGIN { exit !(n >= 16 * 1000 / 14.4 - 32 && n <= 16 * 1000 / 14.4 + 32) }'
"$BIN/can2sense" "$TMPDIR/p10.log" >"$TMPDIR/p10.tsv"
# means of 14.4 ms of a 5 ms ramp period: all near its middle (1530.0495),
# but the first frame, sent as the first record came
awk -F '\t' 'NR > 1 && $2 == "fbg0/g0" && seen++ { n++; d = $4 - 1530.0495; if (d < 0) d = -d; if (d > m) m = d }
	END { printf "g0 frames %d, max |mean - mid| %.4f nm\n", n, m; exit !(n > 50 && m < 0.02) }' "$TMPDIR/p10.tsv"

# Per-line keys in a map: one line at 100 ms, min; the plan says so.
sed 's/^\(fbg{Fibre}\/g{Grating}  wavelength.*\)$/\1 every=100 policy=min sources=16/' \
	"$SRC/dbc/cellsense.map" >"$TMPDIR/my.map"
"$BIN/sense2can" -n -m "$TMPDIR/my.map" vcan0 "$TMPDIR/fast.tsv" >"$TMPDIR/m.log" 2>"$TMPDIR/m.err"
cat "$TMPDIR/m.err"
grep -q "FBG_Wavelength: 16 sources in 16 frames every 100 ms (min)" "$TMPDIR/m.err"
# the line's 16 frames from its first record on, the other lines of the
# map (no period, or no records) nothing
grep -q "plan: planned load 4.32% (lines with a period that had records)" "$TMPDIR/m.err"
[ "$(wc -l <"$TMPDIR/m.log")" -ge 160 ] && [ "$(wc -l <"$TMPDIR/m.log")" -le 176 ]
"$BIN/can2sense" "$TMPDIR/m.log" | awk -F '\t' 'NR > 1 && $4 != 1530 + substr($2, 7) { bad++ } END { exit bad > 0 }'

# Bad options of the budget are usage errors.
set +e
"$BIN/sense2can" -n -L 0.05 vcan0 </dev/null 2>"$TMPDIR/e"; rc1=$?
"$BIN/sense2can" -n -P median vcan0 </dev/null 2>>"$TMPDIR/e"; rc2=$?
"$BIN/sense2can" -n -b 500000 -D 250000 vcan0 </dev/null 2>>"$TMPDIR/e"; rc3=$?
set -e
[ "$rc1$rc2$rc3" = 222 ] || { cat "$TMPDIR/e"; exit 1; }
grep -q "policy: 'median' is not one of" "$TMPDIR/e"
