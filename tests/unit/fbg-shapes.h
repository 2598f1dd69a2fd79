/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Spectra the project's generator (fbgsynth) does not make, for the
 * tracker's width and honesty tests and benchmark: reflections of other
 * shapes (Lorentzian, flat-topped, sinc^2 with side lobes, asymmetric)
 * 3-80 pixels wide on a finely sampled axis (8 pm a pixel, as a Hyperion
 * export), read + shot noise, quantised as a 16-bit or a 32-bit reading
 * of the same light. Written here, from their formulas, with their own
 * noise source: nothing in them comes from the code under test. The
 * tracker is not told the width (fwhm_px 0): it measures it.
 */
#ifndef FBG_SHAPES_H
#define FBG_SHAPES_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

#define SH_NPIX 2048
#define SH_PX0 1000.0		/* where the grating starts */
#define SH_NM0 1540.0
#define SH_NM_PER_PX 0.008

enum sh_kind { SH_GAUSS, SH_LORENTZ, SH_FLATTOP, SH_SINC2, SH_ASYM };

struct sh_case {
	const char *name;
	enum sh_kind kind;
	double fwhm_px;
	double snr_db;		/* amplitude over the noise at the top */
	int bits;		/* 16 or 32: the reading's scale */
};

/* The cases of the test and the benchmark: every shape at 3-80 px, three
 * SNRs, and a 32-bit reading of the same light as two 16-bit ones. */
static const struct sh_case sh_cases[] = {
	{ "gaussian", SH_GAUSS, 3, 30, 16 },
	{ "gaussian", SH_GAUSS, 17, 30, 16 },
	{ "gaussian", SH_GAUSS, 40, 30, 16 },
	{ "gaussian", SH_GAUSS, 80, 30, 16 },
	{ "gaussian", SH_GAUSS, 17, 20, 16 },
	{ "gaussian", SH_GAUSS, 17, 40, 16 },
	{ "gaussian", SH_GAUSS, 17, 30, 32 },
	{ "lorentzian", SH_LORENTZ, 3, 30, 16 },
	{ "lorentzian", SH_LORENTZ, 17, 30, 16 },
	{ "lorentzian", SH_LORENTZ, 40, 30, 16 },
	{ "lorentzian", SH_LORENTZ, 80, 30, 16 },
	{ "lorentzian", SH_LORENTZ, 40, 20, 16 },
	{ "lorentzian", SH_LORENTZ, 40, 30, 32 },
	/* edges sharper than a pixel: the learned shape (1/8 px nodes,
	 * smoothed over a quarter pixel) cannot follow them, the fit is 3x
	 * the bound, and its uncertainty must say so */
	{ "flat-top", SH_FLATTOP, 3, 30, 16 },
	{ "flat-top", SH_FLATTOP, 17, 30, 16 },
	{ "flat-top", SH_FLATTOP, 40, 30, 16 },
	{ "flat-top", SH_FLATTOP, 80, 30, 16 },
	{ "sinc^2", SH_SINC2, 3, 30, 16 },
	{ "sinc^2", SH_SINC2, 17, 30, 16 },
	{ "sinc^2", SH_SINC2, 40, 30, 16 },
	{ "sinc^2", SH_SINC2, 80, 30, 16 },
	{ "asymmetric", SH_ASYM, 3, 30, 16 },
	{ "asymmetric", SH_ASYM, 17, 30, 16 },
	{ "asymmetric", SH_ASYM, 40, 30, 16 },
	{ "asymmetric", SH_ASYM, 80, 30, 16 },
};

#define SH_NCASES (sizeof(sh_cases) / sizeof(sh_cases[0]))

/* The reflection, peak 1 at u = 0, full width at half maximum w. The
 * asymmetric one is two half-Lorentzians, the right 1.6 times as wide;
 * its centre is its maximum (as fbgsim's). */
