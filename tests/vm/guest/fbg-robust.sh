#!/bin/sh
# fbg-robust.sh - the FBG driver under abuse: buffer enable/disable 200
# times, settings changed while streaming (refused with EBUSY or applied
# cleanly), a board that stops answering (SPI timeouts, or a silent bus)
# while streaming and at probe: a clear kernel message, no hang, the
# reader gets an error; then the board answers again. No kernel warning.
. /tests/lib.sh

# kernel messages since the last mark (never dmesg -c: the harness reads
# the whole log for warnings)
mark() { _mark=$(dmesg | wc -l); }
since() { dmesg | tail -n +$((_mark + 1)); }

SIM=/sys/devices/platform/cellsense-sim/fbg
DRV=/sys/bus/spi/drivers/cellsense-fbg

load_cellsense cellsense_sim_fbg || exit 1
load_cellsense cellsense_fbg || exit 1
iio_device fbg-device fbg0 dev || exit 1
spidev=$(basename "$(readlink -f "$dev/..")")
pass fbg-device

# --- buffer enable/disable, 200 times -------------------------------------
echo 1 >"$dev/scan_elements/in_intensity0_en"
echo 1 >"$dev/scan_elements/in_index_en"
echo 16 >"$dev/buffer/length"
echo 1000 >"$dev/sampling_frequency"
expect_eq enable-disable-200 0 "$(buffer_cycles "$dev" 200)"
expect_eq disabled 0 "$(cat "$dev/buffer/enable")"
echo 0 >"$dev/scan_elements/in_intensity0_en"
echo 0 >"$dev/scan_elements/in_index_en"
echo 100 >"$dev/sampling_frequency"
timeout 30 iio_readdev -b 8 -s 16 fbg0 intensity0 >/tmp/after.bin 2>/dev/null
expect_eq stream-after-loop $((16 * 256)) "$(wc -c </tmp/after.bin)"

# --- settings while streaming ---------------------------------------------
timeout 60 iio_readdev -b 4 -s 300 fbg0 intensity0 index >/tmp/busy.bin 2>/tmp/busy.err &
bg=$!
wait_for streaming 5 grep -q 1 "$dev/buffer/enable" || exit 1
busy() { # ATTR VALUE: the write fails with EBUSY
	_e=$(sh -c "echo $2 >$dev/$1" 2>&1) && return 1
	echo "$_e" | grep -q "busy"
}
check rate-ebusy busy sampling_frequency 200
check int-time-ebusy busy integration_time 0.000200
check scan-element-ebusy busy scan_elements/in_intensity1_en 1
check length-ebusy busy buffer/length 64
check fibres-applied sh -c "echo '1 2' >$dev/fibres"
expect_match rate-unchanged '^100\.0' "$(cat "$dev/sampling_frequency")"
wait_bg busy-stream bg
expect_eq busy-stream-bytes $((300 * 512)) "$(wc -c </tmp/busy.bin)"
echo 0 >"$dev/fibres"

# --- a board that stops answering while streaming -------------------------
# fault=timeout: every SPI transfer to the board fails with -ETIMEDOUT.
# fault=silent:  MISO stays high, data-ready never comes.
for fault in timeout silent; do
	mark
	timeout 60 iio_readdev -T 2000 -b 4 fbg0 intensity0 >/tmp/dead.bin 2>/tmp/dead.err &
	bg=$!
	wait_for "streaming-$fault" 5 grep -q 1 "$dev/buffer/enable" || exit 1
	wait_for "data-$fault" 5 sh -c "[ \$(wc -c </tmp/dead.bin) -gt 0 ]"
	check "fault-$fault" sh -c "echo $fault >$SIM/fault"
	# the reader ends by itself (libiio's refill times out): no hang
	rc=0
	wait $bg || rc=$?
	expect_ne "reader-ended-$fault" 124 "$rc"
	echo "iio_readdev: $(tr '\n' ' ' </tmp/dead.err)"
	expect_match "reader-error-$fault" 'timed out|Unable to refill' "$(cat /tmp/dead.err)"
	expect_match "kernel-message-$fault" 'cellsense-fbg .*board not answering' "$(since)"
	check "fault-cleared-$fault" sh -c "echo none >$SIM/fault"
	timeout 30 iio_readdev -b 4 -s 8 fbg0 intensity0 >/tmp/back.bin 2>/dev/null
	expect_eq "answers-again-$fault" $((8 * 256)) "$(wc -c </tmp/back.bin)"
done

# --- dead at probe: a clear error, no device; bind again once it answers ---
check unbind sh -c "echo $spidev >$DRV/unbind"
echo timeout >$SIM/fault
mark
check bind-dead sh -c "! echo $spidev >$DRV/bind"
expect_match probe-message 'cellsense-fbg .*failed to reset board' "$(since)"
check no-device sh -c "! grep -qx fbg0 /sys/bus/iio/devices/iio:device*/label"
echo silent >$SIM/fault
mark
check bind-silent sh -c "! echo $spidev >$DRV/bind"
expect_match probe-message-silent 'cellsense-fbg .*unexpected ID 0xffffffff' "$(since)"
echo none >$SIM/fault
check bind-alive sh -c "echo $spidev >$DRV/bind"
wait_for device-back 5 grep -qx fbg0 /sys/bus/iio/devices/iio:device*/label

# --- unbind and module removal while streaming, 5 rounds each --------------
for r in 1 2 3 4 5; do
	dev=$(iio_dir fbg0)
	timeout 60 iio_readdev -b 4 fbg0 intensity0 intensity1 index timestamp >/dev/null 2>&1 &
	bg=$!
	wait_for "stream-u$r" 5 grep -q 1 "$dev/buffer/enable" || exit 1
	check "unbind-streaming-$r" sh -c "echo $spidev >$DRV/unbind"
	rc=0
	wait $bg || rc=$?
	expect_ne "reader-ended-u$r" 124 "$rc"
	check "rebind-$r" sh -c "echo $spidev >$DRV/bind"
	wait_for "device-u$r" 5 grep -qx fbg0 /sys/bus/iio/devices/iio:device*/label || exit 1
done
for r in 1 2 3; do
	timeout 60 iio_readdev -b 4 fbg0 intensity0 >/dev/null 2>&1 &
	bg=$!
	wait_for "stream-r$r" 5 grep -q 1 /sys/bus/iio/devices/iio:device*/buffer/enable || exit 1
	check "rmmod-board-streaming-$r" rmmod cellsense_sim_fbg
	rc=0
	wait $bg || rc=$?
	expect_ne "reader-ended-r$r" 124 "$rc"
	check "reload-board-$r" modprobe cellsense_sim_fbg
	wait_for "device-r$r" 5 grep -qx fbg0 /sys/bus/iio/devices/iio:device*/label || exit 1
done
check rmmod-fbg rmmod cellsense_fbg
check rmmod-board rmmod cellsense_sim_fbg
check rmmod-simbus rmmod cellsense_simbus
check dmesg-clean sh -c "! dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace|hung task'"
