#!/bin/sh
# fbg-switch.sh - the optical switch and the region of interest: every
# spectrum is tagged (in_index) with the fibre it came from, fibres cycle
# in the order asked, each fibre's gratings sit where the sim says (per
# grating temperature), the switch sequence changes cleanly while
# streaming, and fewer enabled blocks mean a smaller readout (ROI).
. /tests/lib.sh

SIM=/sys/devices/platform/cellsense-sim/fbg

load_cellsense cellsense_sim_fbg || exit 1
load_cellsense cellsense_fbg || exit 1
iio_device fbg-device fbg0 dev || exit 1
pass fbg-device

expect_eq fibres-available "0 1 2 3" "$(cat "$dev/fibres_available")"
expect_eq fibres-default "0" "$(cat "$dev/fibres")"
expect_eq index-type "le:u32/32X64>>0" "$(cat "$dev/scan_elements/in_index_type")"
expect_eq index-scan-index 4 "$(cat "$dev/scan_elements/in_index_index")"
expect_eq ts-scan-index 5 "$(cat "$dev/scan_elements/in_timestamp_index")"
check fibre-range sh -c "! echo 4 >$dev/fibres"
check fibre-empty sh -c "! echo '' >$dev/fibres"
iio_info 2>&1 | grep -q 'fibres value: 0' && pass iio-info-fibres || fail iio-info-fibres "not in iio_info"

# words FILE: the file as u32 words, one a line
words() { od -An -tu4 -v "$1" | tr -s ' ' '\n' | grep .; }
# tags FILE WORDS_PER_RECORD OFFSET: word OFFSET of each record
tags() { words "$1" | awk -v n="$2" -v o="$3" '(NR - 1) % n == o'; }
# peak pixel of block 0 in each record of FILE (records of RECB bytes)
peaks() {
	od -An -tu2 -v "$1" | tr -s ' ' '\n' | grep . |
		awk -v n=$(($2 / 2)) '{ i = (NR - 1) % n; if (i == 0) { m = -1 }
			if (i < 128 && $1 > m) { m = $1; p = i }
			if (i == n - 1) print p }'
}

# All four fibres in turn: block 0 + tag = 512 bytes a record.
check set-fibres sh -c "echo '0 1 2 3' >$dev/fibres"
expect_eq fibres-readback "0 1 2 3" "$(cat "$dev/fibres")"
timeout 30 iio_readdev -b 8 -s 32 fbg0 intensity0 index >/tmp/sw.bin 2>/tmp/sw.err
expect_eq switch-bytes $((32 * 512)) "$(wc -c </tmp/sw.bin)"
fib=$(tags /tmp/sw.bin 128 64 | tr '\n' ' ')
seq=$(tags /tmp/sw.bin 128 65 | tr '\n' ' ')
echo "fibres: $fib"
echo "sequence: $seq"
expect_eq fibres-cycle 0 "$(echo "$fib" | tr ' ' '\n' | grep . |
	awk 'NR > 1 && $1 != (p + 1) % 4 { bad++ } { p = $1 } END { print bad + 0 }')"
expect_eq sequence-steps 0 "$(echo "$seq" | tr ' ' '\n' | grep . |
	awk 'NR > 1 && $1 != (p + 1) % 65536 { bad++ } { p = $1 } END { print bad + 0 }')"
expect_eq first-pixel-0 0 "$(tags /tmp/sw.bin 128 67 | sort -u | tr -d '\n')"

# Grating 1 of fibre f is at 1530 - 4f nm: pixels 120, 96, 72, 48 (+-1)
paste_fp=$(tags /tmp/sw.bin 128 64 >/tmp/f.txt; peaks /tmp/sw.bin 512 >/tmp/p.txt;
	paste /tmp/f.txt /tmp/p.txt)
bad=$(echo "$paste_fp" | awk '{ e = 120 - 24 * $1; d = $2 - e; if (d < -1 || d > 1) print }' | head -n 3)
expect_eq peaks-per-fibre "" "$bad"

