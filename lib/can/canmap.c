// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The mapping between measurement records and CAN frames, one line per
 * kind of record (see cellsense-can.h and cellsense.map(5)):
 *
 *   SOURCE  QUANTITY  MESSAGE  SIGNAL  [SIGNAL=NUMBER | status=SIGNAL |
 *                                       uncertainty=SIGNAL ...]
 */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense-can.h"
#include "cs-can-text.h"

#define MAX_CAPTURES 4
#define MAX_CONSTS 8
#define NAME_MAX_LEN 128

struct constant {
	const struct cs_dbc_signal *sig;
	double value;
};

struct mapline {
	unsigned long lineno;
	char *source;		/* pattern, {NAME} captures */
	char *quantity;
	const struct cs_dbc_message *msg;
	char *value_sig;	/* templates: may hold {NAME} */
	char *status_sig;	/* or NULL */
	char *unc_sig;		/* or NULL */
	size_t ncaps;
	const struct cs_dbc_signal *caps[MAX_CAPTURES];
	size_t nconsts;
	struct constant consts[MAX_CONSTS];
	int reversible;		/* no wildcards: frames can be named */
	struct cs_canmap_policy policy;	/* every=, policy=, sources= */
};

struct cs_canmap {
	const struct cs_dbc *dbc;
	size_t n;
	struct mapline *lines;
};

static void set_error(struct cs_can_error *err, unsigned long line,
		      unsigned int column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void set_error(struct cs_can_error *err, unsigned long line,
		      unsigned int column, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	err->line = line;
	err->column = column;
	va_start(ap, fmt);
	vsnprintf(err->why, sizeof(err->why), fmt, ap);
	va_end(ap);
}

static void free_line(struct mapline *ml)
{
	free(ml->source);
	free(ml->quantity);
	free(ml->value_sig);
	free(ml->status_sig);
	free(ml->unc_sig);
}

void cs_canmap_destroy(struct cs_canmap *map)
{
	size_t i;

	if (!map)
		return;
	for (i = 0; i < map->n; i++)
		free_line(&map->lines[i]);
	free(map->lines);
	free(map);
}

size_t cs_canmap_count(const struct cs_canmap *map)
{
	return map ? map->n : 0;
}

/* The names in braces of a template or pattern, in order: their count,
 * or -1 (with *@bad at the offending character) if braces are unmatched
 * or a name is not an identifier. */
static int brace_names(const char *s, char names[][NAME_MAX_LEN],
		       size_t max, const char **bad)
{
	size_t n = 0;
	const char *p;

	for (p = s; *p; p++) {
		const char *close;
		size_t len;

		if (*p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '}') {
			*bad = p;
			return -1;
		}
		if (*p != '{')
			continue;
		close = strchr(p, '}');
		len = close ? (size_t)(close - p - 1) : 0;
		if (!close || !len || len >= NAME_MAX_LEN || n >= max) {
			*bad = p;
			return -1;
		}
		for (size_t i = 0; i < len; i++) {
			char ch = p[1 + i];

			if (!(ch == '_' || (ch >= 'A' && ch <= 'Z') ||
			      (ch >= 'a' && ch <= 'z') ||
			      (i && ch >= '0' && ch <= '9'))) {
				*bad = p + 1 + i;
				return -1;
			}
		}
		memcpy(names[n], p + 1, len);
		names[n][len] = '\0';
		n++;
		p = close;
	}
	return (int)n;
}

/* Put @vals (of the captures named in @ml's source) into @tmpl. */
static int expand(const struct mapline *ml, const char *tmpl,
		  const long long *vals, char *out, size_t size)
{
	size_t n = 0;
	const char *p;

	for (p = tmpl; *p; p++) {
		char piece[32];
		const char *src = piece;
		size_t len;

		if (*p == '\\' && p[1]) {
			p++;
			piece[0] = *p;
			piece[1] = '\0';
		} else if (*p == '{') {
			const char *close = strchr(p, '}');
			size_t i;

			for (i = 0; i < ml->ncaps; i++) {
				len = strlen(ml->caps[i]->name);
				if ((size_t)(close - p - 1) == len &&
				    !strncmp(p + 1, ml->caps[i]->name, len))
					break;
			}
			if (i == ml->ncaps)
				return -EINVAL;
			snprintf(piece, sizeof(piece), "%lld", vals[i]);
			p = close;
		} else {
			piece[0] = *p;
			piece[1] = '\0';
		}
		len = strlen(src);
		if (n + len + 1 > size)
			return -ENAMETOOLONG;
		memcpy(out + n, src, len);
		n += len;
	}
	out[n] = '\0';
	return 0;
}

/* Check every {NAME} of @tmpl is a capture of the source. */
static int check_template(const struct mapline *ml, const char *tmpl,
			  unsigned int col, struct cs_can_error *err)
{
	char names[MAX_CAPTURES * 2][NAME_MAX_LEN];
	const char *bad;
	int n = brace_names(tmpl, names, MAX_CAPTURES * 2, &bad);

	if (n < 0) {
		set_error(err, ml->lineno, col + (unsigned int)(bad - tmpl),
			  "bad {NAME} in '%s'", tmpl);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < ml->ncaps; j++)
			if (!strcmp(ml->caps[j]->name, names[i]))
				break;
		if (j == ml->ncaps) {
			set_error(err, ml->lineno, col,
				  "{%s} in '%s' is not a {NAME} of the source "
				  "pattern", names[i], tmpl);
			return -1;
		}
	}
	if (n == 0 && !cs_dbc_signal_by_name(ml->msg, tmpl)) {
		set_error(err, ml->lineno, col, "message %s has no signal %s",
			  ml->msg->name, tmpl);
		return -1;
	}
	return 0;
}

