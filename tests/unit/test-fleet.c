// SPDX-License-Identifier: GPL-2.0-or-later
/* Fleet payloads and the on-disk queue: round trips, refusals, bounds,
 * drop policies and a reopen that finds the queue again in order. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cellsense.h"

static size_t make_batch(char *buf, size_t size, const char *gw, uint64_t seq,
			 int n)
{
	struct cs_record r;
	int len = cs_batch_head_format(buf, size, gw, seq, (uint32_t)n);

	assert_true(len > 0);
	for (int i = 0; i < n; i++) {
		assert_int_equal(cs_record_set(&r, 1000 + i, "fbg0/g1",
					       "temperature", 25.5 + i, "degC",
					       i == 1 ? "lost" : "ok",
					       i == 2 ? NAN : 0.01), 0);
		if (i == 1)
			r.value = NAN;
		len += cs_record_format(buf + len, size - (size_t)len, &r);
	}
	return (size_t)len;
}

static void batch_round_trip(void **state)
{
	char buf[4096];
	struct cs_batch_head h;
	struct cs_record r;
	const char *why;
	size_t len = make_batch(buf, sizeof(buf), "rig-a.gw_1", 42, 3), off;

	(void)state;
	assert_int_equal(cs_batch_head_parse(buf, len, &h, &off, &why), 0);
	assert_string_equal(h.gateway, "rig-a.gw_1");
	assert_int_equal(h.seq, 42);
	assert_int_equal(h.count, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(cs_batch_next(buf, len, &off, &r, &why), 1);
		assert_int_equal(r.time_ns, 1000 + i);
		assert_string_equal(r.source, "fbg0/g1");
		assert_string_equal(r.status, i == 1 ? "lost" : "ok");
		assert_int_equal(!!isnan(r.value), i == 1);
		assert_int_equal(!!isnan(r.uncertainty), i == 2);
	}
	assert_int_equal(cs_batch_next(buf, len, &off, &r, &why), 0);
	/* cut short: the last line has no newline */
	assert_int_equal(cs_batch_head_parse(buf, len - 3, &h, &off, &why), 0);
	assert_int_equal(cs_batch_next(buf, len - 3, &off, &r, &why), 1);
	assert_int_equal(cs_batch_next(buf, len - 3, &off, &r, &why), 1);
	assert_int_equal(cs_batch_next(buf, len - 3, &off, &r, &why), -EBADMSG);
	assert_non_null(strstr(why, "truncated"));
	assert_int_equal(cs_batch_next(buf, len - 3, &off, &r, &why), 0);
}

static void batch_refused(void **state)
{
	static const char *const bad[] = {
		"", "cellsense-batch 1 gw 1 1", "cellsense-batch 2 gw 1 1\n",
		"cellsense-batch 1 g/w 1 1\n", "cellsense-batch 1 gw 0 1\n",
		"cellsense-batch 1 gw 01 1\n", "cellsense-batch 1 gw -1 1\n",
		"cellsense-batch 1 gw 1 4294967296\n",
		"cellsense-batch 1 gw 9223372036854775808 1\n",
		"cellsense-batch 1 gw 1 1 x\n", "cellsense-batch 1  1 1\n",
	};
	struct cs_batch_head h;
	const char *why;
	char buf[64];
	size_t off;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cs_batch_head_parse(bad[i], strlen(bad[i]), &h,
						     &off, &why), -EBADMSG);
	assert_int_equal(cs_batch_head_parse("cellsense-batch 1 gw "
					     "9223372036854775807 0\n", 43, &h,
					     &off, &why), 0);
	assert_int_equal(cs_batch_head_format(buf, sizeof(buf), "a b", 1, 1),
			 -EINVAL);
	assert_int_equal(cs_batch_head_format(buf, sizeof(buf), "gw", 0, 1),
			 -EINVAL);
	assert_int_equal(cs_batch_head_format(buf, 10, "gw", 1, 1), -ENOSPC);
	/* a bad record line is reported and passed */
	{
		const char p[] = "cellsense-batch 1 gw 1 2\nx\ty\n"
				 "5\ta\tb\t1\tK\n";
		struct cs_record r;

		assert_int_equal(cs_batch_head_parse(p, sizeof(p) - 1, &h, &off,
						     &why), 0);
		assert_int_equal(cs_batch_next(p, sizeof(p) - 1, &off, &r, &why),
				 -EBADMSG);
		assert_int_equal(cs_batch_next(p, sizeof(p) - 1, &off, &r, &why),
				 1);
		assert_int_equal(r.time_ns, 5);
	}
}

static void stored_round_trip(void **state)
{
	char buf[256];
	char gw[CS_FLEET_ID_MAX];
	const char *why;
	uint64_t seq;
	size_t off;
	int n;

	(void)state;
	n = cs_stored_head_format(buf, sizeof(buf), "gw1");
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "7\n9\n0\n");
	assert_int_equal(cs_stored_head_parse(buf, (size_t)n, gw, &off, &why),
			 0);
	assert_string_equal(gw, "gw1");
	assert_int_equal(cs_stored_next(buf, (size_t)n, &off, &seq, &why), 1);
	assert_int_equal(seq, 7);
	assert_int_equal(cs_stored_next(buf, (size_t)n, &off, &seq, &why), 1);
	assert_int_equal(seq, 9);
	assert_int_equal(cs_stored_next(buf, (size_t)n, &off, &seq, &why),
			 -EBADMSG);
	assert_int_equal(cs_stored_next(buf, (size_t)n, &off, &seq, &why), 0);
	assert_int_equal(cs_stored_head_parse("cellsense-batch 1 gw\n", 21, gw,
					      &off, &why), -EBADMSG);
}

