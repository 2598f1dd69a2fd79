// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Bragg grating tracker.
 *
 * A grating is found once by the peak finder (fbgpeak.c) in its search
 * window; from then on it is tracked: each spectrum, its reflection is
 * fitted where an alpha-beta predictor expects it, by weighted least squares
 * of   y = b0 + b1 (x - c) + a T(x - mu)   over a few widths around it.
 * Three things are learned on the way, which is what brings the fit to the
 * Cramer-Rao bound where a plain Gaussian fit stays above it:
 *  - the shape T: aligned, averaged and symmetrised samples of past
 *    reflections on a 1/8-pixel grid (a Gaussian until enough are seen), so
 *    side-lobed or flat-topped gratings are fitted with their own shape;
 *  - the noise: variance = v0 + k * signal (read noise plus shot noise),
 *    regressed on the fit residuals, giving each pixel its proper weight;
 *  - the drift: position and velocity, so two gratings that cross keep
 *    their names (while their peaks are one they are reported merged).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"
#include "cs-linalg.h"

#define NPAR 4			/* b0, b1, a, mu of one grating */
#define BINS_PER_PX 8
/* fit half-window, pixels: 2.5 widths up to 102 px wide, wider ones
 * (to CS_FBGPEAK_FWHM_MAX) in +-256 px, 1.28 widths and more */
#define MAX_HALF 256
#define TMPL_MARGIN 3		/* template reaches this far past the window */
#define MAX_NODES (2 * (MAX_HALF + TMPL_MARGIN) * BINS_PER_PX + 1)
#define LEARN_EVERY 4		/* learn from one spectrum in this many */
#define LEARN_BATCH 128		/* learned spectra between rebuilds */
#define LEARN_KEEP 0.97		/* weight of older samples at each rebuild:
				 * remembers ~30 batches, 4000 spectra */
#define NOISE_MEMORY 256.0	/* spectra, time constant of the noise model */
#define NOISE_WARMUP 32.0
/* the landmarks' smoothing (whittaker()'s lambda over the mean weight of
 * a node: about an eighth of a pixel; their noise is measured, so it need
 * not be smoothed away, and an asymmetric peak rounded moves to its mean)
 * and the level whose crossings' middle is a reflection's top */
#define LANDMARK_LAMBDA 1.0
#define TOP_LEVEL 0.98
/* how far the middle at 98 % is carried on towards the maximum, against
 * the middle at 90 % (0.75 would reach it for Lorentzian sides; 0.4
 * measured best: an asymmetric reflection's err/unc 1.23-1.32, was
 * 1.29-1.39, a rippled source's 0.73-0.76, whose skewed top it widens) */
#define TOP_EXTRAP 0.4
/* subpixel_ambiguity() of the learned shape against its effect on the
 * centre: the learned shape, smoothed and fitted to samples placed by
 * centres the same ambiguity moved, shows about a quarter of it (a 3-px
 * flat top: 0.018 px, where its own shape's is 0.07 px and its fits are
 * 0.066 px RMS off). Calibrated there: err/unc 0.97-1.09 over 5 seeds. */
#define ALIAS_GAIN 3.5
/*
 * A reflection is the grating's times the source's spectrum: on a source
 * whose log slope is k (per pixel) a Gaussian's top moves k sigma^2 off the
 * grating's wavelength (0.02-0.05 px on fbgsim's sloped source for 25-px
 * Gaussians, 2-4 times the noise's uncertainty), and no fit of one
 * spectrum can tell. As the grating moves, its area follows the source
 * (source_skew(): its change with time apart, decaying sums over
 * SKEW_MEMORY spectra); the shift is taken off where k is over
 * SKEW_SIGMAS of its standard errors, once k sigma^2 is known to
 * SKEW_RESOLVED times the fit's own uncertainty. Until then k is a
 * source's (CS_FBG_SOURCE_PRIOR_DB over the span, narrowed by what has
 * been measured) and its shift counts in the uncertainty: a grating that
 * has not moved back and forth has not shown its source. A known source's
 * slope (source_known) is taken off as it is.
 */
#define LN_PER_DB 0.23025850929940458	/* ln 10 / 10: 1 dB as a log */
#define SKEW_MEMORY 1024.0
#define SKEW_SIGMAS 3.0
#define SKEW_RESOLVED 1.0
#define VEL_GAIN 0.15		/* beta of the alpha-beta predictor */
#define FWHM_PER_SIGMA 2.3548200450309493

enum track_state { SEARCHING, TRACKING, COASTING };

#define FIT_LANES 4		/* pixels a vector of the fit holds */
/* a plane: every BINS_PER_PX-th node, zeros past the last for a vector */
#define PLANE_LEN ((MAX_NODES + BINS_PER_PX - 1) / BINS_PER_PX + FIT_LANES)

struct shape {
	int n;			/* nodes */
	double u0;		/* offset of node 0, pixels */
	double t[MAX_NODES];	/* value at the nodes, peak 1 */
	double d[MAX_NODES];	/* derivative at the nodes, per pixel */
	/* the same by sub-pixel phase, node j at [j % BINS_PER_PX]
	 * [j / BINS_PER_PX]: a window's pixels, whole pixels apart, are
	 * neighbours there, and the fit loads them as (single-precision)
	 * vectors */
	float pt[BINS_PER_PX][PLANE_LEN], pd[BINS_PER_PX][PLANE_LEN];
	/* integral t^2 / (2 integral t'^2), pixels^2: on a source of log
	 * slope k the fit's centre moves k times this (a Gaussian's
	 * sigma^2; a flat top's far less than its width's) */
	double skew_sig2;
};

/* Below this (the peak is 1), a plane holds 0: a Gaussian's far tail
 * squared and weighted would be a subnormal float, which costs a hundred
 * times a normal one to multiply (and is worth nothing against noise). */
#define PLANE_TINY 1e-12

static void shape_planes(struct shape *s)
{
	double tt = 0.0, dd = 0.0;

	for (int j = 0; j < s->n; j++) {
		tt += s->t[j] * s->t[j];
		dd += s->d[j] * s->d[j];
	}
	s->skew_sig2 = dd > 0.0 ? 0.5 * tt / dd : 0.0;
	memset(s->pt, 0, sizeof(s->pt));
	memset(s->pd, 0, sizeof(s->pd));
	for (int j = 0; j < s->n; j++) {
		const double t = s->t[j], d = s->d[j];

		s->pt[j % BINS_PER_PX][j / BINS_PER_PX] =
			fabs(t) < PLANE_TINY ? 0.0f : (float)t;
		s->pd[j % BINS_PER_PX][j / BINS_PER_PX] =
			fabs(d) < PLANE_TINY ? 0.0f : (float)d;
	}
}

/* The full width at half maximum of a shape (peak 1 at u = 0), pixels:
 * the reflection's width for the health records. */
static double shape_fwhm(const struct shape *s)
{
	int c = (int)(-s->u0 * BINS_PER_PX + 0.5), a = c, b = c;

	while (a > 0 && s->t[a] > 0.5)
		a--;
	while (b + 1 < s->n && s->t[b] > 0.5)
		b++;
	if (s->t[a] > 0.5 || s->t[b] > 0.5 || a == c || b == c)
		return NAN;
	return ((b - 1 + (s->t[b - 1] - 0.5) / (s->t[b - 1] - s->t[b])) -
		(a + (0.5 - s->t[a]) / (s->t[a + 1] - s->t[a]))) /
	       BINS_PER_PX;
}

/* Node j (>= 0) of a per-node array kept by sub-pixel phase, as the
 * planes of struct shape. */
static inline double *node(double p[BINS_PER_PX][PLANE_LEN], int j)
{
	return &p[j % BINS_PER_PX][j / BINS_PER_PX];
}

struct track {
	const struct cs_fbg_grating *g;
	enum track_state state;
	double pos, vel;	/* pixels, pixels per spectrum */
	double b0, b1, amp;
	double search_lo, search_hi;	/* pixels */
	struct shape shape;
	int shape_learned;
	/* shape learning: sums per node, and how many fits went in (by
	 * phase, as the shape's planes: one fit's pixels are in a row) */
	double acc[BINS_PER_PX][PLANE_LEN], accn[BINS_PER_PX][PLANE_LEN];
	double phase_n[BINS_PER_PX];	/* fits per sub-pixel phase of mu */
	unsigned int batch;
	unsigned int learn_tick;
	/* noise model v = v0 + k s, from decaying sums over residuals */
	double v0, k;
	double noise;		/* sqrt(v0), for the reports */
	int noise_pure;		/* 1: v0, k from the noise alone */
	double fwhm_px;		/* the shape's width (shape_fwhm()) */
	/* centre_spread()^2, pixels^2: where it is over its noise, and
	 * whatever its noise */
	double spread2, spread2_all;
	double alias2;		/* subpixel_ambiguity()^2, pixels^2 */
	double chi2_mean;	/* of chi-square / dof, over ~512 fits */
	unsigned int misfits;	/* misfit fits in a row (reseed()) */
	unsigned int learned;	/* shape samples taken, up to a batch */
	double n1, ns, nss, nr, nsr, nweight;
	/*
	 * The noise alone, which the fit's residuals are not where the
	 * shape is not the reflection's: from the change of the residuals
	 * between two learned fits of a grating that hardly moved, where the
	 * part of them the model does not explain stays and the noise does
	 * not. Same sums as above, over half the squared change.
	 */
	struct pure_noise {
		double n1, ns, nss, nr, nsr, weight;
	} pn;
	float prev_r[2 * MAX_HALF + 1];	/* last learned fit's residuals */
	int prev_lo, prev_n;
	double prev_mu, prev_amp;
	/* this spectrum: the prediction, and its fit window's first pixel
	 * and template node (row_node()), made ahead of the fits: each fit
	 * is a long chain of dependent operations, and its start need not
	 * wait in it */
	double pred;
	int lo0, j0;
	double frac0;
	/* the width that sizes its windows: --fwhm's, or measured when it
	 * is first found; the fit's half-window, pixels;
	 * closer than merge_px to another's, the two peaks are one */
	double width;
	int half;
	double newton_k2;	/* (width / 15)^2: see fit_single() */
	/* log(area) over position and age, decaying sums: the source's
	 * slope under the reflection (source_skew()) */
	struct skew {
		double w, x, y, t, xx, yy, tt, xy, xt, yt;
		double ref;		/* x from here, pixels */
	} skew;
};

struct cs_fbgtracker {
	struct cs_fbgtracker_config cfg;
	struct cs_fbg_grating *gratings;
	struct track *t;
	struct cs_fbgpeak_finder *finder;
	double *work;		/* a spectrum with neighbours taken out */
	unsigned int *order;	/* tracked gratings by position */
	double noise;		/* this spectrum's noise, NAN until needed */
	/* the chi-square test's constants for the last dof seen (a
	 * window's pixel count hardly ever changes) */
	double chi2_nu, chi2_rnu, chi2_lim;
	/* the source's log slope per nm: its prior's standard deviation
	 * (0 where it is known), and the known one */
	double source_prior, source_slope;
};

const char *cs_fbg_status_name(enum cs_fbg_status status)
{
	switch (status) {
	case CS_FBG_OK:
		return "ok";
	case CS_FBG_SATURATED:
		return "saturated";
	case CS_FBG_MERGED:
		return "merged";
	case CS_FBG_LOST:
		return "lost";
	case CS_FBG_OTHER_FIBRE:
		return "other-fibre";
	case CS_FBG_MISFIT:
		return "misfit";
	case CS_FBG_AMBIGUOUS:
		return "ambiguous";
	}
	return "unknown";
}

/* ---- the shape ------------------------------------------------------- */

static void shape_gaussian(struct shape *s, int half, double sigma)
{
	s->n = 2 * (half + TMPL_MARGIN) * BINS_PER_PX + 1;
	s->u0 = -(double)(half + TMPL_MARGIN);
	for (int j = 0; j < s->n; j++) {
		double u = s->u0 + (double)j / BINS_PER_PX;

		s->t[j] = exp(-0.5 * u * u / (sigma * sigma));
		s->d[j] = -u / (sigma * sigma) * s->t[j];
	}
	shape_planes(s);
}