static char *dup_or_fail(const char *s, int *oom)
{
	char *d = strdup(s);

	if (!d)
		*oom = 1;
	return d;
}

/* One line of the map, split at blanks in @buf (modified). */
static const char *const policy_names[] = {
	[CS_CANPLAN_LAST] = "last",
	[CS_CANPLAN_MEAN] = "mean",
	[CS_CANPLAN_MIN] = "min",
	[CS_CANPLAN_MAX] = "max",
	[CS_CANPLAN_CHANGE] = "change",
};

int cs_canplan_policy_parse(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(policy_names) / sizeof(*policy_names);
	     i++)
		if (!strcmp(name, policy_names[i]))
			return (int)i;
	return -EINVAL;
}

const char *cs_canplan_policy_name(int policy)
{
	if (policy < 0 ||
	    (size_t)policy >= sizeof(policy_names) / sizeof(*policy_names))
		return NULL;
	return policy_names[policy];
}

/* The scheduling keys of a map line: 1 if @key was one (and @val good),
 * 0 if @key is not a scheduling key, -EINVAL / -ERANGE for a bad value. */
static int parse_policy(struct cs_canmap_policy *pol, const char *key,
			const char *val)
{
	char *end;
	long v;

	if (!strcmp(key, "policy")) {
		int p = cs_canplan_policy_parse(val);

		if (p < 0)
			return -EINVAL;
		pol->policy = p;
		return 1;
	}
	if (strcmp(key, "every") && strcmp(key, "sources"))
		return 0;
	errno = 0;
	v = strtol(val, &end, 10);
	if (end == val || *end || errno)
		return -EINVAL;
	if (!strcmp(key, "every")) {
		if (v < 1 || v > 3600000)
			return -ERANGE;
		pol->period_ns = (int64_t)v * 1000000;
	} else {
		if (v < 1 || v > 65536)
			return -ERANGE;
		pol->sources = (unsigned int)v;
	}
	return 1;
}

