// SPDX-License-Identifier: GPL-2.0-or-later
/* Records: write, parse back, and refuse what is not a record. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cellsense.h"

static void round_trip(void **state)
{
	struct cs_record in, out;
	char buf[512];
	FILE *f;
	unsigned int col;
	const char *why;

	(void)state;
	assert_int_equal(cs_record_set(&in, 1234567890123LL, "fbg0/g3",
				       "wavelength", 1545.123456789, "nm",
				       "ok", 0.00021), 0);
	f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	assert_int_equal(cs_record_write(f, &in), 0);
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	assert_int_equal(cs_record_parse(buf, &out, &col, &why), 0);
	assert_int_equal(out.time_ns, in.time_ns);
	assert_string_equal(out.source, "fbg0/g3");
	assert_string_equal(out.quantity, "wavelength");
	assert_true(fabs(out.value - in.value) < 1e-6);
	assert_string_equal(out.unit, "nm");
	assert_string_equal(out.status, "ok");
	assert_true(fabs(out.uncertainty - 0.00021) < 1e-12);
}

static void lost_is_nan(void **state)
{
	struct cs_record r;
	unsigned int col;
	const char *why;

	(void)state;
	assert_int_equal(cs_record_parse("5\tfbg0/g1\twavelength\tnan\tnm\tlost"
					 "\tnan", &r, &col, &why), 0);
	assert_true(isnan(r.value));
	assert_string_equal(r.status, "lost");
	/* five columns are enough; status defaults to ok */
	assert_int_equal(cs_record_parse("5\ta\tb\t1.5\tK", &r, &col, &why), 0);
	assert_string_equal(r.status, "ok");
	assert_true(isnan(r.uncertainty));
}

static void bad_lines(void **state)
{
	struct cs_record r;
	unsigned int col;
	const char *why;

	(void)state;
	assert_int_equal(cs_record_parse("# comment", &r, &col, &why), -ENOMSG);
	assert_int_equal(cs_record_parse(cs_record_header(), &r, &col, &why),
			 -ENOMSG);
	assert_int_equal(cs_record_parse("garbage", &r, &col, &why), -EBADMSG);
	assert_int_equal(cs_record_parse("x\ta\tb\t1\tnm", &r, &col, &why),
			 -EBADMSG);
	assert_int_equal(col, 1);
	assert_int_equal(cs_record_parse("1\ta\tb\t1x\tnm", &r, &col, &why),
			 -EBADMSG);
	assert_int_equal(col, 4);
	assert_int_equal(cs_record_parse("1\ta\tb\tinf\tnm", &r, &col, &why),
			 -EBADMSG);
	assert_int_equal(cs_record_parse("1\t\tb\t1\tnm", &r, &col, &why),
			 -EBADMSG);
	assert_int_equal(col, 2);
	assert_int_equal(cs_record_set(&r, 0, "a\tb", "q", 1, "u", "ok", 0),
			 -EINVAL);
}

static void reader_counts_skipped(void **state)
{
	static char text[] = "time_ns\tsource\tquantity\tvalue\tunit\n"
			     "1\ta\tq\t1\tu\n"
			     "junk line\n"
			     "\n"
			     "# note\n"
			     "2\ta\tq\t2\tu\n";
	FILE *f = fmemopen(text, strlen(text), "r");
	struct cs_record_reader *rd = cs_record_reader_create(f);
	struct cs_record r;
	unsigned int col;

	(void)state;
	assert_non_null(rd);
	assert_int_equal(cs_record_reader_next(rd, &r), 1);
	assert_int_equal(r.time_ns, 1);
	assert_int_equal(cs_record_reader_next(rd, &r), -EBADMSG);
	assert_int_equal(cs_record_reader_line(rd), 3);
	assert_non_null(cs_record_reader_error(rd, &col));
	assert_int_equal(cs_record_reader_next(rd, &r), 1);
	assert_int_equal(r.time_ns, 2);
	assert_int_equal(cs_record_reader_next(rd, &r), 0);
	assert_int_equal(cs_record_reader_skipped(rd), 1);
	cs_record_reader_destroy(rd);
	fclose(f);
	assert_null(cs_record_reader_create(NULL));
}

/* What the records hold for @v with @sig digits: printf's "%.*g", but all
 * the integer digits from 10^sig to 10^15 (where %g has an exponent), "0"
 * for either zero and "nan" for no value. */
