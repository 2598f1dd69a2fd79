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
#include "cs-canmap.h"
#include "cs-dbc.h"
#include "cs-strings.h"

#define MAX_CAPTURES 4
#define MAX_CONSTS 8
#define MAX_OPS 4
#define NAME_MAX_LEN 128
#define MAX_ENUM 65536		/* free variables tried when decoding */

struct constant {
	const struct cs_dbc_signal *sig;
	double value;
	char *tmpl;		/* "{Cell/6}": computed, or NULL */
};

/* The templates of a line that name signals. */
enum { T_VALUE, T_STATUS, T_UNC, T_FLAG, T_N };
#define CACHE_N 256

struct mapline {
	unsigned long lineno;
	char *source;		/* pattern, {NAME} captures */
	char *quantity;
	const struct cs_dbc_message *msg;
	char *value_sig;	/* templates: may hold {NAME...} */
	char *status_sig;	/* or NULL */
	char *unc_sig;		/* or NULL */
	char *valid_sig;	/* 1 when the value is good, or NULL */
	char *invalid_sig;	/* 1 when it is not, or NULL */
	char *unit;		/* unit= (the value signal's unit), or NULL */
	int64_t hold_ns;	/* hold=: last value this long, 0: no */
	size_t ncaps;
	char capnames[MAX_CAPTURES][NAME_MAX_LEN];
	/* the signal a capture is sent in, NULL for a free variable (only
	 * used in templates) */
	const struct cs_dbc_signal *caps[MAX_CAPTURES];
	size_t nconsts;
	struct constant consts[MAX_CONSTS];
	int reversible;		/* no wildcards: frames can be named */
	int has_free;		/* a capture is a free variable */
	/* The signals the templates name, looked up once for each value
	 * 0..CACHE_N-1 of the one capture they use (tkey), or -1. */
	int tkey;
	const struct cs_dbc_signal *(*tcache)[T_N];
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
	size_t i;

	free(ml->source);
	free(ml->quantity);
	free(ml->value_sig);
	free(ml->status_sig);
	free(ml->unc_sig);
	free(ml->valid_sig);
	free(ml->invalid_sig);
	free(ml->unit);
	free(ml->tcache);
	for (i = 0; i < ml->nconsts; i++)
		free(ml->consts[i].tmpl);
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

/*
 * What a pair of braces holds: {NAME}, with arithmetic on it, left to
 * right ({Cell/6}, {Cell%6}, {Cell+1}), and a printf-like width
 * ({Cell:03d}, {Cell%6:02d}).
 */
struct brace {
	char name[NAME_MAX_LEN];
	size_t nops;
	char op[MAX_OPS];
	long long arg[MAX_OPS];
	int width, zero;
};

static int is_name_char(char ch, int first)
{
	return ch == '_' || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= 'a' && ch <= 'z') || (!first && ch >= '0' && ch <= '9');
}

/* The text between '{' and '}' (@len bytes at @p): 0, or the 1-based
 * offset of the bad character. */
static size_t parse_brace(const char *p, size_t len, struct brace *b)
{
	size_t i = 0, n = 0;

	memset(b, 0, sizeof(*b));
	while (i < len && is_name_char(p[i], i == 0)) {
		if (n + 1 >= NAME_MAX_LEN)
			return i + 1;
		b->name[n++] = p[i++];
	}
	if (!n)
		return 1;
	while (i < len && strchr("+-*/%", p[i])) {
		long long v = 0;
		size_t d = 0;

		if (b->nops == MAX_OPS)
			return i + 1;
		b->op[b->nops] = p[i++];
		while (i < len && p[i] >= '0' && p[i] <= '9' && d < 9) {
			v = v * 10 + (p[i++] - '0');
			d++;
		}
		if (!d || ((b->op[b->nops] == '/' || b->op[b->nops] == '%') &&
			   v == 0))
			return i + 1;
		b->arg[b->nops++] = v;
	}
	if (i < len && p[i] == ':') {
		i++;
		if (i < len && p[i] == '0') {
			b->zero = 1;
			i++;
		}
		while (i < len && p[i] >= '0' && p[i] <= '9' && b->width < 20)
			b->width = b->width * 10 + (p[i++] - '0');
		if (i >= len || p[i] != 'd')
			return i + 1;
		i++;
	}
	return i == len ? 0 : i + 1;
}

static long long apply_ops(const struct brace *b, long long v)
{
	size_t k;

	for (k = 0; k < b->nops; k++) {
		long long a = b->arg[k];

		switch (b->op[k]) {
		case '+': v += a; break;
		case '-': v -= a; break;
		case '*': v *= a; break;
		case '/': v = v >= 0 ? v / a : -((-v + a - 1) / a); break;
		default: v = ((v % a) + a) % a; break;
		}
	}
	return v;
}

/* The braces of a template or pattern, in order: their count, or -1
 * (with *@bad at the offending character) if braces are unmatched or
 * what they hold is not {NAME[OP N...][:FMT]}; @plain: names only (a
 * source pattern, which is matched and so cannot compute). */
