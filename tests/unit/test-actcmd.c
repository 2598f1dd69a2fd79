// SPDX-License-Identifier: GPL-2.0-or-later
/* Actuator command frames: cellsense.dbc's protected CS_ActuatorCmd
 * decoded and refused for each reason, the acknowledgment's bytes, and a
 * BMS's own command frame from a DBC written here. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cellsense-act.h"

#define MS 1000000ll

static const char *src_path(const char *rel)
{
	static char buf[4096];
	const char *src = getenv("SRC");
	const char *slash = strrchr(__FILE__, '/');

	if (src && *src)
		snprintf(buf, sizeof(buf), "%s/%s", src, rel);
	else if (slash)
		snprintf(buf, sizeof(buf), "%.*s/../../%s",
			 (int)(slash - __FILE__), __FILE__, rel);
	else
		snprintf(buf, sizeof(buf), "../../%s", rel);
	return buf;
}

struct fixture {
	struct cs_dbc *dbc;
	struct cs_actcmd *c;
	struct cs_e2e_state st;
};

static int setup(void **state)
{
	static struct fixture fx;
	struct cs_actcmd_names n = { 0 };
	struct cs_can_error err;
	const char *why = NULL;

	memset(&fx, 0, sizeof(fx));
	fx.dbc = cs_dbc_create_from_file(src_path("dbc/cellsense.dbc"), &err);
	if (!fx.dbc)
		fail_msg("cellsense.dbc:%lu:%u: %s", err.line, err.column,
			 err.why);
	n.e2e.window_ns = 1000 * MS;
	fx.c = cs_actcmd_create(fx.dbc, &n, &why);
	if (!fx.c)
		fail_msg("%s", why);
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	cs_actcmd_destroy(fx->c);
	cs_dbc_destroy(fx->dbc);
	return 0;
}

/* A frame as cansend would carry it: hex bytes, the CRC (byte 7) worked
 * out here over F0 03 and bytes 0..6. */
static struct cs_can_frame cmd_frame(const uint8_t b[7])
{
	struct cs_can_frame f;
	uint8_t buf[9] = { 0xf0, 0x03 };

	memset(&f, 0, sizeof(f));
	f.id = 0x3f0;
	f.len = 8;
	memcpy(f.data, b, 7);
	memcpy(buf + 2, b, 7);
	f.data[7] = cs_crc8_sae_j1850(buf, 9);
	return f;
}

static void protected_by_default(void **state)
{
	struct fixture *fx = *state;

	assert_true(cs_actcmd_protected(fx->c));
	assert_int_equal(cs_actcmd_command_message(fx->c)->id, 0x3f0);
	assert_int_equal(cs_actcmd_ack_message(fx->c)->id, 0x3f1);
}

/* on, actuator 0, sequence 7, counter 1 then 2: first stale (no history),
 * then done */
static void sequence_accepted(void **state)
{
	struct fixture *fx = *state;
	const uint8_t on1[7] = { 0x00, 0x11, 0x07 };
	const uint8_t on2[7] = { 0x00, 0x21, 0x08 };
	const uint8_t pulse[7] = { 0x01, 0x32, 0x09, 0x2c, 0x01 };
	struct cs_can_frame f;
	struct cs_act_command cmd;

	f = cmd_frame(on1);
	assert_int_equal(cs_actcmd_decode(fx->c, &fx->st, &f, 0, &cmd),
			 CS_ACT_STALE);
	f = cmd_frame(on2);
	assert_int_equal(cs_actcmd_decode(fx->c, &fx->st, &f, 100 * MS, &cmd),
			 CS_ACT_DONE);
	assert_int_equal(cmd.actuator, 0);
	assert_int_equal(cmd.action, CS_ACT_ON);
	assert_int_equal(cmd.sequence, 8);
	assert_int_equal(cmd.counter, 2);
	f = cmd_frame(pulse);
	assert_int_equal(cs_actcmd_decode(fx->c, &fx->st, &f, 200 * MS, &cmd),
			 CS_ACT_DONE);
	assert_int_equal(cmd.actuator, 1);
	assert_int_equal(cmd.action, CS_ACT_PULSE);
	assert_true(cmd.pulse_ns == 300 * MS);
}

