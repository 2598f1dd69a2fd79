// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Record lines, the text every cellsense tool writes: fbgtrack's kind of
 * record (a wavelength of 10 significant digits, a 4-digit uncertainty,
 * eight sources sharing a time stamp) formatted by cs_record_format() and
 * by the prepared-line path fbgtrack takes (cs_record_time_set() once an
 * instant, cs_record_format_stem() a line), against the same lines made by
 * snprintf() in the same process. Each time is the best of 5 passes; the
 * lines are checked to be the same bytes, so the benchmark measures work
 * that was done.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cellsense.h"

#define NSRC 8
#define NLINES 400000	/* 50 000 instants of 8 sources */
/* what cs_record_format() writes, by printf */
#define LINE_FMT "%lld\t%s\twavelength\t%.10g\tnm\tok\t%.4g\n"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* the values of line i: a slowly moving wavelength and its uncertainty */
static double value_of(long i)
{
	return 1520.0 + 10.0 * (double)(i % NSRC) + 1e-6 * (double)(i % 99991);
}

static double uncertainty_of(long i)
{
	return 2.5e-4 + 1e-8 * (double)(i % 9973);
}

static int64_t time_of(long i)
{
	return 1700000000000000000LL + (int64_t)(i / NSRC) * 1000000;
}

static const char *const sources[NSRC] = {
	"fbg0/a", "fbg0/b", "fbg0/c", "fbg0/d",
	"fbg0/e", "fbg0/f", "fbg0/g", "fbg0/h",
};

int main(void)
{
	static char buf[CS_RECORD_LINE_MAX];
	struct cs_record_stem stem[NSRC];
	struct cs_record rec;
	struct cs_record_time t;
	double best[3] = { 1e9, 1e9, 1e9 };
	unsigned long sum[3] = { 0, 0, 0 };

	for (int s = 0; s < NSRC; s++)
		if (cs_record_stem_set(&stem[s], sources[s], "wavelength",
				       "nm"))
			return 1;
	if (cs_record_set(&rec, 0, sources[0], "wavelength", 0.0, "nm", "ok",
			  0.0))
		return 1;
	for (int pass = 0; pass < 5; pass++) {
		double t0 = now(), t1, t2, t3;

		sum[0] = sum[1] = sum[2] = 0;
		for (long i = 0; i < NLINES; i++) {
			int n = snprintf(buf, sizeof(buf), LINE_FMT,
					 (long long)time_of(i),
					 sources[i % NSRC], value_of(i),
					 uncertainty_of(i));

			sum[0] += (unsigned long)n + (unsigned char)buf[n - 2];
		}
		t1 = now();
		for (long i = 0; i < NLINES; i++) {
			int n;

			memcpy(rec.source, sources[i % NSRC], 7);
			rec.time_ns = time_of(i);
			rec.value = value_of(i);
			rec.uncertainty = uncertainty_of(i);
			n = cs_record_format(buf, sizeof(buf), &rec);
			sum[1] += (unsigned long)n + (unsigned char)buf[n - 2];
		}
		t2 = now();
		for (long i = 0; i < NLINES; i++) {
			int n;

			if (i % NSRC == 0)
				cs_record_time_set(&t, time_of(i));
			n = cs_record_format_stem(buf, &t, &stem[i % NSRC],
						  value_of(i), "ok",
						  uncertainty_of(i));
			sum[2] += (unsigned long)n + (unsigned char)buf[n - 2];
		}
		t3 = now();
		if (t1 - t0 < best[0])
			best[0] = t1 - t0;
		if (t2 - t1 < best[1])
			best[1] = t2 - t1;
		if (t3 - t2 < best[2])
			best[2] = t3 - t2;
	}
	/* the same lines three ways, or the figures mean nothing; and one
	 * line compared whole */
	snprintf(buf, sizeof(buf), LINE_FMT,
		 (long long)time_of(12345), sources[12345 % NSRC],
		 value_of(12345), uncertainty_of(12345));
	{
		char line[CS_RECORD_LINE_MAX];

		cs_record_time_set(&t, time_of(12345));
		cs_record_format_stem(line, &t, &stem[12345 % NSRC],
				      value_of(12345), "ok",
				      uncertainty_of(12345));
		if (sum[0] != sum[1] || sum[0] != sum[2] || strcmp(buf, line)) {
			fprintf(stderr, "bench-record: the three ways differ "
				"(%lu %lu %lu; \"%s\" \"%s\")\n", sum[0],
				sum[1], sum[2], buf, line);
			return 1;
		}
	}
	printf("snprintf: %.1f ns a record line\n", best[0] / NLINES * 1e9);
	printf("cs_record_format: %.1f ns a record line\n",
	       best[1] / NLINES * 1e9);
	printf("cs_record_format_stem (a time for %d): %.1f ns a record line\n",
	       NSRC, best[2] / NLINES * 1e9);
	printf("ratio snprintf/cs_record_format: %.2f\n", best[0] / best[1]);
	printf("ratio snprintf/cs_record_format_stem: %.2f\n",
	       best[0] / best[2]);
	return 0;
}
