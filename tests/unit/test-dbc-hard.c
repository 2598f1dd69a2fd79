// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A corpus of hard DBCs, written here, each construct either supported or
 * refused aloud; every frame is checked against bytes worked out by hand
 * (in the comments), not by the packer under test.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cellsense-can.h"

static struct cs_dbc *load(const char *text)
{
	struct cs_can_error err;
	struct cs_dbc *dbc = cs_dbc_create(text, strlen(text), &err);

	if (!dbc)
		fail_msg("DBC refused: %lu:%u: %s", err.line, err.column,
			 err.why);
	return dbc;
}

static void refused(const char *text, const char *why)
{
	struct cs_can_error err;
	struct cs_dbc *dbc = cs_dbc_create(text, strlen(text), &err);

	if (dbc)
		fail_msg("accepted, wanted '%s'", why);
	if (!strstr(err.why, why))
		fail_msg("'%s', wanted '%s'", err.why, why);
}

static void bytes(const uint8_t *got, const uint8_t *want, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (got[i] != want[i])
			fail_msg("byte %zu: %02X, wanted %02X", i, got[i],
				 want[i]);
}

static struct cs_canmap *map_of(const char *text, const struct cs_dbc *dbc)
{
	struct cs_can_error err;
	struct cs_canmap *map = cs_canmap_create(text, strlen(text), dbc,
						 &err);

	if (!map)
		fail_msg("map refused: %lu:%u: %s", err.line, err.column,
			 err.why);
	return map;
}

static void rec(struct cs_record *r, const char *src, const char *q,
		double v, const char *unit, const char *status)
{
	assert_int_equal(cs_record_set(r, 1000, src, q, v, unit, status, NAN),
			 0);
}

/*
 * Extended multiplexing: Mode (byte 0) selects Page (byte 1, m1M) and
 * Direct (m0); Page selects Lo (pages 0-3) and Hi (pages 4-7, 10) in
 * byte 2. Without SG_MUL_VAL_, Lo and Hi would be read as selected by
 * Mode: Lo at Mode 0, where Direct lives.
 */
static const char extmux[] =
	"BO_ 100 Ext: 4 GW\n"
	" SG_ Mode M : 0|8@1+ (1,0) [0|1] \"\" X\n"
	" SG_ Direct m0 : 8|16@1+ (1,0) [0|65534] \"\" X\n"
	" SG_ Page m1M : 8|8@1+ (1,0) [0|10] \"\" X\n"
	" SG_ Lo m0 : 16|8@1+ (1,0) [0|254] \"V\" X\n"
	" SG_ Hi m4 : 16|8@1+ (1,0) [0|254] \"V\" X\n"
	"SG_MUL_VAL_ 100 Page Mode 1-1;\n"
	"SG_MUL_VAL_ 100 Lo Page 0-3;\n"
	"SG_MUL_VAL_ 100 Hi Page 4-7, 10-10;\n";

