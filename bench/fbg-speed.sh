#!/bin/sh
# fbgtrack's speed on 100 000 spectra of 512 pixels with 8 gratings, writing
# its default records, against two baselines run here on the same file:
#  (a) what a lab would write: scipy find_peaks + curve_fit (on a subset:
#      the per-spectrum cost from two subset sizes, so start-up cancels);
#  (b) the floor: a bare single-pass centroid loop in C, printing nothing.
# Single-threaded; CPU (user + system) seconds, each the best of five runs
# (the least disturbed: other work on the machine only ever adds), the same
# for every party.
set -eu
BUILD=$1
SRC=$(cd "$(dirname "$0")/.." && pwd)
N=100000
data=$BUILD/bench/fbg8.raw
G="-g a:1520 -g b:1530 -g c:1540 -g d:1550 -g e:1560 -g f:1570 -g g:1580 -g h:1590"

# cpu CMD...: user+system seconds of CMD and what it runs, the best of 5;
# from getrusage (microseconds, where time(1) prints hundredths)
cpu() {
	/usr/bin/python3 -c '
import resource, subprocess, sys
best = None
for run in range(5):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(sys.argv[1:], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    best = t if best is None else min(best, t)
print("%.6f" % best)' "$@"
}

"$BUILD/bin/fbgsim" -N $N -g 1520 -g 1530 -g 1540 -g 1550 -g 1560 -g 1570 \
	-g 1580 -g 1590 --ramp 0.0002 > "$data"
cc -O2 -o "$BUILD/bench/centroid-floor" "$SRC/bench/centroid-floor.c"

t_track=$(cpu sh -c "'$BUILD/bin/fbgtrack' $G '$data' >/dev/null")
# wider windows: twice the pixels should cost well under twice the time
# (a subnormal-float tail once made it 3x)
t_wide=$(cpu sh -c "'$BUILD/bin/fbgtrack' --fwhm 6 $G '$data' >/dev/null")
# the floor is too quick for the timer's 10 ms: ten passes, then divide
t_floor=$(cpu sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do
	'$BUILD/bench/centroid-floor' 512 '$data' 50 70 110 130 170 190 230 250 \
		290 310 350 370 410 430 470 490 2>/dev/null; done")
t_floor=$(awk -v t="$t_floor" 'BEGIN { printf "%.4f", t / 10 }')
t_py1=$(cpu /usr/bin/python3 "$SRC/bench/scipy-fbg.py" 512 \
	"$data" 200 1520 1530 1540 1550 1560 1570 1580 1590 2>/dev/null)
t_py2=$(cpu /usr/bin/python3 "$SRC/bench/scipy-fbg.py" 512 \
	"$data" 1200 1520 1530 1540 1550 1560 1570 1580 1590 2>/dev/null)
awk -v n=$N -v t="$t_track" -v f="$t_floor" -v p1="$t_py1" -v p2="$t_py2" \
	-v w="$t_wide" 'BEGIN {
	per = t / n; py = (p2 - p1) / 1000
	printf "fbgtrack: %.3f s CPU for %d spectra x 8 gratings: %.2f us a spectrum, %.0f spectra/s\n",
		t, n, per * 1e6, 1 / per
	printf "  with --fwhm 6 (30-pixel fit windows, 16 at 3): %.2f us, ratio %.2f\n",
		w / n * 1e6, w / t
	printf "(a) scipy find_peaks + curve_fit: %.0f us a spectrum\n", py * 1e6
	printf "(b) bare C centroid loop: %.3f s CPU, %.2f us a spectrum\n", f, f / n * 1e6
	printf "ratio scipy/fbgtrack: %.0f (target >= 1000)\n", py / per
	printf "ratio fbgtrack/centroid: %.1f (target <= 5)\n", t / f
}'
rm -f "$data"
