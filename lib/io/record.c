// SPDX-License-Identifier: LGPL-2.1-or-later
/* Measurement records: the one text format all cellsense tools share. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

#define NCOLUMNS 7

static const char header[] =
	"time_ns\tsource\tquantity\tvalue\tunit\tstatus\tuncertainty";

const char *cs_record_header(void)
{
	return header;
}

/* The length of @src as a field of @size bytes, 0 when it cannot be one:
 * empty, too long, or with a tab or newline (which would break the line
 * format). */
static size_t field_len(const char *src, size_t size)
{
	size_t len = strlen(src);

	if (len >= size || strpbrk(src, "\t\r\n"))
		return 0;
	return len;
}

static int copy_field(char *dst, size_t size, const char *src)
{
	size_t len = field_len(src, size);

	if (!len)
		return -EINVAL;
	memcpy(dst, src, len + 1);
	return 0;
}

int cs_record_set(struct cs_record *rec, int64_t time_ns, const char *source,
		  const char *quantity, double value, const char *unit,
		  const char *status, double uncertainty)
{
	if (!rec || !source || !quantity || !unit || !status)
		return -EINVAL;
	if (copy_field(rec->source, sizeof(rec->source), source) ||
	    copy_field(rec->quantity, sizeof(rec->quantity), quantity) ||
	    copy_field(rec->unit, sizeof(rec->unit), unit) ||
	    copy_field(rec->status, sizeof(rec->status), status))
		return -EINVAL;
	rec->time_ns = time_ns;
	rec->value = value;
	rec->uncertainty = uncertainty;
	return 0;
}

/* for the hot paths that are worth their code twice */
#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

/* 10^0 .. 10^19: digit counts, and the splits of numbers into digits */
static const uint64_t pow10_u64[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL,
};

/* 5^0 .. 5^16: 10^dec with its factor 2^dec apart */
static const uint64_t pow5_u64[17] = {
	1ULL, 5ULL, 25ULL, 125ULL, 625ULL, 3125ULL, 15625ULL, 78125ULL,
	390625ULL, 1953125ULL, 9765625ULL, 48828125ULL, 244140625ULL,
	1220703125ULL, 6103515625ULL, 30517578125ULL, 152587890625ULL,
};

/* 10^-4 .. 10^15: the bounds of put_double()'s own digits. The negative
 * powers are rounded up in binary, so a >= pow10_dbl[k] is exactly
 * a >= 10^(k - 4). */
static const double pow10_dbl[20] = {
	1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
	1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
};

/* ASCII '0' in every byte of a word of digits */
#define ZEROS8 0x3030303030303030ULL

/*
 * Decimal digits as the bytes of a word, the first digit in the lowest
 * byte, each 0..9 (ZEROS8 added makes them text), without a table or a
 * chain of divisions: each step splits every lane of the word at once
 * with a multiply and a shift, exact over the lane's range, the products
 * too small to carry into the next lane. digits2(): lanes of 16 bits,
 * each < 100, into two digits (x / 10 = x * 103 >> 10 for x < 100).
 */
static inline uint64_t digits2(uint64_t x)
{
	uint64_t h = (x * 103 >> 10) & 0x000f000f000f000fULL;

	return h | (x - h * 10) << 8;
}

/* lanes of 32 bits, each < 10^4, into four digits (x / 100 =
 * x * 10486 >> 20 for x < 10^4) */
static inline uint64_t digits4(uint64_t x)
{
	uint64_t h = (x * 10486 >> 20) & 0x0000007f0000007fULL;

	return digits2(h | (x - h * 100) << 16);
}

/* @v < 10^8 into eight digits, zeros in front (v / 10^4 =
 * v * 109951163 >> 40 for v < 10^8) */
static inline uint64_t digits8(uint32_t v)
{
	uint64_t h = (uint64_t)v * 109951163 >> 40;

	return digits4(h | ((uint64_t)v - h * 10000) << 32);
}

/* The bytes of @w at p[0..8), the lowest first (digits8() order). */
static inline void store8(char *p, uint64_t w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	memcpy(p, &w, sizeof(w));
}

