// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Records (spectra, shots) of doubles from text, an interrogator export or
 * a NumPy .npy file: one reader for every tool, which reads on from the
 * bytes its caller already took to tell the kind.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

#define CHUNK 65536
#define MAX_LINE (64u << 20)

struct cs_input {
	enum cs_input_kind kind;
	struct cs_input_config cfg;
	FILE *in;
	unsigned char *buf;		/* read ahead */
	size_t start, end, cap;
	int eof;
	unsigned long long offset;	/* of buf[start] in the input */
	char *line;			/* the line in hand, NUL-terminated */
	size_t line_cap;
	unsigned long lineno;
	size_t n;			/* samples a record */
	double *pending;		/* the first record, read by start */
	int have_pending;
	struct cs_export *exp;
	struct cs_npy_header npy;
	unsigned char *raw;
	unsigned long rows_read;
	unsigned long bad, comments;
	int started, extra_said, finished;
	char err[256];
	char desc[256];
};

struct cs_input *cs_input_create(FILE *in, const void *head, size_t head_len,
				 enum cs_input_kind kind,
				 const struct cs_input_config *cfg)
{
	struct cs_input *q;

	if (!cfg || kind == CS_INPUT_RAW || kind > CS_INPUT_NPY ||
	    (head_len && !head)) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->kind = kind;
	q->cfg = *cfg;
	if (!q->cfg.max_samples)
		q->cfg.max_samples = 1u << 20;
	q->in = in;
	q->cap = head_len > CHUNK ? head_len : CHUNK;
	q->buf = malloc(q->cap);
	if (!q->buf) {
		free(q);
		return NULL;
	}
	if (head_len)
		memcpy(q->buf, head, head_len);
	q->end = head_len;
	q->eof = !in;
	return q;
}

void cs_input_destroy(struct cs_input *q)
{
	if (!q)
		return;
	cs_export_destroy(q->exp);
	free(q->buf);
	free(q->line);
	free(q->pending);
	free(q->raw);
	free(q);
}

static int set_error(struct cs_input *q, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int set_error(struct cs_input *q, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q->err, sizeof(q->err), fmt, ap);
	va_end(ap);
	return ret;
}

/* At least @want bytes in hand unless the input ends: 0, or -errno. */
static int fill(struct cs_input *q, size_t want)
{
	while (q->end - q->start < want && !q->eof) {
		size_t got;

		if (q->start && (q->cap - q->end < CHUNK ||
				 q->cap - q->start < want)) {
			memmove(q->buf, q->buf + q->start, q->end - q->start);
			q->end -= q->start;
			q->start = 0;
		}
		if (q->cap - q->end < CHUNK || q->cap < want) {
			size_t cap = q->cap * 2 > want ? q->cap * 2 : want +
				     CHUNK;
			unsigned char *b = realloc(q->buf, cap);

			if (!b)
				return -ENOMEM;
			q->buf = b;
			q->cap = cap;
		}
		got = fread(q->buf + q->end, 1, q->cap - q->end, q->in);
		q->end += got;
		if (!got) {
			if (ferror(q->in) && errno != EINTR)
				return set_error(q, -EIO, "read error at byte "
						 "offset %llu", q->offset +
						 (q->end - q->start));
			if (ferror(q->in))
				clearerr(q->in);	/* a signal */
			else
				q->eof = 1;
		}
	}
	return 0;
}

/* The next line into q->line: 1, 0 at the end, -errno. */
static int next_line(struct cs_input *q)
{
	size_t scanned = 0;

	for (;;) {
		unsigned char *nl = memchr(q->buf + q->start + scanned, '\n',
					   q->end - q->start - scanned);
		size_t len;
		int ret;

		if (nl || q->eof) {
			len = nl ? (size_t)(nl - (q->buf + q->start)) :
				   q->end - q->start;
			if (!nl && !len)
				return 0;
			if (len + 1 > q->line_cap) {
				char *l = realloc(q->line, len + 1);

				if (!l)
					return -ENOMEM;
				q->line = l;
				q->line_cap = len + 1;
			}
			memcpy(q->line, q->buf + q->start, len);
			q->line[len] = '\0';
			len += nl ? 1 : 0;
			q->start += len;
			q->offset += len;
			q->lineno++;
			if (memchr(q->line, '\0', len - (nl ? 1 : 0)))
				return set_error(q, -EBADMSG, "line %lu: a NUL "
						 "byte: binary data, not text",
						 q->lineno);
			return 1;
		}
		scanned = q->end - q->start;
		if (scanned >= MAX_LINE)
			return set_error(q, -EBADMSG, "line %lu is longer than "
					 "%u bytes", q->lineno + 1, MAX_LINE);
		ret = fill(q, scanned + CHUNK);
		if (ret)
			return ret;
		if (q->end - q->start == scanned)
			q->eof = 1;
	}
}

static int comment_or_blank(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	return !*s || *s == '#';
}

/* ---- text: one record a line -------------------------------------- */

