// SPDX-License-Identifier: GPL-2.0-or-later
/* DBC: parse (and refuse with line and column), pack and unpack signals. */
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

#include "cellsense-can.h"
#include "cs-dbc.h"

/* cmocka 1.1 has no assert_double_equal. */
#define assert_near(a, b, eps)                                          \
	do {                                                            \
		double a_ = (a), b_ = (b);                              \
		if (!(fabs(a_ - b_) <= (eps)))                          \
			fail_msg("%.12g != %.12g (+- %g)", a_, b_,     \
				 (double)(eps));                        \
	} while (0)

static const char good[] =
	"VERSION \"\"\n"
	"\n"
	"NS_ :\n"
	"\tCM_\n"
	"\tBA_DEF_\n"
	"\tVAL_\n"
	"\n"
	"BS_:\n"
	"\n"
	"BU_: GW BMS\n"
	"\n"
	"BO_ 784 Fbg: 8 GW\n"
	" SG_ Grating M : 0|8@1+ (1,0) [0|254] \"\" BMS\n"
	" SG_ Wl_G0 m0 : 16|32@1+ (0.0001,0) [1400|1700] \"nm\" BMS\n"
	" SG_ Wl_G1 m1 : 16|32@1+ (0.0001,0) [1400|1700] \"nm\" BMS,GW\n"
	" SG_ Status : 8|4@1+ (1,0) [0|14] \"\" BMS\n"
	"\n"
	"BO_ 2147484498 Ext: 8 GW\n"	/* 0x80000000 | 0x352 */
	" SG_ Moto : 7|16@0- (0.5,-10) [0|0] \"V\" Vector__XXX\n"
	" SG_ Small : 56|3@1- (1,0) [-4|3] \"\" BMS\n"
	" SG_ F : 16|32@1- (1,0) [0|0] \"\" BMS\n"
	"\n"
	"BO_ 853 OddBits: 8 GW\n"	/* would overlap Moto in Ext */
	" SG_ Odd : 12|12@0+ (1,0) [0|4095] \"\" BMS\n"
	"\n"
	"CM_ BO_ 784 \"Bragg wavelengths;\n"
	"over two lines\";\n"
	"CM_ SG_ 784 Status \"status\";\n"
	"BA_DEF_ BO_ \"GenMsgCycleTime\" INT 0 65535;\n"
	"BA_ \"GenMsgCycleTime\" BO_ 784 100;\n"
	"VAL_ 784 Status 0 \"ok\" 1 \"lost\" 2 \"merged\" 3 \"saturated\" ;\n"
	"VAL_ 999 Nothing 0 \"x\" ;\n"
	"SIG_VALTYPE_ 2147484498 F : 1;\n";

static struct cs_dbc *load_good(void)
{
	struct cs_can_error err;
	struct cs_dbc *dbc = cs_dbc_create(good, strlen(good), &err);

	if (!dbc)
		fail_msg("good DBC refused: %lu:%u: %s", err.line, err.column,
			 err.why);
	return dbc;
}

static void parse_good(void **state)
{
	struct cs_dbc *dbc = load_good();
	const struct cs_dbc_message *m;
	const struct cs_dbc_signal *s;
	int64_t raw;

	(void)state;
	assert_int_equal(cs_dbc_message_count(dbc), 3);
	m = cs_dbc_message_by_id(dbc, 784, 0);
	assert_non_null(m);
	assert_string_equal(m->name, "Fbg");
	assert_int_equal(m->dlc, 8);
	assert_string_equal(m->comment, "Bragg wavelengths;\nover two lines");
	assert_int_equal(m->nsignals, 4);
	assert_non_null(m->multiplexor);
	assert_string_equal(m->multiplexor->name, "Grating");
	s = cs_dbc_signal_by_name(m, "Wl_G1");
	assert_non_null(s);
	assert_int_equal(s->mux, CS_DBC_MULTIPLEXED);
	assert_int_equal(s->mux_value, 1);
	assert_int_equal(s->start, 16);
	assert_int_equal(s->length, 32);
	assert_false(s->big_endian);
	assert_false(s->is_signed);
	assert_near(s->factor, 0.0001, 1e-15);
	assert_near(s->min, 1400, 0);
	assert_near(s->max, 1700, 0);
	assert_string_equal(s->unit, "nm");
	s = cs_dbc_signal_by_name(m, "Status");
	assert_int_equal(s->nvalues, 4);
	assert_string_equal(cs_dbc_value_name(s, 2), "merged");
	assert_null(cs_dbc_value_name(s, 9));
	assert_int_equal(cs_dbc_value_lookup(s, "saturated", &raw), 0);
	assert_int_equal(raw, 3);
	assert_int_equal(cs_dbc_value_lookup(s, "gone", &raw), -ENOENT);

	assert_null(cs_dbc_message_by_id(dbc, 0x352, 0));
	m = cs_dbc_message_by_id(dbc, 0x352, 1);
	assert_non_null(m);
	assert_ptr_equal(m, cs_dbc_message_by_name(dbc, "Ext"));
	assert_null(m->multiplexor);
	s = cs_dbc_signal_by_name(m, "Moto");
	assert_true(s->big_endian);
	assert_true(s->is_signed);
	assert_near(s->offset, -10, 0);
	assert_int_equal(cs_dbc_signal_by_name(m, "F")->valtype,
			 CS_DBC_FLOAT32);
	cs_dbc_destroy(dbc);
}

