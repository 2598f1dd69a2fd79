# Float samples (le:f32, be:f64) through the sample-format layer: the same
# spectra and A-scans as integers give the same values (to the integers'
# rounding), a NaN sample is reported with its record and byte offset and
# the record skipped (exit 3), never a crash or a value made of it.
set -eu
. "$SRC/tests/tools/common/expect.sh"

# same seed, same truth: only the u16 rounding differs (0.29 counts rms
# against noise of 20+: far below the stated uncertainty)
"$BIN/fbgsim" -N 20 -g 1530 -g 1560 --ramp 0.3 >"$TMPDIR/u16"
"$BIN/fbgsim" -N 20 -g 1530 -g 1560 --ramp 0.3 -f le:f32 >"$TMPDIR/f32"
"$BIN/fbgsim" -N 20 -g 1530 -g 1560 --ramp 0.3 -f be:f64 >"$TMPDIR/f64"
[ "$(wc -c <"$TMPDIR/f64")" -eq $((20 * 512 * 8)) ]
"$BIN/fbgtrack" -g a:1530 -g b:1560 "$TMPDIR/u16" >"$TMPDIR/ou"
"$BIN/fbgtrack" -f le:f32 -g a:1530 -g b:1560 "$TMPDIR/f32" >"$TMPDIR/of"
"$BIN/fbgtrack" -f be:f64 -g a:1530 -g b:1560 "$TMPDIR/f64" >"$TMPDIR/od"
for o in of od; do
	paste "$TMPDIR/ou" "$TMPDIR/$o" | awk -F'\t' '
	NR == 1 { next }
	{
		if ($6 != "ok" || $13 != "ok") { print "status " $6 " " $13; bad = 1 }
		d = $4 - $11; if (d < 0) d = -d
		if (d > 0.2 * $7) { print "line " NR ": " $4 " vs " $11; bad = 1 }
		n++
	}
	END { if (n != 40) { print n " records"; bad = 1 }; exit bad }'
done

# a NaN in spectrum 2 (quiet NaN, little-endian f32, at pixel 10)
cp "$TMPDIR/f32" "$TMPDIR/nan"
printf '\000\000\300\177' | dd of="$TMPDIR/nan" bs=1 seek=$((2 * 2048 + 40)) \
	conv=notrunc 2>/dev/null
expect 3 "nan: spectrum 2 (byte offset 4096) has a NaN at sample 10: skipped" \
	"$BIN/fbgtrack" -f le:f32 -g a:1530 -g b:1560 "$TMPDIR/nan"
grep -q "1 spectra with NaN or infinite pixels skipped" "$TMPDIR/e"
[ "$(grep -c '	ok	' "$TMPDIR/o")" -eq 38 ]
! grep -q '^2000000000	' "$TMPDIR/o"

# ustof: le:f32 A-scans and pulse against the s16 ones of the same seed
"$BIN/ussim" -N 10 -e 10.013:6000 -e 27.3:-2500 --noise 30 \
	--pulse-out "$TMPDIR/p16" >"$TMPDIR/a16"
"$BIN/ussim" -N 10 -e 10.013:6000 -e 27.3:-2500 --noise 30 -f le:f32 \
	--pulse-out "$TMPDIR/p32" >"$TMPDIR/a32"
"$BIN/ustof" -p "$TMPDIR/p16" -g e0:5:15 -g e1:22:32 --polarity any -q tof \
	"$TMPDIR/a16" >"$TMPDIR/t16"
"$BIN/ustof" -f le:f32 -p "$TMPDIR/p32" -g e0:5:15 -g e1:22:32 \
	--polarity any -q tof "$TMPDIR/a32" >"$TMPDIR/t32"
paste "$TMPDIR/t16" "$TMPDIR/t32" | awk -F'\t' '
NR == 1 { next }
{
	if ($6 != "ok" || $13 != "ok") { print "status " $6 " " $13; bad = 1 }
	d = $4 - $11; if (d < 0) d = -d
	if (d > 0.2 * $7) { print "line " NR ": " $4 " vs " $11; bad = 1 }
	n++
}
END { if (n != 20) { print n " records"; bad = 1 }; exit bad }'
# a NaN in record 3: skipped, reported, exit 3; the others still there
cp "$TMPDIR/a32" "$TMPDIR/anan"
printf '\000\000\300\177' | dd of="$TMPDIR/anan" bs=1 seek=$((3 * 4096 + 8)) \
	conv=notrunc 2>/dev/null
expect 3 "anan: record 3 (byte offset 12288) has a NaN at sample 2: skipped" \
	"$BIN/ustof" -f le:f32 -p "$TMPDIR/p32" -g e0:5:15 -q tof "$TMPDIR/anan"
[ "$(grep -c '	ok	' "$TMPDIR/o")" -eq 9 ]
# aehits: the NaN block is a gap, said and counted
"$BIN/ussim" -N 4 -e 10:6000 --noise 30 -f le:f32 >"$TMPDIR/ae"
printf '\000\000\300\177' | dd of="$TMPDIR/ae" bs=1 seek=4100 conv=notrunc \
	2>/dev/null
expect 3 "ae: block 1 (byte offset 4096) has a NaN at sample 1: skipped" \
	"$BIN/aehits" -f le:f32 -F 20000000 -t 60 "$TMPDIR/ae"
grep -q "1024 samples lost" "$TMPDIR/e"
