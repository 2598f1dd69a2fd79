// SPDX-License-Identifier: GPL-2.0-or-later
/* The fail-safe actuator table against a scripted GPIO: every release on
 * its deadline, failed releases retried, read-backs reported as they are,
 * everything that may be high released at the end. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cellsense-act.h"

#define MS 1000000ll

/* A scripted line bank: each line's real level, and faults to inject. */
struct bank {
	int real[4];
	int fail_drive;		/* next N drives fail (-EIO), level kept */
	int fail_drive_set;	/* ...but the level is set all the same */
	int fail_readback;	/* next N read-backs fail */
	int stuck_high[4];	/* driving low does not take */
	int drives;
	struct cs_actline_event ev[16];
	int nev;
};

static int drive(void *ctx, size_t i, int value, int *level)
{
	struct bank *b = ctx;

	b->drives++;
	if (b->fail_drive > 0) {
		b->fail_drive--;
		if (b->fail_drive_set)
			b->real[i] = value;
		return -EIO;
	}
	if (!(value == 0 && b->stuck_high[i]))
		b->real[i] = value;
	if (b->fail_readback > 0) {
		b->fail_readback--;
		*level = -EIO;
	} else {
		*level = b->real[i];
	}
	return 0;
}

static void report(void *ctx, const struct cs_actline_event *ev)
{
	struct bank *b = ctx;

	if (b->nev < 16)
		b->ev[b->nev++] = *ev;
}

static const struct cs_actlines_ops ops = { drive, report };

static struct cs_actlines *table(struct bank *b)
{
	struct cs_actlines *l;

	memset(b, 0, sizeof(*b));
	l = cs_actlines_create(&ops, b, 2000 * MS, 100 * MS);
	assert_non_null(l);
	assert_int_equal(cs_actlines_add(l, 0), 0);
	assert_int_equal(cs_actlines_add(l, 1), 1);
	return l;
}

static void on_released_by_timeout(void **state)
{
	struct bank b;
	struct cs_actlines *l = table(&b);
	int level;

	(void)state;
	assert_int_equal(cs_actlines_command(l, 0, CS_ACT_ON, -1, 7, 1000 * MS,
					     &level), CS_ACT_DONE);
	assert_int_equal(level, 1);
	assert_true(cs_actlines_next(l) == 3000 * MS);
	assert_int_equal(cs_actlines_due(l, 2999 * MS), 0);
	assert_int_equal(b.real[0], 1);
	assert_int_equal(cs_actlines_due(l, 3000 * MS), 1);
	assert_int_equal(b.real[0], 0);
	assert_int_equal(b.nev, 1);
	assert_int_equal(b.ev[0].result, CS_ACT_RELEASED);
	assert_int_equal(b.ev[0].level, 0);
	assert_int_equal(b.ev[0].sequence, 7);
	assert_string_equal(b.ev[0].cause, "safety timeout");
	assert_true(cs_actlines_next(l) == INT64_MAX);
	/* nothing left to release at the end */
	assert_int_equal(cs_actlines_release_all(l, 3), 0);
	assert_int_equal(b.nev, 1);
	cs_actlines_destroy(l);
}

/* A pulse ends on time; a pulse longer than the timeout is cut to it. */
static void pulse_cut_to_timeout(void **state)
{
	struct bank b;
	struct cs_actlines *l = table(&b);

	(void)state;
	assert_int_equal(cs_actlines_command(l, 1, CS_ACT_PULSE, 300 * MS, 1,
					     0, NULL), CS_ACT_DONE);
	assert_true(cs_actlines_next(l) == 300 * MS);
	assert_int_equal(cs_actlines_command(l, 1, CS_ACT_PULSE, 5000 * MS, 2,
					     0, NULL), CS_ACT_DONE);
	assert_true(cs_actlines_next(l) == 2000 * MS);
	assert_int_equal(cs_actlines_command(l, 1, CS_ACT_PULSE, 0, 3, 0,
					     NULL), CS_ACT_REFUSED);
	assert_int_equal(cs_actlines_command(l, 9, CS_ACT_ON, 0, 3, 0, NULL),
			 CS_ACT_UNKNOWN);
	assert_int_equal(cs_actlines_command(l, 1, 3, 0, 3, 0, NULL),
			 CS_ACT_REFUSED);
	cs_actlines_destroy(l);
}

/* Issue 17: a failed read-back after driving a line high armed no
 * timeout. It must. */
static void readback_failure_keeps_timeout(void **state)
{
	struct bank b;
	struct cs_actlines *l = table(&b);
	int level;

	(void)state;
	b.fail_readback = 1;
	assert_int_equal(cs_actlines_command(l, 0, CS_ACT_ON, -1, 1, 0,
					     &level), CS_ACT_GPIO);
	assert_int_equal(level, -1);
	assert_int_equal(b.real[0], 1);
	assert_true(cs_actlines_next(l) == 2000 * MS);
	assert_int_equal(cs_actlines_due(l, 2000 * MS), 1);
	assert_int_equal(b.real[0], 0);
	assert_int_equal(b.ev[0].result, CS_ACT_RELEASED);
	cs_actlines_destroy(l);
}