static void printf_form(char *w, size_t size, double v, int sig)
{
	double a = fabs(v);

	if (isnan(v)) {
		snprintf(w, size, "nan");
		return;
	}
	if (a == 0.0) {
		snprintf(w, size, "0");
		return;
	}
	/* near DBL_MAX, all 17 digits (fewer would read back as none) */
	snprintf(w, size, "%.*g", a > 1e308 ? 17 : sig, v);
	if (strchr(w, 'e') && a >= 1e-4 && a < 1e15)
		snprintf(w, size, "%.0f", v);
}

/* column @n (0-based) of @line, up to its tab or newline, into @out */
static void column(char *out, size_t size, const char *line, int n)
{
	size_t len;

	while (n--)
		line = strchr(line, '\t') + 1;
	len = strcspn(line, "\t\n");
	assert_true(len < size);
	memcpy(out, line, len);
	out[len] = '\0';
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* A record's value and uncertainty columns against printf_form(). */
static void check_numbers(double v, double u)
{
	struct cs_record r;
	char line[CS_RECORD_LINE_MAX], got[64], want[64];

	assert_int_equal(cs_record_set(&r, 0, "s", "q", v, "u", "ok", u), 0);
	assert_true(cs_record_format(line, sizeof(line), &r) > 0);
	column(got, sizeof(got), line, 3);
	printf_form(want, sizeof(want), v, 10);
	if (strcmp(got, want))
		fail_msg("value %.17g: \"%s\", printf \"%s\"", v, got, want);
	column(got, sizeof(got), line, 6);
	printf_form(want, sizeof(want), u, 4);
	if (strcmp(got, want))
		fail_msg("uncertainty %.17g: \"%s\", printf \"%s\"", u, got,
			 want);
}

/* The fast formatter writes what printf writes, digit for digit, ties
 * rounded to even as printf does: over all magnitudes, random mantissas,
 * short binary fractions (exact ties at the last digit) and both signs. */
static void format_matches_printf(void **state)
{
	uint64_t x = 88172645463325252ULL;

	(void)state;
	for (int i = 0; i < 300000; i++) {
		uint64_t b = xorshift(&x);
		double r = ldexp((double)(b >> 11), -53), v;

		switch (i % 3) {
		case 0:		/* 10^-5 .. 10^16, for the edges too */
			v = pow(10.0, -5.0 + 21.0 * r);
			break;
		case 1:		/* any mantissa, 2^-16 .. 2^53 */
			b = (b & 0xfffffffffffffULL) |
			    (uint64_t)(1023 - 16 + (b >> 52) % 70) << 52;
			memcpy(&v, &b, sizeof(v));
			break;
		default:	/* few bits: exact halves */
			v = ldexp((double)(b >> 40), -(int)(b % 40));
			break;
		}
		if (b & 1)
			v = -v;
		check_numbers(v, v);
	}
}

/* Values at the edges of rounding, of the fast path and of the digits. */
static void format_edges(void **state)
{
	static const struct {
		double v;
		const char *value, *uncertainty;
	} t[] = {
		/* below the tie in binary, and above */
		{ 9.9999999995, "9.999999999", "10" },
		{ 9.99999999951, "10", "10" },
		{ 0.00099995, "0.00099995", "0.001" },
		{ 0.00099994999, "0.00099994999", "0.0009999" },
		/* 10^-4 and just below: %g's own */
		{ 0.0001, "0.0001", "0.0001" },
		{ 0.000099999999999, "0.0001", "0.0001" },
		{ 0.00001234, "1.234e-05", "1.234e-05" },
		{ 1e-300, "1e-300", "1e-300" },
		{ 1520.000228, "1520.000228", "1520" },
		{ -1520.0002285, "-1520.000229", "-1520" },
		/* exact ties go to the even digit, as in printf */
		{ 1.0625, "1.0625", "1.062" },
		{ 1234567.8125, "1234567.812", "1234568" },
		{ 1234567.6875, "1234567.688", "1234568" },
		{ 0.03125, "0.03125", "0.03125" },
		{ 2.5, "2.5", "2.5" },
		/* from 10^sig to 10^15 all integer digits, ties to even */
		{ 12345.5, "12345.5", "12346" },
		{ 12344.5, "12344.5", "12344" },
		{ 99999.5, "99999.5", "100000" },
		{ 999999999.97, "1000000000", "1000000000" },
		{ 9999999999.5, "10000000000", "10000000000" },
		{ 123456789012.5, "123456789012", "123456789012" },
		{ 999999999999999.9, "1000000000000000",
		  "1000000000000000" },
		{ 1e15, "1e+15", "1e+15" },
		/* near DBL_MAX every digit: fewer round past it, to no number */
		{ 1.7976931348623157e308, "1.7976931348623157e+308",
		  "1.7976931348623157e+308" },
		{ 0.0, "0", "0" },
		{ -0.0, "0", "0" },
		{ -7.0, "-7", "-7" },
		{ 1000.0, "1000", "1000" },
		{ 0.1, "0.1", "0.1" },
	};
	struct cs_record r;
	char line[CS_RECORD_LINE_MAX], got[64];

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		cs_record_set(&r, 0, "s", "q", t[i].v, "u", "ok", t[i].v);
		assert_true(cs_record_format(line, sizeof(line), &r) > 0);
		column(got, sizeof(got), line, 3);
		assert_string_equal(got, t[i].value);
		column(got, sizeof(got), line, 6);
		assert_string_equal(got, t[i].uncertainty);
		check_numbers(t[i].v, t[i].v);
		check_numbers(-t[i].v, -t[i].v);
	}
	check_numbers(NAN, INFINITY);
	check_numbers(-INFINITY, 5e-324);
	cs_record_set(&r, 0, "s", "q", NAN, "u", "lost", NAN);
	cs_record_format(line, sizeof(line), &r);
	assert_string_equal(line, "0\ts\tq\tnan\tu\tlost\tnan\n");
	assert_int_equal(cs_record_format(line, 20, &r), -ENOSPC);
}