struct bad_case {
	const char *text;
	unsigned long line;
	unsigned int column;
	const char *why;	/* a part of the message */
};

static void parse_bad(void **state)
{
	static const struct bad_case cases[] = {
		{ "BO_ 1 A: 8 X\n SG_ S : 0|8@2+ (1,0) [0|1] \"\" X\n",
		  2, 14, "byte order" },
		{ "BO_ 1 A: 8 X\n SG_ S : 60|8@1+ (1,0) [0|1] \"\" X\n",
		  2, 10, "does not fit" },
		{ "BO_ 1 A: 8 X\n SG_ S : 0|8@1+ (0,0) [0|1] \"\" X\n",
		  2, 18, "factor is 0" },
		{ "BO_ 1 A: 8 X\n SG_ S : 0|8@1+ (1,0) [0|1] \"nm X\n",
		  2, 29, "unterminated string" },
		{ "BO_ 1 A: 8 X\n SG_ S : 0|8@1+ (1,0) [0|1 \"\" X\n",
		  2, 28, "expected ']'" },
		{ "BO_ 4096 A: 8 X\n", 1, 5, "11-bit" },
		{ "BO_ 1 A: 9 X\nBO_ 1 B: 8 X\n", 2, 5, "defined twice" },
		{ "B0_ 1 A: 8 X\n", 1, 1, "unknown keyword" },
		{ " SG_ S : 0|8@1+ (1,0) [0|1] \"\" X\n", 1, 2, "before any BO_" },
		{ "BO_ 1 A: 8 X\n SG_ S m1 : 0|8@1+ (1,0) [0|1] \"\" X\n",
		  0, 0, "no multiplexor" },
		{ "BO_ 1 A: 8 X\n SG_ S : 0|8@1+ (1,0) [2|1] \"\" X\n",
		  2, 24, "above maximum" },
		{ "BO_ 1 A: 8 X\n SG_ S : 7|9@0+ (1,0) [0|1] \"\" X junk!\n",
		  2, 38, "unexpected" },
		{ "BO_ 1 A: 1 X\n SG_ S : 0|8@0+ (1,0) [0|1] \"\" X\n",
		  2, 10, "does not fit" },
		{ "BO_ 1 A: 8 X\n SG_ S : 0|65@1+ (1,0) [0|1] \"\" X\n",
		  2, 12, "signal length" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cs_can_error err;
		struct cs_dbc *dbc;

		errno = 0;
		dbc = cs_dbc_create(cases[i].text, strlen(cases[i].text),
				    &err);
		if (dbc)
			fail_msg("case %zu accepted", i);
		assert_int_equal(errno, EBADMSG);
		if (!strstr(err.why, cases[i].why))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.why,
				 cases[i].why);
		if (cases[i].line && (err.line != cases[i].line ||
				      err.column != cases[i].column))
			fail_msg("case %zu: at %lu:%u, wanted %lu:%u (%s)", i,
				 err.line, err.column, cases[i].line,
				 cases[i].column, err.why);
	}
	errno = 0;
	assert_null(cs_dbc_create(NULL, 0, NULL));
	assert_int_equal(errno, EINVAL);
	assert_null(cs_dbc_create_from_file("/nonexistent/x.dbc", NULL));
	assert_int_equal(errno, ENOENT);
}

