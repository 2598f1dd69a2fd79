# ustof says what is wrong with its settings instead of writing lost or
# misaligned values in silence: every gate lost in the first shots (a wrong
# sampling rate) gives one message naming what to check; -H on data without
# shot headers stops at the first record with its offset (no absurd counts
# of missing shots); a wrong record length (records out of step) is named.
set -eu
. "$SRC/tests/tools/common/expect.sh"
"$BIN/ussim" -N 20 --pulse-out "$TMPDIR/p" >"$TMPDIR/a"
"$BIN/ussim" -N 20 -H >"$TMPDIR/ah"

# the right settings: no message at all
"$BIN/ustof" -p "$TMPDIR/p" -g e:5:15 "$TMPDIR/a" >"$TMPDIR/o" 2>"$TMPDIR/e"
[ ! -s "$TMPDIR/e" ]

# -F forgotten (the data is at 20 MS/s, told 50): one message, once
expect 0 "every gate lost in the first 10 shots (10 weak" \
	"$BIN/ustof" -p "$TMPDIR/p" -g e:5:15 -F 50e6 "$TMPDIR/a"
grep -q "check the sampling rate (-F 50000000 Hz puts gate e at samples 250-749 of 1024)" "$TMPDIR/e"
[ "$(grep -c 'every gate lost' "$TMPDIR/e")" -eq 1 ]
[ "$(grep -c '	tof	nan	ns	lost:weak	' "$TMPDIR/o")" -eq 20 ]

# fewer shots than 10: said at the end
head -c $((3 * 2048)) "$TMPDIR/a" >"$TMPDIR/a3"
expect 0 "every gate lost in the first 3 shots" \
	"$BIN/ustof" -p "$TMPDIR/p" -g e:5:15 -F 50e6 "$TMPDIR/a3"

# -H on data without headers: stopped at once, exit 3, no shot counts
expect 3 "record 0 (byte offset 0): the 256 bytes after its samples are not a shot header" \
	"$BIN/ustof" -H -p "$TMPDIR/p" -g e:5:15 "$TMPDIR/a"
! grep -q "shots missing before" "$TMPDIR/e"
[ "$(grep -c '	tof	' "$TMPDIR/o")" -eq 0 ]

# with headers, a wrong -n: the header is not where it should be
expect 3 "not a shot header" \
	"$BIN/ustof" -H -n 1000 -p "$TMPDIR/p" -g e:5:15 "$TMPDIR/ah"

# without headers, a wrong -n: the echo steps 24 samples a shot
expect 3 "gate e's echo moves by 24.0 samples every shot" \
	"$BIN/ustof" -n 1000 -p "$TMPDIR/p" -g e:5:15 "$TMPDIR/a"
grep -q "Check the record length (-n 1000)" "$TMPDIR/e"

# an echo that drifts 2 ns a shot (0.04 samples) is not out of step
"$BIN/ussim" -N 50 --drift 2 >"$TMPDIR/d"
"$BIN/ustof" -p "$TMPDIR/p" -g e:5:15 "$TMPDIR/d" >"$TMPDIR/o" 2>"$TMPDIR/e"
[ ! -s "$TMPDIR/e" ]
