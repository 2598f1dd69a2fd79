#!/bin/sh
# make demo: the whole cellsense pipeline on the simulated fibre front-end.
# Boots Debian's kernel in qemu with our modules, streams spectra while the
# simulated cell warms up, and shows what each stage made of them.
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=$SRC/build/bin
OUT=$SRC/build/demo
mkdir -p "$OUT"

bold() { printf '\n\033[1m%s\033[0m\n' "$*"; }
[ -t 1 ] || bold() { printf '\n== %s\n' "$*"; }

bold "cellsense demo: sensors inside a battery cell, from the front-end to the CAN bus"
cat <<'TXT'
Debian's 6.1 kernel boots in qemu with cellsense_sim_fbg (the fibre front-end
board, answering on a software SPI bus) and cellsense_fbg (its IIO driver).
Inside the VM, while the simulated cell warms from 25 to 60 degC:

  iio_readdev fbg0 ... | fbgtrack -g g0:1530 ... | sense2can vcan0
                                   candump -L vcan0 > can.log
TXT
printf 'booting (about 30 s without KVM) ... '
if ! "$SRC/tests/vm/run.sh" --name demo demo.sh demo-cell.sh >"$OUT/vm.out" 2>&1; then
	echo "failed"
	tail -n 30 "$OUT/vm.out"
	echo "demo: the VM run failed; full console log in build/vm/demo.log" >&2
	exit 1
fi
echo "done"

# the guest printed its results between markers on the console
log=$SRC/build/vm/demo.log
section() {
	tr -d '\r' <"$log" | awk -v s="$1" '
		$0 == "DEMO-BEGIN " s { on = 1; next }
		on && $0 == "DEMO-END" { exit }
		on { print }'
}
section info >"$OUT/info.txt"
section records >"$OUT/records.tsv"
section can >"$OUT/can.log"
section spectrum >"$OUT/spectrum.txt"
section re-records >"$OUT/re-records.tsv"
section us-shots | base64 -d >"$OUT/us-shots.bin"
section us-records >"$OUT/us-records.tsv"
"$BIN/can2sense" "$OUT/can.log" >"$OUT/decoded.tsv"

bold "the device (iio_info would say the same)"
sed -n '1,5p' "$OUT/info.txt"

bold "1. raw spectrum from iio_readdev: 512 pixels, 4 reflection peaks"
if command -v gnuplot >/dev/null; then
	gnuplot -e "set terminal dumb 100 22; set xlabel 'pixel';
		unset key; set ytics 10000;
		plot '$OUT/spectrum.txt' using 0:1 with lines" 2>/dev/null |
		sed '/^ *$/d'
fi

bold "2. records from fbgtrack (first lines of $(($(wc -l <"$OUT/records.tsv") - 1)))"
head -n 9 "$OUT/records.tsv" | column -t -s "$(printf '\t')"

bold "3. CAN frames on vcan0 (candump -L; first lines of $(wc -l <"$OUT/can.log"))"
head -n 8 "$OUT/can.log"

bold "4. decoded back from the frames by can2sense, per grating"
printf "%-9s %8s %6s %14s %14s %9s %10s\n" grating records lost \
	"first (nm)" "last (nm)" shift warming
awk -F'\t' 'NR > 1 && $3 == "wavelength" {
		s = $2; n[s]++
		if ($6 == "ok") { ok[s]++; if (!(s in first)) first[s] = $4; last[s] = $4 }
		else lost[s]++
	}
	END {
		for (s in n)
			printf "%-9s %8d %6d %14.4f %14.4f %6.0f pm %7.1f K\n", s,
			       n[s], lost[s] + 0, first[s], last[s],
			       (last[s] - first[s]) * 1000,
			       (last[s] - first[s]) * 100
	}' "$OUT/decoded.tsv" | sort
echo "(10 pm/K: the sim warmed the cell by 35 K; the shift says the same)"

bold "5. wavelength shift of each grating against time"
for g in 0 1 2 3; do
	awk -F'\t' -v s="fbg0/g$g" 'NR > 1 && $2 == s && $6 == "ok" {
		if (!n++) { f = $4; t0 = $1 }
		printf "%.3f %.2f\n", ($1 - t0) / 1e9, ($4 - f) * 1000 }' \
		"$OUT/decoded.tsv" >"$OUT/g$g.dat"
done
if command -v gnuplot >/dev/null; then
	plot="plot for [g=0:3] sprintf('$OUT/g%d.dat', g) using 1:2 with lines title sprintf('g%d', g)"
	gnuplot -e "set terminal dumb 100 24; set xlabel 'time (s)';
		set ylabel 'shift (pm)'; set key left top; $plot" 2>/dev/null |
		sed '/^ *$/d'
	gnuplot -e "set terminal png size 900,500; set output '$OUT/shift.png';
		set xlabel 'time (s)'; set ylabel 'Bragg wavelength shift (pm)';
		set key left top; set grid; $plot" 2>/dev/null || true
fi
bold "6. the reference electrode: 1 A at 25 degC, then 5 A at -10 degC"
cat <<'TXT'
  iio_readdev re0 ... | refmon | sense2can vcan0   (TI ADS131M04 on the sim bus)
TXT
section re | sed 's/^/  /'
echo "  (below 0 V vs Li/Li+ for the hold time: refmon raises the plating alarm,"
echo "   sense2can puts it on the bus as CS_PlatingAlarm, Level 2 = plating)"

bold "7. ultrasound through the cell: the back-wall echo follows the state of charge"
cat <<'TXT'
  usacq -N 8 (fires the pulser on a GPIO line) | ustof -g back:7:13 ...
TXT
section us | sed 's/^/  /'

bold "8. pictures (csplot, through gnuplot)"
# refmon's records of both phases: the anode crossing 0 V, the alarms
if "$BIN/csplot" --potentials --title 'refmon: electrode potentials, plating threshold and alarms' \
	-o "$OUT/potentials.svg" "$OUT/re-records.tsv" 2>"$OUT/csplot.err"; then
	sed 's/^csplot: /  /' "$OUT/csplot.err"
else
	cat "$OUT/csplot.err"
fi
# the guest's 24 shots at 0, 50 and 100 % SoC, with ustof's gates and tofs
if "$BIN/csplot" --waterfall -n 1024 -H -T -g front:0.5:3 -g back:7:13 \
	-r "$OUT/us-records.tsv" --title 'ultrasound: A-scans at 0, 50, 100 % SoC' \
	-o "$OUT/waterfall.svg" "$OUT/us-shots.bin" 2>"$OUT/csplot.err"; then
	sed 's/^csplot: /  /' "$OUT/csplot.err"
else
	cat "$OUT/csplot.err"
fi

bold "files"
echo "build/demo/: records.tsv, can.log, decoded.tsv, spectrum.txt, shift.png,"
echo "  potentials.svg (refmon's anode and cathode, threshold, alarm onsets),"
echo "  waterfall.svg (the ultrasonic shots with ustof's gates and tofs);"
echo "the VM's console: build/vm/demo.log"
