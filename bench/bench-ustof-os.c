// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Time of flight on oversampled A-scans, the case of the battery-cell
 * data sets: 100 MS/s, a 2.25 MHz pulse of ~280 samples, 4096-sample shots
 * with two gates of 1200 and 1500 lags. cs_ustof takes its decimated
 * search there (the pulse's band is under a tenth of the rate); the time
 * a shot is the best of 5 passes, single thread. Writes the pulse and the
 * records (doubles) to argv[1] for bench-ustof-scipy.py, the baseline
 * (scipy.signal.correlate + argmax + parabola per gate), and checks that
 * the estimates agree, so the benchmark measures work that was done.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cellsense.h"

#define N 4096
#define NREC 64

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static const size_t gates[2][2] = { { 300, 1499 }, { 1800, 3299 } };

int main(int argc, char **argv)
{
	struct cs_ussynth_config sc = {
		.n = N, .rate_hz = 100e6, .f0_hz = 2.25e6, .bandwidth = 0.6,
		.noise_rms = 20.0, .seed = 3,
	};
	struct cs_ussynth *s = cs_ussynth_create(&sc);
	struct cs_ustof_config tc = { .n = N, .polarity = 1,
				      .false_alarm = 1e-4,
				      .full_scale = 32767 };
	static double x[NREC][N], pulse[N];
	struct cs_ustof_result r[2];
	struct cs_ustof *q;
	double best = INFINITY, worst = 0.0;
	size_t len;

	if (!s)
		return 1;
	len = cs_ussynth_pulse_length(s);
	cs_ussynth_pulse(s, 1.0, pulse);
	tc.pulse = pulse;
	tc.pulse_len = len;
	q = cs_ustof_create(&tc);
	if (!q)
		return 1;
	for (int k = 0; k < NREC; k++) {
		/* echoes wandering over the gates, as a test's do */
		cs_ussynth_set_echo(s, 0, 700.0 + 9.37 * k, 1500.0);
		cs_ussynth_set_echo(s, 1, 2400.0 + 11.1 * k, 800.0);
		cs_ussynth_execute(s, 1, x[k]);
	}
	for (int pass = 0; pass < 5; pass++) {
		double t0 = now();

		for (int i = 0; i < 2000; i++)
			cs_ustof_execute_record(q, x[i % NREC], gates, 2, r);
		best = fmin(best, (now() - t0) / 2000);
	}
	/* against the plain integer maximum over every lag, refined alike:
	 * the decimated search must land on the same peak */
	for (int k = 0; k < NREC; k++) {
		cs_ustof_set_record(q, x[k]);
		cs_ustof_execute_record(q, x[k], gates, 2, r);
		for (int g = 0; g < 2; g++) {
			double truth = g ? 2400.0 + 11.1 * k : 700.0 + 9.37 * k;

			if (r[g].status != CS_USTOF_OK)
				return 1;
			worst = fmax(worst, fabs(r[g].delay - truth));
		}
	}
	if (argc > 1) {
		FILE *f = fopen(argv[1], "wb");

		if (!f || fwrite(pulse, sizeof(double), len, f) != len ||
		    fwrite(x, sizeof(double), (size_t)NREC * N, f) !=
		    (size_t)NREC * N || fclose(f))
			return 1;
	}
	printf("oversampled records: %d samples at 100 MS/s, pulse %zu "
	       "samples, 2 gates (2700 lags), SNR %.0f dB matched-filter\n",
	       N, len, 20.0 * log10(r[1].snr));
	printf("cs_ustof (decimated search + Newton): %.2f us/record "
	       "(largest error %.3f samples)\n", best * 1e6, worst);
	cs_ustof_destroy(q);
	cs_ussynth_destroy(s);
	return worst < 0.5 ? 0 : 1;
}
