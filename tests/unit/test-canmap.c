// SPDX-License-Identifier: GPL-2.0-or-later
/* Record <-> frame map and candump log lines. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "cellsense-can.h"

static const char dbc_text[] =
	"BO_ 784 Fbg: 8 GW\n"
	" SG_ Grating M : 0|8@1+ (1,0) [0|254] \"\" BMS\n"
	" SG_ Fibre : 8|4@1+ (1,0) [0|14] \"\" BMS\n"
	" SG_ St_G0 m0 : 12|4@1+ (1,0) [0|14] \"\" BMS\n"
	" SG_ Wl_G0 m0 : 16|32@1+ (0.0001,0) [1400|1700] \"nm\" BMS\n"
	" SG_ U_G0 m0 : 48|16@1+ (0.0001,0) [0|6.5534] \"nm\" BMS\n"
	" SG_ St_G1 m1 : 12|4@1+ (1,0) [0|14] \"\" BMS\n"
	" SG_ Wl_G1 m1 : 16|32@1+ (0.0001,0) [1400|1700] \"nm\" BMS\n"
	" SG_ U_G1 m1 : 48|16@1+ (0.0001,0) [0|6.5534] \"nm\" BMS\n"
	"BO_ 816 Re: 8 GW\n"
	" SG_ Electrode M : 0|8@1+ (1,0) [0|254] \"\" BMS\n"
	" SG_ Cell : 8|8@1+ (1,0) [0|254] \"\" BMS\n"
	" SG_ Potential : 16|24@1- (0.000001,0) [-8|8] \"V\" BMS\n"
	"VAL_ 784 St_G0 0 \"ok\" 1 \"lost\" ;\n"
	"VAL_ 784 St_G1 0 \"ok\" 1 \"lost\" ;\n";

static const char map_text[] =
	"# comment\n"
	"\n"
	"fbg{Fibre}/g{Grating} wavelength Fbg Wl_G{Grating} "
	"status=St_G{Grating} uncertainty=U_G{Grating}\n"
	"re{Cell}/anode potential Re Potential Electrode=2\n"
	"re{Cell}/cathode potential Re Potential Electrode=1\n"
	"lab*/[ab] potential Re Potential Electrode=7 Cell=3\n";

struct fixture {
	struct cs_dbc *dbc;
	struct cs_canmap *map;
};

static int setup(void **state)
{
	static struct fixture fx;
	struct cs_can_error err;

	fx.dbc = cs_dbc_create(dbc_text, strlen(dbc_text), &err);
	if (!fx.dbc)
		fail_msg("dbc %lu:%u: %s", err.line, err.column, err.why);
	fx.map = cs_canmap_create(map_text, strlen(map_text), fx.dbc, &err);
	if (!fx.map)
		fail_msg("map %lu:%u: %s", err.line, err.column, err.why);
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	cs_canmap_destroy(fx->map);
	cs_dbc_destroy(fx->dbc);
	return 0;
}

static void rec(struct cs_record *r, const char *src, const char *q,
		double v, const char *unit, const char *status, double u)
{
	assert_int_equal(cs_record_set(r, 1700000000123456000LL, src, q, v,
				       unit, status, u), 0);
}

