# ustof: usage errors exit 2 naming the problem; a truncated input exits 3
# with its byte offset; shots lost in an overrun (a gap in the shot header)
# are reported and counted, the rest measured.
set -eu
. "$SRC/tests/tools/common/expect.sh"
"$BIN/ustof" --help | grep -q '^Usage: ustof'
"$BIN/ustof" --version | grep -q '^ustof (cellsense) '
"$BIN/ussim" -N 6 -H --pulse-out "$TMPDIR/p" >"$TMPDIR/a"
expect 2 "unrecognized option '--frobnicate'" "$BIN/ustof" --frobnicate
expect 2 "no reference pulse" "$BIN/ustof" -g a:1:2
expect 2 "no gate given" "$BIN/ustof" -p "$TMPDIR/p"
expect 2 "expected NAME:START_US:END_US" "$BIN/ustof" -p "$TMPDIR/p" -g a:1
expect 2 "end 1 us is not after start 2 us" "$BIN/ustof" -p "$TMPDIR/p" -g a:2:1
expect 2 "gate a starts after the record" "$BIN/ustof" -p "$TMPDIR/p" -g a:60:70
expect 2 "polarity 'up'" "$BIN/ustof" -p "$TMPDIR/p" -g a:1:2 --polarity up
expect 2 "quantities 'tof,speed'" "$BIN/ustof" -p "$TMPDIR/p" -g a:1:2 -q tof,speed
printf '\001\002\003' >"$TMPDIR/odd"
expect 2 "not a whole number of 2-byte samples" "$BIN/ustof" -p "$TMPDIR/odd" -g a:1:2
# text is read as text (and named so), whatever its byte count
printf 'abcd' >"$TMPDIR/text"
expect 1 "text: read as text: line 1, column 1: not a number" "$BIN/ustof" -p "$TMPDIR/text" -g a:1:2
expect 1 "nosuch: No such file" "$BIN/ustof" -p "$TMPDIR/p" -g a:5:15 "$TMPDIR/nosuch"

# 6 records of 2048 + 256 bytes; cut the file inside the 6th
head -c $((5 * 2304 + 100)) "$TMPDIR/a" >"$TMPDIR/short"
expect 3 "input ends inside record 5 at byte offset 11520" \
	"$BIN/ustof" -H -p "$TMPDIR/p" -g a:5:15 "$TMPDIR/short"
[ "$(grep -c '	tof	' "$TMPDIR/o")" -eq 5 ]

# record 2 lost: the header's shot numbers say so
{ head -c $((2 * 2304)) "$TMPDIR/a"; tail -c $((3 * 2304)) "$TMPDIR/a"; } >"$TMPDIR/gap"
expect 0 "1 shots missing before shot 3 (byte offset 4608)" \
	"$BIN/ustof" -H -r 10 -p "$TMPDIR/p" -g a:5:15 "$TMPDIR/gap"
grep -q '1 gates lost\|0 gates lost' "$TMPDIR/e"
grep -q "1 shots missing$" "$TMPDIR/e"
# time_ns from the shot numbers: shot 3 at 300 ms
grep -q '^300000000	us0/a	tof' "$TMPDIR/o"
