// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Local actuator rules over measurement records: the rule language of
 * canactuate -r (see cellsense-act.h) and its evaluation in record time.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense-act.h"

struct parse {
	char buf[CS_ACTRULE_TEXT_MAX];
	unsigned int *column;
	const char **why;
};

static int bad(struct parse *p, const char *at, const char *why)
{
	if (p->column)
		*p->column = (unsigned int)(at - p->buf) + 1;
	if (p->why)
		*p->why = why;
	return -EINVAL;
}

/* NUMBER followed by ms or s, 0 .. 1 h. */
static int parse_time(const char *s, int64_t *ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !(v >= 0))
		return -1;
	if (!strcmp(end, "ms") && v <= 3600e3)
		*ns = (int64_t)llround(v * 1e6);
	else if (!strcmp(end, "s") && v <= 3600)
		*ns = (int64_t)llround(v * 1e9);
	else
		return -1;
	return 0;
}

static int parse_number(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return end == s || *end || errno || !isfinite(*v) ? -1 : 0;
}

static int parse_actuator(const char *s)
{
	char *end;
	long v;

	if (strncmp(s, "actuator", 8) || s[8] < '0' || s[8] > '9')
		return -1;
	errno = 0;
	v = strtol(s + 8, &end, 10);
	if (*end || errno || v < 0 || v > 254)
		return -1;
	return (int)v;
}

/* Next blank-separated word of *@q (advanced, NUL-terminated); NULL at
 * the end. */
static char *word(char **q)
{
	char *w;

	while (**q == ' ' || **q == '\t')
		(*q)++;
	if (!**q)
		return NULL;
	w = *q;
	while (**q && **q != ' ' && **q != '\t')
		(*q)++;
	if (**q)
		*(*q)++ = '\0';
	return w;
}

static int parse_condition(struct parse *p, char *cond, struct cs_actrule *r)
{
	static const char *const ops[] = { "<=", ">=", "==", "!=", "<", ">",
					    "=" };
	char *open, *close, *q, *w;
	size_t i;

	while (*cond == ' ' || *cond == '\t')
		cond++;
	open = strchr(cond, '(');
	close = open ? strchr(open, ')') : NULL;
	if (!open || !close || open == cond || close == open + 1)
		return bad(p, cond, "expected FIELD(SOURCE)");
	*open = '\0';
	*close = '\0';
	if (strlen(cond) >= sizeof(r->quantity))
		return bad(p, cond, "field too long");
	if (strlen(open + 1) >= sizeof(r->source))
		return bad(p, open + 1, "source too long");
	r->is_status = !strcmp(cond, "status");
	strcpy(r->quantity, cond);
	strcpy(r->source, open + 1);
	q = close + 1;
	while (*q == ' ' || *q == '\t')
		q++;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strncmp(q, ops[i], strlen(ops[i])))
			break;
	if (i == sizeof(ops) / sizeof(ops[0]))
		return bad(p, q, "expected < <= > >= == != or =");
	strcpy(r->op, !strcmp(ops[i], "=") ? "==" : ops[i]);
	q += strlen(ops[i]);
	w = word(&q);
	if (!w)
		return bad(p, q, "expected a value");
	if (r->is_status) {
		if (strcmp(r->op, "==") && strcmp(r->op, "!="))
			return bad(p, w, "status compares with = or != only");
		if (strlen(w) >= sizeof(r->word))
			return bad(p, w, "status too long");
		strcpy(r->word, w);
	} else if (parse_number(w, &r->value)) {
		return bad(p, w, "not a finite number");
	}
	w = word(&q);
	if (w) {
		char *t;

		if (strcmp(w, "for"))
			return bad(p, w, "expected 'for'");
		t = word(&q);
		if (!t || parse_time(t, &r->hold_ns))
			return bad(p, t ? t : q,
				   "expected a time such as 2s or 500ms");
		if ((w = word(&q)))
			return bad(p, w, "junk before '->'");
	}
	return 0;
}

static int parse_send(struct parse *p, char **q, const struct cs_dbc *dbc,
		      struct cs_actrule_action *a)
{
	char *m = word(q), *kv;

