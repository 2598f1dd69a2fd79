// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A grating as a command line or a config file gives it,
 * "NAME:NM[:HALF[:FIBRE]]": parsed here, not in the tool, so that a fuzz
 * target reaches it.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

/* a number that is all of @s, in [lo, hi] */
static int number(const char *s, double lo, double hi, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return end != s && !*end && !errno && isfinite(*v) && *v >= lo &&
	       *v <= hi;
}

int cs_fbg_grating_parse(const char *spec, double default_halfwidth_nm,
			 struct cs_fbg_grating *g, const char **why)
{
	char buf[160], *f[4];
	unsigned int n = 0;
	double v;

	if (!spec || !g || !why)
		return -EINVAL;
	memset(g, 0, sizeof(*g));
	if (strlen(spec) >= sizeof(buf)) {
		*why = "too long";
		return -EINVAL;
	}
	strcpy(buf, spec);
	/* up to 4 fields; a fifth (a ':' in the last) is refused */
	for (char *p = buf; p; n++) {
		if (n == 4) {
			n = 5;
			break;
		}
		f[n] = p;
		p = strchr(p, ':');
		if (p)
			*p++ = '\0';
	}
	if (n < 2 || n > 4) {
		*why = "expected NAME:NM[:HALF[:FIBRE]]";
		return -EINVAL;
	}
	if (!f[0][0] || strlen(f[0]) >= CS_FBG_NAME_MAX ||
	    strpbrk(f[0], "\t\n /:")) {
		*why = "its name is empty, too long or has a blank, '/' or ':'";
		return -EINVAL;
	}
	strcpy(g->name, f[0]);
	if (!number(f[1], 100, 10000, &g->centre_nm)) {
		*why = "its wavelength is not a number in 100..10000 nm";
		return -EINVAL;
	}
	g->halfwidth_nm = default_halfwidth_nm;
	if (n > 2 && f[2][0] && !number(f[2], 0.01, 1000, &g->halfwidth_nm)) {
		*why = "its half-width is not a number in 0.01..1000 nm";
		return -EINVAL;
	}
	if (n > 3) {
		if (!number(f[3], 0, 255, &v) || v != floor(v)) {
			*why = "its fibre is not a whole number in 0..255";
			return -EINVAL;
		}
		g->fibre = (unsigned int)v;
	}
	return 0;
}
