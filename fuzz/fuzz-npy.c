// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: NumPy .npy files (header dict, then the data), the
 * header alone and through the record reader: a header refused says why,
 * a record given has the shape's width, a short file is an error with a
 * byte offset, never a read past the input.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cs_input_config cfg = { .max_samples = 4096 };
	struct cs_npy_header h;
	struct cs_input *r;
	const char *why = NULL;
	size_t need = 0;
	double *v;
	int ret;

	ret = cs_npy_header_parse(data, size, &h, &need, &why);
	if ((ret == -EBADMSG && !why) || (ret == -EAGAIN && need <= size) ||
	    (ret == 0 && (h.data_offset > size || !h.rows || !h.cols)))
		abort();
	r = cs_input_create(NULL, data, size, CS_INPUT_NPY, &cfg);
	v = malloc(4096 * sizeof(double));
	if (!r || !v)
		abort();
	ret = cs_input_start(r);
	if (ret && ret != -EBADMSG)
		abort();
	while (!ret && (ret = cs_input_next(r, v)) != 0) {
		if (ret != 1 && ret != -EBADMSG)
			abort();
		if (ret == 1 && cs_input_samples(r) > 4096)
			abort();
		ret = 0;
	}
	cs_input_destroy(r);
	free(v);
	return 0;
}
