#!/bin/sh
# can-gateway.sh - sense2can on vcan: records -> frames -> records lossless
# within the DBC's resolution for every mapped message (classical 11-bit
# and CAN FD 64-byte 29-bit with BRS); the interface taken down and up,
# then deleted and re-created, during one run: sending resumes without a
# restart and the gap is counted.
. /tests/lib.sh

check vcan-add ip link add dev vcan0 type vcan || exit 1
check vcan-fd ip link set vcan0 mtu 72 || exit 1
check vcan-up ip link set vcan0 up || exit 1

# candump_on NAME IFACE N OUT: candump -L of N frames, running once bound
candump_on() {
	_n0=$(grep -c "^ *$2 " /proc/net/can/rcvlist_all)
	timeout 60 candump -L -n "$3" "$2" >"$4" 2>&1 &
	eval "$1=\$!"
	wait_for "$1-bound" 10 sh -c "[ \$(grep -c '^ *$2 ' /proc/net/can/rcvlist_all) -gt $_n0 ]"
}

# ---- 1. Round trip, every kind of record once (900 frames, no folding).
awk 'BEGIN {
	OFS = "\t"; t = 1700000000000000000
	print "time_ns", "source", "quantity", "value", "unit", "status", "uncertainty"
	for (f = 0; f < 15; f++) for (g = 0; g < 16; g++) {
		i++
		print t + i, "fbg" f "/g" g, "wavelength", sprintf("%.4f", 1500 + i * 0.1234), "nm", i % 7 ? "ok" : "merged", "0.0012"
		print t + i, "fbg" f "/g" g, "temperature", sprintf("%.2f", -40 + i * 0.31), "degC", "ok", "0.05"
		print t + i, "fbg" f "/g" g, "strain", sprintf("%.1f", -900 + i * 7.3), "ue", "ok", "1.5"
	}
	for (b = 0; b < 15; b++) for (n = 0; n < 8; n++) {
		i++; print t + i, "us" b "/t" n, "tof", sprintf("%.2f", 900 + i * 1.37), "ns", "ok", "0.25"
	}
	for (c = 0; c < 15; c++) {
		i++
		print t + i, "re" c "/cell", "voltage", sprintf("%.6f", 3.1 + c * 0.01), "V", "ok", "0.00001"
		print t + i, "re" c "/cathode", "potential", sprintf("%.6f", 3.9 + c * 0.001), "V", "ok", "0.00001"
		print t + i, "re" c "/anode", "potential", sprintf("%.6f", 0.05 - c * 0.007), "V", c == 14 ? "lost" : "ok", "0.00001"
		print t + i, "re" c "/current", "current", sprintf("%.3f", -20 + c * 1.5), "A", "ok", "0.001"
	}
}' >in.tsv
nrec=$(($(wc -l <in.tsv) - 1))
expect_eq records 900 "$nrec"
candump_on dump vcan0 "$nrec" sent.log
check sense2can-live timeout 60 sense2can vcan0 in.tsv 2>s2c.err
cat s2c.err
wait_for frames-all 30 sh -c "! kill -0 $dump 2>/dev/null"
expect_eq frames "$nrec" "$(wc -l <sent.log)"
check can2sense-decode sh -c 'can2sense sent.log >out.tsv 2>c2s.err'
# compare by source and quantity (frames may come in another order than
# the records), within half a step of each signal
res=$(awk -F '\t' '
function step(u) { return u == "nm" ? 0.0001 : u == "degC" ? 0.01 : u == "ue" ? 0.1 : u == "ns" ? 0.01 : u == "A" ? 0.001 : 0.000001 }
FNR == 1 { next }
NR == FNR { v[$2 SUBSEP $3] = $4; s[$2 SUBSEP $3] = $6; next }
{
	k = $2 SUBSEP $3; n++
	if (!(k in v)) { bad++; next }
	d = $4 - v[k]; if (d < 0) d = -d
	if ($6 != s[k] || ($4 != "nan" && d > step($5) / 2 + 1e-9)) { bad++; print "differs: " $0 > "/dev/stderr" }
	delete v[k]
}
END { left = 0; for (k in v) left++; printf "%d %d %d", n, bad + 0, left }' in.tsv out.tsv)
set -- $res
expect_eq decoded "$nrec" "$1"
expect_eq decoded-within-resolution 0 "$2"
expect_eq decoded-missing 0 "$3"

# ---- 2. CAN FD, 64 bytes, 29-bit identifier, bit-rate switch.
cat >fd.dbc <<'DBC'
BO_ 2566848512 CS_WideSpectrum: 64 CSGW
 SG_ Channel M : 0|8@1+ (1,0) [0|254] "" BMS
 SG_ Peak_C0 m0 : 8|32@1- (0.0001,0) [-100000|100000] "nm" BMS
 SG_ PeakU_C0 m0 : 480|32@1+ (0.000001,0) [0|4000] "nm" BMS
 SG_ Peak_C1 m1 : 8|32@1- (0.0001,0) [-100000|100000] "nm" BMS
 SG_ PeakU_C1 m1 : 480|32@1+ (0.000001,0) [0|4000] "nm" BMS
DBC
echo 'wide/c{Channel} peak CS_WideSpectrum Peak_C{Channel} uncertainty=PeakU_C{Channel}' >fd.map
printf 'time_ns\tsource\tquantity\tvalue\tunit\tstatus\tuncertainty\n1\twide/c0\tpeak\t1530.1234\tnm\tok\t0.000123\n3\twide/c1\tpeak\t-1575.9876\tnm\tok\t0.25\n' >fd.tsv
candump_on fddump vcan0 2 fd.log
check sense2can-fd timeout 30 sense2can -d fd.dbc -m fd.map -D 2000000 vcan0 fd.tsv
wait_for frames-fd 20 sh -c "! kill -0 $fddump 2>/dev/null"
cat fd.log
# 29-bit id, FD with BRS (flag 1; candump may add FDF, 4), 64 bytes: the uncertainty in the last 4
expect_eq fd-frames 2 "$(grep -c '^(.*) vcan0 18FF0000##[1357][0-9A-F]\{128\}$' fd.log)"
expect_eq fd-decoded "wide/c0 peak 1530.1234 0.000123 wide/c1 peak -1575.9876 0.25" \
	"$(can2sense -d fd.dbc -m fd.map fd.log 2>/dev/null | awk -F '\t' 'NR > 1 { printf "%s%s %s %s %s", sep, $2, $3, $4, $7; sep = " " }')"

# ---- 3. Down and up, deleted and re-created, in one run. candump cannot
# listen on a down interface, so what goes out right when the link is back
# is seen in sense2can's own log (-l: written once the frame is sent), and
# what is sent afterwards on the bus.
mkfifo feed
sense2can -S 1000 -l gw.log vcan0 <feed 2>run.err &
gw=$!
exec 3>feed
batch() {	# batch TAG: 16 records, one per grating of fibre 0
	awk -v tag="$1" 'BEGIN { for (g = 0; g < 16; g++) printf "%d\tfbg0/g%d\twavelength\t%.4f\tnm\tok\t0.001\n", tag, g, 1530 + tag * 0.01 + g }' >&3
}
# tagged FROM TO TAG: frames FROM..TO of gw.log carrying batch TAG's values
tagged() {
	sed -n "$1,$2p" gw.log | can2sense 2>/dev/null |
		awk -F '\t' -v tag="$3" 'NR > 1 { d = $4 - substr($2, 7) - 1530 - tag * 0.01; if (d < 0) d = -d; if (d < 0.00005) n++ } END { print n + 0 }'
}
candump_on d1 vcan0 16 b1.log
batch 1
wait_for batch1 20 sh -c "! kill -0 $d1 2>/dev/null"
expect_eq batch1-frames 16 "$(wc -l <b1.log)"
check link-down ip link set vcan0 down
wait_for down-seen 10 grep -q 'vcan0: down' run.err
batch 2		# folded while down: only the latest goes when it is up
batch 3
check link-up ip link set vcan0 up
wait_for up-seen 10 grep -q 'vcan0: up again after' run.err
wait_for batch23-sent 10 sh -c '[ $(wc -l <gw.log) -ge 32 ]'
expect_eq batch23-latest 16 "$(tagged 17 32 3)"
candump_on d2 vcan0 16 b5.log
batch 5
wait_for batch5 20 sh -c "! kill -0 $d2 2>/dev/null"
expect_eq batch5-on-bus 16 "$(wc -l <b5.log)"
check link-delete ip link del vcan0
wait_for gone-seen 10 grep -q 'vcan0: gone' run.err
batch 4
check link-recreate ip link add dev vcan0 type vcan
check link-recreate-up ip link set vcan0 up
wait_for back-seen 10 grep -q 'vcan0: is back' run.err
wait_for up-seen-2 10 sh -c "[ \$(grep -c 'vcan0: up again after' run.err) -eq 2 ]"
wait_for batch4-sent 10 sh -c '[ $(wc -l <gw.log) -ge 64 ]'
expect_eq batch4-after-return 16 "$(tagged 49 64 4)"
candump_on d3 vcan0 16 b6.log
batch 6
wait_for batch6 20 sh -c "! kill -0 $d3 2>/dev/null"
expect_eq batch6-on-bus 16 "$(wc -l <b6.log)"
exec 3>&-
wait_bg gateway-exit gw
grep -v 'status: sent\|faults:' run.err; tail -n 2 run.err
expect_match summary-outages 'faults: 2 outages \([0-9.]+ s without sending\), 1 vanished, 1 reopened' "$(cat run.err)"
expect_match summary-sent 'sent 80 frames on vcan0; 96 records read.* dropped 0 \(interface down\) \+ 0 \(queue full\) \+ 0 \(interface gone\); 16 aggregated' "$(cat run.err)"
gap=$(sed -n 's/.*faults: 2 outages (\([0-9.]*\) s without.*/\1/p' run.err | tail -n 1)
check gap-counted awk -v g="$gap" 'BEGIN { exit !(g > 0) }'
ip link del vcan0
