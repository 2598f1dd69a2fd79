// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sensitivity of cs_ustof with false_alarm 1e-4 (ustof's default): false
 * detections a gate in noise alone, over 200 000 gates of a 20 MS/s case
 * (201 lags) and 50 000 of the oversampled one (100 MS/s, 2.25 MHz pulse
 * of ~280 samples, 1500 lags); and the share of echoes of the pulse's shape
 * found at matched-filter SNRs (a sqrt(Ep) / noise) of 6 to 10. Not a
 * timing: the figures are rates, the same on any machine for the seeds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cellsense.h"

static void one_case(double rate, double f0, size_t n, size_t lo, size_t hi,
		     long noise_gates)
{
	struct cs_ussynth_config sc = {
		.n = n, .rate_hz = rate, .f0_hz = f0, .bandwidth = 0.6,
		.noise_rms = 1.0, .seed = 1234,
	};
	struct cs_ussynth *s = cs_ussynth_create(&sc);
	struct cs_ustof_config tc = { .n = n, .polarity = 1,
				      .false_alarm = 1e-4,
				      .full_scale = INFINITY };
	const size_t g[1][2] = { { lo, hi } };
	static const double snrs[] = { 6, 7, 8, 10 };
	double *pulse, *x, ep = 0.0;
	struct cs_ustof_result r;
	struct cs_ustof *q;
	long fa = 0;

	tc.pulse_len = cs_ussynth_pulse_length(s);
	pulse = malloc(tc.pulse_len * sizeof(*pulse));
	x = malloc(n * sizeof(*x));
	cs_ussynth_pulse(s, 1.0, pulse);
	for (size_t i = 0; i < tc.pulse_len; i++)
		ep += pulse[i] * pulse[i];
	tc.pulse = pulse;
	q = cs_ustof_create(&tc);
	if (!q)
		exit(1);
	for (long t = 0; t < noise_gates; t++) {
		cs_ussynth_execute(s, 1, x);
		cs_ustof_execute_block(q, x, g, 1, &r);
		fa += r.status == CS_USTOF_OK || r.status == CS_USTOF_AMBIGUOUS ||
		      r.status == CS_USTOF_SATURATED;
	}
	printf("%.0f MS/s, pulse %zu samples, gate of %zu lags: false "
	       "detections %ld in %ld gates of noise (%.1e a gate; 1e-4 "
	       "asked)\n", rate / 1e6, tc.pulse_len, hi - lo + 1, fa,
	       noise_gates, (double)fa / (double)noise_gates);
	for (size_t k = 0; k < sizeof(snrs) / sizeof(snrs[0]); k++) {
		int found = 0, trials = 4000;

		for (int t = 0; t < trials; t++) {
			double d = (double)(lo + hi) / 2.0 +
				   cs_ussynth_uniform(s);

			cs_ussynth_set_echo(s, 0, d, snrs[k] / sqrt(ep));
			cs_ussynth_execute(s, 1, x);
			cs_ustof_execute_block(q, x, g, 1, &r);
			found += r.status == CS_USTOF_OK ||
				 r.status == CS_USTOF_AMBIGUOUS;
		}
		printf("  matched-filter SNR %4.1f: found %.1f %%\n", snrs[k],
		       100.0 * found / trials);
	}
	cs_ussynth_set_echo(s, 0, 0.0, 0.0);
	cs_ustof_destroy(q);
	cs_ussynth_destroy(s);
	free(pulse);
	free(x);
}

int main(void)
{
	one_case(20e6, 5e6, 512, 100, 300, 200000);
	one_case(100e6, 2.25e6, 4096, 500, 1999, 50000);
	return 0;
}