static void extended_multiplexing(void **state)
{
	struct cs_dbc *dbc = load(extmux);
	const struct cs_dbc_message *m = cs_dbc_message_by_name(dbc, "Ext");
	const struct cs_dbc_signal *page = cs_dbc_signal_by_name(m, "Page");
	const struct cs_dbc_signal *lo = cs_dbc_signal_by_name(m, "Lo");
	const struct cs_dbc_signal *hi = cs_dbc_signal_by_name(m, "Hi");
	const struct cs_dbc_signal *direct = cs_dbc_signal_by_name(m, "Direct");
	struct cs_canmap *map;
	struct cs_can_frame f;
	struct cs_record r, back[2];
	const char *why = NULL;
	uint8_t d[4];

	(void)state;
	assert_true(page->is_multiplexor);
	assert_ptr_equal(lo->selector, page);
	assert_ptr_equal(page->selector, m->multiplexor);
	assert_ptr_equal(direct->selector, m->multiplexor);
	assert_int_equal(hi->nranges, 2);
	/* Mode 1, page 2: Lo is there, Hi and Direct are not. */
	memcpy(d, "\x01\x02\x33\x00", 4);
	assert_int_equal(cs_dbc_signal_present(m, lo, d, 4), 1);
	assert_int_equal(cs_dbc_signal_present(m, hi, d, 4), 0);
	assert_int_equal(cs_dbc_signal_present(m, direct, d, 4), 0);
	/* Mode 0: Direct; Lo is not (its page is not even there). */
	memcpy(d, "\x00\x02\x33\x00", 4);
	assert_int_equal(cs_dbc_signal_present(m, lo, d, 4), 0);
	assert_int_equal(cs_dbc_signal_present(m, direct, d, 4), 1);
	/* Page 10 is Hi's too. */
	memcpy(d, "\x01\x0a\x33\x00", 4);
	assert_int_equal(cs_dbc_signal_present(m, hi, d, 4), 1);

	/* Encoding sets the whole chain: Hi at 7 V -> Mode 1, Page 4
	 * (its first value), 07: 01 04 07 00. */
	map = map_of("a q Ext Hi\nb q Ext Lo\n", dbc);
	rec(&r, "a", "q", 7, "V", "ok");
	assert_int_equal(cs_canmap_encode(map, &r, &f, &why), 0);
	bytes(f.data, (const uint8_t *)"\x01\x04\x07\x00", 4);
	assert_int_equal(cs_canmap_decode(map, &f, 0, back, 2), 1);
	assert_string_equal(back[0].source, "a");
	/* Lo in mV: 5000 mV -> 5 V: 01 00 05 00. */
	rec(&r, "b", "q", 5000, "mV", "ok");
	assert_int_equal(cs_canmap_encode(map, &r, &f, &why), 0);
	bytes(f.data, (const uint8_t *)"\x01\x00\x05\x00", 4);
	cs_canmap_destroy(map);
	cs_dbc_destroy(dbc);

	refused("BO_ 1 A: 2 X\n SG_ M1 M : 0|8@1+ (1,0) [0|1] \"\" X\n"
		" SG_ S m0 : 8|8@1+ (1,0) [0|1] \"\" X\n"
		"SG_MUL_VAL_ 1 S Nope 0-0;\n", "no such");
	refused("BO_ 1 A: 2 X\n SG_ M1 M : 0|8@1+ (1,0) [0|1] \"\" X\n"
		" SG_ S m0 : 8|8@1+ (1,0) [0|1] \"\" X\n"
		"SG_MUL_VAL_ 1 S M1 3-2;\n", "empty");
}

/* Vector's pseudo-message: read (its signals need no room), left out. */
static void independent_signals(void **state)
{
	struct cs_dbc *dbc = load(
		"BO_ 3221225472 VECTOR__INDEPENDENT_SIG_MSG: 0 Vector__XXX\n"
		" SG_ Spare : 0|16@1+ (1,0) [0|0] \"\" Vector__XXX\n"
		"\n"
		"BO_ 960 IVT_Msg_Result_I: 6 IVT\n"
		" SG_ I_MuxID : 7|8@0+ (1,0) [0|255] \"\" Vector__XXX\n"
		" SG_ I_Result : 23|32@0- (1,0) [-2147483648|2147483647] "
		"\"mA\" Vector__XXX\n"
		"CM_ SG_ 3221225472 Spare \"not in a frame\";\n"
		"VAL_ 3221225472 Spare 0 \"x\" ;\n");
	struct cs_canmap *map = map_of("pack0/current current "
				       "IVT_Msg_Result_I I_Result\n", dbc);
	struct cs_can_frame f;
	struct cs_record r;

	(void)state;
	assert_int_equal(cs_dbc_message_count(dbc), 1);
	assert_null(cs_dbc_message_by_name(dbc,
					   "VECTOR__INDEPENDENT_SIG_MSG"));
	/* -12.5 A -> -12500 mA = 0xFFFFCF2C, Motorola, MSB at bit 23
	 * (byte 2): 00 00 FF FF CF 2C */
	rec(&r, "pack0/current", "current", -12.5, "A", "ok");
	assert_int_equal(cs_canmap_encode(map, &r, &f, NULL), 0);
	bytes(f.data, (const uint8_t *)"\x00\x00\xff\xff\xcf\x2c", 6);
	cs_canmap_destroy(map);
	cs_dbc_destroy(dbc);
}