static inline double sh_shape(enum sh_kind k, double u, double w)
{
	double x;

	switch (k) {
	case SH_GAUSS:
		return exp(-4.0 * M_LN2 * u * u / (w * w));
	case SH_LORENTZ:
		return 1.0 / (1.0 + 4.0 * u * u / (w * w));
	case SH_FLATTOP:	/* super-Gaussian of order 6 */
		x = 2.0 * fabs(u) / w;
		return exp(-M_LN2 * x * x * x * x * x * x);
	case SH_SINC2:		/* half maximum at x = 1.39156 */
		x = 2.0 * 1.3915573782515103 * u / w;
		return fabs(x) < 1e-9 ? 1.0 : pow(sin(x) / x, 2);
	case SH_ASYM:
		w = u > 0 ? 1.6 * w / 1.3 : w / 1.3;	/* FWHM stays w */
		return 1.0 / (1.0 + 4.0 * u * u / (w * w));
	}
	return 0.0;
}

/* splitmix64 and Box-Muller: a noise source of the test's own */
struct sh_rng {
	uint64_t s;
};

static inline double sh_uniform(struct sh_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static inline double sh_randn(struct sh_rng *r)
{
	return sqrt(-2.0 * log(sh_uniform(r))) *
	       cos(2.0 * M_PI * sh_uniform(r));
}

/* Light in 16-bit counts: a sloped source, 3 % stray light, the
 * reflection half the source; 80 % of the noise variance at the top shot
 * noise. A 32-bit reading is the same light times 65536. */
struct sh_rig {
	double amp, base0, slope, read, gain, scale;
};

static inline struct sh_rig sh_rig(const struct sh_case *c)
{
	struct sh_rig r;
	double sigma, top;

	r.amp = 20000.0;
	r.base0 = 1000.0 + 0.03 * 40000.0;
	r.slope = 0.5;		/* counts a pixel */
	top = r.base0 + r.amp;
	sigma = r.amp / pow(10.0, c->snr_db / 20.0);
	r.read = sqrt(0.2) * sigma;
	r.gain = top / (0.8 * sigma * sigma);	/* electrons a count */
	r.scale = c->bits == 32 ? 65536.0 : 1.0;
	return r;
}

static inline double sh_mean(const struct sh_case *c, const struct sh_rig *r,
			     int i, double mu)
{
	return r->base0 + r->slope * (i - SH_PX0) +
	       r->amp * sh_shape(c->kind, i - mu, c->fwhm_px);
}

static inline void sh_spectrum(const struct sh_case *c, const struct sh_rig *r,
			       double mu, struct sh_rng *g, double *y)
{
	for (int i = 0; i < SH_NPIX; i++) {
		double m = sh_mean(c, r, i, mu);
		double v = r->read * r->read + m / r->gain;

		/* quantised as the reading is */
		y[i] = round((m + sqrt(v) * sh_randn(g)) * r->scale);
	}
}

/*
 * The Cramer-Rao bound of the centre (pixels) for this shape and noise,
 * amplitude and a linear baseline unknown, over the tracker's window
 * (+- 2.5 widths, within 256 pixels), at centre @mu.
 */
static inline double sh_crb(const struct sh_case *c, const struct sh_rig *r,
			    double mu)
{
	int half = (int)ceil(2.5 * c->fwhm_px), lo, hi;
	double f[4][4] = { { 0 } }, a[4][8];

	if (half > 256)
		half = 256;
	lo = (int)lround(mu) - half;
	hi = (int)lround(mu) + half;
	for (int i = lo; i <= hi; i++) {
		const double h = 1e-4 * c->fwhm_px;
		double m = sh_mean(c, r, i, mu);
		double v = r->read * r->read + m / r->gain;
		double j[4] = {
			1.0, i - mu, sh_shape(c->kind, i - mu, c->fwhm_px),
			r->amp * (sh_shape(c->kind, i - mu - h, c->fwhm_px) -
				  sh_shape(c->kind, i - mu + h, c->fwhm_px)) /
				(2 * h),
		};

		for (int p = 0; p < 4; p++)
			for (int q = 0; q < 4; q++)
				f[p][q] += j[p] * j[q] / v;
	}
	/* Gauss-Jordan on [F | I]: the centre's entry of F^-1 */
	for (int p = 0; p < 4; p++)
		for (int q = 0; q < 8; q++)
			a[p][q] = q < 4 ? f[p][q] : (q - 4 == p);
	for (int col = 0; col < 4; col++) {
		int piv = col;

		for (int p = col + 1; p < 4; p++)
			if (fabs(a[p][col]) > fabs(a[piv][col]))
				piv = p;
		for (int q = 0; q < 8; q++) {
			double t = a[col][q];

			a[col][q] = a[piv][q];
			a[piv][q] = t;
		}
		for (int p = 0; p < 4; p++) {
			double m;

			if (p == col)
				continue;
			m = a[p][col] / a[col][col];
			for (int q = 0; q < 8; q++)
				a[p][q] -= m * a[col][q];
		}
	}
	return sqrt(a[3][7] / a[3][3]);
}

struct sh_stats {
	int n, given;
	int status[CS_FBG_STATUS_COUNT];
	double rms, bias, z_rms, crb, width_px;
};

/*
 * Case @c: a grating drifting 1/1024 pixel a spectrum from SH_PX0 (every
 * sub-pixel phase in time, which the shape learning needs), the tracker
 * not told its width; @warm spectra, then @trials measured. Errors in
 * pixels; the uncertainty by the scale's slope. @flat: the tracker is told
 * the light under the reflections is flat (it is: the rig's slope is
 * stray light added, sh_mean()), as a user of spectra normalised by the
 * source would say; else it learns the source as the grating moves.
 */
static inline struct sh_stats sh_run(const struct sh_case *c, int warm,
				     int trials, uint64_t seed, int flat)
{
	struct sh_rig r = sh_rig(c);
	struct cs_fbg_grating g = { .name = "g", .halfwidth_nm = 1.5,
				    .centre_nm = SH_NM0 +
						 SH_NM_PER_PX * SH_PX0 };
	struct cs_fbgtracker_config tc = {
		.npix = SH_NPIX, .saturation = 1e15, .min_snr = 6,
		.fwhm_px = 0, .learn_shape = 1, .ngratings = 1,
		.gratings = &g, .source_known = flat,
	};
	struct sh_rng rng = { seed };
	struct sh_stats s = { 0 };
	struct cs_fbgtracker *t;
	double *y = malloc(SH_NPIX * sizeof(*y));
	double sum = 0, sum2 = 0, z2 = 0, crb2 = 0, wsum = 0;

	tc.scale.ncoeffs = 2;
	tc.scale.c[0] = SH_NM0;
	tc.scale.c[1] = SH_NM_PER_PX;
	t = cs_fbgtracker_create(&tc);
	if (!t || !y) {
		free(y);
		cs_fbgtracker_destroy(t);
		return s;
	}
	for (int i = 0; i < warm + trials; i++) {
		double truth = SH_PX0 + i / 1024.0, e, u;
		struct cs_fbg_result res;

		sh_spectrum(c, &r, truth, &rng, y);
		cs_fbgtracker_execute(t, y, 0, &res);
		if (i < warm)
			continue;
		s.n++;
		s.status[res.status]++;
		if (isnan(res.position))
			continue;
		s.given++;
		e = res.position - truth;
		u = res.sigma_nm / SH_NM_PER_PX;
		sum += e;
		sum2 += e * e;
		z2 += (e / u) * (e / u);
		wsum += res.fwhm_nm / SH_NM_PER_PX;
		if (i % 64 == 0) {
			double b = sh_crb(c, &r, truth);

			crb2 += b * b * 64;
		}
	}
	if (s.given) {
		s.bias = sum / s.given;
		s.rms = sqrt(sum2 / s.given);
		s.z_rms = sqrt(z2 / s.given);
		s.width_px = wsum / s.given;
	}
	s.crb = sqrt(crb2 / trials);
	free(y);
	cs_fbgtracker_destroy(t);
	return s;
}

#endif /* FBG_SHAPES_H */
