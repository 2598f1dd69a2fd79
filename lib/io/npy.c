// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * NumPy .npy headers, as NumPy's format documentation
 * (numpy.lib.format) describes them: "\x93NUMPY", a major and a minor
 * version byte, the header's length (2 bytes LE in 1.0, 4 in 2.0 and 3.0),
 * then a Python dict literal, e.g.
 *   {'descr': '<f4', 'fortran_order': False, 'shape': (291, 4000), }
 * padded with blanks and ending in a newline; the data follows.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cellsense.h"

struct cursor {
	const char *p, *end;
};

static void blanks(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
				 *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static int eat(struct cursor *c, char ch)
{
	blanks(c);
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return 1;
	}
	return 0;
}

/* A quoted string into @out (at most @size - 1 characters). */
static int string(struct cursor *c, char *out, size_t size)
{
	char q;
	size_t n = 0;

	blanks(c);
	if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
		return -1;
	q = *c->p++;
	while (c->p < c->end && *c->p != q) {
		if (n + 1 >= size)
			return -1;
		out[n++] = *c->p++;
	}
	if (c->p >= c->end)
		return -1;
	c->p++;
	out[n] = '\0';
	return 0;
}

static int word(struct cursor *c, const char *w)
{
	size_t n = strlen(w);

	blanks(c);
	if ((size_t)(c->end - c->p) >= n && !memcmp(c->p, w, n)) {
		c->p += n;
		return 1;
	}
	return 0;
}

static int number(struct cursor *c, size_t *v)
{
	size_t acc = 0;
	int digits = 0;

	blanks(c);
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		if (acc > (SIZE_MAX - 9) / 10)
			return -1;
		acc = acc * 10 + (size_t)(*c->p++ - '0');
		digits++;
	}
	/* Python 2 wrote shapes as longs: (291L, 4000L) */
	if (digits && c->p < c->end && *c->p == 'L')
		c->p++;
	*v = acc;
	return digits ? 0 : -1;
}

/* (a, b) or (a,) or () into dims; their count, or -1. */
static int shape(struct cursor *c, size_t *dims, int max)
{
	int n = 0;

	if (!eat(c, '('))
		return -1;
	while (!eat(c, ')')) {
		size_t v;

		if (n >= max || number(c, &v))
			return -1;
		dims[n++] = v;
		if (!eat(c, ',')) {
			if (!eat(c, ')'))
				return -1;
			break;
		}
	}
	return n;
}

static int dtype(const char *d, struct cs_sample_format *f)
{
	char order = d[0], kind = d[1];
	unsigned int bytes;
	char text[16];

	if (!order || !kind || d[2] < '1' || d[2] > '8' || d[3])
		return -1;
	bytes = (unsigned int)(d[2] - '0');
	if (kind == 'f' && bytes != 4 && bytes != 8)
		return -1;
	if ((kind == 'i' || kind == 'u') && bytes != 1 && bytes != 2 &&
	    bytes != 4 && bytes != 8)
		return -1;
	if (kind != 'f' && kind != 'i' && kind != 'u')
		return -1;
	/* '=' is the writer's native order: little-endian on every machine
	 * NumPy runs on today, and '|' is for single bytes */
	if (order == '|' ? bytes != 1 : order != '<' && order != '>' &&
	    order != '=')
		return -1;
	snprintf(text, sizeof(text), "%s:%c%u", order == '>' ? "be" : "le",
		 kind == 'i' ? 's' : kind, bytes * 8);
	return cs_sample_format_parse(text, f, NULL) ? -1 : 0;
}

int cs_npy_header_parse(const void *buf, size_t len, struct cs_npy_header *h,
			size_t *need, const char **why)
{
	const unsigned char *b = buf;
	size_t start, hlen, dims[3] = { 0 };
	int have_descr = 0, have_order = 0, have_shape = 0, ndims = 0;
	int fortran = 0;
	struct cursor c;
	char key[32];

#define BAD(reason)              \
	do {                     \
		*why = (reason); \
		return -EBADMSG; \
	} while (0)

	*need = 10;
	if (len < 6 || memcmp(b, "\x93NUMPY", 6))
		BAD(len < 6 ? "shorter than a .npy header" :
		    "no .npy magic (\\x93NUMPY)");
	if (len < 10)
		return -EAGAIN;
	if (b[6] < 1 || b[6] > 3)
		BAD("a .npy version other than 1.0, 2.0 or 3.0");
	if (b[6] == 1) {
		start = 10;
		hlen = (size_t)b[8] | (size_t)b[9] << 8;
	} else {
		start = 12;
		if (len < 12) {
			*need = 12;
			return -EAGAIN;
		}
		hlen = (size_t)b[8] | (size_t)b[9] << 8 |
		       (size_t)b[10] << 16 | (size_t)b[11] << 24;
		if (hlen > 1 << 20)
			BAD("a .npy header longer than 1 MiB");
	}
	*need = start + hlen;
	if (len < start + hlen)
		return -EAGAIN;
	memset(h, 0, sizeof(*h));
	c.p = (const char *)b + start;
	c.end = c.p + hlen;
	if (!eat(&c, '{'))
		BAD("the .npy header is not a dict");
	while (!eat(&c, '}')) {
		if (string(&c, key, sizeof(key)) || !eat(&c, ':'))
			BAD("a broken .npy header dict");
		if (!strcmp(key, "descr")) {
			blanks(&c);
			if (c.p < c.end && *c.p == '[')
				BAD("a structured dtype (fields): not supported");
			if (string(&c, h->descr, sizeof(h->descr)))
				BAD("a broken 'descr' in the .npy header");
			have_descr = 1;
		} else if (!strcmp(key, "fortran_order")) {
			if (word(&c, "True"))
				fortran = 1;
			else if (!word(&c, "False"))
				BAD("'fortran_order' is neither True nor False");
			have_order = 1;
		} else if (!strcmp(key, "shape")) {
			ndims = shape(&c, dims, 3);
			if (ndims < 0)
				BAD("a broken 'shape' in the .npy header");
			have_shape = 1;
		} else {
			BAD("an unknown key in the .npy header dict");
		}
		if (!eat(&c, ',')) {
			if (!eat(&c, '}'))
				BAD("a broken .npy header dict");
			break;
		}
	}
	if (!have_descr || !have_order || !have_shape)
		BAD("the .npy header lacks descr, fortran_order or shape");
	if (fortran)
		BAD("fortran_order is True (columns first): save it with "
		    "numpy.ascontiguousarray()");
	if (dtype(h->descr, &h->fmt))
		BAD("its dtype is not supported (integers of 1, 2, 4 or 8 "
		    "bytes, floats of 4 or 8)");
	if (ndims == 1) {
		h->rows = 1;
		h->cols = dims[0];
	} else if (ndims == 2) {
		h->rows = dims[0];
		h->cols = dims[1];
	} else {
		BAD(ndims ? "an array of more than 2 dimensions: reshape it "
			    "to records x samples" : "a 0-d array (a scalar)");
	}
	if (!h->rows || !h->cols)
		BAD("an empty array");
	if (h->cols > SIZE_MAX / 8 / h->rows)
		BAD("an array too large");
	h->data_offset = start + hlen;
	return 0;
#undef BAD
}