static void overlapping_signals(void **state)
{
	(void)state;
	refused("BO_ 1 A: 8 X\n SG_ First : 0|12@1+ (1,0) [0|1] \"\" X\n"
		" SG_ Second : 8|8@1+ (1,0) [0|1] \"\" X\n",
		"signals First and Second of A overlap");
	/* Motorola against Intel in the same byte. */
	refused("BO_ 1 A: 8 X\n SG_ Big : 7|4@0+ (1,0) [0|1] \"\" X\n"
		" SG_ Little : 4|1@1+ (1,0) [0|1] \"\" X\n",
		"Big and Little");
	/* A multiplexed signal against a plain one. */
	refused("BO_ 1 A: 8 X\n SG_ M0 M : 0|8@1+ (1,0) [0|1] \"\" X\n"
		" SG_ P : 8|8@1+ (1,0) [0|1] \"\" X\n"
		" SG_ Q m1 : 12|8@1+ (1,0) [0|1] \"\" X\n", "P and Q");
	/* Multiplexed at different values: no overlap. */
	cs_dbc_destroy(load("BO_ 1 A: 8 X\n"
			    " SG_ M0 M : 0|8@1+ (1,0) [0|1] \"\" X\n"
			    " SG_ P m0 : 8|8@1+ (1,0) [0|1] \"\" X\n"
			    " SG_ Q m1 : 8|8@1+ (1,0) [0|1] \"\" X\n"));
}

/* Clamping at every width: never a wrap to 0 or a change of sign. */
static void clamping_wide(void **state)
{
	static const unsigned int widths[] = { 1, 7, 8, 31, 32, 33, 52, 53,
					       54, 56, 62, 63, 64 };
	char text[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(widths) / sizeof(*widths); i++) {
		unsigned int w = widths[i];

		for (int sgn = 0; sgn < 2; sgn++) {
			struct cs_dbc *dbc;
			const struct cs_dbc_signal *s;
			uint8_t d[8];
			uint64_t raw, want_hi, want_lo;

			/* no range: only the raw bits limit */
			snprintf(text, sizeof(text),
				 "BO_ 1 A: 8 X\n SG_ S : 0|%u@1%c (1,0) [0|0] "
				 "\"\" X\n", w, sgn ? '-' : '+');
			dbc = load(text);
			s = cs_dbc_signal_by_name(cs_dbc_message_at(dbc, 0),
						  "S");
			want_hi = sgn ? (w == 64 ? (uint64_t)INT64_MAX :
					 ((uint64_t)1 << (w - 1)) - 1) :
				  (w == 64 ? UINT64_MAX :
				   ((uint64_t)1 << w) - 1);
			/* -2^(w-1) in w bits: the sign bit alone */
			want_lo = sgn ? (w == 64 ? (uint64_t)INT64_MIN :
					 ~(uint64_t)0 << (w - 1)) : 0;
			memset(d, 0, sizeof(d));
			assert_int_equal(cs_dbc_signal_encode(s, d, 8, 1e30),
					 CS_CAN_CLAMPED);
			assert_int_equal(cs_dbc_signal_get_raw(s, d, 8, &raw),
					 0);
			if (raw != want_hi)
				fail_msg("%u bits %c: +1e30 -> %llx, wanted "
					 "%llx", w, sgn ? '-' : '+',
					 (unsigned long long)raw,
					 (unsigned long long)want_hi);
			/* 2^w exactly (a power of two, exact in double) */
			assert_int_equal(cs_dbc_signal_encode(
				s, d, 8, ldexp(1, (int)w - sgn)),
				CS_CAN_CLAMPED);
			cs_dbc_signal_get_raw(s, d, 8, &raw);
			assert_true(raw == want_hi);
			assert_int_equal(cs_dbc_signal_encode(s, d, 8, -1e30),
					 CS_CAN_CLAMPED);
			cs_dbc_signal_get_raw(s, d, 8, &raw);
			if (raw != want_lo)
				fail_msg("%u bits %c: -1e30 -> %llx, wanted "
					 "%llx", w, sgn ? '-' : '+',
					 (unsigned long long)raw,
					 (unsigned long long)want_lo);
			cs_dbc_destroy(dbc);
		}
	}
}

