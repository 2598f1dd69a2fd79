// SPDX-License-Identifier: LGPL-2.1-or-later
/* Measurement records: the one text format all cellsense tools share. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

#define NCOLUMNS 7

static const char header[] =
	"time_ns\tsource\tquantity\tvalue\tunit\tstatus\tuncertainty";

const char *cs_record_header(void)
{
	return header;
}

static int copy_field(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	if (len == 0 || len >= size)
		return -EINVAL;
	/* A tab or newline would break the line format. */
	if (strpbrk(src, "\t\r\n"))
		return -EINVAL;
	memcpy(dst, src, len + 1);
	return 0;
}

int cs_record_set(struct cs_record *rec, int64_t time_ns, const char *source,
		  const char *quantity, double value, const char *unit,
		  const char *status, double uncertainty)
{
	if (!rec || !source || !quantity || !unit || !status)
		return -EINVAL;
	if (copy_field(rec->source, sizeof(rec->source), source) ||
	    copy_field(rec->quantity, sizeof(rec->quantity), quantity) ||
	    copy_field(rec->unit, sizeof(rec->unit), unit) ||
	    copy_field(rec->status, sizeof(rec->status), status))
		return -EINVAL;
	rec->time_ns = time_ns;
	rec->value = value;
	rec->uncertainty = uncertainty;
	return 0;
}

/* %.10g keeps 0.1 pm on a 1550 nm wavelength; "nan" for no value. */
static void format_double(char *buf, size_t size, double v)
{
	if (isnan(v))
		snprintf(buf, size, "nan");
	else
		snprintf(buf, size, "%.10g", v);
}

int cs_record_write(FILE *out, const struct cs_record *rec)
{
	char value[32], unc[32];

	if (!out || !rec)
		return -EINVAL;
	format_double(value, sizeof(value), rec->value);
	format_double(unc, sizeof(unc), rec->uncertainty);
	if (fprintf(out, "%" PRId64 "\t%s\t%s\t%s\t%s\t%s\t%s\n", rec->time_ns,
		    rec->source, rec->quantity, value, rec->unit, rec->status,
		    unc) < 0)
		return errno ? -errno : -EIO;
	return 0;
}

static int parse_double(const char *s, double *v)
{
	char *end;

	if (!strcmp(s, "nan") || !strcmp(s, "NaN") || !strcmp(s, "-")) {
		*v = NAN;
		return 0;
	}
	errno = 0;
	*v = strtod(s, &end);
	if (end == s || *end || errno == ERANGE || !isfinite(*v))
		return -1;
	return 0;
}

/*
 * Splits @line at tabs in place. Columns after the seventh are allowed and
 * ignored, so a later format can add columns without breaking readers;
 * status and uncertainty may be missing (then "ok" and NAN).
 */
int cs_record_parse(const char *line, struct cs_record *rec,
		    unsigned int *column, const char **why)
{
	char buf[512];
	char *col[NCOLUMNS] = { 0 };
	char *p, *end;
	unsigned int n = 0;
	size_t len;
	long long t;

	*column = 1;
	if (line[0] == '#' || !strncmp(line, "time_ns\t", 8))
		return -ENOMSG;
	len = strlen(line);
	if (len >= sizeof(buf)) {
		*why = "line too long";
		return -EBADMSG;
	}
	memcpy(buf, line, len + 1);
	for (p = buf; n < NCOLUMNS; n++) {
		col[n] = p;
		p = strchr(p, '\t');
		if (!p) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	if (n < 5) {
		*column = n;
		*why = "fewer than 5 tab-separated columns";
		return -EBADMSG;
	}
	errno = 0;
	t = strtoll(col[0], &end, 10);
	if (end == col[0] || *end || errno) {
		*why = "time_ns is not an integer";
		return -EBADMSG;
	}
	rec->time_ns = t;
	*column = 2;
	if (copy_field(rec->source, sizeof(rec->source), col[1])) {
		*why = "source empty or too long";
		return -EBADMSG;
	}
	*column = 3;
	if (copy_field(rec->quantity, sizeof(rec->quantity), col[2])) {
		*why = "quantity empty or too long";
		return -EBADMSG;
	}
	*column = 4;
	if (parse_double(col[3], &rec->value)) {
		*why = "value is not a number";
		return -EBADMSG;
	}
	*column = 5;
	if (copy_field(rec->unit, sizeof(rec->unit), col[4])) {
		*why = "unit empty or too long";
		return -EBADMSG;
	}
	*column = 6;
	if (n < 6 || !col[5][0])
		strcpy(rec->status, "ok");
	else if (copy_field(rec->status, sizeof(rec->status), col[5])) {
		*why = "status too long";
		return -EBADMSG;
	}
	*column = 7;
	if (n < 7 || !col[6][0])
		rec->uncertainty = NAN;
	else if (parse_double(col[6], &rec->uncertainty)) {
		*why = "uncertainty is not a number";
		return -EBADMSG;
	}
	return 0;
}

struct cs_record_reader {
	FILE *in;
	char *line;
	size_t cap;
	unsigned long lineno;
	unsigned long skipped;
	unsigned int err_column;
	const char *err_why;
};

struct cs_record_reader *cs_record_reader_create(FILE *in)
{
	struct cs_record_reader *r;

	if (!in) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->in = in;
	return r;
}

void cs_record_reader_destroy(struct cs_record_reader *r)
{
	if (!r)
		return;
	free(r->line);
	free(r);
}

int cs_record_reader_next(struct cs_record_reader *r, struct cs_record *rec)
{
	ssize_t len;
	int ret;

	for (;;) {
		errno = 0;
		len = getline(&r->line, &r->cap, r->in);
		if (len < 0)
			return errno && errno != EAGAIN ? -errno :
			       (ferror(r->in) ? -EIO : 0);
		r->lineno++;
		while (len > 0 && (r->line[len - 1] == '\n' ||
				   r->line[len - 1] == '\r'))
			r->line[--len] = '\0';
		if (len == 0)
			continue;
		if (strlen(r->line) != (size_t)len) {
			r->err_column = 1;
			r->err_why = "NUL byte in line";
			r->skipped++;
			return -EBADMSG;
		}
		ret = cs_record_parse(r->line, rec, &r->err_column,
				      &r->err_why);
		if (ret == -ENOMSG)
			continue;
		if (ret == -EBADMSG)
			r->skipped++;
		return ret ? ret : 1;
	}
}

unsigned long cs_record_reader_line(const struct cs_record_reader *r)
{
	return r->lineno;
}

const char *cs_record_reader_error(const struct cs_record_reader *r,
				   unsigned int *column)
{
	if (column)
		*column = r->err_column;
	return r->err_why ? r->err_why : "no error";
}

unsigned long cs_record_reader_skipped(const struct cs_record_reader *r)
{
	return r->skipped;
}
