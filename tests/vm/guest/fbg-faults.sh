#!/bin/sh
# fbg-faults.sh - faults in what the fibre board says that the driver must
# catch: an integration time out of range when it binds (the sim's
# int_time_reset_us: put right, said once), corrupt FIFO records (a bit
# flipped in the fibre: dropped and counted) and records out of step (a
# byte lost on the wire: FIFO flushed, what it cost counted from the
# sequence numbers). No garbage reaches the stream, and every spectrum
# missing from it is counted.
. /tests/lib.sh

mark() { _mark=$(dmesg | wc -l); }
since() { dmesg | tail -n +$((_mark + 1)); }

SIM=/sys/devices/platform/cellsense-sim/fbg

load_cellsense cellsense_sim_fbg || exit 1
load_cellsense cellsense_fbg || exit 1
iio_device fbg-device fbg0 dev || exit 1
pass fbg-device
mount -t debugfs none /sys/kernel/debug 2>/dev/null || true
spidev=$(basename "$(readlink -f "$dev/..")")

# bind again (the driver resets the board and reads its settings)
rebind() {
	echo "$spidev" >/sys/bus/spi/drivers/cellsense-fbg/unbind
	echo "$spidev" >/sys/bus/spi/drivers/cellsense-fbg/bind
	iio_device "$1" fbg0 dev || exit 1
	dbg=/sys/kernel/debug/iio/$(basename "$dev")
}
reg() { echo "$1" >"$dbg/direct_reg_access" && cat "$dbg/direct_reg_access"; }
fstat() { sed -n "s/^$1 //p" "$dbg/fbg_stats"; }

# --- integration time out of range in the board's flash ----------------------
expect_eq int-time-knob-default 100 "$(cat $SIM/int_time_reset_us)"
echo 0 >$SIM/int_time_reset_us
mark
rebind rebind-0
expect_eq int-time-0-fixed 0.000001 "$(cat "$dev/integration_time")"
expect_eq int-time-0-board 0x1 "$(reg 0x06)"
expect_eq int-time-0-warning 1 "$(since | grep -c 'cellsense-fbg .*integration time 0 us from the board is out of range (1 \.\.\. 9980 us): set to 1 us')"

echo 3000000 >$SIM/int_time_reset_us
mark
rebind rebind-3s
expect_eq int-time-3s-fixed 0.009980 "$(cat "$dev/integration_time")"
expect_eq int-time-3s-board 0x26FC "$(reg 0x06)"
expect_eq int-time-3s-warning 1 "$(since | grep -c 'cellsense-fbg .*integration time 3000000 us from the board is out of range (1 \.\.\. 9980 us): set to 9980 us')"

echo 100 >$SIM/int_time_reset_us
mark
rebind rebind-ok
expect_eq int-time-ok 0.000100 "$(cat "$dev/integration_time")"
expect_eq int-time-ok-quiet "" "$(since | grep -E 'cellsense-fbg|simbus')"

# --- corrupt and out-of-step records while streaming -------------------------
check set-rate sh -c "echo 400 >$dev/sampling_frequency"
REC=1536	# 512 px, tag, timestamp
N=1200
# recs FILE: one line a record: fibre seq
recs() {
	od -An -tu4 -v "$1" | tr -s ' ' '\n' | grep . |
		awk '{ i = (NR - 1) % 384 } i == 256 { f = $1 } i == 257 { print f, $1 }'
}
timeout 60 iio_readdev -T 10000 -b 16 -s $N fbg0 intensity0 intensity1 \
	intensity2 intensity3 index timestamp >/tmp/f.bin 2>/tmp/f.err &
bg=$!
wait_for streaming 5 grep -q 1 "$dev/buffer/enable" || exit 1
wait_for before-faults 20 sh -c "[ \$(wc -c </tmp/f.bin) -ge $((100 * REC)) ]" || exit 1
mark
check inject-corrupt sh -c "echo 3 >$SIM/inject_corrupt"
wait_for corrupt-dropped 10 grep -qx 'bad_records 3' "$dbg/fbg_stats" && pass corrupt-dropped
check inject-out-of-step sh -c "echo 2 >$SIM/inject_out_of_step"
wait_for out-of-step-caught 10 grep -qx 'out_of_step 2' "$dbg/fbg_stats" && pass out-of-step-caught
# both at once: corrupt records dropped before a flush are not the flush's
check inject-both sh -c "echo 2 >$SIM/inject_corrupt && echo 1 >$SIM/inject_out_of_step"
wait_for both-caught 10 grep -qx 'out_of_step 3' "$dbg/fbg_stats" && pass both-caught
wait_for both-sent 10 sh -c "grep -qx 0 $SIM/inject_corrupt && grep -qx 0 $SIM/inject_out_of_step" && pass both-sent
wait_bg reader bg
expect_eq reader-bytes $((N * REC)) "$(wc -c </tmp/f.bin)"
expect_eq corrupt-all-sent 0 "$(cat $SIM/inject_corrupt)"
expect_eq slips-all-sent 0 "$(cat $SIM/inject_out_of_step)"

recs /tmp/f.bin >/tmp/f.txt
# no record with a fibre the board does not have reached the stream
expect_eq fibres-valid 0 "$(cut -d' ' -f1 /tmp/f.txt | sort -u | tr -d '\n')"
# every spectrum missing from the stream (gaps in the sequence) is counted:
# the corrupt ones dropped, those the flushes cost, overruns
gaps=$(awk 'NR > 1 { g += ($2 - p - 1 + 65536) % 65536 } { p = $2 } END { print g + 0 }' /tmp/f.txt)
bad=$(fstat bad_records)
flushed=$(fstat flush_lost)
ovr=$(cat "$dev/overrun_count")
echo "sequence gaps $gaps: bad_records $bad, flush_lost $flushed, overrun_count $ovr"
expect_ge flush-lost-min 3 "$flushed"
expect_ge bad-min 3 "$bad"
expect_eq gaps-counted "$gaps" $((bad + flushed + ovr))
log=$(since)
echo "$log" | grep cellsense-fbg || true
expect_eq corrupt-warnings "$bad" "$(echo "$log" | grep -c 'cellsense-fbg .*FIFO record corrupt (header a5 8[0-3] .*), dropped')"
expect_eq out-of-step-errors 3 "$(echo "$log" | grep -c 'cellsense-fbg .*FIFO record out of step (header .*), flushing')"
expect_eq nothing-else "" "$(echo "$log" | grep -E 'cellsense-fbg|simbus' | grep -v -e 'FIFO record corrupt' -e 'FIFO record out of step')"

check rmmod-fbg rmmod cellsense_fbg
check rmmod-board rmmod cellsense_sim_fbg
check rmmod-simbus rmmod cellsense_simbus
