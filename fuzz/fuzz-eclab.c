// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: EC-Lab text exports (cellsense-eclab.h, what refmon
 * reads), pushed line by line as refmon does: every reading returned has
 * a finite time, every refusal a reason, and after -EINVAL nothing more
 * is read; the running charge (any kind of charge column, restarts
 * included) is finite or NaN, never infinite.
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
	struct cs_eclab *q = cs_eclab_create();
	char *text = malloc(size + 1), *p;
	int broken = 0;

	if (!q || !text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	(void)cs_eclab_detect(data, size);
	for (p = text; *p;) {
		char *nl = strchr(p, '\n');
		double row[CS_ECLAB_NCOL];
		int ret;

		if (nl)
			*nl = '\0';
		ret = cs_eclab_line(q, p, row);
		if (ret == 1 && !isfinite(row[CS_ECLAB_TIME]))
			abort();
		if (ret == 1 && isinf(cs_eclab_charge(q, row)))
			abort();
		if ((ret == -EBADMSG || ret == -EINVAL) &&
		    !cs_eclab_error(q)[0])
			abort();
		if (broken && ret != -EINVAL)
			abort();
		broken |= ret == -EINVAL;
		if (!nl)
			break;
		p = nl + 1;
	}
	for (unsigned int c = 0; c < CS_ECLAB_NCOL; c++) {
		double r = cs_eclab_resolution(q, c);

		if (!isnan(r) && !(r > 0.0))
			abort();
	}
	cs_eclab_destroy(q);
	free(text);
	return 0;
}