static int text_record(struct cs_input *q, double *out)
{
	for (;;) {
		size_t col, max = q->n ? q->n : q->cfg.max_samples;
		const char *why;
		long n;
		int ret = next_line(q);

		if (ret <= 0)
			return ret;
		if (comment_or_blank(q->line)) {
			q->comments++;
			continue;
		}
		n = cs_text_row_parse(q->line, out, max, &col, &why);
		if (n == -EBADMSG && !strcmp(why, "more numbers than "
					     "expected") && q->n) {
			q->bad++;
			return set_error(q, -EBADMSG, "line %lu: more than %zu "
					 "numbers (the first record had %zu): "
					 "skipped", q->lineno, q->n, q->n);
		}
		if (n < 0) {
			q->bad++;
			return set_error(q, -EBADMSG, "line %lu, column %zu: %s: "
					 "skipped", q->lineno, col, why);
		}
		if (!q->n) {
			q->n = (size_t)n;
			return 1;
		}
		if ((size_t)n != q->n) {
			q->bad++;
			return set_error(q, -EBADMSG, "line %lu: %ld numbers, "
					 "expected %zu: skipped", q->lineno, n,
					 q->n);
		}
		return 1;
	}
}

/* Every number of every line: one record (a pulse). */
static int text_whole(struct cs_input *q)
{
	size_t n = 0;
	int ret;

	q->pending = malloc(q->cfg.max_samples * sizeof(double));
	if (!q->pending)
		return -ENOMEM;
	while ((ret = next_line(q)) > 0) {
		size_t col;
		const char *why;
		long got;

		if (comment_or_blank(q->line)) {
			q->comments++;
			continue;
		}
		got = cs_text_row_parse(q->line, q->pending + n,
					q->cfg.max_samples - n, &col, &why);
		if (got < 0)
			return set_error(q, -EBADMSG, "line %lu, column %zu: %s",
					 q->lineno, col, why);
		n += (size_t)got;
	}
	if (ret < 0)
		return ret;
	if (!n)
		return set_error(q, -EBADMSG, "no numbers in it");
	q->n = n;
	q->have_pending = 1;
	snprintf(q->desc, sizeof(q->desc), "text, %zu numbers in %lu lines",
		 n, q->lineno);
	return 0;
}

/* ---- exports --------------------------------------------------------- */

static int export_record(struct cs_input *q, double *out)
{
	for (;;) {
		unsigned long line;
		const double *s;
		size_t col, n;
		int ret = next_line(q);

		if (ret < 0)
			return ret;
		if (!ret) {
			if (q->finished)
				return 0;
			q->finished = 1;
			ret = cs_export_finish(q->exp);
		} else {
			ret = cs_export_line(q->exp, q->line);
		}
		if (ret == -EBADMSG) {
			const char *why = cs_export_error(q->exp, &line, &col);

			q->bad++;
			if (col > 1)
				return set_error(q, ret, "line %lu, column %zu: "
						 "%s", line, col, why);
			return set_error(q, ret, "line %lu: %s", line, why);
		}
		if (ret < 0)
			return ret;
		s = cs_export_take(q->exp, &n);
		if (s) {
			q->n = n;
			memcpy(out, s, n * sizeof(double));
			return 1;
		}
	}
}

static int export_start(struct cs_input *q)
{
	const double *axis;
	const char *why;
	size_t n;
	int ret, dbm;
	unsigned int ch;

	q->exp = cs_export_create(&q->cfg.exp);
	if (!q->exp)
		return -errno;
	q->pending = malloc(65536 * sizeof(double));
	if (!q->pending)
		return -ENOMEM;
	/* the first good spectrum; bad ones before it are errors here */
	ret = export_record(q, q->pending);
	if (ret < 0)
		return ret;
	if (!ret)
		return set_error(q, -EBADMSG, "no spectrum in it (a header, "
				 "then rows of wavelength and power)");
	q->have_pending = 1;
	axis = cs_export_axis(q->exp, &n);
	dbm = cs_export_dbm(q->exp, &why);
	ch = cs_export_channels(q->exp);
	snprintf(q->desc, sizeof(q->desc), "%s, %zu points %.3f..%.3f nm, "
		 "channel %u of %u, power in %s (%s)%s",
		 cs_export_has_keys(q->exp) ?
		 "interrogator export (ENLIGHT layout: Key: value lines, "
		 "wavelength and power columns)" :
		 "wavelength/power columns", n, axis[0], axis[n - 1],
		 q->cfg.exp.channel ? q->cfg.exp.channel : 1, ch,
		 dbm ? "dBm" : "linear units", why,
		 dbm ? ", converted to mW" : "");
	return 0;
}

/* ---- .npy -------------------------------------------------------------- */

