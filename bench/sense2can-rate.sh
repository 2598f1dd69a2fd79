#!/bin/sh
# sense2can's record rate at a realistic input, the budget on: 8 gratings
# at 5 kHz, each a wavelength and a temperature record (80 000 records a
# second of data), as fbgtrack writes them; against fbgtrack's own output
# rate on the same spectra (the baseline, same run): a ratio above 1 means
# the gateway is never the pipeline's bottleneck. sense2can runs as a dry
# run (the planner, the encoding and the candump lines; no socket).
set -eu
BUILD=$1
B=$BUILD/bin
D=$BUILD/bench
N=${SENSE2CAN_BENCH_SPECTRA:-40000}
"$B/fbgsim" -N "$N" -r 5000 -g 1520 -g 1530 -g 1540 -g 1550 -g 1560 \
	-g 1570 -g 1580 -g 1590 --ramp 0.0005 >"$D/s2c-spectra.raw"
: >"$D/s2c-cal"
for g in 0 1 2 3 4 5 6 7; do
	echo "g$g temperature lambda0=$((1520 + 10 * g)) t0=25 s1=0.010" >>"$D/s2c-cal"
done
gs=""
for g in 0 1 2 3 4 5 6 7; do gs="$gs -g g$g:$((1520 + 10 * g))"; done
# CPU seconds (user + system), the least of 3 runs: on a shared machine
# the wall clock measures the neighbours.
best() {	# best CMD...
	b=
	for i in 1 2 3; do
		/usr/bin/time -f "%U %S" -o "$D/s2c-time" "$@" >/dev/null 2>"$D/s2c-err"
		b=$(awk -v b="$b" '{ d = $1 + $2; print (b == "" || d < b) ? d : b }' "$D/s2c-time")
	done
	echo "$b"
}
# shellcheck disable=SC2086
"$B/fbgtrack" -r 5000 $gs -k "$D/s2c-cal" "$D/s2c-spectra.raw" >"$D/s2c-records.tsv"
recs=$(grep -vc '^time_ns' "$D/s2c-records.tsv")
# shellcheck disable=SC2086
tf=$(best "$B/fbgtrack" -r 5000 $gs -k "$D/s2c-cal" "$D/s2c-spectra.raw")
ts=$(best "$B/sense2can" -n -b 500000 -L 30 can0 "$D/s2c-records.tsv")
sent=$(sed -n 's/.*wrote \([0-9]*\) frames.*/\1/p' "$D/s2c-err")
tp=$(best "$B/sense2can" -n -b 500000 -L 30 -p 10 -P mean can0 "$D/s2c-records.tsv")
awk -v n="$recs" -v tf="$tf" -v ts="$ts" -v tp="$tp" -v sent="$sent" -v N="$N" 'BEGIN {
	printf "input: %d spectra at 5 kHz (%.1f s of data), %d records (80 000/s of data)\n", N, N / 5000, n
	printf "fbgtrack: %.2f s of CPU, %.0f records/s (baseline)\n", tf, n / tf
	printf "sense2can, as they come, 30%% of 500 kbit/s: %.2f s of CPU, %.0f records/s, %d frames\n", ts, n / ts, sent
	printf "sense2can, every 10 ms, mean: %.2f s of CPU, %.0f records/s\n", tp, n / tp
	printf "ratio sense2can/fbgtrack records/s: %.2f (as they come), %.2f (every 10 ms)\n", tf / ts, tf / tp
	printf "sense2can real-time margin: %.0fx (as they come)\n", (N / 5000) / ts }'
rm -f "$D/s2c-spectra.raw" "$D/s2c-records.tsv" "$D/s2c-cal" "$D/s2c-err" "$D/s2c-time"
