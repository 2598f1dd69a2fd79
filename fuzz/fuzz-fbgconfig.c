// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: fbgtrack's config file and option strings. The data
 * as a config file read with the bounded line reader, each line split
 * into key and value as fbgtrack -c does; every value (and each line as a
 * whole) as a grating spec (-g), a wavelength scale (-w) and a sample
 * format (-f). A grating that parses must be in its documented ranges.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void option_strings(const char *s)
{
	struct cs_fbg_grating g;
	struct cs_wavescale ws;
	struct cs_sample_format fmt;
	const char *why;
	size_t pos;

	if (!cs_fbg_grating_parse(s, 0.5, &g, &why) &&
	    (!g.name[0] || strlen(g.name) >= CS_FBG_NAME_MAX ||
	     strpbrk(g.name, "\t\n /:") || !(g.centre_nm >= 100) ||
	     !(g.centre_nm <= 10000) || !(g.halfwidth_nm >= 0.01) ||
	     !(g.halfwidth_nm <= 1000) || g.fibre > 255))
		abort();
	if (!cs_wavescale_parse(s, &ws, &pos))
		(void)cs_wavescale_eval(&ws, 100.0);
	(void)cs_sample_format_parse(s, &fmt, &pos);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size, "r");
	char *line = NULL, *key, *val;
	size_t cap = 0;
	long len;

	if (!f)
		return 0;
	while ((len = cs_line_read(f, &line, &cap, 4096)) > 0) {
		option_strings(line);
		if (cs_config_line_split(line, &key, &val) == 1) {
			if (strpbrk(key, "#\r\n"))
				abort();
			option_strings(key);
			if (val)
				option_strings(val);
		}
	}
	free(line);
	fclose(f);
	return 0;
}
