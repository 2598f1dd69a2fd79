# aehits against ussim's truth: every injected burst found once, no false
# hit, at 24 dB and more above the noise; hit rate records add up; a gap in
# the blocks (overrun) is reported and the stream goes on; a truncated
# block exits 3 with its offset.
set -eu
"$BIN/ussim" --ae -F 625000 -n 1024 --duration 3 --burst-rate 30 \
	--amp 300:10000 --noise 20 -H -T --truth "$TMPDIR/truth" >"$TMPDIR/s"
"$BIN/aehits" -H -T -F 625000 -t 44 "$TMPDIR/s" >"$TMPDIR/h"
awk -F'\t' '
FNR == 1 { next }
FILENAME == ARGV[1] { b[++nb] = $1; next }
$3 == "amplitude" { h[++nh] = $1 }
$3 == "hit_rate" { rate += $4 }
END {
	j = 1
	for (i = 1; i <= nb; i++) {
		while (j <= nh && h[j] < b[i]) j++
		if (j <= nh && h[j] - b[i] < 60000) { m++; j++ }
	}
	printf "bursts %d, hits %d, matched %d, hit_rate sum %d\n", nb, nh, m, rate
	exit !(nb > 40 && m == nb && nh == nb && rate <= nh && rate >= nh - 3)
}' "$TMPDIR/truth" "$TMPDIR/h"

# blocks 10..109 lost (164 ms)
blk=$((2048 + 256 + 256))
{ head -c $((10 * blk)) "$TMPDIR/s"; tail -c +$((110 * blk + 1)) "$TMPDIR/s"; } >"$TMPDIR/gap"
"$BIN/aehits" -H -T -F 625000 -t 44 "$TMPDIR/gap" >"$TMPDIR/h2" 2>"$TMPDIR/e"
grep -q "102400 samples lost before sample 112640 (byte offset 25600)" "$TMPDIR/e"
[ "$(grep -c '	amplitude	' "$TMPDIR/h2")" -lt "$(grep -c '	amplitude	' "$TMPDIR/h")" ]

head -c $((5 * blk + 7)) "$TMPDIR/s" >"$TMPDIR/short"
set +e
"$BIN/aehits" -H -T -F 625000 "$TMPDIR/short" >/dev/null 2>"$TMPDIR/e"
rc=$?
set -e
[ "$rc" -eq 3 ]
grep -q "input ends inside block 5 at byte offset 12800" "$TMPDIR/e"

set +e
"$BIN/aehits" --hdt 0.1 </dev/null >/dev/null 2>"$TMPDIR/e"
rc=$?
set -e
[ "$rc" -eq 2 ]
grep -q "shorter than one sample" "$TMPDIR/e"