static void empty_and_skipped(void **state)
{
	static const char text[] =
		"\xef\xbb\xbf" "VERSION \"x\"\n// a comment\n"
		"BA_DEF_DEF_ \"x\" 0; BA_ \"y\" 1;\n"
		"VAL_TABLE_ T 0 \"a;b\" ;\n"
		"CM_ \"whole; file\";\n";
	struct cs_dbc *dbc = cs_dbc_create(text, sizeof(text) - 1, NULL);

	(void)state;
	assert_non_null(dbc);
	assert_int_equal(cs_dbc_message_count(dbc), 0);
	assert_null(cs_dbc_message_at(dbc, 0));
	cs_dbc_destroy(dbc);
	cs_dbc_destroy(NULL);
}

/* Intel: byte 2..5 little-endian; the multiplexor in byte 0. */
static void intel_layout(void **state)
{
	struct cs_dbc *dbc = load_good();
	const struct cs_dbc_message *m = cs_dbc_message_by_id(dbc, 784, 0);
	const struct cs_dbc_signal *wl = cs_dbc_signal_by_name(m, "Wl_G1");
	uint8_t d[8] = { 0 };
	double v;

	(void)state;
	/* 1545.1234 nm = 15451234 = 0x00EBC462 */
	assert_int_equal(cs_dbc_signal_encode(wl, d, 8, 1545.1234), 0);
	assert_int_equal(d[2], 0x62);
	assert_int_equal(d[3], 0xC4);
	assert_int_equal(d[4], 0xEB);
	assert_int_equal(d[5], 0x00);
	assert_int_equal(cs_dbc_signal_decode(wl, d, 8, &v), 0);
	assert_near(v, 1545.1234, 1e-9);
	assert_int_equal(cs_dbc_signal_present(m, wl, d, 8), 0);
	assert_int_equal(cs_dbc_signal_set_raw(m->multiplexor, d, 8, 1), 0);
	assert_int_equal(cs_dbc_signal_present(m, wl, d, 8), 1);
	/* Too short a frame. */
	assert_int_equal(cs_dbc_signal_decode(wl, d, 5, &v), -EINVAL);
	assert_int_equal(cs_dbc_signal_encode(wl, d, 5, 1500), -EINVAL);
	cs_dbc_destroy(dbc);
}

/* Motorola: MSB at bit 7 of byte 0, then byte 1 (big-endian bytes). */
static void motorola_layout(void **state)
{
	struct cs_dbc *dbc = load_good();
	const struct cs_dbc_message *m = cs_dbc_message_by_name(dbc, "Ext");
	const struct cs_dbc_signal *mo = cs_dbc_signal_by_name(m, "Moto");
	const struct cs_dbc_signal *odd = cs_dbc_signal_by_name(
		cs_dbc_message_by_name(dbc, "OddBits"), "Odd");
	uint8_t d[8] = { 0 };
	uint64_t raw;
	double v;

	(void)state;
	/* (v + 10) / 0.5 = raw: 0x1234 -> v = 0x1234 * 0.5 - 10 */
	assert_int_equal(cs_dbc_signal_encode(mo, d, 8,
					      0x1234 * 0.5 - 10), 0);
	assert_int_equal(d[0], 0x12);
	assert_int_equal(d[1], 0x34);
	/* Signed: raw -2 = 0xFFFE -> -11 V */
	assert_int_equal(cs_dbc_signal_encode(mo, d, 8, -11), 0);
	assert_int_equal(d[0], 0xFF);
	assert_int_equal(d[1], 0xFE);
	assert_int_equal(cs_dbc_signal_get_raw(mo, d, 8, &raw), 0);
	assert_int_equal((int64_t)raw, -2);
	assert_int_equal(cs_dbc_signal_decode(mo, d, 8, &v), 0);
	assert_near(v, -11, 0);
	/* 12 bits from bit 12 (byte 1 bits 4..0, then byte 2 bits 7..1):
	 * MSB at byte 1 bit 4 ... 0xABC over 12 bits. */
	memset(d, 0, sizeof(d));
	assert_int_equal(cs_dbc_signal_set_raw(odd, d, 8, 0xABC), 0);
	assert_int_equal(d[1], 0x15);	/* 1 0101 = top 5 bits of 0xABC */
	assert_int_equal(d[2], 0x78);	/* 0111 100x: the low 7 bits */
	assert_int_equal(cs_dbc_signal_get_raw(odd, d, 8, &raw), 0);
	assert_int_equal(raw, 0xABC);
	cs_dbc_destroy(dbc);
}