static void prime(struct fixture *fx)
{
	const uint8_t b[7] = { 0x00, 0x50, 0x01 };
	struct cs_can_frame f = cmd_frame(b);
	struct cs_act_command cmd;

	memset(&fx->st, 0, sizeof(fx->st));
	assert_int_equal(cs_actcmd_decode(fx->c, &fx->st, &f, 0, &cmd),
			 CS_ACT_STALE);
}

static void repeated_refused(void **state)
{
	struct fixture *fx = *state;
	const uint8_t b[7] = { 0x00, 0x61, 0x02 };
	struct cs_can_frame f = cmd_frame(b);
	struct cs_act_command cmd;

	prime(fx);
	assert_int_equal(cs_actcmd_decode(fx->c, &fx->st, &f, 10 * MS, &cmd),
			 CS_ACT_DONE);
	assert_int_equal(cs_actcmd_decode(fx->c, &fx->st, &f, 20 * MS, &cmd),
			 CS_ACT_REPEATED);
}

static void stale_refused(void **state)
{
	struct fixture *fx = *state;
	const uint8_t b[7] = { 0x00, 0x61, 0x02 };
	struct cs_can_frame f = cmd_frame(b);
	struct cs_act_command cmd;

	prime(fx);
	assert_int_equal(cs_actcmd_decode(fx->c, &fx->st, &f, 1500 * MS,
					  &cmd), CS_ACT_STALE);
}

static void out_of_order_refused(void **state)
{
	struct fixture *fx = *state;
	const uint8_t b[7] = { 0x00, 0x41, 0x02 };	/* counter 4 < 5 */
	struct cs_can_frame f = cmd_frame(b);
	struct cs_act_command cmd;

	prime(fx);
	assert_int_equal(cs_actcmd_decode(fx->c, &fx->st, &f, 10 * MS, &cmd),
			 CS_ACT_OUT_OF_ORDER);
}

static void corrupt_refused(void **state)
{
	struct fixture *fx = *state;
	const uint8_t b[7] = { 0x00, 0x61, 0x02 };
	struct cs_can_frame f = cmd_frame(b);
	struct cs_act_command cmd;
	int bit;

	prime(fx);
	/* every single-bit error anywhere in the frame is caught */
	for (bit = 0; bit < 64; bit++) {
		struct cs_can_frame g = f;

		g.data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(cs_actcmd_decode(fx->c, &fx->st, &g, 10 * MS,
						  &cmd), CS_ACT_CORRUPT);
	}
	/* a frame on another id carries another data id */
	f.id = 0x3f2;
	assert_int_equal(cs_actcmd_decode(fx->c, &fx->st, &f, 10 * MS, &cmd),
			 CS_ACT_CORRUPT);
	/* shorter than the message */
	f.id = 0x3f0;
	f.len = 7;
	assert_int_equal(cs_actcmd_decode(fx->c, &fx->st, &f, 10 * MS, &cmd),
			 CS_ACT_CORRUPT);
	/* and the good one still goes through after all that */
	f.len = 8;
	assert_int_equal(cs_actcmd_decode(fx->c, &fx->st, &f, 20 * MS, &cmd),
			 CS_ACT_DONE);
}

/* All-ones fields (the DBC's not available) are refused, never cast:
 * actuator 0xFF, action 0xF. */
static void not_available_refused(void **state)
{
	struct fixture *fx = *state;
	const uint8_t act_na[7] = { 0xff, 0x61, 0x02 };
	const uint8_t action_na[7] = { 0x00, 0x7f, 0x03 };
	struct cs_can_frame f;
	struct cs_act_command cmd;

	prime(fx);
	f = cmd_frame(act_na);
	assert_int_equal(cs_actcmd_decode(fx->c, &fx->st, &f, 10 * MS, &cmd),
			 CS_ACT_NOT_AVAILABLE);
	assert_int_equal(cmd.actuator, -1);
	f = cmd_frame(action_na);
	assert_int_equal(cs_actcmd_decode(fx->c, &fx->st, &f, 20 * MS, &cmd),
			 CS_ACT_NOT_AVAILABLE);
	assert_int_equal(cmd.action, -1);
	assert_int_equal(cmd.actuator, 0);
}

