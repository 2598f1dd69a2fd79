// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Acquisition plans (csacq(1)): INI-like sections of 'key = value' lines.
 * Every key is known: a misspelt one is refused with its line, not
 * ignored, since an acquisition that silently ran without a setting is
 * worse than one that did not start.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"
#include "cellsense-run.h"

#define PLAN_MAX_LINE 1024
#define PLAN_MAX_SECTIONS 256
#define PLAN_MAX_KEYS 128

struct kind_keys {
	const char *kind;
	int named;		/* [kind NAME] */
	const char *const *keys;
	const char *const *numbers;	/* keys whose value is a number > 0 */
};

static const char *const run_keys[] = {
	"description", "operator", "uri", "duration", "scans", NULL };
static const char *const run_numbers[] = { "duration", "scans", NULL };
static const char *const cell_keys[] = {
	"id", "chemistry", "format", "manufacturer", "capacity_ah",
	"description", NULL };
static const char *const cell_numbers[] = { "capacity_ah", NULL };
static const char *const frontend_keys[] = {
	"kind", "device", "channels", "buffer", "timeout_ms", "trigger",
	"shot_rate", "process", "description", NULL };
static const char *const frontend_numbers[] = {
	"buffer", "timeout_ms", "shot_rate", NULL };
static const char *const sensor_keys[] = {
	"frontend", "kind", "channels", "position", "bragg_nm", "calibration",
	"description", NULL };
static const char *const sensor_numbers[] = { "bragg_nm", NULL };
static const char *const calibration_keys[] = {
	"file", "quantity", "sensitivity", "uncertainty", "unit", "origin",
	"date", NULL };
static const char *const calibration_numbers[] = {
	"uncertainty", NULL };

static const struct kind_keys kinds[] = {
	{ "run", 0, run_keys, run_numbers },
	{ "cell", 0, cell_keys, cell_numbers },
	{ "frontend", 1, frontend_keys, frontend_numbers },
	{ "sensor", 1, sensor_keys, sensor_numbers },
	{ "calibration", 1, calibration_keys, calibration_numbers },
};

struct section {
	struct cs_plan_section pub;
	struct cs_plan_kv *kv;
	const struct kind_keys *kk;
};

struct cs_plan {
	struct section *s;
	size_t n;
	char *strings;		/* the text copy all keys and values live in */
};

static void say(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int valid_word(const char *s, int attr_dots)
{
	if (!*s || strlen(s) > 63)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' &&
		    !(attr_dots && *s == '.'))
			return 0;
	return 1;
}

/* A comment starts a line, or follows a blank: "a # b" is "a". */
static void cut_comment(char *s)
{
	for (char *p = s; *p; p++)
		if ((*p == '#' || *p == ';') && (p == s || p[-1] == ' ' ||
						 p[-1] == '\t')) {
			*p = '\0';
			return;
		}
}

static int positive_number(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	return end != s && !*end && !errno && isfinite(v) && v > 0;
}

static int add_section(struct cs_plan *p, char *head, unsigned int line,
		       char *err, size_t errlen)
{
	char *name = head + strcspn(head, " \t");
	struct section *s;

	if (*name)
		*name++ = '\0';
	name = trim(name);
	if (p->n == PLAN_MAX_SECTIONS) {
		say(err, errlen, "line %u: more than %d sections", line,
		    PLAN_MAX_SECTIONS);
		return -EINVAL;
	}
	s = &p->s[p->n];
	memset(s, 0, sizeof(*s));
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!strcmp(kinds[k].kind, head))
			s->kk = &kinds[k];
	if (!s->kk) {
		say(err, errlen, "line %u: unknown section [%s] (run, cell, "
		    "frontend NAME, sensor NAME, calibration NAME)", line,
		    head);
		return -EINVAL;
	}
	if (s->kk->named && !valid_word(name, 0)) {
		say(err, errlen, "line %u: [%s] needs a name of letters, "
		    "digits, '-' and '_' (at most 63)", line, head);
		return -EINVAL;
	}
	if (!s->kk->named && *name) {
		say(err, errlen, "line %u: [%s] takes no name", line, head);
		return -EINVAL;
	}
	if (cs_plan_find(p, head, name)) {
		say(err, errlen, "line %u: [%s%s%s] given twice", line, head,
		    *name ? " " : "", name);
		return -EINVAL;
	}
	s->kv = calloc(PLAN_MAX_KEYS, sizeof(*s->kv));
	if (!s->kv)
		return -ENOMEM;
	s->pub.kind = head;
	s->pub.name = name;
	s->pub.line = line;
	s->pub.kv = s->kv;
	p->n++;
	return 0;
}

