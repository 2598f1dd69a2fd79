#!/bin/sh
# can-faults.sh - sense2can on the sim CAN controller (cellsense_simcan):
# bit rates set through libsocketcan/netlink (--setup), the bus load
# measured by the listener under the ceiling at 500 kbit/s and at 2 Mbit/s
# FD for a flood of records; error-passive and bus-off injected, bus-off
# recovered by sense2can's restart; a blocked transmit queue (ENOBUFS)
# survived with the drops counted; sending resumes each time.
. /tests/lib.sh

load_cellsense cellsense_simcan || exit 1
S0=/sys/class/net/simcan0
wait_for simcan-ifaces 5 test -e /sys/class/net/simcan1/sim_state || exit 1

candump_on() {	# NAME IFACE N OUT
	_n0=$(grep -c "^ *$2 " /proc/net/can/rcvlist_all)
	timeout 60 candump -L -n "$3" "$2" >"$4" 2>&1 &
	eval "$1=\$!"
	wait_for "$1-bound" 10 sh -c "[ \$(grep -c '^ *$2 ' /proc/net/can/rcvlist_all) -gt $_n0 ]"
}
flood() {	# flood N: N spectra of 16 gratings, records as fast as awk goes
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) for (g = 0; g < 16; g++)
		printf "%d\tfbg0/g%d\twavelength\t%.4f\tnm\tok\t0.001\n", 1000000 + i * 50000, g, 1530 + g + (i % 100) * 0.001 }'
}
# load LOG FRAME_SECONDS: frames, span (s), load (%) seen on the bus, and
# 1 if within the ceiling of 30 % plus the budget's burst (10 ms at 30 %),
# else 0. sense2can's bucket lets exactly that through, so the check also
# allows what the listener's clock adds: one frame, and 5 ms of receive
# timestamp jitter at each end of the span (the guest's timers on an
# emulated CPU: FD runs measured 2.5 frames, 3.7 ms of span, over the exact
# bound, and one failed CI). A planner off by 1 % still fails: 1 % of the
# 1 s span is 10 ms of bus time against these 3 ms plus a frame.
load() {
	awk -v f="$2" '{ t = substr($1, 2, length($1) - 2) + 0; if (NR == 1) t0 = t; t1 = t; n++ }
	     END { s = t1 - t0; printf "%d %.3f %.2f %d\n", n, s, n * f / s * 100,
	           n * f <= 0.3 * (s + 0.010) + 0.003 + f }' "$1"
}

# ---- bring up both ends through netlink (libsocketcan), classical
check setup-simcan1 sh -c 'sense2can --setup -b 500000 simcan1 </dev/null'
check setup-simcan0 sh -c 'sense2can --setup -b 500000 -r 0 simcan0 </dev/null 2>setup.err'
expect_match bitrate-read 'plan: 500000 bit/s' "$(cat setup.err)"

# ---- the ceiling at 500 kbit/s: 200000 records, 30 % -> <= 1111 frames/s
# (enough that the run lasts long against the listener's timestamp jitter:
# 20000 once took 0.077 s, where a third of a frame decided)
flood 12500 >flood.tsv
timeout 60 candump -L simcan1 >c500.log 2>&1 &
dump=$!
wait_for c500-bound 10 grep -q '^ *simcan1 ' /proc/net/can/rcvlist_all
check flood-500k timeout 60 sh -c 'sense2can simcan0 flood.tsv 2>f500.err'
kill $dump; wait $dump || true
tail -n 2 f500.err
set -- $(load c500.log 0.00027)	# 135 bits at 500 kbit/s
echo "500 kbit/s: $1 frames in $2 s: $3 % (worst-case stuffing)"
expect_ge c500-frames 100 "$1"
expect_eq c500-under-ceiling 1 "$4"

# ---- CAN FD 64 bytes, 2 Mbit/s data phase, BRS
cat >fd.dbc <<'DBC'
BO_ 2566848512 CS_Wide: 64 CSGW
 SG_ Grating M : 0|8@1+ (1,0) [0|254] "" BMS
 SG_ Wl_G0 m0 : 8|32@1+ (0.0001,0) [0|10000] "nm" BMS
 SG_ Wl_G1 m1 : 8|32@1+ (0.0001,0) [0|10000] "nm" BMS
 SG_ Wl_G2 m2 : 8|32@1+ (0.0001,0) [0|10000] "nm" BMS
 SG_ Wl_G3 m3 : 8|32@1+ (0.0001,0) [0|10000] "nm" BMS
 SG_ Wl_G4 m4 : 8|32@1+ (0.0001,0) [0|10000] "nm" BMS
 SG_ Wl_G5 m5 : 8|32@1+ (0.0001,0) [0|10000] "nm" BMS
 SG_ Wl_G6 m6 : 8|32@1+ (0.0001,0) [0|10000] "nm" BMS
 SG_ Wl_G7 m7 : 8|32@1+ (0.0001,0) [0|10000] "nm" BMS
 SG_ Wl_G8 m8 : 8|32@1+ (0.0001,0) [0|10000] "nm" BMS
 SG_ Wl_G9 m9 : 8|32@1+ (0.0001,0) [0|10000] "nm" BMS
 SG_ Wl_G10 m10 : 8|32@1+ (0.0001,0) [0|10000] "nm" BMS
 SG_ Wl_G11 m11 : 8|32@1+ (0.0001,0) [0|10000] "nm" BMS
 SG_ Wl_G12 m12 : 8|32@1+ (0.0001,0) [0|10000] "nm" BMS
 SG_ Wl_G13 m13 : 8|32@1+ (0.0001,0) [0|10000] "nm" BMS
 SG_ Wl_G14 m14 : 8|32@1+ (0.0001,0) [0|10000] "nm" BMS
 SG_ Wl_G15 m15 : 8|32@1+ (0.0001,0) [0|10000] "nm" BMS
