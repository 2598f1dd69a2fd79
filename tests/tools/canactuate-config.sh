# canactuate's configuration is checked before anything is driven: usage
# errors exit 2, a rule naming an actuator beyond the table and a line that
# does not exist are refused at start, a command message without E2E
# counter and CRC is refused unless --no-e2e, and a BMS's own DBC (written
# here) is taken with its own message and signal names. The host has no
# GPIO and no vcan: what runs on a bus is in tests/vm/guest/can-actuator*.sh.
set -eu
. "$SRC/tests/tools/common/expect.sh"
A="$BIN/canactuate"
"$A" --help | grep -q '^Usage: canactuate \[OPTIONS\] IFACE'
"$A" --version | grep -q '^canactuate (cellsense) '
expect 2 "unrecognized option '--frobnicate'" "$A" --frobnicate can0
expect 2 "no interface given" "$A"
expect 2 "too many arguments" "$A" a b
expect 2 "actuator: expected N=LINE" "$A" -a 0 can0
expect 2 "actuator.*255" "$A" -a 255=x can0
expect 2 "actuator 1 given twice" "$A" -a 1=x -a 1=y can0
expect 2 "freshness" "$A" -F 0 can0
expect 2 "accept-id: 'zz' is no CAN id" "$A" -i zz can0
expect 2 "accept-id: '0x20000000' is no CAN id" "$A" -i 0x20000000 can0
expect 2 "command: no role 'speed'" "$A" -c CS_ActuatorCmd,speed=X can0

# Rules naming an actuator beyond the table are refused at start (issue
# 17: such a rule was accepted and did nothing).
expect 2 "rule 'temperature(fbg0/g0) > 45 -> on actuator9': actuator9 is not in the table" \
	"$A" -r 'temperature(fbg0/g0) > 45 -> on actuator9' can0
expect 2 "actuator1 is not in the table" \
	"$A" -a 0=gpiochip0:3 -r 'status(re0/anode)=plating -> pulse actuator1 1s' can0
expect 2 "rule 'x(a) > nan -> on actuator0': column 8: not a finite number" \
	"$A" -r 'x(a) > nan -> on actuator0' can0
# A line that does not exist is refused before the bus is opened.
expect 1 "actuator0: GPIO line 'no-such-line': no such line" \
	"$A" -a 0=no-such-line nosuchcan0
expect 1 "actuator3: GPIO line 'nochip:1'" "$A" -a 3=nochip:1 nosuchcan0

# A BMS's own DBC: the heater request of a thermal-management frame, its
# alive counter and checksum, no actuator field; another frame with none.
cat >"$TMPDIR/bms.dbc" <<'DBC'
VERSION ""

NS_ :

BS_:

BU_: BMS GW

BO_ 1296 BMS_ThermalCmd: 8 BMS
 SG_ HeaterRequest : 0|2@1+ (1,0) [0|2] "" GW
 SG_ HeaterPulse : 8|16@1+ (0.01,0) [0|600] "s" GW
 SG_ AliveCounter : 48|4@1+ (1,0) [0|15] "" GW
 SG_ Checksum : 56|8@1+ (1,0) [0|255] "" GW

BO_ 1297 BMS_Plain: 8 BMS
 SG_ Heater : 0|1@1+ (1,0) [0|1] "" GW

BO_ 1298 GW_ThermalAck: 8 GW
 SG_ Req : 0|2@1+ (1,0) [0|2] "" BMS
 SG_ Res : 4|4@1+ (1,0) [0|15] "" BMS
 SG_ On : 8|1@1+ (1,0) [0|1] "" BMS
DBC
cmd='BMS_ThermalCmd,action=HeaterRequest,pulse=HeaterPulse,counter=AliveCounter,crc=Checksum,fixed=0'
ackspec='GW_ThermalAck,action=Req,result=Res,level=On'
# the defaults are cellsense.dbc's names: not in this DBC
expect 2 "no command message CS_ActuatorCmd" "$A" -d "$TMPDIR/bms.dbc" can0
expect 2 "no acknowledgment message CS_ActuatorAck" \
	"$A" -d "$TMPDIR/bms.dbc" -c "$cmd" can0
expect 2 "BMS_ThermalCmd has no signal Nope" \
	"$A" -d "$TMPDIR/bms.dbc" -c "BMS_ThermalCmd,action=Nope" -k none can0
expect 2 "BMS_ThermalCmd has no actuator signal and no fixed actuator" \
	"$A" -d "$TMPDIR/bms.dbc" -c "BMS_ThermalCmd,action=HeaterRequest,counter=AliveCounter,crc=Checksum" -k none can0
expect 2 "BMS_Plain has no E2E counter and CRC" \
	"$A" -d "$TMPDIR/bms.dbc" -c "BMS_Plain,action=Heater,fixed=0" -k none can0
# taken: then the line (absent here) is what stops it, not the DBC
expect 1 "actuator0: GPIO line 'heater': no such line" \
	"$A" -d "$TMPDIR/bms.dbc" -c "$cmd" -k "$ackspec" -a 0=heater nosuchcan0
expect 1 "actuator0: GPIO line 'heater': no such line" \
	"$A" -d "$TMPDIR/bms.dbc" -c "BMS_Plain,action=Heater,fixed=0" -k none \
	--no-e2e -a 0=heater nosuchcan0