/* Times of every length, and the extremes. */
static void format_times(void **state)
{
	static const int64_t t[] = { 0, 1, 9, 10, 99999999, 100000000,
				     9999999999999999LL, 10000000000000000LL,
				     1763000000123456789LL, INT64_MAX,
				     -1, -100000000, INT64_MIN };
	struct cs_record r;
	char line[CS_RECORD_LINE_MAX], got[32], want[32];
	uint64_t x = 2463534242ULL;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		int64_t v = i < (int)(sizeof(t) / sizeof(t[0])) ? t[i] :
			    (int64_t)(xorshift(&x) >> (x % 64));

		cs_record_set(&r, v, "s", "q", 1.0, "u", "ok", 1.0);
		assert_true(cs_record_format(line, sizeof(line), &r) > 0);
		column(got, sizeof(got), line, 0);
		snprintf(want, sizeof(want), "%" PRId64, v);
		assert_string_equal(got, want);
	}
}

/* A line from a stem is the line cs_record_format() makes. */
static void stem_matches_format(void **state)
{
	static const char *const status[] = { "ok", "lost", "merged",
		"saturated", "no-reference", "uncompensated",
		"fifteen-chars.." };
	char source[CS_RECORD_SOURCE_MAX], quantity[CS_RECORD_QUANTITY_MAX];
	char unit[CS_RECORD_UNIT_MAX];
	char want[CS_RECORD_LINE_MAX], got[CS_RECORD_LINE_MAX];
	struct cs_record_stem stem;
	struct cs_record_time t;
	struct cs_record r;
	uint64_t x = 1234567ULL;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		size_t ls = 1 + xorshift(&x) % (sizeof(source) - 1);
		size_t lq = 1 + xorshift(&x) % (sizeof(quantity) - 1);
		size_t lu = 1 + xorshift(&x) % (sizeof(unit) - 1);
		int64_t time = (int64_t)xorshift(&x) >> (x % 64);
		const char *st = status[x % 7];
		double v = ldexp((double)(xorshift(&x) >> 11), -53);
		double u = v * 1e-3;
		int n;

		if (i % 4 == 0) {	/* the longest of each */
			ls = sizeof(source) - 1;
			lq = sizeof(quantity) - 1;
			lu = sizeof(unit) - 1;
		}
		memset(source, 'a' + i % 26, ls);
		source[ls] = '\0';
		memset(quantity, 'q', lq);
		quantity[lq] = '\0';
		memset(unit, 'u', lu);
		unit[lu] = '\0';
		v = (x & 1 ? -1 : 1) * pow(10.0, -6.0 + 24.0 * v);
		if (i % 10 == 0)
			v = u = NAN;
		assert_int_equal(cs_record_set(&r, time, source, quantity, v,
					       unit, st, u), 0);
		n = cs_record_format(want, sizeof(want), &r);
		assert_true(n > 0);
		assert_int_equal(cs_record_stem_set(&stem, source, quantity,
						    unit), 0);
		cs_record_time_set(&t, time);
		memset(got, 'X', sizeof(got));
		assert_int_equal(cs_record_format_stem(got, &t, &stem, v, st,
						       u), n);
		assert_string_equal(got, want);
	}
}

