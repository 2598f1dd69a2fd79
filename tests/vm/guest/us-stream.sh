#!/bin/sh
# us-stream.sh - the ultrasonic digitiser driver on the simulated pouch cell:
# device and attributes, shots fired on the us-trigger GPIO line (usacq)
# and their layout, time of flight following the state of charge set in
# the sim (ustof), acoustic-emission hits against the sim's burst count
# (aehits), both also read through libiio (ustof -d against
# iio_readdev | ustof, aehits -d), settings while streaming, a dead board,
# unbind while streaming.
. /tests/lib.sh

SIM=/sys/devices/platform/cellsense-sim/us
BLK=256
REC=$((8 * BLK + 2 * BLK))	# 1024 samples, shot header, timestamp

load_cellsense cellsense_sim_us || exit 1
load_cellsense cellsense_us || exit 1

iio_device us-device us0 dev || exit 1
pass us-device

expect_eq name us-digitiser "$(cat "$dev/name")"
for a in sampling_frequency sampling_frequency_available record_length \
	record_length_available in_voltage_hardwaregain \
	in_voltage_hardwaregain_available oversampling_ratio \
	oversampling_ratio_available mode mode_available overrun_count; do
	check "attr-$a" test -r "$dev/$a"
done
expect_eq scan-type "le:s16/16X128>>0" "$(cat "$dev/scan_elements/in_voltage0_type")"
expect_eq index-type "le:u64/64X32>>0" "$(cat "$dev/scan_elements/in_index_type")"
expect_eq ts-type "le:s64/64X32>>0" "$(cat "$dev/scan_elements/in_timestamp_type")"
check block-31 test -e "$dev/scan_elements/in_voltage31_en"
expect_eq rate-default 20000000 "$(cat "$dev/sampling_frequency")"
expect_eq length-default 1024 "$(cat "$dev/record_length")"
expect_match gain-default '^20\.0+ dB$' "$(cat "$dev/in_voltage_hardwaregain")"

info=$(iio_info 2>&1)
expect_match iio-info-device 'us-digitiser' "$info"
expect_match iio-info-label 'label: us0' "$info"

# The reference pulse: the sim's (5 MHz, 60 %, origin 5 sigma early).
ussim -F 20000000 --f0 5000000 --bandwidth 0.6 --pulse-out /tmp/pulse -N 0 >/dev/null

# Shots: 12 triggers at 20 Hz through libgpiod, one record each.
t0=$(cat $SIM/triggers)
echo 0 >$SIM/soc_permille
check usacq-soc0 sh -c "usacq -N 12 -r 20 >/tmp/soc0.bin"
expect_eq shots-bytes $((12 * REC)) "$(wc -c </tmp/soc0.bin)"
expect_eq triggers 12 $(($(cat $SIM/triggers) - t0))
# shot numbers 0..11 in the header, first sample index 0 (pulse mode)
expect_eq shot-0 0 "$(od -An -tu8 -j $((8 * BLK)) -N 8 /tmp/soc0.bin | tr -d ' ')"
expect_eq shot-11 11 "$(od -An -tu8 -j $((11 * REC + 8 * BLK)) -N 8 /tmp/soc0.bin | tr -d ' ')"
truth0=$(cat $SIM/tof_ns)

echo 1000 >$SIM/soc_permille
check usacq-soc100 sh -c "usacq -N 12 -r 20 >/tmp/soc100.bin"
truth100=$(cat $SIM/tof_ns)
echo "truth: back wall $truth0 ns at 0 %, $truth100 ns at 100 %"

tof() { # FILE: mean tof of the back-wall echo, ns (3 decimals)
	ustof -n 1024 -H -T -p /tmp/pulse -g front:0.5:3 -g back:7:13 -q tof "$1" |
		awk -F'\t' '$2 == "us0/back" && $6 == "ok" { s += $4; n++ }
			END { if (n == 12) printf "%.3f\n", s / n; else print "n=" n }'
}
m0=$(tof /tmp/soc0.bin)
m100=$(tof /tmp/soc100.bin)
echo "measured: $m0 ns at 0 %, $m100 ns at 100 %"
# within 1 ns of the truth (noise gives ~0.1 ns), and the shift within 1 ns
close() { awk -v a="$1" -v b="$2" -v d="$3" 'BEGIN { x = a - b; exit !(x < d && x > -d) }'; }
check tof-soc0 close "$m0" "$truth0" 1
check tof-soc100 close "$m100" "$truth100" 1
check tof-shift close "$(awk -v a="$m100" -v b="$m0" 'BEGIN { print a - b }')" \
	"$(awk -v a="$truth100" -v b="$truth0" 'BEGIN { print a - b }')" 1

