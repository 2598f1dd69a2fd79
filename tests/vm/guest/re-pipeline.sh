#!/bin/sh
# re-pipeline.sh - the plating alarm, for real: the simulated cell is
# charged at 5 A at -10 degC (anode about -180 mV vs Li/Li+), and
# iio_readdev | refmon | sense2can vcan0 carries the alarm to candump as
# a CS_PlatingAlarm frame (0x300, Level 2 = plating). Warm and at 1 A the
# same pipeline sends potentials and no alarm.
. /tests/lib.sh

SIM=/sys/devices/platform/cellsense-sim/re
CH="voltage0 voltage1 voltage2 current3 timestamp"

load_cellsense || exit 1
iio_device re-device re0 dev || exit 1
check vcan-add ip link add dev vcan0 type vcan || exit 1
check vcan-up ip link set vcan0 up || exit 1
check rate sh -c "echo 251.968503 >$dev/sampling_frequency" || exit 1
S=$(for c in voltage0 voltage1 voltage2 current3; do cat "$dev/in_${c}_scale"; done | paste -sd,)
echo 700000 >"$SIM/soc_ppm"

run() { # NAME SCANS: the pipeline, candump listening
	candump -L vcan0 >/tmp/can-$1.log &
	dump=$!
	wait_for "candump-$1" 5 grep -q vcan0 /proc/net/can/rcvlist_all || exit 1
	timeout 60 iio_readdev -b 25 -s "$2" re0 $CH 2>/tmp/rd-$1.err |
		refmon -T -r 251.968503 -S "$S" --hold 0.5 2>/tmp/refmon-$1.err |
		tee /tmp/rec-$1.tsv |
		sense2can vcan0 2>/tmp/s2c-$1.err
	expect_eq "pipeline-$1" 0 "$?"
	cat /tmp/refmon-$1.err /tmp/s2c-$1.err
	# every frame sense2can sent (it aggregates records within the
	# bus budget) reaches candump
	n=$(sed -n 's/.*sent \([0-9]*\) frames.*/\1/p' /tmp/s2c-$1.err)
	wait_for "frames-$1" 10 sh -c "[ \$(wc -l </tmp/can-$1.log) -ge $n ]"
	kill $dump
	wait $dump 2>/dev/null
}

# warm, 1 A: potentials, no alarm
echo 25000 >"$SIM/temperature_mdegc"
echo 1000 >"$SIM/current_ma"
run warm 750
echo "truth (uV uV uV uA uV): $(cat "$SIM/truth")"
expect_eq warm-no-alarm 0 "$(grep -c '	plating	' /tmp/rec-warm.tsv)"
expect_eq warm-no-frame 0 "$(grep -c ' 300#' /tmp/can-warm.log)"
expect_ge warm-potential-frames 5 "$(grep -c ' 330#02' /tmp/can-warm.log)"
an=$(awk '$2 == "re0/anode" && $3 == "potential" { v = $4 } END { printf "%d", v * 1000 }' /tmp/rec-warm.tsv)
echo "anode at 1 A, 25 degC: $an mV"
expect_ge warm-anode-positive 50 "$an"

# cold, 5 A: plating
echo -10000 >"$SIM/temperature_mdegc"
echo 5000 >"$SIM/current_ma"
run cold 750
grep '	plating	' /tmp/rec-cold.tsv
grep ' 300#' /tmp/can-cold.log
an=$(awk '$2 == "re0/anode" && $3 == "potential" { v = $4 } END { printf "%d", v * 1000 }' /tmp/rec-cold.tsv)
echo "anode at 5 A, -10 degC: $an mV; truth $(cat "$SIM/truth")"
expect_le cold-anode-negative -100 "$an"
expect_match plating-record '	re0/anode	plating	[0-9.]+	s	plating	' "$(cat /tmp/rec-cold.tsv)"
# frame 0x300: Cell 0, Level 2
expect_match plating-frame ' vcan0 300#0002' "$(cat /tmp/can-cold.log)"
can2sense /tmp/can-cold.log >/tmp/dec-cold.tsv 2>/dev/null
expect_match plating-decoded '	re0/anode	plating	[0-9.]+	s	plating	' "$(cat /tmp/dec-cold.tsv)"
