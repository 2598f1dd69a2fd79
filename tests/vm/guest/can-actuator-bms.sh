#!/bin/sh
# can-actuator-bms.sh - canactuate with a BMS's own DBC (issue 15): the
# thermal-management command frame of a DBC written here, with its own
# names, alive counter and checksum and no actuator field, drives the sim
# bus's actuator2 line; its own acknowledgment frame answers; cellsense's
# CS_ActuatorCmd is not taken on this configuration.
. /tests/lib.sh

load_cellsense cellsense_simbus || exit 1
wait_for actuator-line 5 gpiofind actuator2 || exit 1
line=$(gpiofind actuator2)
cat >bms.dbc <<'DBC'
VERSION ""

NS_ :

BS_:

BU_: BMS GW

BO_ 1296 BMS_ThermalCmd: 8 BMS
 SG_ HeaterRequest : 0|2@1+ (1,0) [0|2] "" GW
 SG_ HeaterPulse : 8|16@1+ (0.01,0) [0|600] "s" GW
 SG_ AliveCounter : 48|4@1+ (1,0) [0|15] "" GW
 SG_ Checksum : 56|8@1+ (1,0) [0|255] "" GW

BO_ 1298 GW_ThermalAck: 8 GW
 SG_ Req : 0|2@1+ (1,0) [0|2] "" BMS
 SG_ Res : 4|4@1+ (1,0) [0|15] "" BMS
 SG_ On : 8|1@1+ (1,0) [0|1] "" BMS
DBC
check vcan-add ip link add dev vcan0 type vcan || exit 1
check vcan-up ip link set vcan0 up || exit 1
n0=$(grep -c '^ *vcan0 ' /proc/net/can/rcvlist_all)
timeout 60 candump -L vcan0 >bus.log 2>&1 &
dump=$!
wait_for candump-bound 10 sh -c "[ \$(grep -c '^ *vcan0 ' /proc/net/can/rcvlist_all) -gt $n0 ]"
canactuate -v -d bms.dbc -a 0=actuator2 -t 5000 -F 30000 \
	-c BMS_ThermalCmd,action=HeaterRequest,pulse=HeaterPulse,counter=AliveCounter,crc=Checksum,fixed=0 \
	-k GW_ThermalAck,action=Req,result=Res,level=On vcan0 2>act.err &
act=$!
wait_for listening 10 grep -q 'listening on vcan0 for BMS_ThermalCmd on 0x510' act.err
# heater on, alive counter 1: stale (first), result 6
check cmd-first cansend vcan0 "$(e2e_frame 510 01000000000001)"
wait_for ack-stale 5 grep -q ' 512#6100000000000000$' bus.log
expect_eq not-yet 0 "$(gpioget $line)"
# counter 2: on
check cmd-on cansend vcan0 "$(e2e_frame 510 01000000000002)"
wait_for line-on 5 sh -c "[ \$(gpioget $line) = 1 ]"
wait_for ack-on 5 grep -q ' 512#0101000000000000$' bus.log
# cellsense's own command on 0x3F0 is not listened to here: no ack, line
# stays on; then a pulse of 0.5 s (50 x 0.01 s) that ends by itself
check cs-frame cansend vcan0 "$(e2e_frame 3F0 00210000000000)"
check cmd-pulse cansend vcan0 "$(e2e_frame 510 02320000000003)"
wait_for ack-pulse 5 grep -q ' 512#0201000000000000$' bus.log
wait_for pulse-end 5 grep -q ' 512#1200000000000000$' bus.log
expect_eq after-pulse 0 "$(gpioget $line)"
check cs-frame-ignored sh -c "[ \$(grep -c ' 512#' bus.log) -eq 4 ]"
# a checksum that does not match: corrupt, result 8, not driven
check cmd-corrupt cansend vcan0 "$(e2e_frame 510 01000000000004 | sed 's/#01/#05/')"
wait_for ack-corrupt 5 grep -q ' 512#8100000000000000$' bus.log
expect_eq corrupt-not-driven 0 "$(gpioget $line)"
kill $act
wait $act && rc=0 || rc=$?
expect_eq exit-badinput 3 "$rc"
kill $dump; wait $dump || true
ip link del vcan0
