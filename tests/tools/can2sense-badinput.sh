# can2sense reads candump -L and screen lines; bad lines are named
# FILE:LINE:COLUMN and skipped (exit 3); unknown ids are counted.
set -eu
cat >"$TMPDIR/log" <<'LOG'
# a comment
(1700000000.000100) vcan0 310#0310E1A6EC000A00
  vcan0  310   [8]  03 10 E1 A6 EC 00 0A 00
(1700000000.000300)  vcan0  311   [8]  00 00 E9 09 05 00 00 00
(1700000000.000400) vcan0 123#00
(1700000000.000500) vcan0 31#00 11
(1700000000.000600) vcan0 310#0G
LOG
set +e
"$BIN/can2sense" "$TMPDIR/log" >"$TMPDIR/out" 2>"$TMPDIR/err"
rc=$?
set -e
cat "$TMPDIR/err"
cat "$TMPDIR/out"
[ "$rc" -eq 3 ] || { echo "exit $rc, wanted 3"; exit 1; }
grep -q "$TMPDIR/log:6:33: unexpected text after the data" "$TMPDIR/err"
grep -q "$TMPDIR/log:7:31: odd number of hex digits" "$TMPDIR/err"
grep -q "$TMPDIR/log:5: id 123 is not in the DBC" "$TMPDIR/err"
grep -q "4 frames read, 3 records written; 1 with an id not in the DBC, 0 unmapped, 2 bad lines skipped" "$TMPDIR/err"
grep -q "^1700000000000100000	fbg0/g3	wavelength	1550.9217	nm	lost	0.001$" "$TMPDIR/out"
grep -q "	fbg0/g3	wavelength	1550.9217	nm	lost	0.001$" "$TMPDIR/out"
grep -q "^1700000000000300000	fbg0/g0	temperature	25.37	degC	ok	0.05$" "$TMPDIR/out"
