#!/bin/sh
# us-faults.sh - records of the ultrasonic board that are not what it sends:
# corrupt ones (the sim flips a flag bit: dropped, counted, said) and ones
# out of step (the sim loses a byte on the wire: FIFO flushed, what the
# flush cost counted from the next shot number). No garbage reaches the
# stream, and every shot usacq misses is counted by the driver, in its
# stats and in the header's records-lost word.
. /tests/lib.sh

mark() { _mark=$(dmesg | wc -l); }
since() { dmesg | tail -n +$((_mark + 1)); }

SIM=/sys/devices/platform/cellsense-sim/us

load_cellsense cellsense_sim_us || exit 1
load_cellsense cellsense_us || exit 1
iio_device us-device us0 dev || exit 1
pass us-device
mount -t debugfs none /sys/kernel/debug 2>/dev/null || true
dbg=/sys/kernel/debug/iio/$(basename "$dev")
check debugfs test -e "$dbg/us_stats" || exit 1
ustat() { sed -n "s/^$1 //p" "$dbg/us_stats"; }

check set-length sh -c "echo 512 >$dev/record_length"
REC=$((4 * 256 + 2 * 256))	# 512 samples, shot header, timestamp
N=60
# hdr FILE WORD: that word of every record's shot header, one a line
hdr() {
	_n=$(($(wc -c <"$1") / REC))
	_i=0
	while [ "$_i" -lt "$_n" ]; do
		od -An -tu8 -j $((_i * REC + 4 * 256 + 8 * $2)) -N 8 "$1" | tr -d ' '
		_i=$((_i + 1))
	done
}

timeout 60 usacq -N $N -r 20 -t 300 >/tmp/u.bin 2>/tmp/u.err &
bg=$!
wait_for before-faults 20 sh -c "[ \$(wc -c </tmp/u.bin) -ge $((10 * REC)) ]" || exit 1
mark
check inject-corrupt sh -c "echo 3 >$SIM/inject_corrupt"
wait_for corrupt-dropped 10 grep -qx 'bad_records 3' "$dbg/us_stats" && pass corrupt-dropped
check inject-out-of-step sh -c "echo 2 >$SIM/inject_out_of_step"
wait_for out-of-step-caught 10 grep -qx 'out_of_step 2' "$dbg/us_stats" && pass out-of-step-caught
# both at once: corrupt records dropped before a flush are not the flush's
check inject-both sh -c "echo 2 >$SIM/inject_corrupt && echo 1 >$SIM/inject_out_of_step"
wait_for both-caught 10 grep -qx 'out_of_step 3' "$dbg/us_stats" && pass both-caught
wait_for both-sent 10 sh -c "grep -qx 0 $SIM/inject_corrupt && grep -qx 0 $SIM/inject_out_of_step" && pass both-sent
rc=0
wait $bg || rc=$?
cat /tmp/u.err
expect_eq usacq-missing-exit 3 "$rc"
missing=$(sed -n "s/.* \([0-9]*\) of $N shots missing.*/\1/p" /tmp/u.err)
_cs_isnum "$missing" || missing=0
expect_eq usacq-bytes $(((N - missing) * REC)) "$(wc -c </tmp/u.bin)"
expect_eq corrupt-all-sent 0 "$(cat $SIM/inject_corrupt)"
expect_eq slips-all-sent 0 "$(cat $SIM/inject_out_of_step)"

bad=$(ustat bad_records)
flushed=$(ustat flush_lost)
ovr=$(cat "$dev/overrun_count")
echo "usacq missed $missing: bad_records $bad, flush_lost $flushed, overrun_count $ovr"
expect_ge flush-lost-min 3 "$flushed"
expect_ge bad-min 4 "$bad"
expect_eq missed-counted "$missing" $((bad + flushed + ovr))
hdr /tmp/u.bin 0 >/tmp/shots.txt
expect_eq shot-gaps "$missing" "$(awk 'NR > 1 { g += $1 - p - 1 } { p = $1 } END { print g + 0 }' /tmp/shots.txt)"
expect_eq last-shot $((N - 1)) "$(tail -n 1 /tmp/shots.txt)"
# no record with a flag no board sends reached the stream
expect_eq flags-clean "" "$(hdr /tmp/u.bin 2 | grep -vx -e 0 -e 1)"
expect_eq header-lost "$missing" "$(hdr /tmp/u.bin 3 | tail -n 1)"
log=$(since)
echo "$log" | grep cellsense-us || true
expect_eq corrupt-warnings "$bad" "$(echo "$log" | grep -c 'cellsense-us .*FIFO record corrupt (header a5 40 04 00 .*), dropped')"
expect_eq out-of-step-errors 3 "$(echo "$log" | grep -c 'cellsense-us .*FIFO record out of step (header .*), flushing')"
expect_eq nothing-else "" "$(echo "$log" | grep -E 'cellsense-us|simbus' | grep -v -e 'FIFO record corrupt' -e 'FIFO record out of step')"

check rmmod-us rmmod cellsense_us
check rmmod-board rmmod cellsense_sim_us
check rmmod-simbus rmmod cellsense_simbus