static int parse_line(struct cs_canmap *map, struct mapline *ml, char *buf,
		      unsigned long lineno, struct cs_can_error *err,
		      int *oom)
{
	char *tok[4 + MAX_CONSTS + 2];
	unsigned int col[4 + MAX_CONSTS + 2];
	char names[MAX_CAPTURES][NAME_MAX_LEN];
	size_t ntok = 0, i;
	const char *bad;
	char *p = buf;
	int n, ret;

	memset(ml, 0, sizeof(*ml));
	ml->lineno = lineno;
	ml->policy.policy = -1;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p)
			break;
		if (ntok == sizeof(tok) / sizeof(tok[0])) {
			set_error(err, lineno, (unsigned int)(p - buf) + 1,
				  "too many fields");
			return -1;
		}
		col[ntok] = (unsigned int)(p - buf) + 1;
		tok[ntok++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r')
			p++;
		if (*p)
			*p++ = '\0';
	}
	if (ntok < 4) {
		set_error(err, lineno, ntok ? col[ntok - 1] : 1,
			  "expected SOURCE QUANTITY MESSAGE SIGNAL [KEY=VALUE"
			  "...]");
		return -1;
	}
	ml->msg = cs_dbc_message_by_name(map->dbc, tok[2]);
	if (!ml->msg) {
		set_error(err, lineno, col[2], "no message %s in the DBC",
			  tok[2]);
		return -1;
	}
	n = brace_names(tok[0], names, MAX_CAPTURES, &bad);
	if (n < 0) {
		set_error(err, lineno, col[0] + (unsigned int)(bad - tok[0]),
			  "bad {NAME} in the source pattern (at most %d)",
			  MAX_CAPTURES);
		return -1;
	}
	for (i = 0; i < (size_t)n; i++) {
		const struct cs_dbc_signal *s =
			cs_dbc_signal_by_name(ml->msg, names[i]);

		if (!s || s->mux == CS_DBC_MULTIPLEXED ||
		    s->valtype != CS_DBC_INTEGER) {
			set_error(err, lineno, col[0],
				  "{%s}: %s has no such integer signal "
				  "(outside multiplexing)", names[i],
				  ml->msg->name);
			return -1;
		}
		ml->caps[ml->ncaps++] = s;
	}
	ml->reversible = !strpbrk(tok[0], "*?[\\");
	ml->source = dup_or_fail(tok[0], oom);
	ml->quantity = dup_or_fail(tok[1], oom);
	ml->value_sig = dup_or_fail(tok[3], oom);
	if (*oom)
		return -1;
	if (check_template(ml, tok[3], col[3], err))
		return -1;
	for (i = 4; i < ntok; i++) {
		char *eq = strchr(tok[i], '=');
		char **slot = NULL;

		if (!eq || eq == tok[i] || !eq[1]) {
			set_error(err, lineno, col[i],
				  "expected KEY=VALUE, not '%s'", tok[i]);
			return -1;
		}
		*eq = '\0';
		ret = parse_policy(&ml->policy, tok[i], eq + 1);
		if (ret < 0) {
			set_error(err, lineno, col[i] + (unsigned int)
				  (eq + 1 - tok[i]), "bad %s value '%s' (%s)",
				  tok[i], eq + 1, ret == -ERANGE ?
				  "out of range" : "every=MS 1..3600000, "
				  "sources=N 1..65536, policy=last|mean|min|"
				  "max|change");
			return -1;
		}
		if (ret > 0)
			continue;
		if (!strcmp(tok[i], "status"))
			slot = &ml->status_sig;
		else if (!strcmp(tok[i], "uncertainty"))
			slot = &ml->unc_sig;
		if (slot) {
			unsigned int vcol = col[i] + (unsigned int)
					    (eq + 1 - tok[i]);

			if (*slot) {
				set_error(err, lineno, col[i], "%s given "
					  "twice", tok[i]);
				return -1;
			}
			*slot = dup_or_fail(eq + 1, oom);
			if (*oom)
				return -1;
			if (check_template(ml, eq + 1, vcol, err))
				return -1;
		} else {
			const struct cs_dbc_signal *s =
				cs_dbc_signal_by_name(ml->msg, tok[i]);
			char *end;
			double v;

			if (!s) {
				set_error(err, lineno, col[i],
					  "message %s has no signal %s",
					  ml->msg->name, tok[i]);
				return -1;
			}
			errno = 0;
			v = strtod(eq + 1, &end);
			if (*end || errno || !isfinite(v)) {
				set_error(err, lineno, col[i] + (unsigned int)
					  (eq + 1 - tok[i]),
					  "'%s' is not a number", eq + 1);
				return -1;
			}
			if (ml->nconsts == MAX_CONSTS) {
				set_error(err, lineno, col[i],
					  "more than %d constants",
					  MAX_CONSTS);
				return -1;
			}
			ml->consts[ml->nconsts].sig = s;
			ml->consts[ml->nconsts++].value = v;
		}
	}
	return 0;
}