/* The stem refuses what cs_record_set() refuses; so does the status. */
static void stem_refuses(void **state)
{
	char longer[CS_RECORD_SOURCE_MAX + 1], line[CS_RECORD_LINE_MAX];
	struct cs_record_stem stem;
	struct cs_record_time t;

	(void)state;
	memset(longer, 's', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(cs_record_stem_set(&stem, "s", "q", "u"), 0);
	assert_int_equal(cs_record_stem_set(NULL, "s", "q", "u"), -EINVAL);
	assert_int_equal(cs_record_stem_set(&stem, NULL, "q", "u"), -EINVAL);
	assert_int_equal(cs_record_stem_set(&stem, "s", NULL, "u"), -EINVAL);
	assert_int_equal(cs_record_stem_set(&stem, "s", "q", NULL), -EINVAL);
	assert_int_equal(cs_record_stem_set(&stem, "", "q", "u"), -EINVAL);
	assert_int_equal(cs_record_stem_set(&stem, "s", "", "u"), -EINVAL);
	assert_int_equal(cs_record_stem_set(&stem, "s", "q", ""), -EINVAL);
	assert_int_equal(cs_record_stem_set(&stem, "a\tb", "q", "u"), -EINVAL);
	assert_int_equal(cs_record_stem_set(&stem, "s", "a\nb", "u"), -EINVAL);
	assert_int_equal(cs_record_stem_set(&stem, "s", "q", "u\r"), -EINVAL);
	longer[CS_RECORD_SOURCE_MAX - 1] = '\0';
	assert_int_equal(cs_record_stem_set(&stem, longer, "q", "u"), 0);
	longer[CS_RECORD_SOURCE_MAX - 1] = 's';
	assert_int_equal(cs_record_stem_set(&stem, longer, "q", "u"), -EINVAL);
	longer[CS_RECORD_QUANTITY_MAX] = '\0';
	assert_int_equal(cs_record_stem_set(&stem, "s", longer, "u"), -EINVAL);
	longer[CS_RECORD_UNIT_MAX] = '\0';
	assert_int_equal(cs_record_stem_set(&stem, "s", "q", longer), -EINVAL);
	longer[CS_RECORD_UNIT_MAX - 1] = '\0';
	assert_int_equal(cs_record_stem_set(&stem, "s", "q", longer), 0);

	cs_record_time_set(&t, -5);
	assert_int_equal(cs_record_stem_set(&stem, "fbg0/a", "wavelength",
					    "nm"), 0);
	assert_int_equal(cs_record_format_stem(line, &t, &stem, 1.5, "ok",
					       0.25), 36);
	assert_string_equal(line,
			    "-5\tfbg0/a\twavelength\t1.5\tnm\tok\t0.25\n");
	assert_int_equal(cs_record_format_stem(line, &t, &stem, 1, NULL, 1),
			 -EINVAL);
	assert_int_equal(cs_record_format_stem(line, &t, &stem, 1, "", 1),
			 -EINVAL);
	assert_int_equal(cs_record_format_stem(line, &t, &stem, 1, "a\tb", 1),
			 -EINVAL);
	assert_int_equal(cs_record_format_stem(line, &t, &stem, 1, "ok\n", 1),
			 -EINVAL);
	longer[CS_RECORD_STATUS_MAX - 1] = '\0';
	assert_int_equal(cs_record_format_stem(line, &t, &stem, 1, longer, 1),
			 (int)strlen("-5\tfbg0/a\twavelength\t1\tnm\t\t1\n") +
			 CS_RECORD_STATUS_MAX - 1);
	longer[CS_RECORD_STATUS_MAX - 1] = 's';
	longer[CS_RECORD_STATUS_MAX] = '\0';
	assert_int_equal(cs_record_format_stem(line, &t, &stem, 1, longer, 1),
			 -EINVAL);
}

/* Values as tools write them, and others: the parser's fast path for
 * plain decimals gives strtod()'s double, bit for bit. */
static void values_as_strtod(void **state)
{
	static const char *const fixed[] = {
		"0", "-0", "1520.000497", "0.0006373", "25.04968507", "1e-22",
		"9007199254740993", "9007199254740992", "123456789012345678",
		"1.7976931348623157e308", "4.9e-324", "0.1", "-2.5e+3", "1.",
		".5", "00012.5000", "1e22", "1e23", "3.14159265358979323846",
		"+7", "0x10", " 5", "1e0400", "12345678901234567890",
	};
	struct cs_record r;
	unsigned int col, seed = 12345;
	const char *why;
	char line[128], num[64];

	(void)state;
	for (int i = 0; i < 20000 + (int)(sizeof(fixed) / sizeof(*fixed));
	     i++) {
		double want;
		char *end;
		int ret;

		if (i < (int)(sizeof(fixed) / sizeof(*fixed))) {
			snprintf(num, sizeof(num), "%s", fixed[i]);
		} else {
			/* digits, a point somewhere, an exponent at times */
			int nd = 1 + (int)((seed = seed * 1103515245 + 12345) >>
					  16) % 20, k = 0, dot;

			dot = (int)((seed = seed * 1103515245 + 12345) >> 16) %
			      (nd + 1);
			if (seed & 0x100)
				num[k++] = '-';
			for (int d = 0; d < nd; d++) {
				if (d == dot)
					num[k++] = '.';
				seed = seed * 1103515245 + 12345;
				num[k++] = (char)('0' + (seed >> 16) % 10);
			}
			if (seed & 0x200)
				k += snprintf(num + k, sizeof(num) - (size_t)k,
					      "e%d", (int)((seed >> 20) % 61) - 30);
			num[k] = '\0';
		}
		errno = 0;
		want = strtod(num, &end);
		snprintf(line, sizeof(line), "1\ts\tq\t%s\tV\tok\t%s", num,
			 num);
		ret = cs_record_parse(line, &r, &col, &why);
		if (end == num || *end || errno == ERANGE || !isfinite(want)) {
			assert_int_equal(ret, -EBADMSG);
			continue;
		}
		if (ret || memcmp(&r.value, &want, sizeof(want)) ||
		    memcmp(&r.uncertainty, &want, sizeof(want)))
			fail_msg("'%s': %.17g, strtod %.17g", num, r.value,
				 want);
	}
}

/* cs_record_parse_len(): the bytes given and no more (a buffer of exactly
 * the line, no NUL after it, so the sanitizer build sees an over-read),
 * the same as cs_record_parse() on them, and a NUL byte anywhere refused
 * first, at column 1. */
static void parse_len_bounds_and_nul(void **state)
{
	static const char *const lines[] = {
		"1\tfbg0/g0\twavelength\t1550.1\tnm\tok\t0.001",
		"1\tfbg0/g0\twavelength\t1550.1\tnm",
		"1\tfbg0/g0\twavelength\t1550.1\tnm\tok\t0.001\textra\tmore",
		"12\ts\tq\t1e3\tV",
		"x\ts\tq\t1\tV",
		"1\ts\tq",
		"# a comment",
		"time_ns\tsource",
		"",
	};
	struct cs_record a, b;
	unsigned int ca, cb;
	const char *wa, *wb;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		size_t len = strlen(lines[i]);
		char *exact = malloc(len ? len : 1);
		int ra, rb;

		assert_non_null(exact);
		memcpy(exact, lines[i], len);
		wa = wb = NULL;
		ra = cs_record_parse(lines[i], &a, &ca, &wa);
		rb = cs_record_parse_len(exact, len, &b, &cb, &wb);
		assert_int_equal(ra, rb);
		assert_int_equal(ca, cb);
		if (ra == -EBADMSG)
			assert_string_equal(wa, wb);
		if (!ra) {
			assert_int_equal(a.time_ns, b.time_ns);
			assert_string_equal(a.source, b.source);
			assert_string_equal(a.unit, b.unit);
			assert_true(a.value == b.value);
		}
		/* a NUL at every place, comments and long lines too */
		for (k = 0; k < len; k++) {
			char c = exact[k];

			exact[k] = '\0';
			wb = NULL;
			assert_int_equal(cs_record_parse_len(exact, len, &b,
							     &cb, &wb),
					 -EBADMSG);
			assert_int_equal(cb, 1);
			assert_string_equal(wb, "NUL byte in line");
			exact[k] = c;
		}
		free(exact);
	}
	/* a line too long, with a NUL: the NUL is what is said */
	{
		char longl[600];

		memset(longl, 'a', sizeof(longl));
		assert_int_equal(cs_record_parse_len(longl, sizeof(longl), &b,
						     &cb, &wb), -EBADMSG);
		assert_string_equal(wb, "line too long");
		longl[599] = '\0';
		assert_int_equal(cs_record_parse_len(longl, sizeof(longl), &b,
						     &cb, &wb), -EBADMSG);
		assert_string_equal(wb, "NUL byte in line");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(lost_is_nan),
		cmocka_unit_test(bad_lines),
		cmocka_unit_test(reader_counts_skipped),
		cmocka_unit_test(format_matches_printf),
		cmocka_unit_test(format_edges),
		cmocka_unit_test(format_times),
		cmocka_unit_test(stem_matches_format),
		cmocka_unit_test(stem_refuses),
		cmocka_unit_test(values_as_strtod),
		cmocka_unit_test(parse_len_bounds_and_nul),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
