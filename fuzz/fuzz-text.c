// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: text records (one spectrum or shot a line, numbers
 * separated by blanks, commas or semicolons), through kind detection and
 * the record reader as the tools use them, and as one whole record (a
 * pulse). A bad line must come back as -EBADMSG with a message naming its
 * line, never a crash or a record of another size.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_all(const uint8_t *data, size_t size, int whole)
{
	struct cs_input_config cfg = { .whole = whole, .max_samples = 4096 };
	struct cs_input *r = cs_input_create(NULL, data, size, CS_INPUT_TEXT,
					     &cfg);
	double *v = malloc(4096 * sizeof(double));
	int ret;

	if (!r || !v)
		abort();
	ret = cs_input_start(r);
	if (ret && ret != -EBADMSG)
		abort();
	if (ret == -EBADMSG && !strlen(cs_input_error(r)))
		abort();
	while (!ret && (ret = cs_input_next(r, v)) != 0) {
		if (ret == -EBADMSG) {
			if (strncmp(cs_input_error(r), "line ", 5))
				abort();
			ret = 0;
			continue;
		}
		if (ret != 1 || cs_input_samples(r) > 4096)
			abort();
		ret = 0;
	}
	cs_input_destroy(r);
	free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	double v[64];
	size_t col;
	const char *why;
	long n;

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	n = cs_text_row_parse(line, v, 64, &col, &why);
	if (n < -EBADMSG || n > 64 || (n < 0 && (col < 1 || col > size + 1)))
		abort();
	(void)cs_input_sniff(data, size);
	free(line);
	read_all(data, size, 0);
	read_all(data, size, 1);
	return 0;
}