static void encode_decode(void **state)
{
	struct fixture *fx = *state;
	struct cs_record r, back[4];
	struct cs_can_frame f;
	const char *why = NULL;

	assert_int_equal(cs_canmap_count(fx->map), 4);
	rec(&r, "fbg3/g1", "wavelength", 1545.1234, "nm", "lost", 0.0002);
	assert_int_equal(cs_canmap_encode(fx->map, &r, &f, &why), 0);
	assert_int_equal(f.id, 784);
	assert_int_equal(f.len, 8);
	assert_int_equal(f.data[0], 1);		/* grating = mux */
	assert_int_equal(f.data[1], 0x13);	/* status 1 << 4 | fibre 3 */
	assert_int_equal(cs_canmap_decode(fx->map, &f, r.time_ns, back, 4),
			 1);
	assert_string_equal(back[0].source, "fbg3/g1");
	assert_string_equal(back[0].quantity, "wavelength");
	assert_string_equal(back[0].unit, "nm");
	assert_string_equal(back[0].status, "lost");
	assert_true(fabs(back[0].value - 1545.1234) < 1e-9);
	assert_true(fabs(back[0].uncertainty - 0.0002) < 1e-9);

	/* Constants select among lines, both ways. */
	rec(&r, "re5/cathode", "potential", -0.25, "V", "ok", NAN);
	assert_int_equal(cs_canmap_encode(fx->map, &r, &f, &why), 0);
	assert_int_equal(f.data[0], 1);
	assert_int_equal(f.data[1], 5);
	assert_int_equal(cs_canmap_decode(fx->map, &f, 0, back, 4), 1);
	assert_string_equal(back[0].source, "re5/cathode");
	assert_true(fabs(back[0].value + 0.25) < 1e-9);

	/* Wildcards map, but cannot be named back. */
	rec(&r, "lab9/b", "potential", 1, "V", "ok", NAN);
	assert_int_equal(cs_canmap_encode(fx->map, &r, &f, &why), 0);
	assert_int_equal(f.data[0], 7);
	assert_int_equal(f.data[1], 3);
	assert_int_equal(cs_canmap_decode(fx->map, &f, 0, back, 4), 0);

	/* Unknown id. */
	f.id = 0x123;
	assert_int_equal(cs_canmap_decode(fx->map, &f, 0, back, 4), -ENOENT);
}

static void refused_records(void **state)
{
	struct fixture *fx = *state;
	struct cs_record r;
	struct cs_can_frame f;
	const char *why = NULL;

	rec(&r, "fbg0/x", "wavelength", 1550, "nm", "ok", NAN);
	assert_int_equal(cs_canmap_encode(fx->map, &r, &f, &why), -ENOENT);
	rec(&r, "fbg0/g1", "temperature", 25, "degC", "ok", NAN);
	assert_int_equal(cs_canmap_encode(fx->map, &r, &f, &why), -ENOENT);
	rec(&r, "lab1/c", "potential", 1, "V", "ok", NAN);
	assert_int_equal(cs_canmap_encode(fx->map, &r, &f, &why), -ENOENT);
	/* No signal for grating 2. */
	rec(&r, "fbg0/g2", "wavelength", 1550, "nm", "ok", NAN);
	assert_int_equal(cs_canmap_encode(fx->map, &r, &f, &why), -EBADMSG);
	assert_non_null(strstr(why, "no signal"));
	/* Fibre 15 is outside [0|14]. */
	rec(&r, "fbg15/g1", "wavelength", 1550, "nm", "ok", NAN);
	assert_int_equal(cs_canmap_encode(fx->map, &r, &f, &why), -EBADMSG);
	assert_non_null(strstr(why, "range"));
	rec(&r, "fbg0/g1", "wavelength", 1550, "degC", "ok", NAN);
	assert_int_equal(cs_canmap_encode(fx->map, &r, &f, &why), -EBADMSG);
	assert_non_null(strstr(why, "unit"));
	rec(&r, "fbg0/g1", "wavelength", 1550, "furlong", "ok", NAN);
	assert_int_equal(cs_canmap_encode(fx->map, &r, &f, &why), -EBADMSG);
	assert_non_null(strstr(why, "unit"));
	rec(&r, "fbg0/g1", "wavelength", 1550, "nm", "weird", NAN);
	assert_int_equal(cs_canmap_encode(fx->map, &r, &f, &why), -EBADMSG);
	assert_non_null(strstr(why, "status"));
	/* Clamped, but sent. */
	rec(&r, "fbg0/g1", "wavelength", 1900, "nm", "ok", NAN);
	assert_int_equal(cs_canmap_encode(fx->map, &r, &f, &why),
			 CS_CAN_CLAMPED);
	/* NaN value where the signal has no code for it. */
	rec(&r, "re0/anode", "potential", NAN, "V", "lost", NAN);
	assert_int_equal(cs_canmap_encode(fx->map, &r, &f, &why), 0);
}

