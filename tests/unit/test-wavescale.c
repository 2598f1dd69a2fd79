// SPDX-License-Identifier: GPL-2.0-or-later
/* Pixel-to-wavelength polynomials. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cellsense.h"

static void eval_and_inverse(void **state)
{
	struct cs_wavescale ws;

	(void)state;
	assert_int_equal(cs_wavescale_parse("1510,0.16634,-2e-6", &ws, NULL), 0);
	assert_int_equal(ws.ncoeffs, 3);
	assert_true(fabs(cs_wavescale_eval(&ws, 100.0) -
			 (1510 + 16.634 - 0.02)) < 1e-9);
	assert_true(fabs(cs_wavescale_slope(&ws, 100.0) -
			 (0.16634 - 4e-4)) < 1e-12);
	for (double px = 0.0; px < 511.0; px += 37.3)
		assert_true(fabs(cs_wavescale_pixel(&ws, cs_wavescale_eval(&ws,
				px), 512) - px) < 1e-7);
}

static void refused(void **state)
{
	struct cs_wavescale ws;
	size_t pos;

	(void)state;
	assert_int_equal(cs_wavescale_parse("1510", &ws, &pos), -EINVAL);
	assert_int_equal(cs_wavescale_parse("1510,0", &ws, &pos), -EINVAL);
	assert_int_equal(cs_wavescale_parse("1510,x", &ws, &pos), -EINVAL);
	assert_int_equal(pos, 5);
	assert_int_equal(cs_wavescale_parse("1,2,3,4,5,6,7", &ws, &pos),
			 -EINVAL);
	assert_int_equal(cs_wavescale_parse("1510,,1", &ws, &pos), -EINVAL);
	/* folds back inside the sensor: no inverse */
	assert_int_equal(cs_wavescale_parse("1510,0.1,-0.001", &ws, &pos), 0);
	assert_true(isnan(cs_wavescale_pixel(&ws, 1512.0, 512)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(eval_and_inverse),
		cmocka_unit_test(refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