static int add_key(struct cs_plan *p, char *text, unsigned int line,
		   char *err, size_t errlen)
{
	char *eq = strchr(text, '=');
	struct section *s = p->n ? &p->s[p->n - 1] : NULL;
	char *key, *value;

	if (!eq) {
		say(err, errlen, "line %u: not a [section], 'key = value' or "
		    "comment", line);
		return -EINVAL;
	}
	*eq = '\0';
	key = trim(text);
	value = trim(eq + 1);
	if (!s) {
		say(err, errlen, "line %u: '%s' before any [section]", line,
		    key);
		return -EINVAL;
	}
	if (!valid_word(key, 1)) {
		say(err, errlen, "line %u: '%s' is not a key", line, key);
		return -EINVAL;
	}
	/* a frontend's attr.NAME sets IIO attribute NAME */
	if (!in_list(s->kk->keys, key) &&
	    !(!strcmp(s->pub.kind, "frontend") && !strncmp(key, "attr.", 5) &&
	      valid_word(key + 5, 0))) {
		say(err, errlen, "line %u: [%s] has no key '%s'", line,
		    s->pub.kind, key);
		return -EINVAL;
	}
	if (cs_plan_get(&s->pub, key)) {
		say(err, errlen, "line %u: '%s' given twice in [%s%s%s]", line,
		    key, s->pub.kind, *s->pub.name ? " " : "", s->pub.name);
		return -EINVAL;
	}
	if (in_list(s->kk->numbers, key) && !positive_number(value)) {
		say(err, errlen, "line %u: %s = '%s' is not a number > 0",
		    line, key, value);
		return -EINVAL;
	}
	if (s->pub.nkv == PLAN_MAX_KEYS) {
		say(err, errlen, "line %u: more than %d keys in a section",
		    line, PLAN_MAX_KEYS);
		return -EINVAL;
	}
	s->kv[s->pub.nkv++] = (struct cs_plan_kv){ key, value, line };
	return 0;
}

/* What one section refers to is there, and what it must have it has. */
static int check_section(const struct cs_plan *p, const struct section *s,
			 char *err, size_t errlen)
{
	const struct cs_plan_section *ps = &s->pub;
	const char *v;

	if (!strcmp(ps->kind, "frontend") && !cs_plan_get(ps, "device")) {
		say(err, errlen, "line %u: [frontend %s] has no device", ps->line,
		    ps->name);
		return -EINVAL;
	}
	if (!strcmp(ps->kind, "sensor")) {
		v = cs_plan_get(ps, "frontend");
		if (!v || !cs_plan_find(p, "frontend", v)) {
			say(err, errlen, "line %u: [sensor %s]: frontend '%s' "
			    "is no [frontend] section", ps->line, ps->name,
			    v ? v : "");
			return -EINVAL;
		}
	}
	if (!strcmp(ps->kind, "sensor")) {
		v = cs_plan_get(ps, "calibration");
		if (v && !cs_plan_find(p, "calibration", v)) {
			say(err, errlen, "line %u: [sensor %s]: calibration "
			    "'%s' is no [calibration] section", ps->line,
			    ps->name, v);
			return -EINVAL;
		}
	}
	if (!strcmp(ps->kind, "cell") && (!(v = cs_plan_get(ps, "id")) || !*v)) {
		say(err, errlen, "line %u: [cell] has no id", ps->line);
		return -EINVAL;
	}
	return 0;
}

