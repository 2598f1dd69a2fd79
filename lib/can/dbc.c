// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * DBC databases: a parser for the parts of Vector's CAN database format a
 * gateway needs (messages, signals, multiplexing, value names) and the bit
 * packing of signals into frames, Intel and Motorola.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense-can.h"
#include "cs-can-text.h"
#include "cs-dbc.h"

/* SG_MUL_VAL_: signal @sig of message @msg is selected by @sel (indices:
 * the arrays move while the file is read; pointers are set at the end). */
struct mulval {
	size_t msg, sig, sel;
};

struct cs_dbc {
	size_t nmsgs, capmsgs;
	struct cs_dbc_message *msgs;
	size_t nmulvals;
	struct mulval *mulvals;
};

/* Vector's pseudo-message for signals that belong to no frame. */
#define INDEPENDENT_SIG_MSG "VECTOR__INDEPENDENT_SIG_MSG"

/* ---------------------------------------------------------------------
 * Cursor over the text, tracking line and column for messages.
 */
struct cursor {
	const char *p, *end;
	const char *line_start;
	unsigned long line;
	struct cs_can_error *err;
	int failed;
};

static void fail_at(struct cursor *c, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail_at(struct cursor *c, const char *at, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return;
	c->failed = 1;
	if (!c->err)
		return;
	c->err->line = c->line;
	c->err->column = (unsigned int)(at - c->line_start) + 1;
	va_start(ap, fmt);
	vsnprintf(c->err->why, sizeof(c->err->why), fmt, ap);
	va_end(ap);
}

#define fail(c, ...) fail_at((c), (c)->p, __VA_ARGS__)

static int at_end(const struct cursor *c)
{
	return c->p >= c->end;
}

static int peek(const struct cursor *c)
{
	return at_end(c) ? -1 : (unsigned char)*c->p;
}

static void newline(struct cursor *c)
{
	c->p++;
	c->line++;
	c->line_start = c->p;
}

/* Spaces and tabs (and \r) on this line. */
static void skip_blanks(struct cursor *c)
{
	while (!at_end(c) && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r'))
		c->p++;
}

/* Blanks and newlines. */
static void skip_space(struct cursor *c)
{
	for (;;) {
		skip_blanks(c);
		if (peek(c) != '\n')
			return;
		newline(c);
	}
}

static int is_ident_start(int ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       ch == '_';
}

static int is_ident(int ch)
{
	return is_ident_start(ch) || (ch >= '0' && ch <= '9');
}

/* An identifier into @buf; 0 or -1 (and failed). */
static int get_ident(struct cursor *c, char *buf, size_t size,
		     const char *what)
{
	size_t n = 0;

	if (!is_ident_start(peek(c))) {
		fail(c, "expected %s", what);
		return -1;
	}
	while (is_ident(peek(c))) {
		if (n + 1 >= size) {
			fail(c, "%s too long", what);
			return -1;
		}
		buf[n++] = *c->p++;
	}
	buf[n] = '\0';
	return 0;
}

static int expect(struct cursor *c, int ch)
{
	skip_blanks(c);
	if (peek(c) != ch) {
		fail(c, "expected '%c'", ch);
		return -1;
	}
	c->p++;
	return 0;
}

/* A number token: digits, sign, point, exponent. */
static int get_token(struct cursor *c, char *buf, size_t size,
		     const char *what)
{
	size_t n = 0;

	skip_blanks(c);
	while (!at_end(c) && (strchr("0123456789+-.eE", *c->p) &&
			      *c->p != '\0')) {
		if (n + 1 >= size) {
			fail(c, "%s too long", what);
			return -1;
		}
		buf[n++] = *c->p++;
	}
	buf[n] = '\0';
	if (!n) {
		fail(c, "expected %s", what);
		return -1;
	}
	return 0;
}

static int get_double(struct cursor *c, double *v, const char *what)
{
	const char *start;
	char buf[64], *end;

	skip_blanks(c);
	start = c->p;
	if (get_token(c, buf, sizeof(buf), what))
		return -1;
	errno = 0;
	*v = strtod(buf, &end);
	if (*end || errno == ERANGE || !isfinite(*v)) {
		fail_at(c, start, "%s '%s' is not a number", what, buf);
		return -1;
	}
	return 0;
}

static int get_integer(struct cursor *c, long long *v, long long min,
		       long long max, const char *what)
{
	const char *start;
	char buf[64], *end;

	skip_blanks(c);
	start = c->p;
	if (get_token(c, buf, sizeof(buf), what))
		return -1;
	errno = 0;
	*v = strtoll(buf, &end, 10);
	if (*end || errno) {
		fail_at(c, start, "%s '%s' is not an integer", what, buf);
		return -1;
	}
	if (*v < min || *v > max) {
		fail_at(c, start, "%s %lld out of range [%lld, %lld]", what,
			*v, min, max);
		return -1;
	}
	return 0;
}

/* A quoted string, possibly over several lines; malloc'd into *@out
 * (NULL @out: skipped). */
static int get_string(struct cursor *c, char **out)
{
	const char *start = c->p;
	unsigned long line = c->line;
	const char *line_start = c->line_start;
	size_t n = 0, cap = 0;
	char *s = NULL;

	if (peek(c) != '"') {
		fail(c, "expected '\"'");
		return -1;
	}
	c->p++;
	for (;;) {
		int ch = peek(c);

		if (ch < 0) {
			c->line = line;
			c->line_start = line_start;
			fail_at(c, start, "unterminated string");
			free(s);
			return -1;
		}
		if (ch == '"')
			break;
		if (ch == '\\' && c->p + 1 < c->end && c->p[1] == '"')
			c->p++, ch = '"';
		if (ch == '\0') {
			fail(c, "NUL byte in string");
			free(s);
			return -1;
		}
		if (out) {
			if (n + 2 > cap) {
				char *t;

				cap = cap ? 2 * cap : 32;
				t = realloc(s, cap);
				if (!t) {
					free(s);
					errno = ENOMEM;
					fail(c, "out of memory");
					return -1;
				}
				s = t;
			}
			s[n++] = (char)ch;
		}
		if (ch == '\n')
			newline(c);
		else
			c->p++;
	}
	c->p++;
	if (out) {
		if (!s) {
			s = strdup("");
			if (!s) {
				fail(c, "out of memory");
				return -1;
			}
		} else {
			s[n] = '\0';
		}
		*out = s;
	}
	return 0;
}

/* Skip a statement up to and including its ';', strings respected. */
static int skip_statement(struct cursor *c)
{
	for (;;) {
		int ch = peek(c);

		if (ch < 0)
			return 0;	/* a missing ';' at the end is harmless */
		if (ch == ';') {
			c->p++;
			return 0;
		}
		if (ch == '"') {
			if (get_string(c, NULL))
				return -1;
			continue;
		}
		if (ch == '\n')
			newline(c);
		else
			c->p++;
	}
}

static void skip_line(struct cursor *c)
{
	while (!at_end(c) && *c->p != '\n')
		c->p++;
}

/* Nothing but blanks (and an optional ';') up to the end of the line. */
static int expect_eol(struct cursor *c)
{
	skip_blanks(c);
	if (peek(c) == ';') {
		c->p++;
		skip_blanks(c);
	}
	if (!at_end(c) && *c->p != '\n') {
		fail(c, "unexpected '%c'", *c->p);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Database building.
 */
static struct cs_dbc_message *last_message(struct cs_dbc *dbc)
{
	return dbc->nmsgs ? &dbc->msgs[dbc->nmsgs - 1] : NULL;
}

static struct cs_dbc_message *find_message(struct cs_dbc *dbc, uint32_t id,
					   int extended)
{
	size_t i;

	for (i = 0; i < dbc->nmsgs; i++)
		if (dbc->msgs[i].id == id && dbc->msgs[i].extended == extended)
			return &dbc->msgs[i];
	return NULL;
}

static struct cs_dbc_signal *find_signal(struct cs_dbc_message *msg,
					 const char *name)
{
	size_t i;

	for (i = 0; i < msg->nsignals; i++)
		if (!strcmp(msg->signals[i].name, name))
			return (struct cs_dbc_signal *)&msg->signals[i];
	return NULL;
}

/* Does every bit of @sig fall inside @len bytes? */
static int signal_fits(const struct cs_dbc_signal *sig, size_t len)
{
	unsigned int pos = sig->start, i;

	if (sig->length < 1 || sig->length > 64)
		return 0;
	if (!sig->big_endian)
		return (size_t)sig->start + sig->length <= len * 8;
	for (i = 0; i < sig->length; i++) {
		if (pos >= len * 8)
			return 0;
		if (i + 1 < sig->length)
			pos = (pos % 8 == 0) ? pos + 15 : pos - 1;
	}
	return 1;
}

/* BO_ 784 FBG_Wavelength: 8 CSGW */
static int parse_bo(struct cursor *c, struct cs_dbc *dbc)
{
	struct cs_dbc_message *msg;
	char name[128];
	long long id, dlc;
	const char *at, *id_at;
	uint32_t bare;
	int ext;

	skip_blanks(c);
	at = id_at = c->p;
	if (get_integer(c, &id, 0, 0xffffffffLL, "message id"))
		return -1;
	ext = !!(id & CS_CAN_EFF_FLAG);
	bare = (uint32_t)id & ~CS_CAN_EFF_FLAG;
	skip_blanks(c);
	at = c->p;
	if (get_ident(c, name, sizeof(name), "message name"))
		return -1;
	if ((ext && bare > 0x1fffffff && strcmp(name, INDEPENDENT_SIG_MSG)) ||
	    (!ext && bare > 0x7ff)) {
		fail_at(c, id_at, "message id %lld is not an 11-bit id nor "
			"0x80000000 | a 29-bit id", id);
		return -1;
	}
	if (expect(c, ':'))
		return -1;
	if (get_integer(c, &dlc, 0, CS_CAN_MAX_DLEN, "message length"))
		return -1;
	/* The transmitter is one identifier; check nothing else follows. */
	skip_blanks(c);
	if (is_ident_start(peek(c))) {
		char tx[128];

		if (get_ident(c, tx, sizeof(tx), "transmitter"))
			return -1;
	}
	if (expect_eol(c))
		return -1;
	if (find_message(dbc, bare, ext)) {
		fail_at(c, id_at, "message id %lld defined twice", id);
		return -1;
	}
	if (cs_dbc_message_by_name(dbc, name)) {
		fail_at(c, at, "message name %s defined twice", name);
		return -1;
	}
	if (dbc->nmsgs == dbc->capmsgs) {
		size_t cap = dbc->capmsgs ? 2 * dbc->capmsgs : 16;
		struct cs_dbc_message *m = realloc(dbc->msgs, cap * sizeof(*m));

		if (!m) {
			fail(c, "out of memory");
			return -1;
		}
		dbc->msgs = m;
		dbc->capmsgs = cap;
	}
	msg = &dbc->msgs[dbc->nmsgs];
	memset(msg, 0, sizeof(*msg));
	msg->name = strdup(name);
	if (!msg->name) {
		fail(c, "out of memory");
		return -1;
	}
	msg->id = bare;
	msg->extended = ext;
	msg->dlc = (unsigned int)dlc;
	dbc->nmsgs++;
	return 0;
}

/* SG_ Name [M|mN] : start|len@order sign (factor,offset) [min|max]
 *     "unit" receivers */
static int parse_sg(struct cursor *c, struct cs_dbc *dbc, const char *kw_at)
{
	struct cs_dbc_message *msg = last_message(dbc);
	struct cs_dbc_signal sig, *sigs;
	char name[128];
	long long v;
	const char *at;
	char *unit = NULL;

	if (!msg) {
		fail_at(c, kw_at, "SG_ before any BO_");
		return -1;
	}
	memset(&sig, 0, sizeof(sig));
	skip_blanks(c);
	at = c->p;
	if (get_ident(c, name, sizeof(name), "signal name"))
		return -1;
	if (find_signal(msg, name)) {
		fail_at(c, at, "signal %s defined twice in %s", name,
			msg->name);
		return -1;
	}
	skip_blanks(c);
	if (peek(c) == 'M') {
		c->p++;
		sig.mux = CS_DBC_MULTIPLEXOR;
		sig.is_multiplexor = 1;
		if (msg->multiplexor) {
			fail_at(c, c->p - 1, "second multiplexor in %s",
				msg->name);
			return -1;
		}
	} else if (peek(c) == 'm') {
		c->p++;
		if (peek(c) < '0' || peek(c) > '9') {
			fail(c, "expected a multiplexor value after 'm'");
			return -1;
		}
		if (get_integer(c, &v, 0, 0xffffffffLL, "multiplexor value"))
			return -1;
		sig.mux = CS_DBC_MULTIPLEXED;
		sig.mux_value = (unsigned int)v;
		if (peek(c) == 'M') {	/* extended multiplexing: mNM */
			c->p++;
			sig.is_multiplexor = 1;
		}
	}
	if (expect(c, ':'))
		return -1;
	skip_blanks(c);
	at = c->p;
	if (get_integer(c, &v, 0, 511, "start bit"))
		return -1;
	sig.start = (unsigned int)v;
	if (expect(c, '|'))
		return -1;
	if (get_integer(c, &v, 1, 64, "signal length"))
		return -1;
	sig.length = (unsigned int)v;
	if (expect(c, '@'))
		return -1;
	if (peek(c) == '0' || peek(c) == '1') {
		sig.big_endian = *c->p == '0';
		c->p++;
	} else {
		fail(c, "expected byte order 0 (Motorola) or 1 (Intel)");
		return -1;
	}
	if (peek(c) == '+' || peek(c) == '-') {
		sig.is_signed = *c->p == '-';
		c->p++;
	} else {
		fail(c, "expected '+' (unsigned) or '-' (signed)");
		return -1;
	}
	if (!signal_fits(&sig, msg->dlc) &&
	    strcmp(msg->name, INDEPENDENT_SIG_MSG)) {
		fail_at(c, at, "signal %s (bits %u|%u@%c) does not fit in %u "
			"bytes of %s", name, sig.start, sig.length,
			sig.big_endian ? '0' : '1', msg->dlc, msg->name);
		return -1;
	}
	if (sig.is_multiplexor && sig.length > 32) {
		fail_at(c, at, "multiplexor %s longer than 32 bits", name);
		return -1;
	}
	if (expect(c, '('))
		return -1;
	skip_blanks(c);
	at = c->p;
	if (get_double(c, &sig.factor, "factor"))
		return -1;
	if (sig.factor == 0) {
		fail_at(c, at, "factor is 0");
		return -1;
	}
	if (expect(c, ','))
		return -1;
	if (get_double(c, &sig.offset, "offset"))
		return -1;
	if (expect(c, ')'))
		return -1;
	if (expect(c, '['))
		return -1;
	skip_blanks(c);
	at = c->p;
	if (get_double(c, &sig.min, "minimum"))
		return -1;
	if (expect(c, '|'))
		return -1;
	if (get_double(c, &sig.max, "maximum"))
		return -1;
	if (expect(c, ']'))
		return -1;
	if (sig.min > sig.max) {
		fail_at(c, at, "minimum %g above maximum %g", sig.min,
			sig.max);
		return -1;
	}
	skip_blanks(c);
	if (get_string(c, &unit))
		return -1;
	sig.unit = unit;
	/* Receivers: identifiers separated by commas or blanks. */
	for (;;) {
		char rx[128];

		skip_blanks(c);
		if (peek(c) == ',') {
			c->p++;
			continue;
		}
		if (!is_ident_start(peek(c)))
			break;
		if (get_ident(c, rx, sizeof(rx), "receiver"))
			goto fail;
	}
	if (expect_eol(c))
		goto fail;
	sig.name = strdup(name);
	if (!sig.name)
		goto oom;
	sigs = realloc((void *)msg->signals,
		       (msg->nsignals + 1) * sizeof(*sigs));
	if (!sigs) {
		free((void *)sig.name);
		goto oom;
	}
	sigs[msg->nsignals++] = sig;
	msg->signals = sigs;
	msg->multiplexor = NULL;	/* fixed up at the end */
	return 0;
oom:
	fail(c, "out of memory");
fail:
	free(unit);
	return -1;
}

/* VAL_ 784 Status 0 "ok" 1 "lost" ; (VAL_ for environment variables,
 * without an id, and for unknown signals are read over.) */
static int parse_val(struct cursor *c, struct cs_dbc *dbc)
{
	struct cs_dbc_message *msg;
	struct cs_dbc_signal *sig = NULL;
	struct cs_dbc_value_name *vals = NULL;
	size_t n = 0;
	char name[128];
	long long id;

	skip_blanks(c);
	if (peek(c) < '0' || peek(c) > '9')
		return skip_statement(c);
	if (get_integer(c, &id, 0, 0xffffffffLL, "message id"))
		return -1;
	skip_blanks(c);
	if (get_ident(c, name, sizeof(name), "signal name"))
		return -1;
	msg = find_message(dbc, (uint32_t)id & ~CS_CAN_EFF_FLAG,
			   !!(id & CS_CAN_EFF_FLAG));
	if (msg)
		sig = find_signal(msg, name);
	if (!sig)
		return skip_statement(c);
	for (;;) {
		struct cs_dbc_value_name *t;
		long long raw;
		char *text;

		skip_space(c);
		if (peek(c) == ';') {
			c->p++;
			break;
		}
		if (at_end(c)) {
			fail(c, "expected ';' at the end of VAL_");
			goto fail;
		}
		if (get_integer(c, &raw, INT64_MIN, INT64_MAX, "value"))
			goto fail;
		skip_space(c);
		if (get_string(c, &text))
			goto fail;
		t = realloc(vals, (n + 1) * sizeof(*vals));
		if (!t) {
			free(text);
			fail(c, "out of memory");
			goto fail;
		}
		vals = t;
		vals[n].raw = raw;
		vals[n].name = text;
		n++;
	}
	if (sig->values) {	/* a second VAL_ replaces the first */
		size_t i;

		for (i = 0; i < sig->nvalues; i++)
			free((void *)sig->values[i].name);
		free((void *)sig->values);
	}
	sig->values = vals;
	sig->nvalues = n;
	return 0;
fail:
	while (n--)
		free((void *)vals[n].name);
	free(vals);
	return -1;
}

/* CM_ BO_ 784 "text"; other comments are read over. */
static int parse_cm(struct cursor *c, struct cs_dbc *dbc)
{
	struct cs_dbc_message *msg;
	char kw[16];
	long long id;
	char *text;

	skip_space(c);
	if (peek(c) != 'B')
		return skip_statement(c);
	if (get_ident(c, kw, sizeof(kw), "object type"))
		return -1;
	if (strcmp(kw, "BO_"))
		return skip_statement(c);
	skip_space(c);
	if (get_integer(c, &id, 0, 0xffffffffLL, "message id"))
		return -1;
	skip_space(c);
	if (get_string(c, &text))
		return -1;
	msg = find_message(dbc, (uint32_t)id & ~CS_CAN_EFF_FLAG,
			   !!(id & CS_CAN_EFF_FLAG));
	if (msg) {
		free((void *)msg->comment);
		msg->comment = text;
	} else {
		free(text);
	}
	return skip_statement(c);
}

/* SIG_VALTYPE_ 784 Name : 1; */
static int parse_valtype(struct cursor *c, struct cs_dbc *dbc)
{
	struct cs_dbc_message *msg;
	struct cs_dbc_signal *sig = NULL;
	char name[128];
	long long id, type;
	const char *at;

	skip_blanks(c);
	at = c->p;
	if (get_integer(c, &id, 0, 0xffffffffLL, "message id"))
		return -1;
	skip_blanks(c);
	if (get_ident(c, name, sizeof(name), "signal name"))
		return -1;
	skip_blanks(c);
	if (peek(c) == ':')
		c->p++;
	if (get_integer(c, &type, 0, 2, "value type"))
		return -1;
	msg = find_message(dbc, (uint32_t)id & ~CS_CAN_EFF_FLAG,
			   !!(id & CS_CAN_EFF_FLAG));
	if (msg)
		sig = find_signal(msg, name);
	if (sig) {
		unsigned int want = type == 1 ? 32 : type == 2 ? 64 :
				    sig->length;

		if (sig->length != want) {
			fail_at(c, at, "signal %s is %u bits, its value type "
				"needs %u", name, sig->length, want);
			return -1;
		}
		sig->valtype = (enum cs_dbc_valtype)type;
	}
	return skip_statement(c);
}

/* Decimal digits (no sign: "1-3" is a range), up to 2^32 - 1. */
static int get_digits(struct cursor *c, long long *v)
{
	int n = 0;

	*v = 0;
	while (peek(c) >= '0' && peek(c) <= '9') {
		*v = *v * 10 + (*c->p++ - '0');
		if (*v > 0xffffffffLL) {
			fail(c, "multiplexor value out of range");
			return -1;
		}
		n++;
	}
	if (!n) {
		fail(c, "expected a multiplexor value");
		return -1;
	}
	return 0;
}

/* SG_MUL_VAL_ 100 Sig Selector 1-1, 3-5; */
static int parse_mulval(struct cursor *c, struct cs_dbc *dbc)
{
	struct cs_dbc_message *msg;
	struct cs_dbc_signal *sig, *sel;
	struct cs_dbc_mux_range *r = NULL, *t;
	struct mulval *mv;
	char name[128], selname[128];
	long long id, lo, hi;
	const char *at;
	size_t n = 0;

	skip_blanks(c);
	at = c->p;
	if (get_integer(c, &id, 0, 0xffffffffLL, "message id"))
		return -1;
	skip_blanks(c);
	if (get_ident(c, name, sizeof(name), "signal name"))
		return -1;
	skip_blanks(c);
	if (get_ident(c, selname, sizeof(selname), "multiplexor name"))
		return -1;
	msg = find_message(dbc, (uint32_t)id & ~CS_CAN_EFF_FLAG,
			   !!(id & CS_CAN_EFF_FLAG));
	sig = msg ? find_signal(msg, name) : NULL;
	sel = msg ? find_signal(msg, selname) : NULL;
	if (!sig || !sel) {
		fail_at(c, at, "SG_MUL_VAL_ %lld %s %s: no such message or "
			"signal", id, name, selname);
		return -1;
	}
	if (!sel->is_multiplexor || sig->mux != CS_DBC_MULTIPLEXED) {
		fail_at(c, at, "SG_MUL_VAL_: %s is not a multiplexor or %s "
			"not multiplexed", selname, name);
		return -1;
	}
	for (;;) {
		skip_blanks(c);
		if (peek(c) == ';' || peek(c) == '\n' || at_end(c))
			break;
		if (n && expect(c, ','))
			goto fail;
		skip_blanks(c);
		if (get_digits(c, &lo))
			goto fail;
		hi = lo;
		if (peek(c) == '-') {
			c->p++;
			if (get_digits(c, &hi))
				goto fail;
		}
		if (hi < lo) {
			fail(c, "multiplexor value range %lld-%lld is empty",
			     lo, hi);
			goto fail;
		}
		t = realloc(r, (n + 1) * sizeof(*r));
		if (!t) {
			fail(c, "out of memory");
			goto fail;
		}
		r = t;
		r[n].lo = (uint64_t)lo;
		r[n++].hi = (uint64_t)hi;
	}
	if (!n) {
		fail(c, "SG_MUL_VAL_ without a value range");
		return -1;
	}
	free((void *)sig->ranges);
	sig->ranges = r;
	sig->nranges = n;
	mv = realloc(dbc->mulvals, (dbc->nmulvals + 1) * sizeof(*mv));
	if (!mv) {
		fail(c, "out of memory");
		return -1;
	}
	dbc->mulvals = mv;
	mv[dbc->nmulvals].msg = (size_t)(msg - dbc->msgs);
	mv[dbc->nmulvals].sig = (size_t)(sig - msg->signals);
	mv[dbc->nmulvals++].sel = (size_t)(sel - msg->signals);
	return skip_statement(c);
fail:
	free(r);
	return -1;
}

/* BA_ "SystemMessageLongName" BO_ 100 "name"; and the signal's; other
 * attributes are read over. */
static int parse_ba(struct cursor *c, struct cs_dbc *dbc)
{
	struct cs_dbc_message *msg;
	struct cs_dbc_signal *sig = NULL;
	char *attr = NULL, *text = NULL, kw[8], name[128];
	long long id;
	int is_sig;

	skip_blanks(c);
	if (peek(c) != '"')
		return skip_statement(c);
	if (get_string(c, &attr))
		return -1;
	is_sig = !strcmp(attr, "SystemSignalLongName");
	if (!is_sig && strcmp(attr, "SystemMessageLongName")) {
		free(attr);
		return skip_statement(c);
	}
	free(attr);
	skip_blanks(c);
	if (get_ident(c, kw, sizeof(kw), "object type (BO_, SG_)"))
		return -1;
	if (strcmp(kw, is_sig ? "SG_" : "BO_"))
		return skip_statement(c);
	if (get_integer(c, &id, 0, 0xffffffffLL, "message id"))
		return -1;
	if (is_sig) {
		skip_blanks(c);
		if (get_ident(c, name, sizeof(name), "signal name"))
			return -1;
	}
	skip_blanks(c);
	if (get_string(c, &text))
		return -1;
	msg = find_message(dbc, (uint32_t)id & ~CS_CAN_EFF_FLAG,
			   !!(id & CS_CAN_EFF_FLAG));
	if (msg && is_sig)
		sig = find_signal(msg, name);
	if (sig) {
		free((void *)sig->long_name);
		sig->long_name = text;
	} else if (msg && !is_sig) {
		free((void *)msg->long_name);
		msg->long_name = text;
	} else {
		free(text);
	}
	return skip_statement(c);
}

/* Statements we read over whole (up to ';'), and line-only keywords. */
static const char *const skipped_statements[] = {
	"BA_DEF_", "BA_DEF_DEF_", "BA_DEF_REL_", "BA_REL_",
	"BA_DEF_DEF_REL_", "BA_DEF_SGTYPE_", "BA_SGTYPE_", "VAL_TABLE_",
	"BO_TX_BU_", "EV_", "ENVVAR_DATA_", "SGTYPE_", "SGTYPE_VAL_",
	"SIG_GROUP_", "SIG_TYPE_REF_", "SIGTYPE_VALTYPE_",
	"CAT_DEF_", "CAT_", "FILTER", "EV_DATA_", "BU_EV_REL_",
	"BU_BO_REL_", "BU_SG_REL_", NULL,
};

static const char *const skipped_lines[] = {
	"VERSION", "BS_", "BU_", NULL,
};

static int in_list(const char *const *list, const char *kw)
{
	for (; *list; list++)
		if (!strcmp(*list, kw))
			return 1;
	return 0;
}

static void free_message(struct cs_dbc_message *msg)
{
	size_t i, j;

	for (i = 0; i < msg->nsignals; i++) {
		const struct cs_dbc_signal *s = &msg->signals[i];

		for (j = 0; j < s->nvalues; j++)
			free((void *)s->values[j].name);
		free((void *)s->values);
		free((void *)s->name);
		free((void *)s->unit);
		free((void *)s->ranges);
		free((void *)s->long_name);
	}
	free((void *)msg->signals);
	free((void *)msg->name);
	free((void *)msg->long_name);
	free((void *)msg->comment);
}

void cs_dbc_destroy(struct cs_dbc *dbc)
{
	size_t i;

	if (!dbc)
		return;
	for (i = 0; i < dbc->nmsgs; i++)
		free_message(&dbc->msgs[i]);
	free(dbc->msgs);
	free(dbc->mulvals);
	free(dbc);
}

static int parse(struct cursor *c, struct cs_dbc *dbc)
{
	int in_ns = 0;

	while (!at_end(c)) {
		char kw[32];
		const char *kw_at;
		int indented;

		indented = c->p < c->end && (*c->p == ' ' || *c->p == '\t');
		skip_blanks(c);
		if (at_end(c))
			break;
		if (*c->p == '\n') {
			newline(c);
			in_ns = 0;
			continue;
		}
		if (*c->p == '\0') {
			fail(c, "NUL byte");
			return -1;
		}
		kw_at = c->p;
		if (c->p + 1 < c->end && c->p[0] == '/' && c->p[1] == '/') {
			skip_line(c);	/* a // comment, as some tools write */
			if (peek(c) == '\n')
				newline(c);
			continue;
		}
		if (get_ident(c, kw, sizeof(kw), "a keyword (BO_, SG_, ...)"))
			return -1;
		if (in_ns && indented && strcmp(kw, "SG_")) {
			skip_line(c);	/* NS_ lists keyword names */
			if (peek(c) == '\n')
				newline(c);
			continue;
		}
		in_ns = 0;
		if (!strcmp(kw, "BO_")) {
			if (parse_bo(c, dbc))
				return -1;
		} else if (!strcmp(kw, "SG_")) {
			if (parse_sg(c, dbc, kw_at))
				return -1;
		} else if (!strcmp(kw, "VAL_")) {
			if (parse_val(c, dbc))
				return -1;
		} else if (!strcmp(kw, "CM_")) {
			if (parse_cm(c, dbc))
				return -1;
		} else if (!strcmp(kw, "SIG_VALTYPE_")) {
			if (parse_valtype(c, dbc))
				return -1;
		} else if (!strcmp(kw, "SG_MUL_VAL_")) {
			if (parse_mulval(c, dbc))
				return -1;
		} else if (!strcmp(kw, "BA_")) {
			if (parse_ba(c, dbc))
				return -1;
		} else if (!strcmp(kw, "NS_")) {
			in_ns = 1;
			skip_line(c);
		} else if (in_list(skipped_lines, kw)) {
			skip_line(c);
		} else if (in_list(skipped_statements, kw)) {
			if (skip_statement(c))
				return -1;
		} else {
			fail_at(c, kw_at, "unknown keyword '%s'", kw);
			return -1;
		}
		/* After a statement: its line end, or (as in "BA_ ...;
		 * BA_ ...;") the next statement on the same line. */
		skip_blanks(c);
		if (peek(c) == ';') {
			c->p++;
			skip_blanks(c);
		}
		if (peek(c) == '\n')
			newline(c);
	}
	return 0;
}

/* Bits of @sig in a frame of @len bytes, as a mask. */
static void signal_bits(const struct cs_dbc_signal *sig, uint8_t *mask,
			size_t len)
{
	memset(mask, 0, len);
	cs_dbc_signal_set_raw(sig, mask, len, ~(uint64_t)0);
}

static int ranges_meet(const struct cs_dbc_signal *a,
		       const struct cs_dbc_signal *b)
{
	size_t i, j;

	for (i = 0; i < a->nranges; i++)
		for (j = 0; j < b->nranges; j++)
			if (a->ranges[i].lo <= b->ranges[j].hi &&
			    b->ranges[j].lo <=
			    a->ranges[i].hi)
				return 1;
	return 0;
}

/* Can @a and @b be in one frame? Not when, up their chains of
 * multiplexors, one multiplexor selects each at values that never meet. */
static int may_meet(const struct cs_dbc_signal *a,
		    const struct cs_dbc_signal *b)
{
	const struct cs_dbc_signal *x, *y;
	int i, j;

	for (x = a, i = 0; x && x->mux == CS_DBC_MULTIPLEXED && i < 9;
	     x = x->selector, i++)
		for (y = b, j = 0; y && y->mux == CS_DBC_MULTIPLEXED &&
		     j < 9; y = y->selector, j++)
			if (x->selector == y->selector && !ranges_meet(x, y))
				return 0;
	return 1;
}

static int check_overlaps(struct cursor *c, const struct cs_dbc_message *m)
{
	uint8_t *masks;
	size_t i, j, k, len = m->dlc ? m->dlc : 1;

	if (m->nsignals < 2)
		return 0;
	masks = calloc(m->nsignals, len);
	if (!masks) {
		fail(c, "out of memory");
		return -1;
	}
	for (i = 0; i < m->nsignals; i++)
		signal_bits(&m->signals[i], masks + i * len, len);
	for (i = 0; i < m->nsignals; i++)
		for (j = i + 1; j < m->nsignals; j++) {
			const struct cs_dbc_signal *a = &m->signals[i],
						   *b = &m->signals[j];

			for (k = 0; k < len; k++)
				if (masks[i * len + k] & masks[j * len + k])
					break;
			if (k == len || !may_meet(a, b))
				continue;
			c->failed = 0;
			fail_at(c, c->p, "signals %s and %s of %s overlap "
				"(byte %zu)", a->name, b->name, m->name, k);
			free(masks);
			return -1;
		}
	free(masks);
	return 0;
}

/* Multiplexors (pointers, once the signal arrays stop moving), the
 * pseudo-message left out, overlaps refused. */
static int finish(struct cursor *c, struct cs_dbc *dbc)
{
	size_t i, j;

	for (i = 0; i < dbc->nmsgs; i++) {
		struct cs_dbc_message *m = &dbc->msgs[i];
		struct cs_dbc_signal *sigs = (struct cs_dbc_signal *)
					     m->signals;
		int muxed = 0;

		m->multiplexor = NULL;
		for (j = 0; j < m->nsignals; j++) {
			if (sigs[j].mux == CS_DBC_MULTIPLEXOR)
				m->multiplexor = &sigs[j];
			if (sigs[j].mux == CS_DBC_MULTIPLEXED)
				muxed = 1;
		}
		if (muxed && !m->multiplexor) {
			c->failed = 0;
			fail_at(c, c->p, "message %s has multiplexed signals "
				"but no multiplexor (M)", m->name);
			return -1;
		}
		for (j = 0; j < m->nsignals; j++) {
			struct cs_dbc_mux_range *r;

			sigs[j].selector = NULL;
			if (sigs[j].mux != CS_DBC_MULTIPLEXED)
				continue;
			sigs[j].selector = m->multiplexor;
			if (sigs[j].nranges)
				continue;
			r = malloc(sizeof(*r));
			if (!r) {
				fail(c, "out of memory");
				return -1;
			}
			r->lo = r->hi = sigs[j].mux_value;
			sigs[j].ranges = r;
			sigs[j].nranges = 1;
		}
	}
	for (i = 0; i < dbc->nmulvals; i++) {
		const struct mulval *mv = &dbc->mulvals[i];
		struct cs_dbc_message *m = &dbc->msgs[mv->msg];
		struct cs_dbc_signal *sigs = (struct cs_dbc_signal *)
					     m->signals;

		sigs[mv->sig].selector = &sigs[mv->sel];
	}
	for (i = 0; i < dbc->nmsgs; i++) {
		const struct cs_dbc_message *m = &dbc->msgs[i];

		for (j = 0; j < m->nsignals; j++) {
			const struct cs_dbc_signal *s = &m->signals[j];
			int depth = 0;

			while (s && s->mux == CS_DBC_MULTIPLEXED && depth < 9) {
				s = s->selector;
				depth++;
			}
			if (depth >= 9) {
				c->failed = 0;
				fail_at(c, c->p, "signal %s of %s: its "
					"multiplexors select each other",
					m->signals[j].name, m->name);
				return -1;
			}
		}
	}
	/* Signals of no frame: read, then left out. */
	for (i = 0; i < dbc->nmsgs; ) {
		if (strcmp(dbc->msgs[i].name, INDEPENDENT_SIG_MSG)) {
			i++;
			continue;
		}
		free_message(&dbc->msgs[i]);
		memmove(&dbc->msgs[i], &dbc->msgs[i + 1],
			(dbc->nmsgs - i - 1) * sizeof(*dbc->msgs));
		dbc->nmsgs--;
	}
	for (i = 0; i < dbc->nmsgs; i++)
		if (check_overlaps(c, &dbc->msgs[i]))
			return -1;
	return 0;
}

struct cs_dbc *cs_dbc_create(const char *text, size_t len,
			     struct cs_can_error *err)
{
	struct cs_dbc *dbc;
	struct cursor c;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!text) {
		errno = EINVAL;
		return NULL;
	}
	dbc = calloc(1, sizeof(*dbc));
	if (!dbc)
		return NULL;
	memset(&c, 0, sizeof(c));
	c.p = c.line_start = text;
	c.end = text + len;
	c.line = 1;
	c.err = err;
	/* A UTF-8 byte order mark, as some Windows tools write. */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		c.p = c.line_start = text + 3;
	if (parse(&c, dbc) || finish(&c, dbc)) {
		int oom = err && !strcmp(err->why, "out of memory");

		cs_dbc_destroy(dbc);
		errno = oom ? ENOMEM : EBADMSG;
		return NULL;
	}
	return dbc;
}

/* a DBC or a map of a whole vehicle is a few MiB: far more is no such file */
#define TEXT_FILE_MAX (64u << 20)

static char *slurp(const char *path, size_t *len, struct cs_can_error *err)
{
	char *buf = cs_file_read(path, TEXT_FILE_MAX, len);
	int e = errno;

	if (!buf && err) {
		if (e == EFBIG)
			snprintf(err->why, sizeof(err->why),
				 "larger than %u MiB", TEXT_FILE_MAX >> 20);
		else
			snprintf(err->why, sizeof(err->why), "%s",
				 strerror(e));
	}
	errno = e;
	return buf;
}

char *cs_can_read_text(const char *path, size_t *len,
		       struct cs_can_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
	return slurp(path, len, err);
}

struct cs_dbc *cs_dbc_create_from_file(const char *path,
				       struct cs_can_error *err)
{
	struct cs_dbc *dbc;
	size_t len;
	char *text;
	int e;

	if (!path) {
		errno = EINVAL;
		return NULL;
	}
	text = cs_can_read_text(path, &len, err);
	if (!text)
		return NULL;
	dbc = cs_dbc_create(text, len, err);
	e = errno;
	free(text);
	errno = e;
	return dbc;
}

size_t cs_dbc_message_count(const struct cs_dbc *dbc)
{
	return dbc ? dbc->nmsgs : 0;
}

const struct cs_dbc_message *cs_dbc_message_at(const struct cs_dbc *dbc,
						size_t i)
{
	return dbc && i < dbc->nmsgs ? &dbc->msgs[i] : NULL;
}

const struct cs_dbc_message *cs_dbc_message_by_id(const struct cs_dbc *dbc,
						   uint32_t id, int extended)
{
	if (!dbc)
		return NULL;
	return find_message((struct cs_dbc *)dbc, id, !!extended);
}

const struct cs_dbc_message *cs_dbc_message_by_name(const struct cs_dbc *dbc,
						     const char *name)
{
	size_t i;

	if (!dbc || !name)
		return NULL;
	for (i = 0; i < dbc->nmsgs; i++)
		if (!strcmp(dbc->msgs[i].name, name) ||
		    (dbc->msgs[i].long_name &&
		     !strcmp(dbc->msgs[i].long_name, name)))
			return &dbc->msgs[i];
	return NULL;
}

const struct cs_dbc_signal *cs_dbc_signal_by_name(
	const struct cs_dbc_message *msg, const char *name)
{
	const struct cs_dbc_signal *s;
	size_t i;

	if (!msg || !name)
		return NULL;
	s = find_signal((struct cs_dbc_message *)msg, name);
	for (i = 0; !s && i < msg->nsignals; i++)
		if (msg->signals[i].long_name &&
		    !strcmp(msg->signals[i].long_name, name))
			s = &msg->signals[i];
	return s;
}

/* ---------------------------------------------------------------------
 * Bit packing. Intel: bit i of the raw value is at start + i, counting
 * bits LSB first within bytes, bytes in order. Motorola: the MSB is at
 * start; each next bit is one lower in the same byte, or bit 7 of the
 * next byte after bit 0 (DBC's "sawtooth" numbering).
 */
/*
 * The bits of a signal byte by byte: @fn is called with each byte's index,
 * the lowest bit of the byte the piece takes, its width, and the position
 * of its lowest bit in the raw value. Intel pieces go up from the start
 * bit; Motorola pieces go down from the MSB at the start bit, then on to
 * bit 7 of the next byte.
 */
struct piece {
	unsigned int byte, shift, width, at;
};

static unsigned int pieces(const struct cs_dbc_signal *sig,
			   struct piece *p)
{
	unsigned int n = 0, left = sig->length, pos = sig->start;

	if (!sig->big_endian) {
		unsigned int at = 0;

		while (left) {
			unsigned int off = pos % 8, w = 8 - off;

			if (w > left)
				w = left;
			p[n++] = (struct piece){ pos / 8, off, w, at };
			at += w;
			left -= w;
			pos += w;
		}
		return n;
	}
	while (left) {
		unsigned int off = pos % 8, w = off + 1;

		if (w > left)
			w = left;
		p[n++] = (struct piece){ pos / 8, off + 1 - w, w, left - w };
		left -= w;
		pos = (pos / 8 + 1) * 8 + 7;
	}
	return n;
}

int cs_dbc_signal_get_raw(const struct cs_dbc_signal *sig,
			  const uint8_t *data, size_t len, uint64_t *raw)
{
	struct piece p[10];
	uint64_t v = 0;
	unsigned int i, n;

	if (!sig || !data || !raw || !signal_fits(sig, len))
		return -EINVAL;
	n = pieces(sig, p);
	for (i = 0; i < n; i++)
		v |= (uint64_t)((data[p[i].byte] >> p[i].shift) &
				((1u << p[i].width) - 1)) << p[i].at;
	if (sig->is_signed && sig->length < 64 &&
	    (v >> (sig->length - 1) & 1))
		v |= ~(uint64_t)0 << sig->length;
	*raw = v;
	return 0;
}

int cs_dbc_signal_set_raw(const struct cs_dbc_signal *sig, uint8_t *data,
			  size_t len, uint64_t raw)
{
	struct piece p[10];
	unsigned int i, n;

	if (!sig || !data || !signal_fits(sig, len))
		return -EINVAL;
	n = pieces(sig, p);
	for (i = 0; i < n; i++) {
		unsigned int mask = ((1u << p[i].width) - 1) << p[i].shift;
		unsigned int bits = (unsigned int)(raw >> p[i].at) << p[i].shift;

		data[p[i].byte] = (uint8_t)((data[p[i].byte] & ~mask) |
					    (bits & mask));
	}
	return 0;
}

static int has_range(const struct cs_dbc_signal *sig)
{
	return sig->min < sig->max;
}

/* The raw value that stands for "not available". */
static uint64_t na_raw(const struct cs_dbc_signal *sig)
{
	if (sig->is_signed)
		return ~(uint64_t)0 << (sig->length - 1);
	return sig->length == 64 ? ~(uint64_t)0 :
	       ((uint64_t)1 << sig->length) - 1;
}

static double raw_to_phys(const struct cs_dbc_signal *sig, uint64_t raw)
{
	double r;

	if (sig->valtype == CS_DBC_FLOAT32) {
		uint32_t u = (uint32_t)raw;
		float f;

		memcpy(&f, &u, sizeof(f));
		r = f;
	} else if (sig->valtype == CS_DBC_FLOAT64) {
		memcpy(&r, &raw, sizeof(r));
	} else if (sig->is_signed) {
		r = (double)(int64_t)raw;
	} else {
		r = (double)raw;
	}
	return r * sig->factor + sig->offset;
}

/* Is the "not available" raw value free, i.e. outside [min, max]? */
static int na_usable(const struct cs_dbc_signal *sig)
{
	double phys;

	if (sig->valtype != CS_DBC_INTEGER || !has_range(sig))
		return 0;
	phys = raw_to_phys(sig, na_raw(sig));
	return phys < sig->min || phys > sig->max;
}

/* 2^@n, exactly, for 0 <= @n <= 64 (ldexp() was a tenth of checking a
 * record against its signals). */
static double pow2(unsigned int n)
{
	return n < 64 ? (double)((uint64_t)1 << n) : 18446744073709551616.0;
}

/* round(): halves away from zero, without the call for the usual case
 * (below 2^52, where @r less its truncation is exact). -0 may come out as
 * 0, which converts and compares alike. */
static double round_half_away(double r)
{
	double t;

	if (!(fabs(r) < 4503599627370496.0))
		return round(r);
	t = (double)(int64_t)r;
	if (r - t >= 0.5)
		t += 1;
	else if (r - t <= -0.5)
		t -= 1;
	return t;
}

int cs_dbc_signal_raw(const struct cs_dbc_signal *sig, size_t len,
		      double value, uint64_t *rawp)
{
	int flags = 0, na;
	double r, lo, hi;
	uint64_t raw, hi_raw;

	if (!sig || !signal_fits(sig, len))
		return -EINVAL;
	if (isnan(value)) {
		if (sig->valtype == CS_DBC_FLOAT32) {
			float f = NAN;
			uint32_t u;

			memcpy(&u, &f, sizeof(u));
			*rawp = u;
			return 0;
		}
		if (sig->valtype == CS_DBC_FLOAT64) {
			memcpy(rawp, &value, sizeof(*rawp));
			return 0;
		}
		if (!na_usable(sig))
			return -EDOM;
		*rawp = na_raw(sig);
		return 0;
	}
	if (has_range(sig)) {
		if (value < sig->min) {
			value = sig->min;
			flags |= CS_CAN_CLAMPED;
		} else if (value > sig->max) {
			value = sig->max;
			flags |= CS_CAN_CLAMPED;
		}
	}
	r = (value - sig->offset) / sig->factor;
	if (sig->valtype == CS_DBC_FLOAT32) {
		float f = (float)r;
		uint32_t u;

		memcpy(&u, &f, sizeof(u));
		*rawp = u;
		return flags;
	}
	if (sig->valtype == CS_DBC_FLOAT64) {
		memcpy(rawp, &r, sizeof(*rawp));
		return flags;
	}
	r = round_half_away(r);
	/* What the raw bits hold, as integers: a 2^L - 1 or 2^(L-1) - 1 in
	 * double rounds up to the power of two past 53 bits, and that power
	 * of two written into L bits would wrap (to 0, or to the sign). */
	if (sig->is_signed) {
		hi_raw = sig->length == 64 ? (uint64_t)INT64_MAX :
			 ((uint64_t)1 << (sig->length - 1)) - 1;
		lo = -pow2(sig->length - 1);
		hi = pow2(sig->length - 1);	/* excluded */
	} else {
		hi_raw = sig->length == 64 ? UINT64_MAX :
			 ((uint64_t)1 << sig->length) - 1;
		lo = 0;
		hi = pow2(sig->length);		/* excluded */
	}
	/* Keep the "not available" code free when it is in use. */
	na = na_usable(sig);
	if (na && sig->is_signed)
		lo += 1;
	else if (na)
		hi_raw -= 1;
	if (r < lo) {
		r = lo;
		flags |= CS_CAN_CLAMPED;
	}
	if (r >= hi) {
		raw = hi_raw;
		flags |= CS_CAN_CLAMPED;
	} else if (sig->is_signed) {
		raw = (uint64_t)(int64_t)r;	/* -2^63 converts exactly */
	} else {
		raw = (uint64_t)r;
		if (raw > hi_raw) {	/* the free NA code, hit exactly */
			raw = hi_raw;
			flags |= CS_CAN_CLAMPED;
		}
	}
	if (sig->is_signed && !(r >= hi) && na && raw == na_raw(sig)) {
		raw++;
		flags |= CS_CAN_CLAMPED;
	}
	*rawp = raw;
	return flags;
}

int cs_dbc_signal_plain(const struct cs_dbc_signal *sig, size_t len,
			struct cs_dbc_plain *plain)
{
	const double top = 4503599627370496.0;	/* 2^52: all exact */
	double lo, hi;

	plain->ok = 0;
	if (!sig || !signal_fits(sig, len) ||
	    sig->valtype != CS_DBC_INTEGER)
		return 0;
	/* the raw values cs_dbc_signal_raw() takes as they are: not below
	 * the lowest, nor above the highest, nor the free NA code */
	if (sig->is_signed) {
		lo = -pow2(sig->length - 1);
		hi = pow2(sig->length - 1) - 1;
		if (na_usable(sig))
			lo += 1;
	} else {
		lo = 0;
		hi = pow2(sig->length) - 1;
		if (na_usable(sig))
			hi -= 1;
	}
	plain->lo = lo < -top ? -top : lo;
	plain->hi = hi > top ? top : hi;
	plain->ok = plain->lo <= plain->hi;
	return plain->ok;
}

int cs_dbc_signal_encode(const struct cs_dbc_signal *sig, uint8_t *data,
			 size_t len, double value)
{
	uint64_t raw;
	int ret;

	if (!sig || !data)
		return -EINVAL;
	ret = cs_dbc_signal_raw(sig, len, value, &raw);
	if (ret < 0)
		return ret;
	cs_dbc_signal_set_raw(sig, data, len, raw);
	return ret;
}

int cs_dbc_signal_decode(const struct cs_dbc_signal *sig,
			 const uint8_t *data, size_t len, double *value)
{
	uint64_t raw;
	int ret;

	if (!value)
		return -EINVAL;
	ret = cs_dbc_signal_get_raw(sig, data, len, &raw);
	if (ret)
		return ret;
	if (sig->valtype == CS_DBC_INTEGER && raw == na_raw(sig) &&
	    na_usable(sig))
		*value = NAN;
	else
		*value = raw_to_phys(sig, raw);
	return 0;
}

int cs_dbc_signal_present(const struct cs_dbc_message *msg,
			  const struct cs_dbc_signal *sig,
			  const uint8_t *data, size_t len)
{
	int depth;

	if (!msg || !sig)
		return -EINVAL;
	/* each multiplexor up the chain at a value that selects */
	for (depth = 0; sig->mux == CS_DBC_MULTIPLEXED; depth++) {
		const struct cs_dbc_signal *sel = sig->selector;
		uint64_t raw;
		size_t i;

		if (!sel || depth > 8 ||
		    cs_dbc_signal_get_raw(sel, data, len, &raw))
			return -EINVAL;
		for (i = 0; i < sig->nranges; i++)
			if (raw >= sig->ranges[i].lo &&
			    raw <= sig->ranges[i].hi)
				break;
		if (i == sig->nranges)
			return 0;
		sig = sel;
	}
	return 1;
}

const char *cs_dbc_value_name(const struct cs_dbc_signal *sig, int64_t raw)
{
	size_t i;

	if (!sig)
		return NULL;
	for (i = 0; i < sig->nvalues; i++)
		if (sig->values[i].raw == raw)
			return sig->values[i].name;
	return NULL;
}

int cs_dbc_value_lookup(const struct cs_dbc_signal *sig, const char *name,
			int64_t *raw)
{
	size_t i;

	if (!sig || !name || !raw)
		return -EINVAL;
	for (i = 0; i < sig->nvalues; i++)
		if (!strcmp(sig->values[i].name, name)) {
			*raw = sig->values[i].raw;
			return 0;
		}
	return -ENOENT;
}
