// SPDX-License-Identifier: GPL-2.0-or-later
/* A-scans stacked over time into an image of bounded size (csplot). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense-io.h"

struct cs_waterfall {
	size_t samples, max_rows;
	size_t cols, col_samples;	/* columns, samples per column */
	size_t rows, row_shots;		/* rows used, shots per full row */
	size_t last_fill;		/* shots in the last row */
	unsigned long shots;
	double *image;			/* max_rows x cols */
	int64_t *times;			/* max_rows: first shot's time */
	double *line;			/* cols: the shot being added */
};

struct cs_waterfall *cs_waterfall_create(size_t samples, size_t max_cols,
					 size_t max_rows)
{
	struct cs_waterfall *w;

	if (!samples || !max_cols || !max_rows)
		return NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->samples = samples;
	w->max_rows = max_rows;
	w->col_samples = (samples + max_cols - 1) / max_cols;
	w->cols = (samples + w->col_samples - 1) / w->col_samples;
	w->row_shots = 1;
	w->image = calloc(max_rows * w->cols, sizeof(double));
	w->times = calloc(max_rows, sizeof(int64_t));
	w->line = calloc(w->cols, sizeof(double));
	if (!w->image || !w->times || !w->line) {
		cs_waterfall_destroy(w);
		return NULL;
	}
	return w;
}

void cs_waterfall_destroy(struct cs_waterfall *w)
{
	if (!w)
		return;
	free(w->image);
	free(w->times);
	free(w->line);
	free(w);
}

/* The larger in magnitude of @a and @b, its sign kept. */
static double larger(double a, double b)
{
	return fabs(b) > fabs(a) ? b : a;
}

/* Full: rows 2i and 2i+1 into row i; a row then takes twice the shots. */
static void halve_rows(struct cs_waterfall *w)
{
	size_t n = (w->rows + 1) / 2;

	for (size_t r = 0; r < n; r++) {
		double *to = w->image + r * w->cols;
		const double *a = w->image + 2 * r * w->cols;

		if (to != a)
			memcpy(to, a, w->cols * sizeof(double));
		w->times[r] = w->times[2 * r];
		if (2 * r + 1 < w->rows) {
			const double *b = a + w->cols;

			for (size_t c = 0; c < w->cols; c++)
				to[c] = larger(to[c], b[c]);
		}
	}
	/* the last row: a whole one and the old last, or the old last alone */
	w->last_fill = w->rows % 2 ? w->last_fill : w->row_shots + w->last_fill;
	w->rows = n;
	w->row_shots *= 2;
}

int cs_waterfall_add(struct cs_waterfall *w, const double *x, int64_t time_ns)
{
	double *row;

	for (size_t c = 0; c < w->cols; c++) {
		size_t k0 = c * w->col_samples, k1 = k0 + w->col_samples;
		double v = 0;

		if (k1 > w->samples)
			k1 = w->samples;
		for (size_t k = k0; k < k1; k++) {
			if (!isfinite(x[k]))
				return -EINVAL;
			v = k == k0 ? x[k] : larger(v, x[k]);
		}
		w->line[c] = v;
	}
	if (w->rows && w->last_fill < w->row_shots) {
		row = w->image + (w->rows - 1) * w->cols;
		for (size_t c = 0; c < w->cols; c++)
			row[c] = larger(row[c], w->line[c]);
		w->last_fill++;
	} else {
		if (w->rows == w->max_rows)
			halve_rows(w);
		if (w->rows && w->last_fill < w->row_shots) {
			/* merging left room in the last row */
			row = w->image + (w->rows - 1) * w->cols;
			for (size_t c = 0; c < w->cols; c++)
				row[c] = larger(row[c], w->line[c]);
			w->last_fill++;
		} else {
			row = w->image + w->rows * w->cols;
			memcpy(row, w->line, w->cols * sizeof(double));
			w->times[w->rows++] = time_ns;
			w->last_fill = 1;
		}
	}
	w->shots++;
	return 0;
}

const double *cs_waterfall_image(const struct cs_waterfall *w, size_t *cols,
				 size_t *rows)
{
	*cols = w->cols;
	*rows = w->rows;
	return w->image;
}

size_t cs_waterfall_col_samples(const struct cs_waterfall *w)
{
	return w->col_samples;
}

size_t cs_waterfall_row_shots(const struct cs_waterfall *w)
{
	return w->row_shots;
}

unsigned long cs_waterfall_shots(const struct cs_waterfall *w)
{
	return w->shots;
}

int64_t cs_waterfall_row_time(const struct cs_waterfall *w, size_t r)
{
	return r < w->rows ? w->times[r] : 0;
}