# Per-grating temperature: grating 1 of fibre 2 at 75 degC, the rest 25.
check set-temp-f2 sh -c "echo '75000 25000 25000 25000' >$SIM/fibre2/temperature_mdegc"
expect_eq bragg-f2 "1522500 1537000 1552000 1567000" "$(cat $SIM/fibre2/bragg_pm)"
expect_eq bragg-f0 "1530000 1545000 1560000 1575000" "$(cat $SIM/fibre0/bragg_pm)"
check set-fibre-2 sh -c "echo 2 >$dev/fibres"
timeout 30 iio_readdev -b 4 -s 8 fbg0 intensity0 index >/tmp/f2.bin 2>/dev/null
expect_eq only-fibre-2 "2" "$(tags /tmp/f2.bin 128 64 | sort -u | tr -d '\n')"
# +50 K = +500 pm = 3 pixels: 72 -> 75 (+-1)
expect_eq peak-f2-75 0 "$(peaks /tmp/f2.bin 512 | awk '$1 < 74 || $1 > 76 { b++ } END { print b + 0 }')"
echo 25000 >$SIM/temperature_mdegc
expect_eq temp-all "1522000 1537000 1552000 1567000" "$(cat $SIM/fibre2/bragg_pm)"

# Switch sequence changed while streaming: applied at a spectrum boundary,
# every spectrum tagged with the fibre it really came from.
echo 0 >"$dev/fibres"
timeout 30 iio_readdev -b 4 -s 60 fbg0 intensity0 index >/tmp/chg.bin 2>/dev/null &
bg=$!
wait_for streaming 5 grep -q 1 "$dev/buffer/enable"
wait_for some-spectra 5 sh -c "[ \$(cat $SIM/spectra) -gt 0 ]"
check fibres-while-streaming sh -c "echo 3 >$dev/fibres"
wait_bg switch-stream bg
expect_eq chg-bytes $((60 * 512)) "$(wc -c </tmp/chg.bin)"
tags /tmp/chg.bin 128 64 >/tmp/chg.txt
expect_eq chg-values "03" "$(sort -u /tmp/chg.txt | tr -d '\n')"
expect_eq chg-last 3 "$(tail -n 1 /tmp/chg.txt)"
# every fibre-3 spectrum has its grating 1 at pixel 48, every fibre-0 one at 120
tags /tmp/chg.bin 128 64 >/tmp/f.txt; peaks /tmp/chg.bin 512 >/tmp/p.txt
expect_eq chg-peaks "" "$(paste /tmp/f.txt /tmp/p.txt | awk '{ e = 120 - 24 * $1; d = $2 - e; if (d < -1 || d > 1) print }' | head -n 3)"
echo 0 >"$dev/fibres"

# Region of interest: only block 2 enabled -> the board reads 128 pixels.
mount -t debugfs none /sys/kernel/debug 2>/dev/null || true
stats=$(ls /sys/kernel/debug/iio/iio:device*/fbg_stats | head -n 1)
timeout 30 iio_readdev -b 4 -s 8 fbg0 intensity2 index >/tmp/roi.bin 2>/dev/null
expect_eq roi-bytes $((8 * 512)) "$(wc -c </tmp/roi.bin)"
expect_match roi-stats 'roi_first_pixel 256' "$(cat "$stats")"
expect_match roi-pixels 'roi_pixels 128' "$(cat "$stats")"
expect_eq roi-tag-first 256 "$(tags /tmp/roi.bin 128 67 | sort -u | tr -d '\n')"
# blocks 1 and 3: the ROI spans 1..3, blocks 1 and 3 are pushed
timeout 30 iio_readdev -b 4 -s 8 fbg0 intensity1 intensity3 index >/tmp/roi2.bin 2>/dev/null
expect_eq roi2-bytes $((8 * 768)) "$(wc -c </tmp/roi2.bin)"
expect_match roi2-pixels 'roi_pixels 384' "$(cat "$stats")"
expect_eq roi2-tag-first 128 "$(words /tmp/roi2.bin | awk '(NR - 1) % 192 == 131' | sort -u | tr -d '\n')"
# the pixels of block 3 are where the grating at 1575 nm is: a peak above 10000
pk=$(od -An -tu2 -v -j 256 -N 256 /tmp/roi2.bin | tr -s ' ' '\n' | grep . | sort -n | tail -n 1)
expect_ge roi2-block3-peak 10000 "$pk"

# The default stream is unchanged: pixels only, 1024 bytes a spectrum.
timeout 30 iio_readdev -b 8 -s 8 fbg0 intensity0 intensity1 intensity2 intensity3 >/tmp/px.bin 2>/dev/null
expect_eq pixels-only-bytes $((8 * 1024)) "$(wc -c </tmp/px.bin)"
# and with the tag and the timestamp: 1024 + 256 + 256
timeout 30 iio_readdev -b 8 -s 8 fbg0 intensity0 intensity1 intensity2 intensity3 index timestamp >/tmp/all.bin 2>/dev/null
expect_eq all-bytes $((8 * 1536)) "$(wc -c </tmp/all.bin)"

check dmesg-clean sh -c "! dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace'"
