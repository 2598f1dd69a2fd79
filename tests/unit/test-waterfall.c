// SPDX-License-Identifier: GPL-2.0-or-later
/* The bounded waterfall image: decimation keeps single-sample and
 * single-shot echoes, memory stays bounded, bad samples are refused. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cellsense.h"

static void small_is_kept(void **state)
{
	struct cs_waterfall *w = cs_waterfall_create(4, 10, 10);
	double x[4] = { 1, -2, 3, -4 };
	const double *img;
	size_t cols, rows;

	(void)state;
	assert_non_null(w);
	assert_int_equal(cs_waterfall_add(w, x, 100), 0);
	x[0] = 5;
	assert_int_equal(cs_waterfall_add(w, x, 200), 0);
	img = cs_waterfall_image(w, &cols, &rows);
	assert_int_equal(cols, 4);
	assert_int_equal(rows, 2);
	assert_true(img[0] == 1 && img[3] == -4 && img[4] == 5);
	assert_int_equal(cs_waterfall_row_time(w, 1), 200);
	cs_waterfall_destroy(w);
}

/* 1000 shots of 1000 samples into 7 x 30: one echo sample at shot 613,
 * sample 501, negative, survives at its place; the rest is small. */
static void long_stream_is_bounded(void **state)
{
	struct cs_waterfall *w = cs_waterfall_create(1000, 30, 7);
	double x[1000];
	const double *img;
	size_t cols, rows, hits = 0, r_hit = 0, c_hit = 0;

	(void)state;
	for (int s = 0; s < 1000; s++) {
		for (int k = 0; k < 1000; k++)
			x[k] = 0.01 * ((s * 7 + k * 13) % 11 - 5);
		if (s == 613)
			x[501] = -9;
		assert_int_equal(cs_waterfall_add(w, x, (int64_t)s * 1000), 0);
	}
	img = cs_waterfall_image(w, &cols, &rows);
	assert_int_equal(cs_waterfall_col_samples(w), 34);
	assert_int_equal(cols, 30);
	assert_true(rows <= 7 && rows >= 4);
	assert_int_equal(cs_waterfall_shots(w), 1000);
	for (size_t r = 0; r < rows; r++)
		for (size_t c = 0; c < cols; c++)
			if (img[r * cols + c] == -9) {
				hits++;
				r_hit = r;
				c_hit = c;
			} else {
				assert_true(fabs(img[r * cols + c]) <= 0.05 + 1e-12);
			}
	assert_int_equal(hits, 1);
	assert_int_equal(c_hit, 501 / 34);
	/* the row that holds shot 613 starts at or before it, the next after */
	assert_true(cs_waterfall_row_time(w, r_hit) <= 613000);
	if (r_hit + 1 < rows)
		assert_true(cs_waterfall_row_time(w, r_hit + 1) > 613000);
	/* rows hold row_shots shots each: all 1000 shots are covered */
	assert_true(rows * cs_waterfall_row_shots(w) >= 1000);
	assert_true((rows - 1) * cs_waterfall_row_shots(w) < 1000);
	cs_waterfall_destroy(w);
}

static void refused(void **state)
{
	struct cs_waterfall *w = cs_waterfall_create(3, 3, 3);
	double x[3] = { 1, NAN, 2 };
	size_t cols, rows;

	(void)state;
	assert_null(cs_waterfall_create(0, 3, 3));
	assert_null(cs_waterfall_create(3, 0, 3));
	assert_null(cs_waterfall_create(3, 3, 0));
	assert_int_equal(cs_waterfall_add(w, x, 0), -EINVAL);
	x[1] = INFINITY;
	assert_int_equal(cs_waterfall_add(w, x, 0), -EINVAL);
	cs_waterfall_image(w, &cols, &rows);
	assert_int_equal(rows, 0);
	assert_int_equal(cs_waterfall_shots(w), 0);
	cs_waterfall_destroy(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(small_is_kept),
		cmocka_unit_test(long_stream_is_bounded),
		cmocka_unit_test(refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