static void bad_maps(void **state)
{
	static const struct {
		const char *text;
		unsigned long line;
		unsigned int column;
		const char *why;
	} cases[] = {
		{ "a q Nope S\n", 1, 5, "no message" },
		{ "\n\na q Fbg\n", 3, 5, "expected SOURCE" },
		{ "a q Fbg Nope\n", 1, 9, "no signal" },
		{ "a{Nope} q Fbg Wl_G0\n", 1, 1, "{Nope}" },
		{ "a{Wl_G0} q Fbg Wl_G0\n", 1, 1, "multiplexing" },
		{ "a{Grating q Fbg Wl_G0\n", 1, 2, "bad {NAME}" },
		{ "a q Fbg Wl_G{Grating}\n", 1, 9, "not a {NAME}" },
		{ "a q Fbg Wl_G0 status\n", 1, 15, "KEY=VALUE" },
		{ "a q Fbg Wl_G0 Fibre=x\n", 1, 21, "not a number" },
		{ "a q Fbg Wl_G0 Gone=1\n", 1, 15, "no signal Gone" },
		{ "a q Fbg Wl_G0 status=St_G0 status=St_G0\n", 1, 28, "twice" },
	};
	struct fixture *fx = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cs_can_error err;

		errno = 0;
		if (cs_canmap_create(cases[i].text, strlen(cases[i].text),
				     fx->dbc, &err))
			fail_msg("case %zu accepted", i);
		assert_int_equal(errno, EBADMSG);
		if (!strstr(err.why, cases[i].why) ||
		    err.line != cases[i].line ||
		    err.column != cases[i].column)
			fail_msg("case %zu: %lu:%u: %s; wanted %lu:%u: ...%s",
				 i, err.line, err.column, err.why,
				 cases[i].line, cases[i].column,
				 cases[i].why);
	}
	errno = 0;
	assert_null(cs_canmap_create("", 0, NULL, NULL));
	assert_int_equal(errno, EINVAL);
}

static void candump_lines(void **state)
{
	struct cs_can_frame f;
	char iface[16], buf[256];
	unsigned int col;
	const char *why;
	int64_t t;

	(void)state;
	assert_int_equal(cs_candump_parse("(1700000000.123456) can0 "
					  "310#0102030405060708\n", &f, &t,
					  iface, sizeof(iface), &col, &why),
			 0);
	assert_true(t == 1700000000123456000LL);
	assert_string_equal(iface, "can0");
	assert_int_equal(f.id, 0x310);
	assert_false(f.extended);
	assert_int_equal(f.len, 8);
	assert_int_equal(f.data[7], 8);
	assert_int_equal(cs_candump_format(buf, sizeof(buf), t, iface, &f),
			 strlen("(1700000000.123456) can0 310#0102030405060708"));
	assert_string_equal(buf, "(1700000000.123456) can0 "
			    "310#0102030405060708");

	assert_int_equal(cs_candump_parse("(0.5) vcan1 1F334455#", &f, &t,
					  iface, sizeof(iface), &col, &why),
			 0);
	assert_true(f.extended);
	assert_int_equal(f.id, 0x1F334455);
	assert_int_equal(f.len, 0);
	assert_true(t == 500000000);
	cs_candump_format(buf, sizeof(buf), t, iface, &f);
	assert_string_equal(buf, "(0.500000) vcan1 1F334455#");

	assert_int_equal(cs_candump_parse("(1.000001) can0 123##3AABB", &f,
					  &t, iface, sizeof(iface), &col,
					  &why), 0);
	assert_true(f.flags & CS_CAN_FLAG_FD);
	assert_int_equal(f.fd_flags, 3);
	assert_int_equal(f.len, 2);
	cs_candump_format(buf, sizeof(buf), t, iface, &f);
	assert_string_equal(buf, "(1.000001) can0 123##3AABB");

	assert_int_equal(cs_candump_parse("(1.0) can0 123#R", &f, &t, iface,
					  sizeof(iface), &col, &why), 0);
	assert_true(f.flags & CS_CAN_FLAG_RTR);

	/* candump's screen format, with and without -t a. */
	assert_int_equal(cs_candump_parse("  vcan0  310   [3]  00 11 FF",
					  &f, &t, iface, sizeof(iface), &col,
					  &why), 0);
	assert_true(t == -1);
	assert_string_equal(iface, "vcan0");
	assert_int_equal(f.len, 3);
	assert_int_equal(f.data[2], 0xFF);
	assert_int_equal(cs_candump_parse(" (1700000000.000001)  can0  "
					  "12345678   [2]  AB CD   '..'",
					  &f, &t, iface, sizeof(iface), &col,
					  &why), 0);
	assert_true(f.extended);
	assert_int_equal(f.data[1], 0xCD);
	assert_true(t == 1700000000000001000LL);

	assert_int_equal(cs_candump_parse("   ", &f, &t, iface, sizeof(iface),
					  &col, &why), -ENOMSG);
	assert_int_equal(cs_candump_parse("# x", &f, &t, iface, sizeof(iface),
					  &col, &why), -ENOMSG);
}

