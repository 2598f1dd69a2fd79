#!/bin/sh
# fbg-stream.sh - the FBG interrogator driver on the simulated board:
# device and attributes, streaming layout, temperature through the sim,
# rate changes refused while streaming, unload while streaming.
. /tests/lib.sh

SIM=/sys/devices/platform/cellsense-sim/fbg
NPIX=512
SPEC=$((NPIX * 2))

load_cellsense cellsense_sim_fbg || exit 1
load_cellsense cellsense_fbg || exit 1

iio_device fbg-device fbg0 dev || exit 1
pass fbg-device

expect_eq name fbg-interrogator "$(cat "$dev/name")"
for a in sampling_frequency sampling_frequency_available integration_time \
	integration_time_available in_intensity_wavelength_coeffs overrun_count; do
	check "attr-$a" test -r "$dev/$a"
done
for c in 0 1 2 3; do
	expect_eq "scan-type-$c" "le:u16/16X128>>0" \
		"$(cat "$dev/scan_elements/in_intensity${c}_type")"
done
check no-intensity4 test ! -e "$dev/scan_elements/in_intensity4_en"
expect_match coeffs '^1510\.0+ 0\.1670+ -0\.0000010+ 0\.0+$' \
	"$(cat "$dev/in_intensity_wavelength_coeffs")"

info=$(iio_info 2>&1)
expect_match iio-info-device 'fbg-interrogator.*label: fbg0|label: fbg0' "$info"
expect_match iio-info-samp-freq 'sampling_frequency value: 100\.0' "$info"

check set-rate iio_attr -q -d fbg0 sampling_frequency 400
expect_match rate-readback '^400\.0' "$(cat "$dev/sampling_frequency")"
check rate-range-refused sh -c "! echo 6000 >$dev/sampling_frequency"

# Pixels only: exactly 64 spectra of 1024 bytes.
timeout 30 iio_readdev -b 16 -s 64 fbg0 intensity0 intensity1 intensity2 \
	intensity3 >/tmp/px.bin 2>/tmp/px.err
expect_eq pixels-bytes $((64 * SPEC)) "$(wc -c </tmp/px.bin)"

# Peak of grating 1 (1530 nm, ~pixel 120) well above the dark level, no
# saturation: pixel 120 of the first spectrum.
pk=$(od -An -tu2 -j $((120 * 2)) -N 2 /tmp/px.bin | tr -d ' ')
dk=$(od -An -tu2 -j $((60 * 2)) -N 2 /tmp/px.bin | tr -d ' ')
expect_ge peak-above-dark $((dk + 5000)) "$pk"
expect_le peak-unsaturated 60000 "$pk"

# One block only: 128 pixels per spectrum.
timeout 30 iio_readdev -b 16 -s 32 fbg0 intensity2 >/tmp/b2.bin 2>/dev/null
expect_eq block-bytes $((32 * 256)) "$(wc -c </tmp/b2.bin)"

# With the timestamp: the timestamp element is one block long (s64 ns, then
# zeros) so that the kernel and libiio 0.24 agree on the record size:
# 1024 pixel bytes + 256 = 1280 bytes a spectrum.
REC=$((SPEC + 256))
timeout 30 iio_readdev -b 16 -s 32 fbg0 intensity0 intensity1 intensity2 \
	intensity3 timestamp >/tmp/ts.bin 2>/tmp/ts.err
expect_eq ts-bytes $((32 * REC)) "$(wc -c </tmp/ts.bin)"
expect_eq ts-type "le:s64/64X32>>0" "$(cat "$dev/scan_elements/in_timestamp_type")"
t0=$(od -An -tu8 -j $SPEC -N 8 /tmp/ts.bin | tr -d ' ')
t1=$(od -An -tu8 -j $((REC + SPEC)) -N 8 /tmp/ts.bin | tr -d ' ')
t31=$(od -An -tu8 -j $((31 * REC + SPEC)) -N 8 /tmp/ts.bin | tr -d ' ')
pad=$(od -An -tu1 -v -j $((SPEC + 8)) -N 248 /tmp/ts.bin | tr -s ' ' '\n' | grep -v '^0*$' | wc -l)
echo "timestamps $t0 $t1 ... $t31"
expect_eq ts-padding-zero 0 "$pad"
# 400 spectra/s: 31 periods = 77.5 ms; allow for TCG scheduling
dt=$(((t31 - t0) / 31))
expect_ge ts-step-min 1500000 "$dt"
expect_le ts-step-max 10000000 "$dt"
expect_ge ts-monotonic 1 $((t1 - t0))

# A subset of blocks with the timestamp: 256 + 256 bytes.
timeout 30 iio_readdev -b 8 -s 8 fbg0 intensity1 timestamp >/tmp/ts1.bin 2>/dev/null
expect_eq ts-subset-bytes $((8 * 512)) "$(wc -c </tmp/ts1.bin)"