/* Every value of small signals, both byte orders, survives the trip;
 * neighbouring bits are left alone. */
static void round_trips(void **state)
{
	struct cs_dbc_signal s;
	unsigned int start, length, be, sg;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.factor = 1;
	for (be = 0; be < 2; be++)
		for (sg = 0; sg < 2; sg++)
			for (length = 1; length <= 64; length += 7)
				for (start = 0; start < 64; start += 5) {
					uint8_t d[8], ref[8];
					uint64_t raw, got, mask;

					s.start = start;
					s.length = length;
					s.big_endian = (int)be;
					s.is_signed = (int)sg;
					memset(d, 0xA5, sizeof(d));
					raw = 0x0123456789ABCDEFull *
					      (start + 1);
					if (cs_dbc_signal_set_raw(&s, d, 8,
								  raw))
						continue;	/* no fit */
					memcpy(ref, d, 8);
					assert_int_equal(
						cs_dbc_signal_get_raw(&s, d, 8,
								      &got), 0);
					mask = length == 64 ? ~0ull :
					       (1ull << length) - 1;
					assert_int_equal(got & mask,
							 raw & mask);
					if (sg && length < 64 &&
					    (raw >> (length - 1) & 1))
						assert_int_equal(got | mask,
								 ~0ull);
					/* Write back what we read: the
					 * bytes do not change. */
					cs_dbc_signal_set_raw(&s, d, 8, got);
					assert_memory_equal(d, ref, 8);
				}
}

static void clamping_and_edges(void **state)
{
	struct cs_dbc *dbc = load_good();
	const struct cs_dbc_message *m = cs_dbc_message_by_name(dbc, "Ext");
	const struct cs_dbc_message *f = cs_dbc_message_by_id(dbc, 784, 0);
	const struct cs_dbc_signal *wl = cs_dbc_signal_by_name(f, "Wl_G0");
	const struct cs_dbc_signal *small = cs_dbc_signal_by_name(m, "Small");
	const struct cs_dbc_signal *mo = cs_dbc_signal_by_name(m, "Moto");
	const struct cs_dbc_signal *fl = cs_dbc_signal_by_name(m, "F");
	uint8_t d[8] = { 0 };
	uint64_t raw;
	double v;

	(void)state;
	/* The DBC range. */
	assert_int_equal(cs_dbc_signal_encode(wl, d, 8, 1800), CS_CAN_CLAMPED);
	cs_dbc_signal_decode(wl, d, 8, &v);
	assert_near(v, 1700, 1e-9);
	assert_int_equal(cs_dbc_signal_encode(wl, d, 8, 12), CS_CAN_CLAMPED);
	cs_dbc_signal_decode(wl, d, 8, &v);
	assert_near(v, 1400, 1e-9);
	assert_int_equal(cs_dbc_signal_encode(wl, d, 8, 1700), 0);
	/* Rounding to the step: 0.00004 below a step rounds up. */
	assert_int_equal(cs_dbc_signal_encode(wl, d, 8, 1550.00006), 0);
	cs_dbc_signal_decode(wl, d, 8, &v);
	assert_near(v, 1550.0001, 1e-9);
	/* NaN: all ones, read back as NaN. */
	assert_int_equal(cs_dbc_signal_encode(wl, d, 8, NAN), 0);
	assert_int_equal(cs_dbc_signal_get_raw(wl, d, 8, &raw), 0);
	assert_int_equal(raw, 0xFFFFFFFFu);
	cs_dbc_signal_decode(wl, d, 8, &v);
	assert_true(isnan(v));
	/* Signed 3 bits, range [-4|3]: -4 is "not available" there? No:
	 * -4 is inside the range, so NaN cannot be sent. */
	assert_int_equal(cs_dbc_signal_encode(small, d, 8, NAN), -EDOM);
	assert_int_equal(cs_dbc_signal_encode(small, d, 8, -4), 0);
	cs_dbc_signal_decode(small, d, 8, &v);
	assert_near(v, -4, 0);
	assert_int_equal(cs_dbc_signal_encode(small, d, 8, 3), 0);
	cs_dbc_signal_decode(small, d, 8, &v);
	assert_near(v, 3, 0);
	assert_int_equal(cs_dbc_signal_encode(small, d, 8, 3.6),
			 CS_CAN_CLAMPED);
	/* No range in the DBC: the raw bits clamp. 16 bits signed, factor
	 * 0.5, offset -10: [-32768*0.5-10, 32767*0.5-10]. */
	assert_int_equal(cs_dbc_signal_encode(mo, d, 8, 1e9), CS_CAN_CLAMPED);
	cs_dbc_signal_decode(mo, d, 8, &v);
	assert_near(v, 32767 * 0.5 - 10, 0);
	assert_int_equal(cs_dbc_signal_encode(mo, d, 8, -1e9), CS_CAN_CLAMPED);
	cs_dbc_signal_decode(mo, d, 8, &v);
	assert_near(v, -32768 * 0.5 - 10, 0);
	/* IEEE float signal. */
	assert_int_equal(cs_dbc_signal_encode(fl, d, 8, 1.5), 0);
	assert_int_equal(cs_dbc_signal_get_raw(fl, d, 8, &raw), 0);
	assert_int_equal(raw & 0xFFFFFFFFu, 0x3FC00000u);
	cs_dbc_signal_decode(fl, d, 8, &v);
	assert_near(v, 1.5, 0);
	/* Bad arguments. */
	assert_int_equal(cs_dbc_signal_encode(NULL, d, 8, 1), -EINVAL);
	assert_int_equal(cs_dbc_signal_decode(wl, d, 8, NULL), -EINVAL);
	cs_dbc_destroy(dbc);
}

