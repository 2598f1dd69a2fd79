// SPDX-License-Identifier: GPL-2.0-or-later
/* Bounded reading and stream sequence numbers (issue 17): a line or file
 * past its limit, a read error and the end of the input are told apart;
 * a corrupt sequence number is skipped, a restart is taken. */
#include <errno.h>
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

static void lines_and_limit(void **state)
{
	FILE *f = fmemopen((void *)"ab\ncdefgh\nij", 12, "r");
	char *buf = NULL;
	size_t cap = 0;

	(void)state;
	assert_non_null(f);
	assert_int_equal(cs_line_read(f, &buf, &cap, 4), 3);
	assert_string_equal(buf, "ab\n");
	/* 6 bytes and a newline over a limit of 4: an error, not a line */
	assert_int_equal(cs_line_read(f, &buf, &cap, 4), -EFBIG);
	assert_string_equal(buf, "cdef");
	assert_int_equal(cs_line_read(f, &buf, &cap, 16), 3);
	assert_string_equal(buf, "gh\n");
	assert_int_equal(cs_line_read(f, &buf, &cap, 16), 2);
	assert_string_equal(buf, "ij");
	assert_int_equal(cs_line_read(f, &buf, &cap, 16), 0);
	assert_int_equal(cs_line_read(f, &buf, &cap, 0), -EINVAL);
	fclose(f);
	free(buf);
}

static void directory_is_an_error(void **state)
{
	FILE *f = fopen("/", "r");
	char *buf = NULL;
	size_t cap = 0, len = 0;

	(void)state;
	assert_non_null(f);
	assert_int_equal(cs_line_read(f, &buf, &cap, 64), -EISDIR);
	fclose(f);
	free(buf);
	errno = 0;
	assert_null(cs_file_read("/", 64, &len));
	assert_int_equal(errno, EISDIR);
}

static void file_limit(void **state)
{
	char path[] = "/tmp/test-bounded-XXXXXX";
	int fd = mkstemp(path);
	size_t len = 0;
	char *t;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "0123456789", 10), 10);
	close(fd);
	t = cs_file_read(path, 10, &len);
	assert_non_null(t);
	assert_int_equal(len, 10);
	assert_string_equal(t, "0123456789");
	free(t);
	errno = 0;
	assert_null(cs_file_read(path, 9, &len));
	assert_int_equal(errno, EFBIG);
	unlink(path);
	assert_null(cs_file_read("/dev/zero", 1 << 20, &len));
	assert_int_equal(errno, EFBIG);
	assert_null(cs_file_read("/nonexistent/x", 10, &len));
	assert_int_equal(errno, ENOENT);
}

static void sequence(void **state)
{
	struct cs_seq s;
	uint64_t gap;

	(void)state;
	assert_int_equal(cs_seq_init(&s, 1000), 0);
	assert_int_equal(cs_seq_check(&s, 500, 100, &gap), CS_SEQ_IN_STEP);
	assert_int_equal(cs_seq_check(&s, 600, 100, &gap), CS_SEQ_IN_STEP);
	assert_int_equal(cs_seq_check(&s, 900, 100, &gap), CS_SEQ_GAP);
	assert_int_equal(gap, 200);
	/* one corrupt number, far ahead or behind: skipped, then in step */
	assert_int_equal(cs_seq_check(&s, UINT64_MAX - 5, 100, &gap),
			 CS_SEQ_JUMP);
	assert_int_equal(cs_seq_check(&s, 1100, 100, &gap), CS_SEQ_GAP);
	assert_int_equal(gap, 100);
	assert_int_equal(cs_seq_check(&s, 3, 100, &gap), CS_SEQ_BEHIND);
	assert_int_equal(cs_seq_check(&s, 1300, 100, &gap), CS_SEQ_GAP);
	/* a restart: the block after the first skipped one continues it */
	assert_int_equal(cs_seq_check(&s, 0, 100, &gap), CS_SEQ_BEHIND);
	assert_int_equal(cs_seq_check(&s, 100, 100, &gap), CS_SEQ_RESTART);
	assert_int_equal(gap, 0);
	assert_int_equal(cs_seq_check(&s, 200, 100, &gap), CS_SEQ_IN_STEP);
	assert_int_equal(s.restarts, 1);
	/* a gap just at the bound is one, past it is not */
	assert_int_equal(cs_seq_check(&s, 1300, 100, &gap), CS_SEQ_GAP);
	assert_int_equal(cs_seq_check(&s, 2401, 100, &gap), CS_SEQ_JUMP);
	assert_int_equal(cs_seq_init(NULL, 1), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lines_and_limit),
		cmocka_unit_test(directory_is_an_error),
		cmocka_unit_test(file_limit),
		cmocka_unit_test(sequence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
