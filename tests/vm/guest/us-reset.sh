#!/bin/sh
# us-reset.sh - the ultrasonic board resets by itself while shots are being
# fired (the sim's "reset": every register back to its reset value,
# TRIG_COUNT 0, FIFO and pending shots gone, stopped): the driver's
# watchdog notices, puts its settings back (rate, record length, gain,
# averaging, mode), records keep coming, board_resets counts it, the kernel
# log says so once, the shot numbers carry on (no 2^32 jump) with the shots
# fired into the reset board left as a gap and counted in reset_lost. A
# reset while stopped is put right at the next start, and a board that goes
# silent and comes back reset (a power cut) is too.
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

reg() { echo "$1" >"$dbg/direct_reg_access" && cat "$dbg/direct_reg_access"; }
# the settings as the board holds them: CLK_DIV REC_LEN GAIN AVG
board_settings() { echo "$(reg 0x05) $(reg 0x06) $(reg 0x07) $(reg 0x08)"; }
ustat() { sed -n "s/^$1 //p" "$dbg/us_stats"; }

check attr-board-resets test -r "$dev/board_resets"
check board-resets-ro sh -c "! echo 0 >$dev/board_resets"
expect_eq board-resets-0 0 "$(cat "$dev/board_resets")"
expect_eq reset-knob-wo 200 "$(stat -c %a "$SIM/reset")"
check reset-knob-refuses-0 sh -c "! echo 0 >$SIM/reset"

# Settings away from the reset values (20 MS/s, 1024 samples, 20 dB, no
# averaging): 10 MS/s, 512 samples, 30 dB, 4 shots averaged.
check set-rate sh -c "echo 10000000 >$dev/sampling_frequency"
check set-length sh -c "echo 512 >$dev/record_length"
check set-gain sh -c "echo 30 >$dev/in_voltage_hardwaregain"
check set-osr sh -c "echo 4 >$dev/oversampling_ratio"
WANT="0x3 0x200 0x1E 0x2"
expect_eq settings-before "$WANT" "$(board_settings)"
REC=$((4 * 256 + 2 * 256))	# 512 samples, shot header, timestamp
N=40

# shots FILE: the extended shot number of every record, one a line
shots() {
	_n=$(($(wc -c <"$1") / REC))
	_i=0
	while [ "$_i" -lt "$_n" ]; do
		od -An -tu8 -j $((_i * REC + 4 * 256)) -N 8 "$1" | tr -d ' '
		_i=$((_i + 1))
	done
}

# --- reset while shots are fired ---------------------------------------------
timeout 60 usacq -N $N -r 10 -t 300 >/tmp/u.bin 2>/tmp/u.err &
bg=$!
wait_for before-reset 20 sh -c "[ \$(wc -c </tmp/u.bin) -ge $((10 * REC)) ]" || exit 1
expect_eq no-reset-yet 0 "$(cat "$dev/board_resets")"
mark
d0=$(cat $SIM/reset_discarded)
check reset-streaming sh -c "echo 1 >$SIM/reset"
wait_for recovered 10 grep -qx 1 "$dev/board_resets" && pass recovered
rc=0
wait $bg || rc=$?
cat /tmp/u.err
expect_eq usacq-missing-exit 3 "$rc"
missing=$(sed -n "s/.* \([0-9]*\) of $N shots missing.*/\1/p" /tmp/u.err)
_cs_isnum "$missing" || missing=0
expect_ge some-missing 1 "$missing"
expect_eq usacq-bytes $(((N - missing) * REC)) "$(wc -c </tmp/u.bin)"
expect_eq settings-after "$WANT" "$(board_settings)"
expect_match gain-attr-after '^30\.0+ dB$' "$(cat "$dev/in_voltage_hardwaregain")"
expect_eq board-resets-1 1 "$(cat "$dev/board_resets")"

