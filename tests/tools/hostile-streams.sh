# Raw streams and files as a hostile user gives them (issue 17): a corrupt
# count or index read from a stream is bounded before it drives a loop;
# gaps and resets come out as sane numbers; a directory, /dev/zero or an
# endless line given as a file is an error, never an empty file or a
# memory run-away. Each case failed before its fix.
set -eu
. "$SRC/tests/tools/common/expect.sh"
PY=/usr/bin/python3
# patch FILE OUT FMT OFFSET VALUE...: OUT is FILE with struct FMT values
# written at byte OFFSET (pairs of offset and value after FMT)
patch() {
	$PY - "$@" <<'PYEOF'
import struct, sys
src, out, fmt = sys.argv[1:4]
d = bytearray(open(src, "rb").read())
a = sys.argv[4:]
for off, val in zip(a[0::2], a[1::2]):
    struct.pack_into(fmt, d, int(off), int(val))
open(out, "wb").write(d)
PYEOF
}

# --- aehits -H: one block's first-sample index 2^60 (a corrupt header) ---
# was 2^60 samples lost: gigabytes of interval records, SIGTERM unheard.
# Now the block is skipped, the next one is in step again.
"$BIN/ussim" --ae -F 625000 -n 1024 --duration 0.2 --burst-rate 30 \
	--amp 300:10000 --noise 20 -H -T >"$TMPDIR/ae"
blk=2560	# 2048 bytes of samples, the 256-byte header, the timestamp
patch "$TMPDIR/ae" "$TMPDIR/ae-bad" '<Q' $((5 * blk + 2048 + 8)) $((1 << 60))
set +e
timeout 60 "$BIN/aehits" -H -T -F 625000 "$TMPDIR/ae-bad" 2>"$TMPDIR/e" |
	head -c 1000000 >"$TMPDIR/o"
set -e
cat "$TMPDIR/e"
[ "$(wc -c <"$TMPDIR/o")" -lt 100000 ]
grep -q "block 5 at byte offset 12800 starts at sample 1152921504606846976 where 5120 was next (more than 60 s ahead): its header is not believed, block skipped" "$TMPDIR/e"
grep -q "1024 samples lost before sample 6144" "$TMPDIR/e"
grep -q ": 125952 samples, .* 1024 samples lost" "$TMPDIR/e"
# a board reset: the index starts again from 0 at block 40: one block
# skipped, then the stream goes on (was: every later block skipped)
args=""
for b in $(seq 40 $(($(wc -c <"$TMPDIR/ae") / blk - 1))); do
	args="$args $((b * blk + 2048 + 8)) $(((b - 40) * 1024))"
done
# shellcheck disable=SC2086
patch "$TMPDIR/ae" "$TMPDIR/ae-reset" '<Q' $args
expect 3 "block 41 at byte offset 104960: the sample index starts again at 1024 (the block before began it): a board reset" \
	"$BIN/aehits" -H -T -F 625000 "$TMPDIR/ae-reset"
grep -q "block 40 .* starts at sample 0 where 40960 was next (going back)" "$TMPDIR/e"
grep -q ": 124928 samples, .* 0 samples lost" "$TMPDIR/e"

# --- refmon -T: device timestamps at the ends of int64 (UBSan overflow) ---
"$BIN/resim" -N 200 -T >"$TMPDIR/re"
patch "$TMPDIR/re" "$TMPDIR/re-bad" '<q' 16 -9223372036854775803 \
	$((60 * 24 + 16)) 9223372036854775800
expect 3 "re-bad: reading 0: time -9223372036854775803 ns is no time" \
	"$BIN/refmon" -T "$TMPDIR/re-bad"
