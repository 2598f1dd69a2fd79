// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A line of a "key = value" config file (fbgtrack -c), split here so that
 * a fuzz target reaches it.
 */
#include <string.h>

#include "cellsense.h"

int cs_config_line_split(char *line, char **key, char **val)
{
	char *k = line, *end, *v;

	k += strspn(k, " \t");
	end = k + strcspn(k, "#\r\n");
	*end = '\0';
	while (end > k && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	*key = k;
	*val = NULL;
	if (!*k)
		return 0;
	v = strchr(k, '=');
	if (v) {
		char *e = v;

		*v++ = '\0';
		while (e > k && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		v += strspn(v, " \t");
		*val = v;
	}
	return 1;
}