/* Issue 17: a failed release was logged as done and never retried. */
static void failed_release_retried(void **state)
{
	struct bank b;
	struct cs_actlines *l = table(&b);

	(void)state;
	cs_actlines_command(l, 0, CS_ACT_ON, -1, 1, 0, NULL);
	b.fail_drive = 2;
	assert_int_equal(cs_actlines_due(l, 2000 * MS), 1);
	assert_int_equal(b.ev[0].result, CS_ACT_GPIO);
	assert_int_equal(b.ev[0].level, -1);
	assert_int_equal(b.ev[0].attempts, 1);
	assert_int_equal(b.real[0], 1);
	assert_true(cs_actlines_next(l) == 2100 * MS);
	assert_int_equal(cs_actlines_due(l, 2100 * MS), 1);
	assert_int_equal(b.ev[1].result, CS_ACT_GPIO);
	assert_int_equal(b.ev[1].attempts, 2);
	assert_int_equal(cs_actlines_due(l, 2200 * MS), 1);
	assert_int_equal(b.ev[2].result, CS_ACT_RELEASED);
	assert_int_equal(b.ev[2].level, 0);
	assert_int_equal(b.real[0], 0);
	assert_true(cs_actlines_next(l) == INT64_MAX);
	cs_actlines_destroy(l);
}

/* A release that "succeeds" but reads back high is no release: reported
 * with the real level and retried. */
static void stuck_line_reported(void **state)
{
	struct bank b;
	struct cs_actlines *l = table(&b);

	(void)state;
	cs_actlines_command(l, 0, CS_ACT_PULSE, 100 * MS, 1, 0, NULL);
	b.stuck_high[0] = 1;
	assert_int_equal(cs_actlines_due(l, 100 * MS), 1);
	assert_int_equal(b.ev[0].result, CS_ACT_GPIO);
	assert_int_equal(b.ev[0].level, 1);
	assert_true(cs_actlines_next(l) == 200 * MS);
	/* at the end: still high after every attempt, and said so */
	b.nev = 0;
	assert_int_equal(cs_actlines_release_all(l, 3), 1);
	assert_int_equal(b.nev, 1);
	assert_int_equal(b.ev[0].result, CS_ACT_GPIO);
	assert_int_equal(b.ev[0].level, 1);
	assert_int_equal(b.ev[0].attempts, 4);
	assert_string_equal(b.ev[0].cause, "stop");
	cs_actlines_destroy(l);
}

/* A drive high that failed may still have set the line: it is released
 * at once, not left for later. */
static void failed_drive_released_now(void **state)
{
	struct bank b;
	struct cs_actlines *l = table(&b);

	(void)state;
	b.fail_drive = 1;
	b.fail_drive_set = 1;
	assert_int_equal(cs_actlines_command(l, 1, CS_ACT_ON, -1, 4, 500 * MS,
					     NULL), CS_ACT_GPIO);
	assert_int_equal(b.real[1], 1);
	assert_true(cs_actlines_next(l) == 500 * MS);
	assert_int_equal(cs_actlines_due(l, 500 * MS), 1);
	assert_int_equal(b.real[1], 0);
	assert_int_equal(b.ev[0].result, CS_ACT_RELEASED);
	cs_actlines_destroy(l);
}

/* The end: every line that may be high is released, with retries; lines
 * never driven are left alone. */
static void release_all_at_stop(void **state)
{
	struct bank b;
	struct cs_actlines *l = table(&b);

	(void)state;
	cs_actlines_command(l, 0, CS_ACT_ON, -1, 1, 0, NULL);
	b.drives = 0;
	b.fail_drive = 2;
	assert_int_equal(cs_actlines_release_all(l, 3), 0);
	assert_int_equal(b.drives, 3);
	assert_int_equal(b.real[0], 0);
	assert_int_equal(b.nev, 1);
	assert_int_equal(b.ev[0].actuator, 0);
	assert_int_equal(b.ev[0].result, CS_ACT_RELEASED);
	assert_int_equal(b.ev[0].level, 0);
	/* an off command whose release failed is also retried */
	b.nev = 0;
	cs_actlines_command(l, 1, CS_ACT_ON, -1, 1, 0, NULL);
	b.fail_drive = 1;
	assert_int_equal(cs_actlines_command(l, 1, CS_ACT_OFF, -1, 2, 10 * MS,
					     NULL), CS_ACT_GPIO);
	assert_true(cs_actlines_next(l) == 110 * MS);
	assert_int_equal(cs_actlines_due(l, 110 * MS), 1);
	assert_int_equal(b.real[1], 0);
	assert_int_equal(b.ev[0].result, CS_ACT_RELEASED);
	cs_actlines_destroy(l);
}

static void table_limits(void **state)
{
	struct bank b;
	struct cs_actlines *l = table(&b);
	struct cs_actlines_ops none = { NULL, NULL };

	(void)state;
	assert_int_equal(cs_actlines_add(l, 0), -EEXIST);
	assert_int_equal(cs_actlines_add(l, 255), -EINVAL);
	assert_int_equal(cs_actlines_find(l, 5), -ENOENT);
	assert_int_equal(cs_actlines_count(l), 2);
	assert_null(cs_actlines_create(&none, NULL, 1, 1));
	assert_null(cs_actlines_create(&ops, NULL, 0, 1));
	cs_actlines_destroy(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(on_released_by_timeout),
		cmocka_unit_test(pulse_cut_to_timeout),
		cmocka_unit_test(readback_failure_keeps_timeout),
		cmocka_unit_test(failed_release_retried),
		cmocka_unit_test(stuck_line_reported),
		cmocka_unit_test(failed_drive_released_now),
		cmocka_unit_test(release_all_at_stop),
		cmocka_unit_test(table_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
