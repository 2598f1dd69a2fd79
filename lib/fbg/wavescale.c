// SPDX-License-Identifier: LGPL-2.1-or-later
/* Pixel -> wavelength polynomial of a spectrometer. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "cellsense.h"

int cs_wavescale_parse(const char *text, struct cs_wavescale *ws,
		       size_t *err_pos)
{
	const char *p = text;
	struct cs_wavescale w = { 0 };
	char *end;

	if (!text || !ws) {
		if (err_pos)
			*err_pos = 0;
		return -EINVAL;
	}
	for (;;) {
		double v;

		if (w.ncoeffs > CS_WAVESCALE_MAX_ORDER)
			goto fail;
		errno = 0;
		v = strtod(p, &end);
		if (end == p || errno || !isfinite(v))
			goto fail;
		w.c[w.ncoeffs++] = v;
		p = end;
		if (*p == '\0')
			break;
		if (*p != ',')
			goto fail;
		p++;
	}
	if (w.ncoeffs < 2 || w.c[1] == 0.0)
		goto fail;
	*ws = w;
	return 0;
fail:
	if (err_pos)
		*err_pos = (size_t)(p - text);
	return -EINVAL;
}

double cs_wavescale_eval(const struct cs_wavescale *ws, double pixel)
{
	double v = 0.0;

	for (unsigned int i = ws->ncoeffs; i-- > 0;)
		v = v * pixel + ws->c[i];
	return v;
}

double cs_wavescale_slope(const struct cs_wavescale *ws, double pixel)
{
	double v = 0.0;

	for (unsigned int i = ws->ncoeffs; i-- > 1;)
		v = v * pixel + i * ws->c[i];
	return v;
}

double cs_wavescale_pixel(const struct cs_wavescale *ws, double nm, size_t npix)
{
	double lo = 0.0, hi = npix > 1 ? (double)(npix - 1) : 1.0;
	double x = (nm - ws->c[0]) / ws->c[1];

	for (int it = 0; it < 50; it++) {
		double s = cs_wavescale_slope(ws, x);
		double step;

		if (s == 0.0 || !isfinite(s))
			return NAN;
		step = (cs_wavescale_eval(ws, x) - nm) / s;
		x -= step;
		if (fabs(step) < 1e-9)
			break;
	}
	/* Outside the sensor the polynomial means nothing; still return x
	 * so windows can be clipped by the caller, but refuse a fold. */
	if (cs_wavescale_slope(ws, lo) * cs_wavescale_slope(ws, hi) <= 0.0)
		return NAN;
	return x;
}
