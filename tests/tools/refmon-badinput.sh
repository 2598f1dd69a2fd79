# refmon: a scan cut short is reported with its byte offset (exit 3, the
# complete scans still processed); scans missing in a timestamped stream
# (what the driver does with a CRC error) are counted as gaps; bad option
# values are usage errors naming the option (exit 2).
set -eu
"$BIN/resim" -N 1000 -T >"$TMPDIR/raw"
head -c $((500 * 24 + 10)) "$TMPDIR/raw" >"$TMPDIR/cut"
set +e
"$BIN/refmon" -T "$TMPDIR/cut" >"$TMPDIR/out" 2>"$TMPDIR/err"
st=$?
set -e
cat "$TMPDIR/err"
[ "$st" -eq 3 ]
grep -q "cut: input ends inside scan 500 at byte offset 12000 (10 of 24 bytes)" "$TMPDIR/err"
[ "$(grep -c 're0/anode' "$TMPDIR/out")" -eq 3 ]

# drop scans 300 and 301 (bytes 7200..7247): one gap, two missing
{ head -c 7200 "$TMPDIR/raw"; tail -c +7249 "$TMPDIR/raw"; } >"$TMPDIR/gap"
"$BIN/refmon" -T "$TMPDIR/gap" >"$TMPDIR/out" 2>"$TMPDIR/err"
cat "$TMPDIR/err"
grep -q "1 gaps (2 scans missing)" "$TMPDIR/err"

for bad in "--hold=-1" "--scale=1,2,3" "--drift=sometimes" "--stop=600" \
	   "--rate=0" "--format=le:q24"; do
	set +e
	"$BIN/refmon" "$bad" </dev/null >"$TMPDIR/out" 2>"$TMPDIR/err"
	st=$?
	set -e
	[ "$st" -eq 2 ] || { echo "$bad: exit $st"; exit 1; }
	[ ! -s "$TMPDIR/out" ] || { echo "$bad: wrote to stdout"; exit 1; }
	grep -q "Try 'refmon --help'" "$TMPDIR/err"
done
set +e
"$BIN/refmon" "$TMPDIR/does-not-exist" >/dev/null 2>"$TMPDIR/err"
st=$?
set -e
[ "$st" -eq 1 ] && grep -q "does-not-exist" "$TMPDIR/err"
