// SPDX-License-Identifier: GPL-2.0-or-later
/* Records: write, parse back, and refuse what is not a record. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(lost_is_nan),
		cmocka_unit_test(bad_lines),
		cmocka_unit_test(reader_counts_skipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
