// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reference electrodes' own potentials vs Li/Li+: the usual kinds, each
 * with the potential of its two-phase plateau and how well that is known
 * (literature spread and cell-to-cell scatter), or a number the user gives.
 * See cellsense-re.h.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

static const struct cs_re_reference_type types[] = {
	{ "li", 0.0, 0.0, "lithium metal (defines the scale)" },
	{ "li-au", 0.31, 0.01, "lithiated gold wire (Li-Au alloy plateau)" },
	{ "lto", 1.55, 0.02, "lithium titanate, Li4Ti5O12/Li7Ti5O12" },
	{ "lfp", 3.42, 0.02, "half-lithiated LiFePO4/FePO4" },
};

const struct cs_re_reference_type *cs_re_reference_type(unsigned int i)
{
	return i < sizeof(types) / sizeof(types[0]) ? &types[i] : NULL;
}

/* The whole of @s as a number in [lo, hi], or -EINVAL. */
static int number(const char *s, size_t len, double lo, double hi, double *v)
{
	char buf[64], *end;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*v = strtod(buf, &end);
	if (errno || *end || !(*v >= lo && *v <= hi))
		return -EINVAL;
	return 0;
}

int cs_re_reference_parse(const char *text, double *potential,
			  double *uncertainty)
{
	const char *colon;
	size_t len;
	double p = NAN, u = 0.0;

	if (!text || !potential || !uncertainty)
		return -EINVAL;
	colon = strchr(text, ':');
	len = colon ? (size_t)(colon - text) : strlen(text);
	for (unsigned int i = 0; cs_re_reference_type(i); i++) {
		const struct cs_re_reference_type *t = cs_re_reference_type(i);

		if (strlen(t->name) == len && !strncmp(text, t->name, len)) {
			p = t->potential;
			u = t->uncertainty;
		}
	}
	if (isnan(p) && number(text, len, -5.0, 5.0, &p))
		return -EINVAL;
	if (colon && number(colon + 1, strlen(colon + 1), 0.0, 1.0, &u))
		return -EINVAL;
	*potential = p;
	*uncertainty = u;
	return 0;
}
