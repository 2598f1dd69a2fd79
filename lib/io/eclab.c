// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * BioLogic EC-Lab text exports, line by line (cellsense-eclab.h): the
 * optional header block, the column names, readings with decimal points
 * or commas, each number's written resolution kept as the export's
 * quantisation.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

#define MAX_FIELDS 256
#define MAX_HEADER_LINES 100000

static const char *const column_names[CS_ECLAB_NCOL] = {
	"time", "Ewe", "Ece", "Ewe-Ece", "I", "charge",
};

/* Names of each column, with their scale to SI; earlier ones win. */
static const struct name {
	const char *text;
	enum cs_eclab_column col;
	double scale;
} names[] = {
	{ "time/s", CS_ECLAB_TIME, 1.0 },
	{ "Ewe/V", CS_ECLAB_EWE, 1.0 },
	{ "<Ewe>/V", CS_ECLAB_EWE, 1.0 },
	{ "Ewe/mV", CS_ECLAB_EWE, 1e-3 },
	{ "<Ewe>/mV", CS_ECLAB_EWE, 1e-3 },
	{ "Ece/V", CS_ECLAB_ECE, 1.0 },
	{ "<Ece>/V", CS_ECLAB_ECE, 1.0 },
	{ "Ece/mV", CS_ECLAB_ECE, 1e-3 },
	{ "<Ece>/mV", CS_ECLAB_ECE, 1e-3 },
	{ "Ewe-Ece/V", CS_ECLAB_EWE_ECE, 1.0 },
	{ "<Ewe-Ece>/V", CS_ECLAB_EWE_ECE, 1.0 },
	{ "Ecell/V", CS_ECLAB_EWE_ECE, 1.0 },
	{ "<Ecell>/V", CS_ECLAB_EWE_ECE, 1.0 },
	{ "I/mA", CS_ECLAB_CURRENT, 1e-3 },
	{ "<I>/mA", CS_ECLAB_CURRENT, 1e-3 },
	{ "I/A", CS_ECLAB_CURRENT, 1.0 },
	{ "<I>/A", CS_ECLAB_CURRENT, 1.0 },
	{ "(Q-Qo)/mA.h", CS_ECLAB_CHARGE, 1e-3 },
	{ "(Q-Qo)/A.h", CS_ECLAB_CHARGE, 1.0 },
	{ "Q charge/discharge/mA.h", CS_ECLAB_CHARGE, 1e-3 },
	{ "Q charge/discharge/A.h", CS_ECLAB_CHARGE, 1.0 },
	{ "Capacity/mA.h", CS_ECLAB_CHARGE, 1e-3 },
	{ "Capacity/A.h", CS_ECLAB_CHARGE, 1.0 },
};

enum state { FIRST, BLOCK, DATA, BROKEN };

struct cs_eclab {
	enum state state;
	unsigned long line;	/* lines pushed */
	unsigned long header_lines;	/* of the block; 0 when none */
	int field[CS_ECLAB_NCOL];	/* index of each column, -1: none */
	int rank[CS_ECLAB_NCOL];	/* of the name that set it */
	double scale[CS_ECLAB_NCOL];
	double res[CS_ECLAB_NCOL];
	int nfields;		/* named in the header */
	int comma;
	unsigned long rows, bad;
	char error[160];
	/* the running charge */
	int q_started, q_sign;
	double q_first, q_last, q_base;
	unsigned long q_restarts;
};

const char *cs_eclab_column_name(unsigned int col)
{
	return col < CS_ECLAB_NCOL ? column_names[col] : NULL;
}

static int starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(s, prefix, n);
}

int cs_eclab_detect(const void *head, size_t len)
{
	const char *s = head;
	size_t eol;

	if (!s)
		return 0;
	if (starts(s, len, "EC-Lab ASCII FILE"))
		return 1;
	/* a first line of names: TABs, time/s among them */
	for (eol = 0; eol < len && s[eol] != '\n'; eol++)
		;
	for (size_t i = 0; i + 6 <= eol; i++)
		if (!memcmp(s + i, "time/s", 6) &&
		    (i == 0 || s[i - 1] == '\t') &&
		    (i + 6 == eol || s[i + 6] == '\t' || s[i + 6] == '\r') &&
		    memchr(s, '\t', eol))
			return 1;
	return 0;
}

struct cs_eclab *cs_eclab_create(void)
{
	struct cs_eclab *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	for (int c = 0; c < CS_ECLAB_NCOL; c++) {
		q->field[c] = -1;
		q->res[c] = NAN;
	}
	return q;
}

void cs_eclab_destroy(struct cs_eclab *q)
{
	free(q);
}

