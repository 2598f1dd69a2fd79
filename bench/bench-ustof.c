// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Time of flight, 4096-sample records with 3 gates: cs_ustof (one record
 * read in place, pruned direct search + Newton on the band-limited
 * correlation, single thread; its AVX2 kernels where the CPU has AVX2, so
 * the figure depends on that) against baselines measured in the same
 * process on the same records:
 *  - what numpy.correlate within each gate + argmax + parabola does,
 *    written in C (direct dot products, as numpy does them), so the ratio
 *    is a lower bound on the speed-up over the Python version
 *    (bench/bench-ustof-numpy.py measures that one, and the same over the
 *    whole record, when numpy is there);
 *  - one 4096-point complex FFT (liquid-dsp), a unit every DSP reader
 *    can picture.
 * The search skips lags that cannot hold the maximum, so its time depends
 * on the data: the records of gates with noise alone (nothing skipped) are
 * timed too. Each time is the best of 5 passes. Also checks that the
 * estimates agree, so the benchmark measures work that was done.
 */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <liquid/liquid.h>

#include "cellsense.h"

#define N 4096
#define NREC 64
#define RATE 20e6

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static const size_t gates[3][2] = { { 300, 500 }, { 1500, 1800 },
				    { 3000, 3400 } };
static const double delays[3] = { 400.3, 1650.71, 3210.2 };

/* per gate: numpy.correlate(x[lo - 1:hi + 1 + len], p, 'valid') + argmax
 * + parabola */
static void baseline(const double *x, const double *p, size_t len,
		     double *r, double *out)
{
	for (int g = 0; g < 3; g++) {
		size_t lo = gates[g][0] - 1, hi = gates[g][1] + 1, best = lo + 1;
		double a, b, c, den;

		for (size_t k = lo; k <= hi; k++) {
			double s = 0.0;

			for (size_t i = 0; i < len; i++)
				s += x[k + i] * p[i];
			r[k] = s;
		}
		for (size_t k = lo + 1; k < hi; k++)
			if (r[k] > r[best])
				best = k;
		a = r[best - 1];
		b = r[best];
		c = r[best + 1];
		den = a - 2.0 * b + c;
		out[g] = (double)best + (den < 0 ? 0.5 * (a - c) / den : 0.0);
	}
}

/* What the timed loops share: the estimator, the pulse, scratch. */
static struct cs_ustof *q;
static double pulse[256], r[N], est[3];
static size_t len;
static liquid_float_complex *fi;
static fftplan plan;

static void run_lib(const double *x)
{
	struct cs_ustof_result res[3];

	cs_ustof_execute_record(q, x, gates, 3, res);
}

static void run_baseline(const double *x)
{
	baseline(x, pulse, len, r, est);
}

static void run_fft(const double *x)
{
	for (int k = 0; k < N; k++)
		fi[k] = (float)x[k];
	fft_execute(plan);
}

/* Seconds a call of @run over the records @x takes: the best of 5 passes
 * of @iters calls (the least disturbed by whatever else runs). */
static double timed(void (*run)(const double *), double (*x)[N], long iters)
{
	double best = INFINITY;

	for (int pass = 0; pass < 5; pass++) {
		double t0 = now();

		for (long i = 0; i < iters; i++)
			run(x[i % NREC]);
		best = fmin(best, (now() - t0) / (double)iters);
	}
	return best;
}

int main(int argc, char **argv)
{
	struct cs_ussynth_config sc = {
		.n = N, .rate_hz = RATE, .f0_hz = 5e6, .bandwidth = 0.6,
		.noise_rms = 20.0, .seed = 3,
	};
	struct cs_ussynth *s = cs_ussynth_create(&sc);
	struct cs_ustof_config tc = { .n = N, .polarity = 1, .min_snr = 3,
				      .full_scale = 32767 };
	static double x[NREC][N], noise[NREC][N];
	double worst = 0.0, t_lib, t_noise, t_base, t_fft;
	struct cs_ustof_result res[3];
	liquid_float_complex *fo = malloc(sizeof(*fo) * N);
	long iters = 20000;

	fi = malloc(sizeof(*fi) * N);
	plan = fft_create_plan(N, fi, fo, LIQUID_FFT_FORWARD, 0);
	len = cs_ussynth_pulse_length(s);

	cs_ussynth_pulse(s, 1.0, pulse);
	tc.pulse = pulse;
	tc.pulse_len = len;
	q = cs_ustof_create(&tc);
	if (!q || !fi || !fo)
		return 1;
	for (int k = 0; k < NREC; k++)
		cs_ussynth_execute(s, 1, noise[k]);
	for (int g = 0; g < 3; g++)
		cs_ussynth_set_echo(s, (unsigned int)g, delays[g], 3000.0);
	for (int k = 0; k < NREC; k++)
		cs_ussynth_execute(s, 1, x[k]);

	t_lib = timed(run_lib, x, iters);
	t_noise = timed(run_lib, noise, iters);
	t_base = timed(run_baseline, x, iters / 4);
	t_fft = timed(run_fft, x, iters / 40);

	for (int k = 0; k < NREC; k++) {
		cs_ustof_execute_record(q, x[k], gates, 3, res);
		baseline(x[k], pulse, len, r, est);
		for (int g = 0; g < 3; g++)
			worst = fmax(worst, fabs(res[g].delay - est[g]));
	}
	if (argc > 1) {	/* the records and pulse for the numpy baseline */
		FILE *f = fopen(argv[1], "wb");

		if (!f || fwrite(pulse, sizeof(double), len, f) != len ||
		    fwrite(x, sizeof(double), (size_t)NREC * N, f) !=
		    (size_t)NREC * N || fclose(f))
			return 1;
	}
	printf("records: %d samples at %.0f MS/s, pulse %zu samples, 3 gates "
	       "(%zu lags), echoes at %.0f dB matched-filter SNR\n", N,
	       RATE / 1e6, len, (size_t)(gates[0][1] - gates[0][0] +
					 gates[1][1] - gates[1][0] +
					 gates[2][1] - gates[2][0] + 3),
	       20.0 * log10(res[0].snr));
	printf("  same, gates of noise alone (few lags skipped): %.2f us/record\n",
	       t_noise * 1e6);
	printf("cs_ustof (pruned search + Newton, in place): %.2f us/record\n",
	       t_lib * 1e6);
	printf("baseline numpy.correlate+parabola per gate in C: %.2f us/record "
	       "(estimates agree within %.3f samples)\n", t_base * 1e6, worst);
	printf("baseline one %d-point FFT (liquid-dsp): %.2f us\n", N,
	       t_fft * 1e6);
	printf("ratio baseline-correlate/cs_ustof: %.2f\n", t_base / t_lib);
	printf("ratio cs_ustof/FFT: %.2f\n", t_lib / t_fft);
	fft_destroy_plan(plan);
	free(fi);
	free(fo);
	cs_ustof_destroy(q);
	cs_ussynth_destroy(s);
	return worst < 0.5 ? 0 : 1;
}
