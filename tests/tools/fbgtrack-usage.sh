# Options: --help, --version, unknown options and bad values exit 2 with a
# message naming the problem.
set -eu
. "$SRC/tests/tools/common/expect.sh"
"$BIN/fbgtrack" --help | grep -q '^Usage: fbgtrack'
"$BIN/fbgtrack" --version | grep -q '^fbgtrack (cellsense) '
expect 2 "unrecognized option '--frobnicate'" "$BIN/fbgtrack" --frobnicate -g a:1530
expect 2 "no grating given" "$BIN/fbgtrack"
expect 2 "format 'le:q16': not understood at character 4" "$BIN/fbgtrack" -f le:q16 -g a:1530
expect 2 "pixels: 'abc' is not an integer" "$BIN/fbgtrack" -n abc -g a:1530
expect 2 "pixels: 4 is out of range" "$BIN/fbgtrack" -n 4 -g a:1530
expect 2 "grating a at 1400 nm is outside the sensor" "$BIN/fbgtrack" -g a:1400
expect 2 "expected NAME:NM" "$BIN/fbgtrack" -g 1530
expect 2 "scale '1510': not understood" "$BIN/fbgtrack" -w 1510 -g a:1530
expect 1 "nosuchfile: No such file or directory" "$BIN/fbgtrack" -g a:1530 "$TMPDIR/nosuchfile"