const char *cs_eclab_error(const struct cs_eclab *q)
{
	return q->error;
}

int cs_eclab_has(const struct cs_eclab *q, unsigned int col)
{
	return col < CS_ECLAB_NCOL && q->field[col] >= 0;
}

double cs_eclab_resolution(const struct cs_eclab *q, unsigned int col)
{
	return col < CS_ECLAB_NCOL ? q->res[col] : NAN;
}

int cs_eclab_decimal_comma(const struct cs_eclab *q)
{
	return q->comma;
}

unsigned long cs_eclab_rows(const struct cs_eclab *q)
{
	return q->rows;
}

unsigned long cs_eclab_bad(const struct cs_eclab *q)
{
	return q->bad;
}

enum cs_eclab_charge_kind cs_eclab_charge_kind(const struct cs_eclab *q)
{
	const char *name = cs_eclab_charge_name(q);

	if (!*name)
		return CS_ECLAB_Q_NONE;
	if (name[0] == '(')
		return CS_ECLAB_Q_TOTAL;
	return name[0] == 'Q' ? CS_ECLAB_Q_HALF_CYCLE : CS_ECLAB_Q_CAPACITY;
}

const char *cs_eclab_charge_name(const struct cs_eclab *q)
{
	return q->field[CS_ECLAB_CHARGE] < 0 ? "" :
	       names[q->rank[CS_ECLAB_CHARGE]].text;
}

unsigned long cs_eclab_charge_restarts(const struct cs_eclab *q)
{
	return q->q_restarts;
}

double cs_eclab_charge(struct cs_eclab *q, const double *row)
{
	enum cs_eclab_charge_kind kind = cs_eclab_charge_kind(q);
	double v = row[CS_ECLAB_CHARGE], i = row[CS_ECLAB_CURRENT];
	double res = q->res[CS_ECLAB_CHARGE];

	if (kind == CS_ECLAB_Q_NONE || isnan(v))
		return NAN;
	if (kind == CS_ECLAB_Q_CAPACITY && !q->q_sign && isnan(i))
		return NAN;
	if (!q->q_started) {
		q->q_started = 1;
		q->q_sign = i < 0.0 ? -1 : 1;
		if (kind == CS_ECLAB_Q_CAPACITY)
			v = q->q_sign * fabs(v);
		q->q_first = v;
		q->q_last = v;
		return 0.0;
	}
	if (kind == CS_ECLAB_Q_TOTAL) {
		q->q_last = v;
		v -= q->q_first;
		return isfinite(v) ? v : NAN;
	}
	/* a half cycle starting again: nearer 0 than the last by more than
	 * the digits' noise; Capacity's sign is its current's then (at
	 * rest, the noise would flip it) */
	if (fabs(v) < fabs(q->q_last) - 2.0 * (isnan(res) ? 0.0 : res)) {
		q->q_base += q->q_last;
		q->q_restarts++;
		if (kind == CS_ECLAB_Q_CAPACITY && !isnan(i))
			q->q_sign = i < 0.0 ? -1 : 1;
	}
	if (kind == CS_ECLAB_Q_CAPACITY)
		v = q->q_sign * fabs(v);
	q->q_last = v;
	v = q->q_base + v - q->q_first;
	return isfinite(v) ? v : NAN;	/* no charge sums past a double */
}

/* The line's length without its line end. */
static size_t content(const char *line)
{
	size_t n = strcspn(line, "\n");

	if (n && line[n - 1] == '\r')
		n--;
	return n;
}

static int broken(struct cs_eclab *q, const char *why)
{
	snprintf(q->error, sizeof(q->error), "%s", why);
	q->state = BROKEN;
	return -EINVAL;
}

/* The column names: which field holds what. */
static int names_line(struct cs_eclab *q, const char *line, size_t len)
{
	size_t pos = 0;
	int f = 0;

	while (pos <= len) {
		size_t w = 0;

		while (pos + w < len && line[pos + w] != '\t')
			w++;
		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			const struct name *n = &names[k];

			if (strlen(n->text) == w &&
			    !memcmp(line + pos, n->text, w) &&
			    (q->field[n->col] < 0 || (int)k < q->rank[n->col])) {
				q->field[n->col] = f;
				q->rank[n->col] = (int)k;
				q->scale[n->col] = n->scale;
			}
		}
		if (++f > MAX_FIELDS)
			return broken(q, "more than 256 columns");
		pos += w + 1;
	}
	/* a trailing TAB names no column */
	q->nfields = len && line[len - 1] == '\t' ? f - 1 : f;
	if (q->field[CS_ECLAB_TIME] < 0)
		return broken(q, "no time/s column in the column names");
	q->state = DATA;
	return 0;
}

