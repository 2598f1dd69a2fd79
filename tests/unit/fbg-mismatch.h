/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the tracker's honesty test and benchmark: streams whose
 * reflections are not the shape the tracker assumes (a wrong width,
 * asymmetric and chirped gratings, side lobes, a steep or rippled source),
 * run through the tracker against the generator's truth. What counts is
 * error over stated uncertainty: its RMS near 1 is an honest uncertainty,
 * far above 1 a confident wrong number.
 */
#ifndef FBG_MISMATCH_H
#define FBG_MISMATCH_H

#include <math.h>
#include <string.h>

#include "cellsense.h"

#define MM_NPIX 512
#define MM_SCALE "1510,0.167,-0.000001"

struct mm_case {
	const char *name;
	enum cs_fbgsynth_shape shape;
	double fwhm_nm;		/* true width (0.5 nm: 3 px) */
	double asymmetry, chirp_nm, slope, ripple, ripple_nm;
	double count_scale;	/* 0: 1 */
};

/* The cases, a wrong width first; the tracker is told 3 px (0.5 nm). */
static const struct mm_case mm_cases[] = {
	{ "matched", CS_FBGSYNTH_GAUSSIAN, 0.5, 0, 0, -0.3, 0, 0, 0 },
	{ "wide x2", CS_FBGSYNTH_GAUSSIAN, 1.0, 0, 0, -0.3, 0, 0, 0 },
	{ "narrow /2", CS_FBGSYNTH_GAUSSIAN, 0.25, 0, 0, -0.3, 0, 0, 0 },
	{ "asymmetric", CS_FBGSYNTH_ASYMMETRIC, 0.5, 0.6, 0, -0.3, 0, 0, 0 },
	{ "chirped", CS_FBGSYNTH_CHIRPED, 0.3, 0, 0.5, -0.3, 0, 0, 0 },
	{ "side lobes", CS_FBGSYNTH_SIDELOBES, 0.5, 0, 0, -0.3, 0, 0, 0 },
	{ "steep source", CS_FBGSYNTH_GAUSSIAN, 0.5, 0, 0, -1.8, 0, 0, 0 },
	{ "ripple", CS_FBGSYNTH_GAUSSIAN, 0.5, 0, 0, -0.3, 0.1, 0.8, 0 },
};

#define MM_NCASES (sizeof(mm_cases) / sizeof(mm_cases[0]))

struct mm_stats {
	int n, flagged;		/* measured spectra; of them not ok */
	int given;		/* with a value (ok or misfit) */
	double rms, bias;	/* error, pixels, of the values given */
	double z_rms;		/* RMS of error / uncertainty over them */
	double sigma;		/* mean stated uncertainty, pixels */
};

/*
 * Case @c at SNR @snr_db (amplitude over the noise at the top, 80 % of its
 * variance shot noise), drifting 1/1024 px a spectrum from pixel @px;
 * @warm spectra, then @trials measured. @told: the tracker is told the
 * source's slope at @px (as --source-slope), worked out from the
 * generator's envelope; else it cannot learn it from a drift one way, and
 * counts what a source could do.
 */
static inline struct mm_stats mm_run(const struct mm_case *c, double snr_db,
				     double px, int warm, int trials,
				     uint64_t seed, int told)
{
	struct cs_fbgsynth_config cfg = {
		.npix = MM_NPIX, .dark = 1000, .source = 40000,
		.source_slope = c->slope, .background = 0.03,
		.fwhm_nm = c->fwhm_nm, .read_noise = 1, .gain = 0,
		.full_scale = 1e15, .shape = c->shape, .seed = seed,
		.asymmetry = c->asymmetry, .chirp_nm = c->chirp_nm,
		.ripple = c->ripple, .ripple_nm = c->ripple_nm,
		.count_scale = c->count_scale,
	};
	struct cs_fbg_grating g = { .name = "g", .halfwidth_nm = 1.5 };
	struct cs_fbgtracker_config tc = {
		.npix = MM_NPIX, .saturation = 1e15, .min_snr = 6,
		.fwhm_px = 3, .learn_shape = 1, .ngratings = 1,
		.gratings = &g,
	};
	struct mm_stats s = { 0 };
	struct cs_fbgsynth *q;
	struct cs_fbgtracker *t;
	double y[MM_NPIX], amp, sigma, top, sum = 0, sum2 = 0, z2 = 0;
	double ssum = 0;

	cs_wavescale_parse(MM_SCALE, &cfg.scale, NULL);
	tc.scale = cfg.scale;
	q = cs_fbgsynth_create(&cfg);
	if (told) {	/* the smooth source's: a ripple is not known */
		struct cs_fbgsynth_config smooth = cfg;
		struct cs_fbgsynth *e;
		double d;

		smooth.ripple = 0;
		e = cs_fbgsynth_create(&smooth);
		d = log(cs_fbgsynth_envelope(e, px + 0.5) /
			cs_fbgsynth_envelope(e, px - 0.5));
		cs_fbgsynth_destroy(e);
		tc.source_known = 1;
		tc.source_slope_db_nm = 10.0 / log(10.0) * d /
			(cs_wavescale_eval(&cfg.scale, px + 0.5) -
			 cs_wavescale_eval(&cfg.scale, px - 0.5));
	}
	amp = 0.5 * cs_fbgsynth_envelope(q, px);
	top = amp + 0.03 * cs_fbgsynth_envelope(q, px);
	cs_fbgsynth_destroy(q);
	sigma = amp / pow(10.0, snr_db / 20.0);
	cfg.read_noise = sqrt(0.2) * sigma;
	cfg.gain = top / (0.8 * sigma * sigma);
	q = cs_fbgsynth_create(&cfg);
	g.centre_nm = cs_wavescale_eval(&cfg.scale, px);
	t = cs_fbgtracker_create(&tc);
	for (int i = 0; i < warm + trials; i++) {
		double truth = px + i / 1024.0, e, u;
		struct cs_fbg_result r;

		cs_fbgsynth_set_grating(q, 0,
					cs_wavescale_eval(&cfg.scale, truth),
					0.5);
		cs_fbgsynth_execute(q, 1, y);
		cs_fbgtracker_execute(t, y, 0, &r);
		if (i < warm)
			continue;
		s.n++;
		if (r.status != CS_FBG_OK)
			s.flagged++;
		if (isnan(r.position))
			continue;
		s.given++;
		e = r.position - truth;
		/* the uncertainty in pixels, by the scale's slope */
		u = r.sigma_nm / fabs(cs_wavescale_slope(&cfg.scale,
							 r.position));
		sum += e;
		sum2 += e * e;
		z2 += (e / u) * (e / u);
		ssum += u;
	}
	if (s.given) {
		int ok = s.given;

		s.bias = sum / ok;
		s.rms = sqrt(sum2 / ok);
		s.z_rms = sqrt(z2 / ok);
		s.sigma = ssum / ok;
	}
	cs_fbgsynth_destroy(q);
	cs_fbgtracker_destroy(t);
	return s;
}

#endif /* FBG_MISMATCH_H */