grep -q "reading 60: time 9223372036854775800 ns is no time" "$TMPDIR/e"
grep -q ": 198 scans, .* 1 gaps (1 scans missing), .*, 2 bad times, 0 clock steps" "$TMPDIR/e"
# the clock stepped 2^61 ns: one clock step, not 10^14 scans missing
$PY - "$TMPDIR/re" "$TMPDIR/re-step" <<'PYEOF'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
for i in range(100, len(d) // 24):
    t, = struct.unpack_from("<q", d, i * 24 + 16)
    struct.pack_into("<q", d, i * 24 + 16, t + (1 << 61))
open(sys.argv[2], "wb").write(d)
PYEOF
"$BIN/refmon" -T "$TMPDIR/re-step" >/dev/null 2>"$TMPDIR/e"
grep -q "0 gaps (0 scans missing), .* 1 clock steps" "$TMPDIR/e"

# --- ustof -H: a shot number going back ------------------------------
# was "17643893927792173458 shots missing"; now that record is no header
"$BIN/ussim" -N 20 -H --pulse-out "$TMPDIR/p" >"$TMPDIR/us"
len=$(($(wc -c <"$TMPDIR/us") / 20))
patch "$TMPDIR/us" "$TMPDIR/us-back" '<Q' $((10 * len + len - 256)) 3
set +e
"$BIN/ustof" -H -p "$TMPDIR/p" -g e:5:15 "$TMPDIR/us-back" >/dev/null 2>"$TMPDIR/e"
set -e
cat "$TMPDIR/e"
grep -q "record 10 (byte offset $((10 * len))): .*its shot number does not increase" "$TMPDIR/e"
! grep -q "[0-9]\{10,\} shots missing" "$TMPDIR/e"

# --- fbgtrack --index: spectra of a fibre with no grating on it ---------
"$BIN/fbgsim" -N 100 --fibres 2 -I -g 1530 -g 1545 >"$TMPDIR/fb"
"$BIN/fbgtrack" -I -g a:1530::0 -g b:1545::0 "$TMPDIR/fb" >"$TMPDIR/o" \
	2>"$TMPDIR/e"
cat "$TMPDIR/e"
grep -q "spectrum 1 (byte offset [0-9]*) is from fibre 1, which no -g grating is on" "$TMPDIR/e"
grep -q ": 50 spectra from fibres with no grating on them (--index) gave no records" "$TMPDIR/e"

# --- files: a directory, /dev/zero, an endless line -------------------
mkdir "$TMPDIR/dir"
expect 1 "config $TMPDIR/dir: line 1: Is a directory" \
	"$BIN/fbgtrack" -c "$TMPDIR/dir" -g g:1550
expect 1 "config /dev/zero: line 1 is longer than 4096 bytes" \
	"$BIN/fbgtrack" -c /dev/zero -g g:1550
expect 1 "calibration $TMPDIR/dir: Is a directory" \
	"$BIN/fbgtrack" -k "$TMPDIR/dir" -g g:1550
expect 1 "calibration /dev/zero: larger than 256 MiB" \
	"$BIN/fbgtrack" -k /dev/zero -g g:1550
expect 1 "ocv /dev/zero: larger than 256 MiB" \
	"$BIN/refmon" --drift hold --capacity 2 --ocv /dev/zero "$TMPDIR/re"
expect 1 "$TMPDIR/dir: Is a directory" \
	"$BIN/can2sense" -d "$TMPDIR/dir" /dev/null
expect 1 "/dev/zero: larger than 64 MiB: not a DBC" \
	"$BIN/can2sense" -d /dev/zero /dev/null
expect 1 "$TMPDIR/dir: line 1: Is a directory" "$BIN/can2sense" "$TMPDIR/dir"
# an endless line (no newline in 4 GiB): an error at the limit, no
# memory run-away (ulimit: getline would fail with ENOMEM first)
head -c 300000 /dev/zero | tr '\0' 'x' >"$TMPDIR/long"
expect 1 "long:1: line longer than 4096 bytes: not a candump log" \
	"$BIN/can2sense" "$TMPDIR/long"
expect 1 "long: .*line too long\|long: File too large" \
	"$BIN/csplot" -o "$TMPDIR/x.svg" "$TMPDIR/long"

# --- leaks on error paths (valgrind: ASan's leak check misses them, as
# the pointers were still in registers at exit) ---------------------------
# ustof's pulse that is text but not numbers: the file and the reader
# leaked when it died
"$BIN/ussim" -N 2 >"$TMPDIR/us2"
printf 'not a pulse\n' >"$TMPDIR/notpulse"
case $BIN in
*/san/*) ;;	# valgrind does not run ASan builds; ASan checks those
*)
	set +e
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
		--error-exitcode=99 "$BIN/ustof" -p "$TMPDIR/notpulse" \
		-g e:5:15 "$TMPDIR/us2" >/dev/null 2>"$TMPDIR/e"
	rc=$?
	set -e
	cat "$TMPDIR/e"
	[ "$rc" -eq 1 ]
	grep -q "notpulse: read as text: line 1, column 1: not a number" "$TMPDIR/e"
	# fbgtrack's input buffer when a grating check refuses the settings
	set +e
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
		--error-exitcode=99 "$BIN/fbgtrack" -g a:1400 </dev/null \
		>/dev/null 2>"$TMPDIR/e"
	rc=$?
	set -e
	cat "$TMPDIR/e"
	[ "$rc" -eq 2 ]
	grep -q "grating a at 1400 nm is outside the sensor" "$TMPDIR/e"
	;;
esac
echo ok