/* Cubic Hermite interpolation of the nodes: value and derivative. */
static inline void shape_eval(const struct shape *s, double u, double *t,
			      double *d)
{
	const double h = 1.0 / BINS_PER_PX;
	double x = (u - s->u0) * BINS_PER_PX, f, f2, f3;
	int i;

	if (!(x >= 0.0) || x >= (double)(s->n - 1)) {
		*t = 0.0;
		*d = 0.0;
		return;
	}
	i = (int)x;
	f = x - i;
	f2 = f * f;
	f3 = f2 * f;
	*t = (2 * f3 - 3 * f2 + 1) * s->t[i] + (f3 - 2 * f2 + f) * h * s->d[i] +
	     (-2 * f3 + 3 * f2) * s->t[i + 1] + (f3 - f2) * h * s->d[i + 1];
	*d = (6 * f2 - 6 * f) / h * s->t[i] + (3 * f2 - 4 * f + 1) * s->d[i] +
	     (-6 * f2 + 6 * f) / h * s->t[i + 1] + (3 * f2 - 2 * f) * s->d[i + 1];
}

/*
 * The shape at pixels lo, lo+1, ... for a centre @mu: the pixels are whole
 * nodes-per-pixel apart, so they share one interpolation fraction and its
 * Hermite weights are computed once: pixel k is node j + k * BINS_PER_PX,
 * value w[0] t_j + w[1] d_j + w[2] t_j+1 + w[3] d_j+1, derivative the same
 * with v[].
 */
struct row_weights {
	int j;
	double w[4], v[4];
};

/* The node left of pixel @lo for a centre @mu, and the fraction past it. */
static inline int row_node(const struct shape *s, double mu, int lo,
			   double *frac)
{
	double x = ((double)lo - mu - s->u0) * BINS_PER_PX;
	int j;

	/* a centre that is no number (NaN or huge, from input that is
	 * none) gives a node outside every template: callers skip those */
	if (!(x > -0x1p30 && x < 0x1p30))
		x = -0x1p30;
	j = (int)x;	/* floor(), without the libm call */

	j -= j > x;
	*frac = x - j;
	return j;
}

static void row_weights(const struct shape *s, double mu, int lo,
			struct row_weights *rw)
{
	const double h = 1.0 / BINS_PER_PX;
	double f, f2, f3;

	rw->j = row_node(s, mu, lo, &f);
	f2 = f * f;
	f3 = f2 * f;
	rw->w[0] = 2 * f3 - 3 * f2 + 1;
	rw->w[1] = (f3 - 2 * f2 + f) * h;
	rw->w[2] = -2 * f3 + 3 * f2;
	rw->w[3] = (f3 - f2) * h;
	rw->v[0] = (6 * f2 - 6 * f) / h;
	rw->v[1] = 3 * f2 - 4 * f + 1;
	rw->v[2] = -rw->v[0];
	rw->v[3] = 3 * f2 - 2 * f;
}

static void shape_row(const struct shape *s, double mu, int lo, int n,
		      double *t, double *d)
{
	struct row_weights rw;
	int j;

	row_weights(s, mu, lo, &rw);
	j = rw.j;
	for (int k = 0; k < n; k++, j += BINS_PER_PX) {
		if (j < 0 || j + 1 >= s->n) {
			t[k] = d[k] = 0.0;
			continue;
		}
		t[k] = rw.w[0] * s->t[j] + rw.w[1] * s->d[j] +
		       rw.w[2] * s->t[j + 1] + rw.w[3] * s->d[j + 1];
		d[k] = rw.v[0] * s->t[j] + rw.v[1] * s->d[j] +
		       rw.v[2] * s->t[j + 1] + rw.v[3] * s->d[j + 1];
	}
}

/*
 * Solve the symmetric positive definite pentadiagonal system
 * (diag w + lambda D'D) t = w m, D the second-difference operator: the
 * Whittaker smoother, which fills nodes no sample reached with the
 * smoothest curve through those that were.
 */
static void whittaker(int n, const double *w, const double *m, double lambda,
		      double *t)
{
	double a0[MAX_NODES], a1[MAX_NODES], a2[MAX_NODES], z[MAX_NODES];

	/* the band of D'D: 1 -2 1 rows, edges shortened */
	for (int j = 0; j < n; j++) {
		double d0 = 6.0, d1 = -4.0;

		if (j == 0 || j == n - 1)
			d0 = 1.0;
		else if (j == 1 || j == n - 2)
			d0 = 5.0;
		if (j == 0 || j == n - 2)
			d1 = -2.0;
		a0[j] = w[j] + lambda * d0;
		a1[j] = j + 1 < n ? lambda * d1 : 0.0;
		a2[j] = j + 2 < n ? lambda : 0.0;
		z[j] = w[j] * m[j];
	}
	/* banded LDL': a0 = d, a1 and a2 become the multipliers */
	for (int j = 0; j < n; j++) {
		if (j >= 1) {
			a0[j] -= a1[j - 1] * a1[j - 1] * a0[j - 1];
			if (j + 1 < n)
				a1[j] -= a1[j - 1] * a2[j - 1] * a0[j - 1];
		}
		if (j >= 2)
			a0[j] -= a2[j - 2] * a2[j - 2] * a0[j - 2];
		if (j + 1 < n)
			a1[j] /= a0[j];
		if (j + 2 < n)
			a2[j] /= a0[j];
	}
	for (int j = 0; j < n; j++) {
		if (j >= 1)
			z[j] -= a1[j - 1] * z[j - 1];
		if (j >= 2)
			z[j] -= a2[j - 2] * z[j - 2];
	}
	for (int j = n - 1; j >= 0; j--) {
		t[j] = z[j] / a0[j];
		if (j + 1 < n)
			t[j] -= a1[j] * t[j + 1];
		if (j + 2 < n)
			t[j] -= a2[j] * t[j + 2];
	}
}

/*
 * How far a centre can be off for want of pixels: the part of a shape
 * finer than a pixel (edges sharper than one) cannot be told from pixel
 * samples, as the shape warped by a pixel-periodic shift fits every
 * spectrum as well, so the shape learned need not be the reflection's and
 * its fits are off by a shift that goes with the sub-pixel phase. Its
 * size: shape @t sampled at each of the 8 phases, fitted with itself
 * smoothed to what pixels resolve (a Gaussian of half a pixel), one
 * Gauss-Newton step; the standard deviation of the shifts over the
 * phases. On the reflections' own shapes: under 0.001 px for Gaussian,
 * Lorentzian and sinc^2 ones of 3 px and wider, 0.011 px for a 1.5-px
 * Gaussian, 0.07 px for a 3-px flat top (whose fits are 0.066 px RMS off,
 * 3 times the bound).
 */
static double subpixel_ambiguity(const struct shape *s, const double *t)
{
	enum { KH = 3 * BINS_PER_PX / 2 };	/* 3 kernel sigmas, nodes */
	const double ks = 0.5 * BINS_PER_PX;	/* its sigma, nodes */
	double tb[MAX_NODES], db[MAX_NODES], kern[KH + 1];
	double shift[BINS_PER_PX], mean = 0.0, var = 0.0;
	const int hs = (s->n - 1) / (2 * BINS_PER_PX) - TMPL_MARGIN;

	if (s->n < 3 || s->n > MAX_NODES || hs < 1)
		return 0.0;
	for (int i = 0; i <= KH; i++)
		kern[i] = exp(-0.5 * i * i / (ks * ks));
	for (int j = 0; j < s->n; j++) {
		double sum = 0.0, wsum = 0.0;

		for (int i = -KH; i <= KH; i++)
			if (j + i >= 0 && j + i < s->n) {
				sum += kern[abs(i)] * t[j + i];
				wsum += kern[abs(i)];
			}
		tb[j] = sum / wsum;
	}
	for (int j = 0; j < s->n; j++) {
		int a = j > 0 ? j - 1 : j, b = j + 1 < s->n ? j + 1 : j;

		db[j] = (tb[b] - tb[a]) * BINS_PER_PX / (double)(b - a);
	}
	for (int p = 0; p < BINS_PER_PX; p++) {
		/* y = b0 + b1 k + a tb(k - phase - shift), about a = 1,
		 * shift = 0: columns 1, k, tb, -db */
		double ata[16] = { 0 }, atr[4] = { 0 }, x[4];

		for (int k = -hs; k <= hs; k++) {
			const int j = (k + hs + TMPL_MARGIN) * BINS_PER_PX - p;
			const double c[4] = { 1.0, (double)k, tb[j], -db[j] };
			const double r = t[j] - tb[j];

			for (int u = 0; u < 4; u++) {
				atr[u] += c[u] * r;
				for (int v = 0; v <= u; v++)
					ata[u * 4 + v] += c[u] * c[v];
			}
		}
		if (cs_solve_spd(4, ata, atr, x, NULL))
			return 0.0;
		shift[p] = x[3];
		mean += x[3] / BINS_PER_PX;
	}
	for (int p = 0; p < BINS_PER_PX; p++)
		var += (shift[p] - mean) * (shift[p] - mean) / BINS_PER_PX;
	return sqrt(var);
}

/* The learned shape: the samples of past reflections per node,
 * symmetrised (the centre of a symmetric reflection then stays unbiased
 * whatever noise is in them), smoothed over about a quarter pixel where
 * samples are many and bridged where there are none, scaled to a peak of
 * 1. The shape so far counts as a weak prior. */
static void shape_rebuild(struct track *tr)
{
	struct shape *s = &tr->shape;
	double m[MAX_NODES], w[MAX_NODES], sm[MAX_NODES];
	double peak = 0.0;
	double total = 0.0, prior;

	if (s->n < 1 || s->n > MAX_NODES)	/* never; tells the compiler */
		return;
	for (int j = 0; j < s->n; j++) {
		int k = s->n - 1 - j;

		w[j] = *node(tr->accn, j) + *node(tr->accn, k);
		m[j] = w[j] > 0.0 ?
			(*node(tr->acc, j) + *node(tr->acc, k)) / w[j] : 0.0;
		total += w[j];
	}
	prior = 1e-3 * total / s->n;
	for (int j = 0; j < s->n; j++) {
		m[j] = (w[j] * m[j] + prior * s->t[j]) / (w[j] + prior);
		w[j] += prior;
	}
	whittaker(s->n, w, m, 16.0 * total / s->n, sm);
	for (int j = 0; j < s->n; j++)
		peak = fmax(peak, sm[j]);
	if (!(peak > 0.0))
		return;
	for (int j = 0; j < s->n; j++)
		s->t[j] = sm[j] / peak;
	for (int j = 0; j < s->n; j++) {
		int a = j > 0 ? j - 1 : j, b = j + 1 < s->n ? j + 1 : j;

		s->d[j] = (s->t[b] - s->t[a]) * BINS_PER_PX / (double)(b - a);
	}
	shape_planes(s);
	/* what the Gaussian did not explain says nothing of the learned
	 * shape: its fits start afresh (else their uncertainty keeps the
	 * Gaussian's misfit for ~1000 spectra) */
	if (!tr->shape_learned)
		tr->chi2_mean = fmin(tr->chi2_mean, 1.0);
	tr->shape_learned = 1;
	tr->fwhm_px = shape_fwhm(s);
	{
		/* on the learned shape, the part beyond a Gaussian's of the
		 * same width (a narrow Gaussian, which the learning resolves,
		 * is not off by its 0.011 px) */
		double g[MAX_NODES], sg = tr->fwhm_px / FWHM_PER_SIGMA;
		double a, ag;

		for (int j = 0; j < s->n; j++) {
			double u = s->u0 + (double)j / BINS_PER_PX;

			g[j] = exp(-0.5 * u * u / (sg * sg));
		}
		a = subpixel_ambiguity(s, s->t);
		ag = subpixel_ambiguity(s, g);
		tr->alias2 = a > ag ? (a - ag) * (a - ag) : 0.0;
	}
}

/*
 * The reflection's own landmarks in the samples as learned (not
 * symmetrised), about the fitted centre (u = 0), leaving out the samples
 * of sub-pixel phase @skip (-1: none): @top, the middle of its top (its
 * outermost crossings of 98 % of its maximum: on a flat top the highest
 * node is the noise's, 0.5 px off on a 3-px one, and the middle of
 * crossings a smooth function of the samples where the highest node
 * jumps; carried on towards the maximum by TOP_EXTRAP), and @mid, the
 * middle of its half-maximum points. 0, or -1 when the samples are too
 * few to tell.
 */