/*
 * A plain signal of a multiplexed message goes out with a multiplexor
 * value the DBC defines (here 3, the smallest; 0 is not one).
 */
static void plain_in_multiplexed(void **state)
{
	struct cs_dbc *dbc = load(
		"BO_ 200 Mx: 3 X\n"
		" SG_ Sel M : 0|8@1+ (1,0) [0|255] \"\" X\n"
		" SG_ Common : 8|8@1+ (1,0) [0|250] \"\" X\n"
		" SG_ A m3 : 16|8@1+ (1,0) [0|250] \"\" X\n"
		" SG_ B m7 : 16|8@1+ (1,0) [0|250] \"\" X\n");
	struct cs_canmap *map = map_of("c q Mx Common\n", dbc);
	struct cs_can_frame f;
	struct cs_record r;

	(void)state;
	/* 42 in Common, Sel 3, A not available (raw all ones, outside
	 * its range): here A is not in the record, the byte is 0 as the
	 * record leaves it (the planner fills absent signals). */
	rec(&r, "c", "q", 42, "1", "ok");
	assert_int_equal(cs_canmap_encode(map, &r, &f, NULL), 0);
	assert_int_equal(f.data[0], 3);
	assert_int_equal(f.data[1], 42);
	cs_canmap_destroy(map);
	cs_dbc_destroy(dbc);
}

