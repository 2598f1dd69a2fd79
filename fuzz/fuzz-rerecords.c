// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: records read as a cell's readings (cellsense-re.h,
 * what refmon reads), pushed line by line as refmon does: every reading
 * returned has its values finite or NaN, every refusal a reason, and the
 * end gives at most one reading.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const double *v)
{
	for (int ch = 0; ch < CS_RE_NCH; ch++)
		if (isinf(v[ch]))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cs_re_records *q = cs_re_records_create();
	char *text = malloc(size + 1), *p;
	double v[CS_RE_NCH];
	int sat[CS_RE_NCH];
	int64_t t;

	if (!q || !text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	(void)cs_re_records_detect(data, size);
	for (p = text; *p;) {
		char *nl = strchr(p, '\n');
		int ret;

		if (nl)
			*nl = '\0';
		ret = cs_re_records_line(q, p, &t, v, sat);
		if (ret == 1)
			check(v);
		if (ret == -EBADMSG && !cs_re_records_error(q)[0])
			abort();
		if (ret != 1 && ret != 0 && ret != -EBADMSG)
			abort();
		if (!nl)
			break;
		p = nl + 1;
	}
	if (cs_re_records_finish(q, &t, v, sat))
		check(v);
	if (cs_re_records_finish(q, &t, v, sat))
		abort();
	cs_re_records_destroy(q);
	free(text);
	return 0;
}
