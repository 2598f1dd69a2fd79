// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the text parsers of what comes from outside on the
 * processing side: record lines, sample formats (libiio notation) and
 * wavelength polynomials. A parsed record must write and parse back equal.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), buf[1024];
	struct cs_record rec, back;
	struct cs_sample_format fmt;
	struct cs_wavescale ws;
	unsigned int col;
	const char *why;
	size_t pos;
	FILE *f;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* the bytes as given (no NUL after them: ASan sees an over-read)
	 * parse as the string does, or are refused for a NUL among them */
	{
		char *exact = malloc(size ? size : 1);
		struct cs_record a, b;
		unsigned int ca, cb;
		const char *wa = NULL, *wb = NULL;
		int ra, rb;

		if (exact) {
			memcpy(exact, data, size);
			rb = cs_record_parse_len(exact, size, &b, &cb, &wb);
			if (memchr(data, '\0', size)) {
				if (rb != -EBADMSG || cb != 1 ||
				    strcmp(wb, "NUL byte in line"))
					abort();
			} else {
				ra = cs_record_parse(text, &a, &ca, &wa);
				if (ra != rb || ca != cb ||
				    (ra == -EBADMSG && strcmp(wa, wb)) ||
				    (!ra && (a.time_ns != b.time_ns ||
					     strcmp(a.source, b.source) ||
					     strcmp(a.status, b.status))))
					abort();
			}
			free(exact);
		}
	}
	if (cs_record_parse(text, &rec, &col, &why) == 0) {
		f = fmemopen(buf, sizeof(buf), "w");
		if (f && cs_record_write(f, &rec) == 0 && fflush(f) == 0) {
			buf[strcspn(buf, "\n")] = '\0';
			if (cs_record_parse(buf, &back, &col, &why) ||
			    back.time_ns != rec.time_ns ||
			    strcmp(back.source, rec.source) ||
			    isnan(back.value) != isnan(rec.value))
				abort();
		}
		if (f)
			fclose(f);
	}
	if (cs_sample_format_parse(text, &fmt, &pos) == 0) {
		uint8_t raw[8] = { 0xff, 0x7f, 0, 0x80, 1, 2, 3, 4 };
		double v;

		if (cs_sample_format_bytes(&fmt) > 8)
			abort();
		cs_sample_format_decode(&fmt, raw, 1, &v);
	} else if (pos > size) {
		abort();
	}
	if (cs_wavescale_parse(text, &ws, &pos) == 0) {
		(void)cs_wavescale_eval(&ws, 100.0);
		(void)cs_wavescale_pixel(&ws, 1550.0, 512);
	}
	free(text);
	return 0;
}
