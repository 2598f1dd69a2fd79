// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Synthetic Bragg-grating spectra with known truth. The noise generator is
 * our own (cs-random.c: xoshiro256** + Box-Muller) so that a seed gives the
 * same spectra on every machine, which tests and benchmarks rely on.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"
#include "cs-random.h"

#define FWHM_PER_SIGMA 2.3548200450309493

struct grating {
	double centre_nm;
	double reflectivity;
	double fwhm_nm;		/* 0: the config's */
};

struct cs_fbgsynth {
	struct cs_fbgsynth_config cfg;
	struct grating g[CS_FBGSYNTH_MAX_GRATINGS];
	struct cs_rng rng;
};

double cs_fbgsynth_randn(struct cs_fbgsynth *q)
{
	return cs_rng_randn(&q->rng);
}

double cs_fbgsynth_uniform(struct cs_fbgsynth *q)
{
	return cs_rng_uniform(&q->rng);
}

struct cs_fbgsynth *cs_fbgsynth_create(const struct cs_fbgsynth_config *cfg)
{
	struct cs_fbgsynth *q;

	if (!cfg || cfg->npix < 8 || cfg->npix > 65536 ||
	    cfg->scale.ncoeffs < 2 ||
	    cfg->scale.ncoeffs > CS_WAVESCALE_MAX_ORDER + 1 ||
	    !(cfg->fwhm_nm > 0.0) || !(cfg->read_noise >= 0.0) ||
	    !(cfg->gain >= 0.0) || !(cfg->full_scale > 0.0) ||
	    !(cfg->source >= 0.0) ||
	    !(cfg->background >= 0.0 && cfg->background <= 1.0) ||
	    !(cfg->asymmetry >= 0.0) || !(cfg->chirp_nm >= 0.0) ||
	    !(cfg->ripple >= 0.0 && cfg->ripple < 1.0) ||
	    (cfg->ripple > 0.0 && !(cfg->ripple_nm > 0.0)) ||
	    !(cfg->count_scale >= 0.0) ||
	    (cfg->shape != CS_FBGSYNTH_GAUSSIAN &&
	     cfg->shape != CS_FBGSYNTH_SIDELOBES &&
	     cfg->shape != CS_FBGSYNTH_ASYMMETRIC &&
	     cfg->shape != CS_FBGSYNTH_CHIRPED)) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->cfg = *cfg;
	cs_rng_seed(&q->rng, cfg->seed);
	return q;
}

void cs_fbgsynth_destroy(struct cs_fbgsynth *q)
{
	free(q);
}

int cs_fbgsynth_set_grating(struct cs_fbgsynth *q, unsigned int index,
			    double centre_nm, double reflectivity)
{
	if (!q || index >= CS_FBGSYNTH_MAX_GRATINGS || !isfinite(centre_nm) ||
	    !(reflectivity >= 0.0 && reflectivity <= 1.0))
		return -EINVAL;
	q->g[index].centre_nm = centre_nm;
	q->g[index].reflectivity = reflectivity;
	return 0;
}

int cs_fbgsynth_set_width(struct cs_fbgsynth *q, unsigned int index,
			  double fwhm_nm)
{
	if (!q || index >= CS_FBGSYNTH_MAX_GRATINGS || !(fwhm_nm >= 0.0) ||
	    !isfinite(fwhm_nm))
		return -EINVAL;
	q->g[index].fwhm_nm = fwhm_nm;
	return 0;
}

/* Reflection profile of width @fwhm, 1 at the centre, @d nm away from it. */
static double profile(const struct cs_fbgsynth *q, double d, double fwhm)
{
	const double s = fwhm / FWHM_PER_SIGMA;

	switch (q->cfg.shape) {
	case CS_FBGSYNTH_GAUSSIAN:
		return exp(-0.5 * d * d / (s * s));
	case CS_FBGSYNTH_ASYMMETRIC: {
		/* sides of sigma l and l (1 + asymmetry), FWHM as set */
		const double l = 2.0 * s / (2.0 + q->cfg.asymmetry);
		const double w = d > 0.0 ? l * (1.0 + q->cfg.asymmetry) : l;

		return exp(-0.5 * d * d / (w * w));
	}
	case CS_FBGSYNTH_CHIRPED: {
		/* a band of chirp_nm, edges a Gaussian of fwhm */
		const double h = 0.5 * q->cfg.chirp_nm, r = M_SQRT1_2 / s;

		if (!(h * r > 1e-6))	/* no chirp: the Gaussian */
			return exp(-0.5 * d * d / (s * s));
		return (erf((d + h) * r) - erf((d - h) * r)) /
		       (2.0 * erf(h * r));
	}
	case CS_FBGSYNTH_SIDELOBES:
	default: {
		/* sinc^2 has its FWHM at x = 1.39156 (x = pi d / w). */
		double x = 1.391557378 * 2.0 * d / fwhm;

		return fabs(x) < 1e-9 ? 1.0 : pow(sin(x) / x, 2.0);
	}
	}
}

/* A broad source: a gentle hump times a linear slope. */
double cs_fbgsynth_envelope(const struct cs_fbgsynth *q, double pixel)
{
	const struct cs_fbgsynth_config *c = &q->cfg;
	double x = pixel / (double)(c->npix - 1);

	double env = c->source * (1.0 + c->source_slope * (x - 0.5)) *
		     (0.75 + 0.25 * sin(M_PI * x));

	if (c->ripple > 0.0)
		env *= 1.0 + c->ripple *
		       sin(2.0 * M_PI * cs_wavescale_eval(&c->scale, pixel) /
			   c->ripple_nm);
	return env;
}

void cs_fbgsynth_execute(struct cs_fbgsynth *q, int noisy, double *out)
{
	const struct cs_fbgsynth_config *c = &q->cfg;

	for (size_t i = 0; i < c->npix; i++) {
		double nm = cs_wavescale_eval(&c->scale, (double)i);
		double env = cs_fbgsynth_envelope(q, (double)i);
		double r = c->background, v;

		for (int k = 0; k < CS_FBGSYNTH_MAX_GRATINGS; k++)
			if (q->g[k].reflectivity > 0.0)
				r += q->g[k].reflectivity *
				     profile(q, nm - q->g[k].centre_nm,
					     q->g[k].fwhm_nm > 0.0 ?
					     q->g[k].fwhm_nm : c->fwhm_nm);
		v = c->dark + env * r;
		if (noisy) {
			double var = c->read_noise * c->read_noise;

			if (c->gain > 0.0)
				var += fmax(v - c->dark, 0.0) / c->gain;
			v += sqrt(var) * cs_fbgsynth_randn(q);
		}
		if (c->count_scale > 0.0)
			v *= c->count_scale;
		out[i] = fmin(fmax(v, 0.0), c->full_scale);
	}
}
