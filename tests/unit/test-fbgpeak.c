// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Bragg peak fit against known truth: synthetic spectra at many sub-pixel
 * positions, RMS error and bias compared with the Cramer-Rao bound for the
 * same model (Gaussian on a linear baseline, white noise, all five
 * parameters unknown).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cellsense.h"
#include "fbg-shapes.h"

#define NPIX 512
#define FWHM_PER_SIGMA 2.3548200450309493

/* CRB of the centre (pixels^2) from the 5x5 Fisher matrix, inverted by
 * Gauss-Jordan. The baseline model is local, so only pixels near the peak
 * count, as in the fit. */
static double crb_centre(double amp, double mu, double s, double noise,
			 int half)
{
	double f[5][10] = { { 0 } };
	int c0 = (int)lround(mu);

	for (int i = c0 - half; i <= c0 + half; i++) {
		double u = i - mu, g = exp(-0.5 * u * u / (s * s));
		double j[5] = { 1.0, i - c0, g, amp * g * u / (s * s),
				amp * g * u * u / (s * s * s) };

		for (int a = 0; a < 5; a++)
			for (int b = 0; b < 5; b++)
				f[a][b] += j[a] * j[b] / (noise * noise);
	}
	for (int a = 0; a < 5; a++)
		f[a][5 + a] = 1.0;
	for (int c = 0; c < 5; c++) {
		int p = c;

		for (int r = c + 1; r < 5; r++)
			if (fabs(f[r][c]) > fabs(f[p][c]))
				p = r;
		for (int k = 0; k < 10; k++) {
			double t = f[c][k];

			f[c][k] = f[p][k];
			f[p][k] = t;
		}
		for (int r = 0; r < 5; r++) {
			double m;

			if (r == c)
				continue;
			m = f[r][c] / f[c][c];
			for (int k = 0; k < 10; k++)
				f[r][k] -= m * f[c][k];
		}
	}
	return f[3][5 + 3] / f[3][3];
}

struct run {
	double rms, bias, crb;
	int found;
};

/* Trials at sub-pixel offsets 0, 0.1, ... 0.9 around pixel 250, read noise
 * only so the bound is simple; SNR = amplitude / noise. */
static struct run measure(double snr_db, double frac, int trials)
{
	struct cs_wavescale ws = { 2, { 1510.0, 0.16634 } };
	struct cs_fbgsynth_config cfg = {
		.npix = NPIX, .scale = ws, .dark = 1000, .source = 20000,
		.source_slope = -0.3, .background = 0.05, .fwhm_nm = 0.5, .read_noise = 1.0,
		.gain = 0, .full_scale = 1e12, .seed = 7,
	};
	struct cs_fbgpeak_config pcfg = { .min_snr = 2.0, .saturation = 1e12,
					  .fwhm_guess = 3.0 };
	struct cs_fbgpeak_finder *pf = cs_fbgpeak_finder_create(&pcfg);
	double y[NPIX], truth_px = 250.0 + frac;
	double nm = cs_wavescale_eval(&ws, truth_px), amp, sum = 0, sum2 = 0;
	struct cs_fbgsynth *q;
	struct run r = { 0 };

	/* the read noise for the wanted SNR, from the true amplitude */
	q = cs_fbgsynth_create(&cfg);
	amp = 0.5 * cs_fbgsynth_envelope(q, truth_px);
	cs_fbgsynth_destroy(q);
	cfg.read_noise = amp / pow(10.0, snr_db / 20.0);
	q = cs_fbgsynth_create(&cfg);
	cs_fbgsynth_set_grating(q, 0, nm, 0.5);
	for (int t = 0; t < trials; t++) {
		struct cs_fbgpeak pk;

		cs_fbgsynth_execute(q, 1, y);
		if (cs_fbgpeak_finder_execute(pf, y, NPIX, 240, 260, NAN, &pk))
			continue;
		r.found++;
		sum += pk.position - truth_px;
		sum2 += (pk.position - truth_px) * (pk.position - truth_px);
	}
	r.bias = sum / r.found;
	r.rms = sqrt(sum2 / r.found);
	r.crb = sqrt(crb_centre(amp, truth_px, 0.5 / 0.16634 / FWHM_PER_SIGMA,
				cfg.read_noise, 7));
	cs_fbgsynth_destroy(q);
	cs_fbgpeak_finder_destroy(pf);
	return r;
}

static void near_the_bound(void **state)
{
	const double snrs[] = { 20.0, 30.0, 40.0 };

	(void)state;
	for (size_t s = 0; s < 3; s++) {
		for (int k = 0; k < 10; k++) {
			struct run r = measure(snrs[s], k / 10.0, 300);

			print_message("snr %2.0f dB frac %.1f: rms %.5f px "
				      "bias %+.5f crb %.5f ratio %.3f\n",
				      snrs[s], k / 10.0, r.rms, r.bias, r.crb,
				      r.rms / r.crb);
			assert_int_equal(r.found, 300);
			/* 300 trials: the RMS itself scatters by ~4% */
			assert_true(r.rms < 1.25 * r.crb);
			/* no pixel locking: bias small against the noise */
			assert_true(fabs(r.bias) < 0.25 * r.crb);
		}
	}
}

