# Options and start-up failures: usage errors exit 2, a missing or non-CAN
# interface exits 1 naming it.
set -eu
. "$SRC/tests/tools/common/expect.sh"
"$BIN/sense2can" --help | grep -q '^Usage: sense2can \[OPTIONS\] IFACE \[FILE\]'
"$BIN/sense2can" --version | grep -q '^sense2can (cellsense) '
expect 2 "unrecognized option '--frobnicate'" "$BIN/sense2can" --frobnicate can0
expect 2 "Try 'sense2can --help'" "$BIN/sense2can" --frobnicate can0
expect 2 "no interface given" "$BIN/sense2can"
expect 2 "too many arguments" "$BIN/sense2can" can0 a b
expect 2 "wait: 'x' is not an integer" "$BIN/sense2can" -w x can0
expect 1 "nosuchcan0: no such network interface" "$BIN/sense2can" nosuchcan0
expect 1 "lo: not a CAN interface" "$BIN/sense2can" lo
expect 1 "nosuchfile: No such file or directory" "$BIN/sense2can" -n can0 "$TMPDIR/nosuchfile"
expect 1 "nosuch.dbc: No such file or directory" "$BIN/sense2can" -n -d "$TMPDIR/nosuch.dbc" can0
# A broken DBC or map is named with its line and column.
printf 'BO_ 784 A: 8 X\n SG_ S : 0|8@3+ (1,0) [0|1] "" X\n' >"$TMPDIR/bad.dbc"
expect 1 "bad.dbc:2:14: expected byte order" "$BIN/sense2can" -n -d "$TMPDIR/bad.dbc" can0
printf '# map\nfbg{Fibre}/g{Grating} wavelength FBG_Wavelength Nope\n' >"$TMPDIR/bad.map"
expect 1 "bad.map:2:49: message FBG_Wavelength has no signal Nope" \
	"$BIN/sense2can" -n -m "$TMPDIR/bad.map" can0
# Dry run needs no interface and no input.
expect 0 "wrote 0 frames on can0" "$BIN/sense2can" -n
# One argument that is a file: the input of a dry run, a named mistake
# without -n (never read as an interface name, never stdin instead).
printf 'time_ns\tsource\tquantity\tvalue\tunit\n1000\tre0/cell\tvoltage\t3.7\tV\n' >"$TMPDIR/recs.tsv"
"$BIN/sense2can" -n "$TMPDIR/recs.tsv" </dev/null >"$TMPDIR/out" 2>"$TMPDIR/err"
grep -q 'recs.tsv is a file: read as the input' "$TMPDIR/err"
grep -q 'wrote 1 frame on can0; 1 record read' "$TMPDIR/err" || { cat "$TMPDIR/err"; exit 1; }
grep -Eq '^\(0\.000001\) can0 330#' "$TMPDIR/out" || { cat "$TMPDIR/out"; exit 1; }
expect 2 "recs.tsv' is a file, not a CAN interface" "$BIN/sense2can" "$TMPDIR/recs.tsv"
