#!/bin/sh
# smoke.sh - proves the VM harness: modules, vcan + can-utils, libiio tools.
set -e
. /tests/lib.sh

check modules-loaded kmod_present industrialio
check can-modules kmod_present can-raw
check iio-bus test -d /sys/bus/iio/devices

check vcan-add ip link add dev vcan0 type vcan
check vcan-up ip link set vcan0 up

# candump must have its socket bound before cansend: wait until its receiver
# shows up in the CAN core's receive lists, then send, then wait for the job.
timeout 10 candump -n 1 vcan0 >candump.out 2>&1 &
cpid=$!
wait_for candump-ready 10 grep -q '^ *vcan0 ' /proc/net/can/rcvlist_all
check cansend cansend vcan0 123#DEADBEEF
# candump -n 1 exits after one frame (timeout kills it if none comes).
rc=0
wait "$cpid" || rc=$?
expect_eq candump-exit 0 "$rc"
expect_match candump-frame 'vcan0 +123 +\[4\] +DE AD BE EF' "$(cat candump.out)"

# libiio tools start and see the local context (no devices needed).
check iio-info iio_info
check gpiodetect gpiodetect

# Every tool in the image starts: no missing shared library (the loader
# fails with status 127 and "error while loading shared libraries").
for t in iio_readdev iio_writedev iio_attr iio_reg cangen canbusload \
	gpioget gpioset gpioinfo gpiomon /usr/local/bin/*; do
	[ -x "$t" ] || command -v "$t" >/dev/null || continue
	out=$("$t" --help 2>&1 </dev/null) && rc=0 || rc=$?
	case "$rc:$out" in
	127:* | *"error while loading shared libraries"*)
		fail "starts-$(basename "$t")" "exit $rc: $(echo "$out" | head -n 2)" ;;
	*) pass "starts-$(basename "$t")" ;;
	esac
done
