// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: interrogator exports (a "Key: value" header, a column
 * line, rows of wavelength and power; several spectra), fed through the
 * record reader as fbgtrack does, on channel 1 and 2, dBm detected and
 * forced. Every spectrum given has the first one's axis length; every
 * error names a line.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_all(const uint8_t *data, size_t size, unsigned int ch,
		     enum cs_power_scale power)
{
	struct cs_input_config cfg = { 0 };
	struct cs_input *r;
	static double v[65536];
	int ret;

	cfg.exp.channel = ch;
	cfg.exp.power = power;
	cfg.exp.max_points = 4096;
	r = cs_input_create(NULL, data, size, CS_INPUT_EXPORT, &cfg);
	if (!r)
		abort();
	ret = cs_input_start(r);
	if (ret && ret != -EBADMSG)
		abort();
	if (!ret) {
		const double *axis = cs_input_axis(r);
		size_t n = cs_input_samples(r);
		struct cs_wavescale ws;
		double err;

		if (!axis || n < 16 || n > 4096)
			abort();
		(void)cs_wavescale_fit(axis, n, &ws, &err);
	}
	while (!ret && (ret = cs_input_next(r, v)) != 0) {
		if (ret == -EBADMSG && strncmp(cs_input_error(r), "line ", 5))
			abort();
		if (ret != 1 && ret != -EBADMSG)
			abort();
		ret = 0;
	}
	cs_input_destroy(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	read_all(data, size, 1, CS_POWER_AUTO);
	read_all(data, size, 2, CS_POWER_DBM);
	return 0;
}
