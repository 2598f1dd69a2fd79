// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A reflection's width from the data, whatever its shape: the distance
 * between the half-maximum crossings of its highest point in a window,
 * above a baseline read a few widths out. The baseline's distance depends
 * on the width, so the two are found together, starting narrow and
 * widening (each round reads the baseline further out, where the flanks
 * of a wider peak no longer lift it). Only a start: it sizes the fit
 * windows and the finder's reach; the fit says where the centre is.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "cellsense.h"

/* Mean of y over [i - k, i + k], clipped to the spectrum. */
static double box(const double *y, long n, long i, long k)
{
	long a = i - k < 0 ? 0 : i - k, b = i + k >= n ? n - 1 : i + k;
	double s = 0.0;

	for (long j = a; j <= b; j++)
		s += y[j];
	return s / (double)(b - a + 1);
}

/* Median of y over [a, b] (clipped; at most 64 samples, evenly taken). */
static double median_of(const double *y, long n, long a, long b)
{
	double v[64];
	long step, m = 0;

	a = a < 0 ? 0 : a;
	b = b >= n ? n - 1 : b;
	if (b < a)
		return NAN;
	step = (b - a) / 64 + 1;
	for (long j = a; j <= b && m < 64; j += step)
		v[m++] = y[j];
	for (long i = 1; i < m; i++)	/* insertion sort: m <= 64 */
		for (long j = i; j > 0 && v[j] < v[j - 1]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
}

/* Where, walking from @i by @dir, box-smoothed y first falls to @level
 * (interpolated), at most @reach pixels away; NAN if it does not. */
static double crossing(const double *y, long n, long i, int dir, long k,
		       double level, long reach)
{
	double prev = box(y, n, i, k);

	for (long d = 1; d <= reach; d++) {
		long j = i + dir * d;
		double v;

		if (j < 0 || j >= n)
			return NAN;
		v = box(y, n, j, k);
		if (v <= level)
			return (double)(j - dir) +
			       dir * (prev - level) / (prev - v);
		prev = v;
	}
	return NAN;
}

/* The reflection's height at scale @w about its top near @im: the top,
 * box-smoothed over a sixth of @w, less the lower of the medians two to
 * three widths out on either side (a neighbour's flank lifts only one).
 * *@c gets the top's pixel, *@base the baseline; NAN off the spectrum. */
static double drop_at(const double *y, long n, long im, double w, long *c,
		      double *base)
{
	const long k = (long)(w / 12.0);
	const long in = (long)ceil(2.0 * w), out = (long)ceil(3.0 * w);
	double peak = -INFINITY;

	*c = im;
	for (long j = im - (long)(w / 4); j <= im + (long)(w / 4); j++) {
		double v;

		if (j < 0 || j >= n)
			continue;
		v = box(y, n, j, k);
		if (v > peak) {
			peak = v;
			*c = j;
		}
	}
	*base = fmin(median_of(y, n, *c - out, *c - in),
		     median_of(y, n, *c + in, *c + out));
	return peak - *base;
}

double cs_fbgpeak_width(const double *y, size_t n, size_t lo, size_t hi,
			double noise, double min_snr)
{
	const long nn = (long)n;
	double top = -INFINITY, dmax = -INFINITY, w = NAN;
	long im = -1;

	if (!y || n < 5 || lo > hi || hi >= n)
		return NAN;
	for (long i = (long)lo; i <= (long)hi; i++) {
		double v = box(y, nn, i, 1);

		if (v > top) {
			top = v;
			im = i;
		}
	}
	if (im < 0)
		return NAN;
	/*
	 * Its height, scale by scale: it grows while the baseline is read
	 * on its flanks and stops once the baseline is reached. The first
	 * scale within 80 % of the most is where the baseline is: a
	 * narrower one reads the baseline on the flanks, and in noise a
	 * wide peak's top can look like a narrow one.
	 */
	{
		double d[12], sc[12];
		int ns = 0;

		for (double s = 3.0; s <= 4.0 * CS_FBGPEAK_FWHM_MAX && ns < 12;
		     s *= 2.0) {
			long c;
			double b;

			sc[ns] = s;
			d[ns] = drop_at(y, nn, im, s, &c, &b);
			if (d[ns] > dmax)
				dmax = d[ns];
			ns++;
		}
		if (!(dmax > min_snr * noise))
			return NAN;
		for (int i = 0; i < ns && isnan(w); i++)
			if (d[i] >= 0.8 * dmax)
				w = sc[i];
	}
	/* then the crossings, the baseline read again at the width they
	 * give, until the two agree */
	for (int round = 0; round < 8; round++) {
		const long k = (long)(w / 12.0);
		long c;
		double base, drop = drop_at(y, nn, im, w, &c, &base);
		double l, r, wn, level = base + 0.5 * drop;

		if (!(drop > min_snr * noise))
			return NAN;
		l = crossing(y, nn, c, -1, k, level, (long)ceil(6.0 * w));
		r = crossing(y, nn, c, 1, k, level, (long)ceil(6.0 * w));
		if (isnan(l) || isnan(r))
			return NAN;
		wn = fmax(r - l, 1.0);
		if (fabs(wn - w) < 0.05 * w + 0.25)
			return wn;
		/* at most doubling or halving a round */
		w = fmax(0.5 * w, fmin(wn, 2.0 * w));
	}
	return w;
}
