# records -> sense2can --dry-run -> can2sense gives the records back,
# within the DBC's resolution (and the candump log's microseconds).
# (uncertainties are written with 4 significant digits by cs_record_write)
set -eu
awk 'BEGIN {
	OFS = "\t"
	print "time_ns", "source", "quantity", "value", "unit", "status", "uncertainty"
	print "# a comment line"
	for (i = 0; i < 200; i++) {
		ns = (i + 1) * 1234567	# awk numbers are doubles: build the text
		t = sprintf("%d%09d", 1700000000 + int(ns / 1000000000), ns % 1000000000)
		f = i % 3; g = i % 16
		st = (i % 17 == 0) ? "lost" : (i % 13 == 0) ? "saturated" : (i % 11 == 0) ? "merged" : "ok"
		v = (st == "lost") ? "nan" : sprintf("%.6f", 1510 + i * 0.41 + 0.0000123 * i)
		u = (st == "lost") ? "nan" : sprintf("%.6f", 0.0001 * (i % 50))
		print t, "fbg" f "/g" g, "wavelength", v, "nm", st, u
		print t, "fbg" f "/g" g, "temperature", sprintf("%.3f", -20 + i * 0.37), "degC", "ok", "0.05"
		print t, "us0/t" (i % 8), "tof", sprintf("%.2f", 1000 + i * 3.21), "ns", "ok", "0.5"
		print t, "re" (i % 4) "/anode", "potential", sprintf("%.6f", 0.1 - i * 0.001), "V", "ok", "0.00001"
		print t, "re" (i % 4) "/cell", "voltage", sprintf("%.6f", 3.7 - i * 0.001), "V", "ok", "nan"
	}
	print t, "fbg0/g15", "wavelength", "1400", "nm", "ok", "0"
	print t, "fbg14/g0", "wavelength", "1700", "nm", "ok", "6.5534"
}' >"$TMPDIR/in.tsv"

# 1002 frames in 0.25 s of record time: 547 kbit/s, within 1 Mbit/s
"$BIN/sense2can" -d "$SRC/dbc/cellsense.dbc" -m "$SRC/dbc/cellsense.map" \
	-b 1000000 -L 100 --dry-run vcan0 "$TMPDIR/in.tsv" >"$TMPDIR/log" 2>"$TMPDIR/err"
grep -q '^sense2can: dry run: wrote 1002 frames on vcan0; 1002 records read, 0 unmapped' "$TMPDIR/err" ||
	{ echo "summary:"; cat "$TMPDIR/err"; exit 1; }
# candump -L lines, ids of the DBC.
head -n 1 "$TMPDIR/log" | grep -Eq '^\(1700000000\.001234\) vcan0 310#[0-9A-F]{16}$' ||
	{ echo "not a candump log line:"; head -n 1 "$TMPDIR/log"; exit 1; }
# The default DBC and map are found beside the tools (build tree).
"$BIN/sense2can" -b 1000000 -L 100 -n vcan0 "$TMPDIR/in.tsv" 2>/dev/null | cmp -s - "$TMPDIR/log" ||
	{ echo "default DBC/map differ from the repo's"; exit 1; }
"$BIN/can2sense" -d "$SRC/dbc/cellsense.dbc" -m "$SRC/dbc/cellsense.map" \
	<"$TMPDIR/log" >"$TMPDIR/out.tsv" 2>"$TMPDIR/err2"
head -n 1 "$TMPDIR/out.tsv" | grep -q '^time_ns	source	quantity	value	unit	status	uncertainty$'

# Frames of one time go out together once its records are all in, the
# oldest-sent first: compare in the order (time, source, quantity).
tab=$(printf '\t')
{ head -n 1 "$TMPDIR/in.tsv"; grep -v '^#' "$TMPDIR/in.tsv" | sed 1d |
	sort -t "$tab" -k1,1 -k2,2 -k3,3; } >"$TMPDIR/in2.tsv"
{ head -n 1 "$TMPDIR/out.tsv"; sed 1d "$TMPDIR/out.tsv" |
	sort -t "$tab" -k1,1 -k2,2 -k3,3; } >"$TMPDIR/out2.tsv"
paste "$TMPDIR/in2.tsv" "$TMPDIR/out2.tsv" | awk -F '\t' '
function near(a, b, tol) {
	if (a == "nan" || b == "nan") return a == b
	d = a - b; if (d < 0) d = -d
	return d <= tol
}
function step(unit, q) {
	return unit == "nm" ? 0.0001 : unit == "degC" ? 0.01 : unit == "ns" ? 0.01 : unit == "V" ? 0.000001 : 1
}
NR == 1 { next }
{
	if (NF != 14) { print "line " NR ": " NF " fields"; bad++; next }
	s = step($5)
	ti = substr($1, 11) + 0; to = substr($8, 11) + 0
	if (substr($1, 1, 10) != substr($8, 1, 10) || ti - to >= 1000 || ti < to ||
	    $2 != $9 || $3 != $10 || $5 != $12 || $6 != $13 ||
	    !near($4, $11, s / 2 + 1e-9 * ($4 < 0 ? -$4 : $4)) || !near($7, $14, s / 2 + 1e-12 + 5e-4 * ($7 < 0 ? -$7 : $7))) {
		print "line " NR ": " $0; bad++
	}
}
END { if (bad) { print bad " records differ"; exit 1 } if (NR != 1003) { print NR " lines"; exit 1 } }'