/* Zero bytes at the low end of @w != 0: leading zero digits. */
static inline int low_zero_bytes(uint64_t w)
{
#if defined(__GNUC__)
	return __builtin_ctzll(w) / 8;
#else
	int n = 0;

	for (; !(w & 0xff); w >>= 8)
		n++;
	return n;
#endif
}

/* Zero bytes at the high end of @w != 0: trailing zero digits. */
static inline int high_zero_bytes(uint64_t w)
{
#if defined(__GNUC__)
	return __builtin_clzll(w) / 8;
#else
	int n = 0;

	for (; !(w >> 56); w <<= 8)
		n++;
	return n;
#endif
}

/* @v < 10^8 without its leading zeros (one digit for 0) at @p, a whole
 * word stored; returns the end. */
static inline char *put_lead8(char *p, uint32_t v)
{
	uint64_t w = digits8(v);
	int skip = w ? low_zero_bytes(w) : 7;

	store8(p, (w >> 8 * skip) + ZEROS8);
	return p + 8 - skip;
}

/* @v in decimal at @p, returns the end. Stores whole words: writes up to
 * 24 bytes at @p, whatever the length. */
static char *put_uint(char *p, uint64_t v)
{
	if (v < 100000000)
		return put_lead8(p, (uint32_t)v);
	if (v < 10000000000000000ULL) {
		p = put_lead8(p, (uint32_t)(v / 100000000));
	} else {
		p = put_lead8(p, (uint32_t)(v / 10000000000000000ULL));
		store8(p, digits8((uint32_t)(v / 100000000 % 100000000)) +
			  ZEROS8);
		p += 8;
	}
	store8(p, digits8((uint32_t)(v % 100000000)) + ZEROS8);
	return p + 8;
}

/* @v in decimal, a sign first when negative; as put_uint() (25 bytes
 * written at the most). */
static char *put_int(char *p, int64_t v)
{
	if (v < 0) {
		*p++ = '-';
		return put_uint(p, (uint64_t)0 - (uint64_t)v);
	}
	return put_uint(p, (uint64_t)v);
}

/*
 * a * 10^dec rounded to the nearest integer, a tie to the even one, for
 * a = m * 2^(b2 - 52): the rounding printf does on the exact value of a
 * double (a * 10^dec in floating point rounds once more, and +0.5 rounds
 * ties up). The power is taken times 2^(12 + b2), so that the quotient is
 * the high word of the exact 128-bit product and the rest its low word:
 * no shift of 128 bits by a variable count. As 5^dec * 2^(dec + 12 + b2)
 * it is a left shift: dec + 12 + b2 >= 0 and the product below 2^64 for
 * 10^-4 <= a < 10^15 with 0 <= dec <= 12 - floor(log10(a)), the quotient
 * below 2^63.
 */
static inline uint64_t scale_round(uint64_t m, int b2, int dec)
{
	uint64_t p = pow5_u64[dec] << (dec + 12 + b2), hi, lo;

#if defined(__SIZEOF_INT128__) && !defined(CS_PORTABLE_KERNELS)
	unsigned __int128 x = (unsigned __int128)m * p;

	hi = (uint64_t)(x >> 64);
	lo = (uint64_t)x;
#else
	/* the product from its 32-bit halves */
	uint64_t ll = (m & 0xffffffff) * (p & 0xffffffff);
	uint64_t lh = (m & 0xffffffff) * (p >> 32);
	uint64_t hl = (m >> 32) * (p & 0xffffffff);
	uint64_t mid = (ll >> 32) + (lh & 0xffffffff) + (hl & 0xffffffff);

	lo = mid << 32 | (ll & 0xffffffff);
	hi = (m >> 32) * (p >> 32) + (lh >> 32) + (hl >> 32) + (mid >> 32);
#endif
	/* up when the rest is over a half, or a half and hi is odd: when
	 * it carries with a half less one, and one more for an odd hi */
	return hi + (lo + ((1ULL << 63) - 1 + (hi & 1)) < lo);
}