static int brace_list(const char *s, struct brace *list, size_t max,
		      int plain, const char **bad)
{
	size_t n = 0;
	const char *p;

	for (p = s; *p; p++) {
		const char *close;
		size_t off;

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
		if (!close || n >= max) {
			*bad = p;
			return -1;
		}
		off = parse_brace(p + 1, (size_t)(close - p - 1), &list[n]);
		if (!off && plain && list[n].nops)
			off = strcspn(p + 1, "+-*/%") + 1;
		if (off) {
			*bad = p + off;
			return -1;
		}
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
		char piece[48];
		size_t len;

		if (*p == '\\' && p[1]) {
			p++;
			piece[0] = *p;
			piece[1] = '\0';
		} else if (*p == '{') {
			const char *close = strchr(p, '}');
			struct brace b;
			size_t i;

			if (!close || parse_brace(p + 1, (size_t)(close - p - 1),
						  &b))
				return -EINVAL;
			for (i = 0; i < ml->ncaps; i++)
				if (!strcmp(ml->capnames[i], b.name))
					break;
			if (i == ml->ncaps)
				return -EINVAL;
			snprintf(piece, sizeof(piece), b.zero ? "%0*lld" :
				 "%*lld", b.width, apply_ops(&b, vals[i]));
			p = close;
		} else {
			piece[0] = *p;
			piece[1] = '\0';
		}
		len = strlen(piece);
		if (n + len + 1 > size)
			return -ENAMETOOLONG;
		memcpy(out + n, piece, len);
		n += len;
	}
	out[n] = '\0';
	return 0;
}

/* Does @name fit @tmpl with a number in place of each brace? */
static int tmpl_match(const char *t, const char *s)
{
	while (*t) {
		if (*t == '{') {
			const char *rest = strchr(t, '}');
			size_t n = 0;

			if (!rest)
				return 0;
			if (*s == '-')
				n++;
			while (s[n] >= '0' && s[n] <= '9')
				n++;
			for (; n > 0; n--)
				if (tmpl_match(rest + 1, s + n))
					return 1;
			return 0;
		}
		if (*t == '\\' && t[1])
			t++;
		if (*t != *s)
			return 0;
		t++;
		s++;
	}
	return !*s;
}

/* Check every {NAME} of @tmpl is a capture of the source; mark the free
 * variables it uses in @used. */
static int check_template(const struct mapline *ml, const char *tmpl,
			  unsigned int col, int *used, int is_name,
			  struct cs_can_error *err)
{
	struct brace list[MAX_CAPTURES * 2];
	const char *bad;
	int n = brace_list(tmpl, list, MAX_CAPTURES * 2, 0, &bad);