/* Ack of "on, done, seq 7, level 1" with counter 3: bytes worked out by
 * hand from the DBC layout, CRC over F1 03 and bytes 0..6. */
static void ack_bytes(void **state)
{
	struct fixture *fx = *state;
	struct cs_act_ack a = { 0, CS_ACT_ON, CS_ACT_DONE, 7, 1 };
	const uint8_t want[9] = { 0xf1, 0x03, 0x00, 0x01, 0x07, 0x31, 0x00,
				  0x00, 0x00 };
	struct cs_can_frame f;
	unsigned int counter = 3;

	assert_int_equal(cs_actcmd_ack(fx->c, &a, &counter, &f), 0);
	assert_int_equal(counter, 4);
	assert_int_equal(f.id, 0x3f1);
	assert_int_equal(f.len, 8);
	assert_memory_equal(f.data, want + 2, 7);
	assert_int_equal(f.data[7], cs_crc8_sae_j1850(want, 9));
	/* a refusal of a frame whose actuator was not available: 0xFF */
	a.actuator = -1;
	a.result = CS_ACT_NOT_AVAILABLE;
	a.level = -1;
	assert_int_equal(cs_actcmd_ack(fx->c, &a, &counter, &f), 0);
	assert_int_equal(f.data[0], 0xff);
	assert_int_equal(f.data[1], 0x91);
	assert_string_equal(cs_act_result_name(CS_ACT_NOT_AVAILABLE),
			    "not-available");
}

/* What cs_actcmd_encode() makes is what decode takes. */
static void encode_roundtrip(void **state)
{
	struct fixture *fx = *state;
	struct cs_act_command in = { 2, CS_ACT_PULSE, 200, 1500 * MS, 9 };
	struct cs_act_command out;
	struct cs_can_frame f;

	memset(&fx->st, 0, sizeof(fx->st));
	fx->st.synced = 1;
	fx->st.counter = 8;
	assert_int_equal(cs_actcmd_encode(fx->c, &in, 0x3f0, &f), 0);
	assert_int_equal(cs_actcmd_decode(fx->c, &fx->st, &f, 1, &out),
			 CS_ACT_DONE);
	assert_int_equal(out.actuator, 2);
	assert_int_equal(out.action, CS_ACT_PULSE);
	assert_int_equal(out.sequence, 200);
	assert_true(out.pulse_ns == 1500 * MS);
}

/* A BMS's own DBC: a heater request with its own names, an alive counter
 * and checksum, no actuator field (a fixed one), no acknowledgment. */
static const char bms_dbc[] =
	"VERSION \"\"\n\nNS_ :\n\nBS_:\n\nBU_: BMS GW\n\n"
	"BO_ 1296 BMS_ThermalCmd: 8 BMS\n"
	" SG_ HeaterRequest : 0|2@1+ (1,0) [0|2] \"\" GW\n"
	" SG_ HeaterPulse : 8|16@1+ (0.01,0) [0|600] \"s\" GW\n"
	" SG_ AliveCounter : 48|4@1+ (1,0) [0|15] \"\" GW\n"
	" SG_ Checksum : 56|8@1+ (1,0) [0|255] \"\" GW\n"
	"\n"
	"BO_ 1297 BMS_Plain: 8 BMS\n"
	" SG_ Heater : 0|1@1+ (1,0) [0|1] \"\" GW\n"
	" SG_ BadCrc : 4|8@1+ (1,0) [0|255] \"\" GW\n";

