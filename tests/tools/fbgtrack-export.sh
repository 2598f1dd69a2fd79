# fbgtrack on interrogator exports in the ENLIGHT layout (a "Key: value"
# header, a "Wvl (nm)<TAB>CH 1..." line, rows of wavelength and dBm; 20001
# points at 8 pm from 1460 to 1620 nm; several spectra one after another),
# written by tests/tools/common/enlight.py from fbgsim's spectra and truth:
# no -n, no -w, the chosen channel, dBm detected and said; every grating
# found within 1 pm of the truth. The same spectra as CSV without a unit
# (dBm told from the values) and in mW; a bad row, a short spectrum and a
# channel that is not there are named with their line.
set -eu
. "$SRC/tests/tools/common/expect.sh"
PY=/usr/bin/python3
"$BIN/fbgsim" -N 6 -n 20001 -w 1460,0.008 -f le:f64 --fwhm 0.2 --ramp 0.5 \
	-g 1500 -g 1530 -g 1550 -g 1580 --truth "$TMPDIR/truth" >"$TMPDIR/s.f64"
$PY "$SRC/tests/tools/common/enlight.py" "$TMPDIR/s.f64" 20001 1460 0.008 \
	--channel 2 >"$TMPDIR/export.txt"
G="-g g0:1500 -g g1:1530 -g g2:1550 -g g3:1580"

# check OUT: every grating ok and within 1 pm of the truth, 6 spectra
check() {
	awk -F'\t' '
	FNR == 1 { next }
	FILENAME == ARGV[1] { t[$1 " " $2] = $4; next }
	{
		k = $1 " " $2
		if (!(k in t)) { print "no truth for " k; bad = 1; next }
		if ($6 != "ok") { print "status " $6 " at " k; bad = 1; next }
		e = ($4 - t[k]) * 1000; if (e < 0) e = -e
		if (e > 1) { print "error " e " pm at " k; bad = 1 }
		n++
	}
	END { if (n != 24) { print n " records, wanted 24"; bad = 1 }; exit bad }' \
		"$TMPDIR/truth" "$1"
}

# the reflections are 25 pixels wide here: --fwhm says so (the default
# is for the sim board's 3-pixel ones)
"$BIN/fbgtrack" --channel 2 --fwhm 25 $G "$TMPDIR/export.txt" \
	>"$TMPDIR/out" 2>"$TMPDIR/err"
cat "$TMPDIR/err"
grep -q "export.txt: interrogator export (ENLIGHT layout.*20001 points 1460.000..1620.000 nm, channel 2 of 4, power in dBm (the header says dBm), converted to mW" "$TMPDIR/err"
[ "$(wc -l <"$TMPDIR/err")" -eq 1 ]
check "$TMPDIR/out"
# as a pipe, too
"$BIN/fbgtrack" --channel 2 --fwhm 25 $G <"$TMPDIR/export.txt" >"$TMPDIR/out2" 2>/dev/null
cmp "$TMPDIR/out" "$TMPDIR/out2"
# the task's one-liner runs as it is (default channel 1, default width)
"$BIN/fbgtrack" -g g1:1550 "$TMPDIR/export.txt" >"$TMPDIR/o1" 2>"$TMPDIR/e1" ||
	{ cat "$TMPDIR/e1"; exit 1; }
[ "$(grep -c '	fbg0/g1	wavelength	' "$TMPDIR/o1")" -eq 6 ]

# CSV, no unit in the header: dBm from the values, said so
$PY "$SRC/tests/tools/common/enlight.py" "$TMPDIR/s.f64" 20001 1460 0.008 \
	--no-units --comma >"$TMPDIR/csv.txt"
"$BIN/fbgtrack" --fwhm 25 $G "$TMPDIR/csv.txt" >"$TMPDIR/out" 2>"$TMPDIR/err"
grep -q "power in dBm (no unit in the header, its median is below 0)" "$TMPDIR/err"
check "$TMPDIR/out"
# linear power (mW): not converted; and --dbm forced on it is said
$PY "$SRC/tests/tools/common/enlight.py" "$TMPDIR/s.f64" 20001 1460 0.008 \
	--linear >"$TMPDIR/lin.txt"
"$BIN/fbgtrack" --fwhm 25 $G "$TMPDIR/lin.txt" >"$TMPDIR/out" 2>"$TMPDIR/err"
grep -q "power in linear units (no unit in the header, its median is not below 0)" "$TMPDIR/err"
check "$TMPDIR/out"
"$BIN/fbgtrack" --dbm --fwhm 25 $G "$TMPDIR/lin.txt" >/dev/null 2>"$TMPDIR/err" || true
grep -q "power in dBm (as told)" "$TMPDIR/err"

# a garbage row in spectrum 2: that spectrum dropped, named by its line
# (12 header lines + 20001 rows a spectrum: row R of spectrum K is on
# line 20013 K + 13 + R)
awk 'NR == 20013 + 13 + 500 { print "1464.000	-27.1	x!	-45"; next } { print }' \
	"$TMPDIR/export.txt" >"$TMPDIR/bad.txt"
expect 3 "bad.txt: line 20526, column 16: not a number" \
	"$BIN/fbgtrack" --channel 2 --fwhm 25 $G "$TMPDIR/bad.txt"
[ "$(grep -c '	ok	' "$TMPDIR/o")" -eq 20 ]
# the last spectrum cut short
head -n $((20013 * 5 + 12 + 1000)) "$TMPDIR/export.txt" >"$TMPDIR/cut.txt"
expect 3 "cut.txt: line 101077: spectrum ended after 1000 of the first one's 20001 rows: dropped" \
	"$BIN/fbgtrack" --channel 2 --fwhm 25 $G "$TMPDIR/cut.txt"
[ "$(grep -c '	ok	' "$TMPDIR/o")" -eq 20 ]
# a channel that is not there
expect 1 "export.txt: read as wavelength/power export: line 13: channel 5 asked for, the rows have 4" \
	"$BIN/fbgtrack" --channel 5 $G "$TMPDIR/export.txt"
# an export is no raw scan with timestamps
expect 1 "export.txt: wavelength/power export, not raw scans: --index and -T" \
	"$BIN/fbgtrack" -T $G "$TMPDIR/export.txt"