/* A number as EC-Lab writes it, with a point or a comma; its written
 * resolution in *@res. 0, or -EINVAL. */
static int number(struct cs_eclab *q, const char *s, size_t w, double *v,
		  double *res)
{
	char buf[64], *end;
	int decimals = 0, seen_sep = 0, digits = 0;
	long ex = 0;
	size_t i;

	while (w && (*s == ' ')) {
		s++;
		w--;
	}
	while (w && s[w - 1] == ' ')
		w--;
	if (!w || w >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, w);
	buf[w] = '\0';
	for (i = 0; i < w; i++) {
		char c = buf[i];

		if (c == ',' || c == '.') {
			if (seen_sep)
				return -EINVAL;
			seen_sep = 1;
			if (c == ',') {
				buf[i] = '.';
				q->comma = 1;
			}
		} else if (c >= '0' && c <= '9') {
			digits++;
			decimals += seen_sep;
		} else if (c == 'e' || c == 'E') {
			break;
		} else if (!((c == '-' || c == '+') && i == 0)) {
			return -EINVAL;
		}
	}
	if (!digits)
		return -EINVAL;
	if (i < w) {
		errno = 0;
		ex = strtol(buf + i + 1, &end, 10);
		if (errno || *end || end == buf + i + 1 || ex < -400 || ex > 400)
			return -EINVAL;
	}
	errno = 0;
	*v = strtod(buf, &end);
	if (*end || !isfinite(*v))
		return -EINVAL;
	*res = pow(10.0, (double)(ex - decimals));
	/* more digits than a double resolves: not what EC-Lab writes */
	return *res >= 1e-300 ? 0 : -EINVAL;
}

static int reading(struct cs_eclab *q, const char *line, size_t len,
		   double *row)
{
	size_t start[MAX_FIELDS + 1], width[MAX_FIELDS + 1], pos = 0;
	double res[CS_ECLAB_NCOL];
	int f = 0;

	while (pos <= len && f <= MAX_FIELDS) {
		size_t w = 0;

		while (pos + w < len && line[pos + w] != '\t')
			w++;
		start[f] = pos;
		width[f++] = w;
		pos += w + 1;
	}
	for (int c = 0; c < CS_ECLAB_NCOL; c++) {
		int k = q->field[c];

		row[c] = NAN;
		if (k < 0)
			continue;
		if (k >= f) {
			snprintf(q->error, sizeof(q->error),
				 "%d fields, the column names have %d", f,
				 q->nfields);
			q->bad++;
			return -EBADMSG;
		}
		if (number(q, line + start[k], width[k], &row[c], &res[c])) {
			snprintf(q->error, sizeof(q->error),
				 "field %d (%s) '%.*s' is not a number", k + 1,
				 column_names[c], (int)(width[k] > 40 ? 40 :
							width[k]),
				 line + start[k]);
			q->bad++;
			return -EBADMSG;
		}
	}
	for (int c = 0; c < CS_ECLAB_NCOL; c++) {
		if (q->field[c] < 0)
			continue;
		row[c] *= q->scale[c];
		res[c] *= q->scale[c];
		if (isnan(q->res[c]) || res[c] > q->res[c])
			q->res[c] = res[c];
	}
	q->rows++;
	return 1;
}

int cs_eclab_line(struct cs_eclab *q, const char *line, double *row)
{
	size_t len;

	if (!q || !line || !row)
		return -EINVAL;
	len = content(line);
	q->line++;
	switch (q->state) {
	case FIRST:
		if (starts(line, len, "EC-Lab ASCII FILE")) {
			q->state = BLOCK;
			return 0;
		}
		return names_line(q, line, len);
	case BLOCK:
		if (!q->header_lines) {
			const char *p = line;
			char *end;
			unsigned long n;

			if (!starts(line, len, "Nb header lines")) {
				if (q->line > 10)
					return broken(q, "header block without "
						      "'Nb header lines : N'");
				return 0;
			}
			p = memchr(line, ':', len);
			if (!p)
				return broken(q, "'Nb header lines' without ':'");
			errno = 0;
			n = strtoul(p + 1, &end, 10);
			while (*end == ' ' || *end == '\r' || *end == '\n')
				end++;
			if (errno || end == p + 1 || *end || n <= q->line ||
			    n > MAX_HEADER_LINES)
				return broken(q, "'Nb header lines' not a line "
					      "count after this one");
			q->header_lines = n;
			return 0;
		}
		if (q->line < q->header_lines)
			return 0;
		return names_line(q, line, len);
	case DATA:
		if (!len)
			return 0;	/* a blank line, often the last */
		return reading(q, line, len, row);
	case BROKEN:
	default:
		return -EINVAL;
	}
}