/* A file of the source tree: $SRC/REL, or REL relative to this file. */
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

/* The shipped DBC parses and has what the map needs. */
static void shipped_dbc(void **state)
{
	struct cs_can_error err;
	struct cs_dbc *dbc;
	const struct cs_dbc_message *m;
	const struct cs_dbc_signal *s;

	(void)state;
	dbc = cs_dbc_create_from_file(src_path("dbc/cellsense.dbc"), &err);
	if (!dbc)
		fail_msg("cellsense.dbc:%lu:%u: %s", err.line, err.column,
			 err.why);
	m = cs_dbc_message_by_name(dbc, "FBG_Wavelength");
	assert_non_null(m);
	assert_int_equal(m->id, 0x310);
	assert_non_null(m->comment);
	s = cs_dbc_signal_by_name(m, "Wavelength_G15");
	assert_non_null(s);
	assert_true(s->factor <= 0.0001);
	assert_true(s->min <= 1500 && s->max >= 1620);
	assert_non_null(cs_dbc_signal_by_name(m, "Status_G7"));
	assert_string_equal(cs_dbc_value_name(
		cs_dbc_signal_by_name(m, "Status_G7"), 2), "merged");
	for (size_t i = 0; i < cs_dbc_message_count(dbc); i++) {
		m = cs_dbc_message_at(dbc, i);
		assert_false(m->extended);
		assert_non_null(m->comment);
	}
	assert_non_null(cs_dbc_message_by_name(dbc, "FBG_Temperature"));
	assert_non_null(cs_dbc_message_by_name(dbc, "US_TimeOfFlight"));
	assert_non_null(cs_dbc_message_by_name(dbc, "RE_Potential"));
	assert_non_null(cs_dbc_message_by_name(dbc, "CS_PlatingAlarm"));
	cs_dbc_destroy(dbc);
}

/*
 * What a record's check uses instead of encoding (cs_dbc_signal_raw(),
 * and the plain range that skips it) says what cs_dbc_signal_encode()
 * does, over widths, signs, byte orders, free and used NA codes, at and
 * around every edge.
 */