/*
 * The @sig (1..16) digits of @x < 10^sig, left-aligned: the first in the
 * lowest byte of *@w0, then on into *@w1, zeros after; each 0..9. With
 * @sig a constant the divisions are multiplies, and the lane steps as
 * many as the digits need.
 */
static ALWAYS_INLINE void digits_left(uint64_t x, const int sig,
				      uint64_t *w0, uint64_t *w1)
{
	uint64_t r;

	if (sig <= 2) {
		*w0 = digits2(x * pow10_u64[2 - sig]);
		*w1 = 0;
	} else if (sig <= 4) {
		*w0 = digits4(x * pow10_u64[4 - sig]);
		*w1 = 0;
	} else if (sig <= 8) {
		*w0 = digits8((uint32_t)(x * pow10_u64[8 - sig]));
		*w1 = 0;
	} else {
		*w0 = digits8((uint32_t)(x / pow10_u64[sig - 8]));
		r = x % pow10_u64[sig - 8];
		if (sig <= 10)
			*w1 = digits2(r * pow10_u64[10 - sig]);
		else if (sig <= 12)
			*w1 = digits4(r * pow10_u64[12 - sig]);
		else
			*w1 = digits8((uint32_t)(r * pow10_u64[16 - sig]));
	}
}

/*
 * @v in the rest of what put_double() writes: "nan" for no value, "0" for
 * either zero; from 10^(sig - 1) to 10^15, where %g would switch to an
 * exponent from 10^sig on, all the integer digits (as "%.0f"); outside
 * 10^-4..10^15, "%.*g" itself. Apart: it is rare, but for NaN.
 */
static char *put_double_other(char *p, double v, int sig)
{
	double a = fabs(v);
	uint64_t bits;

	if (isnan(v)) {
		memcpy(p, "nan", 4);
		return p + 3;
	}
	if (a == 0.0) {
		*p = '0';
		return p + 1;
	}
	if (!(a >= 1e-4 && a < 1e15)) {
		/* near DBL_MAX, sig digits can round past it (to no number
		 * when read back): all 17 there */
		int n = snprintf(p, 32, "%.*g", a > 1e308 ? 17 : sig, v);

		return p + (n > 0 && n < 32 ? n : 0);
	}
	/* an integer: a = m * 2^(b2 - 52), 0 <= b2 < 50 */
	memcpy(&bits, &a, sizeof(bits));
	if (v < 0.0)
		*p++ = '-';
	return put_uint(p, scale_round((bits & 0xfffffffffffffULL) | 1ULL << 52,
				       (int)(bits >> 52) - 1023, 0));
}

/*
 * @v with @sig (1..12) significant digits, trailing zeros dropped, as
 * "%.*g" writes it, without going through printf on the hot path (fbgtrack
 * writes millions of these); put_double_other() for the rest. Stores whole
 * words: writes up to 32 bytes at @p, returns the end of the number.
 *
 * The digits are those of x = a * 10^dec rounded, made in two words and
 * stored from them: the integer part, then the point over the digit after
 * it and the fraction from the words shifted by the integer part's length.
 * Only stores, so nothing waits on a load of bytes just stored. Inline,
 * so that @sig is a constant and the divisions by powers of ten are
 * multiplies.
 */
