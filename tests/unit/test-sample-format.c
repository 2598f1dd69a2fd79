// SPDX-License-Identifier: GPL-2.0-or-later
/* Sample formats in libiio notation, and decoding. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cellsense.h"

static void parse_good(void **state)
{
	struct cs_sample_format f;

	(void)state;
	assert_int_equal(cs_sample_format_parse("le:u16", &f, NULL), 0);
	assert_int_equal(f.bits, 16);
	assert_int_equal(f.storage, 16);
	assert_int_equal(f.big_endian, 0);
	assert_int_equal(cs_sample_format_parse("be:S12/16>>4", &f, NULL), 0);
	assert_int_equal(f.is_signed, 1);
	assert_int_equal(f.bits, 12);
	assert_int_equal(f.shift, 4);
	assert_int_equal(cs_sample_format_parse("le:U16/16X128>>0", &f, NULL),
			 0);
	assert_int_equal(cs_sample_format_bytes(&f), 2);
	assert_int_equal(cs_sample_format_parse("le:s64/64>>0", &f, NULL), 0);
}

static void parse_bad(void **state)
{
	struct cs_sample_format f;
	size_t pos;

	(void)state;
	assert_int_equal(cs_sample_format_parse("xx:u16", &f, &pos), -EINVAL);
	assert_int_equal(pos, 0);
	assert_int_equal(cs_sample_format_parse("le:q16", &f, &pos), -EINVAL);
	assert_int_equal(pos, 3);
	assert_int_equal(cs_sample_format_parse("le:u16/8", &f, &pos), -EINVAL);
	assert_int_equal(cs_sample_format_parse("le:u16/16>>4", &f, &pos),
			 -EINVAL);
	assert_int_equal(cs_sample_format_parse("le:u16 ", &f, &pos), -EINVAL);
	assert_int_equal(pos, 6);
	assert_int_equal(cs_sample_format_parse("le:u0", &f, &pos), -EINVAL);
	assert_int_equal(cs_sample_format_parse("le:u99999999", &f, &pos),
			 -EINVAL);
	assert_int_equal(cs_sample_format_parse(NULL, &f, &pos), -EINVAL);
}

static void decode(void **state)
{
	struct cs_sample_format f;
	const uint8_t le[] = { 0x34, 0x12, 0xff, 0xff };
	const uint8_t be12[] = { 0xff, 0xf0, 0x00, 0x10 };
	double out[2];

	(void)state;
	cs_sample_format_parse("le:u16", &f, NULL);
	cs_sample_format_decode(&f, le, 2, out);
	assert_true(out[0] == 0x1234 && out[1] == 65535);
	assert_true(cs_sample_format_max(&f) == 65535.0);
	cs_sample_format_parse("le:s16", &f, NULL);
	cs_sample_format_decode(&f, le, 2, out);
	assert_true(out[1] == -1.0);
	cs_sample_format_parse("be:s12/16>>4", &f, NULL);
	cs_sample_format_decode(&f, be12, 2, out);
	assert_true(out[0] == -1.0 && out[1] == 1.0);
}

static void floats(void **state)
{
	struct cs_sample_format f;
	size_t pos;
	/* 1.5f, -2.0f little-endian; 1.5 big-endian double; a NaN float */
	const uint8_t le32[] = { 0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00,
				 0xc0 };
	const uint8_t be64[] = { 0x3f, 0xf8, 0, 0, 0, 0, 0, 0 };
	const uint8_t nan32[] = { 0x00, 0x00, 0xc0, 0x7f };
	double out[2];

	(void)state;
	assert_int_equal(cs_sample_format_parse("le:f32", &f, NULL), 0);
	assert_true(f.is_float && f.bits == 32 && f.storage == 32);
	assert_int_equal(cs_sample_format_bytes(&f), 4);
	assert_true(isinf(cs_sample_format_max(&f)));
	cs_sample_format_decode(&f, le32, 2, out);
	assert_true(out[0] == 1.5 && out[1] == -2.0);
	cs_sample_format_decode(&f, nan32, 1, out);
	assert_true(isnan(out[0]));
	assert_int_equal(cs_samples_first_nonfinite(out, 1), 0);
	assert_int_equal(cs_sample_format_parse("be:F64/64X4", &f, NULL), 0);
	cs_sample_format_decode(&f, be64, 1, out);
	assert_true(out[0] == 1.5);
	assert_int_equal(cs_samples_first_nonfinite(out, 1), 1);
	/* floats are 32 or 64 bits, stored as such, never shifted */
	assert_int_equal(cs_sample_format_parse("le:f16", &f, &pos), -EINVAL);
	assert_int_equal(cs_sample_format_parse("le:f32/64", &f, &pos),
			 -EINVAL);
	assert_int_equal(cs_sample_format_parse("le:f32>>1", &f, &pos),
			 -EINVAL);
	/* integer formats are not floats */
	assert_int_equal(cs_sample_format_parse("le:u16", &f, NULL), 0);
	assert_false(f.is_float);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_good),
		cmocka_unit_test(parse_bad),
		cmocka_unit_test(decode),
		cmocka_unit_test(floats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
