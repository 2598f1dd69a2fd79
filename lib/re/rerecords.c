// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Readings of a three-electrode cell from records (cellsense-re.h): the
 * records of one time gathered into one reading of cell voltage, cathode,
 * anode and current.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

/* Each channel's source suffix and quantity. */
static const char *const suffix[CS_RE_NCH] = {
	"cell", "cathode", "anode", "current",
};
static const char *const quantity[CS_RE_NCH] = {
	"voltage", "potential", "potential", "current",
};

struct cs_re_records {
	char prefix[CS_RECORD_SOURCE_MAX];
	int have;		/* a reading is being gathered */
	int64_t t;
	double v[CS_RE_NCH];
	int sat[CS_RE_NCH];
	unsigned long ignored, bad;
	char error[128];
};

static void clear(struct cs_re_records *q)
{
	q->have = 0;
	for (int ch = 0; ch < CS_RE_NCH; ch++) {
		q->v[ch] = NAN;
		q->sat[ch] = 0;
	}
}

struct cs_re_records *cs_re_records_create(void)
{
	struct cs_re_records *q = calloc(1, sizeof(*q));

	if (q)
		clear(q);
	return q;
}

void cs_re_records_destroy(struct cs_re_records *q)
{
	free(q);
}

const char *cs_re_records_error(const struct cs_re_records *q)
{
	return q->error;
}

const char *cs_re_records_prefix(const struct cs_re_records *q)
{
	return q->prefix;
}

unsigned long cs_re_records_ignored(const struct cs_re_records *q)
{
	return q->ignored;
}

unsigned long cs_re_records_bad(const struct cs_re_records *q)
{
	return q->bad;
}

int cs_re_records_detect(const void *head, size_t len)
{
	/* short enough for the 16 bytes of one scan, all a tool may peek */
	static const char h[] = "time_ns\tsource\t";

	return head && len >= sizeof(h) - 1 && !memcmp(head, h, sizeof(h) - 1);
}

/* The channel of @rec, or -1: its source is PREFIX/suffix with the right
 * quantity; the first such record sets the prefix. */
static int channel(struct cs_re_records *q, const struct cs_record *rec)
{
	const char *slash = strrchr(rec->source, '/');
	size_t plen;

	if (!slash)
		return -1;
	plen = (size_t)(slash - rec->source);
	for (int ch = 0; ch < CS_RE_NCH; ch++) {
		if (strcmp(slash + 1, suffix[ch]) ||
		    strcmp(rec->quantity, quantity[ch]))
			continue;
		if (!q->prefix[0] && plen && plen < sizeof(q->prefix)) {
			memcpy(q->prefix, rec->source, plen);
			q->prefix[plen] = '\0';
		}
		if (strlen(q->prefix) != plen ||
		    memcmp(q->prefix, rec->source, plen))
			return -1;	/* another cell's */
		return ch;
	}
	return -1;
}

static void take(struct cs_re_records *q, int64_t *t, double *v, int *sat)
{
	*t = q->t;
	memcpy(v, q->v, sizeof(q->v));
	memcpy(sat, q->sat, sizeof(q->sat));
}

int cs_re_records_line(struct cs_re_records *q, const char *line, int64_t *t,
		       double *v, int *sat)
{
	char buf[CS_RECORD_LINE_MAX];
	struct cs_record rec;
	unsigned int col = 0;
	const char *why = "?";
	size_t len;
	int ch, ret, done = 0;

	if (!q || !line || !t || !v || !sat)
		return -EINVAL;
	len = strcspn(line, "\n");
	if (len && line[len - 1] == '\r')
		len--;
	if (!len)
		return 0;
	if (len >= sizeof(buf)) {
		snprintf(q->error, sizeof(q->error), "longer than %d bytes",
			 CS_RECORD_LINE_MAX - 1);
		q->bad++;
		return -EBADMSG;
	}
	memcpy(buf, line, len);
	buf[len] = '\0';
	ret = cs_record_parse(buf, &rec, &col, &why);
	if (ret == -ENOMSG)
		return 0;	/* the header, a comment */
	if (ret) {
		snprintf(q->error, sizeof(q->error), "column %u: %s", col, why);
		q->bad++;
		return -EBADMSG;
	}
	ch = channel(q, &rec);
	if (ch < 0 || !isfinite(rec.value)) {
		q->ignored++;
		return 0;
	}
	if (q->have && rec.time_ns != q->t) {
		take(q, t, v, sat);
		clear(q);
		done = 1;
	}
	q->have = 1;
	q->t = rec.time_ns;
	q->v[ch] = rec.value;
	q->sat[ch] |= !strcmp(rec.status, "saturated");
	return done;
}

int cs_re_records_finish(struct cs_re_records *q, int64_t *t, double *v,
			 int *sat)
{
	if (!q || !q->have)
		return 0;
	take(q, t, v, sat);
	clear(q);
	return 1;
}
