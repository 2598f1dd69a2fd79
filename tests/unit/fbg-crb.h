/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the fibre accuracy tests and benchmark: synthetic spectra at a
 * wanted SNR, and the Cramer-Rao bound of a grating's centre for exactly
 * that data (its true shape, its read + shot noise, amplitude and a local
 * linear baseline unknown, over the pixels the tracker fits).
 */
#ifndef FBG_CRB_H
#define FBG_CRB_H

#include <math.h>
#include <string.h>

#include "cellsense.h"

#define CRB_NPIX 512

/* A generator whose grating 0 sits at pixel @px with SNR @snr_db, defined
 * as amplitude over the noise at the top of the peak, 80 % of whose
 * variance is shot noise. */
struct crb_case {
	struct cs_fbgsynth *q;
	double amp, read_noise, gain;
};

static inline struct crb_case crb_synth(enum cs_fbgsynth_shape shape,
					double snr_db, double px, uint64_t seed)
{
	struct cs_fbgsynth_config cfg = {
		.npix = CRB_NPIX, .dark = 1000, .source = 40000,
		.source_slope = -0.3, .background = 0.03, .fwhm_nm = 0.5,
		.read_noise = 1, .gain = 0, .full_scale = 1e12,
		.shape = shape, .seed = seed,
	};
	struct crb_case k;
	double sigma, top;

	cs_wavescale_parse("1510,0.167,-0.000001", &cfg.scale, NULL);
	k.q = cs_fbgsynth_create(&cfg);
	k.amp = 0.5 * cs_fbgsynth_envelope(k.q, px);
	top = k.amp + 0.03 * cs_fbgsynth_envelope(k.q, px);
	cs_fbgsynth_destroy(k.q);
	sigma = k.amp / pow(10.0, snr_db / 20.0);
	cfg.read_noise = k.read_noise = sqrt(0.2) * sigma;
	cfg.gain = k.gain = top / (0.8 * sigma * sigma);
	k.q = cs_fbgsynth_create(&cfg);
	cs_fbgsynth_set_grating(k.q, 0, cs_wavescale_eval(&cfg.scale, px), 0.5);
	return k;
}

/* The bound (pixels, 1 sigma) from the Fisher matrix of
 * (centre, amplitude, b0, b1) over pixels round(px) +- half. */
static inline double crb_centre(const struct crb_case *kc, double px, int half)
{
	struct cs_fbgsynth *q = kc->q;
	double read_noise = kc->read_noise, gain = kc->gain;
	static double m0[CRB_NPIX], mp[CRB_NPIX], mm[CRB_NPIX], ma[CRB_NPIX];
	struct cs_wavescale ws;
	double f[4][8] = { { 0 } }, h = 1e-3;
	int c = (int)lround(px);

	cs_wavescale_parse("1510,0.167,-0.000001", &ws, NULL);
	cs_fbgsynth_set_grating(q, 0, cs_wavescale_eval(&ws, px), 0.5);
	cs_fbgsynth_execute(q, 0, m0);
	cs_fbgsynth_set_grating(q, 0, cs_wavescale_eval(&ws, px + h), 0.5);
	cs_fbgsynth_execute(q, 0, mp);
	cs_fbgsynth_set_grating(q, 0, cs_wavescale_eval(&ws, px - h), 0.5);
	cs_fbgsynth_execute(q, 0, mm);
	cs_fbgsynth_set_grating(q, 0, cs_wavescale_eval(&ws, px), 0.5 * 1.01);
	cs_fbgsynth_execute(q, 0, ma);
	cs_fbgsynth_set_grating(q, 0, cs_wavescale_eval(&ws, px), 0.5);
	for (int i = c - half; i <= c + half; i++) {
		double var = read_noise * read_noise +
			     (gain > 0 ? fmax(m0[i] - 1000.0, 0) / gain : 0);
		double j[4] = { (mp[i] - mm[i]) / (2 * h),
				(ma[i] - m0[i]) / 0.01, 1.0, (double)(i - c) };

		for (int a = 0; a < 4; a++)
			for (int b = 0; b < 4; b++)
				f[a][b] += j[a] * j[b] / var;
	}
	for (int a = 0; a < 4; a++)
		f[a][4 + a] = 1.0;
	for (int k = 0; k < 4; k++) {
		int p = k;

		for (int r = k + 1; r < 4; r++)
			if (fabs(f[r][k]) > fabs(f[p][k]))
				p = r;
		for (int x = 0; x < 8; x++) {
			double t = f[k][x];

			f[k][x] = f[p][x];
			f[p][x] = t;
		}
		for (int r = 0; r < 4; r++) {
			double m;

			if (r == k)
				continue;
			m = f[r][k] / f[k][k];
			for (int x = 0; x < 8; x++)
				f[r][x] -= m * f[k][x];
		}
	}
	return sqrt(f[0][4] / f[0][0]);
}

#endif
