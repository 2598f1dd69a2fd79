#!/bin/sh
# can-actuator.sh - the loop back: a BMS command frame (CS_ActuatorCmd) on
# vcan0 drives the sim bus's "actuator0" GPIO line through canactuate
# (libgpiod), read back with gpioget; the safety timeout releases it; a
# pulse ends by itself; each step is acknowledged (CS_ActuatorAck); a
# local rule over records pulses actuator1 and sends CS_PlatingAlarm.
. /tests/lib.sh

load_cellsense cellsense_simbus || exit 1
wait_for actuator-line 5 gpiofind actuator0 || exit 1
line0=$(gpiofind actuator0)
line1=$(gpiofind actuator1)
level() { gpioget "$@"; }
check vcan-add ip link add dev vcan0 type vcan || exit 1
check vcan-up ip link set vcan0 up || exit 1
n0=$(grep -c '^ *vcan0 ' /proc/net/can/rcvlist_all)
timeout 60 candump -L vcan0 >bus.log 2>&1 &
dump=$!
wait_for candump-bound 10 sh -c "[ \$(grep -c '^ *vcan0 ' /proc/net/can/rcvlist_all) -gt $n0 ]"
canactuate -v -t 1000 vcan0 2>act.err &
act=$!
wait_for listening 10 grep -q 'listening on vcan0' act.err
expect_eq start-level 0 "$(level $line0)"
# on, sequence 7: the line goes high, the ack says done with level 1
check cmd-on cansend vcan0 3F0#0001070000000000
wait_for line-on 5 sh -c "[ \$(gpioget $line0) = 1 ]"
wait_for ack-on 5 grep -q ' 3F1#0001070100000000$' bus.log
# the safety timeout (1 s) releases it, and says so (result 1, level 0)
wait_for released 5 sh -c "[ \$(gpioget $line0) = 0 ]"
wait_for ack-released 5 grep -q ' 3F1#0011070000000000$' bus.log
expect_match released-reported 'actuator0 .* released \(safety timeout\)' "$(cat act.err)"
# a pulse of 300 ms, sequence 8
check cmd-pulse cansend vcan0 3F0#0002082C01000000
wait_for pulse-ack 5 grep -q ' 3F1#0002080100000000$' bus.log
wait_for pulse-end 5 grep -q ' 3F1#0012080000000000$' bus.log
expect_eq after-pulse 0 "$(level $line0)"
# an actuator that does not exist is refused (result 2)
check cmd-unknown cansend vcan0 3F0#0901090000000000
wait_for ack-unknown 5 grep -q ' 3F1#0921090000000000$' bus.log
kill $act; wait $act || true

# Rule mode: plating on re0/anode for 2 s (record time) -> pulse, alarm.
awk 'BEGIN { OFS = "\t"; print "time_ns", "source", "quantity", "value", "unit", "status", "uncertainty"
	for (i = 0; i <= 30; i++) print i * 100000000, "re0/anode", "potential", (i < 5 ? 0.01 : -0.004), "V", (i < 5 ? "ok" : "plating"), "0.0001" }' >rec.tsv
check rule-mode sh -c "canactuate -t 2000 -r 'status(re0/anode)=plating for 2s -> pulse actuator1 300ms, send CS_PlatingAlarm Cell=0 Level=2' vcan0 <rec.tsv >pass.tsv 2>rule.err"
cat rule.err
check passed-through cmp rec.tsv pass.tsv
expect_match rule-fired-once 'rule fired 1 time:' "$(cat rule.err)"
wait_for alarm-frame 5 grep -q ' 300#0002000000000000$' bus.log
wait_for rule-pulse-ack 5 grep -q ' 3F1#0102000100000000$' bus.log
wait_for rule-pulse-end 5 grep -q ' 3F1#0112000000000000$' bus.log
expect_eq rule-line-after 0 "$(level $line1)"
kill $dump; wait $dump || true
ip link del vcan0
