# Bad lines are named FILE:LINE:COLUMN and skipped, unmapped and unfit
# records are counted and named, good records still go out; exit 3.
set -eu
printf 'time_ns\tsource\tquantity\tvalue\tunit\tstatus\tuncertainty
100\tfbg0/g1\twavelength\t1550.5\tnm\tok\t0.001
oops
200\tfbg0/g1\twavelength\tabc\tnm\tok\t0.001
300\tfbg0/a\twavelength\t1550\tnm\tok\t0.001
400\tfbg0/a\twavelength\t1550\tnm\tok\t0.001
500\tfbg0/g2\twavelength\t1550\tdegC\tok\t0.001
600\tfbg0/g3\twavelength\t1550\tnm\tweird\t0.001
700\tfbg0/g4\twavelength\t1800\tnm\tok\t0.001
' >"$TMPDIR/in.tsv"
set +e
"$BIN/sense2can" -n vcan0 "$TMPDIR/in.tsv" >"$TMPDIR/log" 2>"$TMPDIR/err"
rc=$?
set -e
cat "$TMPDIR/err"
[ "$rc" -eq 3 ] || { echo "exit $rc, wanted 3"; exit 1; }
e="$TMPDIR/in.tsv"
grep -q "^sense2can: $e:3:1: fewer than 5 tab-separated columns" "$TMPDIR/err"
grep -q "^sense2can: $e:4:4: value is not a number" "$TMPDIR/err"
grep -q "^sense2can: $e:5: no map line for fbg0/a wavelength" "$TMPDIR/err"
grep -q "^sense2can: unmapped: fbg0/a wavelength: 2 records" "$TMPDIR/err"
grep -q "^sense2can: $e:7: fbg0/g2 wavelength degC: unit is of another kind" "$TMPDIR/err"
grep -q "^sense2can: $e:8: .*status has no value name" "$TMPDIR/err"
grep -q "^sense2can: $e:9: fbg0/g4 wavelength: .*clamped" "$TMPDIR/err"
grep -q "wrote 2 frames on vcan0; 6 records read, 2 unmapped, 2 rejected, 1 clamped, 2 bad lines skipped" "$TMPDIR/err"
[ "$(wc -l <"$TMPDIR/log")" -eq 2 ]
# Unmapped records alone are reported but are not an error.
printf '1\tfbg0/a\twavelength\t1550\tnm\n' | "$BIN/sense2can" -n 2>"$TMPDIR/err" >/dev/null
grep -q "1 unmapped" "$TMPDIR/err"
# A NUL byte anywhere in a line, also just before its newline, is named
# and the line skipped; a CRLF line is read.
printf '100\tfbg0/g1\twave\000length\t1550\tnm\n100\tfbg0/g1\twavelength\t1550\tnm\000\n200\tfbg0/g1\twavelength\t1551\tnm\r\n' >"$TMPDIR/nul.tsv"
set +e
"$BIN/sense2can" -n vcan0 "$TMPDIR/nul.tsv" >"$TMPDIR/log" 2>"$TMPDIR/err"
rc=$?
set -e
cat "$TMPDIR/err"
[ "$rc" -eq 3 ] || { echo "exit $rc, wanted 3"; exit 1; }
grep -q "^sense2can: $TMPDIR/nul.tsv:1:1: NUL byte in line" "$TMPDIR/err"
grep -q "^sense2can: $TMPDIR/nul.tsv:2:1: NUL byte in line" "$TMPDIR/err"
grep -q "1 record read, .* 2 bad lines skipped" "$TMPDIR/err"
# A DBC or map far larger than any (here /dev/zero) is refused naming the
# file and the limit, not with strerror's "File too large".
. "$SRC/tests/tools/common/expect.sh"
expect 1 "^sense2can: /dev/zero: larger than 64 MiB: not a DBC$" \
	"$BIN/sense2can" -n --dbc /dev/zero
expect 1 "^sense2can: /dev/zero: larger than 64 MiB: not a signal map$" \
	"$BIN/sense2can" -n --map /dev/zero
