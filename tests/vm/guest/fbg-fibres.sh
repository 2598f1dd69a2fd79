#!/bin/sh
# fbg-fibres.sh - two fibres through the board's optical switch, at two
# temperatures: iio_readdev with the index element | fbgtrack --index must
# give each grating the Bragg wavelength the sim says its own fibre has.
. /tests/lib.sh

SIM=/sys/devices/platform/cellsense-sim/fbg

load_cellsense || exit 1
iio_device fbg-device fbg0 dev || exit 1
coeffs=$(tr ' ' ',' <"$dev/in_intensity_wavelength_coeffs")
check rate sh -c "echo 100 >$dev/sampling_frequency" || exit 1
check switch sh -c "echo '0 1' >$dev/fibres" || exit 1
check temp-f0 sh -c "echo '35000 35000 35000 35000' >$SIM/fibre0/temperature_mdegc" || exit 1
check temp-f1 sh -c "echo '65000 65000 65000 65000' >$SIM/fibre1/temperature_mdegc" || exit 1
t0=$(cat "$SIM/fibre0/bragg_pm")
t1=$(cat "$SIM/fibre1/bragg_pm")

timeout 60 iio_readdev -b 4 -s 40 fbg0 intensity0 intensity1 intensity2 \
	intensity3 index 2>/tmp/rd.err |
	fbgtrack -I -w "$coeffs" -r 100 -v \
		-g a0:1530::0 -g b0:1545::0 -g c0:1560::0 -g d0:1575::0 \
		-g a1:1526::1 -g b1:1541::1 -g c1:1556::1 -g d1:1571::1 \
		>/tmp/rec.tsv 2>/tmp/track.err
expect_eq pipeline-exit 0 "$?"
cat /tmp/track.err
echo "truth fibre 0: $t0 / fibre 1: $t1"
res=$(printf '%s\n%s\n' "$t0" "$t1" | awk -F'\t' '
	NR <= 2 { n = split($0, v, " "); for (i = 1; i <= n; i++)
		want[substr("abcd", i, 1) (NR - 1)] = v[i] / 1000; next }
	FNR > 1 && NR > 2 && $3 == "wavelength" {
		g = substr($2, 6); c++
		if ($6 != "ok") { bad++; next }
		e = $4 - want[g]; if (e < 0) e = -e; if (e > max) max = e
	}
	END { printf "%d %d %.4f", c, bad, max }' - /tmp/rec.tsv)
echo "records bad max-error(nm): $res"
set -- $res
expect_eq records 160 "$1"
expect_eq all-ok 0 "$2"
expect_match accuracy '^0\.00[0-4]' "$3"
