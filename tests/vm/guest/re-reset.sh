#!/bin/sh
# re-reset.sh - the reference-electrode ADC (ADS131M04) resets by itself
# while streaming (the sim's "reset": registers at their defaults,
# STATUS.RESET set, converting on at the default rate): the driver sees the
# flag in the next frame, drops that conversion, puts its settings back
# (rate, gains, input CRC), the samples keep coming at the rate set,
# board_resets counts it, the kernel log says so once and the conversions
# the reset cost are counted in reset_lost. A reset while stopped is put
# right at the next start, one before a direct read at that read, and a
# board that goes silent (its watchdog, new) and comes back reset is too.
. /tests/lib.sh

mark() { _mark=$(dmesg | wc -l); }
since() { dmesg | tail -n +$((_mark + 1)); }

SIM=/sys/devices/platform/cellsense-sim/re
CH="voltage0 voltage1 voltage2 current3 timestamp"
PERIOD_NS=3968750	# 251.968503 samples/s

load_cellsense cellsense_sim_re || exit 1
load_cellsense cellsense_re || exit 1
iio_device re-device re0 dev || exit 1
pass re-device
mount -t debugfs none /sys/kernel/debug 2>/dev/null || true
dbg=/sys/kernel/debug/iio/$(basename "$dev")
check debugfs test -e "$dbg/re_stats" || exit 1

reg() { echo "$1" >"$dbg/direct_reg_access" && cat "$dbg/direct_reg_access"; }
# the settings as the part holds them: MODE CLOCK GAIN1
board_settings() { echo "$(reg 0x02) $(reg 0x03) $(reg 0x04)"; }
rstat() { sed -n "s/^$1 //p" "$dbg/re_stats"; }

check attr-board-resets test -r "$dev/board_resets"
check board-resets-ro sh -c "! echo 0 >$dev/board_resets"
expect_eq board-resets-0 0 "$(cat "$dev/board_resets")"
expect_eq reset-knob-wo 200 "$(stat -c %a "$SIM/reset")"
check reset-knob-refuses-0 sh -c "! echo 0 >$SIM/reset"

# (MODE: input CRC on, the RESET flag cleared, as the driver writes it.)
# A quiet cell (every code steady), 251.968503 samples/s (OSR 16256), the
# anode at PGA gain 2: away from the part's defaults (4000/s, gain 1).
echo 0 >"$SIM/noise_uv"
echo 0 >"$SIM/mains_uv"
check set-rate sh -c "echo 251.968503 >$dev/sampling_frequency"
s2=$(cut -d' ' -f2 "$dev/in_voltage2_scale_available")
check set-gain sh -c "echo $s2 >$dev/in_voltage2_scale"
WANT="0x1110 0xF1E 0x100"
expect_eq settings-before "$WANT" "$(board_settings)"
raw0=$(cat "$dev/in_voltage2_raw")

# scans FILE: one line a scan: anode code, timestamp in ns
scans() { od -An -v -t d4 -w24 "$1" | awk '{ printf "%d %.0f\n", $3, $6 * 4294967296 + ($5 < 0 ? $5 + 4294967296 : $5) }'; }
# off FILE: scans whose anode code is more than 1 % off the first
off() { awk 'NR == 1 { a = $1 } { d = $1 - a; if (d < 0) d = -d; if (d * 100 > a) n++ } END { print n + 0 }' "$1"; }
# missing FILE: conversions missing by the timestamps (steps of 1.5 periods or more)
missing() { awk -v p=$PERIOD_NS 'NR > 1 { n = int(($2 - t) / p + 0.5); if (n > 1) m += n - 1 } { t = $2 } END { print m + 0 }' "$1"; }

# --- reset while streaming ---------------------------------------------------
N=1500
timeout 60 iio_readdev -T 10000 -b 25 -s $N re0 $CH >/tmp/r.bin 2>/tmp/r.err &
bg=$!
wait_for streaming 5 grep -q 1 "$dev/buffer/enable" || exit 1
wait_for before-reset 20 sh -c "[ \$(wc -c </tmp/r.bin) -ge $((300 * 24)) ]" || exit 1
mark
check reset-streaming sh -c "echo 1 >$SIM/reset"
wait_for recovered 10 grep -qx 1 "$dev/board_resets" && pass recovered
wait_bg reader bg
expect_eq reader-bytes $((N * 24)) "$(wc -c </tmp/r.bin)"
expect_eq settings-after "$WANT" "$(board_settings)"
expect_eq rate-attr-after 251.968503 "$(cat "$dev/sampling_frequency")"
scans /tmp/r.bin >/tmp/r.txt
# gain 2 on the anode before and after; the part's default (gain 1) would
# halve the code; no conversion made on the defaults reaches the stream
expect_eq anode-codes-steady 0 "$(off /tmp/r.txt)"
# the rate after the reset is the one set, not the part's 4000/s
step=$(tail -n 500 /tmp/r.txt | awk 'NR == 1 { t0 = $2 } END { printf "%d\n", ($2 - t0) / (NR - 1) / 1000 }')
echo "mean step over the last 500 scans: $step us"
expect_ge step-after-min 3000 "$step"
lost=$(rstat reset_lost)
gaps=$(missing /tmp/r.txt)
echo "reset_lost $lost, conversions missing by the timestamps $gaps"
expect_ge reset-lost-min 1 "$lost"
expect_le reset-lost-max "$gaps" "$lost"
log=$(since)
echo "$log" | grep cellsense-re || true
expect_eq reset-warning 1 "$(echo "$log" | grep -c 'cellsense-re .*board was reset (STATUS 0x[0-9a-f]*): settings restored, streaming again')"
expect_eq nothing-else "" "$(echo "$log" | grep -E 'cellsense-re|simbus' | grep -v 'board was reset (STATUS')"