static ALWAYS_INLINE char *put_double(char *p, double v, const int sig)
{
	uint64_t raw, bits, lo, hi, m, x, w0, w1;
	int b2, dec, ilen, nd;

	/* 10^-4 <= |v| < 10^(sig - 1), the bits of |v| compared as an
	 * integer (they are in the order of the values; NaN's above) */
	memcpy(&raw, &v, sizeof(raw));
	memcpy(&lo, &pow10_dbl[0], sizeof(lo));
	memcpy(&hi, &pow10_dbl[4 + sig - 1], sizeof(hi));
	bits = raw & ~(1ULL << 63);
	if (bits - lo >= hi - lo)
		return put_double_other(p, v, sig);
	/* |v| = m * 2^(b2 - 52), a normal number here */
	b2 = (int)(bits >> 52) - 1023;
	m = (bits & 0xfffffffffffffULL) | 1ULL << 52;
	/*
	 * floor(log10(a)) is floor(b2 * log10(2)) or one more: take the
	 * first, from b2 * 1233 / 4096 (exact for |b2| < 300; shifted to be
	 * positive, b2 >= -14 here); dec >= 1 as a < 10^(sig - 1). When x
	 * then has a digit too many, it was one more, or x rounded up to
	 * 10^sig: once more with one decimal less, which gives sig digits
	 * (a < 2^(b2 + 1) < 2 * 10^(e0 + 1)), 10^(sig - 1) in the second case,
	 * the same number. A branch, not arithmetic on the comparison: values
	 * of one source keep their magnitude, the branch is predicted, and x
	 * need not wait for the comparison.
	 */
	dec = sig - 1 - (((b2 * 1233 + 5 * 4096) >> 12) - 5);
	x = scale_round(m, b2, dec);
	if (x >= pow10_u64[sig])
		x = scale_round(m, b2, --dec);
	digits_left(x, sig, &w0, &w1);
	/* without the trailing zeros; the first digit is not one */
	nd = w1 ? 16 - high_zero_bytes(w1) : 8 - high_zero_bytes(w0);
	w0 += ZEROS8;
	w1 += ZEROS8;
	ilen = sig - dec;		/* digits before the point */
	if (raw >> 63)
		*p++ = '-';
	if (ilen >= nd) {		/* an integer */
		store8(p, w0);
		store8(p + 8, w1);
		return p + ilen;
	}
	if (ilen > 0) {			/* the point inside the digits */
		store8(p, w0);
		store8(p + 8, w1);
		p[ilen] = '.';
		if (ilen < 8) {
			w0 = w0 >> 8 * ilen | w1 << (64 - 8 * ilen);
			w1 >>= 8 * ilen;
		} else {
			w0 = w1 >> 8 * (ilen - 8);
			w1 = 0;
		}
		store8(p + ilen + 1, w0);
		store8(p + ilen + 9, w1);
		return p + nd + 1;
	}
	/* below 1: "0.", up to three zeros (a >= 10^-4), the digits */
	memcpy(p, "0.000000", 8);
	p += 2 - ilen;
	store8(p, w0);
	store8(p + 8, w1);
	return p + nd;
}

/*
 * @field (NUL-terminated within @max, a multiple of 8) and a tab at @p;
 * returns the end. Fields are a few characters: strlen() and memcpy()
 * calls cost more than they copy. With @wide, eight bytes at a time up to
 * the word that holds the NUL, writing up to 7 bytes past the tab (the
 * rest of the line covers them, or they lie in the spare room of a
 * CS_RECORD_LINE_MAX buffer).
 */
static inline char *put_field(char *p, const char *field, size_t max,
			      int wide)
{
	size_t i = 0;

	if (wide) {
		for (; i < max; i += 8) {
			uint64_t w, z;

			memcpy(&w, field + i, 8);
			memcpy(p + i, &w, 8);
			/* the high bit of each zero byte of w, and maybe of
			 * bytes after it: exact up to the first */
			z = (w - 0x0101010101010101ULL) & ~w &
			    0x8080808080808080ULL;
			if (z) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
	__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
				i += (size_t)__builtin_ctzll(z) / 8;
#endif
				break;
			}
		}
	}
	for (; i < max && field[i]; i++)
		p[i] = field[i];
	p[i] = '\t';
	return p + i + 1;
}

/* the longest line: the fields, a time of 20 digits and a sign, two
 * numbers of 32 characters, six tabs, the newline and the NUL (the whole
 * words put_uint() and put_double() store stay within it too) */
#define LINE_NEED(ls, lq, lu, lt) ((ls) + (lq) + (lu) + (lt) + 21 + 2 * 32 + 8)
_Static_assert(LINE_NEED(CS_RECORD_SOURCE_MAX - 1, CS_RECORD_QUANTITY_MAX - 1,
			 CS_RECORD_UNIT_MAX - 1, CS_RECORD_STATUS_MAX - 1) <=
	       CS_RECORD_LINE_MAX, "CS_RECORD_LINE_MAX holds every record");