# ustof -d: the same board through libiio (layout, rate and label from the
# device), against iio_readdev | ustof, 12 shots each fired with gpioset
# (each waited for in the sim's record count), at 100 % as above.
set -- $(gpiofind us-trigger)
tchip=$1 toff=$2
shots() { # N: fire N shots once the reader's buffer is on, one at a time
	wait_for "$2-streaming" 10 grep -qx 1 "$dev/buffer/enable" || return 1
	_k=0
	while [ $_k -lt "$1" ]; do
		_r=$(cat $SIM/records)
		gpioset "$tchip" "$toff=1" && gpioset "$tchip" "$toff=0" || return 1
		wait_for "$2-shot" 5 sh -c "[ \$(cat $SIM/records) -gt $_r ]" || return 1
		_k=$((_k + 1))
	done
}
backtof() { # FILE: ok back-wall records and their mean tof, ns
	awk -F'\t' '$2 == "us0/back" && $6 == "ok" { s += $4; n++ }
		END { if (n) printf "%d %.3f\n", n, s / n; else print "0 x" }' "$1"
}
o0=$(cat "$dev/overrun_count")
blocks=$(seq -s ' ' 0 7 | sed 's/[0-9]*/voltage&/g')
run_bg rdpipe sh -c "iio_readdev -b 1 -s 12 us0 $blocks index timestamp |
	ustof -n 1024 -H -T -p /tmp/pulse -g front:0.5:3 -g back:7:13 -q tof >/tmp/rd.rec"
shots 12 readdev
wait_bg readdev-ustof rdpipe
run_bg devrun sh -c "ustof -d us0 --scans 12 -p /tmp/pulse -g front:0.5:3 \
	-g back:7:13 -q tof >/tmp/dev.rec 2>/tmp/dev.err"
shots 12 ustof-d
wait_bg ustof-d devrun
cat /tmp/dev.err
expect_match ustof-d-layout 'us0 on local:: 1024 samples le:s16/16>>0 in blocks of 128, shot header, timestamp, 2560 bytes a scan, 2e\+07 samples/s, mode pulse-echo' "$(cat /tmp/dev.err)"
set -- $(backtof /tmp/rd.rec)
nrd=$1 mrd=$2
set -- $(backtof /tmp/dev.rec)
ndev=$1 mdev=$2
echo "back wall: iio_readdev | ustof $nrd shots, $mrd ns; ustof -d $ndev shots, $mdev ns; truth $truth100 ns"
expect_eq readdev-shots 12 "$nrd"
expect_eq ustof-d-shots 12 "$ndev"
expect_eq ustof-d-overruns "$o0" "$(cat "$dev/overrun_count")"
check ustof-d-truth close "$mdev" "$truth100" 1
check ustof-d-vs-readdev close "$mdev" "$mrd" 1
# same records, same columns: the time_ns from the timestamps, both
expect_eq ustof-d-header "$(head -n 1 /tmp/rd.rec)" "$(head -n 1 /tmp/dev.rec)"
# a missing device is named, with what there is
rc=0
ustof -d us9 -p /tmp/pulse -g back:7:13 >/dev/null 2>/tmp/miss.err || rc=$?
expect_eq ustof-d-missing-rc 1 "$rc"
expect_match ustof-d-missing "no device 'us9' in local: \(it has: .*us0 \[us-digitiser\]" "$(cat /tmp/miss.err)"

# Through-transmission: the direct arrival at half the round trip.
echo 500 >$SIM/soc_permille
check usacq-through sh -c "usacq -m through -N 4 -r 20 >/tmp/thr.bin"
expect_eq mode-through through "$(cat "$dev/mode")"
tt=$(ustof -n 1024 -H -T -p /tmp/pulse -g direct:3:7 -q tof /tmp/thr.bin |
	awk -F'\t' '$6 == "ok" { s += $4; n++ } END { if (n) printf "%.3f\n", s / n }')
echo "through: $tt ns, truth $(cat $SIM/tof_ns)"
check tof-through close "$tt" "$(cat $SIM/tof_ns)" 1

# Acoustic emission: the continuous stream at 625 kS/s, 4096-sample blocks.
# Bursts until 10 have come, then none: every burst is in the recording.
echo 625000 >"$dev/sampling_frequency"
echo 4096 >"$dev/record_length"
echo 20 >$SIM/ae_rate_hz
b0=$(cat $SIM/ae_bursts)
o0=$(cat "$dev/overrun_count")
run_bg acq sh -c "usacq --continuous -N 400 -t 2000 >/tmp/ae.bin"
wait_for ae-bursts 30 sh -c "[ \$(cat $SIM/ae_bursts) -ge $((b0 + 10)) ]"
echo 0 >$SIM/ae_rate_hz
bursts=$(($(cat $SIM/ae_bursts) - b0))
wait $acq && rc=0 || rc=$?
expect_eq usacq-ae 0 "$rc"
expect_eq ae-overruns "$o0" "$(cat "$dev/overrun_count")"
expect_eq ae-bytes $((400 * (32 * BLK + 2 * BLK))) "$(wc -c </tmp/ae.bin)"
hits=$(aehits -n 4096 -H -T -F 625000 -t 44 /tmp/ae.bin | grep -c '	amplitude	')
echo "AE: $bursts bursts injected, $hits hits"
expect_eq ae-hits "$bursts" "$hits"