/* Empty units, long names, CP1252 and UTF-8 text. */
static void names_and_text(void **state)
{
	struct cs_dbc *dbc = load(
		"BO_ 300 SysMsg: 8 X\n"
		" SG_ Tc : 0|16@1- (0.1,0) [-50|150] \"\xb0" "C\" X\n"
		" SG_ Eps : 16|16@1- (1,0) [-30000|30000] \"\xc2\xb5\xce\xb5\" X\n"
		" SG_ Count : 32|8@1+ (1,0) [0|200] \"\" X\n"
		" SG_ Short_Name : 40|16@1+ (1,0) [0|60000] \"mAh\" X\n"
		"CM_ BO_ 300 \"Temperatur \xfc" "ber 100 \xb0" "C\";\n"
		"BA_DEF_ BO_ \"SystemMessageLongName\" STRING ;\n"
		"BA_DEF_ SG_ \"SystemSignalLongName\" STRING ;\n"
		"BA_ \"SystemMessageLongName\" BO_ 300 "
		"\"SystemMessageWithAVeryLongNameBeyond32Chars\";\n"
		"BA_ \"SystemSignalLongName\" SG_ 300 Short_Name "
		"\"RemainingCapacityOfTheWholePackInMilliampHours\";\n");
	struct cs_canmap *map = map_of(
		"t temperature SystemMessageWithAVeryLongNameBeyond32Chars Tc\n"
		"e strain SysMsg Eps\n"
		"n count SysMsg Count\n"
		"c charge SysMsg RemainingCapacityOfTheWholePackInMilliampHours\n",
		dbc);
	struct cs_can_frame f;
	struct cs_record r, back[4];

	(void)state;
	/* 298.15 K -> 25.0 degC -> raw 250 = FA 00 */
	rec(&r, "t", "temperature", 298.15, "K", "ok");
	assert_int_equal(cs_canmap_encode(map, &r, &f, NULL), 0);
	bytes(f.data, (const uint8_t *)"\xfa\x00", 2);
	/* degC in UTF-8 against the DBC's CP1252: the same unit */
	rec(&r, "t", "temperature", -12.3, "\xc2\xb0" "C", "ok");
	assert_int_equal(cs_canmap_encode(map, &r, &f, NULL), 0);
	bytes(f.data, (const uint8_t *)"\x85\xff", 2);	/* -123 */
	/* (a frame carries all four signals: four records) */
	assert_int_equal(cs_canmap_decode(map, &f, 0, back, 4), 4);
	assert_string_equal(back[0].unit, "degC");
	/* ustrain into a signal in micro-epsilon: -1000 = 18 FC at 2..3 */
	rec(&r, "e", "strain", -1000, "ustrain", "ok");
	assert_int_equal(cs_canmap_encode(map, &r, &f, NULL), 0);
	bytes(f.data + 2, (const uint8_t *)"\x18\xfc", 2);
	assert_int_equal(cs_canmap_decode(map, &f, 0, back, 4), 4);
	assert_string_equal(back[1].unit, "ustrain");
	/* an empty unit takes a dimensionless record ("1") */
	rec(&r, "n", "count", 17, "1", "ok");
	assert_int_equal(cs_canmap_encode(map, &r, &f, NULL), 0);
	assert_int_equal(f.data[4], 17);
	assert_int_equal(cs_canmap_decode(map, &f, 0, back, 4), 4);
	assert_string_equal(back[2].unit, "1");
	assert_true(back[2].value == 17);
	/* 2.5 Ah into mAh by the signal's long name: 2500 = C4 09 */
	rec(&r, "c", "charge", 2.5, "Ah", "ok");
	assert_int_equal(cs_canmap_encode(map, &r, &f, NULL), 0);
	bytes(f.data + 5, (const uint8_t *)"\xc4\x09", 2);
	cs_canmap_destroy(map);
	cs_dbc_destroy(dbc);
}