int cs_record_format(char *buf, size_t size, const struct cs_record *rec)
{
	/* a buffer of CS_RECORD_LINE_MAX holds any record: no need to measure */
	const int wide = size >= CS_RECORD_LINE_MAX;
	char *p = buf;

	if (!wide &&
	    size < LINE_NEED(strnlen(rec->source, CS_RECORD_SOURCE_MAX),
			     strnlen(rec->quantity, CS_RECORD_QUANTITY_MAX),
			     strnlen(rec->unit, CS_RECORD_UNIT_MAX),
			     strnlen(rec->status, CS_RECORD_STATUS_MAX)))
		return -ENOSPC;
	p = put_int(p, rec->time_ns);
	*p++ = '\t';
	p = put_field(p, rec->source, CS_RECORD_SOURCE_MAX, wide);
	p = put_field(p, rec->quantity, CS_RECORD_QUANTITY_MAX, wide);
	/* 10 digits keep 0.1 pm of a 1550 nm wavelength */
	p = put_double(p, rec->value, 10);
	*p++ = '\t';
	p = put_field(p, rec->unit, CS_RECORD_UNIT_MAX, wide);
	p = put_field(p, rec->status, CS_RECORD_STATUS_MAX, wide);
	p = put_double(p, rec->uncertainty, 4);
	*p++ = '\n';
	*p = '\0';
	return (int)(p - buf);
}

void cs_record_time_set(struct cs_record_time *t, int64_t time_ns)
{
	char *p = t->text;

	/* the writes stay in text: a sign, 24 bytes of digits */
	_Static_assert(sizeof(t->text) >= 1 + 24, "room for put_uint()");
	p = put_int(p, time_ns);
	*p++ = '\t';
	memset(p, 0, (size_t)(t->text + sizeof(t->text) - p));
	t->len = (unsigned int)(p - t->text);
}

/* @s and a tab at @dst: the end, or NULL when cs_record_set() would
 * refuse @s as a field of @max bytes */
static char *stem_field(char *dst, const char *s, size_t max)
{
	size_t len = s ? field_len(s, max) : 0;

	if (!len)
		return NULL;
	memcpy(dst, s, len);
	dst[len] = '\t';
	return dst + len + 1;
}

int cs_record_stem_set(struct cs_record_stem *stem, const char *source,
		       const char *quantity, const char *unit)
{
	char *p, *u;

	if (!stem)
		return -EINVAL;
	memset(stem, 0, sizeof(*stem));
	p = stem_field(stem->head, source, CS_RECORD_SOURCE_MAX);
	if (p)
		p = stem_field(p, quantity, CS_RECORD_QUANTITY_MAX);
	stem->unit[0] = '\t';
	u = stem_field(stem->unit + 1, unit, CS_RECORD_UNIT_MAX);
	if (!p || !u) {
		memset(stem, 0, sizeof(*stem));
		return -EINVAL;
	}
	stem->head_len = (unsigned char)(p - stem->head);
	stem->unit_len = (unsigned char)(u - stem->unit);
	return 0;
}

/*
 * Where cs_record_format_stem() starts the uncertainty at the furthest:
 * after a time of a sign, 19 digits and a tab, the whole head, a value of
 * 31 characters, a unit of 15 between tabs and a status of 16 (the one
 * too long, copied before it is refused). Each part's whole-word writes
 * reach less far than the next part's start plus its 32 bytes.
 */
#define STEM_UNC_AT (21 + CS_RECORD_SOURCE_MAX + CS_RECORD_QUANTITY_MAX + \
		     31 + CS_RECORD_UNIT_MAX + 1 + CS_RECORD_STATUS_MAX)
_Static_assert(STEM_UNC_AT + 32 + 1 <= CS_RECORD_LINE_MAX,
	       "cs_record_format_stem() writes within CS_RECORD_LINE_MAX");

