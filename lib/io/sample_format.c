// SPDX-License-Identifier: LGPL-2.1-or-later
/* Sample formats in libiio's notation, and decoding raw samples. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "cellsense.h"

static int read_uint(const char **p, unsigned int *v)
{
	const char *s = *p;
	unsigned long acc = 0;

	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9') {
		acc = acc * 10 + (unsigned long)(*s - '0');
		if (acc > 1000)
			return -1;
		s++;
	}
	*v = (unsigned int)acc;
	*p = s;
	return 0;
}

/* [le|be]:[uUsS]BITS[/STORAGE][XREPEAT][>>SHIFT], or [le|be]:[fF]32|64
 * (IEEE 754 floats: storage equals bits, no shift) */
int cs_sample_format_parse(const char *text, struct cs_sample_format *fmt,
			   size_t *err_pos)
{
	const char *p = text;
	struct cs_sample_format f = { 0 };
	unsigned int repeat;

#define FAIL()                                   \
	do {                                     \
		if (err_pos)                     \
			*err_pos = (size_t)(p - text); \
		return -EINVAL;                  \
	} while (0)

	if (!text || !fmt) {
		if (err_pos)
			*err_pos = 0;
		return -EINVAL;
	}
	if (!strncmp(p, "le:", 3))
		f.big_endian = 0;
	else if (!strncmp(p, "be:", 3))
		f.big_endian = 1;
	else
		FAIL();
	p += 3;
	switch (*p) {
	case 'u': case 'U': f.is_signed = 0; break;
	case 's': case 'S': f.is_signed = 1; break;
	case 'f': case 'F': f.is_float = 1; f.is_signed = 1; break;
	default: FAIL();
	}
	p++;
	if (read_uint(&p, &f.bits) || f.bits < 1 || f.bits > 64 ||
	    (f.is_float && f.bits != 32 && f.bits != 64))
		FAIL();
	f.storage = f.bits <= 8 ? 8 : f.bits <= 16 ? 16 : f.bits <= 32 ? 32 : 64;
	if (*p == '/') {
		p++;
		if (read_uint(&p, &f.storage) ||
		    (f.storage != 8 && f.storage != 16 && f.storage != 32 &&
		     f.storage != 64) || f.storage < f.bits ||
		    (f.is_float && f.storage != f.bits))
			FAIL();
	}
	if (*p == 'X') {
		p++;
		if (read_uint(&p, &repeat) || repeat < 1)
			FAIL();
	}
	if (p[0] == '>' && p[1] == '>') {
		p += 2;
		if (read_uint(&p, &f.shift) || f.shift + f.bits > f.storage ||
		    (f.is_float && f.shift))
			FAIL();
	}
	if (*p)
		FAIL();
#undef FAIL
	*fmt = f;
	return 0;
}

size_t cs_sample_format_bytes(const struct cs_sample_format *fmt)
{
	return fmt->storage / 8;
}

static size_t align_up(size_t v, size_t a)
{
	return a ? (v + a - 1) / a * a : v;
}

size_t cs_scan_bytes(size_t data_bytes, size_t element_bytes, int timestamp)
{
	size_t bytes = data_bytes, largest = element_bytes;

	if (timestamp) {
		bytes = align_up(bytes, 8) + 8;
		largest = largest > 8 ? largest : 8;
	}
	return align_up(bytes, largest);
}

double cs_sample_format_max(const struct cs_sample_format *fmt)
{
	unsigned int b;

	/* a float has no full scale of its own: nothing is clipped by it */
	if (fmt->is_float)
		return INFINITY;
	b = fmt->is_signed ? fmt->bits - 1 : fmt->bits;

	return (double)((b >= 64 ? ~0ULL : (1ULL << b)) - 1);
}

static float float_of(uint64_t v)
{
	uint32_t u = (uint32_t)v;
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

static double double_of(uint64_t v)
{
	double d;

	memcpy(&d, &v, sizeof(d));
	return d;
}

size_t cs_samples_first_nonfinite(const double *x, size_t n)
{
	size_t i = 0;

	while (i < n && isfinite(x[i]))
		i++;
	return i;
}

void cs_sample_format_decode(const struct cs_sample_format *fmt,
			     const void *raw, size_t n, double *out)
{
	const unsigned char *p = raw;
	size_t nbytes = fmt->storage / 8;
	uint64_t mask = fmt->bits >= 64 ? ~0ULL : (1ULL << fmt->bits) - 1;

	/* the interrogators' own format, on the hot path of fbgtrack */
	if (!fmt->big_endian && !fmt->is_signed && fmt->storage == 16 &&
	    fmt->bits == 16 && fmt->shift == 0) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		/* in blocks through a native array; whole blocks have a
		 * constant count, which -O2's cheap vectoriser requires */
		size_t i = 0;

		for (; i + 64 <= n; i += 64) {
			uint16_t v[64];

			memcpy(v, p + 2 * i, sizeof(v));
			for (size_t k = 0; k < 64; k++)
				out[i + k] = v[k];
		}
		for (; i < n; i++) {
			uint16_t v;

			memcpy(&v, p + 2 * i, 2);
			out[i] = v;
		}
#else
		for (size_t i = 0; i < n; i++)
			out[i] = (double)(p[2 * i] | (unsigned int)p[2 * i + 1] << 8);
#endif
		return;
	}

	for (size_t i = 0; i < n; i++, p += nbytes) {
		uint64_t v = 0;

		for (size_t b = 0; b < nbytes; b++) {
			size_t k = fmt->big_endian ? b : nbytes - 1 - b;

			v = (v << 8) | p[k];
		}
		if (fmt->is_float) {
			out[i] = fmt->bits == 32 ? (double)float_of(v) :
						   double_of(v);
			continue;
		}
		v = (v >> fmt->shift) & mask;
		if (fmt->is_signed && fmt->bits < 64 &&
		    (v >> (fmt->bits - 1)) & 1)
			out[i] = (double)(int64_t)(v | ~mask);
		else if (fmt->is_signed)
			out[i] = (double)(int64_t)v;
		else
			out[i] = (double)v;
	}
}
