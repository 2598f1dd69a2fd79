// SPDX-License-Identifier: GPL-2.0-or-later
/* fbgtrack's option strings in lib: a grating spec and a config line. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cellsense.h"

static void gratings(void **state)
{
	struct cs_fbg_grating g;
	const char *why;

	(void)state;
	assert_int_equal(cs_fbg_grating_parse("a:1530", 0.5, &g, &why), 0);
	assert_string_equal(g.name, "a");
	assert_true(g.centre_nm == 1530.0 && g.halfwidth_nm == 0.5 &&
		    g.fibre == 0);
	assert_int_equal(cs_fbg_grating_parse("b:1545.2::3", 0.5, &g, &why),
			 0);
	assert_true(g.halfwidth_nm == 0.5 && g.fibre == 3);
	assert_int_equal(cs_fbg_grating_parse("c:1545:0.8:255", 0.5, &g, &why),
			 0);
	assert_true(g.halfwidth_nm == 0.8 && g.fibre == 255);
	static const char *const bad[] = {
		"1530", "a:", ":1530", "a b:1530", "a/b:1530", "a:99",
		"a:1530:0", "a:1530::256", "a:1530::1.5", "a:1530::-1",
		"a:1530:1:2:3", "a:nan", "a:1e400", "a:1530x",
		"abcdefghijabcdefghijabcdefghijab:1530",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		why = NULL;
		assert_int_equal(cs_fbg_grating_parse(bad[i], 0.5, &g, &why),
				 -EINVAL);
		assert_non_null(why);
	}
}

static void config_lines(void **state)
{
	char a[] = "  grating =  a:1530  # the first\n", b[] = "# only\n",
	     c[] = "timestamps\r\n", d[] = "   \t\n", e[] = "=x\n";
	char *k, *v;

	(void)state;
	assert_int_equal(cs_config_line_split(a, &k, &v), 1);
	assert_string_equal(k, "grating");
	assert_string_equal(v, "a:1530");
	assert_int_equal(cs_config_line_split(b, &k, &v), 0);
	assert_int_equal(cs_config_line_split(c, &k, &v), 1);
	assert_string_equal(k, "timestamps");
	assert_null(v);
	assert_int_equal(cs_config_line_split(d, &k, &v), 0);
	assert_int_equal(cs_config_line_split(e, &k, &v), 1);
	assert_string_equal(k, "");
	assert_string_equal(v, "x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gratings),
		cmocka_unit_test(config_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
