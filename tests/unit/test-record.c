// SPDX-License-Identifier: GPL-2.0-or-later
/* Records: write, parse back, and refuse what is not a record. */
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

#include "cellsense.h"

static void round_trip(void **state)
{
	struct cs_record in, out;
	char buf[512];
	FILE *f;
	unsigned int col;
	const char *why;

	(void)state;
	assert_int_equal(cs_record_set(&in, 1234567890123LL, "fbg0/g3",
				       "wavelength", 1545.123456789, "nm",
				       "ok", 0.00021), 0);
	f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	assert_int_equal(cs_record_write(f, &in), 0);
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	assert_int_equal(cs_record_parse(buf, &out, &col, &why), 0);
	assert_int_equal(out.time_ns, in.time_ns);
	assert_string_equal(out.source, "fbg0/g3");
	assert_string_equal(out.quantity, "wavelength");
	assert_true(fabs(out.value - in.value) < 1e-6);
	assert_string_equal(out.unit, "nm");
	assert_string_equal(out.status, "ok");
	assert_true(fabs(out.uncertainty - 0.00021) < 1e-12);
}

static void lost_is_nan(void **state)
{
	struct cs_record r;
	unsigned int col;
	const char *why;

	(void)state;
	assert_int_equal(cs_record_parse("5\tfbg0/g1\twavelength\tnan\tnm\tlost"
					 "\tnan", &r, &col, &why), 0);
	assert_true(isnan(r.value));
	assert_string_equal(r.status, "lost");
	/* five columns are enough; status defaults to ok */
	assert_int_equal(cs_record_parse("5\ta\tb\t1.5\tK", &r, &col, &why), 0);
	assert_string_equal(r.status, "ok");
	assert_true(isnan(r.uncertainty));
}

static void bad_lines(void **state)
{
	struct cs_record r;
	unsigned int col;
	const char *why;

	(void)state;
	assert_int_equal(cs_record_parse("# comment", &r, &col, &why), -ENOMSG);
	assert_int_equal(cs_record_parse(cs_record_header(), &r, &col, &why),
			 -ENOMSG);
	assert_int_equal(cs_record_parse("garbage", &r, &col, &why), -EBADMSG);
	assert_int_equal(cs_record_parse("x\ta\tb\t1\tnm", &r, &col, &why),
			 -EBADMSG);
	assert_int_equal(col, 1);
	assert_int_equal(cs_record_parse("1\ta\tb\t1x\tnm", &r, &col, &why),
			 -EBADMSG);
	assert_int_equal(col, 4);
	assert_int_equal(cs_record_parse("1\ta\tb\tinf\tnm", &r, &col, &why),
			 -EBADMSG);
	assert_int_equal(cs_record_parse("1\t\tb\t1\tnm", &r, &col, &why),
			 -EBADMSG);
	assert_int_equal(col, 2);
	assert_int_equal(cs_record_set(&r, 0, "a\tb", "q", 1, "u", "ok", 0),
			 -EINVAL);
}

static void reader_counts_skipped(void **state)
{
	static char text[] = "time_ns\tsource\tquantity\tvalue\tunit\n"
			     "1\ta\tq\t1\tu\n"
			     "junk line\n"
			     "\n"
			     "# note\n"
			     "2\ta\tq\t2\tu\n";
	FILE *f = fmemopen(text, strlen(text), "r");
	struct cs_record_reader *rd = cs_record_reader_create(f);
	struct cs_record r;
	unsigned int col;

	(void)state;
	assert_non_null(rd);
	assert_int_equal(cs_record_reader_next(rd, &r), 1);
	assert_int_equal(r.time_ns, 1);
	assert_int_equal(cs_record_reader_next(rd, &r), -EBADMSG);
	assert_int_equal(cs_record_reader_line(rd), 3);
	assert_non_null(cs_record_reader_error(rd, &col));
	assert_int_equal(cs_record_reader_next(rd, &r), 1);
	assert_int_equal(r.time_ns, 2);
	assert_int_equal(cs_record_reader_next(rd, &r), 0);
	assert_int_equal(cs_record_reader_skipped(rd), 1);
	cs_record_reader_destroy(rd);
	fclose(f);
	assert_null(cs_record_reader_create(NULL));
}

/* The fast formatter agrees with printf's %.10g and %.4g where both write
 * plain decimals, and reads back to within its digits. */
static void format_matches_printf(void **state)
{
	struct cs_record r;
	uint64_t x = 88172645463325252ULL;
	char line[CS_RECORD_LINE_MAX], want[64], *tab;
	int differ = 0;

	(void)state;
	for (int i = 0; i < 200000; i++) {
		double v, u;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v = ldexp((double)(x >> 11), -53);	/* [0, 1) */
		v = (i % 2 ? -1 : 1) * pow(10.0, -4.0 + 14.0 * v);
		u = fabs(v) * 1e-3;
		if (fabs(v) >= 1e10)
			continue;
		cs_record_set(&r, -(int64_t)i, "s", "q", v, "u", "ok", u);
		assert_true(cs_record_format(line, sizeof(line), &r) > 0);
		tab = strchr(strchr(strchr(line, '\t') + 1, '\t') + 1, '\t') + 1;
		snprintf(want, sizeof(want), "%.10g\t", v);
		/* a halfway case may round the other way: one unit of the
		 * tenth digit, in a few of them */
		if (strncmp(tab, want, strlen(want))) {
			double a = strtod(tab, NULL), b = strtod(want, NULL);

			assert_true(fabs(a - b) <= 1.000001 * pow(10.0,
				    floor(log10(fabs(b))) - 9));
			differ++;
		}
	}
	assert_true(differ < 200);
	cs_record_set(&r, 0, "s", "q", NAN, "u", "lost", NAN);
	cs_record_format(line, sizeof(line), &r);
	assert_string_equal(line, "0\ts\tq\tnan\tu\tlost\tnan\n");
	assert_int_equal(cs_record_format(line, 20, &r), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(lost_is_nan),
		cmocka_unit_test(bad_lines),
		cmocka_unit_test(reader_counts_skipped),
		cmocka_unit_test(format_matches_printf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