static void units(void **state)
{
	double k, o;
	char buf[32];

	(void)state;
	assert_int_equal(cs_can_unit_convert("V", "mV", &k, &o), 0);
	assert_true(k == 1000 && o == 0);
	assert_int_equal(cs_can_unit_convert("mA", "A", &k, &o), 0);
	assert_true(k == 0.001 && o == 0);
	assert_int_equal(cs_can_unit_convert("K", "degC", &k, &o), 0);
	assert_true(k == 1 && fabs(o + 273.15) < 1e-12);
	assert_int_equal(cs_can_unit_convert("degC", "\xb0" "C", &k, &o), 0);
	assert_true(k == 1 && o == 0);
	assert_int_equal(cs_can_unit_convert("ustrain", "\xce\xbc\xce\xb5",
					     &k, &o), 0);
	assert_true(k == 1 && o == 0);
	assert_int_equal(cs_can_unit_convert("ue", "strain", &k, &o), 0);
	assert_true(fabs(k - 1e-6) < 1e-20);
	assert_int_equal(cs_can_unit_convert("mAh", "Ah", &k, &o), 0);
	assert_true(k == 0.001);
	assert_int_equal(cs_can_unit_convert("Ah", "As", &k, &o), 0);
	assert_true(k == 3600);
	assert_int_equal(cs_can_unit_convert("kPa", "bar", &k, &o), 0);
	assert_true(fabs(k - 0.01) < 1e-15);
	assert_int_equal(cs_can_unit_convert("percent", "%", &k, &o), 0);
	assert_int_equal(cs_can_unit_convert("", "1", &k, &o), 0);
	assert_int_equal(cs_can_unit_convert("V", "A", &k, &o), -EDOM);
	assert_int_equal(cs_can_unit_convert("%", "1", &k, &o), -EDOM);
	assert_int_equal(cs_can_unit_convert("count2", "count2.s", &k, &o),
			 -EDOM);
	assert_int_equal(cs_can_unit_convert("furlong", "count2.s", &k, &o),
			 -ENOENT);
	/* acoustic emission: eu is 1e-14 V^2 s; dB_AE is no dB re 1 count,
	 * eu no count2.s (only the digitiser's scale relates them) */
	assert_int_equal(cs_can_unit_convert("V\xc2\xb2s", "eu", &k, &o), 0);
	assert_true(fabs(k - 1e14) < 1);
	assert_int_equal(cs_can_unit_convert("dBAE", "dB_AE", &k, &o), 0);
	assert_int_equal(cs_can_unit_convert("dB_AE", "dB", &k, &o), -EDOM);
	assert_int_equal(cs_can_unit_convert("eu", "count2.s", &k, &o), -EDOM);
	assert_int_equal(cs_can_unit_convert("count2", "count2", &k, &o), 0);
	assert_int_equal(cs_can_unit_normalise("deg C", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "degC");
	assert_int_equal(cs_can_unit_normalise("\xb5" "m", buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "um");
}

/* Two lines for one quantity in units that do not convert: the record's
 * unit picks the line; one that fits neither is refused by the first. */
static void lines_by_unit(void **state)
{
	struct cs_dbc *dbc = load(
		"BO_ 300 Hit: 8 X\n"
		" SG_ Amp : 0|8@1+ (0.5,0) [0|127] \"dB\" X\n"
		"BO_ 301 HitAE: 8 X\n"
		" SG_ Amp : 0|8@1+ (0.5,0) [0|127] \"dB_AE\" X\n"
		" SG_ E : 32|32@1+ (1,0) [0|0] \"eu\" X\n"
		"SIG_VALTYPE_ 301 E : 1;\n");
	struct cs_canmap *map = map_of(
		"ae amplitude Hit Amp\n"
		"ae amplitude HitAE Amp\n"
		"ae energy HitAE E\n", dbc);
	struct cs_can_frame f;
	struct cs_record r, back[2];
	const char *why = NULL;
	float e;

	(void)state;
	rec(&r, "ae", "amplitude", 60, "dB", "ok");
	assert_int_equal(cs_canmap_encode(map, &r, &f, NULL), 0);
	assert_int_equal(f.id, 300);
	assert_int_equal(f.data[0], 120);
	rec(&r, "ae", "amplitude", 70, "dB_AE", "ok");
	assert_int_equal(cs_canmap_encode(map, &r, &f, NULL), 0);
	assert_int_equal(f.id, 301);
	assert_int_equal(f.data[0], 140);
	assert_int_equal(cs_canmap_decode(map, &f, 0, back, 2), 2);
	assert_string_equal(back[0].unit, "dB_AE");
	assert_true(back[0].value == 70);
	/* 2e-9 V^2 s is 200 000 eu */
	rec(&r, "ae", "energy", 2e-9, "V2s", "ok");
	assert_int_equal(cs_canmap_encode(map, &r, &f, NULL), 0);
	memcpy(&e, f.data + 4, sizeof(e));
	assert_true(fabsf(e - 2e5f) < 0.1f);
	rec(&r, "ae", "amplitude", 1, "V", "ok");
	assert_int_equal(cs_canmap_encode(map, &r, &f, &why), -EBADMSG);
	assert_non_null(strstr(why, "another kind"));
	cs_canmap_destroy(map);
	cs_dbc_destroy(dbc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(extended_multiplexing),
		cmocka_unit_test(independent_signals),
		cmocka_unit_test(overlapping_signals),
		cmocka_unit_test(clamping_wide),
		cmocka_unit_test(plain_in_multiplexed),
		cmocka_unit_test(names_and_text),
		cmocka_unit_test(units),
		cmocka_unit_test(lines_by_unit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
