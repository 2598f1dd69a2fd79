// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EC-Lab text exports: the header block, decimal commas and points,
 * columns by name in SI units, each column's written resolution, bad
 * readings counted with a reason, unusable headers refused, detection.
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

/* Push @text's lines; the results in @ret, the last reading in @row. */
static int push(struct cs_eclab *q, const char *text, int *ret, double *row)
{
	char buf[1024];
	int n = 0;

	while (*text) {
		size_t len = strcspn(text, "\n");

		assert_true(len < sizeof(buf));
		memcpy(buf, text, len);
		buf[len] = '\0';
		text += len + (text[len] == '\n');
		ret[n++] = cs_eclab_line(q, buf, row);
	}
	return n;
}

static void header_block_commas(void **state)
{
	static const char text[] =
		"EC-Lab ASCII FILE\r\n"
		"Nb header lines : 5\r\n"
		"\r\n"
		"Galvanostatic Cycling\r\n"
		"mode\ttime/s\tEwe/V\tI/mA\t(Q-Qo)/mA.h\tEce/V\tCapacity/mA.h\t"
		"Ewe-Ece/V\t\r\n"
		"1\t3,2000000000000000E+001\t3,7125456E+000\t8,9991234E-002\t"
		"8,0000000E-004\t-3,3513345E-001\t9,0E-004\t4,0476790E+000\t\r\n";
	struct cs_eclab *q = cs_eclab_create();
	double row[CS_ECLAB_NCOL];
	int ret[8];

	(void)state;
	assert_int_equal(push(q, text, ret, row), 6);
	for (int i = 0; i < 5; i++)
		assert_int_equal(ret[i], 0);
	assert_int_equal(ret[5], 1);
	assert_true(row[CS_ECLAB_TIME] == 32.0);
	assert_true(fabs(row[CS_ECLAB_EWE] - 3.7125456) < 1e-12);
	assert_true(fabs(row[CS_ECLAB_ECE] + 0.33513345) < 1e-12);
	assert_true(fabs(row[CS_ECLAB_EWE_ECE] - 4.047679) < 1e-12);
	assert_true(fabs(row[CS_ECLAB_CURRENT] - 8.9991234e-5) < 1e-15);
	/* (Q-Qo) before Capacity: signed, not reset at each step */
	assert_true(fabs(row[CS_ECLAB_CHARGE] - 8e-7) < 1e-15);
	assert_true(cs_eclab_decimal_comma(q));
	assert_true(fabs(cs_eclab_resolution(q, CS_ECLAB_EWE) - 1e-7) < 1e-20);
	assert_true(fabs(cs_eclab_resolution(q, CS_ECLAB_CURRENT) - 1e-12) <
		    1e-25);
	assert_true(fabs(cs_eclab_resolution(q, CS_ECLAB_TIME) - 1e-15) < 1e-28);
	assert_int_equal(cs_eclab_rows(q), 1);
	cs_eclab_destroy(q);
}

static void plain_points_and_bad_lines(void **state)
{
	static const char text[] =
		"time/s\tEwe/mV\t<I>/A\n"
		"0.5\t712.25\t1.5\n"
		"1.0\tXXX\t1.5\n"
		"1.5\t712.5\n"
		"\n"
		"2.0\t712.0\t-1e-3\n";
	struct cs_eclab *q = cs_eclab_create();
	double row[CS_ECLAB_NCOL];
	int ret[8];

	(void)state;
	assert_int_equal(push(q, text, ret, row), 6);
	assert_int_equal(ret[0], 0);
	assert_int_equal(ret[1], 1);
	assert_int_equal(ret[2], -EBADMSG);
	assert_int_equal(ret[3], -EBADMSG);
	assert_int_equal(ret[4], 0);
	assert_int_equal(ret[5], 1);
	assert_true(fabs(row[CS_ECLAB_EWE] - 0.712) < 1e-12);
	assert_true(row[CS_ECLAB_CURRENT] == -1e-3);
	assert_true(isnan(row[CS_ECLAB_ECE]) && isnan(row[CS_ECLAB_CHARGE]));
	assert_false(cs_eclab_has(q, CS_ECLAB_ECE));
	assert_true(cs_eclab_has(q, CS_ECLAB_EWE));
	assert_false(cs_eclab_decimal_comma(q));
	/* 712.25 mV: 0.01 mV; 712.0: 0.1 mV, the coarser */
	assert_true(fabs(cs_eclab_resolution(q, CS_ECLAB_EWE) - 1e-4) < 1e-15);
	assert_int_equal(cs_eclab_rows(q), 2);
	assert_int_equal(cs_eclab_bad(q), 2);
	cs_eclab_destroy(q);

	q = cs_eclab_create();
	push(q, "time/s\tEwe/V\n1\t2,5,1\n", ret, row);
	assert_int_equal(ret[1], -EBADMSG);
	assert_non_null(strstr(cs_eclab_error(q), "'2,5,1' is not a number"));
	cs_eclab_destroy(q);
}

