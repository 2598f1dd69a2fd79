#!/bin/sh
# make bench: every benchmark prints its own figure and a ratio against a
# baseline measured in the same run, so numbers compare across machines.
set -eu
BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
case $BUILD in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
mkdir -p "$BUILD/bench"
CFLAGS="-std=c11 -O2 -g -Wall -Wextra -Werror -D_DEFAULT_SOURCE -I$SRC/lib"

echo "== fbgpeak (library): peak fit vs decode+FFT of the same spectrum"
cc $CFLAGS -o "$BUILD/bench/bench-fbgpeak" "$SRC/bench/bench-fbgpeak.c" \
	"$BUILD/lib/libcellsense.a" -lliquid -lm
"$BUILD/bench/bench-fbgpeak"

echo "== fbgtrack (tool): 20000 spectra from a file, vs od decoding them"
data=$BUILD/bench/spectra.raw
"$BUILD/bin/fbgsim" -N 20000 -g 1530 -g 1545 -g 1560 -g 1575 > "$data"
t0=$(date +%s.%N)
"$BUILD/bin/fbgtrack" -g a:1530 -g b:1545 -g c:1560 -g d:1575 "$data" >/dev/null
t1=$(date +%s.%N)
od -An -tu2 -v "$data" >/dev/null
t2=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
	f = b - a; o = c - b
	printf "fbgtrack: %.3f s, %.0f spectra/s\n", f, 20000 / f
	printf "baseline: od -tu2 over the same bytes: %.3f s\n", o
	printf "ratio fbgtrack/od: %.2f\n", f / o }'
rm -f "$data"

echo "== fbg tracker accuracy: RMS error against the Cramer-Rao bound, 10-40 dB"
cc $CFLAGS -I"$SRC/tests/unit" -o "$BUILD/bench/bench-fbgaccuracy" \
	"$SRC/bench/bench-fbgaccuracy.c" "$BUILD/lib/libcellsense.a" -lliquid -lm
"$BUILD/bench/bench-fbgaccuracy"

echo "== fbg tracker honesty: error over stated uncertainty on reflections of other shapes"
cc $CFLAGS -I"$SRC/tests/unit" -o "$BUILD/bench/bench-fbghonesty" \
	"$SRC/bench/bench-fbghonesty.c" "$BUILD/lib/libcellsense.a" -lliquid -lm
"$BUILD/bench/bench-fbghonesty"

echo "== fbg tracker, widths measured, on shapes fbgsynth does not make (3-80 px, 8 pm pixels)"
cc $CFLAGS -I"$SRC/tests/unit" -o "$BUILD/bench/bench-fbgshapes" \
	"$SRC/bench/bench-fbgshapes.c" "$BUILD/lib/libcellsense.a" -lliquid -lm
"$BUILD/bench/bench-fbgshapes"

echo "== fbg tracker on jumping gratings: lost, RMS/bound, bias; cost against a drifting stream"
cc $CFLAGS -I"$SRC/tests/unit" -o "$BUILD/bench/bench-fbgjump" \
	"$SRC/bench/bench-fbgjump.c" "$BUILD/lib/libcellsense.a" -lliquid -lm
"$BUILD/bench/bench-fbgjump"

echo "== records: a line of fbgtrack's kind, vs snprintf of the same bytes"
cc $CFLAGS -o "$BUILD/bench/bench-record" "$SRC/bench/bench-record.c" \
	"$BUILD/lib/libcellsense.a" -lliquid -lm
"$BUILD/bench/bench-record"

echo "== fbgtrack speed: 100 000 spectra, 8 gratings, vs scipy and a bare centroid loop"
"$SRC/bench/fbg-speed.sh" "$BUILD"

echo "== sense2can (dry run): records/s at 8 gratings x 5 kHz + temperatures, budget on, vs fbgtrack's output rate"
"$SRC/bench/sense2can-rate.sh" "$BUILD"

