// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the grating calibration file parser
 * (cellsense-fbgcal(5), what fbgtrack -k reads), then every entry it
 * accepted applied to a few wavelengths, as fbgtrack does: an accepted
 * entry must give a finite value or -EDOM, never a crash.
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
	static const double nm[] = { 1530.0, 1545.5, NAN, -1.0, 1e300 };
	char *text = malloc(size + 1);
	struct cs_fbgcal *cal;
	unsigned long line = 0;
	const char *why = NULL;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	cal = cs_fbgcal_create(text, &line, &why);
	if (!cal) {
		/* refused: with a line and a reason */
		if (errno == EINVAL && (!why || !line))
			abort();
		free(text);
		return 0;
	}
	for (unsigned int i = 0; i < cs_fbgcal_count(cal); i++) {
		const struct cs_fbgcal_entry *e = cs_fbgcal_entry(cal, i);

		if (cs_fbgcal_find(cal, e->grating) == NULL)
			abort();
		for (size_t k = 0; k < sizeof(nm) / sizeof(nm[0]); k++) {
			double v, u;
			int ret = cs_fbgcal_apply(e, nm[k], 0.001, 30.0, 0.1,
						  &v, &u);

			if (ret != 0 && ret != -EDOM)
				abort();
		}
		(void)cs_fbgcal_quantity(e->kind);
		(void)cs_fbgcal_unit(e->kind);
	}
	cs_fbgcal_destroy(cal);
	free(text);
	return 0;
}