static int landmarks(struct track *tr, int skip, double *top,
		     double *mid)
{
	const struct shape *s = &tr->shape;
	double m[MAX_NODES], w[MAX_NODES], sm[MAX_NODES];
	double total = 0.0, peak = -INFINITY, lvl, top90;
	int jm = -1, a, b;

	if (s->n < 3 || s->n > MAX_NODES)	/* never; tells the compiler */
		return -1;
	for (int j = 0; j < s->n; j++) {
		w[j] = j % BINS_PER_PX == skip ? 0.0 : *node(tr->accn, j);
		m[j] = w[j] > 0.0 ? *node(tr->acc, j) / w[j] : 0.0;
		total += w[j];
	}
	if (!(total > 0.0))
		return -1;
	for (int j = 0; j < s->n; j++)
		w[j] += 1e-3 * total / s->n;
	/* lighter smoothing than the shape's: a maximum flattened by it
	 * moves towards the mean */
	whittaker(s->n, w, m, LANDMARK_LAMBDA * total / s->n, sm);
	for (int j = 1; j + 1 < s->n; j++)
		if (sm[j] > peak) {
			peak = sm[j];
			jm = j;
		}
	if (jm < 1 || !(peak > 0.0))
		return -1;
	for (int k = 0; k < 3; k++) {
		double *out = k == 2 ? mid : k ? &top90 : top;

		lvl = (k == 2 ? 0.5 : k ? 0.9 : TOP_LEVEL) * peak;
		for (a = jm; a > 0 && sm[a] > lvl; a--)
			;
		for (b = jm; b + 1 < s->n && sm[b] > lvl; b++)
			;
		/* the top: its outermost crossings (a flat top's noise can
		 * dip under the level between two humps) */
		for (int j = 0; k < 2 && j < a; j++)
			if (sm[j + 1] > lvl) {
				a = j;
				break;
			}
		for (int j = s->n - 1; k < 2 && j > b; j--)
			if (sm[j - 1] > lvl) {
				b = j;
				break;
			}
		if (sm[a] > lvl || sm[b] > lvl)
			return -1;
		/* the crossings, between nodes */
		*out = s->u0 + 0.5 *
			((a + (lvl - sm[a]) / (sm[a + 1] - sm[a])) +
			 (b - 1 + (sm[b - 1] - lvl) / (sm[b - 1] - sm[b]))) /
			BINS_PER_PX;
	}
	/* the top's middle moves with the level on an asymmetric peak (as
	 * sqrt(1 / level - 1) for Lorentzian sides, 0 at the maximum) */
	*top -= (top90 - *top) * TOP_EXTRAP;
	return 0;
}

/*
 * How far the fit's centre is from the reflection's own landmarks
 * (landmarks()), where that distance is more than their noise. For a
 * symmetric reflection both are 0 but for the noise; for an asymmetric
 * one the centre is not defined better than this, and the uncertainty
 * says so. The noise: a delete-a-group jackknife over the sub-pixel
 * phases, whose samples come from different fits (each landmark found
 * again without one phase's). A landmark counts where it is over 3 of
 * its standard deviations: before, its noise alone (0.2-0.5 px on a flat
 * or sinc^2 top, 3-8 times the fit's) was counted as the centre's
 * uncertainty. 0 when nothing counts; -1 when the samples are too few to
 * tell. In @all, the distance whatever its noise (its square less the
 * noise's), for a shape seen not to fit.
 */
static double centre_spread(struct track *tr, double *all)
{
	double top, mid, tj[BINS_PER_PX], mj[BINS_PER_PX];
	double tbar = 0.0, mbar = 0.0, tv = 0.0, mv = 0.0, spread = 0.0;
	int g = 0;

	*all = -1.0;
	if (landmarks(tr, -1, &top, &mid))
		return -1.0;
	*all = fmax(fabs(top), fabs(mid));
	for (int p = 0; p < BINS_PER_PX; p++) {
		double np = 0.0;

		for (int j = p; j < tr->shape.n; j += BINS_PER_PX)
			np += *node(tr->accn, j);
		if (!(np > 0.0))
			continue;	/* nothing to leave out */
		if (landmarks(tr, p, &tj[g], &mj[g]))
			return -1.0;
		tbar += tj[g];
		mbar += mj[g];
		g++;
	}
	if (g < 4)
		return -1.0;	/* too few phases to tell the noise */
	tbar /= g;
	mbar /= g;
	for (int k = 0; k < g; k++) {
		tv += (tj[k] - tbar) * (tj[k] - tbar);
		mv += (mj[k] - mbar) * (mj[k] - mbar);
	}
	tv *= (g - 1.0) / g;
	mv *= (g - 1.0) / g;
	/* whatever their noise: the squares less the noise's, unbiased */
	*all = sqrt(fmax(0.0, fmax(top * top - tv, mid * mid - mv)));
	if (top * top > 9.0 * tv)
		spread = fabs(top);
	if (mid * mid > 9.0 * mv)
		spread = fmax(spread, fabs(mid));
	return spread;
}

/* ---- the fit ------------------------------------------------------------ */

#define MAX_CLUSTER 4		/* gratings fitted together */
#define MAX_PAR (2 + 2 * MAX_CLUSTER)
#define ROW_MAX (2 * MAX_CLUSTER * MAX_HALF + 1)	/* a cluster's window */

/*
 * Gratings whose fit windows overlap are fitted together:
 *   y = b0 + b1 (x - c) + sum_k a_k T_k(x - mu_k)
 * with parameters b0, b1, then a_k, mu_k for each member.
 */
struct fit {
	int m;			/* members */
	const struct track *tr[MAX_CLUSTER];
	double p[MAX_PAR];
	double var_mu[MAX_CLUSTER];
	double v0, k;		/* noise model used for the weights */
	int n;			/* pixels used */
	double chi2;		/* weighted squared residuals at the end */
	int saturated;
	/* a single fit's shape at its pixels, as of its last iteration
	 * (and room for a vector's worth past the last) */
	float t[2 * MAX_HALF + 1 + FIT_LANES];
	double last_step;	/* a single fit's last centre step, pixels */
};

/*
 * The 4x4 system of one grating, by 2x2 blocks: the baseline's (b0, b1)
 * block P, the peak's (a, mu) block R, the coupling Q. With the adjugate
 * of P in place of its inverse, everything is scaled by det P (the Schur
 * complement S' = det P (R - Q' P^-1 Q)), and one division, at the end,
 * lies on the chain of dependent operations (1 / det P runs beside it):
 * x_R = S'^-1 c', x_P = (adj P b_P - adj P Q x_R) / det P, and
 * [A^-1]_mu,mu = S'_aa det P / det S'. -1 unless A is positive definite.
 */
static int solve_4(double a[MAX_PAR][MAX_PAR], const double *b, double *x,
		   double *inv_mu)
{
	const double det_p = a[0][0] * a[1][1] - a[0][1] * a[0][1];
	/* G' = adj(P) Q, h' = adj(P) b_P */
	const double g00 = a[1][1] * a[0][2] - a[0][1] * a[1][2];
	const double g10 = a[0][0] * a[1][2] - a[0][1] * a[0][2];
	const double g01 = a[1][1] * a[0][3] - a[0][1] * a[1][3];
	const double g11 = a[0][0] * a[1][3] - a[0][1] * a[0][3];
	const double h0 = a[1][1] * b[0] - a[0][1] * b[1];
	const double h1 = a[0][0] * b[1] - a[0][1] * b[0];
	const double s00 = det_p * a[2][2] - (a[0][2] * g00 + a[1][2] * g10);
	const double s01 = det_p * a[2][3] - (a[0][2] * g01 + a[1][2] * g11);
	const double s11 = det_p * a[3][3] - (a[0][3] * g01 + a[1][3] * g11);
	const double c0 = det_p * b[2] - (a[0][2] * h0 + a[1][2] * h1);
	const double c1 = det_p * b[3] - (a[0][3] * h0 + a[1][3] * h1);
	const double det_s = s00 * s11 - s01 * s01;
	double rp, rs;

	if (!(a[0][0] > 0.0) || !(det_p > 0.0) || !(s00 > 0.0) ||
	    !(det_s > 0.0))
		return -1;
	rp = 1.0 / det_p;
	rs = 1.0 / det_s;
	x[2] = (s11 * c0 - s01 * c1) * rs;
	x[3] = (s00 * c1 - s01 * c0) * rs;
	x[0] = (h0 - g00 * x[2] - g01 * x[3]) * rp;
	x[1] = (h1 - g10 * x[2] - g11 * x[3]) * rp;
	*inv_mu = s00 * det_p * rs;
	return 0;
}

/*
 * The one-grating case of fit_cluster(), written out: it is the hot loop
 * of fbgtrack (every tracked grating of every spectrum). One pass a pixel:
 * the shape there, its weight, and the sums of the normal equations, with
 * the mu column kept as d (its Jacobian is -a d: scaled after the sums).
 *
 * With GCC or Clang, FIT_LANES pixels at a time in their vector extensions
 * (SSE2 on x86-64, NEON on arm64, emulated elsewhere) where the template
 * covers the window and no pixel in it is saturated; the scalar loop does
 * the rest. The vectors hold single precision, four pixels where doubles
 * would hold two: a window's sums have a few dozen terms, and their
 * rounding (1e-7 relative) is far below the noise of any sum, so the fit
 * lands where the double loop does to a millionth of its noise (the
 * saturation test is made on the doubles). Two passes over the vectors
 * (shape, weight and residual; then the sums) leave the 14 sums in
 * registers.
 */
#if defined(__GNUC__)
#define FIT_VEC 1
typedef float vf __attribute__((vector_size(FIT_LANES * sizeof(float))));
typedef int vfi __attribute__((vector_size(FIT_LANES * sizeof(int))));
typedef double vd __attribute__((vector_size(FIT_LANES * sizeof(double))));
/* half of vd: a register of SSE2 or NEON, where the compares are cheap */
typedef double vd2 __attribute__((vector_size(FIT_LANES / 2 *
					      sizeof(double))));
typedef long long vd2i __attribute__((vector_size(FIT_LANES / 2 *
						  sizeof(long long))));
_Static_assert(FIT_LANES == 4, "first_pass(), learn_vec() and hsum4() "
	       "are written out for four lanes");

struct vsums {
	vf s1, sx, sxx, s_t, sxt, stt, s_d, sxd, std, sdd, sr, sxr, str, sdr;
	vf srr;		/* w r^2: the fit's chi-square */
};

