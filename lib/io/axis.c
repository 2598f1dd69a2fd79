// SPDX-License-Identifier: LGPL-2.1-or-later
/* A file's wavelength axis as the pixel polynomial the trackers use. */
#include <errno.h>
#include <math.h>

#include "cellsense.h"
#include "cs-linalg.h"

/* Least squares of order @order in u = 2 i / (n - 1) - 1 (well
 * conditioned at any n), then expanded into powers of the pixel i. */
static int fit_order(const double *nm, size_t n, unsigned int order,
		     struct cs_wavescale *ws, double *max_err)
{
	unsigned int m = order + 1;
	double a[16] = { 0 }, b[4] = { 0 }, c[4], a1 = 2.0 / (double)(n - 1);
	double err = 0.0;

	for (size_t i = 0; i < n; i++) {
		double u = a1 * (double)i - 1.0, pw[4] = { 1.0, u, u * u,
							    u * u * u };

		for (unsigned int r = 0; r < m; r++) {
			b[r] += pw[r] * nm[i];
			for (unsigned int k = 0; k <= r; k++)
				a[r * m + k] += pw[r] * pw[k];
		}
	}
	if (cs_solve_spd((int)m, a, b, c, NULL))
		return -EDOM;
	/* sum_k c_k (a1 i - 1)^k, binomially expanded */
	ws->ncoeffs = m;
	for (unsigned int j = 0; j < m; j++)
		ws->c[j] = 0.0;
	for (unsigned int k = 0; k < m; k++) {
		double binom = 1.0;

		for (unsigned int j = 0; j <= k; j++) {
			/* C(k, j) a1^j (-1)^(k - j) */
			ws->c[j] += c[k] * binom * pow(a1, j) *
				    ((k - j) % 2 ? -1.0 : 1.0);
			binom = binom * (double)(k - j) / (double)(j + 1);
		}
	}
	for (size_t i = 0; i < n; i++)
		err = fmax(err, fabs(cs_wavescale_eval(ws, (double)i) - nm[i]));
	*max_err = err;
	return 0;
}

/* The last decimal the axis was written with: 10^-k for the smallest k
 * at which every value is a whole number of them (to 1e-6 of one). */
static double written_quantum(const double *nm, size_t n)
{
	for (int k = 0; k <= 9; k++) {
		double scale = pow(10.0, k);
		size_t i = 0;

		while (i < n && fabs(nm[i] * scale - round(nm[i] * scale)) <
				1e-6 * fmax(1.0, fabs(nm[i] * scale) * 1e-9))
			i++;
		if (i == n)
			return 1.0 / scale;
	}
	return 0.0;
}

int cs_wavescale_fit(const double *nm, size_t n, struct cs_wavescale *ws,
		     double *max_err)
{
	double step, err = INFINITY, tol;

	if (!nm || !ws || !max_err || n < 4)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(nm[i]))
			return -EINVAL;
	step = fabs(nm[n - 1] - nm[0]) / (double)(n - 1);
	if (!(step > 0.0))
		return -EDOM;
	/* a file rounds its wavelengths (8 pm steps written to 1 pm; 2.44
	 * pm steps to 1 pm too): the fit goes through the rounding, each
	 * point may be off by half the last digit */
	tol = fmax(0.01 * step, 0.5 * written_quantum(nm, n) * 1.001);
	for (unsigned int order = 1; order <= 3; order++) {
		if (fit_order(nm, n, order, ws, &err))
			continue;
		if (err <= tol) {
			*max_err = err;
			return 0;
		}
	}
	*max_err = err;
	return -EDOM;
}