# What the reset cost: the shots fired into the reset board (the driver's
# reset_lost, a gap in the shot numbers) and those in the board's FIFO or
# pending at the reset (the sim's truth): together what usacq missed.
lost=$(ustat reset_lost)
disc=$(($(cat $SIM/reset_discarded) - d0))
echo "usacq missed $missing, driver reset_lost $lost, sim discarded $disc"
expect_ge reset-lost-min 1 "$lost"
expect_eq lost-accounted "$missing" $((lost + disc))
shots /tmp/u.bin >/tmp/u.txt
expect_eq first-shot 0 "$(head -n 1 /tmp/u.txt)"
expect_eq last-shot $((N - 1 - disc)) "$(tail -n 1 /tmp/u.txt)"
expect_eq shots-rise 0 "$(awk 'NR > 1 && $1 <= p { b++ } { p = $1 } END { print b + 0 }' /tmp/u.txt)"
expect_eq shot-gap "$lost" "$(awk 'NR > 1 { g += $1 - p - 1 } { p = $1 } END { print g + 0 }' /tmp/u.txt)"
expect_eq header-lost "$lost" "$(od -An -tu8 -j $(($(wc -l </tmp/u.txt) * REC - REC + 4 * 256 + 24)) -N 8 /tmp/u.bin | tr -d ' ')"

log=$(since)
echo "$log" | grep cellsense-us || true
expect_eq reset-warning 1 "$(echo "$log" | grep -c 'cellsense-us .*board was reset (CTRL 0x00000000): settings restored, streaming again')"
expect_eq nothing-else "" "$(echo "$log" | grep -E 'cellsense-us|simbus' | grep -v 'board was reset (CTRL')"

# --- reset while stopped: put right at the next start ----------------------
mark
check reset-stopped sh -c "echo 1 >$SIM/reset"
expect_eq board-lost-settings "0x2 0x400 0x14 0x0" "$(board_settings)"
check usacq-after-stopped-reset sh -c "timeout 30 usacq -N 3 -r 10 >/tmp/s.bin"
expect_eq stopped-bytes $((3 * REC)) "$(wc -c </tmp/s.bin)"
expect_eq board-resets-2 2 "$(cat "$dev/board_resets")"
expect_eq settings-restarted "$WANT" "$(board_settings)"
log=$(since)
expect_eq stopped-warning 1 "$(echo "$log" | grep -c 'cellsense-us .*board was reset while stopped: settings restored')"
expect_eq stopped-nothing-else "" "$(echo "$log" | grep -E 'cellsense-us|simbus' | grep -v 'board was reset while stopped')"

# --- a power cut: silent, then back reset -------------------------------------
mark
timeout 60 usacq -N 30 -r 10 -t 300 >/tmp/p.bin 2>/tmp/p.err &
bg=$!
wait_for before-cut 20 sh -c "[ \$(wc -c </tmp/p.bin) -ge $((5 * REC)) ]" || exit 1
check power-off sh -c "echo silent >$SIM/fault"
wait_for dead 10 grep -qx 'board_dead 1' "$dbg/us_stats" && pass dead
check power-on sh -c "echo 1 >$SIM/reset && echo none >$SIM/fault"
wait_for recovered-cut 10 grep -qx 3 "$dev/board_resets" && pass recovered-cut
rc=0
wait $bg || rc=$?
expect_eq cut-usacq-exit 3 "$rc"
expect_eq cut-settings "$WANT" "$(board_settings)"
log=$(since)
expect_eq cut-reset-warning 1 "$(echo "$log" | grep -c 'cellsense-us .*board was reset (CTRL 0x00000000)')"
expect_eq cut-not-answering 1 "$(echo "$log" | grep -c 'cellsense-us .*board not answering (ID read')"
expect_match cut-answering-again 'cellsense-us .*board answering again' "$log"

# --- no false alarm: start and stop 20 times ----------------------------------
echo 1 >"$dev/scan_elements/in_voltage0_en"
expect_eq enable-disable-20 0 "$(buffer_cycles "$dev" 20)"
expect_eq board-resets-still-3 3 "$(cat "$dev/board_resets")"
echo 0 >"$dev/scan_elements/in_voltage0_en"