static inline vf load_vf(const float *p)
{
	vf v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* What the first pass keeps of a vector of pixels. */
struct px4 {
	vf t, d, w, r;
};

/*
 * Pixels y[0 .. 3] at nodes t0p[0 .. 3] ...: their shape (also into @t),
 * derivative, weight (0 where @wmask is 0) and residual; where one is at
 * or above @sat (in double, before rounding), *@satm counts it.
 */
static inline struct px4 first_pass(const double *y, const float *t0p,
				    const float *d0p, const float *t1p,
				    const float *d1p, const vf w[4],
				    const vf u[4], vf vb, vf va, vf vv0,
				    vf vk, vd2 vsat, vfi wmask, vd2i *satm,
				    float *t)
{
	typedef float vf2 __attribute__((vector_size(2 * sizeof(float))));
	const vf zero = { 0 };
	vd2 y0, y1;
	vf yk, s;
	struct px4 o;

	memcpy(&y0, y, sizeof(y0));
	memcpy(&y1, y + FIT_LANES / 2, sizeof(y1));
	/* counted (-1 a hit): GCC 12 takes an | of compares lane by lane */
	*satm += y0 >= vsat;
	*satm += y1 >= vsat;
	yk = __builtin_shufflevector(__builtin_convertvector(y0, vf2),
				     __builtin_convertvector(y1, vf2),
				     0, 1, 2, 3);
	o.t = w[0] * load_vf(t0p) + w[1] * load_vf(d0p) +
	      w[2] * load_vf(t1p) + w[3] * load_vf(d1p);
	o.d = u[0] * load_vf(t0p) + u[1] * load_vf(d0p) +
	      u[2] * load_vf(t1p) + u[3] * load_vf(d1p);
	memcpy(t, &o.t, sizeof(o.t));	/* for the learning */
	s = va * o.t;
	o.r = yk - vb - s;
	/* 1 / (v0 + k max(s, 0)), the max as a mask */
	o.w = (vf)((vfi)(1.0f / (vv0 + vk * (vf)((vfi)s & (s > zero)))) &
		   wmask);
	return o;
}

/* Pixels lo .. lo + n - 1 (1 .. 2 MAX_HALF + 1 of them), their template
 * nodes j, j + BINS_PER_PX, ... all on the template: the sums into *@z,
 * the shape into t[0 .. n). -1, and no sums, if a pixel is saturated. */
static inline int fit_vec(const struct shape *sh, const double *y, int lo,
			  int n, int j, double frac,
			  double x, double base, double b1, double amp,
			  double var0, double kk, double sat, float *t,
			  struct vsums *z)
{
	enum { L = FIT_LANES, NV = (2 * MAX_HALF + 1 + L - 1) / L };
	/* the nodes left and right of each pixel, plane by plane (j >= 0:
	 * the divisions are shifts) */
	const unsigned int j0 = (unsigned int)j, j1 = j0 + 1;
	const float *t0p = sh->pt[j0 % BINS_PER_PX] + j0 / BINS_PER_PX;
	const float *d0p = sh->pd[j0 % BINS_PER_PX] + j0 / BINS_PER_PX;
	const float *t1p = sh->pt[j1 % BINS_PER_PX] + j1 / BINS_PER_PX;
	const float *d1p = sh->pd[j1 % BINS_PER_PX] + j1 / BINS_PER_PX;
	const vf zero = { 0 }, h = zero + 1.0f / BINS_PER_PX;
	/* row_weights(), in the vectors */
	const vf f = zero + (float)frac, f2 = f * f, f3 = f2 * f;
	const vf w0 = 2 * f3 - 3 * f2 + 1;
	const vf v0 = (6 * f2 - 6 * f) * BINS_PER_PX;
	const vf w[4] = { w0, (f3 - 2 * f2 + f) * h, 1 - w0, (f3 - f2) * h };
	const vf u[4] = { v0, 3 * f2 - 4 * f + 1, -v0, 3 * f2 - 2 * f };
	const vf va = zero + (float)amp, vv0 = zero + (float)var0;
	const vf vk = zero + (float)kk, db = zero + (float)(L * b1);
	const vf dx = zero + L;
	const vd2 vsat = (vd2){ 0 } + sat;
	const vfi all = { -1, -1, -1, -1 };
	const int nv = (n + L - 1) / L, full = n / L, o = full * L;
	vf vx, vb, lane = zero;
	struct px4 px[NV];
	vd2i satm = { 0 };
	double ylast[L];
	struct vsums a;

	for (int l = 0; l < L; l++)
		lane[l] = (float)l;	/* a constant, once unrolled */
	vx = (float)x + lane;
	vb = (float)base + (float)b1 * lane;
	/* the shape, its derivative, the weight and the residual */
	for (int k = 0; k < full; k++, vb += db)
		px[k] = first_pass(y + lo + k * L, t0p + k * L, d0p + k * L,
				   t1p + k * L, d1p + k * L, w, u, vb, va, vv0,
				   vk, vsat, all, &satm, t + k * L);
	/* part of a vector: none read or weighed past n */
	if (full < nv) {
		for (int l = 0; l < L; l++)
			ylast[l] = o + l < n ? y[lo + o + l] : 0.0;
		px[full] = first_pass(ylast, t0p + o, d0p + o, t1p + o,
				      d1p + o, w, u, vb, va, vv0, vk, vsat,
				      lane < zero + (float)(n - o), &satm,
				      t + o);
	}
	for (int l = 0; l < L / 2; l++)
		if (satm[l])
			return -1;
	a.s1 = a.sx = a.sxx = a.s_t = a.sxt = a.stt = a.s_d = zero;
	a.sxd = a.std = a.sdd = a.sr = a.sxr = a.str = a.sdr = zero;
	a.srr = zero;
	/* in two loops, the sums with x and those without: together they
	 * need more registers than SSE2 has, and spill */
	for (int k = 0; k < nv; k++) {
		const vf wk = px[k].w, tk = px[k].t, dk = px[k].d, r = px[k].r;
		const vf wt = wk * tk, wd = wk * dk;

		a.s1 += wk;
		a.s_t += wt;
		a.stt += wt * tk;
		a.s_d += wd;
		a.std += wt * dk;
		a.sdd += wd * dk;
		a.sr += wk * r;
		a.str += wt * r;
		a.sdr += wd * r;
	}
	for (int k = 0; k < nv; k++, vx += dx) {
		const vf wx = px[k].w * vx;

		a.sx += wx;
		a.sxx += wx * vx;
		a.sxt += wx * px[k].t;
		a.sxd += wx * px[k].d;
		a.sxr += wx * px[k].r;
		a.srr += px[k].w * px[k].r * px[k].r;
	}
	*z = a;
	return 0;
}

/* The lane totals of four vectors, as a vector: pairs of lanes, then
 * pairs of pairs (nine operations where four separate sums take twelve
 * and the conversions besides). */
static inline vf hsum4(vf a, vf b, vf c, vf d)
{
	const vf ab = __builtin_shufflevector(a, b, 0, 4, 1, 5) +
		      __builtin_shufflevector(a, b, 2, 6, 3, 7);
	const vf cd = __builtin_shufflevector(c, d, 0, 4, 1, 5) +
		      __builtin_shufflevector(c, d, 2, 6, 3, 7);

	return __builtin_shufflevector(ab, cd, 0, 1, 4, 5) +
	       __builtin_shufflevector(ab, cd, 2, 3, 6, 7);
}

/*
 * learn()'s pass over pixels y[0 .. n): the baseline-free samples into
 * v[], and the noise sums over s = max(a t, 0) and r = v - a t: of s,
 * s^2, r^2 and s r^2, into sums[0 .. 3].
 */
static inline void learn_vec(const double *y, int n, const float *t,
			     double base, double b1, double a, float *v,
			     double sums[4])
{
	typedef float vf2 __attribute__((vector_size(2 * sizeof(float))));
	enum { L = FIT_LANES };
	const vf zero = { 0 }, va = zero + (float)a;
	const vf db = zero + (float)(L * b1);
	const int nv = (n + L - 1) / L;
	vf vb, lane = zero, ns = zero, nss = zero, nr = zero;
	vf nsr = zero, h;

	for (int l = 0; l < L; l++)
		lane[l] = (float)l;	/* a constant, once unrolled */
	vb = (float)base + (float)b1 * lane;
	for (int k = 0; k < nv; k++, vb += db) {
		const int o = k * L;
		vd2 y0, y1;
		vf tk, vk, s, r, sp;
		vfi in = { -1, -1, -1, -1 };

		if (o + L <= n) {
			memcpy(&y0, y + o, sizeof(y0));
			memcpy(&y1, y + o + FIT_LANES / 2, sizeof(y1));
			memcpy(&tk, t + o, sizeof(tk));
		} else {	/* the last, part of a vector */
			double yl[L];

			for (int l = 0; l < L; l++) {
				yl[l] = o + l < n ? y[o + l] : 0.0;
				tk[l] = o + l < n ? t[o + l] : 0.0f;
			}
			memcpy(&y0, yl, sizeof(y0));
			memcpy(&y1, yl + FIT_LANES / 2, sizeof(y1));
			in = lane < zero + (float)(n - o);
		}
		vk = __builtin_shufflevector(__builtin_convertvector(y0, vf2),
					     __builtin_convertvector(y1, vf2),
					     0, 1, 2, 3) - vb;
		memcpy(v + o, &vk, sizeof(vk));
		s = va * tk;
		r = (vf)((vfi)(vk - s) & in);
		sp = (vf)((vfi)s & (s > zero) & in);
		ns += sp;
		nss += sp * sp;
		nr += r * r;
		nsr += sp * r * r;
	}
	h = hsum4(ns, nss, nr, nsr);
	for (int l = 0; l < 4; l++)
		sums[l] = h[l];
}
#endif

static int fit_single(const struct cs_fbgtracker *q, const double *y, int lo,
		      int hi, double c, struct fit *f)
{
	const struct shape *sh = &f->tr[0]->shape;
	const double *nt = sh->t, *nd = sh->d;
	const double sat = q->cfg.saturation, v0 = f->v0, kk = f->k;
	double *p = f->p;
#ifdef FIT_VEC
	int vec = 1;	/* 0 once a saturated pixel is seen */
#endif

	f->saturated = 0;
	for (int it = 0;; it++) {
		/* sums over the pixels of w times 1, x, x^2, t, xt, t^2, d, xd,
		 * td, d^2, and of w r times 1, x, t, d */
		double s1 = 0, sx = 0, sxx = 0, s_t = 0, sxt = 0, stt = 0;
		double s_d = 0, sxd = 0, std = 0, sdd = 0;
		double sr = 0, sxr = 0, str = 0, sdr = 0, srr = 0;
		double a[MAX_PAR][MAX_PAR], b[MAX_PAR], step[MAX_PAR], inv, d2;
		const double amp = p[2], b1 = p[1];
		double x, base;
		struct row_weights rw;
		double w0, w1, w2, w3, u0, u1, u2, u3, frac;
		int n = 0, i0 = lo, j0;

		if (it == 0 && lo == f->tr[0]->lo0) {	/* made ahead */
			j0 = f->tr[0]->j0;
			frac = f->tr[0]->frac0;
		} else {
			j0 = row_node(sh, p[3], lo, &frac);
		}

		x = (double)lo - c;
		base = p[0] + b1 * x;
#ifdef FIT_VEC
		/* the template's nodes at the first and last pixel */
		if (vec && (unsigned int)j0 < (unsigned int)(sh->n - 1) &&
		    (unsigned int)(j0 + (hi - lo) * BINS_PER_PX) <
			    (unsigned int)(sh->n - 1)) {
			struct vsums z;

			if (fit_vec(sh, y, lo, hi - lo + 1, j0, frac, x, base,
				    b1, amp, v0, kk, sat, f->t, &z)) {
				vec = 0;	/* the scalar loop, from now on */
			} else {
				const vf h0 = hsum4(z.s1, z.sx, z.sxx, z.s_t);
				const vf h1 = hsum4(z.sxt, z.stt, z.s_d, z.sxd);
				const vf h2 = hsum4(z.std, z.sdd, z.sr, z.sxr);
				const vf h3 = hsum4(z.str, z.sdr, z.srr,
						    z.srr);

				s1 = h0[0];
				sx = h0[1];
				sxx = h0[2];
				s_t = h0[3];
				sxt = h1[0];
				stt = h1[1];
				s_d = h1[2];
				sxd = h1[3];
				std = h2[0];
				sdd = h2[1];
				sr = h2[2];
				sxr = h2[3];
				str = h3[0];
				sdr = h3[1];
				srr = h3[2];
				n = hi - lo + 1;
				i0 = hi + 1;	/* nothing left */
			}
		}
#endif
		if (i0 <= hi)	/* the scalar loop's weights, in double */
			row_weights(sh, p[3], lo, &rw);
		else
			rw = (struct row_weights){ 0 };
		w0 = rw.w[0], w1 = rw.w[1], w2 = rw.w[2], w3 = rw.w[3];
		u0 = rw.v[0], u1 = rw.v[1], u2 = rw.v[2], u3 = rw.v[3];
		for (int i = i0, jn = j0; i <= hi;
		     i++, jn += BINS_PER_PX, x += 1.0, base += b1) {
			double tk = 0.0, dk = 0.0, s, r, w, wx, wt, wd;

			/* nodes jn and jn + 1 on the template (one compare) */
			if ((unsigned int)jn < (unsigned int)(sh->n - 1)) {
				const double t0 = nt[jn], d0 = nd[jn];
				const double t1 = nt[jn + 1], d1 = nd[jn + 1];

				tk = w0 * t0 + w1 * d0 + w2 * t1 + w3 * d1;
				dk = u0 * t0 + u1 * d0 + u2 * t1 + u3 * d1;
			}

			f->t[i - lo] = (float)tk;	/* for the learning */
			if (y[i] >= sat) {
				f->saturated = 1;
				continue;
			}
			s = amp * tk;
			r = y[i] - base - s;
			w = 1.0 / (v0 + kk * (s > 0.0 ? s : 0.0));
			wx = w * x;
			wt = w * tk;
			wd = w * dk;
			s1 += w;
			sx += wx;
			sxx += wx * x;
			s_t += wt;
			sxt += wx * tk;
			stt += wt * tk;
			s_d += wd;
			sxd += wx * dk;
			std += wt * dk;
			sdd += wd * dk;
			sr += w * r;
			sxr += wx * r;
			str += wt * r;
			sdr += wd * r;
			srr += w * r * r;
			n++;
		}
		if (n < NPAR + 3)
			return -1;
		a[0][0] = s1;
		a[1][0] = a[0][1] = sx;
		a[1][1] = sxx;
		a[2][0] = a[0][2] = s_t;
		a[2][1] = a[1][2] = sxt;
		a[2][2] = stt;
		a[3][0] = a[0][3] = -amp * s_d;
		a[3][1] = a[1][3] = -amp * sxd;
		a[3][2] = a[2][3] = -amp * std;
		a[3][3] = amp * amp * sdd;
		b[0] = sr;
		b[1] = sxr;
		b[2] = str;
		b[3] = -amp * sdr;
		if (solve_4(a, b, step, &inv))
			return -1;
		/* more than a pixel at once is a fit running away */
		if (step[3] > 1.0)
			step[3] = 1.0;
		else if (step[3] < -1.0)
			step[3] = -1.0;
		for (int u = 0; u < NPAR; u++)
			p[u] += step[u];
		f->var_mu[0] = inv;
		f->last_step = step[3];
		f->n = n;
		/* at the new parameters, to second order (A step = b) */
		f->chi2 = srr - (b[0] * step[0] + b[1] * step[1] +
				 b[2] * step[2] + b[3] * step[3]);
		/*
		 * A Newton step from d pixels off the optimum lands about
		 * d^2 / w off (second order; w the peak's width): a second
		 * pass only where that could be more than a small part of
		 * the noise sqrt(inv), i.e. where d^4 > (FWHM / 15)^2 inv.
		 * At high SNR the predictor's miss, not the noise, sets d:
		 * the rule d > 2 sigma made one fit in five iterate for
		 * nothing.
		 */
		d2 = step[3] * step[3];
		if (d2 * d2 <= f->tr[0]->newton_k2 * inv ||
		    fabs(step[3]) < 1e-7)
			break;
		/* still walking after 8 steps: it started too far from the
		 * peak, and where it stopped is no centre */
		if (it == 7)
			return -1;
	}
	/* a NaN or infinity in any makes the sum one */
	return isfinite(p[0] + p[1] + p[2] + p[3]) ? 0 : -1;
}

/*
 * Gauss-Newton with the weights re-evaluated from the model at each
 * iteration (iteratively reweighted least squares): converges to the
 * maximum-likelihood centres for Gaussian noise of the learned variance.
 */
static int fit_cluster(const struct cs_fbgtracker *q, const double *y, int lo,
		       int hi, double c, struct fit *f)
{
	const double sat = q->cfg.saturation;
	const int np = 2 + 2 * f->m, len = hi - lo + 1;
	double *p = f->p;
	double t[MAX_CLUSTER][ROW_MAX], d[MAX_CLUSTER][ROW_MAX];

	if (len > (int)(sizeof(t[0]) / sizeof(t[0][0])))
		return -1;
	f->saturated = 0;
	for (int it = 0; it < 8; it++) {
		double a[MAX_PAR * MAX_PAR] = { 0 }, b[MAX_PAR] = { 0 };
		double step[MAX_PAR], inv[MAX_PAR], srr = 0.0;
		int n = 0, converged = 1;

		for (int k = 0; k < f->m; k++)
			shape_row(&f->tr[k]->shape, p[3 + 2 * k], lo, len,
				  t[k], d[k]);
		for (int i = lo; i <= hi; i++) {
			double x = (double)i, j[MAX_PAR], m, r, w, sig = 0.0;

			if (y[i] >= sat) {
				f->saturated = 1;
				continue;
			}
			j[0] = 1.0;
			j[1] = x - c;
			m = p[0] + p[1] * (x - c);
			for (int k = 0; k < f->m; k++) {
				double tk = t[k][i - lo];

				j[2 + 2 * k] = tk;
				j[3 + 2 * k] = -p[2 + 2 * k] * d[k][i - lo];
				sig += p[2 + 2 * k] * tk;
			}
			m += sig;
			r = y[i] - m;
			w = 1.0 / (f->v0 + f->k * (sig > 0.0 ? sig : 0.0));
			srr += w * r * r;
			for (int u = 0; u < np; u++) {
				double wj = w * j[u];

				b[u] += wj * r;
				for (int v = 0; v <= u; v++)
					a[u * np + v] += wj * j[v];
			}
			n++;
		}
		if (n < np + 3)
			return -1;
		if (cs_solve_spd(np, a, b, step, inv))
			return -1;
		for (int k = 0; k < f->m; k++) {
			double *s = &step[3 + 2 * k];

			/* more than a pixel at once is a fit running away */
			*s = fmax(-1.0, fmin(1.0, *s));
			f->var_mu[k] = inv[3 + 2 * k];
			/* done when a step is a twentieth of the noise */
			if (*s * *s > 0.0025 * inv[3 + 2 * k] && fabs(*s) > 1e-7)
				converged = 0;
		}
		f->chi2 = srr;
		for (int u = 0; u < np; u++) {
			p[u] += step[u];
			f->chi2 -= b[u] * step[u];
		}
		f->n = n;
		if (converged)
			break;
	}
	for (int u = 0; u < np; u++)
		if (!isfinite(p[u]))
			return -1;
	return 0;
}

/* ---- the tracker ------------------------------------------------------ */

/* cs_wavescale_eval() and |cs_wavescale_slope()| in one pass, inline:
 * every tracked grating of every spectrum asks for both. */
static inline double scale_at(const struct cs_wavescale *ws, double px,
			      double *slope)
{
	double v = 0.0, d = 0.0;

	for (unsigned int i = ws->ncoeffs; i-- > 0;) {
		d = d * px + v;
		v = v * px + ws->c[i];
	}
	*slope = fabs(d);
	return v;
}

/* lround() without the libm call: half away from zero */
static inline int round_int(double v)
{
	return (int)(v < 0.0 ? v - 0.5 : v + 0.5);
}

/*
 * Windows for a reflection @width pixels wide: the fit's half-window (2.5
 * widths, within MAX_HALF), the Newton rule's scale, and, for a shape not
 * learned yet, a Gaussian template of @fwhm (the width when 0) on as many
 * nodes. A new half-window drops shape samples taken on the old nodes.
 */
static void track_size(struct track *tr, double width, double fwhm)
{
	int half;

	width = fmax(1.0, fmin(width, CS_FBGPEAK_FWHM_MAX));
	half = (int)ceil(2.5 * width);
	if (half > MAX_HALF)
		half = MAX_HALF;
	tr->width = width;
	tr->newton_k2 = (width / 15.0) * (width / 15.0);
	if (tr->shape_learned)
		return;
	if (half != tr->half) {
		memset(tr->acc, 0, sizeof(tr->acc));
		memset(tr->accn, 0, sizeof(tr->accn));
		memset(tr->phase_n, 0, sizeof(tr->phase_n));
		tr->batch = 0;
		tr->learned = 0;
		tr->prev_n = 0;
		tr->half = half;
	}
	shape_gaussian(&tr->shape, half,
		       (fwhm > 0.0 ? fwhm : width) / FWHM_PER_SIGMA);
	tr->fwhm_px = fwhm > 0.0 ? fwhm : width;
}

/* The peaks of @a and @b are one when closer than about their width. */
static inline double merge_px(const struct track *a, const struct track *b)
{
	return 0.5 * (a->width + b->width);
}

static void track_reset(const struct cs_fbgtracker *q, struct track *tr)
{
	const struct cs_fbg_grating *g = tr->g;
	double a = cs_wavescale_pixel(&q->cfg.scale,
				      g->centre_nm - g->halfwidth_nm,
				      q->cfg.npix);
	double b = cs_wavescale_pixel(&q->cfg.scale,
				      g->centre_nm + g->halfwidth_nm,
				      q->cfg.npix);

	memset(&tr->state, 0, sizeof(*tr) - offsetof(struct track, state));
	tr->state = SEARCHING;
	tr->search_lo = fmin(a, b);
	tr->search_hi = fmax(a, b);
	tr->half = -1;
	track_size(tr, q->cfg.fwhm_px > 0.0 ? q->cfg.fwhm_px : 3.0,
		   q->cfg.fwhm_px);
}

void cs_fbgtracker_reset(struct cs_fbgtracker *q)
{
	for (unsigned int i = 0; i < q->cfg.ngratings; i++)
		track_reset(q, &q->t[i]);
}

struct cs_fbgtracker *cs_fbgtracker_create(const struct cs_fbgtracker_config *cfg)
{
	struct cs_fbgpeak_config pcfg;
	struct cs_fbgtracker *q;

	if (!cfg || cfg->npix < 16 || cfg->npix > 65536 ||
	    cfg->scale.ncoeffs < 2 ||
	    cfg->scale.ncoeffs > CS_WAVESCALE_MAX_ORDER + 1 ||
	    !(cfg->min_snr > 0.0) || !(cfg->saturation > 0.0) ||
	    !(cfg->fwhm_px == 0.0 ||
	      (cfg->fwhm_px >= 1.0 && cfg->fwhm_px <= CS_FBGPEAK_FWHM_MAX)) ||
	    cfg->ngratings < 1 || cfg->ngratings > CS_FBGTRACKER_MAX ||
	    !cfg->gratings || !(fabs(cfg->source_slope_db_nm) <= 10.0)) {
		errno = EINVAL;
		return NULL;
	}
	for (unsigned int i = 0; i < cfg->ngratings; i++) {
		const struct cs_fbg_grating *g = &cfg->gratings[i];

		double px = cs_wavescale_pixel(&cfg->scale, g->centre_nm,
					       cfg->npix);

		/* a grating off the sensor can never be measured */
		if (!isfinite(g->centre_nm) || !(g->halfwidth_nm > 0.0) ||
		    !(px >= 0.0 && px <= (double)(cfg->npix - 1))) {
			errno = EINVAL;
			return NULL;
		}
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->cfg = *cfg;
	if (cfg->source_known)
		q->source_slope = cfg->source_slope_db_nm * LN_PER_DB;
	else	/* over the span: a source made for the interrogator */
		q->source_prior = CS_FBG_SOURCE_PRIOR_DB * LN_PER_DB /
			fabs(cs_wavescale_eval(&cfg->scale, cfg->npix - 1.0) -
			     cs_wavescale_eval(&cfg->scale, 0.0));
	q->gratings = calloc(cfg->ngratings, sizeof(*q->gratings));
	q->t = calloc(cfg->ngratings, sizeof(*q->t));
	q->work = malloc(cfg->npix * sizeof(*q->work));
	q->order = calloc(cfg->ngratings, sizeof(*q->order));
	pcfg.min_snr = cfg->min_snr;
	pcfg.saturation = cfg->saturation;
	pcfg.fwhm_guess = cfg->fwhm_px > 0.0 ? cfg->fwhm_px : 3.0;
	q->finder = cs_fbgpeak_finder_create(&pcfg);
	if (!q->gratings || !q->t || !q->work || !q->order || !q->finder) {
		cs_fbgtracker_destroy(q);
		errno = ENOMEM;
		return NULL;
	}
	memcpy(q->gratings, cfg->gratings,
	       cfg->ngratings * sizeof(*q->gratings));
	q->cfg.gratings = q->gratings;
	for (unsigned int i = 0; i < cfg->ngratings; i++) {
		q->t[i].g = &q->gratings[i];
		track_reset(q, &q->t[i]);
	}
	return q;
}

void cs_fbgtracker_destroy(struct cs_fbgtracker *q)
{
	if (!q)
		return;
	cs_fbgpeak_finder_destroy(q->finder);
	free(q->gratings);
	free(q->t);
	free(q->work);
	free(q->order);
	free(q);
}

/* v0 and k of variance = v0 + k s from decaying sums of n, s, s^2, r^2
 * and s r^2; 0, or -1 when they do not tell. */
static int noise_regress(double n1, double ns, double nss, double nr,
			 double nsr, double *v0, double *k)
{
	double det = n1 * nss - ns * ns;

	if (det > 1e-12 * n1 * nss) {
		*v0 = (nr * nss - ns * nsr) / det;
		*k = (n1 * nsr - ns * nr) / det;
		if (*k > 0.0 && *v0 > 0.0)
			return 0;
	}
	if (!(n1 > 0.0))
		return -1;
	*v0 = nr / n1;
	*k = 0.0;
	return *v0 > 0.0 ? 0 : -1;
}

/* A new noise model: variance v0 + k s at signal s. */
static void noise_model(struct track *tr, double v0, double k)
{
	tr->v0 = v0;
	tr->k = k;
	tr->noise = sqrt(v0);
}

/* A learned shape sample at centre @mu counted by its sub-pixel phase;
 * each LEARN_BATCH of them, the shape rebuilt. */
static void learn_batch(struct track *tr, double mu)
{
	/* mu >= 0 here (measure() reports it lost otherwise): the integer
	 * part by truncation, not a libm floor() call */
	tr->phase_n[(int)((mu - (int)mu) * BINS_PER_PX) % BINS_PER_PX] += 1.0;
	/* a first look at the centre's definition, then one a batch */
	if (tr->learned < LEARN_BATCH && ++tr->learned == 16) {
		double all, sp = centre_spread(tr, &all);

		tr->spread2 = sp > 0.0 ? sp * sp : 0.0;
		tr->spread2_all = all > 0.0 ? all * all : 0.0;
	}
	if (++tr->batch >= LEARN_BATCH) {
		double least = INFINITY, sum = 0.0, all;
		double sp = centre_spread(tr, &all);

		tr->spread2 = sp > 0.0 ? sp * sp : 0.0;
		tr->spread2_all = all > 0.0 ? all * all : 0.0;

		tr->batch = 0;
		for (int k = 0; k < BINS_PER_PX; k++) {
			least = fmin(least, tr->phase_n[k]);
			sum += tr->phase_n[k];
		}
		/*
		 * Only a grating that has sat at every sub-pixel phase shows
		 * its shape: from one phase, a shifted shape explains the
		 * samples as well as the true one, and the centre would drift
		 * with it. Until then the Gaussian stays.
		 */
		if (least >= 0.25 * sum / BINS_PER_PX)
			shape_rebuild(tr);
		/* older fits count less at each batch: the shape follows
		 * slow changes (a grating under strain can chirp) */
		for (int ph = 0; ph < BINS_PER_PX; ph++) {
			for (int i = 0; i * BINS_PER_PX < tr->shape.n; i++) {
				tr->acc[ph][i] *= LEARN_KEEP;
				tr->accn[ph][i] *= LEARN_KEEP;
			}
		}
		for (int k = 0; k < BINS_PER_PX; k++)
			tr->phase_n[k] *= LEARN_KEEP;
	}
}

/*
 * The residuals @v - a t of a learned fit against those of the last one:
 * if the grating sat still in between (same window, a small part of a
 * pixel, the same amplitude), half their squared change is the noise's
 * variance; these residuals are kept for the next.
 */
static int pure_noise(struct track *tr, int n, int lo, const struct fit *f,
		      const float *v, double dof)
{
	const double keep = 1.0 - 1.0 / NOISE_MEMORY, a = f->p[2];
	const int pair = tr->prev_n == n && tr->prev_lo == lo &&
			 fabs(f->p[3] - tr->prev_mu) < 0.1 &&
			 fabs(a - tr->prev_amp) < 0.05 * a;
	double s1 = 0.0, ss = 0.0, sr = 0.0, ssr = 0.0;

	for (int k = 0; k < n; k++) {
		const double s = a * f->t[k], sp = s > 0.0 ? s : 0.0;
		const float r = v[k] - (float)s;

		if (pair) {
			const double d = r - tr->prev_r[k], h = 0.5 * d * d;

			s1 += sp;
			ss += sp * sp;
			sr += h;
			ssr += sp * h;
		}
		tr->prev_r[k] = r;
	}
	tr->prev_n = n;
	tr->prev_lo = lo;
	tr->prev_mu = f->p[3];
	tr->prev_amp = a;
	if (!pair)
		return 0;
	tr->pn.n1 = tr->pn.n1 * keep + n;
	tr->pn.ns = tr->pn.ns * keep + s1;
	tr->pn.nss = tr->pn.nss * keep + ss;
	tr->pn.nr = tr->pn.nr * keep + dof * sr;
	tr->pn.nsr = tr->pn.nsr * keep + dof * ssr;
	tr->pn.weight = tr->pn.weight * keep + 1.0;
	return 1;
}

/*
 * The shape in f->t is the last iteration's, before its step: where that
 * step was more than 4 sigma (a fit that started far off, as after a
 * jump), it is evaluated again at the centre found, or the residuals
 * learn() takes for noise hold the step's misfit (on jumping gratings the
 * noise came out 5x its variance, the uncertainty 2x too wide). Smaller
 * steps are left as they were: their share is what keeps undersampled
 * reflections (1.5 px) covered, and re-evaluating costs a pass.
 */
static void fit_refresh_shape(struct fit *f, int lo, int hi)
{
	double t[2 * MAX_HALF + 1], d[2 * MAX_HALF + 1];
	const int n = hi - lo + 1;

	if (f->last_step * f->last_step <= 16.0 * f->var_mu[0] ||
	    n > 2 * MAX_HALF + 1)
		return;
	shape_row(&f->tr[0]->shape, f->p[3], lo, n, t, d);
	for (int k = 0; k < n; k++)
		f->t[k] = (float)t[k];
}

/*
 * Learning from one unsaturated single fit, in one pass over its pixels:
 * the noise model from its residuals (decaying sums), and with @shape the
 * reflection's samples, baseline out and scaled to a peak of 1, onto the
 * nearest template node. The shape is the fit's as of its last iteration:
 * its last step was small against the noise, which the statistics do not
 * feel.
 */
static void learn(struct track *tr, const double *y, int lo, int hi,
		  double c, const struct fit *f, int shape)
{
	struct shape *sh = &tr->shape;
	const double keep = 1.0 - 1.0 / NOISE_MEMORY, b1 = f->p[1];
	const double a = f->p[2], ra = 1.0 / a;	/* one division */
	const int n = hi - lo + 1;
	double dof = n > NPAR ? (double)n / (n - NPAR) : 1.0;
	double sums[4] = { 0 };	/* of s, s^2, r^2, s r^2 */
	double base = f->p[0] + b1 * ((double)lo - c), v0, kk;
	int paired;
	/* the samples with the baseline out */
	float v[2 * MAX_HALF + 1 + FIT_LANES];
	int j = shape ? round_int(((double)lo - f->p[3] - sh->u0) *
				  BINS_PER_PX) : 0;

#ifdef FIT_VEC
	learn_vec(y + lo, n, f->t, base, b1, a, v, sums);
#else
	for (int k = 0; k < n; k++, base += b1) {
		const double s = a * f->t[k], sp = s > 0.0 ? s : 0.0;
		double r2;

		v[k] = (float)(y[lo + k] - base);
		r2 = (v[k] - s) * (v[k] - s);
		sums[0] += sp;
		sums[1] += sp * sp;
		sums[2] += r2;
		sums[3] += sp * r2;
	}
#endif
	if (shape) {
		/* pixels k0 .. k1 fall on nodes 0 .. n - 1: in one plane, in
		 * a row */
		const int k0 = j >= 0 ? 0 :
			(-j + BINS_PER_PX - 1) / BINS_PER_PX;
		const int k1 = sh->n - 1 - j >= 0 ?
			(sh->n - 1 - j) / BINS_PER_PX : -1;
		const int end = k1 + 1 < n ? k1 + 1 : n;
		double *ac = node(tr->acc, j + k0 * BINS_PER_PX) - k0;
		double *an = node(tr->accn, j + k0 * BINS_PER_PX) - k0;

		for (int k = k0; k < end; k++) {
			ac[k] += v[k] * ra;
			an[k] += 1.0;
		}
	}
	tr->n1 = tr->n1 * keep + n;
	tr->ns = tr->ns * keep + sums[0];
	tr->nss = tr->nss * keep + sums[1];
	tr->nr = tr->nr * keep + dof * sums[2];
	tr->nsr = tr->nsr * keep + dof * sums[3];
	tr->nweight = tr->nweight * keep + 1.0;
	paired = pure_noise(tr, n, lo, f, v, dof);
	if (shape)
		learn_batch(tr, f->p[3]);
	if (tr->noise_pure && !paired)
		return;		/* nothing new */
	/* the noise alone once it is known, else what the fits leave */
	if (tr->pn.weight >= NOISE_WARMUP &&
	    !noise_regress(tr->pn.n1, tr->pn.ns, tr->pn.nss, tr->pn.nr,
			   tr->pn.nsr, &v0, &kk)) {
		noise_model(tr, v0, kk);
		tr->noise_pure = 1;
		return;
	}
	if (tr->nweight < NOISE_WARMUP ||
	    noise_regress(tr->n1, tr->ns, tr->nss, tr->nr, tr->nsr, &v0, &kk))
		return;
	noise_model(tr, v0, kk);
}

/* y with the predicted peaks of the other tracked gratings on @fibre near
 * [lo, hi] taken out, so that a neighbour's tail does not pull a fit. */
static const double *without_neighbours(struct cs_fbgtracker *q,
					const double *y, unsigned int self,
					unsigned int fibre, int lo, int hi)
{
	int copied = 0;

	for (unsigned int j = 0; j < q->cfg.ngratings; j++) {
		struct track *o = &q->t[j];

		if (j == self || o->g->fibre != fibre || o->state != TRACKING ||
		    o->pred < lo - o->half - TMPL_MARGIN ||
		    o->pred > hi + o->half + TMPL_MARGIN)
			continue;
		if (!copied) {
			memcpy(q->work + lo, y + lo,
			       (size_t)(hi - lo + 1) * sizeof(*y));
			copied = 1;
		}
		/* its template's reach only */
		for (int i = (int)fmax(lo, o->pred - o->half - TMPL_MARGIN);
		     i <= (int)fmin(hi, o->pred + o->half + TMPL_MARGIN); i++) {
			double t, d;

			shape_eval(&o->shape, i - o->pred, &t, &d);
			q->work[i] -= o->amp * t;
		}
	}
	return copied ? q->work : y;
}

static double spectrum_noise(struct cs_fbgtracker *q, const double *y)
{
	if (isnan(q->noise))
		q->noise = cs_spectrum_noise(y, q->cfg.npix);
	return q->noise;
}

/*
 * Does grating @idx's window hold a second reflection, besides the one
 * found at @pk, that no other grating's window explains? Either could be
 * this grating's: it is not for the tracker to choose. A reflection a
 * quarter as high as the one found counts (a uniform grating's side lobes
 * are a twentieth).
 */
static int second_reflection(struct cs_fbgtracker *q, unsigned int idx,
			     const double *ys, int lo, int hi,
			     const struct cs_fbgpeak *pk)
{
	const double gap = 2.0 * fmax(pk->fwhm, q->t[idx].width);
	const int a = (int)floor(pk->position - gap);
	const int b = (int)ceil(pk->position + gap);

	for (int side = 0; side < 2; side++) {
		int l = side ? b : lo, h = side ? hi : a;
		struct cs_fbgpeak p2;
		int claimed = 0;

		if (h - l < 3 ||
		    cs_fbgpeak_finder_execute(q->finder, ys, q->cfg.npix,
					      (size_t)l, (size_t)h, q->noise,
					      &p2) ||
		    !(p2.amplitude > 0.25 * pk->amplitude))
			continue;
		for (unsigned int j = 0; j < q->cfg.ngratings; j++)
			if (j != idx &&
			    q->t[j].g->fibre == q->t[idx].g->fibre &&
			    p2.position >= q->t[j].search_lo - 1.0 &&
			    p2.position <= q->t[j].search_hi + 1.0)
				claimed = 1;
		if (!claimed)
			return 1;
	}
	return 0;
}

/* A grating with no track: look for it in its search window. */
static void search(struct cs_fbgtracker *q, unsigned int idx, const double *y,
		   unsigned int fibre, struct cs_fbg_result *out)
{
	struct track *tr = &q->t[idx];
	int npix = (int)q->cfg.npix;
	int lo = (int)ceil(tr->search_lo), hi = (int)floor(tr->search_hi);
	struct cs_fbgpeak pk;
	const double *ys;
	double width = q->cfg.fwhm_px;
	const int ext = MAX_HALF + TMPL_MARGIN;

	if (lo < 1)
		lo = 1;
	if (hi > npix - 2)
		hi = npix - 2;
	if (hi < lo)
		return;
	/* neighbours out over the window and the finder's reach (and the
	 * width measurement's) */
	ys = without_neighbours(q, y, idx, fibre, lo > ext ? lo - ext : 0,
				hi + ext < npix ? hi + ext : npix - 1);
	if (ys != y) {
		/* the finder reads the whole spectrum: complete the copy */
		int a = lo > ext ? lo - ext : 0;
		int b = hi + ext < npix ? hi + ext : npix - 1;

		memcpy(q->work, y, (size_t)a * sizeof(*y));
		memcpy(q->work + b + 1, y + b + 1,
		       (size_t)(npix - b - 1) * sizeof(*y));
	}
	/* the width, from the data unless --fwhm says it or the shape is
	 * learned (then it stands): it sizes the finder's reach and fit */
	if (!(width > 0.0)) {
		width = tr->width;
		if (!tr->shape_learned) {
			double w = cs_fbgpeak_width(ys, q->cfg.npix, (size_t)lo,
						    (size_t)hi,
						    spectrum_noise(q, y),
						    q->cfg.min_snr);

			if (w > 0.0)
				width = fmin(w, CS_FBGPEAK_FWHM_MAX);
		}
	}
	cs_fbgpeak_finder_set_fwhm(q->finder, fmax(width, 1.0));
	/* nothing left once the neighbours are out: then the peak there
	 * (if any) is a neighbour's, checked below as one */
	if (cs_fbgpeak_finder_execute(q->finder, ys, q->cfg.npix, (size_t)lo,
				      (size_t)hi, spectrum_noise(q, y), &pk) &&
	    (ys == y ||
	     cs_fbgpeak_finder_execute(q->finder, y, q->cfg.npix, (size_t)lo,
				       (size_t)hi, spectrum_noise(q, y), &pk)))
		return;
	/*
	 * A peak another grating is tracking is not this one alone: where
	 * this grating has no peak of its own in its window, its reflection
	 * and the other's may be one peak (two gratings closer than a width
	 * cannot be told apart), and the value of either would be one of
	 * the flanks. Both are merged, with no value, until two peaks show.
	 */
	for (unsigned int j = 0; j < q->cfg.ngratings; j++) {
		struct track *o = &q->t[j];

		if (j != idx && o->g->fibre == fibre &&
		    o->state != SEARCHING &&
		    fabs(o->pred - pk.position) <
			    0.5 * (fmax(width, 1.0) + o->width)) {
			if (o->state == TRACKING) {
				o->state = COASTING;
				o->pos = o->pred;
			}
			out[j].status = CS_FBG_MERGED;
			out[idx].status = CS_FBG_MERGED;
			return;
		}
	}
	/* two reflections for one grating: said, not resolved (slow, but
	 * only while it lasts) */
	if (second_reflection(q, idx, ys, lo, hi, &pk)) {
		out[idx].status = CS_FBG_AMBIGUOUS;
		return;
	}
	tr->state = TRACKING;
	tr->pos = pk.position;
	tr->pred = pk.position;
	tr->vel = 0.0;
	tr->amp = pk.amplitude;
	tr->b0 = pk.baseline;
	tr->b1 = 0.0;
	/* windows by the width; the first template, the Gaussian fitted */
	track_size(tr, width, fmax(pk.fwhm, 1.0));
	if (tr->nweight < NOISE_WARMUP) {
		double nz = spectrum_noise(q, y);

		noise_model(tr, nz > 0.0 ? nz * nz : 1.0, 0.0);
	}
}

/* The chi-square that @nu degrees of freedom of noise exceed once in
 * 10 000 fits (Wilson and Hilferty's cube-root normal approximation). */
static inline double chi2_limit(double nu)
{
	const double z = 3.719, c = 2.0 / (9.0 * nu);
	double t = 1.0 - c + z * sqrt(c);

	return nu * t * t * t;
}

/*
 * A tracked grating not where it was predicted: where in its declared
 * window is it in this spectrum? The highest point of the window, its
 * neighbours' predicted peaks out and smoothed over three pixels, becomes
 * its prediction (by a parabola through the top), for the fit to start
 * from; the fit then says whether a reflection is there. 0, or -1 when
 * the window is off the spectrum.
 */
static int reacquire(struct cs_fbgtracker *q, struct track *tr,
		     unsigned int self, const double *y)
{
	int npix = (int)q->cfg.npix, best = -1;
	int lo = (int)ceil(tr->search_lo), hi = (int)floor(tr->search_hi);
	double top = -INFINITY;
	const double *ys;

	if (lo < 1)
		lo = 1;
	if (hi > npix - 2)
		hi = npix - 2;
	if (hi < lo)
		return -1;
	ys = without_neighbours(q, y, self, tr->g->fibre, lo - 1, hi + 1);
	for (int i = lo; i <= hi; i++) {
		double v = ys[i - 1] + ys[i] + ys[i + 1];

		if (v > top) {
			top = v;
			best = i;
		}
	}
	tr->pred = best;
	{
		double den = ys[best - 1] - 2.0 * ys[best] + ys[best + 1];

		if (den < 0.0)
			tr->pred += fmax(-0.5, fmin(0.5, 0.5 * (ys[best - 1] -
						ys[best + 1]) / den));
	}
	tr->amp = ys[best] - tr->b0;
	tr->vel = 0.0;
	tr->lo0 = INT_MIN;	/* nothing made ahead */
	return 0;
}

/* The reflection's area within half the window around mu, above the line
 * fitted to the rest of it: how much light it returns, whatever shape is
 * learned and whatever weights the fit had (the fit's height steps by
 * 0.05-0.1 % as they are learned, as much as the source changes over a
 * few pixels). Pixels at the regions' edges count in part, so the area
 * changes smoothly with mu: a window placed by whole pixels gave a 3-px
 * reflection's area a sawtooth in its sub-pixel position. */
static double window_area(const double *y, int lo, int hi, double mu,
			  double fwhm, int half)
{
	double h = fmin(mu - lo, hi - mu), in = 0.5 * h;
	double sw = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0;
	double det, b, slope, sum = 0.0;

	/* Where the reflection is wider than that (a window sized by
	 * --fwhm for a narrower one) its flanks are the baseline, and the
	 * area is a part of the reflection's: still the source's times a
	 * constant, if the regions do not move with mu against the pixels
	 * (their edges out of the flanks' steps). */
	if (!(in >= fwhm)) {
		h = fmin(h, half - 2.0);
		in = 0.5 * h;
	}
	if (!(in >= 2.0))
		return 0.0;
	for (int i = lo; i <= hi; i++) {
		double d = fabs(i - mu), x = i - mu;
		double wi = fmin(fmax(in + 0.5 - d, 0.0), 1.0);
		double wo = fmin(fmax(h + 0.5 - d, 0.0), 1.0) - wi;

		sw += wo;
		sx += wo * x;
		sy += wo * y[i];
		sxx += wo * x * x;
		sxy += wo * x * y[i];
	}
	det = sw * sxx - sx * sx;
	if (!(det > 0.0))
		return 0.0;
	b = (sxx * sy - sx * sxy) / det;
	slope = (sw * sxy - sx * sy) / det;
	for (int i = lo; i <= hi; i++) {
		double d = fabs(i - mu);
		double wi = fmin(fmax(in + 0.5 - d, 0.0), 1.0);

		sum += wi * (y[i] - b - slope * (i - mu));
	}
	return sum;
}

/*
 * The source's log slope under the reflection, k per pixel, from the
 * reflection's areas and positions so far (decaying sums over SKEW_MEMORY
 * spectra): its top is k sigma^2 off the grating's wavelength. The log of
 * the area is fitted to the position and to the age (spectra ago)
 * together: a grating fading or widening as it drifts changes its area
 * with time, not with where it is, and a source is told from that only as
 * far as the grating has moved back and forth (drifting one way, the two
 * are one: k's standard error stays wide and the prior stands; fitted to
 * the position alone, a grating fading 30 % over 4 px read 35 pm off,
 * ok, err/unc 440). Once k is known to SKEW_RESOLVED times the fit's own
 * uncertainty (its standard error times sigma^2), that shift is taken off
 * where k is over SKEW_SIGMAS of its standard errors, and counted in the
 * variance where it is not; what k's standard error leaves is counted
 * either way. Before: the prior's variance of k, @prior2 per pixel^2,
 * narrowed by what was measured, and the narrowed mean's square, times
 * sigma^4.
 * Returns the shift to take off, pixels; adds to *var, pixels^2.
 */
static double source_skew(struct track *tr, double mu, double area,
			  double prior2, double *var)
{
	struct skew *s = &tr->skew;
	const double keep = 1.0 - 1.0 / SKEW_MEMORY;
	const double sig2 = tr->shape.skew_sig2, sig4 = sig2 * sig2;
	double x, y, sxx, stt, sxt, sxy, sty, syy, det, k, r, se2;

	if (s->w == 0.0)
		s->ref = mu;
	x = mu - s->ref;
	y = log(area);
	/* every earlier spectrum a spectrum older (t -> t + 1), this one
	 * age 0: the sums stay as small as the memory */
	s->tt += 2.0 * s->t + s->w;
	s->t += s->w;
	s->xt += s->x;
	s->yt += s->y;
	s->w = s->w * keep + 1.0;
	s->x = s->x * keep + x;
	s->y = s->y * keep + y;
	s->t *= keep;
	s->xx = s->xx * keep + x * x;
	s->yy = s->yy * keep + y * y;
	s->tt *= keep;
	s->xy = s->xy * keep + x * y;
	s->xt *= keep;
	s->yt *= keep;
	sxx = s->xx - s->x * s->x / s->w;
	stt = s->tt - s->t * s->t / s->w;
	sxt = s->xt - s->x * s->t / s->w;
	det = sxx * stt - sxt * sxt;
	/* no move, or none that is not a drift with time: the prior */
	if (s->w < 64.0 || !(det > 1e-9 * sxx * stt)) {
		*var += prior2 * sig4;
		return 0.0;
	}
	sxy = s->xy - s->x * s->y / s->w;
	sty = s->yt - s->t * s->y / s->w;
	syy = s->yy - s->y * s->y / s->w;
	k = (stt * sxy - sxt * sty) / det;
	r = (sxx * sty - sxt * sxy) / det;
	se2 = fmax(syy - k * sxy - r * sty, 0.0) / (s->w - 3.0) * stt / det;
	if (!(se2 * sig4 <= SKEW_RESOLVED * SKEW_RESOLVED * *var)) {
		/* a source's slope, narrowed by what was measured (a
		 * normal prior times a normal likelihood): its mean
		 * square, as nothing is taken off */
		const double post = prior2 / (prior2 + se2), kp = k * post;

		*var += (kp * kp + se2 * post) * sig4;
		return 0.0;
	}
	if (k * k > SKEW_SIGMAS * SKEW_SIGMAS * se2) {
		*var += se2 * sig4;
		return k * sig2;
	}
	*var += (k * k + se2) * sig4;
	return 0.0;
}

/*
 * How far the source's slope moves a reflection's top at @mu, pixels, to
 * take off; its uncertainty added to *var. Learned (source_skew()) where
 * the reflection's area can be followed (@learn: alone and unclipped),
 * the prior's counted where it cannot.
 */
static double source_shift(struct cs_fbgtracker *q, struct track *tr,
			   const double *y, int lo, int hi, double mu,
			   int learn, double *var)
{
	const double sig2 = tr->shape.skew_sig2;
	double dl = cs_wavescale_slope(&q->cfg.scale, mu), prior2, area;

	if (q->source_prior == 0.0)
		return q->source_slope * dl * sig2;
	prior2 = q->source_prior * q->source_prior * dl * dl;
	area = learn ? window_area(y, lo, hi, mu, tr->fwhm_px, tr->half) : 0.0;
	if (area > 0.0)
		return source_skew(tr, mu, area, prior2, var);
	*var += prior2 * sig2 * sig2;
	return 0.0;
}

/*
 * A reflection whose width has changed since its shape was learned (a
 * grating widening under a strain gradient) outruns the learning, which
 * remembers ~4000 spectra: its fits are misfit, then fail, and it was
 * lost though there. After RESEED_MISFITS misfit fits in a row, or a fit
 * that fails, its width is measured again around where it was; where it
 * is over RESEED_CHANGE off the last one measured (the same measure: an
 * asymmetric reflection's learned shape is not, and is misfit for good),
 * the shape starts again from a Gaussian of that width, its
 * windows sized by it. Not under --fwhm. Returns 1 where it did.
 */
#define RESEED_MISFITS 32
#define RESEED_CHANGE 0.05
static int reseed(struct cs_fbgtracker *q, struct track *tr, const double *y)
{
	double reach = 3.0 * tr->width, w;
	double a = fmax(fmax(tr->search_lo, tr->pos - reach), 0.0);
	double b = fmin(fmin(tr->search_hi, tr->pos + reach),
			q->cfg.npix - 1.0);

	tr->misfits = 0;
	if (q->cfg.fwhm_px > 0.0 || !tr->shape_learned || !(b > a + 8.0))
		return 0;
	w = cs_fbgpeak_width(y, q->cfg.npix, (size_t)a, (size_t)b,
			     spectrum_noise(q, y), q->cfg.min_snr);
	if (!(w > 0.0))
		return 0;
	w = fmin(w, CS_FBGPEAK_FWHM_MAX);
	if (fabs(w / tr->width - 1.0) < RESEED_CHANGE)
		return 0;
	tr->shape_learned = 0;
	tr->half = -1;
	track_size(tr, w, w);
	tr->chi2_mean = fmin(tr->chi2_mean, 1.0);
	memset(&tr->skew, 0, sizeof(tr->skew));
	return 1;
}

/* Fit a cluster of tracked gratings (sorted by position) and report each;
 * a single grating not found where predicted is looked for in its whole
 * window (reacquire()) and fitted there, in the same spectrum. */
static void measure(struct cs_fbgtracker *q, struct track **members, int m,
		    const unsigned int *idx, const double *y,
		    struct cs_fbg_result *out, int retry)
{
	int npix = (int)q->cfg.npix, lo, hi, centre;
	const double share = 1.0 / m;	/* one division, not three a member */
	struct fit f;

	f.m = m;
	f.v0 = f.k = 0.0;
	/* 2 half pixels a member, the two around its prediction in the
	 * middle (an even count: for 3 px FWHM, four whole vectors) */
	lo = round_int(members[0]->pred - 0.5) - members[0]->half + 1;
	hi = round_int(members[m - 1]->pred - 0.5) + members[m - 1]->half;
	centre = round_int(0.5 * (members[0]->pred + members[m - 1]->pred));
	if (lo < 0)
		lo = 0;
	if (hi > npix - 1)
		hi = npix - 1;
	f.p[0] = 0.0;
	f.p[1] = 0.0;
	for (int k = 0; k < m; k++) {
		struct track *tr = members[k];

		f.tr[k] = tr;
		f.p[0] += tr->b0 * share;
		f.p[2 + 2 * k] = tr->amp;
		f.p[3 + 2 * k] = tr->pred;
		/* one sensor, one noise: the members' models averaged */
		f.v0 += tr->v0 * share;
		f.k += tr->k * share;
	}
	if (hi - lo < 2 + 2 * m + 3 ||
	    (m == 1 ? fit_single(q, y, lo, hi, centre, &f) :
		      fit_cluster(q, y, lo, hi, centre, &f))) {
		if (m == 1 && !retry && !reacquire(q, members[0], idx[0], y)) {
			measure(q, members, 1, idx, y, out, 1);
			return;
		}
		if (m == 1 && retry == 1 && reseed(q, members[0], y)) {
			measure(q, members, 1, idx, y, out, 2);
			return;
		}
		for (int k = 0; k < m; k++) {
			members[k]->state = SEARCHING;
			out[idx[k]].status = CS_FBG_LOST;
		}
		return;
	}
	for (int k = 0; k < m; k++) {
		struct track *tr = members[k];
		struct cs_fbg_result *o = &out[idx[k]];
		double a = f.p[2 + 2 * k], mu = f.p[3 + 2 * k];
		double noise = tr->noise, slope, nu, var, ratio, skew;
		int misfit;

		/* gone, or it ran off: lost, never a made-up value */
		if (!(a > q->cfg.min_snr * noise) || !(mu >= 0.0) ||
		    !(mu <= npix - 1.0) ||
		    fabs(mu - tr->pred) > 0.75 * tr->width + 1.0) {
			if (m == 1 && !retry &&
			    !reacquire(q, tr, idx[0], y)) {
				measure(q, members, 1, idx, y, out, 1);
				return;
			}
			tr->state = SEARCHING;
			o->status = CS_FBG_LOST;
			continue;
		}
		nu = f.n - (2 + 2 * m);
		if (nu != q->chi2_nu) {
			q->chi2_nu = nu;
			q->chi2_rnu = 1.0 / nu;
			q->chi2_lim = chi2_limit(nu);
		}
		ratio = f.chi2 * q->chi2_rnu;
		/* a fit no noise explains, of a grating that may have
		 * jumped: is its reflection elsewhere in its window? */
		misfit = (tr->noise_pure || tr->nweight >= NOISE_WARMUP) &&
			 f.chi2 > q->chi2_lim;
		if (misfit && m == 1 && !retry) {
			const double pred = tr->pred, amp = tr->amp;
			const double vel = tr->vel;

			/* only a top off this reflection is another: on a
			 * flat or asymmetric one (a shape not learned yet)
			 * the highest pixel is anywhere on its top */
			if (!reacquire(q, tr, idx[0], y) &&
			    fabs(tr->pred - mu) > 0.5 * tr->width + 1.0) {
				measure(q, members, 1, idx, y, out, 1);
				return;
			}
			tr->pred = pred;	/* no: this one stands */
			tr->amp = amp;
			tr->vel = vel;
		}
		tr->vel += VEL_GAIN * (mu - tr->pred);
		tr->pos = mu;
		tr->b0 = f.p[0] + f.p[1] * (mu - centre);
		tr->b1 = f.p[1];
		tr->amp = a;
		/* noise and shape change slowly: learning from one spectrum
		 * in LEARN_EVERY costs a fraction and loses nothing */
		if (m == 1 && !f.saturated && ++tr->learn_tick >= LEARN_EVERY) {
			tr->learn_tick = 0;
			fit_refresh_shape(&f, lo, hi);
			learn(tr, y, lo, hi, (double)centre, &f,
			      q->cfg.learn_shape && a > 10.0 * noise);
		}
		/*
		 * The fit against the noise: chi-square over its degrees of
		 * freedom. Where the model leaves more than noise, the
		 * centre is less certain by that factor (the Birge ratio),
		 * and a fit no noise explains (chance 1e-4) is flagged once
		 * a noise model is learned. The centre's definition on an
		 * asymmetric reflection (centre_spread()) adds its own part.
		 */
		var = f.var_mu[k];
		tr->chi2_mean += (ratio - tr->chi2_mean) * (1.0 / 512);
		if (ratio > 1.0)
			var *= ratio;
		/*
		 * Where the shape is seen not to fit (its fits' chi-square
		 * over the noise's on average), the centre's definition by
		 * the landmarks whatever their noise, and the ambiguity of
		 * what pixels cannot resolve (subpixel_ambiguity()), times
		 * ALIAS_GAIN. Elsewhere the landmarks only where they are
		 * over their noise: the noise of a flat or sinc^2 top's
		 * landmarks (0.2-0.5 px) is no part of the centre's error.
		 * A wide reflection skewed by a sloped source fits well and
		 * its landmarks agree: that is source_skew()'s.
		 */
		if (tr->noise_pure && tr->chi2_mean > 1.05)
			var += ALIAS_GAIN * ALIAS_GAIN * tr->alias2 +
			       fmax(tr->spread2, tr->spread2_all);
		else
			var += tr->spread2;
		/* until a noise model is learned (~128 spectra), the noise
		 * is the spectrum's, without the shot noise of the peak:
		 * the uncertainty doubled covers what it leaves out */
		if (!tr->noise_pure && tr->nweight < NOISE_WARMUP)
			var *= 4.0;
		skew = source_shift(q, tr, y, lo, hi, mu,
				    m == 1 && !f.saturated, &var);
		o->status = f.saturated ? CS_FBG_SATURATED : CS_FBG_OK;
		if (misfit)
			o->status = CS_FBG_MISFIT;
		if (m == 1 && (misfit ? ++tr->misfits >= RESEED_MISFITS :
				       (tr->misfits = 0)))
			reseed(q, tr, y);
		o->position = mu - skew;
		o->wavelength = scale_at(&q->cfg.scale, mu - skew, &slope);
		o->sigma_nm = var > 0.0 ? slope * sqrt(var) : 0.0;
		o->fwhm_nm = slope * tr->fwhm_px;
		o->amplitude = a;
		o->snr = a / noise;
	}
}

/* The gratings on @fibre in @state, by predicted position, into @order;
 * returns how many. */
static int sort_by_prediction(const struct cs_fbgtracker *q,
			      unsigned int fibre, enum track_state state,
			      unsigned int *order)
{
	int count = 0;

	for (unsigned int i = 0; i < q->cfg.ngratings; i++)
		if (q->t[i].g->fibre == fibre && q->t[i].state == state)
			order[count++] = i;
	for (int a = 1; a < count; a++)
		for (int b = a; b > 0 &&
		     q->t[order[b]].pred < q->t[order[b - 1]].pred; b--) {
			unsigned int tmp = order[b];

			order[b] = order[b - 1];
			order[b - 1] = tmp;
		}
	return count;
}

int cs_fbgtracker_execute(struct cs_fbgtracker *q, const double *y,
			  unsigned int fibre, struct cs_fbg_result *out)
{
	unsigned int n = q ? q->cfg.ngratings : 0, *order;
	int measured = 0, count = 0, searching = 0, coasting = 0;

	if (!q || !y || !out)
		return -EINVAL;
	q->noise = NAN;
	order = q->order;
	/* predictions first: merges and neighbours need all of them */
	for (unsigned int i = 0; i < n; i++) {
		struct track *tr = &q->t[i];

		out[i].status = CS_FBG_OTHER_FIBRE;
		out[i].position = out[i].wavelength = NAN;
		out[i].sigma_nm = out[i].amplitude = out[i].snr = NAN;
		out[i].fwhm_nm = NAN;
		if (tr->g->fibre != fibre)
			continue;
		out[i].status = CS_FBG_LOST;
		if (tr->state == SEARCHING) {
			tr->lo0 = INT_MIN;	/* nothing made ahead */
			searching++;
			continue;
		}
		tr->pred = tr->pos + tr->vel;
		tr->lo0 = round_int(tr->pred - 0.5) - tr->half + 1;
		tr->j0 = row_node(&tr->shape, tr->pred, tr->lo0, &tr->frac0);
		tr->state = TRACKING;
	}
	/*
	 * Two peaks closer than a width are one: neither has a value. By
	 * position, a peak's nearest neighbour is next to it in the order.
	 */
	count = sort_by_prediction(q, fibre, TRACKING, order);
	for (int a = 0; a + 1 < count; a++) {
		struct track *tr = &q->t[order[a]], *o = &q->t[order[a + 1]];

		if (fabs(o->pred - tr->pred) < merge_px(tr, o)) {
			tr->state = o->state = COASTING;
			coasting = 1;
		}
	}
	for (int a = 0; a < count; a++) {
		struct track *tr = &q->t[order[a]];

		if (tr->state == COASTING) {
			/* follow the drift until they part */
			tr->pos = tr->pred;
			out[order[a]].status = CS_FBG_MERGED;
		}
	}
	for (unsigned int i = 0; searching && i < n; i++)
		if (q->t[i].g->fibre == fibre && q->t[i].state == SEARCHING)
			search(q, i, y, fibre, out);
	/* the tracked ones, by position (as they were, unless one was
	 * found or merged); neighbours in reach fit together */
	if (searching || coasting)
		count = sort_by_prediction(q, fibre, TRACKING, order);
	for (int a = 0; a < count;) {
		struct track *members[MAX_CLUSTER];
		int m = 1;

		members[0] = &q->t[order[a]];
		while (a + m < count && m < MAX_CLUSTER &&
		       q->t[order[a + m]].pred - members[m - 1]->pred <
			       members[m - 1]->half + q->t[order[a + m]].half) {
			members[m] = &q->t[order[a + m]];
			m++;
		}
		measure(q, members, m, &order[a], y, out, 0);
		a += m;
	}
	for (unsigned int i = 0; i < n; i++)
		if (out[i].status == CS_FBG_OK ||
		    out[i].status == CS_FBG_SATURATED ||
		    out[i].status == CS_FBG_MISFIT)
			measured++;
	return measured;
}