echo "== ustof (library): 4096-sample records, 3 gates, vs numpy.correlate + parabola"
cc $CFLAGS -o "$BUILD/bench/bench-ustof" "$SRC/bench/bench-ustof.c" \
	"$BUILD/lib/libcellsense.a" -lliquid -lm
"$BUILD/bench/bench-ustof" "$BUILD/bench/us-records.f64" | tee "$BUILD/bench/ustof.out"
if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
	/usr/bin/python3 "$SRC/bench/bench-ustof-numpy.py" "$BUILD/bench/us-records.f64" \
		"$(sed -n 's/.*pulse \([0-9]*\) samples.*/\1/p' "$BUILD/bench/ustof.out")" |
		tee -a "$BUILD/bench/ustof.out"
	awk '/^cs_ustof/ { l = $(NF - 1) + 0 } /^numpy/ { p = $(NF - 1) + 0 }
	     END { printf "ratio numpy/cs_ustof: %.1f (single thread)\n", p / l }' \
		"$BUILD/bench/ustof.out"
else
	echo "numpy baseline NOT RUN: python3-numpy is not installed (apt-get install python3-numpy)"
fi
rm -f "$BUILD/bench/us-records.f64"

echo "== ustof (library): oversampled A-scans (100 MS/s, 280-sample pulse, 2 gates), vs scipy.signal.correlate + parabola"
cc $CFLAGS -o "$BUILD/bench/bench-ustof-os" "$SRC/bench/bench-ustof-os.c" \
	"$BUILD/lib/libcellsense.a" -lliquid -lm
"$BUILD/bench/bench-ustof-os" "$BUILD/bench/us-os.f64" | tee "$BUILD/bench/ustof-os.out"
if /usr/bin/python3 -c 'import scipy' 2>/dev/null; then
	/usr/bin/python3 "$SRC/bench/bench-ustof-scipy.py" "$BUILD/bench/us-os.f64" \
		"$(sed -n 's/.*pulse \([0-9]*\) samples.*/\1/p' "$BUILD/bench/ustof-os.out")" |
		tee -a "$BUILD/bench/ustof-os.out"
	awk '/^cs_ustof/ { l = $(NF - 5) + 0 } /^scipy/ { p = $(NF - 1) + 0 }
	     END { printf "ratio scipy/cs_ustof: %.1f (single thread; 20 asked)\n", p / l }' \
		"$BUILD/bench/ustof-os.out"
else
	echo "scipy baseline NOT RUN: python3-scipy is not installed (apt-get install python3-scipy)"
fi
rm -f "$BUILD/bench/us-os.f64"

echo "== ustof (library): false detections in noise alone and echoes found, at false-alarm 1e-4"
cc $CFLAGS -o "$BUILD/bench/bench-ustof-detect" "$SRC/bench/bench-ustof-detect.c" \
	"$BUILD/lib/libcellsense.a" -lliquid -lm
"$BUILD/bench/bench-ustof-detect"

echo "== fbg driver in the VM: highest 512-pixel rate without overrun, kernel time a spectrum"
CELLSENSE_VM_TIMEOUT=600 "$SRC/tests/vm/run.sh" bench-fbg-rate.sh >/dev/null || {
	echo "bench-fbg-rate: VM run failed (build/vm/bench-fbg-rate.log)" >&2
	exit 1
}
grep -E '^(rate/s|[0-9]+  |RESULT)' "$SRC/build/vm/bench-fbg-rate.log" | tr -d '\r'
echo "== sense2can (VM, vcan0): frames/s encoded and sent vs cangen -g 0"; "$SRC/tests/vm/run.sh" bench-can.sh >/dev/null && grep -E '^(sense2can|baseline|ratio)' "$SRC/build/vm/bench-can.log"

echo "== fleet: records/s gateway -> broker vs mosquitto_pub, end to end into PostgreSQL vs psql \\copy"
"$SRC/bench/fleet.sh" "$BUILD"
