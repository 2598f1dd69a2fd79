#!/bin/sh
# demo-cell.sh - the second half of `make demo` (not a test): the
# reference-electrode front-end through a cold fast charge, until refmon
# raises the plating alarm and it crosses vcan0 as CS_PlatingAlarm; and the
# ultrasonic front-end, whose back-wall echo moves with the state of charge.
# Output between DEMO-BEGIN/DEMO-END markers for scripts/demo.sh.
. /tests/lib.sh

RE=/sys/devices/platform/cellsense-sim/re
US=/sys/devices/platform/cellsense-sim/us

load_cellsense >/dev/null || exit 1
iio_device re-device re0 re || exit 1
wait_for us-device 5 grep -qx us0 /sys/bus/iio/devices/iio:device*/label || exit 1
ip link show vcan0 >/dev/null 2>&1 ||
	{ ip link add dev vcan0 type vcan && ip link set vcan0 up; } || exit 1

# --- reference electrode: 1 A at 25 degC, then 5 A at -10 degC
echo 251.968503 >"$re/sampling_frequency"
S=$(for c in voltage0 voltage1 voltage2 current3; do cat "$re/in_${c}_scale"; done | paste -sd,)
echo 700000 >"$RE/soc_ppm"
candump -L vcan0 >/tmp/re-can.log &
dump=$!
wait_for candump 5 grep -q vcan0 /proc/net/can/rcvlist_all || exit 1
for phase in warm cold; do
	if [ $phase = warm ]; then
		echo 25000 >"$RE/temperature_mdegc"; echo 1000 >"$RE/current_ma"
	else
		echo -10000 >"$RE/temperature_mdegc"; echo 5000 >"$RE/current_ma"
	fi
	timeout 60 iio_readdev -b 25 -s 500 re0 voltage0 voltage1 voltage2 \
		current3 timestamp 2>/dev/null |
		refmon -T -r 251.968503 -S "$S" --hold 0.5 2>/tmp/refmon-$phase.err |
		tee /tmp/re-$phase.tsv |
		sense2can vcan0 2>/tmp/re-s2c-$phase.err
done
n=$(cat /tmp/re-s2c-*.err | sed -n 's/.*sent \([0-9]*\) frames.*/\1/p' | awk '{ s += $1 } END { print s }')
wait_for re-frames 10 sh -c "[ \$(wc -l </tmp/re-can.log) -ge $n ]"
kill $dump

# --- ultrasound: the back wall at 0 %, 50 % and 100 % state of charge
ussim -F 20000000 --f0 5000000 --bandwidth 0.6 --pulse-out /tmp/pulse -N 0 >/dev/null
for soc in 0 500 1000; do
	echo $soc >"$US/soc_permille"
	usacq -N 8 -r 20 2>/dev/null | tee /tmp/us-$soc.bin |
		ustof -n 1024 -H -T -p /tmp/pulse -g front:0.5:3 -g back:7:13 -q tof \
		2>/dev/null | tee /tmp/us-$soc.tsv |
		awk -v soc=$soc 'NR > 1 && $2 ~ /back/ { s += $4; n++ }
			END { printf "%.1f %% SoC: back-wall echo at %.2f ns (%d shots)\n",
			      soc / 10, s / n, n }'
done >/tmp/us.txt

echo "DEMO-BEGIN re"
for phase in warm cold; do
	echo "-- $phase"
	awk -F'\t' '$3 == "potential" || $3 == "voltage" || $3 == "current" { last[$2 FS $3] = $4 FS $5 }
		$3 == "plating" { print "ALARM " $0 }
		END { for (k in last) print k FS last[k] }' /tmp/re-$phase.tsv | sort | uniq | tail -n 8
	sed -n 's/^sense2can: \(sent [0-9]* frames\) on vcan0; \([0-9]* records read\).*; \([0-9]* aggregated\).*/sense2can: \1 for \2 (\3 within the bus budget)/p' \
		/tmp/re-s2c-$phase.err
done
echo "-- frames 0x300 (CS_PlatingAlarm) on vcan0:"
grep ' 300#' /tmp/re-can.log | head -n 3
echo "DEMO-END"
echo "DEMO-BEGIN us"
cat /tmp/us.txt
echo "DEMO-END"
# for the host's pictures (csplot): refmon's records, the shots (raw,
# base64 over the console) and ustof's records of them
echo "DEMO-BEGIN re-records"
awk 'FNR > 1 || NR == 1' /tmp/re-warm.tsv /tmp/re-cold.tsv
echo "DEMO-END"
echo "DEMO-BEGIN us-shots"
cat /tmp/us-0.bin /tmp/us-500.bin /tmp/us-1000.bin | base64
echo "DEMO-END"
echo "DEMO-BEGIN us-records"
awk 'FNR > 1 || NR == 1' /tmp/us-0.tsv /tmp/us-500.tsv /tmp/us-1000.tsv
echo "DEMO-END"
pass demo-cell