static int npy_start(struct cs_input *q)
{
	size_t need = 10;
	const char *why;
	int ret;

	for (;;) {
		ret = fill(q, need);
		if (ret)
			return ret;
		ret = cs_npy_header_parse(q->buf + q->start, q->end - q->start,
					  &q->npy, &need, &why);
		if (ret == -EAGAIN && q->end - q->start < need && !q->eof)
			continue;
		if (ret == -EAGAIN)
			return set_error(q, -EBADMSG, "input ends inside the "
					 ".npy header (%zu of %zu bytes)",
					 q->end - q->start, need);
		if (ret == -EBADMSG && q->npy.descr[0] &&
		    strstr(why, "dtype"))
			return set_error(q, ret, "dtype '%s': %s",
					 q->npy.descr, why);
		if (ret)
			return set_error(q, ret, "%s", why);
		break;
	}
	q->start += q->npy.data_offset;
	q->offset += q->npy.data_offset;
	snprintf(q->desc, sizeof(q->desc), "NumPy .npy, dtype '%s' (%s), "
		 "%zu x %zu", q->npy.descr, q->npy.fmt.is_float ? "float" :
		 q->npy.fmt.is_signed ? "signed" : "unsigned", q->npy.rows,
		 q->npy.cols);
	if (q->cfg.whole) {
		q->npy.cols *= q->npy.rows;
		q->npy.rows = 1;
	}
	q->n = q->npy.cols;
	if (q->n > q->cfg.max_samples)
		return set_error(q, -EBADMSG, "rows of %zu samples: more than "
				 "%zu", q->n, q->cfg.max_samples);
	q->raw = malloc(q->n * cs_sample_format_bytes(&q->npy.fmt));
	if (!q->raw)
		return -ENOMEM;
	return 0;
}

static int npy_record(struct cs_input *q, double *out)
{
	size_t bytes = q->n * cs_sample_format_bytes(&q->npy.fmt), have;
	int ret = fill(q, bytes);

	if (ret)
		return ret;
	have = q->end - q->start;
	if (q->rows_read >= q->npy.rows) {
		if (have && !q->extra_said) {
			q->extra_said = 1;
			q->bad++;
			return set_error(q, -EBADMSG, "byte offset %llu: bytes "
					 "after the %zu rows of the shape: "
					 "ignored", q->offset, q->npy.rows);
		}
		return 0;
	}
	if (have < bytes) {
		unsigned long row = q->rows_read;

		q->start = q->end;
		q->rows_read = q->npy.rows;
		q->bad++;
		if (!have)
			return set_error(q, -EBADMSG, "byte offset %llu: input "
					 "ends after %lu of the shape's %zu "
					 "rows", q->offset, row, q->npy.rows);
		return set_error(q, -EBADMSG, "byte offset %llu: input ends "
				 "inside row %lu (%zu of %zu bytes): skipped",
				 q->offset, row, have, bytes);
	}
	cs_sample_format_decode(&q->npy.fmt, q->buf + q->start, q->n, out);
	q->start += bytes;
	q->offset += bytes;
	q->rows_read++;
	return 1;
}

/* ---- the reader ------------------------------------------------------ */

int cs_input_start(struct cs_input *q)
{
	int ret;

	if (q->started)
		return 0;
	q->started = 1;
	q->n = q->cfg.n;
	switch (q->kind) {
	case CS_INPUT_TEXT:
		if (q->cfg.whole)
			return text_whole(q);
		if (q->n) {
			/* the size is known: bad lines come with next() */
			snprintf(q->desc, sizeof(q->desc), "text, %zu numbers "
				 "a line", q->n);
			return 0;
		}
		q->pending = malloc(q->cfg.max_samples * sizeof(double));
		if (!q->pending)
			return -ENOMEM;
		ret = text_record(q, q->pending);
		if (ret < 0)
			return ret;
		if (!ret)
			return set_error(q, -EBADMSG, "no numbers in it");
		q->have_pending = 1;
		snprintf(q->desc, sizeof(q->desc), "text, %zu numbers a line",
			 q->n);
		return 0;
	case CS_INPUT_EXPORT:
		return export_start(q);
	case CS_INPUT_NPY:
		return npy_start(q);
	default:
		return -EINVAL;
	}
}

size_t cs_input_samples(const struct cs_input *q)
{
	return q->n;
}

int cs_input_next(struct cs_input *q, double *out)
{
	int ret;

	if (!q->started) {
		ret = cs_input_start(q);
		if (ret)
			return ret;
	}
	if (q->have_pending) {
		q->have_pending = 0;
		memcpy(out, q->pending, q->n * sizeof(double));
		return 1;
	}
	if (q->cfg.whole && q->kind == CS_INPUT_TEXT)
		return 0;
	switch (q->kind) {
	case CS_INPUT_TEXT:
		return text_record(q, out);
	case CS_INPUT_EXPORT:
		return export_record(q, out);
	case CS_INPUT_NPY:
		return npy_record(q, out);
	default:
		return -EINVAL;
	}
}

const char *cs_input_error(const struct cs_input *q)
{
	return q->err;
}

const char *cs_input_describe(const struct cs_input *q)
{
	return q->desc;
}

const double *cs_input_axis(const struct cs_input *q)
{
	size_t n;

	return q->exp ? cs_export_axis(q->exp, &n) : NULL;
}

const struct cs_sample_format *cs_input_format(const struct cs_input *q)
{
	return q->kind == CS_INPUT_NPY && q->raw ? &q->npy.fmt : NULL;
}

unsigned long cs_input_bad(const struct cs_input *q)
{
	return q->bad;
}

unsigned long cs_input_comments(const struct cs_input *q)
{
	return q->comments;
}
