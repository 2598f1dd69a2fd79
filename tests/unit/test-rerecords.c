// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Readings of a three-electrode cell from records: one reading per time,
 * channels by source suffix and quantity, the first prefix the cell's,
 * other cells' and quantities' records passed over and counted, bad lines
 * refused with a reason, saturation kept, the last reading at the end.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cellsense.h"

static void readings(void **state)
{
	static const char *const lines[] = {
		"time_ns\tsource\tquantity\tvalue\tunit\tstatus\tuncertainty",
		"# a comment",
		"100\tre1/cell\tvoltage\t3.7\tV\tok\tnan",	/* re1 first */
		"100\tre1/anode\tpotential\t0.1\tV\tok\tnan",
		"100\tre0/anode\tpotential\t0.2\tV\tok\tnan",
		"100\tre1/anode\tplating\t1\ts\twarning\tnan",
		"200\tre1/cell\tvoltage\t3.8\tV\tsaturated\t0.001",
		"200\tre1/current\tcurrent\t5\tA\tok\t0.001",
		"200\tre1/cathode\tpotential\tnan\tV\tlost\tnan",
		"not a record",
		"300\tre1/anode\tpotential\t0.3\tV\tok\tnan\r\n",
	};
	struct cs_re_records *q = cs_re_records_create();
	double v[CS_RE_NCH];
	int sat[CS_RE_NCH], ret[11];
	int64_t t = 0;

	(void)state;
	assert_non_null(q);
	for (int k = 0; k < 11; k++) {
		ret[k] = cs_re_records_line(q, lines[k], &t, v, sat);
		if (k == 6) {	/* time 100 complete */
			assert_int_equal(ret[k], 1);
			assert_true(t == 100);
			assert_true(v[CS_RE_CELL] == 3.7);
			assert_true(v[CS_RE_ANODE] == 0.1);
			assert_true(isnan(v[CS_RE_CATHODE]));
			assert_true(isnan(v[CS_RE_CURRENT]));
		} else if (k == 10) {	/* time 200 complete */
			assert_int_equal(ret[k], 1);
			assert_true(t == 200);
			assert_true(v[CS_RE_CELL] == 3.8 && sat[CS_RE_CELL]);
			assert_true(v[CS_RE_CURRENT] == 5.0 &&
				    !sat[CS_RE_CURRENT]);
			assert_true(isnan(v[CS_RE_CATHODE]));
		} else if (k == 9) {
			assert_int_equal(ret[k], -EBADMSG);
			assert_true(cs_re_records_error(q)[0] != '\0');
		} else {
			assert_int_equal(ret[k], 0);
		}
	}
	assert_string_equal(cs_re_records_prefix(q), "re1");
	/* re0's anode, the plating alarm, the lost cathode */
	assert_int_equal(cs_re_records_ignored(q), 3);
	assert_int_equal(cs_re_records_bad(q), 1);
	assert_int_equal(cs_re_records_finish(q, &t, v, sat), 1);
	assert_true(t == 300 && v[CS_RE_ANODE] == 0.3);
	assert_int_equal(cs_re_records_finish(q, &t, v, sat), 0);
	assert_int_equal(cs_re_records_line(NULL, "", &t, v, sat), -EINVAL);
	cs_re_records_destroy(q);
}

static void detection(void **state)
{
	(void)state;
	assert_true(cs_re_records_detect("time_ns\tsource\tquantity", 24));
	assert_true(cs_re_records_detect("time_ns\tsource\t", 15));
	assert_false(cs_re_records_detect("time_ns\tsourc", 13));
	assert_false(cs_re_records_detect("time/s\tEwe/V\t", 13));
	assert_false(cs_re_records_detect(NULL, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(readings),
		cmocka_unit_test(detection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
