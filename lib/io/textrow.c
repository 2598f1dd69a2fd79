// SPDX-License-Identifier: LGPL-2.1-or-later
/* One line of numbers separated by blanks, commas or semicolons. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	       c == '\v';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A comma with digits on both sides, on a line that has semicolons: the
 * decimal comma of a European spreadsheet, which would read as two. */
static const char *decimal_comma(const char *line)
{
	const char *c;

	if (!strchr(line, ';'))
		return NULL;
	for (c = strchr(line, ','); c; c = strchr(c + 1, ','))
		if (c > line && is_digit(c[-1]) && is_digit(c[1]))
			return c;
	return NULL;
}

long cs_text_row_parse(const char *line, double *out, size_t max,
		       size_t *column, const char **why)
{
	const char *p = line, *dc;
	size_t count = 0;
	int need_value = 0;	/* after a comma or semicolon */

#define BAD(at, reason)                                  \
	do {                                             \
		*column = (size_t)((at) - line) + 1;     \
		*why = (reason);                         \
		return -EBADMSG;                         \
	} while (0)

	dc = decimal_comma(line);
	if (dc)
		BAD(dc, "a decimal comma? numbers need a decimal point");
	for (;;) {
		const char *tok;
		char *end;
		double v;

		while (is_blank(*p))
			p++;
		if (!*p)
			break;
		if (*p == ',' || *p == ';') {
			if (!need_value && count > 0) {
				need_value = 1;
				p++;
				continue;
			}
			BAD(p, "empty field");
		}
		tok = p;
		v = strtod(tok, &end);
		if (end == tok || (*end && !is_blank(*end) && *end != ',' &&
				   *end != ';'))
			BAD(tok, "not a number");
		if (count >= max)
			BAD(tok, "more numbers than expected");
		out[count++] = v;
		need_value = 0;
		p = end;
	}
#undef BAD
	return (long)count;
}
