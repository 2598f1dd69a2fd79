// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Interrogator exports: a header ("Key: value" lines, a line naming the
 * columns), then rows of wavelength and one power per channel; several
 * spectra one after another. Fed a line at a time so a long log never
 * has to fit in memory; one spectrum of one channel is kept.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

#define MAX_COLUMNS 65		/* wavelength + 64 channels */

struct cs_export {
	struct cs_export_config cfg;
	unsigned long line;
	int in_rows;		/* a spectrum's rows have begun */
	int bad;		/* the spectrum in hand is dropped */
	int has_keys, header_dbm;
	unsigned int ncols;	/* of the rows, 0 before the first */
	double *nm, *p;		/* the spectrum in hand */
	size_t npts;
	double *axis;		/* the first spectrum's wavelengths */
	size_t naxis;
	double *done;		/* the spectrum completed, converted */
	size_t ndone;
	int ready;
	int dbm;		/* -1 undecided */
	const char *dbm_why;
	unsigned long spectra, dropped;
	unsigned long err_line;
	size_t err_col;
	char err[160];
};

struct cs_export *cs_export_create(const struct cs_export_config *cfg)
{
	struct cs_export *e;
	size_t max;

	if (!cfg || cfg->channel > MAX_COLUMNS - 1 ||
	    cfg->power > CS_POWER_LINEAR || cfg->max_points > 1 << 24) {
		errno = EINVAL;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->cfg = *cfg;
	if (!e->cfg.channel)
		e->cfg.channel = 1;
	if (!e->cfg.max_points)
		e->cfg.max_points = 65536;
	max = e->cfg.max_points;
	e->nm = malloc(max * sizeof(double));
	e->p = malloc(max * sizeof(double));
	e->done = malloc(max * sizeof(double));
	if (!e->nm || !e->p || !e->done) {
		cs_export_destroy(e);
		errno = ENOMEM;
		return NULL;
	}
	e->dbm = -1;
	return e;
}

void cs_export_destroy(struct cs_export *e)
{
	if (!e)
		return;
	free(e->nm);
	free(e->p);
	free(e->done);
	free(e->axis);
	free(e);
}

static int mentions_dbm(const char *s)
{
	for (; *s; s++)
		if ((s[0] | 0x20) == 'd' && (s[1] | 0x20) == 'b' &&
		    (s[2] | 0x20) == 'm')
			return 1;
	return 0;
}

static int fail(struct cs_export *e, size_t col, const char *why)
{
	if (!e->bad && e->in_rows)
		e->dropped++;
	e->bad = e->in_rows;	/* the rest of this spectrum goes with it */
	e->err_line = e->line;
	e->err_col = col;
	snprintf(e->err, sizeof(e->err), "%s", why);
	return -EBADMSG;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void decide_scale(struct cs_export *e)
{
	double *tmp;

	if (e->dbm >= 0)
		return;
	if (e->cfg.power != CS_POWER_AUTO) {
		e->dbm = e->cfg.power == CS_POWER_DBM;
		e->dbm_why = "as told";
		return;
	}
	if (e->header_dbm) {
		e->dbm = 1;
		e->dbm_why = "the header says dBm";
		return;
	}
	/* a power is never below 0; a level in dBm mostly is */
	tmp = e->done;
	memcpy(tmp, e->p, e->npts * sizeof(double));
	qsort(tmp, e->npts, sizeof(double), cmp_double);
	e->dbm = tmp[e->npts / 2] < 0.0;
	e->dbm_why = e->dbm ? "no unit in the header, its median is below 0" :
			      "no unit in the header, its median is not "
			      "below 0";
}

/* The spectrum in hand is complete: give it, or drop it if short. */
static int end_spectrum(struct cs_export *e)
{
	int ret = 0;

	if (!e->in_rows)
		return 0;
	e->in_rows = 0;
	if (e->bad) {
		e->bad = 0;
		e->npts = 0;
		return 0;
	}
	if (e->axis && e->npts != e->naxis) {
		char why[96];

		snprintf(why, sizeof(why), "spectrum ended after %zu of the "
			 "first one's %zu rows: dropped", e->npts, e->naxis);
		e->in_rows = 1;
		ret = fail(e, 1, why);
		e->in_rows = 0;
		e->bad = 0;
		e->npts = 0;
		return ret;
	}
	if (!e->axis) {
		if (e->npts < 16) {
			e->in_rows = 1;
			ret = fail(e, 1, "spectrum of fewer than 16 rows: "
				   "dropped");
			e->in_rows = 0;
			e->bad = 0;
			e->npts = 0;
			return ret;
		}
		e->axis = malloc(e->npts * sizeof(double));
		if (!e->axis)
			return -ENOMEM;
		memcpy(e->axis, e->nm, e->npts * sizeof(double));
		e->naxis = e->npts;
	}
	decide_scale(e);
	for (size_t i = 0; i < e->npts; i++)
		e->done[i] = e->dbm ? pow(10.0, e->p[i] / 10.0) : e->p[i];
	e->ndone = e->npts;
	e->ready = 1;
	e->spectra++;
	e->npts = 0;
	return 0;
}

static int row(struct cs_export *e, const double *v, long n)
{
	double nm = v[0];
	char why[128];

	if (!e->ncols) {
		if (n < 2)
			return fail(e, 1, "a row needs a wavelength and at "
				    "least one power");
		e->ncols = (unsigned int)n;
		if (e->cfg.channel > e->ncols - 1) {
			snprintf(why, sizeof(why), "channel %u asked for, the "
				 "rows have %u", e->cfg.channel, e->ncols - 1);
			return fail(e, 1, why);
		}
	}
	if (e->in_rows && e->npts > 0 && !(nm > e->nm[e->npts - 1])) {
		int ret = end_spectrum(e);	/* the wavelength went back */

		if (ret)
			return ret;
	}
	if (!e->in_rows) {
		e->in_rows = 1;
		e->npts = 0;
	}
	if (e->bad)
		return 0;
	if ((unsigned long)n != e->ncols) {
		snprintf(why, sizeof(why), "%ld numbers, the rows before had "
			 "%u: spectrum dropped", n, e->ncols);
		return fail(e, 1, why);
	}
	if (!isfinite(nm))
		return fail(e, 1, "the wavelength is not a finite number: "
			    "spectrum dropped");
	if (e->npts >= e->cfg.max_points ||
	    (e->axis && e->npts >= e->naxis)) {
		snprintf(why, sizeof(why), "more than %zu rows in a spectrum: "
			 "dropped", e->axis ? e->naxis : e->cfg.max_points);
		return fail(e, 1, why);
	}
	if (e->axis) {
		double step = fabs(e->axis[e->naxis - 1] - e->axis[0]) /
			      (double)(e->naxis - 1);

		if (fabs(nm - e->axis[e->npts]) > 0.25 * step) {
			snprintf(why, sizeof(why), "wavelength %.6g nm where "
				 "the first spectrum had %.6g: spectrum "
				 "dropped", nm, e->axis[e->npts]);
			return fail(e, 1, why);
		}
	}
	e->nm[e->npts] = nm;
	e->p[e->npts] = v[e->cfg.channel];
	e->npts++;
	return 0;
}

int cs_export_line(struct cs_export *e, const char *line)
{
	double v[MAX_COLUMNS];
	const char *why, *s = line;
	size_t col;
	long n;

	e->ready = 0;
	e->line++;
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	if (*s == '#')
		return 0;		/* a comment: nothing ends there */
	if (!*s)
		return end_spectrum(e);	/* a blank line ends a spectrum */
	n = cs_text_row_parse(line, v, MAX_COLUMNS, &col, &why);
	if (n > 0)
		return row(e, v, n);
	if (n == -EBADMSG && e->in_rows && col > 1 &&
	    (size_t)(s - line) + 1 < col)
		return fail(e, col, why);	/* numbers, then garbage */
	/* a header line: it ends the spectrum in hand */
	n = end_spectrum(e);
	if (mentions_dbm(line))
		e->header_dbm = 1;
	if (strchr(line, ':'))
		e->has_keys = 1;
	return (int)n;
}

int cs_export_finish(struct cs_export *e)
{
	e->ready = 0;
	return end_spectrum(e);
}

const double *cs_export_take(struct cs_export *e, size_t *n)
{
	if (!e->ready)
		return NULL;
	e->ready = 0;
	*n = e->ndone;
	return e->done;
}

const double *cs_export_axis(const struct cs_export *e, size_t *n)
{
	*n = e->naxis;
	return e->axis;
}

const char *cs_export_error(const struct cs_export *e, unsigned long *line,
			    size_t *column)
{
	*line = e->err_line;
	*column = e->err_col;
	return e->err;
}

unsigned int cs_export_channels(const struct cs_export *e)
{
	return e->ncols ? e->ncols - 1 : 0;
}

int cs_export_dbm(const struct cs_export *e, const char **why)
{
	*why = e->dbm_why;
	return e->dbm;
}

int cs_export_has_keys(const struct cs_export *e)
{
	return e->has_keys;
}

unsigned long cs_export_spectra(const struct cs_export *e)
{
	return e->spectra;
}

unsigned long cs_export_dropped(const struct cs_export *e)
{
	return e->dropped;
}