struct cs_canmap *cs_canmap_create(const char *text, size_t len,
				   const struct cs_dbc *dbc,
				   struct cs_can_error *err)
{
	struct cs_canmap *map;
	unsigned long lineno = 0;
	const char *p = text, *end = text + len;
	size_t cap = 0;
	int oom = 0;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!text || !dbc) {
		errno = EINVAL;
		return NULL;
	}
	map = calloc(1, sizeof(*map));
	if (!map)
		return NULL;
	map->dbc = dbc;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *s;
		char *buf;
		int ret;

		lineno++;
		if (memchr(p, '\0', n)) {
			set_error(err, lineno, 1, "NUL byte in line");
			goto bad;
		}
		for (s = p; s < p + n && (*s == ' ' || *s == '\t' ||
					  *s == '\r'); s++)
			;
		if (s == p + n || *s == '#') {
			p += n + 1;
			continue;
		}
		if (map->n == cap) {
			struct mapline *t;

			cap = cap ? 2 * cap : 16;
			t = realloc(map->lines, cap * sizeof(*t));
			if (!t)
				goto nomem;
			map->lines = t;
		}
		buf = malloc(n + 1);
		if (!buf)
			goto nomem;
		memcpy(buf, p, n);
		buf[n] = '\0';
		ret = parse_line(map, &map->lines[map->n], buf, lineno, err,
				 &oom);
		free(buf);
		if (ret) {
			free_line(&map->lines[map->n]);
			if (oom)
				goto nomem;
			goto bad;
		}
		map->n++;
		p += n + 1;
	}
	return map;
nomem:
	cs_canmap_destroy(map);
	errno = ENOMEM;
	return NULL;
bad:
	cs_canmap_destroy(map);
	errno = EBADMSG;
	return NULL;
}

struct cs_canmap *cs_canmap_create_from_file(const char *path,
					     const struct cs_dbc *dbc,
					     struct cs_can_error *err)
{
	struct cs_canmap *map;
	size_t len;
	char *text;
	int e;

	if (!path || !dbc) {
		errno = EINVAL;
		return NULL;
	}
	text = cs_can_read_text(path, &len, err);
	if (!text)
		return NULL;
	map = cs_canmap_create(text, len, dbc, err);
	e = errno;
	free(text);
	errno = e;
	return map;
}

/* ---------------------------------------------------------------------
 * Matching a source against a pattern: fnmatch(3) without flags ('*'
 * also matches '/'), plus {NAME} matching a decimal number.
 */
