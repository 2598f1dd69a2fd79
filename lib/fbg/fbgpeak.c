// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Bragg peak location: pick the most prominent local maximum in a window,
 * then a Levenberg-Marquardt least-squares fit of a Gaussian on a linear
 * baseline around it. A full model fit has no pixel locking (unlike the
 * three-point rules) and handles a sloped source; saturated pixels are left
 * out of the fit and the peak is flagged.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"
#include "cs-linalg.h"

#define NPAR 5		/* b0, b1, amplitude, centre, sigma */
#define MAX_FIT 1024	/* pixels in one fit window */
#define FWHM_PER_SIGMA 2.3548200450309493
/* MAX_FIT holds the window of the widest reflection, 2 (1.5 FWHM + 2) + 1
 * pixels at CS_FBGPEAK_FWHM_MAX */

struct cs_fbgpeak_finder {
	struct cs_fbgpeak_config cfg;
};

struct cs_fbgpeak_finder *
cs_fbgpeak_finder_create(const struct cs_fbgpeak_config *cfg)
{
	struct cs_fbgpeak_finder *q;

	if (!cfg || !(cfg->min_snr > 0.0) || !(cfg->fwhm_guess >= 1.0) ||
	    !(cfg->fwhm_guess <= CS_FBGPEAK_FWHM_MAX) ||
	    !(cfg->saturation > 0.0)) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->cfg = *cfg;
	return q;
}

int cs_fbgpeak_finder_set_fwhm(struct cs_fbgpeak_finder *q, double fwhm)
{
	if (!q || !(fwhm >= 1.0 && fwhm <= CS_FBGPEAK_FWHM_MAX))
		return -EINVAL;
	q->cfg.fwhm_guess = fwhm;
	return 0;
}

void cs_fbgpeak_finder_destroy(struct cs_fbgpeak_finder *q)
{
	free(q);
}