int cs_record_format_stem(char *buf, const struct cs_record_time *t,
			  const struct cs_record_stem *stem, double value,
			  const char *status, double uncertainty)
{
	char *p = buf;
	size_t i;
	int bad = 0;

	/* whole arrays, or the first 32 bytes of the head when that holds
	 * it: a fixed size copies in a few moves, no length to look at */
	memcpy(p, t->text, sizeof(t->text));
	p += t->len;
	if (stem->head_len <= 32)
		memcpy(p, stem->head, 32);
	else
		memcpy(p, stem->head, sizeof(stem->head));
	p += stem->head_len;
	p = put_double(p, value, 10);
	memcpy(p, stem->unit, sizeof(stem->unit));
	p += stem->unit_len;
	/* the status is the caller's at each call: checked as it is copied
	 * (TAB, LF and CR are bits 9, 10 and 13 of 0x2600) */
	if (!status)
		return -EINVAL;
	for (i = 0; i < CS_RECORD_STATUS_MAX && status[i]; i++) {
		unsigned char c = (unsigned char)status[i];

		bad |= c < 14 && (0x2600 >> c & 1);
		p[i] = (char)c;
	}
	if (i == 0 || i == CS_RECORD_STATUS_MAX || bad)
		return -EINVAL;
	p[i] = '\t';
	p = put_double(p + i + 1, uncertainty, 4);
	*p++ = '\n';
	*p = '\0';
	return (int)(p - buf);
}

int cs_record_write(FILE *out, const struct cs_record *rec)
{
	char line[CS_RECORD_LINE_MAX];
	int n;

	if (!out || !rec)
		return -EINVAL;
	n = cs_record_format(line, sizeof(line), rec);
	if (n < 0)
		return n;
	if (fwrite(line, 1, (size_t)n, out) != (size_t)n)
		return errno ? -errno : -EIO;
	return 0;
}