static void bms_command(void **state)
{
	struct cs_can_error err;
	struct cs_dbc *dbc = cs_dbc_create(bms_dbc, strlen(bms_dbc), &err);
	struct cs_actcmd_names n = { 0 };
	struct cs_act_command cmd;
	struct cs_e2e_state st = { 0 };
	struct cs_can_frame f;
	struct cs_actcmd *c;
	const char *why = NULL;
	uint8_t buf[9] = { 0x10, 0x05 };	/* data id 0x510 */

	(void)state;
	assert_non_null(dbc);
	n.command = "BMS_ThermalCmd";
	n.ack = "-";
	n.cmd_signal[CS_ACTCMD_ACTION] = "HeaterRequest";
	n.cmd_signal[CS_ACTCMD_PULSE] = "HeaterPulse";
	n.cmd_signal[CS_ACTCMD_COUNTER] = "AliveCounter";
	n.cmd_signal[CS_ACTCMD_CRC] = "Checksum";
	n.fixed_actuator = 3;
	n.e2e.window_ns = 1000 * MS;
	c = cs_actcmd_create(dbc, &n, &why);
	if (!c)
		fail_msg("%s", why);
	assert_null(cs_actcmd_ack_message(c));
	/* pulse 2.5 s (250 = FA 00), counter 4 then 5 */
	memset(&f, 0, sizeof(f));
	f.id = 0x510;
	f.len = 8;
	f.data[0] = 2;
	f.data[1] = 0xfa;
	f.data[6] = 4;
	memcpy(buf + 2, f.data, 7);
	f.data[7] = cs_crc8_sae_j1850(buf, 9);
	assert_int_equal(cs_actcmd_decode(c, &st, &f, 0, &cmd), CS_ACT_STALE);
	f.data[6] = 5;
	memcpy(buf + 2, f.data, 7);
	f.data[7] = cs_crc8_sae_j1850(buf, 9);
	assert_int_equal(cs_actcmd_decode(c, &st, &f, 50 * MS, &cmd),
			 CS_ACT_DONE);
	assert_int_equal(cmd.actuator, 3);
	assert_int_equal(cmd.action, CS_ACT_PULSE);
	assert_true(cmd.pulse_ns == 2500 * MS);
	assert_int_equal(cmd.sequence, -1);
	cs_actcmd_destroy(c);

	/* a frame with no counter and CRC is refused unless asked for */
	memset(&n, 0, sizeof(n));
	n.command = "BMS_Plain";
	n.ack = "-";
	n.cmd_signal[CS_ACTCMD_ACTION] = "Heater";
	n.e2e.window_ns = 1000 * MS;
	errno = 0;
	assert_null(cs_actcmd_create(dbc, &n, &why));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(why, "no E2E counter and CRC"));
	n.no_e2e = 1;
	c = cs_actcmd_create(dbc, &n, &why);
	assert_non_null(c);
	assert_false(cs_actcmd_protected(c));
	memset(&f, 0, sizeof(f));
	f.id = 0x511;
	f.len = 8;
	f.data[0] = 1;
	assert_int_equal(cs_actcmd_decode(c, &st, &f, 0, &cmd), CS_ACT_DONE);
	assert_int_equal(cmd.action, CS_ACT_ON);
	assert_int_equal(cmd.actuator, 0);
	cs_actcmd_destroy(c);

	/* a CRC that is not one whole byte; names not in the DBC */
	n.no_e2e = 0;
	n.cmd_signal[CS_ACTCMD_COUNTER] = "Heater";
	n.cmd_signal[CS_ACTCMD_CRC] = "BadCrc";
	errno = 0;
	assert_null(cs_actcmd_create(dbc, &n, &why));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(why, "BadCrc"));
	n.cmd_signal[CS_ACTCMD_CRC] = "Nope";
	errno = 0;
	assert_null(cs_actcmd_create(dbc, &n, &why));
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(why, "Nope"));
	n.command = "Missing";
	errno = 0;
	assert_null(cs_actcmd_create(dbc, &n, &why));
	assert_int_equal(errno, ENOENT);
	cs_dbc_destroy(dbc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(protected_by_default),
		cmocka_unit_test(sequence_accepted),
		cmocka_unit_test(repeated_refused),
		cmocka_unit_test(stale_refused),
		cmocka_unit_test(out_of_order_refused),
		cmocka_unit_test(corrupt_refused),
		cmocka_unit_test(not_available_refused),
		cmocka_unit_test(ack_bytes),
		cmocka_unit_test(encode_roundtrip),
		cmocka_unit_test(bms_command),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
