// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: what reaches the libiio input layer from outside, a
 * user's -u URI and a rig's wavelength-coefficient attribute (a remote
 * iiod can send anything). Each is accepted with a result that makes
 * sense or refused with -EINVAL and a reason, never a crash.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense-iio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), out[64];
	struct cs_wavescale ws;
	const char *why;
	size_t pos;
	int ret;

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	ret = cs_iio_uri_normalise(s, out, sizeof(out), &why);
	if (ret == 0 && !strchr(out, ':'))
		abort();
	if (ret && (ret != -EINVAL || !why))
		abort();
	ret = cs_iio_wavescale_parse(s, &ws, &pos);
	if (ret == 0 && (ws.ncoeffs < 2 || ws.c[1] == 0.0))
		abort();
	if (ret && ret != -EINVAL)
		abort();
	free(s);
	return 0;
}
