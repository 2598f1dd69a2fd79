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

static int copy_field(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	if (len == 0 || len >= size)
		return -EINVAL;
	/* A tab or newline would break the line format. */
	if (strpbrk(src, "\t\r\n"))
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

static const double pow10_tab[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
};

static const uint64_t pow10_u64[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL,
};

/* "00" "01" ... "99": digits two at a time halve the divisions */
static const char digits2[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233"
	"34353637383940414243444546474849505152535455565758596061626364656667"
	"6869707172737475767778798081828384858687888990919293949596979899";

/* Exactly 8 digits of @v < 10^8: two halves, then four pairs, each level
 * independent of its neighbours (no chain of divisions by 100). */
static inline void put8(char *p, uint32_t v)
{
	uint32_t hi = v / 10000, lo = v % 10000;

	memcpy(p, digits2 + 2 * (hi / 100), 2);
	memcpy(p + 2, digits2 + 2 * (hi % 100), 2);
	memcpy(p + 4, digits2 + 2 * (lo / 100), 2);
	memcpy(p + 6, digits2 + 2 * (lo % 100), 2);
}

/* The @len (1..20) lowest digits of @v, zeros in front, at p[0..len):
 * eight at a time from the last, the head by pairs in 32 bits. */
static void put_digits(char *p, uint64_t v, int len)
{
	uint32_t w;

	while (len > 8) {
		len -= 8;
		put8(p + len, (uint32_t)(v % 100000000));
		v /= 100000000;
	}
	w = (uint32_t)v;
	while (len >= 2) {
		len -= 2;
		memcpy(p + len, digits2 + 2 * (w % 100), 2);
		w /= 100;
	}
	if (len)
		p[0] = (char)('0' + w % 10);
}

/* Digits in @v (1..20). */
static int count_digits(uint64_t v)
{
	int len = 1;

	/* time stamps in ns have 10 to 19 digits: count eight at a time */
	while (len + 8 < 20 && v >= pow10_u64[len + 8])
		len += 8;
	while (len < 20 && v >= pow10_u64[len])
		len++;
	return len;
}

static char *put_uint(char *p, uint64_t v)
{
	int len = count_digits(v);

	put_digits(p, v, len);
	return p + len;
}

/*
 * @v with @sig significant digits, trailing zeros dropped, like "%.*g" but
 * without going through printf on the hot path (fbgtrack writes millions of
 * these); "nan" for no value. Writes at most 32 bytes, returns the end.
 * The digits of the rounded value are written once, then split at the
 * point.
 */
static char *put_double(char *p, double v, int sig)
{
	double a = fabs(v);
	int e = 0, dec, len, ilen;
	uint64_t scaled;
	char dig[24];

	if (isnan(v)) {
		memcpy(p, "nan", 3);
		return p + 3;
	}
	if (a == 0.0) {
		*p++ = '0';
		return p;
	}
	if (!(a >= 1e-4 && a < 1e15) || sig > 17) {
		int n = snprintf(p, 32, "%.*g", sig, v);

		return p + (n > 0 && n < 32 ? n : 0);
	}
	while (e < 15 && a >= pow10_tab[e + 1])
		e++;
	if (a < 1.0)
		e = -1 - (a < 0.1) - (a < 0.01) - (a < 0.001);
	dec = sig - 1 - e;
	if (dec < 0)
		dec = 0;
	if (dec > 18)
		dec = 18;
	/* below 10^18: the signed conversion, one instruction */
	scaled = (uint64_t)(int64_t)(a * pow10_tab[dec] + 0.5);
	/* e + 1 + dec digits, one more where rounding carried (9.99.. to 10) */
	len = e + 1 + dec > 1 ? e + 1 + dec : 1;
	len += len < 20 && scaled >= pow10_u64[len];
	put_digits(dig, scaled, len);
	if (v < 0.0)
		*p++ = '-';
	ilen = len - dec;	/* digits before the point */
	if (ilen > 0) {
		for (int i = 0; i < ilen; i++)
			*p++ = dig[i];
	} else {
		*p++ = '0';
	}
	/* the fraction without its trailing zeros, if anything is left */
	while (len > 0 && len > ilen && dig[len - 1] == '0') {
		len--;
		dec--;
	}
	if (dec > 0) {
		*p++ = '.';
		for (int i = ilen; i < 0; i++)
			*p++ = '0';
		for (int i = ilen > 0 ? ilen : 0; i < len; i++)
			*p++ = dig[i];
	}
	return p;
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
 * numbers of 32 characters, six tabs, the newline and the NUL */
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
	if (rec->time_ns < 0) {
		*p++ = '-';
		p = put_uint(p, (uint64_t)0 - (uint64_t)rec->time_ns);
	} else {
		p = put_uint(p, (uint64_t)rec->time_ns);
	}
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

static int parse_double(const char *s, double *v)
{
	char *end;

	if (!strcmp(s, "nan") || !strcmp(s, "NaN") || !strcmp(s, "-")) {
		*v = NAN;
		return 0;
	}
	errno = 0;
	*v = strtod(s, &end);
	if (end == s || *end || errno == ERANGE || !isfinite(*v))
		return -1;
	return 0;
}

/*
 * Splits @line at tabs in place. Columns after the seventh are allowed and
 * ignored, so a later format can add columns without breaking readers;
 * status and uncertainty may be missing (then "ok" and NAN).
 */
int cs_record_parse(const char *line, struct cs_record *rec,
		    unsigned int *column, const char **why)
{
	char buf[512];
	char *col[NCOLUMNS] = { 0 };
	char *p, *end;
	unsigned int n = 0;
	size_t len;
	long long t;

	*column = 1;
	if (line[0] == '#' || !strncmp(line, "time_ns\t", 8))
		return -ENOMSG;
	len = strlen(line);
	if (len >= sizeof(buf)) {
		*why = "line too long";
		return -EBADMSG;
	}
	memcpy(buf, line, len + 1);
	for (p = buf; n < NCOLUMNS; n++) {
		col[n] = p;
		p = strchr(p, '\t');
		if (!p) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	if (n < 5) {
		*column = n;
		*why = "fewer than 5 tab-separated columns";
		return -EBADMSG;
	}
	errno = 0;
	t = strtoll(col[0], &end, 10);
	if (end == col[0] || *end || errno) {
		*why = "time_ns is not an integer";
		return -EBADMSG;
	}
	rec->time_ns = t;
	*column = 2;
	if (copy_field(rec->source, sizeof(rec->source), col[1])) {
		*why = "source empty or too long";
		return -EBADMSG;
	}
	*column = 3;
	if (copy_field(rec->quantity, sizeof(rec->quantity), col[2])) {
		*why = "quantity empty or too long";
		return -EBADMSG;
	}
	*column = 4;
	if (parse_double(col[3], &rec->value)) {
		*why = "value is not a number";
		return -EBADMSG;
	}
	*column = 5;
	if (copy_field(rec->unit, sizeof(rec->unit), col[4])) {
		*why = "unit empty or too long";
		return -EBADMSG;
	}
	*column = 6;
	if (n < 6 || !col[5][0])
		strcpy(rec->status, "ok");
	else if (copy_field(rec->status, sizeof(rec->status), col[5])) {
		*why = "status too long";
		return -EBADMSG;
	}
	*column = 7;
	if (n < 7 || !col[6][0])
		rec->uncertainty = NAN;
	else if (parse_double(col[6], &rec->uncertainty)) {
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

int cs_record_reader_next(struct cs_record_reader *r, struct cs_record *rec)
{
	ssize_t len;
	int ret;

	for (;;) {
		errno = 0;
		len = getline(&r->line, &r->cap, r->in);
		if (len < 0)
			return errno && errno != EAGAIN ? -errno :
			       (ferror(r->in) ? -EIO : 0);
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
