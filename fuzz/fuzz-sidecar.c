// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: a run's sidecar read back (cellsense-run(5), what
 * fbgtrack --run reads), through json-c and cs_run_open(): a refused one
 * says why; an accepted one's streams name files inside the run
 * directory and have layouts within their stated bounds.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cellsense.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[128], err[512];
	struct cs_run *run;
	FILE *f;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/fuzz-sidecar-XXXXXX");
		if (!mkdtemp(dir))
			abort();
	}
	snprintf(path, sizeof(path), "%s/%s", dir, CS_RUN_SIDECAR);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f))
		abort();
	run = cs_run_open(dir, err, sizeof(err));
	if (!run) {
		if (errno == EINVAL && !err[0])
			abort();
		return 0;
	}
	for (size_t i = 0; i < cs_run_nstreams(run); i++) {
		const struct cs_run_stream *s = cs_run_stream_at(run, i);

		if (strncmp(s->path, dir, strlen(dir)) || strstr(s->path, "..") ||
		    s->nscales > CS_RUN_MAX_SCALES ||
		    s->ncoeffs > CS_RUN_MAX_COEFFS ||
		    s->ngratings > CS_RUN_MAX_GRATINGS ||
		    cs_run_find(run, s->kind) == NULL)
			abort();
		(void)cs_run_verify(s, err, sizeof(err));
	}
	(void)cs_run_exit_status(run);
	cs_run_close(run);
	unlink(path);
	return 0;
}