static char *tmpdir(void)
{
	char tmpl[] = "/tmp/test-fleet.XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return strdup(d);
}

static void rmdir_all(const char *dir)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void push_n(struct cs_fqueue *q, int n, size_t bytes, int expect)
{
	char data[100];

	memset(data, 'x', sizeof(data));
	for (int i = 0; i < n; i++)
		assert_int_equal(cs_fqueue_push(q, data, bytes, 10), expect);
}

static void queue_order_and_reopen(void **state)
{
	char *dir = tmpdir(), sub[300];
	struct cs_fqueue *q;
	struct cs_fqueue_stats st;
	void *data;
	size_t len;

	(void)state;
	snprintf(sub, sizeof(sub), "%s/q", dir);
	q = cs_fqueue_open(sub, 1000, CS_FQUEUE_DROP_OLDEST);
	assert_non_null(q);
	assert_int_equal(cs_fqueue_next_seq(q), 1);
	cs_fqueue_set_sync(q, 1);	/* the same result, flushed */
	assert_int_equal(cs_fqueue_push(q, "hello", 5, 1), 0);
	cs_fqueue_set_sync(q, 0);
	assert_int_equal(cs_fqueue_push(q, "world!", 6, 2), 0);
	assert_int_equal(cs_fqueue_push(q, "third", 5, 3), 0);
	assert_int_equal(cs_fqueue_count(q), 3);
	assert_int_equal(cs_fqueue_bytes(q), 16);
	assert_int_equal(cs_fqueue_records(q), 6);
	assert_int_equal(cs_fqueue_remove(q, 2), 0);
	assert_int_equal(cs_fqueue_remove(q, 2), -ENOENT);
	cs_fqueue_close(q);

	q = cs_fqueue_open(sub, 1000, CS_FQUEUE_DROP_OLDEST);
	assert_non_null(q);
	cs_fqueue_stats(q, &st);
	assert_int_equal(st.found_batches, 2);
	assert_int_equal(st.found_records, 4);
	assert_int_equal(cs_fqueue_at(q, 0)->seq, 1);
	assert_int_equal(cs_fqueue_at(q, 1)->seq, 3);
	assert_int_equal(cs_fqueue_read(q, 1, &data, &len), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(data, "third", 5);
	free(data);
	assert_int_equal(cs_fqueue_find(q, 3), 1);
	/* numbers go on, never reused */
	assert_true(cs_fqueue_next_seq(q) >= 4);
	assert_int_equal(cs_fqueue_remove(q, 1), 0);
	assert_int_equal(cs_fqueue_remove(q, 3), 0);
	cs_fqueue_close(q);
	/* even when the queue was empty */
	q = cs_fqueue_open(sub, 1000, CS_FQUEUE_DROP_OLDEST);
	assert_non_null(q);
	assert_int_equal(cs_fqueue_count(q), 0);
	assert_true(cs_fqueue_next_seq(q) >= 4);
	cs_fqueue_close(q);
	rmdir_all(dir);
	free(dir);
}

static void queue_drop_policies(void **state)
{
	char *dir = tmpdir(), sub[300];
	struct cs_fqueue *q;
	struct cs_fqueue_stats st;
	uint64_t first;

	(void)state;
	snprintf(sub, sizeof(sub), "%s/old", dir);
	q = cs_fqueue_open(sub, 250, CS_FQUEUE_DROP_OLDEST);
	assert_non_null(q);
	first = cs_fqueue_next_seq(q);
	push_n(q, 5, 100, 0);		/* room for two */
	assert_int_equal(cs_fqueue_count(q), 2);
	assert_int_equal(cs_fqueue_at(q, 0)->seq, first + 3);
	cs_fqueue_stats(q, &st);
	assert_int_equal(st.dropped_batches, 3);
	assert_int_equal(st.dropped_records, 30);
	cs_fqueue_close(q);
	q = cs_fqueue_open(sub, 250, CS_FQUEUE_DROP_OLDEST);
	assert_int_equal(cs_fqueue_count(q), 2);	/* the files went too */
	cs_fqueue_close(q);

	snprintf(sub, sizeof(sub), "%s/new", dir);
	q = cs_fqueue_open(sub, 250, CS_FQUEUE_DROP_NEWEST);
	assert_non_null(q);
	push_n(q, 2, 100, 0);
	push_n(q, 3, 100, -ENOSPC);
	assert_int_equal(cs_fqueue_at(q, 0)->seq, first);
	cs_fqueue_stats(q, &st);
	assert_int_equal(st.dropped_batches, 3);
	assert_int_equal(st.dropped_records, 30);
	/* larger than the whole bound: refused under either policy */
	assert_int_equal(cs_fqueue_remove(q, first), 0);
	push_n(q, 1, 100, 0);
	cs_fqueue_close(q);
	q = cs_fqueue_open(sub, 50, CS_FQUEUE_DROP_OLDEST);
	push_n(q, 1, 100, -ENOSPC);
	cs_fqueue_close(q);

	assert_null(cs_fqueue_open(sub, 0, CS_FQUEUE_DROP_OLDEST));
	assert_int_equal(errno, EINVAL);
	assert_null(cs_fqueue_open(NULL, 1, CS_FQUEUE_DROP_OLDEST));
	assert_null(cs_fqueue_open(sub, 1, (enum cs_fqueue_drop)7));
	assert_null(cs_fqueue_open("/proc/no/such/dir", 1,
				   CS_FQUEUE_DROP_OLDEST));
	rmdir_all(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(batch_round_trip),
		cmocka_unit_test(batch_refused),
		cmocka_unit_test(stored_round_trip),
		cmocka_unit_test(queue_order_and_reopen),
		cmocka_unit_test(queue_drop_policies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
