#!/bin/sh
# can-actuator-failsafe.sh - canactuate releases a line it switched on
# whatever way it leaves, and on time under a flood (issue 17): SIGHUP, its
# reader closing the pipe (EPIPE), the interface going down; a flood of
# command frames does not delay the safety timeout's release; a line that
# cannot be driven is retried and reported, not logged as released. Each
# case failed before: the line stayed on past its timeout.
. /tests/lib.sh

load_cellsense cellsense_simbus || exit 1
wait_for actuator-line 5 gpiofind actuator0 || exit 1
line0=$(gpiofind actuator0)
line1=$(gpiofind actuator1)
check vcan-add ip link add dev vcan0 type vcan || exit 1
check vcan-up ip link set vcan0 up || exit 1

# start NAME ARGS...: canactuate in the background (pid in $act), stderr in
# NAME.err, listening
start() {
	_n=$1
	shift
	canactuate "$@" vcan0 2>"$_n.err" &
	act=$!
	wait_for "$_n-listening" 10 grep -q 'listening on vcan0' "$_n.err"
}
# on_cmd SEQ: switch actuator0 on: a first frame (stale: syncs the
# counter) and the one that counts
on_cmd() {
	cansend vcan0 "$(e2e_frame 3F0 0011${1}00000000)" &&
		cansend vcan0 "$(e2e_frame 3F0 0021${1}00000000)"
}
high() { [ "$(gpioget $line0)" = 1 ]; }
low() { [ "$(gpioget $line0)" = 0 ]; }

# SIGHUP (its default action ended the process with the line on)
start hup -t 60000 -F 30000
check hup-on on_cmd 01
wait_for hup-line-on 5 high
kill -HUP $act
wait $act && rc=0 || rc=$?
expect_eq hup-exit 0 "$rc"
check hup-released low
expect_match hup-reported 'actuator0 .* released \(stop\), reads back 0' "$(cat hup.err)"

# The bus going down while a line is on: exit 1, line released
start down -t 60000 -F 30000
check down-on on_cmd 02
wait_for down-line-on 5 high
check if-down ip link set vcan0 down
wait $act && rc=0 || rc=$?
expect_eq down-exit 1 "$rc"
check down-released low
expect_match down-why 'vcan0: read: Network is down' "$(cat down.err)"
expect_match down-reported 'actuator0 .* released \(stop\), reads back 0' "$(cat down.err)"
check if-up ip link set vcan0 up

# EPIPE: rule mode; the reader of standard output goes away while a rule
# holds actuator1 on; the next record cannot be passed on: exit 1, line
# released
mkfifo in out
# (under timeout: a tool that never notices the closed pipe fails, not hangs)
timeout 30 canactuate -t 60000 -r 'status(re0/anode)=plating -> on actuator1' vcan0 <in >out 2>pipe.err &
act=$!
(read -r a; read -r b; echo "$b" >got) <out &
reader=$!
exec 4>in
printf 'time_ns\tsource\tquantity\tvalue\tunit\tstatus\n' >&4
printf '1000\tre0/anode\tpotential\t-0.004\tV\tplating\n' >&4
wait_for pipe-line-on 5 sh -c "[ \$(gpioget $line1) = 1 ]"
wait $reader || true
check pipe-reader-gone test -s got
printf '2000\tre0/anode\tpotential\t-0.004\tV\tplating\n' >&4
wait $act && rc=0 || rc=$?
exec 4>&-
expect_eq pipe-exit 1 "$rc"
expect_eq pipe-released 0 "$(gpioget $line1)"
expect_match pipe-why '<stdout>: Broken pipe' "$(cat pipe.err)"
expect_match pipe-reported 'actuator1 .* released \(stop\), reads back 0' "$(cat pipe.err)"

# A line that cannot be driven (the sim's fbg-drdy is an input): the
# command is a GPIO error, the release of a line that may be high is
# retried (not logged as done), and at the end the line that could not be
# released is said, exit 1.
start gpio -a 0=fbg-drdy -t 60000 -F 30000
check gpio-on on_cmd 04
wait_for gpio-error 5 grep -q 'gpio-error' gpio.err
wait_for gpio-retried 5 grep -q 'actuator0 (fbg-drdy): release (after a GPIO error) failed (attempt 2), line reads back nothing (unknown); retrying' gpio.err
kill $act
wait $act && rc=0 || rc=$?
expect_eq gpio-exit 1 "$rc"
expect_match gpio-stop 'release \(stop\) failed \(attempt [0-9]*\)' "$(cat gpio.err)"
expect_match gpio-left '1 line could not be released' "$(cat gpio.err)"
check gpio-not-released sh -c "! grep -q 'released (' gpio.err"

# A flood of frames on the command id while the line is on: the very
# command that switched it on, replayed as fast as cangen sends (each one
# refused as repeated); the 2 s safety timeout still releases it, on time
# (within 1 s) and during the flood. Before, the reading loop ran as long
# as frames came and the release waited for the flood to end (and each
# replay re-armed the timeout). Measured on the kernel's timestamps of the
# command and of the ack of the release.
# listeners on vcan0, filtered or not
listeners() { cat /proc/net/can/rcvlist_* | grep -c '^ *vcan0 '; }
n0=$(listeners)
# the acks, and the first two command frames (the flood is not kept)
timeout 60 candump -L vcan0,3F1:7FF >flood.log 2>&1 &
dump=$!
timeout 60 candump -L -n 2 vcan0,3F0:7FF >cmd.log 2>&1 &
wait_for flood-candump-bound 10 sh -c "[ \$(cat /proc/net/can/rcvlist_* | grep -c '^ *vcan0 ') -ge $((n0 + 2)) ]"
start flood -t 2000 -F 30000
check flood-on on_cmd 03
wait_for flood-line-on 5 high
on=$(e2e_frame 3F0 00210300000000)
cangen vcan0 -I 3F0 -L 8 -D "${on#*#}" -g 0 -n 1000000 &
flood=$!
wait_for flood-released 10 low
# the flood went on after the release: refusals (result 5) acked after it
wait_for flood-after-release 10 sh -c "sed -n '/ 3F1#0011/,\$p' flood.log | grep -q ' 3F1#0051'"
check flood-still-running kill -0 $flood
kill $flood; wait $flood || true
kill $dump; wait $dump || true
ton=$(sed -n '2s/^(\([0-9.]*\)).*/\1/p' cmd.log)
trel=$(grep -m1 ' 3F1#001103' flood.log | sed 's/^(\([0-9.]*\)).*/\1/')
ms=$(echo "$ton $trel" | awk '{ printf "%d", ($2 - $1) * 1000 }')
expect_ge flood-release-not-early 2000 "$ms"
echo "flood: released $ms ms after on (timeout 2000 ms), $(grep -c ' 3F1#0051' flood.log) refusals acked"
expect_le flood-release-on-time 3000 "$ms"
kill $act
wait $act || true
expect_match flood-counted 'refused by E2E: [1-9][0-9]* repeated' "$(cat flood.err)"
expect_match flood-acks-limited '[1-9][0-9]* refusals not acknowledged' "$(cat flood.err)"
grep -v 'command from' flood.err | tail -n 20
expect_match flood-reported 'actuator0 .* released \(safety timeout\), reads back 0' "$(cat flood.err)"
ip link del vcan0