# --- continuous (acoustic emission): the sample index carries on -------------
# 4096-sample blocks at 625 kS/s (6.55 ms each); the blocks the board would
# have made between the last one and the restart are counted lost and
# left as a gap in the index, which never goes back.
check set-rate-ae sh -c "echo 625000 >$dev/sampling_frequency"
check set-length-ae sh -c "echo 4096 >$dev/record_length"
echo 0 >$SIM/ae_rate_hz
CREC=$((32 * 256 + 2 * 256))
BLOCK_NS=6553600
lost0=$(ustat reset_lost)
ovr0=$(cat "$dev/overrun_count")
mark
timeout 60 usacq --continuous -N 300 -t 3000 >/tmp/c.bin 2>/tmp/c.err &
bg=$!
wait_for before-reset-ae 20 sh -c "[ \$(wc -c </tmp/c.bin) -ge $((50 * CREC)) ]" || exit 1
check reset-ae sh -c "echo 1 >$SIM/reset"
wait_for recovered-ae 10 grep -qx 4 "$dev/board_resets" && pass recovered-ae
rc=0
wait $bg || rc=$?
expect_eq usacq-ae-exit 0 "$rc"
expect_eq ae-bytes $((300 * CREC)) "$(wc -c </tmp/c.bin)"
lost=$(($(ustat reset_lost) - lost0))
ovr=$(($(cat "$dev/overrun_count") - ovr0))
# one line a block: sample index, timestamp (ns)
od -An -tu8 -v /tmp/c.bin | tr -s ' ' '\n' | grep . |
	awk '{ i = (NR - 1) % 1088 } i == 1025 { x = $1 } i == 1056 { print x, $1 }' >/tmp/c.txt
expect_eq ae-index-from-0 0 "$(head -n 1 /tmp/c.txt | cut -d' ' -f1)"
expect_eq ae-index-steps 0 "$(awk 'NR > 1 && ($1 <= p || ($1 - p) % 4096) { b++ } { p = $1 } END { print b + 0 }' /tmp/c.txt)"
# every block missing from the stream is counted: the reset's (and any
# overrun's, none expected)
expect_eq ae-gaps-counted $((lost + ovr)) "$(awk 'NR > 1 { g += ($1 - p) / 4096 - 1 } { p = $1 } END { print g + 0 }' /tmp/c.txt)"
# the reset's gap: the widest; in blocks by the timestamps
gapb=$(awk -v b=$BLOCK_NS 'NR > 1 && $1 - p > w { w = $1 - p; g = int(($2 - t) / b + 0.5) } { p = $1; t = $2 } END { print g + 0 }' /tmp/c.txt)
echo "continuous reset: reset_lost $lost, overruns $ovr, stream gap $gapb blocks"
# the watchdog sees a reset one to two 500 ms periods after it: at least
# 76 blocks; the driver counts the gap in block periods from the same
# timestamps as the stream's, less one
expect_ge ae-lost-min 70 "$lost"
expect_le ae-lost-by-time 1 "$(awk -v l="$lost" -v g="${gapb:-0}" 'BEGIN { d = g - 1 - l; print d < 0 ? -d : d }')"
expect_eq ae-reset-warning 1 "$(since | grep -c 'cellsense-us .*board was reset (CTRL 0x00000000): settings restored, streaming again')"

# --- unbind with a reset pending, then module removal -------------------------
spidev=$(basename "$(readlink -f "$dev/..")")
timeout 60 iio_readdev -b 1 us0 voltage0 >/dev/null 2>&1 &
bg=$!
wait_for stream-unbind 5 grep -q 1 "$dev/buffer/enable" || exit 1
echo 1 >"$SIM/reset"
check unbind-after-reset sh -c "echo $spidev >/sys/bus/spi/drivers/cellsense-us/unbind"
rc=0
wait $bg || rc=$?
expect_ne reader-ended 124 "$rc"
check rmmod-us rmmod cellsense_us
check rmmod-board rmmod cellsense_sim_us
check rmmod-simbus rmmod cellsense_simbus