	a->kind = CS_ACTRULE_SEND;
	a->msg = m && dbc ? cs_dbc_message_by_name(dbc, m) : NULL;
	if (!a->msg)
		return bad(p, m ? m : *q, "no such message in the DBC");
	while ((kv = word(q))) {
		char *eq = strchr(kv, '=');

		if (!eq || eq == kv)
			return bad(p, kv, "expected SIGNAL=NUMBER");
		if (a->nsets == CS_ACTRULE_MAX_SETS)
			return bad(p, kv, "too many signals");
		*eq = '\0';
		a->sig[a->nsets] = cs_dbc_signal_by_name(a->msg, kv);
		if (!a->sig[a->nsets])
			return bad(p, kv, "no such signal");
		if (parse_number(eq + 1, &a->val[a->nsets]))
			return bad(p, eq + 1, "not a finite number");
		a->nsets++;
	}
	return 0;
}

static int parse_action(struct parse *p, char *q, const struct cs_dbc *dbc,
			struct cs_actrule_action *a)
{
	char *k = word(&q), *n, *t;
	int ret;

	if (!k)
		return bad(p, q, "expected an action");
	if (!strcmp(k, "send")) {
		ret = parse_send(p, &q, dbc, a);
		if (ret)
			return ret;
	} else if (!strcmp(k, "on") || !strcmp(k, "off") ||
		   !strcmp(k, "pulse")) {
		a->kind = !strcmp(k, "on") ? CS_ACT_ON :
			  !strcmp(k, "off") ? CS_ACT_OFF : CS_ACT_PULSE;
		n = word(&q);
		if (!n || (a->actuator = parse_actuator(n)) < 0)
			return bad(p, n ? n : q,
				   "expected actuatorN (N 0..254)");
		if (a->kind == CS_ACT_PULSE) {
			t = word(&q);
			if (!t || parse_time(t, &a->pulse_ns) ||
			    a->pulse_ns <= 0)
				return bad(p, t ? t : q,
					   "expected the pulse's time");
		}
	} else {
		return bad(p, k, "expected on, off, pulse or send");
	}
	if ((k = word(&q)))
		return bad(p, k, "junk after action");
	return 0;
}

int cs_actrule_parse(const char *text, const struct cs_dbc *dbc,
		     struct cs_actrule *r, unsigned int *column,
		     const char **why)
{
	struct parse p = { .column = column, .why = why };
	char *arrow, *q;
	int ret;

	if (!text || !r)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->since = -1;
	if (strlen(text) >= sizeof(p.buf))
		return bad(&p, p.buf + sizeof(p.buf) - 1,
			   "longer than 255 bytes");
	strcpy(p.buf, text);
	strcpy(r->text, text);
	arrow = strstr(p.buf, "->");
	if (!arrow)
		return bad(&p, p.buf + strlen(p.buf), "no '->'");
	*arrow = '\0';
	ret = parse_condition(&p, p.buf, r);
	if (ret)
		return ret;
	q = arrow + 2;
	for (;;) {
		char *comma = strchr(q, ',');

		if (comma)
			*comma = '\0';
		if (r->nactions == CS_ACTRULE_MAX_ACTIONS)
			return bad(&p, q, "too many actions");
		ret = parse_action(&p, q, dbc, &r->actions[r->nactions++]);
		if (ret)
			return ret;
		if (!comma)
			break;
		q = comma + 1;
	}
	return 0;
}

static int holds(const struct cs_actrule *r, const struct cs_record *rec)
{
	double v = rec->value;
	int eq;

	if (r->is_status) {
		eq = !strcmp(rec->status, r->word);
		return !strcmp(r->op, "==") ? eq : !eq;
	}
	if (isnan(v))
		return 0;
	if (!strcmp(r->op, "<"))
		return v < r->value;
	if (!strcmp(r->op, "<="))
		return v <= r->value;
	if (!strcmp(r->op, ">"))
		return v > r->value;
	if (!strcmp(r->op, ">="))
		return v >= r->value;
	if (!strcmp(r->op, "=="))
		return v == r->value;
	return v != r->value;
}

int cs_actrule_push(struct cs_actrule *r, const struct cs_record *rec)
{
	if (!r || !rec || strcmp(r->source, rec->source) ||
	    (!r->is_status && strcmp(r->quantity, rec->quantity)))
		return 0;
	if (!holds(r, rec)) {
		r->since = -1;
		r->fired = 0;
		return 0;
	}
	if (r->since < 0 || rec->time_ns < r->since)
		r->since = rec->time_ns;
	/* time_ns >= since here: the difference cannot overflow unsigned */
	if (r->fired ||
	    (uint64_t)rec->time_ns - (uint64_t)r->since < (uint64_t)r->hold_ns)
		return 0;
	r->fired = 1;
	r->count++;
	return 1;
}
