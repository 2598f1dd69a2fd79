// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the open-circuit curves parser (cellsense-ocv(5), what
 * refmon --ocv reads), then the curves evaluated and inverted as the drift
 * correction does: a table accepted must give finite values inside its
 * range and -EDOM / NAN outside, never a crash.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const double x[] = { -1.0, 0.0, 0.25, 0.5, 1.0, 3.7, NAN };
	char *text = malloc(size + 1);
	struct cs_re_ocvtab *q;
	unsigned long line = 0;
	const char *why = NULL;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	q = cs_re_ocvtab_create(text, &line, &why);
	if (!q) {
		if (errno == EINVAL && !why)
			abort();
		free(text);
		return 0;
	}
	if (cs_re_ocvtab_points(q) < 2)
		abort();
	for (size_t k = 0; k < sizeof(x) / sizeof(x[0]); k++) {
		double c, a, u, soc;
		int ret = cs_re_ocvtab_eval(q, x[k], &c, &a, &u);

		if (ret == 0 && !(isfinite(c) && isfinite(a) && u >= 0.0))
			abort();
		if (ret != 0 && ret != -EDOM)
			abort();
		soc = cs_re_ocvtab_soc(q, x[k]);
		if (!isnan(soc) && (cs_re_ocvtab_eval(q, soc, &c, &a, NULL) ||
				    fabs(c - a - x[k]) > 1e-6))
			abort();
	}
	cs_re_ocvtab_destroy(q);
	free(text);
	return 0;
}
