// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Bounded reading: a line or a whole file never larger than the caller
 * allows, and a read error told from the end of the input. getline() on
 * an endless line (or /dev/zero) grows until memory runs out, and a
 * directory opened as a file reads as empty where only ferror() says
 * otherwise; these two are what every loader uses instead.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

static int grow(char **buf, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 256;
	char *t;

	while (n < need)
		n = n > SIZE_MAX / 2 ? need : 2 * n;
	t = realloc(*buf, n);
	if (!t)
		return -ENOMEM;
	*buf = t;
	*cap = n;
	return 0;
}

/* the error of a stream whose read came up short: its errno, else EIO */
static long read_error(FILE *in)
{
	return ferror(in) ? -(errno ? errno : EIO) : 0;
}

long cs_line_read(FILE *in, char **buf, size_t *cap, size_t max)
{
	size_t n = 0;
	int c;

	if (!in || !buf || !cap || !max)
		return -EINVAL;
	errno = 0;
	for (;;) {
		if (n + 2 > *cap && grow(buf, cap, n + 2 > max + 1 ?
					 max + 1 : n + 2))
			return -ENOMEM;
		c = getc_unlocked(in);
		if (c == EOF) {
			long e = read_error(in);

			if (e)
				return e;
			break;
		}
		if (n == max) {
			ungetc(c, in);
			(*buf)[n] = '\0';
			return -EFBIG;
		}
		(*buf)[n++] = (char)c;
		if (c == '\n')
			break;
	}
	(*buf)[n] = '\0';
	return (long)n;
}

char *cs_file_read(const char *path, size_t max, size_t *len)
{
	FILE *f;
	char *buf = NULL;
	size_t cap = 0, n = 0;
	int e = 0;

	if (!path || !len) {
		errno = EINVAL;
		return NULL;
	}
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	for (;;) {
		size_t got, want;

		/* room for up to max + 1 bytes: one past the limit says
		 * the file is larger, and the NUL */
		if (n + 2 > cap && grow(&buf, &cap, n + 2 > max + 2 ?
					max + 2 : n + 4096)) {
			e = ENOMEM;
			break;
		}
		want = cap - 1 - n;
		if (want > max + 1 - n)
			want = max + 1 - n;
		errno = 0;
		got = fread(buf + n, 1, want, f);
		n += got;
		if (n > max) {
			e = EFBIG;
			break;
		}
		if (got < want) {
			if (ferror(f))
				e = errno ? errno : EIO;
			break;
		}
	}
	fclose(f);
	if (e) {
		free(buf);
		errno = e;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}
