# A BMS's own DBC in foxBMS 2's layout (written here, not copied): cell
# temperatures six a frame behind a multiplexor, Motorola signed 8-bit,
# an invalid flag per cell; cell voltages four a frame, 13-bit mV. One
# templated map line a family. Every frame carries all its cells, each
# valid and right (decoded here by an awk reader of its own, not by the
# library); a missing or lost cell is flagged invalid, never a made-up 0
# sent as valid; hold= sends a recent last value; the plan counts frames.
set -eu
NT=18	# temperature cells: 3 frames
NV=12	# voltage cells: 3 frames
awk -v nt=$NT -v nv=$NV 'BEGIN {
	print "VERSION \"\""
	print "BS_:"
	print "BU_: BMS GW"
	print "BO_ 592 foxBMS_CellTemperatures: 8 GW"
	print " SG_ foxBMS_CellTemperatures_Mux M : 7|8@0+ (1,0) [0|0] \"\" BMS"
	for (c = 0; c < nt; c++) {
		k = c % 6; m = int(c / 6)
		printf " SG_ cellTemperature_%03d_invalidFlag m%d : %d|1@0+ (1,0) [0|1] \"\" BMS\n", c, m, 8 + k
		printf " SG_ cellTemperature_%03d m%d : %d|8@0- (1,0) [-128|127] \"degC\" BMS\n", c, m, 23 + 8 * k
	}
	print "BO_ 576 foxBMS_CellVoltages: 8 GW"
	print " SG_ foxBMS_CellVoltages_Mux M : 7|8@0+ (1,0) [0|0] \"\" BMS"
	split("11 30 33 52", vstart, " ")
	for (c = 0; c < nv; c++) {
		k = c % 4; m = int(c / 4)
		printf " SG_ cellVoltage_%03d_invalidFlag m%d : %d|1@0+ (1,0) [0|1] \"\" BMS\n", c, m, 12 + k
		printf " SG_ cellVoltage_%03d m%d : %d|13@0+ (1,0) [0|8191] \"mV\" BMS\n", c, m, vstart[k + 1]
	}
}' >"$TMPDIR/fox.dbc"
cat >"$TMPDIR/fox.map" <<'EOF'
# one line a family: the cell number names the signal and picks the frame
fbg0/g{Cell}  temperature  foxBMS_CellTemperatures  cellTemperature_{Cell:03d}  foxBMS_CellTemperatures_Mux={Cell/6}  invalid=cellTemperature_{Cell:03d}_invalidFlag  sources=18 every=100
re{Cell}/cell voltage      foxBMS_CellVoltages      cellVoltage_{Cell:03d}      foxBMS_CellVoltages_Mux={Cell/4}      invalid=cellVoltage_{Cell:03d}_invalidFlag      sources=12 every=100 hold=150
EOF
# 10 steps of 100 ms; at step 4 cell 7's temperature is lost (nan) and
# cell 13's is missing; at step 6 voltage cell 5 is missing (held: its
# value of step 5 is 100 ms old); at step 8 voltage cell 9 is missing
# and was missing at step 7 too (200 ms: not held, flagged).
awk -v nt=$NT -v nv=$NV 'BEGIN {
	OFS = "\t"
	print "time_ns", "source", "quantity", "value", "unit", "status", "uncertainty"
	for (s = 0; s < 10; s++) {
		t = sprintf("1700000000%d00000000", s)
		for (c = 0; c < nt; c++) {
			if (s == 4 && c == 13) continue
			v = -30 + c * 7 + s * 0.6 + 0.2	# never a tie at .5
			st = "ok"
			if (s == 4 && c == 7) { v = "nan"; st = "lost" }
			print t, "fbg0/g" c, "temperature", v, "degC", st, "0.1"
		}
		for (c = 0; c < nv; c++) {
			if ((s == 6 && c == 5) || ((s == 7 || s == 8) && c == 9)) continue
			print t, "re" c "/cell", "voltage", sprintf("%.6f", 2.5 + c * 0.137 + s * 0.0102), "V", "ok", "0.0001"
		}
	}
}' >"$TMPDIR/in.tsv"

"$BIN/sense2can" -n -d "$TMPDIR/fox.dbc" -m "$TMPDIR/fox.map" can0 "$TMPDIR/in.tsv" \
	>"$TMPDIR/log" 2>"$TMPDIR/err" || { cat "$TMPDIR/err"; exit 1; }