static void unusable_headers(void **state)
{
	struct cs_eclab *q = cs_eclab_create();
	double row[CS_ECLAB_NCOL];
	int ret[16];

	(void)state;
	push(q, "Ewe/V\tI/mA\n3.7\t1\n", ret, row);
	assert_int_equal(ret[0], -EINVAL);
	assert_int_equal(ret[1], -EINVAL);
	assert_non_null(strstr(cs_eclab_error(q), "no time/s"));
	cs_eclab_destroy(q);

	q = cs_eclab_create();
	push(q, "EC-Lab ASCII FILE\nNb header lines : 1\n", ret, row);
	assert_int_equal(ret[1], -EINVAL);
	cs_eclab_destroy(q);

	q = cs_eclab_create();
	push(q, "EC-Lab ASCII FILE\na\nb\nc\nd\ne\nf\ng\nh\ni\nj\n", ret, row);
	assert_int_equal(ret[10], -EINVAL);
	assert_non_null(strstr(cs_eclab_error(q), "Nb header lines"));
	cs_eclab_destroy(q);
}

static void detection(void **state)
{
	static const char bin[] = { 0x10, 0x20, 0x00, 0x00, 't', 'i' };

	(void)state;
	assert_true(cs_eclab_detect("EC-Lab ASCII FILE\r\n", 19));
	assert_true(cs_eclab_detect("mode\ttime/s\tEwe/V\n1\t", 20));
	assert_true(cs_eclab_detect("time/s\tEwe/V", 12));
	assert_false(cs_eclab_detect("time_ns\tsource\tquantity", 23));
	assert_false(cs_eclab_detect("mytime/s\tEwe/V\n", 15));
	assert_false(cs_eclab_detect("time/s only\n", 12));
	assert_false(cs_eclab_detect(bin, sizeof(bin)));
	assert_false(cs_eclab_detect(NULL, 0));
}

/* The charge column of each kind as a running total through the working
 * electrode: (Q-Qo) less its first value, Q charge/discharge and Capacity
 * across their restarts at each half cycle (Capacity signed by the current
 * at the start of its half cycle, a rest's noise not flipping it). */
static double charge_after(const char *names, const char *const *lines,
			   int n, enum cs_eclab_charge_kind kind,
			   unsigned long restarts)
{
	struct cs_eclab *q = cs_eclab_create();
	double row[CS_ECLAB_NCOL], c = NAN;

	assert_int_equal(cs_eclab_line(q, names, row), 0);
	assert_int_equal(cs_eclab_charge_kind(q), kind);
	for (int k = 0; k < n; k++) {
		assert_int_equal(cs_eclab_line(q, lines[k], row), 1);
		c = cs_eclab_charge(q, row);
	}
	assert_int_equal(cs_eclab_charge_restarts(q), restarts);
	cs_eclab_destroy(q);
	return c;
}

static void charge_kinds(void **state)
{
	/* charge 2 mAh, rest, discharge 0.5 mAh */
	static const char *const total[] = {
		"0\t1.0\t1.000", "1\t1.0\t2.000", "2\t1.0\t3.000",
		"3\t0.0\t3.000", "4\t-1.0\t2.500",
	};
	static const char *const half[] = {
		"0\t1.0\t0.000", "1\t1.0\t1.000", "2\t1.0\t2.000",
		"3\t-0.0001\t2.000", "4\t-1.0\t-0.250", "5\t-1.0\t-0.500",
	};
	static const char *const cap[] = {
		"0\t1.0\t0.000", "1\t1.0\t1.000", "2\t1.0\t2.000",
		"3\t-0.0001\t2.000", "4\t-1.0\t0.250", "5\t-1.0\t0.500",
	};
	struct cs_eclab *q = cs_eclab_create();
	double row[CS_ECLAB_NCOL];

	(void)state;
	assert_true(fabs(charge_after("time/s\tI/mA\t(Q-Qo)/mA.h", total, 5,
				      CS_ECLAB_Q_TOTAL, 0) - 1.5e-3) < 1e-12);
	assert_true(fabs(charge_after("time/s\tI/mA\tQ charge/discharge/mA.h",
				      half, 6, CS_ECLAB_Q_HALF_CYCLE, 1) -
			 1.5e-3) < 1e-12);
	assert_true(fabs(charge_after("time/s\tI/mA\tCapacity/mA.h", cap, 6,
				      CS_ECLAB_Q_CAPACITY, 1) - 1.5e-3) < 1e-12);
	/* (Q-Qo) wins over the others, whatever the order */
	assert_int_equal(cs_eclab_line(q, "time/s\tCapacity/mA.h\t"
				       "Q charge/discharge/mA.h\t(Q-Qo)/mA.h",
				       row), 0);
	assert_string_equal(cs_eclab_charge_name(q), "(Q-Qo)/mA.h");
	cs_eclab_destroy(q);
	/* Capacity without a current: no sign, no charge */
	q = cs_eclab_create();
	assert_int_equal(cs_eclab_line(q, "time/s\tCapacity/mA.h", row), 0);
	assert_int_equal(cs_eclab_line(q, "0\t1.0", row), 1);
	assert_true(isnan(cs_eclab_charge(q, row)));
	cs_eclab_destroy(q);
	/* none */
	q = cs_eclab_create();
	assert_int_equal(cs_eclab_line(q, "time/s\tEwe/V", row), 0);
	assert_int_equal(cs_eclab_charge_kind(q), CS_ECLAB_Q_NONE);
	assert_string_equal(cs_eclab_charge_name(q), "");
	assert_int_equal(cs_eclab_line(q, "0\t1.0", row), 1);
	assert_true(isnan(cs_eclab_charge(q, row)));
	cs_eclab_destroy(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(header_block_commas),
		cmocka_unit_test(plain_points_and_bad_lines),
		cmocka_unit_test(unusable_headers),
		cmocka_unit_test(detection),
		cmocka_unit_test(charge_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