static void raw_and_plain_as_encode(void **state)
{
	static const char text[] =
		"BO_ 1 M: 8 GW\n"
		" SG_ U8 : 0|8@1+ (1,0) [0|254] \"\" BMS\n"
		" SG_ S8 : 8|8@1- (1,0) [-127|127] \"\" BMS\n"
		" SG_ U8full : 16|8@1+ (1,0) [0|255] \"\" BMS\n"
		" SG_ U12 : 24|12@1+ (0.1,-40) [0|0] \"\" BMS\n"
		" SG_ S16m : 47|16@0- (0.001,0) [-30|30] \"\" BMS\n"
		" SG_ B1 : 63|1@1+ (1,0) [0|1] \"\" BMS\n"
		"BO_ 2 W: 8 GW\n"
		" SG_ U53 : 0|53@1+ (1,0) [0|0] \"\" BMS\n"
		"BO_ 3 X: 8 GW\n"
		" SG_ S64 : 0|64@1- (1,0) [0|0] \"\" BMS\n"
		"BO_ 4 Y: 8 GW\n"
		" SG_ U64 : 0|64@1+ (0.5,3) [0|1e30] \"\" BMS\n"
		"BO_ 5 Z: 8 GW\n"
		" SG_ F32 : 0|32@1- (1,0) [0|0] \"\" BMS\n"
		"BO_ 6 V: 8 GW\n"
		" SG_ S8b : 0|8@1- (1,0) [-127.6|127] \"\" BMS\n"
		" SG_ U8b : 8|8@1+ (1,0) [0|254.6] \"\" BMS\n"
		"SIG_VALTYPE_ 5 F32 : 1;\n";
	static const double edges[] = {
		0, -0.0, 0.5, -0.5, 0.49999999, 1, -1, 1.5, -1.5, 126.5,
		127, 127.5, -127, -127.5, -128, -128.5, 253.5, 254, 254.5,
		255, 255.5, 256, 1e3, -1e3, 30, 30.0005, -30.0005, -40,
		-40.05, 369.5, 369.55, -127.6, -127.55, 254.55, 254.6, 4503599627370495.5, 4503599627370496.0,
		9007199254740992.0, 9.2233720368547758e18,
		-9.2233720368547758e18, 1.8446744073709552e19, 1e30, -1e30,
		INFINITY, -INFINITY, NAN,
	};
	struct cs_can_error err;
	struct cs_dbc *dbc = cs_dbc_create(text, strlen(text), &err);
	size_t i, j, k;
	int plain_hits = 0;

	(void)state;
	if (!dbc)
		fail_msg("%lu:%u: %s", err.line, err.column, err.why);
	for (i = 0; i < cs_dbc_message_count(dbc); i++) {
		const struct cs_dbc_message *m = cs_dbc_message_at(dbc, i);

		for (j = 0; j < m->nsignals; j++) {
			const struct cs_dbc_signal *sig = &m->signals[j];
			struct cs_dbc_plain plain;

			cs_dbc_signal_plain(sig, m->dlc, &plain);
			for (k = 0; k < sizeof(edges) / sizeof(edges[0]) * 3;
			     k++) {
				double v = edges[k / 3] * (k % 3 == 1 ? 1.01 :
							   1) +
					   (k % 3 == 2 ? 0.3 : 0);
				uint8_t d[8] = { 0 };
				uint64_t raw = 0, back = 0;
				int enc = cs_dbc_signal_encode(sig, d, m->dlc,
							       v);
				int r = cs_dbc_signal_raw(sig, m->dlc, v,
							  &raw);

				assert_int_equal(r, enc);
				if (enc >= 0) {
					uint8_t d2[8] = { 0 };

					cs_dbc_signal_set_raw(sig, d2, m->dlc,
							      raw);
					assert_memory_equal(d, d2, 8);
					cs_dbc_signal_get_raw(sig, d, m->dlc,
							      &back);
				}
				if (cs_dbc_plain_takes(sig, &plain, v)) {
					plain_hits++;
					if (enc != 0)
						fail_msg("%s: %.17g plain but "
							 "encode says %d",
							 sig->name, v, enc);
				}
			}
		}
	}
	/* the plain range is taken, not only refused */
	assert_true(plain_hits > 50);
	/* no plain range for a float signal, nor one past the frame */
	{
		const struct cs_dbc_message *m = cs_dbc_message_at(dbc, 4);
		struct cs_dbc_plain plain;

		assert_int_equal(cs_dbc_signal_plain(&m->signals[0], 8,
						     &plain), 0);
		m = cs_dbc_message_at(dbc, 0);
		assert_int_equal(cs_dbc_signal_plain(&m->signals[5], 4,
						     &plain), 0);
	}
	cs_dbc_destroy(dbc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_good),
		cmocka_unit_test(parse_bad),
		cmocka_unit_test(empty_and_skipped),
		cmocka_unit_test(intel_layout),
		cmocka_unit_test(motorola_layout),
		cmocka_unit_test(round_trips),
		cmocka_unit_test(clamping_and_edges),
		cmocka_unit_test(shipped_dbc),
		cmocka_unit_test(raw_and_plain_as_encode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