static int check_plan(const struct cs_plan *p, char *err, size_t errlen)
{
	int ret;

	for (size_t i = 0; i < p->n; i++) {
		ret = check_section(p, &p->s[i], err, errlen);
		if (ret)
			return ret;
	}
	if (!cs_plan_find(p, "cell", "")) {
		say(err, errlen, "no [cell] section: a run says what it "
		    "measured");
		return -EINVAL;
	}
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->s[i].pub.kind, "frontend"))
			return 0;
	say(err, errlen, "no [frontend NAME] section: nothing to acquire");
	return -EINVAL;
}

static int parse_line(struct cs_plan *p, char *line, unsigned int no,
		      char *err, size_t errlen)
{
	char *t;

	cut_comment(line);
	t = trim(line);
	if (!*t)
		return 0;
	if (*t == '[') {
		size_t n = strlen(t);

		if (t[n - 1] != ']') {
			say(err, errlen, "line %u: a section header ends in "
			    "']'", no);
			return -EINVAL;
		}
		t[n - 1] = '\0';
		return add_section(p, trim(t + 1), no, err, errlen);
	}
	return add_key(p, t, no, err, errlen);
}

struct cs_plan *cs_plan_parse(const char *text, size_t len, char *err,
			      size_t errlen)
{
	struct cs_plan *p;
	unsigned int no = 0;
	char *line;
	int ret = 0;

	say(err, errlen, "%s", "");
	p = calloc(1, sizeof(*p));
	if (!p || !(p->s = calloc(PLAN_MAX_SECTIONS, sizeof(*p->s))) ||
	    !(p->strings = malloc(len + 1))) {
		cs_plan_destroy(p);
		errno = ENOMEM;
		return NULL;
	}
	memcpy(p->strings, text, len);
	p->strings[len] = '\0';
	if (strlen(p->strings) != len) {
		say(err, errlen, "byte %zu: a NUL byte: a plan is text",
		    strlen(p->strings));
		ret = -EINVAL;
	}
	line = p->strings;
	while (!ret && *line) {
		char *nl = strchr(line, '\n');

		no++;
		if (nl)
			*nl = '\0';
		if (strlen(line) > PLAN_MAX_LINE) {
			say(err, errlen, "line %u: longer than %d bytes", no,
			    PLAN_MAX_LINE);
			ret = -EINVAL;
			break;
		}
		ret = parse_line(p, line, no, err, errlen);
		line = nl ? nl + 1 : line + strlen(line);
	}
	if (!ret)
		ret = check_plan(p, err, errlen);
	if (ret) {
		cs_plan_destroy(p);
		errno = -ret;
		return NULL;
	}
	return p;
}

void cs_plan_destroy(struct cs_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; p->s && i < p->n; i++)
		free(p->s[i].kv);
	free(p->s);
	free(p->strings);
	free(p);
}

size_t cs_plan_count(const struct cs_plan *p)
{
	return p->n;
}

const struct cs_plan_section *cs_plan_at(const struct cs_plan *p, size_t i)
{
	return i < p->n ? &p->s[i].pub : NULL;
}

const struct cs_plan_section *cs_plan_find(const struct cs_plan *p,
					   const char *kind, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->s[i].pub.kind, kind) &&
		    !strcmp(p->s[i].pub.name, name))
			return &p->s[i].pub;
	return NULL;
}

const char *cs_plan_get(const struct cs_plan_section *sec, const char *key)
{
	if (!sec)
		return NULL;
	for (size_t i = 0; i < sec->nkv; i++)
		if (!strcmp(sec->kv[i].key, key))
			return sec->kv[i].value;
	return NULL;
}
