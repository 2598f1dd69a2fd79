# ustof's statuses reach the BMS: ustof -> sense2can (dry run) -> can2sense
# keeps lost:weak and ok (the DBC names ustof's statuses for Status_TN),
# where a status without a value name would be rejected.
set -eu
"$BIN/ussim" -N 5 --pulse-out "$TMPDIR/p" >"$TMPDIR/a"
"$BIN/ustof" -p "$TMPDIR/p" -g t0:5:15 -g t1:30:40 -q tof "$TMPDIR/a" \
	>"$TMPDIR/rec" 2>/dev/null
"$BIN/sense2can" -b 1000000 --dry-run vcan0 "$TMPDIR/rec" >"$TMPDIR/log" \
	2>"$TMPDIR/err"
grep -q 'wrote 10 frames on vcan0; 10 records read, 0 unmapped, 0 rejected' "$TMPDIR/err"
"$BIN/can2sense" <"$TMPDIR/log" >"$TMPDIR/back" 2>/dev/null
[ "$(grep -c '	us0/t0	tof	.*	ns	ok	' "$TMPDIR/back")" -eq 5 ]
[ "$(grep -c '	us0/t1	tof	nan	ns	lost:weak	' "$TMPDIR/back")" -eq 5 ]
