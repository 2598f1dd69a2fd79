#!/bin/sh
# can-actuator.sh - the loop back: end-to-end protected BMS commands
# (CS_ActuatorCmd, E2E-8: counter and CRC-8 SAE J1850) on vcan0 drive the
# sim bus's "actuator0" GPIO line through canactuate (libgpiod), read back
# with gpioget; the safety timeout releases it; a pulse ends by itself;
# each step is acknowledged (CS_ActuatorAck, protected too); commands
# stale, repeated, corrupt, out of order, not available or from another id
# are refused and acknowledged as refused (or ignored: another id); a local
# rule over records pulses actuator1 and sends CS_PlatingAlarm.
. /tests/lib.sh

load_cellsense cellsense_simbus || exit 1
wait_for actuator-line 5 gpiofind actuator0 || exit 1
line0=$(gpiofind actuator0)
line1=$(gpiofind actuator1)
level() { gpioget "$@"; }
# ack pattern: actuator, action|result, sequence, counter|level (any
# counter), zeros, any CRC (checked for all acks at the end)
ack() { echo " 3F1#$1$2$3.$4000000..\$"; }
check vcan-add ip link add dev vcan0 type vcan || exit 1
check vcan-up ip link set vcan0 up || exit 1
n0=$(grep -c '^ *vcan0 ' /proc/net/can/rcvlist_all)
timeout 60 candump -L vcan0 >bus.log 2>&1 &
dump=$!
wait_for candump-bound 10 sh -c "[ \$(grep -c '^ *vcan0 ' /proc/net/can/rcvlist_all) -gt $n0 ]"
canactuate -v -t 1000 -F 30000 vcan0 2>act.err &
act=$!
wait_for listening 10 grep -q 'listening on vcan0' act.err
expect_eq start-level 0 "$(level $line0)"
# the first frame of a sender has no history: stale, refused (result 6)
check cmd-first cansend vcan0 "$(e2e_frame 3F0 00110700000000)"
wait_for ack-stale 5 grep -Eq "$(ack 00 61 07 0)" bus.log
expect_eq stale-not-driven 0 "$(level $line0)"
# on, counter 2, sequence 7: the line goes high, the ack says done, level 1
check cmd-on cansend vcan0 "$(e2e_frame 3F0 00210700000000)"
wait_for line-on 5 sh -c "[ \$(gpioget $line0) = 1 ]"
wait_for ack-on 5 grep -Eq "$(ack 00 01 07 1)" bus.log
# the safety timeout (1 s) releases it, and says so (result 1, level 0)
wait_for released 5 sh -c "[ \$(gpioget $line0) = 0 ]"
wait_for ack-released 5 grep -Eq "$(ack 00 11 07 0)" bus.log
cat act.err
expect_match released-reported 'actuator0 .* released \(safety timeout\), reads back 0' "$(cat act.err)"
# a pulse of 300 ms, counter 3, sequence 8
check cmd-pulse cansend vcan0 "$(e2e_frame 3F0 0032082C010000)"
wait_for pulse-ack 5 grep -Eq "$(ack 00 02 08 1)" bus.log
wait_for pulse-end 5 grep -Eq "$(ack 00 12 08 0)" bus.log
expect_eq after-pulse 0 "$(level $line0)"
# an actuator that does not exist (counter 4): result 2
f4=$(e2e_frame 3F0 09410900000000)
check cmd-unknown cansend vcan0 "$f4"
wait_for ack-unknown 5 grep -Eq "$(ack 09 21 09 0)" bus.log
# the same frame again: repeated (result 5)
check cmd-repeated cansend vcan0 "$f4"
wait_for ack-repeated 5 grep -Eq "$(ack 09 51 09 0)" bus.log
# counter 5, on, sequence 10, one bit flipped after the CRC was made:
# corrupt (result 8), not driven
bad=$(e2e_frame 3F0 00510A00000000 | sed 's/#00510A/#00510B/')
check cmd-corrupt cansend vcan0 "$bad"
wait_for ack-corrupt 5 grep -Eq "$(ack 00 81 0B 0)" bus.log
# counter 7 after 4: out of order (result 7)
check cmd-out-of-order cansend vcan0 "$(e2e_frame 3F0 00710B00000000)"
wait_for ack-out-of-order 5 grep -Eq "$(ack 00 71 0B 0)" bus.log
# counter 8 (in sequence after the resync), actuator all ones (not
# available: result 9; never cast to a number)
check cmd-not-available cansend vcan0 "$(e2e_frame 3F0 FF810C00000000)"
wait_for ack-not-available 5 grep -Eq "$(ack FF 91 0C 0)" bus.log
expect_eq refused-not-driven 0 "$(level $line0)"
# a protected frame on another id (0x3F2) is not taken: no ack for its
# sequence 0x0D; the next good one (counter 9, off, sequence 0x0E) is
check cmd-other-id cansend vcan0 "$(e2e_frame 3F2 00910D00000000)"
check cmd-off cansend vcan0 "$(e2e_frame 3F0 00900E00000000)"
wait_for ack-off 5 grep -Eq "$(ack 00 00 0E 0)" bus.log
check other-id-ignored sh -c "! grep -q ' 3F1#....0D' bus.log"
kill $act
wait $act && rc=0 || rc=$?
expect_eq exit-badinput 3 "$rc"
expect_match summary 'commands: 3 done, 1 unknown actuator, 0 refused action, 0 GPIO error; refused by E2E: 1 repeated, 1 stale, 1 out-of-order, 1 corrupt, 1 not-available' "$(cat act.err)"
# every ack carries a good CRC and counts up by one
grep ' 3F1#' bus.log | awk '{ print $3 }' >acks
bad_crc=0
while read -r f; do e2e_valid "$f" || bad_crc=$((bad_crc + 1)); done <acks
expect_eq ack-crcs 0 "$bad_crc"
expect_eq ack-counters "$(awk '{ printf "%X", (NR - 1) % 16 }' acks)" \
	"$(cut -c11 acks | tr -d '\n')"

# Rule mode: plating on re0/anode for 2 s (record time) -> pulse, alarm.
awk 'BEGIN { OFS = "\t"; print "time_ns", "source", "quantity", "value", "unit", "status", "uncertainty"
	for (i = 0; i <= 30; i++) print i * 100000000, "re0/anode", "potential", (i < 5 ? 0.01 : -0.004), "V", (i < 5 ? "ok" : "plating"), "0.0001" }' >rec.tsv
check rule-mode sh -c "canactuate -t 2000 -r 'status(re0/anode)=plating for 2s -> pulse actuator1 300ms, send CS_PlatingAlarm Cell=0 Level=2' vcan0 <rec.tsv >pass.tsv 2>rule.err"
cat rule.err
check passed-through cmp rec.tsv pass.tsv
expect_match rule-fired-once 'rule fired 1 time:' "$(cat rule.err)"
wait_for alarm-frame 5 grep -q ' 300#0002000000000000$' bus.log
wait_for rule-pulse-ack 5 grep -Eq "$(ack 01 02 00 1)" bus.log
wait_for rule-pulse-end 5 grep -Eq "$(ack 01 12 00 0)" bus.log
expect_eq rule-line-after 0 "$(level $line1)"
kill $dump; wait $dump || true
ip link del vcan0