DBC
echo 'fbg0/g{Grating} wavelength CS_Wide Wl_G{Grating}' >fd.map
check setup-fd1 sh -c 'sense2can --setup -b 500000 -D 2000000 -d fd.dbc -m fd.map simcan1 </dev/null'
check setup-fd0 sh -c 'sense2can --setup -b 500000 -D 2000000 -r 0 -d fd.dbc -m fd.map simcan0 </dev/null'
timeout 60 candump -L simcan1 >cfd.log 2>&1 &
dump=$!
wait_for cfd-bound 10 grep -q '^ *simcan1 ' /proc/net/can/rcvlist_all
check flood-fd timeout 60 sh -c 'sense2can -b 500000 -D 2000000 -d fd.dbc -m fd.map simcan0 flood.tsv 2>ffd.err'
kill $dump; wait $dump || true
tail -n 2 ffd.err
expect_eq fd-brs-frames "$(wc -l <cfd.log)" "$(grep -c '##[1357]' cfd.log)"
# 64-byte FD frame, 29-bit id, BRS: 57 bits at 500 k + 679 at 2 M
set -- $(load cfd.log 0.0004535)
echo "FD 500k/2M: $1 frames in $2 s: $3 %"
expect_ge cfd-frames 50 "$1"
expect_eq cfd-under-ceiling 1 "$4"
check back-to-classical sh -c 'sense2can --setup -b 500000 -r 0 simcan0 </dev/null && sense2can --setup -b 500000 simcan1 </dev/null'

# ---- faults during one run, fed through a fifo
mkfifo feed
sense2can -S 1000 simcan0 <feed 2>run.err &
gw=$!
exec 3>feed
batch() {	# batch TAG
	awk -v tag="$1" 'BEGIN { for (g = 0; g < 16; g++) printf "%d\tfbg0/g%d\twavelength\t%.4f\tnm\tok\t0.001\n", tag, g, 1530 + tag * 0.01 + g }' >&3
}
candump_on d1 simcan1 16 b1.log
batch 1
wait_for batch1 20 sh -c "! kill -0 $d1 2>/dev/null"
expect_eq batch1-frames 16 "$(wc -l <b1.log)"
# error-passive: reported, frames still go
check inject-passive sh -c "echo passive >$S0/sim_state"
wait_for passive-seen 10 grep -q 'simcan0: error-passive' run.err
candump_on d2 simcan1 16 b2.log
batch 2
wait_for batch2 20 sh -c "! kill -0 $d2 2>/dev/null"
check inject-active sh -c "echo active >$S0/sim_state"
wait_for active-seen 10 grep -q 'simcan0: error-active again' run.err
# bus-off: sense2can restarts the controller itself (restart-ms 0)
candump_on d3 simcan1 16 b3.log
check inject-busoff sh -c "echo bus-off >$S0/sim_state"
wait_for busoff-seen 10 grep -q 'simcan0: bus-off' run.err
wait_for restarted 10 grep -q 'simcan0: restarted after bus-off' run.err
expect_eq state-after-restart active "$(cat $S0/sim_state)"
batch 3
wait_for batch3 20 sh -c "! kill -0 $d3 2>/dev/null"
expect_eq batch3-frames 16 "$(wc -l <b3.log)"
# a blocked transmitter: the queue fills, frames wait, then are dropped
check inject-block sh -c "echo 1 >$S0/sim_tx_block"
batch 4
wait_for queue-full 10 grep -q 'simcan0: transmit queue full' run.err
done0=$(cat $S0/sim_tx_done)
qlen=$(cat $S0/tx_queue_len)
check inject-unblock sh -c "echo 0 >$S0/sim_tx_block"
# what waited in flight and in the queue goes first
wait_for queue-drained 10 sh -c "[ \$(cat $S0/sim_tx_done) -ge $((done0 + 1 + qlen)) ]"
cat >/tmp/count5.sh <<'SH'
count5() { can2sense b5.log 2>/dev/null | awk -F '\t' 'NR > 1 && ($4 - substr($2, 7)) > 1530.045 { n++ } END { print n + 0 }'; }
SH
# a frame of batch 4 may still come after the drain (sense2can's own held
# one): listen until batch 5 is all there, and count batch 5 only
. /tmp/count5.sh
candump_on d5 simcan1 1000 b5.log
batch 5
wait_for batch5 20 sh -c ". /tmp/count5.sh; [ \$(count5) -ge 16 ]"
kill $d5 2>/dev/null
expect_eq batch5-frames 16 "$(count5)"
exec 3>&-
rc=0
wait $gw || rc=$?
grep -v 'status: sent\|faults:' run.err; tail -n 2 run.err
expect_eq gateway-exit-dropped 1 "$rc"
expect_match faults-counted 'faults: 1 outage \([0-9.]+ s without sending\), 0 vanished, 0 reopened; 1 bus-off, 1 restart \(0 failed\), [1-9][0-9]* error-passive' "$(grep 'sense2can: faults: ' run.err | tail -n 1)"
# the summary's own line, wherever sense2can puts it among its last lines
expect_match drops-counted '\+ [1-9][0-9]* \(queue full\)' "$(grep ': sent [0-9]* frames on ' run.err | tail -n 1)"
rmmod cellsense_simcan
