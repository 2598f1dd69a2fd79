# can2sense reads every kind of candump line: remote requests and error
# frames are counted (errors by class), never decoded into records; -x
# marks, -t A dates and -t z times are read; DROPCOUNT lines are counted
# (exit 3: the capture lost frames); a 9-byte CAN FD frame is a bad line.
set -eu
cat >"$TMPDIR/log" <<'LOG'
(1700000000.000100) vcan0 310#0310E1A6EC000A00 R
(1700000000.000150) vcan0 310#R8
(1700000000.000160) vcan0 310#R
(1700000000.000200) vcan0 20000040#0000000000000000
(1700000000.000210) vcan0 20000004#0004000000000000
 (2026-12-02 04:30:00.123456)  vcan0  RX - -  310   [8]  03 10 E1 A6 EC 00 0A 00
 (000.001234)  vcan0  TX - -  311   [8]  00 00 E9 09 05 00 00 00
  vcan0  310   [8]  remote request
  vcan0  20000004   [8]  00 10 00 00 00 00 00 00   ERRORFRAME
DROPCOUNT: dropped 2 CAN frames on 'vcan0' socket (total drops 2)
(1700000000.000300) vcan0 310##1000102030405060708
LOG
set +e
"$BIN/can2sense" "$TMPDIR/log" >"$TMPDIR/out" 2>"$TMPDIR/err"
rc=$?
set -e
cat "$TMPDIR/err"
cat "$TMPDIR/out"
[ "$rc" -eq 3 ] || { echo "exit $rc, wanted 3"; exit 1; }
# three data frames, three records; nothing from the remote or error frames
[ "$(sed 1d "$TMPDIR/out" | wc -l)" -eq 3 ]
grep -q "^1700000000000100000	fbg0/g3	wavelength	1550.9217	nm	lost	0.001$" "$TMPDIR/out"
grep -q "^1234000	fbg0/g0	temperature	25.37	degC	ok	0.05$" "$TMPDIR/out"
d=$(date -d '2026-12-02 04:30:00' +%s)
grep -q "^${d}123456000	fbg0/g3	wavelength" "$TMPDIR/out"
grep -q "log:10: candump says 2 frames were dropped before it" "$TMPDIR/err"
grep -q "log:11:.*not a CAN FD length" "$TMPDIR/err"
grep -q "9 frames read, 3 records written; 0 with an id not in the DBC, 0 unmapped, 1 bad line skipped" "$TMPDIR/err"
grep -q "3 remote requests, 3 error frames (controller 2, bus-off 1); 2 frames dropped by candump" "$TMPDIR/err"