static void candump_bad_lines(void **state)
{
	static const struct {
		const char *line;
		unsigned int column;
	} cases[] = {
		{ "(17x) can0 123#00", 1 },
		{ "(1.5) can0 1234#00", 12 },
		{ "(1.5) can0 800#00", 12 },
		{ "(1.5) can0 123#0", 16 },
		{ "(1.5) can0 123#000102030405060708", 32 },
		{ "(1.5) can0 123#00 zz", 19 },
		{ "(1.5) can0", 11 },
		{ "can0 123 [9x] 00", 10 },
		{ "can0 123 [2] 00", 16 },
		{ "can0 123 [2] 0011", 16 },
		{ "(1.5)can0 123#00", 6 },
		{ "(1.5) averyveryverylongifacename 123#00", 7 },
	};
	struct cs_can_frame f;
	char iface[16];
	unsigned int col;
	const char *why;
	int64_t t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = cs_candump_parse(cases[i].line, &f, &t, iface,
					   sizeof(iface), &col, &why);

		if (ret != -EBADMSG || col != cases[i].column)
			fail_msg("case %zu '%s': %d at %u (%s), wanted %u", i,
				 cases[i].line, ret, col,
				 ret ? why : "-", cases[i].column);
	}
}


/* Every candump line: remote and error frames, -x marks, DROPCOUNT, -t A,
 * -t d/z, and CAN FD lengths that are none. */
