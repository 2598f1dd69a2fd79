#!/bin/sh
# demo.sh - what `make demo` shows (not a test: run by scripts/demo.sh).
# Streams the simulated fibre front-end through the whole pipeline while
# the simulated cell warms from 25 to 60 degC, then prints the records, the
# CAN frames and one raw spectrum between markers for the host to show.
. /tests/lib.sh

SIM=/sys/devices/platform/cellsense-sim/fbg
RATE=50
NSPEC=200

load_cellsense >/dev/null || exit 1
iio_device fbg-device fbg0 dev || exit 1
ip link add dev vcan0 type vcan && ip link set vcan0 up || exit 1
coeffs=$(tr ' ' ',' <"$dev/in_intensity_wavelength_coeffs")
echo $RATE >"$dev/sampling_frequency"
echo 25000 >"$SIM/temperature_mdegc"

# one raw spectrum for the picture
iio_readdev -b 1 -s 1 fbg0 intensity0 intensity1 intensity2 intensity3 \
	>/tmp/spectrum.bin 2>/dev/null

candump -L vcan0 >/tmp/can.log &
dump=$!
wait_for candump 5 grep -q vcan0 /proc/net/can/rcvlist_all || exit 1

# the cell warms by 5 K every half second (a demo, not a test: sleep is fine)
(
	for T in 30 35 40 45 50 55 60; do
		sleep 0.5
		echo ${T}000 >"$SIM/temperature_mdegc"
	done
) &

iio_readdev -b 5 -s $NSPEC fbg0 intensity0 intensity1 intensity2 intensity3 \
	2>/tmp/readdev.err |
	fbgtrack -w "$coeffs" -g g0:1530 -g g1:1545 -g g2:1560 -g g3:1575 \
		-r $RATE -v 2>/tmp/fbgtrack.err |
	tee /tmp/records.tsv |
	sense2can -v vcan0 2>/tmp/sense2can.err
# every frame sense2can says it sent reaches candump
sent=$(sed -n 's/^sense2can: sent \([0-9]*\) frames.*/\1/p' /tmp/sense2can.err | tail -n 1)
wait_for frames 5 sh -c "[ \$(wc -l </tmp/can.log) -ge ${sent:-1} ]"
kill $dump
wait

echo "DEMO-BEGIN info"
echo "kernel $(uname -r)"
echo "device $(cat "$dev/name") label $(cat "$dev/label") at $dev"
echo "coeffs $(cat "$dev/in_intensity_wavelength_coeffs")"
echo "rate $(cat "$dev/sampling_frequency")"
echo "overruns $(cat "$dev/overrun_count")"
cat /tmp/fbgtrack.err /tmp/sense2can.err
echo "DEMO-END"
echo "DEMO-BEGIN records"; cat /tmp/records.tsv; echo "DEMO-END"
echo "DEMO-BEGIN can"; cat /tmp/can.log; echo "DEMO-END"
echo "DEMO-BEGIN spectrum"
od -An -tu2 -v /tmp/spectrum.bin | tr -s ' ' '\n' | grep .
echo "DEMO-END"
pass demo
