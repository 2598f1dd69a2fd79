# aehits on a waveform set as AE systems record it: each record one
# triggered transient, cut by the record's end while still above the
# threshold. With -w every transient is one hit, at its own time, none
# truncated; amplitude in dB_AE and energy in eu from the front-end's scale
# (16-bit, +-1 V, 40 dB preamplifier), the amplitude within 0.5 dB of the
# burst's; PDT 0 (off) is taken; --ref with a scale is refused.
set -eu
. "$SRC/tests/tools/common/expect.sh"
"$BIN/ussim" --ae --transients -N 40 -n 512 -F 2000000 -r 10 \
	--amp 2000:20000 --noise 5 --truth "$TMPDIR/truth" >"$TMPDIR/w"
vpc=0.000030517578125
"$BIN/aehits" -w -n 512 -F 2000000 -r 10 --volts-per-count $vpc \
	--gain-db 40 -t 32 --pdt 0 "$TMPDIR/w" >"$TMPDIR/h"
awk -F'\t' -v vpc=$vpc '
FNR == 1 { next }
FILENAME == ARGV[1] { bt[++nb] = $1; ba[nb] = $4; next }
$3 == "amplitude" {
	nh++
	if ($5 != "dB_AE" || $6 != "ok") { print "amplitude: " $0; bad = 1 }
	# the burst of record k begins at k * 100 ms + 64 samples (32 us);
	# its first crossing within its 20 us rise
	k = int($1 / 100000000) + 1
	if ($1 < bt[k] || $1 > bt[k] + 20000) { print "time " $1 " burst " bt[k]; bad = 1 }
	want = 20 * log(ba[k] * vpc / 100 / 1e-6) / log(10)
	if ($4 - want > 0.5 || want - $4 > 0.5) { print "amplitude " $4 " dB_AE, burst " want; bad = 1 }
}
$3 == "energy" && $5 != "eu" { print "energy unit " $5; bad = 1 }
$3 == "hit_rate" { print "hit_rate in a waveform set"; bad = 1 }
END {
	printf "%d transients, %d hits\n", nb, nh
	exit bad || nh != nb || nb != 40
}' "$TMPDIR/truth" "$TMPDIR/h"
! grep -q truncated "$TMPDIR/h"

# the same records as one stream: the hits run into the next record
"$BIN/aehits" -n 512 -F 2000000 --volts-per-count $vpc --gain-db 40 -t 32 \
	"$TMPDIR/w" >"$TMPDIR/h2"
[ "$(grep -c '	amplitude	' "$TMPDIR/h2")" -lt 40 ]

expect 2 "one or the other" "$BIN/aehits" --ref 3 --volts-per-count 1e-4
expect 2 "pdt" "$BIN/aehits" --pdt -1
