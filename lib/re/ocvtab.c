// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A cell's open-circuit curves as the user measured them
 * (cellsense-ocv(5)): cathode and anode vs Li/Li+ at points of the state
 * of charge, linear between them. What the drift correction fits rests to;
 * see cellsense-re.h.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

#define MAX_POINTS 100000

struct cs_re_ocvtab {
	size_t n;
	double *soc, *cathode, *anode, *u;
};

void cs_re_ocvtab_destroy(struct cs_re_ocvtab *q)
{
	if (!q)
		return;
	free(q->soc);
	free(q->cathode);
	free(q->anode);
	free(q->u);
	free(q);
}

size_t cs_re_ocvtab_points(const struct cs_re_ocvtab *q)
{
	return q->n;
}

/* A whole token as a finite number, or -EINVAL. */
static int number(const char *tok, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(tok, &end);
	return errno || *end || !isfinite(*v) ? -EINVAL : 0;
}

static int grow(struct cs_re_ocvtab *q, size_t cap)
{
	double **cols[] = { &q->soc, &q->cathode, &q->anode, &q->u };

	for (size_t i = 0; i < 4; i++) {
		double *p = realloc(*cols[i], cap * sizeof(double));

		if (!p)
			return -ENOMEM;
		*cols[i] = p;
	}
	return 0;
}

struct cs_re_ocvtab *cs_re_ocvtab_create(const char *text, unsigned long *line,
					 const char **why)
{
	struct cs_re_ocvtab *q;
	const char *p = text;
	unsigned long lineno = 0;
	size_t cap = 0;
	int header_ok = 1;

#define FAIL(msg)                              \
	do {                                   \
		if (line)                      \
			*line = lineno;        \
		if (why)                       \
			*why = (msg);          \
		cs_re_ocvtab_destroy(q);       \
		errno = EINVAL;                \
		return NULL;                   \
	} while (0)

	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	if (!text)
		FAIL("no text");
	while (*p) {
		char buf[256], *tok[5], *save = NULL;
		size_t len = strcspn(p, "\n");
		int ntok = 0;
		double v[4];

		lineno++;
		if (len >= sizeof(buf))
			FAIL("line too long");
		memcpy(buf, p, len);
		buf[len] = '\0';
		p += len + (p[len] == '\n');
		buf[strcspn(buf, "#\r")] = '\0';
		for (char *t = strtok_r(buf, " \t", &save); t;
		     t = strtok_r(NULL, " \t", &save)) {
			if (ntok == 5)
				FAIL("more than 4 columns");
			tok[ntok++] = t;
		}
		if (!ntok)
			continue;
		if (header_ok && !strcmp(tok[0], "soc")) {
			/* the column names, once, before the numbers */
			if (ntok < 3 || strcmp(tok[1], "cathode") ||
			    strcmp(tok[2], "anode") ||
			    (ntok == 4 && strcmp(tok[3], "uncertainty")))
				FAIL("header: expected 'soc cathode anode "
				     "[uncertainty]'");
			header_ok = 0;
			continue;
		}
		header_ok = 0;
		if (ntok < 3 || ntok > 4)
			FAIL("expected soc, cathode, anode [, uncertainty]");
		for (int i = 0; i < ntok; i++)
			if (number(tok[i], &v[i]))
				FAIL("not a number");
		if (ntok == 3)
			v[3] = 0.0;
		if (!(v[0] >= 0.0 && v[0] <= 1.0))
			FAIL("state of charge outside 0..1");
		if (!(fabs(v[1]) <= 6.0 && fabs(v[2]) <= 6.0))
			FAIL("potential outside -6..6 V");
		if (!(v[3] >= 0.0 && v[3] <= 1.0))
			FAIL("uncertainty outside 0..1 V");
		if (q->n && !(v[0] > q->soc[q->n - 1]))
			FAIL("state of charge not increasing");
		if (q->n && !(v[1] - v[2] > q->cathode[q->n - 1] -
					    q->anode[q->n - 1]))
			FAIL("cell voltage (cathode - anode) not increasing "
			     "with the state of charge");
		if (q->n == MAX_POINTS)
			FAIL("more than 100000 points");
		if (q->n == cap) {
			cap = cap ? 2 * cap : 64;
			if (grow(q, cap)) {
				cs_re_ocvtab_destroy(q);
				errno = ENOMEM;
				return NULL;
			}
		}
		q->soc[q->n] = v[0];
		q->cathode[q->n] = v[1];
		q->anode[q->n] = v[2];
		q->u[q->n] = v[3];
		q->n++;
	}
	if (q->n < 2)
		FAIL("fewer than 2 points");
#undef FAIL
	return q;
}

/* The segment [i, i+1] holding @x in the increasing @xs, by bisection. */
static size_t segment(const double *xs, size_t n, double x)
{
	size_t lo = 0, hi = n - 1;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (xs[mid] <= x)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

int cs_re_ocvtab_eval(const struct cs_re_ocvtab *q, double soc,
		      double *cathode, double *anode, double *u)
{
	size_t i;
	double f;

	if (!(soc >= q->soc[0] && soc <= q->soc[q->n - 1]))
		return -EDOM;
	i = segment(q->soc, q->n, soc);
	f = (soc - q->soc[i]) / (q->soc[i + 1] - q->soc[i]);
	if (cathode)
		*cathode = q->cathode[i] + f * (q->cathode[i + 1] - q->cathode[i]);
	if (anode)
		*anode = q->anode[i] + f * (q->anode[i + 1] - q->anode[i]);
	if (u)
		*u = q->u[i] + f * (q->u[i + 1] - q->u[i]);
	return 0;
}

double cs_re_ocvtab_soc(const struct cs_re_ocvtab *q, double cell_v)
{
	double lo_v = q->cathode[0] - q->anode[0];
	double hi_v = q->cathode[q->n - 1] - q->anode[q->n - 1];
	size_t lo = 0, hi = q->n - 1;
	double a, b, s;

	if (!(cell_v >= lo_v && cell_v <= hi_v))
		return NAN;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (q->cathode[mid] - q->anode[mid] <= cell_v)
			lo = mid;
		else
			hi = mid;
	}
	a = q->cathode[lo] - q->anode[lo];
	b = q->cathode[hi] - q->anode[hi];
	s = q->soc[lo] + (cell_v - a) / (b - a) * (q->soc[hi] - q->soc[lo]);
	/* rounding can put it a hair past the segment, and past the table's
	 * end, where cs_re_ocvtab_eval() refuses it */
	return fmin(fmax(s, q->soc[lo]), q->soc[hi]);
}
