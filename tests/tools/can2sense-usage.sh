# can2sense options: usage errors exit 2; a missing interface exits 1.
set -eu
. "$SRC/tests/tools/common/expect.sh"
"$BIN/can2sense" --help | grep -q '^Usage: can2sense \[OPTIONS\] \[FILE\]'
"$BIN/can2sense" --version | grep -q '^can2sense (cellsense) '
expect 2 "unrecognized option '--frobnicate'" "$BIN/can2sense" --frobnicate
expect 2 "too many arguments" "$BIN/can2sense" a b
expect 2 "too many arguments" "$BIN/can2sense" -i can0 file
expect 1 "nosuchcan0: no such network interface" "$BIN/can2sense" -i nosuchcan0
expect 1 "lo: not a CAN interface" "$BIN/can2sense" -i lo
expect 1 "nosuchfile: No such file or directory" "$BIN/can2sense" "$TMPDIR/nosuchfile"
# Empty input: just the header.
"$BIN/can2sense" </dev/null >"$TMPDIR/o" 2>/dev/null
[ "$(cat "$TMPDIR/o")" = "$(printf 'time_ns\tsource\tquantity\tvalue\tunit\tstatus\tuncertainty')" ]