# aehits -d: the continuous stream through libiio, block length, rate and
# label from the device; bursts until 10 have come, every one a hit.
b0=$(cat $SIM/ae_bursts)
o0=$(cat "$dev/overrun_count")
echo 20 >$SIM/ae_rate_hz
run_bg aedev sh -c "aehits -d us0 --scans 400 -t 44 >/tmp/aed.rec 2>/tmp/aed.err"
wait_for aehits-d-bursts 30 sh -c "[ \$(cat $SIM/ae_bursts) -ge $((b0 + 10)) ]"
echo 0 >$SIM/ae_rate_hz
bursts=$(($(cat $SIM/ae_bursts) - b0))
wait_bg aehits-d aedev
cat /tmp/aed.err
expect_match aehits-d-layout 'us0 on local:: 4096 samples .*, shot header, timestamp, 8704 bytes a scan, 625000 samples/s, mode continuous' "$(cat /tmp/aed.err)"
hits=$(grep -c '	us0	amplitude	' /tmp/aed.rec)
echo "aehits -d: $bursts bursts injected, $hits hits"
expect_eq aehits-d-hits "$bursts" "$hits"
expect_eq aehits-d-overruns "$o0" "$(cat "$dev/overrun_count")"

# Settings while streaming: the time base is refused, the receiver is not.
echo 0 >$SIM/ae_rate_hz
timeout 60 iio_readdev -b 2 us0 voltage0 index timestamp >/tmp/bg.bin 2>/tmp/bg.err &
bg=$!
wait_for streaming 5 grep -q 1 "$dev/buffer/enable"
check rate-busy sh -c "! echo 1250000 >$dev/sampling_frequency"
check length-busy sh -c "! echo 2048 >$dev/record_length"
check mode-busy sh -c "! echo pulse-echo >$dev/mode"
check gain-live sh -c "echo 30 >$dev/in_voltage_hardwaregain"
expect_match gain-readback '^30\.0+ dB$' "$(cat "$dev/in_voltage_hardwaregain")"
check osr-live sh -c "echo 4 >$dev/oversampling_ratio"
expect_eq osr-readback 4 "$(cat "$dev/oversampling_ratio")"
check osr-refused sh -c "! echo 3 >$dev/oversampling_ratio"
# the stream carries on: the first-sample index keeps counting
wait_for stream-grows 10 sh -c "[ \$(wc -c </tmp/bg.bin) -ge $((16 * 768)) ]"
i1=$(od -An -tu8 -j $((256 + 8)) -N 8 /tmp/bg.bin | tr -d ' ')
i2=$(od -An -tu8 -j $((768 + 256 + 8)) -N 8 /tmp/bg.bin | tr -d ' ')
expect_eq index-step 4096 $((i2 - i1))

# Unbind while streaming: the reader ends, nothing hangs.
spidev=$(basename "$(readlink -f "$dev/..")")
check unbind-streaming sh -c "echo $spidev >/sys/bus/spi/drivers/cellsense-us/unbind"
rc=0
wait $bg || rc=$?
expect_ne readdev-ended 124 "$rc"
check rebind sh -c "echo $spidev >/sys/bus/spi/drivers/cellsense-us/bind"
iio_device us-rebound us0 dev || exit 1

# A dead board: shots do not arrive (counted, exit 3), the gain cannot be
# read, the kernel log says so; back alive, shots arrive again.
echo silent >$SIM/fault
rc=0
usacq -N 3 -r 10 -t 300 >/tmp/dead.bin 2>/tmp/dead.err || rc=$?
expect_eq dead-usacq 3 "$rc"
check dead-counted grep -q "3 of 3 shots missing" /tmp/dead.err
check dead-gain sh -c "! cat $dev/in_voltage_hardwaregain"
echo none >$SIM/fault
check alive-again sh -c "usacq -N 3 -r 10 >/tmp/alive.bin"
expect_eq alive-bytes $((3 * REC)) "$(wc -c </tmp/alive.bin)"

check rmmod-us rmmod cellsense_us
check rmmod-sim-us rmmod cellsense_sim_us
check no-board-dir test ! -e $SIM
