// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Benchmark of the Bragg peak fit: spectra per second for 4 gratings on a
 * 512-pixel spectrum, as a ratio against a baseline run in the same
 * process: decoding the same spectrum and one 512-point complex FFT of it
 * with liquid-dsp (a unit of work every DSP reader can picture).
 */
#include <complex.h>
#include <liquid/liquid.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cellsense.h"

#define NPIX 512
#define NSPEC 64
#define NG 4

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static unsigned char raw[NSPEC][NPIX * 2];
static volatile double sink;

static double run_fit(struct cs_fbgpeak_finder *pf,
		      const struct cs_sample_format *fmt, long iters)
{
	double y[NPIX], t0 = now();
	const size_t lo[NG] = { 100, 200, 290, 380 };

	for (long it = 0; it < iters; it++) {
		double noise;

		cs_sample_format_decode(fmt, raw[it % NSPEC], NPIX, y);
		noise = cs_spectrum_noise(y, NPIX);
		for (int g = 0; g < NG; g++) {
			struct cs_fbgpeak pk;

			if (!cs_fbgpeak_finder_execute(pf, y, NPIX, lo[g],
						       lo[g] + 24, noise, &pk))
				sink += pk.position;
		}
	}
	return (now() - t0) / (double)iters;
}

static double run_fft(const struct cs_sample_format *fmt, long iters)
{
	double y[NPIX], t0;
	liquid_float_complex *x = malloc(sizeof(*x) * NPIX);
	liquid_float_complex *X = malloc(sizeof(*X) * NPIX);
	fftplan p = fft_create_plan(NPIX, x, X, LIQUID_FFT_FORWARD, 0);

	t0 = now();
	for (long it = 0; it < iters; it++) {
		cs_sample_format_decode(fmt, raw[it % NSPEC], NPIX, y);
		for (int i = 0; i < NPIX; i++)
			x[i] = (float)y[i];
		fft_execute(p);
		sink += crealf(X[1]);
	}
	t0 = (now() - t0) / (double)iters;
	fft_destroy_plan(p);
	free(x);
	free(X);
	return t0;
}

int main(void)
{
	struct cs_fbgsynth_config cfg = {
		.npix = NPIX, .dark = 1000, .source = 40000,
		.source_slope = -0.3, .background = 0.02, .fwhm_nm = 0.5,
		.read_noise = 20, .gain = 4, .full_scale = 65535, .seed = 5,
	};
	struct cs_fbgpeak_config pcfg = { .min_snr = 8, .saturation = 65535,
					  .fwhm_guess = 3 };
	struct cs_sample_format fmt;
	struct cs_fbgpeak_finder *pf = cs_fbgpeak_finder_create(&pcfg);
	struct cs_fbgsynth *q;
	double fit = 1e9, fft = 1e9, y[NPIX];

	cs_wavescale_parse("1510,0.16634", &cfg.scale, NULL);
	cs_sample_format_parse("le:u16", &fmt, NULL);
	q = cs_fbgsynth_create(&cfg);
	for (int g = 0; g < NG; g++)
		cs_fbgsynth_set_grating(q, g, 1530 + 15.0 * g + 0.03 * g, 0.5);
	for (int s = 0; s < NSPEC; s++) {
		cs_fbgsynth_execute(q, 1, y);
		for (int i = 0; i < NPIX; i++) {
			unsigned v = (unsigned)y[i];

			raw[s][2 * i] = (unsigned char)v;
			raw[s][2 * i + 1] = (unsigned char)(v >> 8);
		}
	}
	/* interleaved, best of 5: both see the same machine state */
	for (int rep = 0; rep < 5; rep++) {
		double a = run_fft(&fmt, 20000), b = run_fit(pf, &fmt, 5000);

		fft = a < fft ? a : fft;
		fit = b < fit ? b : fit;
	}
	printf("fbgpeak: %d gratings on %d px: %.2f us/spectrum "
	       "(%.0f spectra/s)\n", NG, NPIX, fit * 1e6, 1.0 / fit);
	printf("baseline: decode + %d-point FFT (liquid-dsp): %.2f us\n", NPIX,
	       fft * 1e6);
	printf("ratio fbgpeak/baseline: %.2f\n", fit / fft);
	cs_fbgsynth_destroy(q);
	cs_fbgpeak_finder_destroy(pf);
	return 0;
}