cat "$TMPDIR/err"
# the plan counts frames, not records
grep -q "foxBMS_CellTemperatures: 18 sources in 3 frames every 100 ms" "$TMPDIR/err"
grep -q "foxBMS_CellVoltages: 12 sources in 3 frames every 100 ms" "$TMPDIR/err"
grep -q "wrote 60 frames on can0; 296 records read, 0 unmapped, 0 rejected" "$TMPDIR/err"
grep -q "frames: 6 kinds of frame from 30 kinds of record; .* 2 sent with their last (hold=), 2 as not available; 0 frames" "$TMPDIR/err"

# The frames, read here: a Motorola signal with MSB at DBC bit S of L bits
# is bits P..P+L-1 of the frame written MSB first, P = 8*int(S/8) + 7 - S%8.
awk -v nt=$NT -v nv=$NV '
function bits(hex,   i, b, s, v, k) {
	s = ""
	for (i = 1; i <= length(hex); i += 2) {
		v = index("0123456789ABCDEF", substr(hex, i, 1)) * 16 + index("0123456789ABCDEF", substr(hex, i + 1, 1)) - 17
		for (k = 7; k >= 0; k--) s = s int(v / 2 ^ k) % 2
	}
	return s
}
function moto(str, start, len, sgn,   p, i, v) {
	p = 8 * int(start / 8) + 7 - start % 8
	v = 0
	for (i = 0; i < len; i++) v = v * 2 + substr(str, p + 1 + i, 1)
	if (sgn && v >= 2 ^ (len - 1)) v -= 2 ^ len
	return v
}
function rnd(x) { return x < 0 ? -int(-x + 0.5) : int(x + 0.5) }
{
	step = int(substr($1, 13, 1))
	split($3, f, "#"); id = f[1]; b = bits(f[2])
	mux = moto(b, 7, 8, 0)
	if (id == "250") {		# temperatures
		nframes_t++
		for (k = 0; k < 6; k++) {
			c = mux * 6 + k
			bad = moto(b, 8 + k, 1, 0)
			v = moto(b, 23 + 8 * k, 8, 1)
			want = rnd(-30 + c * 7 + step * 0.6 + 0.2)
			flagged = (step == 4 && (c == 7 || c == 13))
			if (flagged) {
				if (!bad || v != 0) { print "step " step " cell " c ": not flagged invalid (" bad ", " v ")"; err++ }
				nbad++
			} else if (bad || v != want) {
				print "step " step " temperature cell " c ": " v " flag " bad ", wanted " want; err++
			} else good++
		}
	} else if (id == "240") {	# voltages
		nframes_v++
		split("11 30 33 52", vs, " ")
		for (k = 0; k < 4; k++) {
			c = mux * 4 + k
			bad = moto(b, 12 + k, 1, 0)
			v = moto(b, vs[k + 1], 13, 0)
			s = step
			if (step == 6 && c == 5) s = 5	# held from step 5
			want = rnd((2.5 + c * 0.137 + s * 0.0102) * 1000)
			if ((step == 7 || step == 8) && c == 9) {
				if (step == 7 && (bad || v != rnd((2.5 + 9 * 0.137 + 6 * 0.0102) * 1000))) {
					print "step 7 cell 9: last value not held (" bad ", " v ")"; err++
				}
				if (step == 8 && (!bad || v != 0)) { print "step 8 cell 9: not flagged (" bad ", " v ")"; err++ }
				continue
			}
			if (bad || v != want) { print "step " step " voltage cell " c ": " v " flag " bad ", wanted " want; err++ }
			else good++
		}
	} else { print "unexpected id " id; err++ }
}
END {
	printf "%d temperature frames, %d voltage frames, %d cells valid and right, %d flagged\n", nframes_t, nframes_v, good, nbad
	exit !(err == 0 && nframes_t == 30 && nframes_v == 30 && nbad == 2 && good == 178 + 118)
}' "$TMPDIR/log"

# can2sense names every cell back from the frames (the family enumerated
# up to sources=), the flagged ones as lost with no value.
"$BIN/can2sense" -d "$TMPDIR/fox.dbc" -m "$TMPDIR/fox.map" <"$TMPDIR/log" >"$TMPDIR/back.tsv" 2>"$TMPDIR/err2" ||
	{ cat "$TMPDIR/err2"; exit 1; }
[ "$(grep -c 'temperature' "$TMPDIR/back.tsv")" -eq 180 ]
[ "$(grep -c 'voltage' "$TMPDIR/back.tsv")" -eq 120 ]
grep -q "^1700000000400000000	fbg0/g13	temperature	nan	degC	lost" "$TMPDIR/back.tsv"
# (in the signal's unit: the frame says mV)
grep -q "^1700000000000000000	re11/cell	voltage	4007	mV	ok" "$TMPDIR/back.tsv" ||
	{ grep re11 "$TMPDIR/back.tsv" | head -3; exit 1; }
