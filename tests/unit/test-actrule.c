// SPDX-License-Identifier: GPL-2.0-or-later
/* canactuate's rule language: what parses, what is refused and where,
 * and firing in record time. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cellsense-act.h"

static const char dbc_text[] =
	"VERSION \"\"\n\nNS_ :\n\nBS_:\n\nBU_: GW BMS\n\n"
	"BO_ 768 CS_PlatingAlarm: 8 GW\n"
	" SG_ Cell : 0|8@1+ (1,0) [0|254] \"\" BMS\n"
	" SG_ Level : 8|2@1+ (1,0) [0|2] \"\" BMS\n";

static struct cs_dbc *load(void)
{
	struct cs_can_error err;
	struct cs_dbc *dbc = cs_dbc_create(dbc_text, strlen(dbc_text), &err);

	assert_non_null(dbc);
	return dbc;
}

static void parses(void **state)
{
	struct cs_dbc *dbc = load();
	struct cs_actrule r;

	(void)state;
	assert_int_equal(cs_actrule_parse("status(re0/anode)=plating for 2s -> "
					  "pulse actuator0 500ms, send "
					  "CS_PlatingAlarm Cell=0 Level=2",
					  dbc, &r, NULL, NULL), 0);
	assert_true(r.is_status);
	assert_string_equal(r.source, "re0/anode");
	assert_string_equal(r.word, "plating");
	assert_string_equal(r.op, "==");
	assert_true(r.hold_ns == 2000000000ll);
	assert_int_equal(r.nactions, 2);
	assert_int_equal(r.actions[0].kind, CS_ACT_PULSE);
	assert_int_equal(r.actions[0].actuator, 0);
	assert_true(r.actions[0].pulse_ns == 500000000ll);
	assert_int_equal(r.actions[1].kind, CS_ACTRULE_SEND);
	assert_int_equal(r.actions[1].nsets, 2);
	assert_int_equal(cs_actrule_parse("temperature(fbg0/g1) >= 45.5 -> "
					  "on actuator254", NULL, &r, NULL,
					  NULL), 0);
	assert_false(r.is_status);
	assert_string_equal(r.op, ">=");
	assert_int_equal(r.actions[0].actuator, 254);
	cs_dbc_destroy(dbc);
}

static void refused_with_column(void **state)
{
	static const struct {
		const char *text;
		unsigned int column;
		const char *why;
	} bad[] = {
		{ "status(a)=x", 12, "no '->'" },
		{ "(a)=x -> on actuator0", 1, "FIELD(SOURCE)" },
		{ "t() > 1 -> on actuator0", 1, "FIELD(SOURCE)" },
		{ "t(a) ~ 1 -> on actuator0", 6, "expected <" },
		{ "t(a) > nan -> on actuator0", 8, "finite" },
		{ "t(a) > inf -> on actuator0", 8, "finite" },
		{ "status(a) < x -> on actuator0", 13, "= or != only" },
		{ "t(a) > 1 for 2h -> on actuator0", 14, "time" },
		{ "t(a) > 1 while 2s -> on actuator0", 10, "'for'" },
		{ "t(a) > 1 -> on actuator255", 16, "actuatorN" },
		{ "t(a) > 1 -> on actuator", 16, "actuatorN" },
		{ "t(a) > 1 -> on actuator-1", 16, "actuatorN" },
		{ "t(a) > 1 -> pulse actuator1", 28, "pulse's time" },
		{ "t(a) > 1 -> pulse actuator1 0ms", 29, "pulse's time" },
		{ "t(a) > 1 -> blink actuator1", 13, "on, off" },
		{ "t(a) > 1 -> on actuator1 now", 26, "junk" },
		{ "t(a) > 1 -> send Nope", 18, "no such message" },
		{ "t(a) > 1 -> send CS_PlatingAlarm Cell", 34, "SIGNAL=" },
		{ "t(a) > 1 -> send CS_PlatingAlarm X=1", 34, "no such signal" },
		{ "t(a) > 1 -> send CS_PlatingAlarm Cell=1e999", 39, "finite" },
		{ "t(a) > 1 -> on actuator0, on actuator1, on actuator2, "
		  "on actuator3, on actuator4", 68, "too many" },
		{ "t(a) > 1 -> on actuator0,", 26, "expected an action" },
	};
	struct cs_dbc *dbc = load();
	struct cs_actrule r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned int col = 0;
		const char *why = "";

		if (cs_actrule_parse(bad[i].text, dbc, &r, &col, &why) !=
		    -EINVAL)
			fail_msg("'%s' parsed", bad[i].text);
		if (col != bad[i].column || !strstr(why, bad[i].why))
			fail_msg("'%s': column %u '%s', want %u '%s'",
				 bad[i].text, col, why, bad[i].column,
				 bad[i].why);
	}
	cs_dbc_destroy(dbc);
}

static void rec(struct cs_record *r, int64_t t, const char *status,
		double v)
{
	assert_int_equal(cs_record_set(r, t, "re0/anode", "potential", v, "V",
				       status, 0.001), 0);
}

static void fires_in_record_time(void **state)
{
	struct cs_actrule r;
	struct cs_record x;
	int64_t s = 1000000000ll;

	(void)state;
	assert_int_equal(cs_actrule_parse("status(re0/anode)=plating for 2s "
					  "-> on actuator0", NULL, &r, NULL,
					  NULL), 0);
	rec(&x, 0, "plating", -0.01);
	assert_int_equal(cs_actrule_push(&r, &x), 0);
	rec(&x, 2 * s - 1, "plating", -0.01);
	assert_int_equal(cs_actrule_push(&r, &x), 0);
	rec(&x, 2 * s, "plating", -0.01);
	assert_int_equal(cs_actrule_push(&r, &x), 1);
	rec(&x, 3 * s, "plating", -0.01);
	assert_int_equal(cs_actrule_push(&r, &x), 0);	/* once */
	rec(&x, 4 * s, "ok", 0.01);
	assert_int_equal(cs_actrule_push(&r, &x), 0);	/* re-armed */
	rec(&x, 5 * s, "plating", -0.01);
	assert_int_equal(cs_actrule_push(&r, &x), 0);
	rec(&x, 7 * s, "plating", -0.01);
	assert_int_equal(cs_actrule_push(&r, &x), 1);
	assert_int_equal(r.count, 2);
	/* a NaN value never holds a numeric condition */
	assert_int_equal(cs_actrule_parse("potential(re0/anode) < 0 -> "
					  "off actuator0", NULL, &r, NULL,
					  NULL), 0);
	rec(&x, 8 * s, "ok", -0.01);
	assert_int_equal(cs_actrule_push(&r, &x), 1);
	rec(&x, 9 * s, "ok", NAN);
	assert_int_equal(cs_actrule_push(&r, &x), 0);
	assert_int_equal(r.fired, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses),
		cmocka_unit_test(refused_with_column),
		cmocka_unit_test(fires_in_record_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
