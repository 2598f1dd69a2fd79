// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: actuator command frames decoded with their E2E check
 * (cs_actcmd_decode) and acknowledged (cs_actcmd_ack), on cellsense's
 * protected CS_ActuatorCmd and on an unprotected BMS frame. Input: a
 * sequence of records, each 1 byte of length (0..64; FD above 8), 1 byte
 * of time step (ms), then that many data bytes. `make fuzz`; seeds in
 * fuzz/seeds/actcmd/.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cellsense-act.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char dbc_text[] =
	"VERSION \"\"\n\nNS_ :\n\nBS_:\n\nBU_: GW BMS\n\n"
	"BO_ 1008 CS_ActuatorCmd: 8 BMS\n"
	" SG_ Actuator : 0|8@1+ (1,0) [0|254] \"\" GW\n"
	" SG_ Action : 8|4@1+ (1,0) [0|2] \"\" GW\n"
	" SG_ Counter : 12|4@1+ (1,0) [0|15] \"\" GW\n"
	" SG_ Sequence : 16|8@1+ (1,0) [0|255] \"\" GW\n"
	" SG_ PulseTime : 24|16@1+ (0.001,0) [0|65.535] \"s\" GW\n"
	" SG_ CRC : 56|8@1+ (1,0) [0|255] \"\" GW\n"
	"\n"
	"BO_ 1009 CS_ActuatorAck: 8 GW\n"
	" SG_ Actuator : 0|8@1+ (1,0) [0|254] \"\" BMS\n"
	" SG_ Action : 8|4@1+ (1,0) [0|2] \"\" BMS\n"
	" SG_ Result : 12|4@1+ (1,0) [0|15] \"\" BMS\n"
	" SG_ Sequence : 16|8@1+ (1,0) [0|255] \"\" BMS\n"
	" SG_ Level : 24|1@1+ (1,0) [0|1] \"\" BMS\n"
	" SG_ Counter : 28|4@1+ (1,0) [0|15] \"\" BMS\n"
	" SG_ CRC : 56|8@1+ (1,0) [0|255] \"\" BMS\n"
	"\n"
	"BO_ 2566848513 BMS_Heater: 12 BMS\n"
	" SG_ Request : 7|3@0- (1,0) [-4|3] \"\" GW\n"
	" SG_ Pulse : 8|32@1- (0.5,-100) [0|0] \"s\" GW\n"
	" SG_ Which : 40|8@1+ (1,0) [0|3] \"\" GW\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cs_dbc *dbc;
	static struct cs_actcmd *prot, *plain;
	struct cs_e2e_state st[2];
	unsigned int ack_counter = 0;
	int64_t now = 0;
	size_t pos = 0;

	if (!dbc) {
		struct cs_actcmd_names n = { 0 };

		dbc = cs_dbc_create(dbc_text, strlen(dbc_text), NULL);
		n.e2e.window_ns = 1000000000;
		prot = cs_actcmd_create(dbc, &n, NULL);
		n.command = "BMS_Heater";
		n.ack = "-";
		n.cmd_signal[CS_ACTCMD_ACTION] = "Request";
		n.cmd_signal[CS_ACTCMD_PULSE] = "Pulse";
		n.cmd_signal[CS_ACTCMD_ACTUATOR] = "Which";
		n.no_e2e = 1;
		plain = cs_actcmd_create(dbc, &n, NULL);
		if (!prot || !plain)
			__builtin_trap();
	}
	memset(st, 0, sizeof(st));
	while (pos + 2 <= size) {
		struct cs_can_frame f;
		struct cs_act_command cmd;
		struct cs_act_ack a;
		int which = data[pos] & 0x80 ? 1 : 0;
		int res;

		memset(&f, 0, sizeof(f));
		f.len = (uint8_t)((data[pos] & 0x7f) % (CS_CAN_MAX_DLEN + 1));
		now += data[pos + 1] * 1000000ll;
		pos += 2;
		if (f.len > size - pos)
			f.len = (uint8_t)(size - pos);
		memcpy(f.data, data + pos, f.len);
		pos += f.len;
		f.id = which ? 0x18ff0001 : 0x3f0;
		f.extended = which;
		if (f.len > 8)
			f.flags = CS_CAN_FLAG_FD;
		res = cs_actcmd_decode(which ? plain : prot, &st[which], &f,
				       now, &cmd);
		if (res < 0 || res >= CS_ACT_RESULTS)
			__builtin_trap();
		a.actuator = cmd.actuator;
		a.action = cmd.action;
		a.result = res;
		a.sequence = cmd.sequence;
		a.level = res & 1;
		cs_actcmd_ack(prot, &a, &ack_counter, &f);
		if (res == CS_ACT_DONE && !which) {
			/* what was taken encodes back to a frame it takes */
			struct cs_e2e_state s2 = { 1, (unsigned int)
						   (cmd.counter + 15) % 16, now };
			struct cs_act_command back;

			cs_actcmd_encode(prot, &cmd, 0x3f0, &f);
			if (cs_actcmd_decode(prot, &s2, &f, now, &back) !=
			    CS_ACT_DONE)
				__builtin_trap();
		}
	}
	return 0;
}