/* k-th smallest of d[0..n-1] (Hoare's selection; reorders d). */
static double select_kth(double *d, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		double pivot = d[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;

		while (i <= j) {
			while (d[i] < pivot)
				i++;
			while (d[j] > pivot)
				j--;
			if (i <= j) {
				double t = d[i];

				d[i] = d[j];
				d[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return d[k];
}

/* Second differences of white noise have variance 6 sigma^2; their median
 * absolute value ignores the few pixels where peaks curve the spectrum. */
double cs_spectrum_noise(const double *y, size_t n)
{
	double *d, med;
	size_t m;

	if (n < 3)
		return NAN;
	m = n - 2;
	d = malloc(m * sizeof(*d));
	if (!d)
		return NAN;
	for (size_t i = 0; i < m; i++)
		d[i] = fabs(y[i] - 2.0 * y[i + 1] + y[i + 2]);
	med = select_kth(d, m, m / 2);
	free(d);
	return med / (0.6744897501960817 * sqrt(6.0));
}

struct fit_data {
	double x[MAX_FIT];
	double y[MAX_FIT];
	size_t n;
	double x0;	/* baseline slope is about this point */
};

static void model(const struct fit_data *d, size_t i, const double p[NPAR],
		  double *f, double jac[NPAR])
{
	double u = d->x[i] - p[3];
	double g = exp(-0.5 * u * u / (p[4] * p[4]));

	*f = p[0] + p[1] * (d->x[i] - d->x0) + p[2] * g;
	jac[0] = 1.0;
	jac[1] = d->x[i] - d->x0;
	jac[2] = g;
	jac[3] = p[2] * g * u / (p[4] * p[4]);
	jac[4] = p[2] * g * u * u / (p[4] * p[4] * p[4]);
}

static double normal_equations(const struct fit_data *d, const double p[NPAR],
			       double jtj[NPAR][NPAR], double jtr[NPAR])
{
	double chi2 = 0.0;

	memset(jtj, 0, sizeof(double) * NPAR * NPAR);
	memset(jtr, 0, sizeof(double) * NPAR);
	for (size_t i = 0; i < d->n; i++) {
		double f, j[NPAR], r;

		model(d, i, p, &f, j);
		r = d->y[i] - f;
		chi2 += r * r;
		for (int a = 0; a < NPAR; a++) {
			jtr[a] += j[a] * r;
			for (int b = 0; b <= a; b++)
				jtj[a][b] += j[a] * j[b];
		}
	}
	for (int a = 0; a < NPAR; a++)
		for (int b = a + 1; b < NPAR; b++)
			jtj[a][b] = jtj[b][a];
	return chi2;
}

static double chi_square(const struct fit_data *d, const double p[NPAR])
{
	double chi2 = 0.0, j[NPAR], f;

	for (size_t i = 0; i < d->n; i++) {
		model(d, i, p, &f, j);
		chi2 += (d->y[i] - f) * (d->y[i] - f);
	}
	return chi2;
}

/* Levenberg-Marquardt; on return var[] holds the diagonal of the parameter
 * covariance scaled by the residual variance. */
static int fit_gaussian(const struct fit_data *d, double p[NPAR],
			double var[NPAR])
{
	double lambda = 1e-3, chi2;
	double jtj[NPAR][NPAR], jtr[NPAR];

	chi2 = normal_equations(d, p, jtj, jtr);
	for (int it = 0; it < 100; it++) {
		double a[NPAR][NPAR], step[NPAR], trial[NPAR], c2;
		double rel = 0.0;

		memcpy(a, jtj, sizeof(a));
		for (int k = 0; k < NPAR; k++)
			a[k][k] *= 1.0 + lambda;
		if (cs_solve_spd(NPAR, &a[0][0], jtr, step, NULL))
			return -1;
		for (int k = 0; k < NPAR; k++)
			trial[k] = p[k] + step[k];
		if (!(trial[4] > 0.1))
			trial[4] = 0.1;
		c2 = chi_square(d, trial);
		if (c2 < chi2) {
			rel = (chi2 - c2) / (chi2 + 1e-300);
			memcpy(p, trial, sizeof(trial));
			chi2 = normal_equations(d, p, jtj, jtr);
			lambda = fmax(lambda * 0.2, 1e-9);
			if (rel < 1e-10 && fabs(step[3]) < 1e-7)
				break;
		} else {
			lambda *= 10.0;
			if (lambda > 1e10)
				break;
		}
	}
	/* Covariance: s^2 (J^T J)^-1, its diagonal. */
	{
		double s2 = d->n > NPAR ? chi2 / (double)(d->n - NPAR) : NAN;
		double x[NPAR], inv[NPAR];

		if (cs_solve_spd(NPAR, &jtj[0][0], jtr, x, inv))
			return -1;
		for (int k = 0; k < NPAR; k++)
			var[k] = s2 * inv[k];
	}
	return 0;
}

/* The local maximum in [lo, hi] standing highest above the lower of the two
 * minima within a few widths on either side. */
static size_t most_prominent(const double *y, size_t n, size_t lo, size_t hi,
			     size_t reach, double *prominence)
{
	size_t best = SIZE_MAX;

	*prominence = -INFINITY;
	for (size_t i = lo > 0 ? lo : 1; i <= hi && i + 1 < n; i++) {
		double lmin = y[i], rmin = y[i], prom;

		if (!(y[i] >= y[i - 1] && y[i] > y[i + 1]))
			continue;
		for (size_t k = i >= reach ? i - reach : 0; k < i; k++)
			lmin = fmin(lmin, y[k]);
		for (size_t k = i + 1; k <= i + reach && k < n; k++)
			rmin = fmin(rmin, y[k]);
		prom = y[i] - fmax(lmin, rmin);
		if (prom > *prominence) {
			*prominence = prom;
			best = i;
		}
	}
	return best;
}

int cs_fbgpeak_finder_execute(struct cs_fbgpeak_finder *q, const double *y,
			      size_t n, size_t lo, size_t hi, double noise,
			      struct cs_fbgpeak *peak)
{
	const struct cs_fbgpeak_config *cfg;
	struct fit_data d;
	double p[NPAR], var[NPAR], prom, sigma0;
	size_t reach, half, imax, first, last;
	int saturated = 0;

	if (!q || !y || !peak || n < 5 || lo > hi || hi >= n)
		return -EINVAL;
	cfg = &q->cfg;
	sigma0 = cfg->fwhm_guess / FWHM_PER_SIGMA;
	reach = (size_t)ceil(2.0 * cfg->fwhm_guess) + 1;
	half = (size_t)ceil(1.5 * cfg->fwhm_guess) + 2;

	imax = most_prominent(y, n, lo, hi, reach, &prom);
	if (imax == SIZE_MAX)
		return -ENOENT;
	if (isnan(noise))
		noise = cs_spectrum_noise(y, n);
	if (!(noise > 0.0))
		noise = 1e-12;
	if (prom < cfg->min_snr * noise)
		return -ENOENT;

	first = imax >= half ? imax - half : 0;
	last = imax + half < n ? imax + half : n - 1;
	d.n = 0;
	for (size_t i = first; i <= last && d.n < MAX_FIT; i++) {
		if (y[i] >= cfg->saturation) {
			saturated = 1;
			continue;
		}
		d.x[d.n] = (double)i;
		d.y[d.n] = y[i];
		d.n++;
	}
	if (d.n < NPAR + 2)
		return -ENOENT;
	d.x0 = (double)imax;

	/* Start: baseline through the window ends, centre from a parabola
	 * through the three top pixels (only a start, the fit removes its
	 * bias). */
	p[1] = (y[last] - y[first]) / (double)(last - first);
	p[0] = y[first] + p[1] * ((double)imax - (double)first);
	p[2] = y[imax] - p[0];
	{
		double ym = y[imax - 1], y0 = y[imax], yp = y[imax + 1];
		double den = ym - 2.0 * y0 + yp;

		p[3] = (double)imax;
		if (!saturated && den < 0.0)
			p[3] += 0.5 * (ym - yp) / den;
	}
	p[4] = sigma0;
	if (fit_gaussian(&d, p, var))
		return -ENOENT;
	if (!isfinite(p[3]) || p[3] < (double)first || p[3] > (double)last ||
	    !(p[2] > 0.0) || !(p[4] < 4.0 * half))
		return -ENOENT;
	if (p[2] < cfg->min_snr * noise)
		return -ENOENT;

	peak->position = p[3];
	peak->amplitude = p[2];
	peak->fwhm = FWHM_PER_SIGMA * fabs(p[4]);
	peak->baseline = p[0] + p[1] * (p[3] - d.x0);
	peak->sigma_position = sqrt(fmax(var[3], 0.0));
	peak->saturated = saturated;
	return 0;
}