# --- reset while stopped: put right at the next start -------------------------
mark
check reset-stopped sh -c "echo 1 >$SIM/reset"
expect_eq board-lost-settings "0x510 0xF0E 0x0" "$(board_settings)"
timeout 30 iio_readdev -b 25 -s 100 re0 $CH >/tmp/s.bin 2>/dev/null
expect_eq stopped-reader-bytes 2400 "$(wc -c </tmp/s.bin)"
expect_eq board-resets-2 2 "$(cat "$dev/board_resets")"
expect_eq settings-restarted "$WANT" "$(board_settings)"
scans /tmp/s.bin >/tmp/s.txt
expect_eq stopped-codes-steady 0 "$(off /tmp/s.txt)"
log=$(since)
expect_eq stopped-warning 1 "$(echo "$log" | grep -c 'cellsense-re .*board was reset while stopped: settings restored')"
expect_eq stopped-nothing-else "" "$(echo "$log" | grep -E 'cellsense-re|simbus' | grep -v 'board was reset while stopped')"

# --- reset before a direct read: the read gets a conversion made after -------
mark
check reset-direct sh -c "echo 1 >$SIM/reset"
raw1=$(cat "$dev/in_voltage2_raw")
echo "anode raw $raw0 before, $raw1 after"
# the same within 1 % (the cell wanders a few LSB); gain 1 would halve it
expect_eq direct-gain-kept 0 "$(awk -v a="$raw0" -v b="$raw1" 'BEGIN { d = b - a; if (d < 0) d = -d; print (d * 100 > a) }')"
expect_eq board-resets-3 3 "$(cat "$dev/board_resets")"
expect_eq settings-direct "$WANT" "$(board_settings)"
expect_eq direct-warning 1 "$(since | grep -c 'cellsense-re .*board was reset (STATUS 0x[0-9a-f]*): settings restored$')"

# --- a power cut: silent (the watchdog says so), then back reset --------------
mark
lost0=$(rstat reset_lost)
timeout 60 iio_readdev -T 10000 -b 25 -s 600 re0 $CH >/tmp/p.bin 2>/tmp/p.err &
bg=$!
wait_for streaming-cut 5 grep -q 1 "$dev/buffer/enable" || exit 1
wait_for before-cut 20 sh -c "[ \$(wc -c </tmp/p.bin) -ge $((100 * 24)) ]" || exit 1
check power-off sh -c "echo silent >$SIM/fault"
wait_for dead 10 grep -qx 'board_dead 1' "$dbg/re_stats" && pass dead
check power-on sh -c "echo 1 >$SIM/reset && echo none >$SIM/fault"
wait_for recovered-cut 10 grep -qx 4 "$dev/board_resets" && pass recovered-cut
wait_bg reader-cut bg
expect_eq cut-reader-bytes $((600 * 24)) "$(wc -c </tmp/p.bin)"
expect_eq cut-settings "$WANT" "$(board_settings)"
scans /tmp/p.bin >/tmp/p.txt
expect_eq cut-codes-steady 0 "$(off /tmp/p.txt)"
cut=$(($(rstat reset_lost) - lost0))
gaps=$(missing /tmp/p.txt)
echo "outage: reset_lost +$cut, conversions missing by the timestamps $gaps"
# the watchdog waits 250 ms (63 periods) before it calls the board dead
expect_ge cut-lost-min 60 "$cut"
expect_le cut-lost-max "$gaps" "$cut"
log=$(since)
echo "$log" | grep cellsense-re || true
expect_eq cut-not-answering 1 "$(echo "$log" | grep -c 'cellsense-re .*board not answering (ID read')"
expect_eq cut-reset-warning 1 "$(echo "$log" | grep -c 'cellsense-re .*board was reset (STATUS')"
expect_match cut-answering-again 'cellsense-re .*board answering again' "$log"

# --- unbind with a reset pending, then module removal -------------------------
spidev=$(basename "$(readlink -f "$dev/..")")
timeout 60 iio_readdev -b 5 re0 $CH >/dev/null 2>&1 &
bg=$!
wait_for stream-unbind 5 grep -q 1 "$dev/buffer/enable" || exit 1
echo 1 >"$SIM/reset"
check unbind-after-reset sh -c "echo $spidev >/sys/bus/spi/drivers/cellsense-re/unbind"
rc=0
wait $bg || rc=$?
expect_ne reader-ended 124 "$rc"
check rmmod-re rmmod cellsense_re
check rmmod-board rmmod cellsense_sim_re
check rmmod-simbus rmmod cellsense_simbus