static void candump_every_line(void **state)
{
	struct fixture *fx = *state;
	struct cs_can_frame f;
	struct cs_record back[4];
	char iface[16], buf[128];
	unsigned int col;
	const char *why;
	unsigned long drops;
	int64_t t;
	struct tm tm;

	/* a remote request: no data, and never a record */
	assert_int_equal(cs_candump_parse("(1.5) can0 310#R8", &f, &t, iface,
					  sizeof(iface), &col, &why), 0);
	assert_true(f.flags & CS_CAN_FLAG_RTR);
	assert_int_equal(f.len, 8);
	assert_int_equal(cs_canmap_decode(fx->map, &f, t, back, 4), 0);
	assert_int_equal(cs_candump_parse("  can0  310   [8]  remote request",
					  &f, &t, iface, sizeof(iface), &col,
					  &why), 0);
	assert_true(f.flags & CS_CAN_FLAG_RTR);
	assert_int_equal(cs_canmap_decode(fx->map, &f, t, back, 4), 0);
	/* an error frame: bus-off (0x40) and controller (0x04) classes */
	assert_int_equal(cs_candump_parse("(1.5) can0 20000044#0004000000000000",
					  &f, &t, iface, sizeof(iface), &col,
					  &why), 0);
	assert_true(f.flags & CS_CAN_FLAG_ERR);
	assert_false(f.extended);
	assert_int_equal(f.id, 0x44);
	assert_int_equal(f.data[1], 0x04);
	assert_int_equal(cs_canmap_decode(fx->map, &f, t, back, 4), 0);
	cs_candump_format(buf, sizeof(buf), t, "can0", &f);
	assert_string_equal(buf, "(1.500000) can0 20000044#0004000000000000");
	assert_int_equal(cs_candump_parse("  can0  20000040   [8]  00 00 00 00 "
					  "00 00 00 00   ERRORFRAME", &f, &t,
					  iface, sizeof(iface), &col, &why), 0);
	assert_true(f.flags & CS_CAN_FLAG_ERR);
	assert_int_equal(f.id, 0x40);
	/* -x: " R" / " T" after -L lines, "RX - -" on screen */
	assert_int_equal(cs_candump_parse("(1.5) can0 310#00 T", &f, &t, iface,
					  sizeof(iface), &col, &why), 0);
	assert_int_equal(cs_candump_parse(" (1.5)  can0  TX B E  123  [12]  00 "
					  "11 22 33 44 55 66 77 88 99 AA BB",
					  &f, &t, iface, sizeof(iface), &col,
					  &why), 0);
	assert_true(f.flags & CS_CAN_FLAG_FD);
	assert_int_equal(f.len, 12);
	assert_int_equal(f.data[11], 0xBB);
	assert_int_equal(cs_candump_parse("  can0  RX X -  123  [1]  00", &f,
					  &t, iface, sizeof(iface), &col,
					  &why), -EBADMSG);
	assert_int_equal(col, 12);
	/* DROPCOUNT */
	assert_int_equal(cs_candump_parse("DROPCOUNT: dropped 3 CAN frames on "
					  "'can0' socket (total drops 5)", &f,
					  &t, iface, sizeof(iface), &col,
					  &why), -EOVERFLOW);
	assert_int_equal(cs_candump_drops("DROPCOUNT: dropped 3 CAN frames on "
					  "'can0' socket (total drops 5)",
					  &drops), 1);
	assert_int_equal(drops, 3);
	assert_int_equal(cs_candump_drops("DROPCOUNT: dropped 1 CAN frame on "
					  "'can0' socket (total drops 1)",
					  &drops), 1);
	assert_int_equal(drops, 1);
	assert_int_equal(cs_candump_drops("(1.5) can0 310#00", &drops), 0);
	assert_int_equal(cs_candump_parse("DROPCOUNT: lots", &f, &t, iface,
					  sizeof(iface), &col, &why),
			 -EBADMSG);
	/* -t A: a date in local time; -t z: seconds as they are */
	assert_int_equal(cs_candump_parse(" (2026-12-02 04:30:00.250000)  can0"
					  "  310   [1]  01", &f, &t, iface,
					  sizeof(iface), &col, &why), 0);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 126;
	tm.tm_mon = 11;
	tm.tm_mday = 2;
	tm.tm_hour = 4;
	tm.tm_min = 30;
	tm.tm_isdst = -1;
	assert_true(t == (int64_t)mktime(&tm) * 1000000000 + 250000000);
	assert_int_equal(cs_candump_parse(" (000.001234)  can0  310   [1]  01",
					  &f, &t, iface, sizeof(iface), &col,
					  &why), 0);
	assert_true(t == 1234000);
	assert_int_equal(cs_candump_parse(" (2026-13-02 04:30:00.25)  can0  "
					  "310   [1]  01", &f, &t, iface,
					  sizeof(iface), &col, &why),
			 -EBADMSG);
	/* 9 bytes is no CAN FD length, in either form */
	assert_int_equal(cs_candump_parse("(1.5) can0 123##1001122334455667788",
					  &f, &t, iface, sizeof(iface), &col,
					  &why), -EBADMSG);
	assert_non_null(strstr(why, "CAN FD length"));
	assert_int_equal(cs_candump_parse("  can0  123  [09]  00 11 22 33 44 "
					  "55 66 77 88", &f, &t, iface,
					  sizeof(iface), &col, &why),
			 -EBADMSG);
	assert_int_equal(cs_candump_parse("(1.5) can0 123##10011223344556677"
					  "8899AABB", &f, &t, iface,
					  sizeof(iface), &col, &why), 0);
	assert_int_equal(f.len, 12);
	/* the error flag with more id bits set is not an id */
	assert_int_equal(cs_candump_parse("(1.5) can0 60000004#00", &f, &t,
					  iface, sizeof(iface), &col, &why),
			 -EBADMSG);
}

/* Templated lines: a free variable names signals by format and computes
 * the multiplexor value; typos are refused. */
