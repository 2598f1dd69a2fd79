// SPDX-License-Identifier: LGPL-2.1-or-later
/* Telling text, exports, .npy and raw samples apart by their first bytes,
 * so that no tool reads text as samples (or the reverse) without saying. */
#include <errno.h>
#include <string.h>

#include "cellsense.h"

const char *cs_input_kind_name(enum cs_input_kind kind)
{
	switch (kind) {
	case CS_INPUT_RAW: return "raw samples";
	case CS_INPUT_TEXT: return "text";
	case CS_INPUT_EXPORT: return "wavelength/power export";
	case CS_INPUT_NPY: return "NumPy .npy";
	}
	return "unknown";
}

size_t cs_input_first_binary(const void *head, size_t len)
{
	const unsigned char *p = head;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = p[i];

		/* blanks, printable ASCII, and bytes of UTF-8 (a degree sign,
		 * a micro sign in a header): no NUL, no other control */
		if (c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
		    (c >= 0x20 && c != 0x7f))
			continue;
		return i;
	}
	return len;
}

static int is_number_line(const char *line)
{
	double v[1];
	size_t col;
	const char *why;

	/* a row of numbers: the first field at least is one */
	return cs_text_row_parse(line, v, 1, &col, &why) != -EBADMSG ||
	       !strcmp(why, "more numbers than expected");
}

enum cs_input_kind cs_input_sniff(const void *head, size_t len)
{
	const char *p = head, *end = p + len;
	char line[512];

	if (len >= 6 && !memcmp(head, "\x93NUMPY", 6))
		return CS_INPUT_NPY;
	if (!len || cs_input_first_binary(head, len) < len)
		return CS_INPUT_RAW;
	/* the first line that is not a comment or blank decides */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = (size_t)((nl ? nl : end) - p), k = 0;

		if (l >= sizeof(line))
			l = sizeof(line) - 1;
		memcpy(line, p, l);
		line[l] = '\0';
		p = nl ? nl + 1 : end;
		while (line[k] == ' ' || line[k] == '\t' || line[k] == '\r')
			k++;
		if (!line[k] || line[k] == '#')
			continue;
		return is_number_line(line) ? CS_INPUT_TEXT : CS_INPUT_EXPORT;
	}
	return CS_INPUT_TEXT;
}
