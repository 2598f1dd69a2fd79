// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the signal-processing entry points on arbitrary data
 * (issue 17): the bytes as doubles (NaN, infinities, denormals, huge
 * values among them) into the ultrasonic time of flight (a record, gates
 * from the data), the fibre Bragg grating tracker (spectra, a fibre from
 * the data) and the acoustic-emission hit detector. No crash, no UB, no
 * hang; results are only checked to be filled.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N 64		/* record and spectrum length */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	double x[N] = { 0 }, pulse[8];
	size_t nd = size / sizeof(double);
	struct cs_ustof_config uc = {
		.n = N, .pulse = pulse, .pulse_len = 8, .polarity = 0,
		.min_snr = 3, .false_alarm = 1e-4, .full_scale = 32767,
	};
	struct cs_fbg_grating g[2] = {
		{ "a", 1530.0, 0.5, 0 }, { "b", 1531.0, 0.5, 1 },
	};
	struct cs_fbgtracker_config tc = {
		.npix = N, .scale = { 2, { 1529.5, 0.03 } },
		.saturation = 65535, .min_snr = 5, .fwhm_px = 3,
		.learn_shape = 1, .ngratings = 2, .gratings = g,
	};
	struct cs_aehit_config hc = {
		.rate_hz = 1e6, .threshold = 100, .pdt_s = 20e-6,
		.hdt_s = 50e-6, .hlt_s = 100e-6, .max_duration_s = 1e-3,
	};
	struct cs_ustof *us;
	struct cs_fbgtracker *tr;
	struct cs_aehit_detector *d;
	struct cs_fbg_result res[2];
	struct cs_ustof_result ur[2];
	struct cs_aehit hits[4];

	for (int i = 0; i < 8; i++)
		pulse[i] = sin(i * 0.8) * (8 - i);
	us = cs_ustof_create(&uc);
	tr = cs_fbgtracker_create(&tc);
	d = cs_aehit_detector_create(&hc);
	if (!us || !tr || !d)
		abort();
	/* records of N doubles from the data, one after another */
	for (size_t r = 0; r * N < nd || r == 0; r++) {
		size_t gates[2][2];
		size_t used, at = 0;

		memset(x, 0, sizeof(x));
		for (size_t i = 0; i < N && r * N + i < nd; i++)
			memcpy(&x[i], data + (r * N + i) * sizeof(double),
			       sizeof(double));
		gates[0][0] = size ? data[0] % N : 0;
		gates[0][1] = size > 1 ? data[1] % N : N - 1;
		gates[1][0] = 0;
		gates[1][1] = N - 9;
		if (gates[0][1] < gates[0][0]) {
			size_t t = gates[0][0];

			gates[0][0] = gates[0][1];
			gates[0][1] = t;
		}
		cs_ustof_execute_record(us, x, (const size_t (*)[2])gates, 2,
					ur);
		cs_fbgtracker_execute(tr, x, size > 2 ? data[2] % 3 : 0, res);
		while (at < N) {
			cs_aehit_detector_execute_block(d, x + at, N - at,
							hits, 4, &used);
			at += used;
		}
		if (r > 64)
			break;
	}
	cs_ustof_destroy(us);
	cs_fbgtracker_destroy(tr);
	cs_aehit_detector_destroy(d);
	return 0;
}
