#!/bin/sh
# fbg-pipeline.sh - the whole path, for real: the simulated board on its
# SPI bus, the driver, iio_readdev | fbgtrack | sense2can vcan0 while
# candump listens; the frames, decoded by can2sense, must give the Bragg
# wavelengths the sim says its gratings have, at three temperatures.
# (sense2can -L 0: no bus-load ceiling, so every record becomes a frame and
# the test can count them; the budget has its own tests.)
. /tests/lib.sh

SIM=/sys/devices/platform/cellsense-sim/fbg
NSPEC=20
GRATINGS="-g g0:1530 -g g1:1545 -g g2:1560 -g g3:1575"

load_cellsense || exit 1
iio_device fbg-device fbg0 dev || exit 1
check vcan-add ip link add dev vcan0 type vcan || exit 1
check vcan-up ip link set vcan0 up || exit 1
coeffs=$(tr ' ' ',' <"$dev/in_intensity_wavelength_coeffs")
check set-rate sh -c "echo 100 >$dev/sampling_frequency" || exit 1

for T in 25 45 65; do
	check "temp-$T" sh -c "echo ${T}000 >$SIM/temperature_mdegc" || exit 1
	truth=$(cat "$SIM/bragg_pm")
	# candump first, and only go on once its socket is on vcan0's list
	candump -L -n $((NSPEC * 4)) vcan0 >/tmp/can-$T.log &
	dump=$!
	wait_for "candump-$T" 5 grep -q vcan0 /proc/net/can/rcvlist_all || exit 1
	timeout 60 iio_readdev -b 4 -s $NSPEC fbg0 intensity0 intensity1 \
		intensity2 intensity3 2>/tmp/readdev-$T.err |
		fbgtrack -w "$coeffs" $GRATINGS -r 100 2>/tmp/fbgtrack-$T.err |
		tee /tmp/rec-$T.tsv |
		sense2can -L 0 vcan0 2>/tmp/sense2can-$T.err
	rc=$?
	expect_eq "pipeline-$T-exit" 0 "$rc"
	cat /tmp/fbgtrack-$T.err /tmp/sense2can-$T.err
	# candump -n exits by itself after the last frame; a missing frame
	# would leave it waiting: bound that
	wait_for "frames-$T" 10 sh -c "! kill -0 $dump 2>/dev/null" || kill $dump
	expect_eq "records-$T" $((NSPEC * 4)) "$(grep -c '	ok	' /tmp/rec-$T.tsv)"
	expect_eq "frames-$T" $((NSPEC * 4)) "$(wc -l </tmp/can-$T.log)"
	can2sense /tmp/can-$T.log >/tmp/dec-$T.tsv 2>/tmp/can2sense-$T.err
	expect_eq "decode-$T-exit" 0 "$?"
	# every decoded wavelength within 5 pm of the sim's grating
	res=$(echo "$truth" | awk -v T="$T" '
		NR == FNR { for (i = 1; i <= NF; i++) want["fbg0/g" (i - 1)] = $i / 1000; next }
		FNR > 1 && $3 == "wavelength" {
			n++
			if ($6 != "ok" || !($2 in want)) { bad++; next }
			e = $4 - want[$2]; if (e < 0) e = -e
			if (e > max) max = e
		}
		END { printf "%d %d %.4f", n, bad, max }' - /tmp/dec-$T.tsv)
	echo "T=$T truth(pm)=$truth decoded: n bad maxerr(nm) = $res"
	set -- $res
	expect_eq "decoded-count-$T" $((NSPEC * 4)) "$1"
	expect_eq "decoded-ok-$T" 0 "$2"
	expect_match "decoded-accuracy-$T" '^0\.00[0-4]' "$3"
done

# and the wavelengths moved with the temperature: +40 K, +400 pm
shift_pm=$(awk 'FNR == 2 && $2 == "fbg0/g0" { v[FILENAME] = $4 }
	END { printf "%d", (v["/tmp/dec-65.tsv"] - v["/tmp/dec-25.tsv"]) * 1000 + 0.5 }' \
	/tmp/dec-25.tsv /tmp/dec-65.tsv)
expect_ge shift-min 395 "$shift_pm"
expect_le shift-max 405 "$shift_pm"