# Temperature: +50 K moves every grating by +500 pm (3 pixels).
peak_px() { # FILE: pixel of the maximum of spectrum 0 in pixels 100..140
	od -An -tu2 -v -j 200 -N 82 "$1" | tr -s ' ' '\n' | grep . |
		awk '{ if ($1 > m) { m = $1; p = NR - 1 } } END { print p + 100 }'
}
p25=$(peak_px /tmp/px.bin)
check set-temp sh -c "echo 75000 >$SIM/temperature_mdegc"
expect_eq bragg-pm "1530500 1545500 1560500 1575500" "$(cat $SIM/bragg_pm)"
timeout 30 iio_readdev -b 4 -s 4 fbg0 intensity0 >/tmp/t75.bin 2>/dev/null
p75=$(peak_px /tmp/t75.bin)
echo "grating 1 peak pixel: $p25 at 25 degC, $p75 at 75 degC"
expect_eq peak-shift 3 $((p75 - p25))
echo 25000 >$SIM/temperature_mdegc

# Strain on grating 3 only: +1000 ue = +1.2 nm.
check set-strain sh -c "echo '0 0 1000 0' >$SIM/strain_ue"
expect_eq bragg-strain "1530000 1545000 1561200 1575000" "$(cat $SIM/bragg_pm)"
echo "0 0 0 0" >$SIM/strain_ue

# Overruns counted: enable the buffer with a 4-spectrum kfifo, never read.
o0=$(cat "$dev/overrun_count")
echo 1 >"$dev/scan_elements/in_intensity0_en"
echo 4 >"$dev/buffer/length"
echo 1 >"$dev/buffer/enable"
wait_for overruns 5 sh -c "[ \$(cat $dev/overrun_count) -gt $o0 ]" && pass overruns
echo 0 >"$dev/buffer/enable"
echo 0 >"$dev/scan_elements/in_intensity0_en"
echo "overrun_count $o0 -> $(cat "$dev/overrun_count")"

# Rate change refused while streaming. Unloading the driver module while a
# reader holds the device open is refused by the module refcount; unbinding
# the device while streaming is what must be clean.
timeout 60 iio_readdev -b 8 fbg0 intensity0 intensity1 intensity2 intensity3 \
	>/dev/null 2>/tmp/bg.err &
bg=$!
wait_for streaming 5 grep -q 1 "$dev/buffer/enable"
check rate-busy sh -c "! echo 200 >$dev/sampling_frequency"
check rmmod-fbg-busy sh -c "! rmmod cellsense_fbg"
spidev=$(basename "$(readlink -f "$dev/..")")
check unbind-streaming sh -c "echo $spidev >/sys/bus/spi/drivers/cellsense-fbg/unbind"
rc=0
wait $bg || rc=$?
expect_ne readdev-ended 124 "$rc"
check rmmod-fbg rmmod cellsense_fbg
check rmmod-sim rmmod cellsense_sim_fbg
check no-board-dir test ! -e $SIM
check rmmod-simbus rmmod cellsense_simbus
check no-sim-dir test ! -e /sys/devices/platform/cellsense-sim

# Reload, stream, and remove the board (sim module) under the reader.
load_cellsense cellsense_sim_fbg || exit 1
load_cellsense cellsense_fbg || exit 1
wait_for fbg-reload 5 grep -qx fbg0 /sys/bus/iio/devices/iio:device*/label
timeout 60 iio_readdev -b 8 fbg0 intensity0 >/dev/null 2>&1 &
bg=$!
wait_for streaming-2 5 grep -q 1 /sys/bus/iio/devices/iio:device*/buffer/enable
check rmmod-sim-streaming rmmod cellsense_sim_fbg
rc=0
wait $bg || rc=$?
expect_ne readdev-ended-2 124 "$rc"
check rmmod-fbg-after rmmod cellsense_fbg
check rmmod-simbus-2 rmmod cellsense_simbus

# A 1024-pixel board: eight blocks, 2048 bytes a spectrum, same range.
load_cellsense cellsense_sim_fbg fbg_pixels=1024 || exit 1
load_cellsense cellsense_fbg || exit 1
wait_for fbg-1024 5 grep -qx fbg0 /sys/bus/iio/devices/iio:device*/label
dev=$(iio_dir fbg0)
check blocks-1024 test -e "$dev/scan_elements/in_intensity7_en"
check no-block-8 test ! -e "$dev/scan_elements/in_intensity8_en"
expect_match coeffs-1024 '^1510\.0+ 0\.08350+ -0\.00000025' "$(cat "$dev/in_intensity_wavelength_coeffs")"
timeout 30 iio_readdev -b 8 -s 16 fbg0 intensity0 intensity1 intensity2 intensity3 \
	intensity4 intensity5 intensity6 intensity7 >/tmp/px1024.bin 2>/dev/null
expect_eq bytes-1024 $((16 * 2048)) "$(wc -c </tmp/px1024.bin)"
check rmmod-fbg-1024 rmmod cellsense_fbg
check rmmod-sim-1024 rmmod cellsense_sim_fbg
check rmmod-simbus-1024 rmmod cellsense_simbus

check dmesg-clean sh -c "! dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace'"