static void templates(void **state)
{
	static const char dbc6[] =
		"BO_ 600 Cells: 8 GW\n"
		" SG_ Mux M : 0|8@1+ (1,0) [0|0] \"\" BMS\n"
		" SG_ T_000 m0 : 8|8@1- (1,0) [-100|100] \"degC\" BMS\n"
		" SG_ T_001 m0 : 16|8@1- (1,0) [-100|100] \"degC\" BMS\n"
		" SG_ T_002 m1 : 8|8@1- (1,0) [-100|100] \"degC\" BMS\n"
		" SG_ T_003 m1 : 16|8@1- (1,0) [-100|100] \"degC\" BMS\n"
		" SG_ Bad_000 m0 : 24|1@1+ (1,0) [0|1] \"\" BMS\n"
		" SG_ Bad_001 m0 : 25|1@1+ (1,0) [0|1] \"\" BMS\n"
		" SG_ Bad_002 m1 : 24|1@1+ (1,0) [0|1] \"\" BMS\n"
		" SG_ Bad_003 m1 : 25|1@1+ (1,0) [0|1] \"\" BMS\n";
	static const char map6[] =
		"cell{N} temperature Cells T_{N:03d} Mux={N/2} "
		"invalid=Bad_{N:03d} sources=4\n";
	struct cs_can_error err;
	struct cs_dbc *dbc = cs_dbc_create(dbc6, strlen(dbc6), &err);
	struct cs_canmap *map;
	struct cs_record r, back[4];
	struct cs_can_frame f;
	const char *why = NULL;

	(void)state;
	assert_non_null(dbc);
	map = cs_canmap_create(map6, strlen(map6), dbc, &err);
	if (!map)
		fail_msg("%lu:%u: %s", err.line, err.column, err.why);
	/* cell 3: mux 1, second slot (bits 16..23), flag bit 25 clear */
	rec(&r, "cell3", "temperature", -7, "degC", "ok", NAN);
	assert_int_equal(cs_canmap_encode(map, &r, &f, &why), 0);
	assert_int_equal(f.data[0], 1);
	assert_int_equal(f.data[2], 0xF9);
	assert_int_equal(f.data[3] & 2, 0);
	/* lost: flagged, and the value its not-available code (-128 lies
	 * outside [-100|100]) */
	rec(&r, "cell2", "temperature", NAN, "degC", "lost", NAN);
	assert_int_equal(cs_canmap_encode(map, &r, &f, &why), 0);
	assert_int_equal(f.data[0], 1);
	assert_int_equal(f.data[1], 0x80);
	assert_int_equal(f.data[3] & 1, 1);
	/* back: both cells of mux 1 (the other slot's flag clear: 0) */
	assert_int_equal(cs_canmap_decode(map, &f, 5, back, 4), 2);
	assert_string_equal(back[0].source, "cell2");
	assert_true(isnan(back[0].value));
	assert_string_equal(back[0].status, "lost");
	assert_string_equal(back[1].source, "cell3");
	/* cell 4 has no signal */
	rec(&r, "cell4", "temperature", 1, "degC", "ok", NAN);
	assert_int_equal(cs_canmap_encode(map, &r, &f, &why), -EBADMSG);
	cs_canmap_destroy(map);
	/* a free variable that no template uses is a typo */
	assert_null(cs_canmap_create("cell{Nope} temperature Cells T_000\n",
				     35, dbc, &err));
	assert_non_null(strstr(err.why, "{Nope}"));
	/* a template that names no signal of the message */
	assert_null(cs_canmap_create("cell{N} temperature Cells X_{N}\n", 32,
				     dbc, &err));
	assert_non_null(strstr(err.why, "can name"));
	/* a bad brace: division by 0, an unknown format */
	assert_null(cs_canmap_create("cell{N} temperature Cells T_{N/0}\n",
				     34, dbc, &err));
	assert_null(cs_canmap_create("cell{N} temperature Cells T_{N:3x}\n",
				     35, dbc, &err));
	/* computing in a source pattern is refused */
	assert_null(cs_canmap_create("cell{N/2} temperature Cells T_{N}\n",
				     34, dbc, &err));
	cs_dbc_destroy(dbc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(encode_decode, setup, teardown),
		cmocka_unit_test_setup_teardown(refused_records, setup,
						teardown),
		cmocka_unit_test_setup_teardown(bad_maps, setup, teardown),
		cmocka_unit_test(candump_lines),
		cmocka_unit_test(candump_bad_lines),
		cmocka_unit_test(templates),
		cmocka_unit_test_setup_teardown(candump_every_line, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