/* 10^0 .. 10^22: exactly representable in a double */
static const double exact_pow10[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/*
 * The plain decimals tools write ([-+]digits[.digits][e[-+]digits]) in
 * @s (@len bytes) with at most 2^53 as their digits and a power of ten of
 * at most 22 either way: the quotient or product of two exact doubles, so
 * rounded once, as strtod() rounds it (Clinger's fast path). 0, or -1
 * for anything else (strtod() then decides).
 */
static int fast_double(const char *s, size_t len, double *v)
{
	const char *end = s + len, *first;
	uint64_t m = 0;
	int exp10 = 0, neg = 0, any = 0;
	long digits = 0;

	if (s < end && (*s == '-' || *s == '+'))
		neg = *s++ == '-';
	for (; s < end && *s == '0'; s++)
		any = 1;
	for (first = s; s < end && (unsigned int)(*s - '0') < 10; s++)
		m = m * 10 + (uint64_t)(*s - '0');
	digits = s - first;
	any |= digits > 0;
	if (s < end && *s == '.') {
		s++;
		if (!m) {
			for (; s < end && *s == '0'; s++, exp10--)
				any = 1;
		}
		for (first = s; s < end && (unsigned int)(*s - '0') < 10; s++)
			m = m * 10 + (uint64_t)(*s - '0');
		digits += s - first;
		exp10 -= (int)(s - first);
		any |= s > first;
	}
	if (!any || digits > 19)
		return -1;
	if (s < end && (*s == 'e' || *s == 'E')) {
		int e = 0, eneg = 0;

		if (++s < end && (*s == '-' || *s == '+'))
			eneg = *s++ == '-';
		/* at most 4 digits count: more are refused below, and
		 * must not overflow on the way */
		for (first = s; s < end && (unsigned int)(*s - '0') < 10; s++)
			if (s - first < 5)
				e = e * 10 + (*s - '0');
		if (s == first || s - first > 4)
			return -1;
		exp10 += eneg ? -e : e;
	}
	if (s != end || m > (1ULL << 53) || exp10 < -22 || exp10 > 22)
		return -1;
	*v = exp10 < 0 ? (double)m / exact_pow10[-exp10] :
			 (double)m * exact_pow10[exp10];
	if (neg)
		*v = -*v;
	return 0;
}

/* The number in @s (@len bytes, not terminated): 0, or -1. */
static int parse_double(const char *s, size_t len, double *v)
{
	char buf[512], *end;

	if (!fast_double(s, len, v))
		return 0;
	memcpy(buf, s, len);	/* len < 512: the line is */
	buf[len] = '\0';
	if (!strcmp(buf, "nan") || !strcmp(buf, "NaN") || !strcmp(buf, "-")) {
		*v = NAN;
		return 0;
	}
	errno = 0;
	*v = strtod(buf, &end);
	if (end == buf || *end || errno == ERANGE || !isfinite(*v))
		return -1;
	return 0;
}

/* A decimal time_ns of at most 18 digits; else strtoll() decides. */
static int parse_time(const char *s, size_t len, long long *t)
{
	const char *p = s, *end = s + len;
	char buf[512], *e;
	long long v = 0;
	int neg = len && *p == '-';

	p += neg;
	if (p < end && end - p <= 18) {
		while (p < end && (unsigned int)(*p - '0') < 10)
			v = v * 10 + (*p++ - '0');
		if (p == end && p > s + neg) {
			*t = neg ? -v : v;
			return 0;
		}
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*t = strtoll(buf, &e, 10);
	return e == buf || *e || errno ? -1 : 0;
}

/* A text column into @dst of @size bytes: 0, or -1 when it is empty, too
 * long, or holds a line break. */
static int take_field(char *dst, size_t size, const char *src, size_t len)
{
	size_t i;

	if (!len || len >= size)
		return -1;
	/* short fields: a loop beats two memchr() calls and a memcpy() */
	for (i = 0; i < len; i++) {
		if (src[i] == '\n' || src[i] == '\r')
			return -1;
		dst[i] = src[i];
	}
	dst[len] = '\0';
	return 0;
}

/*
 * Splits @line at tabs where it is, one pass. Columns after the seventh
 * are allowed and ignored, so a later format can add columns without
 * breaking readers; status and uncertainty may be missing (then "ok" and
 * NAN).
 */
int cs_record_parse(const char *line, struct cs_record *rec,
		    unsigned int *column, const char **why)
{
	return cs_record_parse_len(line, strlen(line), rec, column, why);
}

static int nul_byte(unsigned int *column, const char **why)
{
	*column = 1;
	*why = "NUL byte in line";
	return -EBADMSG;
}

int cs_record_parse_len(const char *line, size_t len, struct cs_record *rec,
			unsigned int *column, const char **why)
{
	const char *col[NCOLUMNS] = { 0 }, *p, *end;
	size_t clen[NCOLUMNS] = { 0 };
	unsigned int n = 0;
	uint64_t nul = 0;
	long long t;

	*column = 1;
	end = line + len;
	if ((len && line[0] == '#') ||
	    (len >= 8 && !memcmp(line, "time_ns\t", 8))) {
		if (memchr(line, '\0', len))
			return nul_byte(column, why);
		return -ENOMSG;
	}
	if (len >= 512) {
		if (memchr(line, '\0', len))
			return nul_byte(column, why);
		*why = "line too long";
		return -EBADMSG;
	}
	/* the columns are short: tabs found eight bytes at a time beat a
	 * memchr() call a column, and a byte loop; NUL bytes on the way
	 * (the caller's strlen() was a tenth of the time) */
	col[0] = line;
	p = line;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	for (; p + 8 <= end && n < NCOLUMNS; p += 8) {
		const uint64_t lo7 = 0x7f7f7f7f7f7f7f7full;
		uint64_t w, x, tabs;

		memcpy(&w, p, 8);
		nul |= ~(((w & lo7) + lo7) | w | lo7);	/* 0x80 each */
		x = w ^ 0x0909090909090909ull;	/* tab bytes: 0 */
		tabs = ~(((x & lo7) + lo7) | x | lo7);	/* 0x80 each */
		while (tabs && n < NCOLUMNS) {
			const char *tab = p + __builtin_ctzll(tabs) / 8;

			tabs &= tabs - 1;
			clen[n] = (size_t)(tab - col[n]);
			if (++n < NCOLUMNS)
				col[n] = tab + 1;
		}
	}
#endif
	for (; p < end && n < NCOLUMNS; p++) {
		nul |= *p == '\0';
		if (*p != '\t')
			continue;
		clen[n] = (size_t)(p - col[n]);
		if (++n < NCOLUMNS)
			col[n] = p + 1;
	}
	if (nul || (p < end && memchr(p, '\0', (size_t)(end - p))))
		return nul_byte(column, why);
	if (n < NCOLUMNS) {
		clen[n] = (size_t)(end - col[n]);
		n++;
	}
	if (n < 5) {
		*column = n;
		*why = "fewer than 5 tab-separated columns";
		return -EBADMSG;
	}
	if (parse_time(col[0], clen[0], &t)) {
		*why = "time_ns is not an integer";
		return -EBADMSG;
	}
	rec->time_ns = t;
	*column = 2;
	if (take_field(rec->source, sizeof(rec->source), col[1], clen[1])) {
		*why = "source empty or too long";
		return -EBADMSG;
	}
	*column = 3;
	if (take_field(rec->quantity, sizeof(rec->quantity), col[2],
		       clen[2])) {
		*why = "quantity empty or too long";
		return -EBADMSG;
	}
	*column = 4;
	if (parse_double(col[3], clen[3], &rec->value)) {
		*why = "value is not a number";
		return -EBADMSG;
	}
	*column = 5;
	if (take_field(rec->unit, sizeof(rec->unit), col[4], clen[4])) {
		*why = "unit empty or too long";
		return -EBADMSG;
	}
	*column = 6;
	if (n < 6 || !clen[5])
		strcpy(rec->status, "ok");
	else if (take_field(rec->status, sizeof(rec->status), col[5],
			    clen[5])) {
		*why = "status too long";
		return -EBADMSG;
	}
	*column = 7;
	if (n < 7 || !clen[6])
		rec->uncertainty = NAN;
	else if (parse_double(col[6], clen[6], &rec->uncertainty)) {
		*why = "uncertainty is not a number";
		return -EBADMSG;
	}
	return 0;
}

struct cs_record_reader {
	FILE *in;
	char *line;
	size_t cap;
	unsigned long lineno;
	unsigned long skipped;
	unsigned int err_column;
	const char *err_why;
};

struct cs_record_reader *cs_record_reader_create(FILE *in)
{
	struct cs_record_reader *r;

	if (!in) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->in = in;
	return r;
}

void cs_record_reader_destroy(struct cs_record_reader *r)
{
	if (!r)
		return;
	free(r->line);
	free(r);
}

#define RECORD_READ_MAX 65536

int cs_record_reader_next(struct cs_record_reader *r, struct cs_record *rec)
{
	ssize_t len;
	int ret;

	for (;;) {
		/* a line past RECORD_READ_MAX is no record (nor comment):
		 * an error, not a buffer that grows until memory runs out */
		len = cs_line_read(r->in, &r->line, &r->cap, RECORD_READ_MAX);
		if (len == -EFBIG) {
			r->lineno++;
			r->err_column = RECORD_READ_MAX;
			r->err_why = "line too long: not records";
			return -EFBIG;
		}
		if (len <= 0)
			return (int)len;
		r->lineno++;
		while (len > 0 && (r->line[len - 1] == '\n' ||
				   r->line[len - 1] == '\r'))
			r->line[--len] = '\0';
		if (len == 0)
			continue;
		if (strlen(r->line) != (size_t)len) {
			r->err_column = 1;
			r->err_why = "NUL byte in line";
			r->skipped++;
			return -EBADMSG;
		}
		ret = cs_record_parse(r->line, rec, &r->err_column,
				      &r->err_why);
		if (ret == -ENOMSG)
			continue;
		if (ret == -EBADMSG)
			r->skipped++;
		return ret ? ret : 1;
	}
}

unsigned long cs_record_reader_line(const struct cs_record_reader *r)
{
	return r->lineno;
}

const char *cs_record_reader_error(const struct cs_record_reader *r,
				   unsigned int *column)
{
	if (column)
		*column = r->err_column;
	return r->err_why ? r->err_why : "no error";
}

unsigned long cs_record_reader_skipped(const struct cs_record_reader *r)
{
	return r->skipped;
}