static void lost_saturated_and_refused(void **state)
{
	struct cs_fbgpeak_config pcfg = { .min_snr = 8.0, .saturation = 30000,
					  .fwhm_guess = 3.0 };
	struct cs_fbgpeak_finder *pf = cs_fbgpeak_finder_create(&pcfg);
	struct cs_wavescale ws = { 2, { 1510.0, 0.16634 } };
	struct cs_fbgsynth_config cfg = {
		.npix = NPIX, .scale = ws, .dark = 1000, .source = 60000,
		.fwhm_nm = 0.5, .read_noise = 20, .gain = 4,
		.full_scale = 30000, .seed = 3,
	};
	struct cs_fbgsynth *q = cs_fbgsynth_create(&cfg);
	struct cs_fbgpeak pk;
	double y[NPIX], truth = 250.3;

	(void)state;
	assert_non_null(pf);
	/* nothing there: -ENOENT, never a made-up peak */
	cs_fbgsynth_execute(q, 1, y);
	assert_int_equal(cs_fbgpeak_finder_execute(pf, y, NPIX, 100, 140, NAN, &pk),
			 -ENOENT);
	/* a clipped peak: flagged, still located from its flanks */
	cs_fbgsynth_set_grating(q, 0, cs_wavescale_eval(&ws, truth), 0.9);
	cs_fbgsynth_execute(q, 1, y);
	assert_int_equal(cs_fbgpeak_finder_execute(pf, y, NPIX, 240, 260, NAN, &pk),
			 0);
	assert_int_equal(pk.saturated, 1);
	assert_true(fabs(pk.position - truth) < 0.05);
	/* bad arguments */
	assert_int_equal(cs_fbgpeak_finder_execute(pf, y, NPIX, 260, 240, NAN, &pk),
			 -EINVAL);
	assert_int_equal(cs_fbgpeak_finder_execute(pf, y, NPIX, 0, NPIX, NAN, &pk),
			 -EINVAL);
	pcfg.min_snr = 0;
	assert_null(cs_fbgpeak_finder_create(&pcfg));
	assert_int_equal(errno, EINVAL);
	cfg.npix = 2;
	assert_null(cs_fbgsynth_create(&cfg));
	cs_fbgsynth_destroy(q);
	cs_fbgpeak_finder_destroy(pf);
}

/* A reflection's width from the data, whatever its shape, 3-150 px wide,
 * within 10 % (a Lorentzian's wings lift the baseline it reads: ~5 %;
 * at 3 px within 25 %, a crossing's noise being 0.1-0.3 px);
 * nothing where there is no reflection; the finder's width refused
 * outside 1..CS_FBGPEAK_FWHM_MAX. */
static void width_from_data(void **state)
{
	static const double widths[] = { 3, 17, 40, 80, 150 };
	static double y[SH_NPIX];
	struct sh_rng g = { 17 };
	struct cs_fbgpeak_config pcfg = { .min_snr = 6, .saturation = 1e15,
					  .fwhm_guess = 3.0 };
	struct cs_fbgpeak_finder *pf = cs_fbgpeak_finder_create(&pcfg);

	(void)state;
	for (int k = SH_GAUSS; k <= SH_ASYM; k++)
		for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]);
		     i++) {
			struct sh_case c = { "w", (enum sh_kind)k, widths[i],
					     30, 16 };
			struct sh_rig r = sh_rig(&c);
			double worst = 0;

			for (int t = 0; t < 20; t++) {
				double w;

				sh_spectrum(&c, &r, SH_PX0 + 0.37 * t, &g, y);
				w = cs_fbgpeak_width(y, SH_NPIX, 813, 1187,
						     cs_spectrum_noise(y,
								       SH_NPIX),
						     6);
				assert_false(isnan(w));
				worst = fmax(worst, fabs(w / c.fwhm_px - 1));
			}
			print_message("shape %d, %3.0f px: worst %.1f %%\n", k,
				      c.fwhm_px, 100 * worst);
			/* 3 px: a crossing's noise is a tenth of a pixel */
			assert_true(worst < (c.fwhm_px < 10 ? 0.25 : 0.1));
		}
	/* noise only: no width */
	for (int i = 0; i < SH_NPIX; i++)
		y[i] = 1000 + 10 * sh_randn(&g);
	assert_true(isnan(cs_fbgpeak_width(y, SH_NPIX, 813, 1187,
					   cs_spectrum_noise(y, SH_NPIX), 6)));
	assert_true(isnan(cs_fbgpeak_width(y, SH_NPIX, 900, 800, 10, 6)));
	assert_int_equal(cs_fbgpeak_finder_set_fwhm(pf, 0.5), -EINVAL);
	assert_int_equal(cs_fbgpeak_finder_set_fwhm(pf, 201), -EINVAL);
	assert_int_equal(cs_fbgpeak_finder_set_fwhm(pf, 200), 0);
	pcfg.fwhm_guess = 201;
	assert_null(cs_fbgpeak_finder_create(&pcfg));
	cs_fbgpeak_finder_destroy(pf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(near_the_bound),
		cmocka_unit_test(lost_saturated_and_refused),
		cmocka_unit_test(width_from_data),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