	if (n < 0) {
		set_error(err, ml->lineno, col + (unsigned int)(bad - tmpl),
			  "bad {NAME[OP N][:FMT]} in '%s'", tmpl);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < ml->ncaps; j++)
			if (!strcmp(ml->capnames[j], list[i].name))
				break;
		if (j == ml->ncaps) {
			set_error(err, ml->lineno, col,
				  "{%s} in '%s' is not a {NAME} of the source "
				  "pattern", list[i].name, tmpl);
			return -1;
		}
		used[j] = 1;
	}
	if (!is_name)
		return 0;
	if (n == 0 && !cs_dbc_signal_by_name(ml->msg, tmpl)) {
		set_error(err, ml->lineno, col, "message %s has no signal %s",
			  ml->msg->name, tmpl);
		return -1;
	}
	if (n > 0) {
		size_t k;

		for (k = 0; k < ml->msg->nsignals; k++)
			if (tmpl_match(tmpl, ml->msg->signals[k].name))
				break;
		if (k == ml->msg->nsignals) {
			set_error(err, ml->lineno, col, "message %s has no "
				  "signal that '%s' can name", ml->msg->name,
				  tmpl);
			return -1;
		}
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

/* hold=MS: 1 if @key was it (and @val good), 0 if not, -EINVAL/-ERANGE. */
static int parse_hold(struct mapline *ml, const char *key, const char *val)
{
	char *end;
	long v;

	if (strcmp(key, "hold"))
		return 0;
	errno = 0;
	v = strtol(val, &end, 10);
	if (end == val || *end || errno)
		return -EINVAL;
	if (v < 0 || v > 3600000)
		return -ERANGE;
	ml->hold_ns = (int64_t)v * 1000000;
	return 1;
}

static int fill_cache(struct mapline *ml);

static int parse_line(struct cs_canmap *map, struct mapline *ml, char *buf,
		      unsigned long lineno, struct cs_can_error *err,
		      int *oom)
{
	char *tok[4 + MAX_CONSTS + 10];
	unsigned int col[4 + MAX_CONSTS + 10];
	struct brace names[MAX_CAPTURES];
	int used[MAX_CAPTURES] = { 0 };
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
	n = brace_list(tok[0], names, MAX_CAPTURES, 1, &bad);
	if (n < 0) {
		set_error(err, lineno, col[0] + (unsigned int)(bad - tok[0]),
			  "bad {NAME} in the source pattern (at most %d, a "
			  "name and maybe :0Nd)", MAX_CAPTURES);
		return -1;
	}
	for (i = 0; i < (size_t)n; i++) {
		const struct cs_dbc_signal *s =
			cs_dbc_signal_by_name(ml->msg, names[i].name);

		if (s && (s->mux == CS_DBC_MULTIPLEXED ||
			  s->valtype != CS_DBC_INTEGER)) {
			set_error(err, lineno, col[0],
				  "{%s}: %s has no such integer signal "
				  "(outside multiplexing)", names[i].name,
				  ml->msg->name);
			return -1;
		}
		strcpy(ml->capnames[ml->ncaps], names[i].name);
		ml->caps[ml->ncaps++] = s;
		if (!s)
			ml->has_free = 1;
	}
	ml->reversible = !strpbrk(tok[0], "*?[\\");
	ml->source = dup_or_fail(tok[0], oom);
	ml->quantity = dup_or_fail(tok[1], oom);
	ml->value_sig = dup_or_fail(tok[3], oom);
	if (*oom)
		return -1;
	if (check_template(ml, tok[3], col[3], used, 1, err))
		return -1;
	for (i = 4; i < ntok; i++) {
		char *eq = strchr(tok[i], '=');
		unsigned int vcol;
		char **slot = NULL;

		if (!eq || eq == tok[i] || !eq[1]) {
			set_error(err, lineno, col[i],
				  "expected KEY=VALUE, not '%s'", tok[i]);
			return -1;
		}
		*eq = '\0';
		vcol = col[i] + (unsigned int)(eq + 1 - tok[i]);
		ret = parse_policy(&ml->policy, tok[i], eq + 1);
		if (!ret)
			ret = parse_hold(ml, tok[i], eq + 1);
		if (ret < 0) {
			set_error(err, lineno, vcol, "bad %s value '%s' (%s)",
				  tok[i], eq + 1, ret == -ERANGE ?
				  "out of range" : "every=MS 1..3600000, "
				  "hold=MS 0..3600000, sources=N 1..65536, "
				  "policy=last|mean|min|max|change");
			return -1;
		}
		if (ret > 0)
			continue;
		if (!strcmp(tok[i], "status"))
			slot = &ml->status_sig;
		else if (!strcmp(tok[i], "uncertainty"))
			slot = &ml->unc_sig;
		else if (!strcmp(tok[i], "valid"))
			slot = &ml->valid_sig;
		else if (!strcmp(tok[i], "invalid"))
			slot = &ml->invalid_sig;
		else if (!strcmp(tok[i], "unit"))
			slot = &ml->unit;
		if (slot) {
			if (*slot) {
				set_error(err, lineno, col[i], "%s given "
					  "twice", tok[i]);
				return -1;
			}
			*slot = dup_or_fail(eq + 1, oom);
			if (*oom)
				return -1;
			if (slot != &ml->unit &&
			    check_template(ml, eq + 1, vcol, used, 1, err))
				return -1;
		} else {
			const struct cs_dbc_signal *s =
				cs_dbc_signal_by_name(ml->msg, tok[i]);
			struct constant *k = &ml->consts[ml->nconsts];
			char *end;

			if (!s) {
				set_error(err, lineno, col[i],
					  "message %s has no signal %s",
					  ml->msg->name, tok[i]);
				return -1;
			}
			if (ml->nconsts == MAX_CONSTS) {
				set_error(err, lineno, col[i],
					  "more than %d constants",
					  MAX_CONSTS);
				return -1;
			}
			memset(k, 0, sizeof(*k));
			k->sig = s;
			if (eq[1] == '{') {
				/* computed from the source's numbers */
				if (check_template(ml, eq + 1, vcol, used, 0,
						   err))
					return -1;
				k->tmpl = dup_or_fail(eq + 1, oom);
				if (*oom)
					return -1;
				ml->nconsts++;
				continue;
			}
			errno = 0;
			k->value = strtod(eq + 1, &end);
			if (*end || errno || !isfinite(k->value)) {
				set_error(err, lineno, vcol,
					  "'%s' is not a number", eq + 1);
				return -1;
			}
			ml->nconsts++;
		}
	}
	if (ml->unit) {
		char u[64];
		const struct cs_dbc_signal *any = NULL;

		for (i = 0; i < ml->msg->nsignals && !any; i++)
			if (tmpl_match(ml->value_sig,
				       ml->msg->signals[i].name))
				any = &ml->msg->signals[i];
		char su[64];

		if (cs_can_unit_normalise(ml->unit, u, sizeof(u)) ||
		    (any && any->unit[0] &&
		     (cs_can_unit_normalise(any->unit, su, sizeof(su)) ||
		      strcmp(u, su)))) {
			set_error(err, lineno, 1, "unit=%s: not the unit of "
				  "signal %s ('%s')", ml->unit,
				  any ? any->name : "?", any ? any->unit : "");
			return -1;
		}
	}
	for (i = 0; i < ml->ncaps; i++)
		if (!ml->caps[i] && !used[i]) {
			set_error(err, lineno, col[0], "{%s}: %s has no such "
				  "signal, and no template uses it",
				  ml->capnames[i], ml->msg->name);
			return -1;
		}
	if (fill_cache(ml)) {
		*oom = 1;
		return -1;
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

static const struct cs_dbc_signal *sig_of(const struct mapline *ml, int which,
					  const long long *vals);

/* Does @rec's unit convert to that of the signal @ml sends it in? */
static int unit_fits(const struct mapline *ml, const long long *vals,
		     const struct cs_record *rec)
{
	const struct cs_dbc_signal *vs = sig_of(ml, T_VALUE, vals);
	double scale, offset;

	if (ml->unit)
		return !cs_can_unit_convert(rec->unit, ml->unit, &scale,
					    &offset);
	return vs && !cs_can_unit_convert(rec->unit, vs->unit, &scale,
					  &offset);
}

/* The first line for @rec's source and quantity whose signal takes its
 * unit, else the first for its source and quantity (which refuses it, and
 * says why), else NULL. @vals gets the line's numbers. */
static const struct mapline *find_line(const struct cs_canmap *map,
				       const struct cs_record *rec,
				       long long *vals)
{
	const struct mapline *first = NULL;
	long long first_vals[MAX_CAPTURES];
	size_t i;

	for (i = 0; i < map->n; i++) {
		const struct mapline *ml = &map->lines[i];

		if (strcmp(ml->quantity, rec->quantity) ||
		    !match(ml->source, rec->source, ml, 0, vals))
			continue;
		if (unit_fits(ml, vals, rec))
			return ml;
		if (!first) {
			first = ml;
			memcpy(first_vals, vals, sizeof(first_vals));
		}
	}
	if (first)
		memcpy(vals, first_vals, sizeof(first_vals));
	return first;
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

static const char *tmpl_of(const struct mapline *ml, int which)
{
	switch (which) {
	case T_VALUE: return ml->value_sig;
	case T_STATUS: return ml->status_sig;
	case T_UNC: return ml->unc_sig;
	default: return ml->valid_sig ? ml->valid_sig : ml->invalid_sig;
	}
}

/* The signal template @which names for @vals (NULL: none), from the
 * line's table when it has one. */
static const struct cs_dbc_signal *sig_of(const struct mapline *ml, int which,
					  const long long *vals)
{
	const char *t = tmpl_of(ml, which);

	if (!t)
		return NULL;
	if (ml->tcache && vals[ml->tkey] >= 0 && vals[ml->tkey] < CACHE_N)
		return ml->tcache[vals[ml->tkey]][which];
	return resolve(ml, t, vals);
}

/* A message's signals sorted by name (and by long name), so that the
 * 256 names of each template a line's table holds (most of them not in
 * the message) are looked up by bisection, not by a scan each. */
struct sorted_names {
	size_t n, nlong;
	const struct cs_dbc_signal **by_name, **by_long;
};

static int cmp_name(const void *a, const void *b)
{
	return strcmp((*(const struct cs_dbc_signal *const *)a)->name,
		      (*(const struct cs_dbc_signal *const *)b)->name);
}

static int cmp_long(const void *a, const void *b)
{
	return strcmp((*(const struct cs_dbc_signal *const *)a)->long_name,
		      (*(const struct cs_dbc_signal *const *)b)->long_name);
}

static int sort_names(const struct cs_dbc_message *msg,
		      struct sorted_names *sn)
{
	size_t i;

	sn->n = msg->nsignals;
	sn->nlong = 0;
	sn->by_name = calloc(sn->n + 1, sizeof(*sn->by_name));
	sn->by_long = calloc(sn->n + 1, sizeof(*sn->by_long));
	if (!sn->by_name || !sn->by_long) {
		free(sn->by_name);
		free(sn->by_long);
		return -1;
	}
	for (i = 0; i < sn->n; i++) {
		sn->by_name[i] = &msg->signals[i];
		if (msg->signals[i].long_name)
			sn->by_long[sn->nlong++] = &msg->signals[i];
	}
	/* names are unique in a message (the DBC reader sees to it) */
	qsort(sn->by_name, sn->n, sizeof(*sn->by_name), cmp_name);
	qsort(sn->by_long, sn->nlong, sizeof(*sn->by_long), cmp_long);
	return 0;
}

/* cs_dbc_signal_by_name() through @sn: a name first, then a long name. */
static const struct cs_dbc_signal *find_sorted(const struct sorted_names *sn,
					       const char *name)
{
	struct cs_dbc_signal key;
	const struct cs_dbc_signal *kp = &key, **hit;

	key.name = name;
	key.long_name = name;
	hit = bsearch(&kp, sn->by_name, sn->n, sizeof(*sn->by_name),
		      cmp_name);
	if (!hit)
		hit = bsearch(&kp, sn->by_long, sn->nlong,
			      sizeof(*sn->by_long), cmp_long);
	return hit ? *hit : NULL;
}

/* The table of sig_of(), when the templates use one capture. */
static int fill_cache(struct mapline *ml)
{
	long long vals[MAX_CAPTURES] = { 0 };
	struct sorted_names sn;
	int key = -1;

	for (int w = 0; w < T_N; w++) {
		struct brace list[MAX_CAPTURES * 2];
		const char *bad, *t = tmpl_of(ml, w);
		int n = t ? brace_list(t, list, MAX_CAPTURES * 2, 0, &bad) : 0;

		for (int i = 0; i < n; i++)
			for (size_t j = 0; j < ml->ncaps; j++) {
				if (strcmp(ml->capnames[j], list[i].name))
					continue;
				if (key >= 0 && key != (int)j)
					return 0;	/* two: no table */
				key = (int)j;
			}
	}
	ml->tkey = key < 0 ? 0 : key;
	ml->tcache = calloc(CACHE_N, sizeof(*ml->tcache));
	if (!ml->tcache)
		return -1;
	if (sort_names(ml->msg, &sn))
		return -1;
	for (int v = 0; v < CACHE_N; v++) {
		vals[ml->tkey] = v;
		for (int w = 0; w < T_N; w++) {
			char name[NAME_MAX_LEN];

			if (tmpl_of(ml, w) && !expand(ml, tmpl_of(ml, w), vals,
						      name, sizeof(name)))
				ml->tcache[v][w] = find_sorted(&sn, name);
		}
	}
	free(sn.by_name);
	free(sn.by_long);
	return 0;
}

/* A computed constant's value, or NAN. */
static double const_value(const struct mapline *ml, const struct constant *k,
			  const long long *vals)
{
	char buf[64];

	if (!k->tmpl)
		return k->value;
	if (expand(ml, k->tmpl, vals, buf, sizeof(buf)))
		return NAN;
	return strtod(buf, NULL);
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

/* Set the bits of @sig in @mask (if not NULL). */
static void mark(const struct cs_dbc_signal *sig, uint8_t *mask, size_t len)
{
	if (mask && sig)
		cs_dbc_signal_set_raw(sig, mask, len, ~(uint64_t)0);
}

/* Multiplexors that select @sig, its own first (extended multiplexing:
 * a multiplexed multiplexor is selected in turn): their count. */
static size_t mux_chain(const struct cs_dbc_signal *sig,
			const struct cs_dbc_signal **chain, size_t max)
{
	size_t n = 0;

	while (sig && sig->mux == CS_DBC_MULTIPLEXED && n < max) {
		const struct cs_dbc_signal *m = sig->selector;

		if (!m)
			break;
		chain[n++] = m;
		sig = m;
	}
	return n;
}

/* Put @sig's multiplexors at the values that select it: 0, or -1 when
 * one of them is assigned by the line and holds another value. */
static int select_mux(const struct mapline *ml,
		      const struct cs_dbc_signal *sig, struct cs_can_frame *f,
		      uint8_t *key)
{
	const struct cs_dbc_signal *chain[8];
	const struct cs_dbc_signal *s = sig;
	size_t n = mux_chain(sig, chain, 8), i;

	for (i = 0; i < n; i++) {
		uint64_t want = s->nranges ? s->ranges[0].lo : s->mux_value;

		if (assigned(ml, chain[i])) {
			if (!mux_ok(ml, s, f))
				return -1;
		} else {
			cs_dbc_signal_set_raw(chain[i], f->data, f->len, want);
		}
		mark(chain[i], key, f->len);
		s = chain[i];
	}
	return 0;
}

/* The smallest value of the multiplexor that selects a signal. */
static uint64_t first_mux_value(const struct cs_dbc_message *msg)
{
	uint64_t best = UINT64_MAX;
	size_t i, k;

	for (i = 0; i < msg->nsignals; i++) {
		const struct cs_dbc_signal *s = &msg->signals[i];

		if (s->mux != CS_DBC_MULTIPLEXED ||
		    s->selector != msg->multiplexor)
			continue;
		for (k = 0; k < s->nranges; k++)
			if (s->ranges[k].lo < best)
				best = s->ranges[k].lo;
	}
	return best == UINT64_MAX ? 0 : best;
}

static int valid_record(const struct cs_record *rec)
{
	return !isnan(rec->value) && !strcmp(rec->status, "ok");
}

#define WHY(text)                                                       \
	do {                                                            \
		if (why)                                                \
			*why = (text);                                  \
		return -EBADMSG;                                        \
	} while (0)

/*
 * The frame for @rec by line @ml: flags, or negative. @key (if not NULL)
 * gets the bits that pick the frame (multiplexors, numbers of the source,
 * constants), @own those the record fills (value, status, uncertainty,
 * validity).
 */
static int encode_line(const struct mapline *ml, const long long *vals,
		       const struct cs_record *rec, struct cs_can_frame *f,
		       uint8_t *key, uint8_t *own, int key_only,
		       const char **why)
{
	const struct cs_dbc_signal *vs, *ss = NULL, *us = NULL, *oks = NULL,
				   *bads = NULL;
	const char *unit;
	double scale, offset, value;
	int flags = 0, ret;
	size_t i;

	memset(f, 0, sizeof(*f));
	f->id = ml->msg->id;
	f->extended = ml->msg->extended;
	f->len = (uint8_t)ml->msg->dlc;
	if (f->len > 8)
		f->flags |= CS_CAN_FLAG_FD;
	if (key)
		memset(key, 0, CS_CAN_MAX_DLEN);
	if (own)
		memset(own, 0, CS_CAN_MAX_DLEN);
	for (i = 0; i < ml->ncaps; i++) {
		if (!ml->caps[i])
			continue;	/* a free variable: not sent */
		ret = cs_dbc_signal_encode(ml->caps[i], f->data, f->len,
					   (double)vals[i]);
		if (ret)
			WHY("a number in the source is out of its signal's "
			    "range");
		mark(ml->caps[i], key, f->len);
	}
	for (i = 0; i < ml->nconsts; i++) {
		double v = const_value(ml, &ml->consts[i], vals);

		if (isnan(v) || cs_dbc_signal_encode(ml->consts[i].sig,
						     f->data, f->len, v))
			WHY("a computed constant is out of its signal's "
			    "range");
		mark(ml->consts[i].sig, key, f->len);
	}
	vs = sig_of(ml, T_VALUE, vals);
	if (!vs)
		WHY("the DBC has no signal for this source");
	if (ml->status_sig) {
		ss = sig_of(ml, T_STATUS, vals);
		if (!ss)
			WHY("the DBC has no status signal for this source");
	}
	if (ml->unc_sig) {
		us = sig_of(ml, T_UNC, vals);
		if (!us)
			WHY("the DBC has no uncertainty signal for this "
			    "source");
	}
	if (ml->valid_sig || ml->invalid_sig) {
		const struct cs_dbc_signal **slot = ml->valid_sig ? &oks :
						    &bads;

		*slot = sig_of(ml, T_FLAG, vals);
		if (!*slot)
			WHY("the DBC has no validity signal for this source");
	}
	if (select_mux(ml, vs, f, key))
		WHY("multiplexor value does not select the signal");
	if (vs->mux != CS_DBC_MULTIPLEXED && ml->msg->multiplexor &&
	    !assigned(ml, ml->msg->multiplexor)) {
		/* a signal of every frame: sent in a frame whose
		 * multiplexor holds a value the DBC defines */
		cs_dbc_signal_set_raw(ml->msg->multiplexor, f->data, f->len,
				      first_mux_value(ml->msg));
		mark(ml->msg->multiplexor, key, f->len);
	}
	if ((ss && select_mux(ml, ss, f, key)) ||
	    (us && select_mux(ml, us, f, key)) ||
	    (oks && select_mux(ml, oks, f, key)) ||
	    (bads && select_mux(ml, bads, f, key)) ||
	    (ss && !mux_ok(ml, ss, f)) || (us && !mux_ok(ml, us, f)) ||
	    (oks && !mux_ok(ml, oks, f)) || (bads && !mux_ok(ml, bads, f)) ||
	    !mux_ok(ml, vs, f))
		WHY("status, uncertainty or validity signal not in the same "
		    "frame");
	if (key_only)
		return 0;
	unit = ml->unit ? ml->unit : vs->unit;
	ret = cs_can_unit_convert(rec->unit, unit, &scale, &offset);
	if (ret == -EDOM)
		WHY("unit is of another kind of quantity than the DBC "
		    "signal's");
	if (ret)
		WHY("unit differs from the DBC signal's (and is not one "
		    "that converts)");
	value = rec->value * scale + offset;
	ret = cs_dbc_signal_encode(vs, f->data, f->len, value);
	if (ret == -EDOM && (oks || bads))
		ret = cs_dbc_signal_set_raw(vs, f->data, f->len, 0);
	if (ret == -EDOM)
		WHY("no value (nan), and the signal has no code for that");
	if (ret < 0)
		return ret;
	flags |= ret;
	mark(vs, own, f->len);
	if (ss) {
		int64_t raw;

		if (cs_dbc_value_lookup(ss, rec->status, &raw))
			WHY("status has no value name (VAL_) in the DBC");
		cs_dbc_signal_set_raw(ss, f->data, f->len, (uint64_t)raw);
		mark(ss, own, f->len);
	}
	if (us) {
		double u = rec->uncertainty * fabs(scale);

		ret = cs_dbc_signal_encode(us, f->data, f->len, u);
		if (ret == -EDOM)
			ret = cs_dbc_signal_encode(us, f->data, f->len, 0);
		if (ret < 0)
			return ret;
		flags |= ret;
		mark(us, own, f->len);
	}
	if (oks || bads) {
		int good = valid_record(rec);

		if (oks)
			cs_dbc_signal_set_raw(oks, f->data, f->len,
					      (uint64_t)good);
		else
			cs_dbc_signal_set_raw(bads, f->data, f->len,
					      (uint64_t)!good);
		mark(oks ? oks : bads, own, f->len);
	}
	return flags;
}

int cs_canmap_encode_prep(const struct cs_canmap *map,
			  const struct cs_record *rec, struct cs_can_frame *f,
			  uint8_t *key, uint8_t *own, int *line,
			  const char **why, struct cs_canmap_prep *prep)
{
	long long vals[MAX_CAPTURES] = { 0 };
	const struct mapline *ml;
	int ret;

	if (!map || !rec || !f)
		return -EINVAL;
	ml = find_line(map, rec, vals);
	if (!ml)
		return -ENOENT;
	if (line)
		*line = (int)(ml - map->lines);
	ret = encode_line(ml, vals, rec, f, key, own, 0, why);
	if (ret < 0 || !prep)
		return ret;
	/* encode_line() found all of these, and the unit converts */
	memset(prep, 0, sizeof(*prep));
	prep->line = (int)(ml - map->lines);
	prep->len = f->len;
	strcpy(prep->unit, rec->unit);
	strcpy(prep->status, rec->status);
	prep->value = sig_of(ml, T_VALUE, vals);
	prep->status_sig = ml->status_sig ? sig_of(ml, T_STATUS, vals) : NULL;
	prep->unc = ml->unc_sig ? sig_of(ml, T_UNC, vals) : NULL;
	if (ml->valid_sig || ml->invalid_sig)
		prep->flag = sig_of(ml, T_FLAG, vals);
	cs_can_unit_convert(rec->unit, ml->unit ? ml->unit : prep->value->unit,
			    &prep->scale, &prep->offset);
	cs_dbc_signal_plain(prep->value, prep->len, &prep->value_plain);
	if (prep->unc)
		cs_dbc_signal_plain(prep->unc, prep->len, &prep->unc_plain);
	return ret;
}

int cs_canmap_encode_part(const struct cs_canmap *map,
			  const struct cs_record *rec, struct cs_can_frame *f,
			  uint8_t *key, uint8_t *own, int *line,
			  const char **why)
{
	return cs_canmap_encode_prep(map, rec, f, key, own, line, why, NULL);
}

int cs_canmap_check(struct cs_canmap_prep *p, const struct cs_record *rec,
		    const char **why)
{
	double value = rec->value * p->scale + p->offset;
	uint64_t bits;
	int64_t raw;
	int flags, ret;

	/* in encode_line()'s order, with its words; the raw bits are worked
	 * out and thrown away (writing them was a tenth of the time), and
	 * most values are plainly in range */
	ret = cs_dbc_plain_takes(p->value, &p->value_plain, value) ? 0 :
	      cs_dbc_signal_raw(p->value, p->len, value, &bits);
	if (ret == -EDOM && p->flag)
		ret = 0;
	if (ret == -EDOM)
		WHY("no value (nan), and the signal has no code for that");
	if (ret < 0)
		return ret;
	flags = ret;
	if (p->status_sig &&
	    !cs_same_string(p->status, rec->status, sizeof(p->status))) {
		if (cs_dbc_value_lookup(p->status_sig, rec->status, &raw))
			WHY("status has no value name (VAL_) in the DBC");
		strcpy(p->status, rec->status);
	}
	if (p->unc) {
		double u = rec->uncertainty * fabs(p->scale);

		ret = cs_dbc_plain_takes(p->unc, &p->unc_plain, u) ? 0 :
		      cs_dbc_signal_raw(p->unc, p->len, u, &bits);
		if (ret == -EDOM)
			ret = cs_dbc_signal_raw(p->unc, p->len, 0, &bits);
		if (ret < 0)
			return ret;
		flags |= ret;
	}
	return flags;
}

int cs_canmap_encode(const struct cs_canmap *map, const struct cs_record *rec,
		     struct cs_can_frame *f, const char **why)
{
	return cs_canmap_encode_part(map, rec, f, NULL, NULL, NULL, why);
}

/* The role of @sig in the lines on its message: 'v' a validity flag, 'i'
 * an invalidity flag, 'c' a value that such a flag covers, 0 else. */
static int flag_role(const struct cs_canmap *map,
		     const struct cs_dbc_message *msg,
		     const struct cs_dbc_signal *sig)
{
	int covered = 0;
	size_t i;

	for (i = 0; i < map->n; i++) {
		const struct mapline *ml = &map->lines[i];

		if (ml->msg != msg)
			continue;
		if (ml->valid_sig && tmpl_match(ml->valid_sig, sig->name))
			return 'v';
		if (ml->invalid_sig && tmpl_match(ml->invalid_sig, sig->name))
			return 'i';
		if ((ml->valid_sig || ml->invalid_sig) &&
		    tmpl_match(ml->value_sig, sig->name))
			covered = 'c';
	}
	return covered;
}

int cs_canmap_absent(const struct cs_canmap *map, struct cs_can_frame *f,
		     const uint8_t *key, const char **unfilled)
{
	const struct cs_dbc_message *msg;
	uint8_t probe[CS_CAN_MAX_DLEN];
	size_t i;
	int n = 0;

	if (!map || !f || !key)
		return -EINVAL;
	msg = cs_dbc_message_by_id(map->dbc, f->id, f->extended);
	if (!msg)
		return -ENOENT;
	for (i = 0; i < msg->nsignals; i++) {
		const struct cs_dbc_signal *s = &msg->signals[i];
		int role;

		/* a selector of this frame: keep what the key holds */
		memset(probe, 0, sizeof(probe));
		mark(s, probe, f->len);
		for (size_t b = 0; b < f->len; b++)
			if (probe[b] & key[b])
				goto next;
		if (cs_dbc_signal_present(msg, s, f->data, f->len) != 1)
			continue;
		role = flag_role(map, msg, s);
		if (role == 'c') {	/* flagged invalid: its bits say 0 */
			cs_dbc_signal_set_raw(s, f->data, f->len, 0);
			continue;
		}
		if (role) {
			cs_dbc_signal_set_raw(s, f->data, f->len,
					      role == 'i');
			continue;
		}
		if (cs_dbc_signal_encode(s, f->data, f->len, NAN) == -EDOM) {
			n++;
			if (unfilled)
				*unfilled = s->name;
		}
next:
		;
	}
	return n;
}

/* Decode line @ml's record from @f with the numbers @vals: 1, or 0 when
 * the frame does not carry it. */
static int decode_vals(const struct mapline *ml, const struct cs_can_frame *f,
		       int64_t time_ns, long long *vals,
		       struct cs_record *rec)
{
	const struct cs_dbc_signal *vs, *ss, *us, *fs;
	char source[CS_RECORD_SOURCE_MAX], unit[64];
	const char *status = "ok";
	double v, u = NAN;
	size_t i;

	for (i = 0; i < ml->nconsts; i++) {
		const struct cs_dbc_signal *s = ml->consts[i].sig;
		double want = const_value(ml, &ml->consts[i], vals);

		if (cs_dbc_signal_decode(s, f->data, f->len, &v) ||
		    !(fabs(v - want) <= fabs(s->factor) / 2))
			return 0;
	}
	vs = sig_of(ml, T_VALUE, vals);
	if (!vs || !mux_ok(ml, vs, f) ||
	    cs_dbc_signal_decode(vs, f->data, f->len, &v))
		return 0;
	if (ml->status_sig) {
		uint64_t raw;

		ss = sig_of(ml, T_STATUS, vals);
		if (ss && mux_ok(ml, ss, f) &&
		    !cs_dbc_signal_get_raw(ss, f->data, f->len, &raw)) {
			status = cs_dbc_value_name(ss, (int64_t)raw);
			if (!status)
				status = "other";
		}
	}
	if (ml->unc_sig) {
		us = sig_of(ml, T_UNC, vals);
		if (!us || !mux_ok(ml, us, f) ||
		    cs_dbc_signal_decode(us, f->data, f->len, &u))
			u = NAN;
	}
	if (ml->valid_sig || ml->invalid_sig) {
		uint64_t raw = 0;

		fs = sig_of(ml, T_FLAG, vals);
		if (!fs || !mux_ok(ml, fs, f) ||
		    cs_dbc_signal_get_raw(fs, f->data, f->len, &raw) ||
		    (raw != 0) != !!ml->valid_sig) {
			v = u = NAN;	/* flagged: no value */
			status = "lost";
		}
	}
	if (expand(ml, ml->source, vals, source, sizeof(source)))
		return 0;
	if (cs_can_unit_normalise(ml->unit ? ml->unit : vs->unit, unit,
				  sizeof(unit)))
		return 0;
	if (cs_record_set(rec, time_ns, source, ml->quantity, v, unit, status,
			  u))
		return 0;
	return 1;
}

/* Records of line @ml in @f: how many were put in @rec (up to @max). */
static int decode_line(const struct mapline *ml, const struct cs_can_frame *f,
		       int64_t time_ns, struct cs_record *rec, size_t max)
{
	long long vals[MAX_CAPTURES] = { 0 };
	size_t i, free_at = MAX_CAPTURES;
	long long v, top;
	int n = 0;

	if (!ml->reversible || !max)
		return 0;
	for (i = 0; i < ml->ncaps; i++) {
		double d;

		if (!ml->caps[i]) {
			if (free_at != MAX_CAPTURES)
				return 0;	/* one free variable at most */
			free_at = i;
			continue;
		}
		if (cs_dbc_signal_decode(ml->caps[i], f->data, f->len, &d) ||
		    !(d >= 0) || d != floor(d) || d > 1e12)
			return 0;
		vals[i] = (long long)d;
	}
	if (free_at == MAX_CAPTURES)
		return decode_vals(ml, f, time_ns, vals, rec);
	/* A family (cell{Cell}): each member whose signals this frame
	 * carries, up to sources= of them. */
	top = ml->policy.sources > 1 ? ml->policy.sources : MAX_ENUM;
	for (v = 0; v < top && (size_t)n < max; v++) {
		vals[free_at] = v;
		n += decode_vals(ml, f, time_ns, vals, &rec[n]);
	}
	return n;
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
	if (f->flags & (CS_CAN_FLAG_RTR | CS_CAN_FLAG_ERR))
		return 0;	/* no values in them, ever */
	msg = cs_dbc_message_by_id(map->dbc, f->id, f->extended);
	if (!msg)
		return -ENOENT;
	for (i = 0; i < map->n && (size_t)n < max; i++) {
		const struct mapline *ml = &map->lines[i];

		if (ml->msg == msg)
			n += decode_line(ml, f, time_ns, &rec[n],
					 max - (size_t)n);
	}
	return n;
}

int64_t cs_canmap_hold(const struct cs_canmap *map, size_t line)
{
	return map && line < map->n ? map->lines[line].hold_ns : 0;
}

int cs_canmap_family(const struct cs_canmap *map, size_t line,
		     struct cs_can_frame *f, uint8_t *key, long long v)
{
	const struct mapline *ml;
	long long vals[MAX_CAPTURES] = { 0 };
	size_t i;

	if (!map || line >= map->n || !f || !key)
		return -EINVAL;
	ml = &map->lines[line];
	if (!ml->has_free)
		return -ENOENT;
	for (i = 0; i < ml->ncaps; i++)
		if (!ml->caps[i])
			vals[i] = v;
	return encode_line(ml, vals, NULL, f, key, NULL, 1, NULL) < 0 ?
	       -EBADMSG : 0;
}