static int match(const char *p, const char *s, const struct mapline *ml,
		 size_t cap, long long *vals)
{
	while (*p) {
		if (*p == '{') {
			const char *rest = strchr(p, '}') + 1;
			size_t n = 0;

			while (s[n] >= '0' && s[n] <= '9')
				n++;
			if (n > 12)	/* larger than any signal we carry */
				return 0;
			for (; n > 0; n--) {
				long long v = 0;

				for (size_t i = 0; i < n; i++)
					v = v * 10 + (s[i] - '0');
				if (match(rest, s + n, ml, cap + 1, vals)) {
					vals[cap] = v;
					return 1;
				}
			}
			return 0;
		}
		if (*p == '*') {
			while (*p == '*')
				p++;
			if (!*p)
				return 1;
			for (; *s; s++)
				if (match(p, s, ml, cap, vals))
					return 1;
			return match(p, s, ml, cap, vals);
		}
		if (!*s)
			return 0;
		if (*p == '?') {
			p++;
			s++;
			continue;
		}
		if (*p == '[') {
			const char *close = p + 1;
			char cls[NAME_MAX_LEN], one[2] = { *s, '\0' };
			size_t len;

			if (*close == '!' || *close == '^')
				close++;
			if (*close == ']')
				close++;
			close = strchr(close, ']');
			if (close && (size_t)(close - p) + 2 <= sizeof(cls)) {
				len = (size_t)(close - p) + 1;
				memcpy(cls, p, len);
				cls[len] = '\0';
				if (fnmatch(cls, one, 0))
					return 0;
				p = close + 1;
				s++;
				continue;
			}
			/* no closing ']': a literal '[' */
		}
		if (*p == '\\' && p[1])
			p++;
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	return !*s;
}

int cs_canmap_find(const struct cs_canmap *map, const struct cs_record *rec)
{
	long long vals[MAX_CAPTURES];
	size_t i;

	if (!map || !rec)
		return -EINVAL;
	for (i = 0; i < map->n; i++) {
		const struct mapline *ml = &map->lines[i];

		if (!strcmp(ml->quantity, rec->quantity) &&
		    match(ml->source, rec->source, ml, 0, vals))
			return (int)i;
	}
	return -ENOENT;
}

int cs_canmap_line(const struct cs_canmap *map, size_t i,
		   const struct cs_dbc_message **msg,
		   struct cs_canmap_policy *policy, unsigned long *lineno)
{
	if (!map || i >= map->n)
		return -EINVAL;
	if (msg)
		*msg = map->lines[i].msg;
	if (policy)
		*policy = map->lines[i].policy;
	if (lineno)
		*lineno = map->lines[i].lineno;
	return 0;
}

static const struct mapline *find_line(const struct cs_canmap *map,
				       const struct cs_record *rec,
				       long long *vals)
{
	size_t i;

	for (i = 0; i < map->n; i++) {
		const struct mapline *ml = &map->lines[i];

		if (!strcmp(ml->quantity, rec->quantity) &&
		    match(ml->source, rec->source, ml, 0, vals))
			return ml;
	}
	return NULL;
}

static const struct cs_dbc_signal *resolve(const struct mapline *ml,
					   const char *tmpl,
					   const long long *vals)
{
	char name[NAME_MAX_LEN];

	if (expand(ml, tmpl, vals, name, sizeof(name)))
		return NULL;
	return cs_dbc_signal_by_name(ml->msg, name);
}

/* Is @sig in the frame as its multiplexor now stands? */
static int mux_ok(const struct mapline *ml, const struct cs_dbc_signal *sig,
		  const struct cs_can_frame *f)
{
	return cs_dbc_signal_present(ml->msg, sig, f->data, f->len) == 1;
}

static int assigned(const struct mapline *ml, const struct cs_dbc_signal *s)
{
	size_t i;

	for (i = 0; i < ml->ncaps; i++)
		if (ml->caps[i] == s)
			return 1;
	for (i = 0; i < ml->nconsts; i++)
		if (ml->consts[i].sig == s)
			return 1;
	return 0;
}

#define WHY(text)                                                       \
	do {                                                            \
		if (why)                                                \
			*why = (text);                                  \
		return -EBADMSG;                                        \
	} while (0)

int cs_canmap_encode(const struct cs_canmap *map, const struct cs_record *rec,
		     struct cs_can_frame *f, const char **why)
{
	const struct cs_dbc_signal *vs, *ss = NULL, *us = NULL;
	const struct mapline *ml;
	long long vals[MAX_CAPTURES] = { 0 };
	int flags = 0, ret;
	size_t i;

	if (!map || !rec || !f)
		return -EINVAL;
	ml = find_line(map, rec, vals);
	if (!ml)
		return -ENOENT;
	memset(f, 0, sizeof(*f));
	f->id = ml->msg->id;
	f->extended = ml->msg->extended;
	f->len = (uint8_t)ml->msg->dlc;
	if (f->len > 8)
		f->flags |= CS_CAN_FLAG_FD;
	for (i = 0; i < ml->ncaps; i++) {
		ret = cs_dbc_signal_encode(ml->caps[i], f->data, f->len,
					   (double)vals[i]);
		if (ret)
			WHY("a number in the source is out of its signal's "
			    "range");
	}
	for (i = 0; i < ml->nconsts; i++)
		cs_dbc_signal_encode(ml->consts[i].sig, f->data, f->len,
				     ml->consts[i].value);
	vs = resolve(ml, ml->value_sig, vals);
	if (!vs)
		WHY("the DBC has no signal for this source");
	if (ml->status_sig) {
		ss = resolve(ml, ml->status_sig, vals);
		if (!ss)
			WHY("the DBC has no status signal for this source");
	}
	if (ml->unc_sig) {
		us = resolve(ml, ml->unc_sig, vals);
		if (!us)
			WHY("the DBC has no uncertainty signal for this "
			    "source");
	}
	if (strcmp(rec->unit, vs->unit))
		WHY("unit differs from the DBC signal's");
	if (vs->mux == CS_DBC_MULTIPLEXED) {
		if (!assigned(ml, ml->msg->multiplexor))
			cs_dbc_signal_set_raw(ml->msg->multiplexor, f->data,
					      f->len, vs->mux_value);
		else if (!mux_ok(ml, vs, f))
			WHY("multiplexor value does not select the signal");
	}
	if ((ss && !mux_ok(ml, ss, f)) || (us && !mux_ok(ml, us, f)))
		WHY("status or uncertainty signal not in the same frame");
	ret = cs_dbc_signal_encode(vs, f->data, f->len, rec->value);
	if (ret == -EDOM)
		WHY("no value (nan), and the signal has no code for that");
	if (ret < 0)
		return ret;
	flags |= ret;
	if (ss) {
		int64_t raw;

		if (cs_dbc_value_lookup(ss, rec->status, &raw))
			WHY("status has no value name (VAL_) in the DBC");
		cs_dbc_signal_set_raw(ss, f->data, f->len, (uint64_t)raw);
	}
	if (us) {
		ret = cs_dbc_signal_encode(us, f->data, f->len,
					   rec->uncertainty);
		if (ret == -EDOM)
			ret = cs_dbc_signal_encode(us, f->data, f->len, 0);
		if (ret < 0)
			return ret;
		flags |= ret;
	}
	return flags;
}

static int decode_one(const struct mapline *ml, const struct cs_can_frame *f,
		      int64_t time_ns, struct cs_record *rec)
{
	const struct cs_dbc_signal *vs, *ss, *us;
	long long vals[MAX_CAPTURES];
	char source[CS_RECORD_SOURCE_MAX];
	const char *status = "ok", *unit;
	double v, u = NAN;
	size_t i;

	if (!ml->reversible)
		return 0;
	for (i = 0; i < ml->nconsts; i++) {
		const struct cs_dbc_signal *s = ml->consts[i].sig;

		if (cs_dbc_signal_decode(s, f->data, f->len, &v) ||
		    !(fabs(v - ml->consts[i].value) <= fabs(s->factor) / 2))
			return 0;
	}
	for (i = 0; i < ml->ncaps; i++) {
		if (cs_dbc_signal_decode(ml->caps[i], f->data, f->len, &v) ||
		    !(v >= 0) || v != floor(v) || v > 1e12)
			return 0;
		vals[i] = (long long)v;
	}
	vs = resolve(ml, ml->value_sig, vals);
	if (!vs || !mux_ok(ml, vs, f) ||
	    cs_dbc_signal_decode(vs, f->data, f->len, &v))
		return 0;
	if (ml->status_sig) {
		uint64_t raw;

		ss = resolve(ml, ml->status_sig, vals);
		if (ss && mux_ok(ml, ss, f) &&
		    !cs_dbc_signal_get_raw(ss, f->data, f->len, &raw)) {
			status = cs_dbc_value_name(ss, (int64_t)raw);
			if (!status)
				status = "other";
		}
	}
	if (ml->unc_sig) {
		us = resolve(ml, ml->unc_sig, vals);
		if (!us || !mux_ok(ml, us, f) ||
		    cs_dbc_signal_decode(us, f->data, f->len, &u))
			u = NAN;
	}
	if (expand(ml, ml->source, vals, source, sizeof(source)))
		return 0;
	unit = vs->unit[0] ? vs->unit : "1";
	if (cs_record_set(rec, time_ns, source, ml->quantity, v, unit, status,
			  u))
		return 0;
	return 1;
}

int cs_canmap_decode(const struct cs_canmap *map,
		     const struct cs_can_frame *f, int64_t time_ns,
		     struct cs_record *rec, size_t max)
{
	const struct cs_dbc_message *msg;
	size_t i;
	int n = 0;

	if (!map || !f || (!rec && max))
		return -EINVAL;
	msg = cs_dbc_message_by_id(map->dbc, f->id, f->extended);
	if (!msg)
		return -ENOENT;
	for (i = 0; i < map->n && (size_t)n < max; i++) {
		const struct mapline *ml = &map->lines[i];

		if (ml->msg == msg && decode_one(ml, f, time_ns, &rec[n]))
			n++;
	}
	return n;
}
