// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Calibration of Bragg gratings to temperature, strain and pressure, with
 * first-order propagation of the wavelength noise and of the calibration's
 * own uncertainties. The file format is in cellsense-fbgcal(5).
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

#define MAX_ENTRIES 256

struct cs_fbgcal {
	unsigned int n;
	struct cs_fbgcal_entry e[MAX_ENTRIES];
	unsigned long line[MAX_ENTRIES];	/* where each entry was */
};

const char *cs_fbgcal_quantity(enum cs_fbgcal_kind kind)
{
	return kind == CS_FBGCAL_TEMPERATURE ? "temperature" :
	       kind == CS_FBGCAL_STRAIN ? "strain" : "pressure";
}

const char *cs_fbgcal_unit(enum cs_fbgcal_kind kind)
{
	return kind == CS_FBGCAL_TEMPERATURE ? "degC" :
	       kind == CS_FBGCAL_STRAIN ? "ustrain" : "kPa";
}

static int set_name(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	if (!len || len >= size)
		return -1;
	memcpy(dst, src, len + 1);
	return 0;
}

static int number(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return end == s || *end || errno || !isfinite(*v) ? -1 : 0;
}

/* One key=value; "" when fine, else why not. */
static const char *set_key(struct cs_fbgcal_entry *e, char *kv, unsigned *seen)
{
	static const struct {
		const char *key;
		size_t off;
		unsigned int bit;
	} keys[] = {
		{ "lambda0", offsetof(struct cs_fbgcal_entry, lambda0), 1 },
		{ "t0", offsetof(struct cs_fbgcal_entry, t0), 2 },
		{ "s1", offsetof(struct cs_fbgcal_entry, s1), 4 },
		{ "s2", offsetof(struct cs_fbgcal_entry, s2), 8 },
		{ "ke", offsetof(struct cs_fbgcal_entry, k), 16 },
		{ "kp", offsetof(struct cs_fbgcal_entry, k), 16 },
		{ "kt", offsetof(struct cs_fbgcal_entry, kt), 32 },
		{ "u_lambda0", offsetof(struct cs_fbgcal_entry, u_lambda0), 0 },
		{ "u_s1", offsetof(struct cs_fbgcal_entry, u_s1), 0 },
		{ "u_s2", offsetof(struct cs_fbgcal_entry, u_s2), 0 },
		{ "u_ke", offsetof(struct cs_fbgcal_entry, u_k), 0 },
		{ "u_kp", offsetof(struct cs_fbgcal_entry, u_k), 0 },
		{ "u_kt", offsetof(struct cs_fbgcal_entry, u_kt), 0 },
	};
	char *eq = strchr(kv, '=');

	if (!eq)
		return "expected key=value";
	*eq++ = '\0';
	if (!strcmp(kv, "comp"))
		return set_name(e->comp, sizeof(e->comp), eq) ?
		       "comp= needs a grating name" : "";
	if (!strcmp(kv, "source"))
		return set_name(e->source, sizeof(e->source), eq) ?
		       "source= empty or too long" : "";
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		double v;

		if (strcmp(kv, keys[i].key))
			continue;
		if (number(eq, &v))
			return "value is not a number";
		if (!strncmp(kv, "u_", 2) && v < 0.0)
			return "an uncertainty cannot be negative";
		*(double *)((char *)e + keys[i].off) = v;
		*seen |= keys[i].bit;
		return "";
	}
	return "unknown key";
}

struct cs_fbgcal *cs_fbgcal_create(const char *text, unsigned long *line,
				   const char **why)
{
	struct cs_fbgcal *c;
	const char *p = text;
	unsigned long lineno = 0;

#define FAIL(msg)                        \
	do {                             \
		if (line)                \
			*line = lineno;  \
		if (why)                 \
			*why = (msg);    \
		free(c);                 \
		errno = EINVAL;          \
		return NULL;             \
	} while (0)

	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (!text)
		FAIL("no text");
	while (*p) {
		char buf[512], *tok, *save = NULL;
		size_t len = strcspn(p, "\n");
		struct cs_fbgcal_entry *e;
		unsigned int seen = 0;
		const char *err;

		lineno++;
		if (len >= sizeof(buf))
			FAIL("line too long");
		memcpy(buf, p, len);
		buf[len] = '\0';
		p += len + (p[len] == '\n');
		buf[strcspn(buf, "#\r")] = '\0';
		tok = strtok_r(buf, " \t", &save);
		if (!tok)
			continue;
		if (c->n >= MAX_ENTRIES)
			FAIL("too many gratings");
		e = &c->e[c->n];
		memset(e, 0, sizeof(*e));
		e->t0 = 25.0;
		if (set_name(e->grating, sizeof(e->grating), tok))
			FAIL("grating name too long");
		if (cs_fbgcal_find(c, tok))
			FAIL("grating calibrated twice");
		tok = strtok_r(NULL, " \t", &save);
		if (!tok)
			FAIL("expected a quantity: temperature, strain or pressure");
		if (!strcmp(tok, "temperature"))
			e->kind = CS_FBGCAL_TEMPERATURE;
		else if (!strcmp(tok, "strain"))
			e->kind = CS_FBGCAL_STRAIN;
		else if (!strcmp(tok, "pressure"))
			e->kind = CS_FBGCAL_PRESSURE;
		else
			FAIL("unknown quantity (temperature, strain, pressure)");
		while ((tok = strtok_r(NULL, " \t", &save))) {
			err = set_key(e, tok, &seen);
			if (*err)
				FAIL(err);
		}
		if (!(seen & 1))
			FAIL("lambda0= missing");
		if (e->kind == CS_FBGCAL_TEMPERATURE && (!(seen & 4) || e->s1 == 0))
			FAIL("a temperature grating needs s1= (nm/K), not 0");
		if (e->kind != CS_FBGCAL_TEMPERATURE && (!(seen & 16) || e->k == 0))
			FAIL(e->kind == CS_FBGCAL_STRAIN ?
			     "a strain grating needs ke= (nm/ustrain), not 0" :
			     "a pressure grating needs kp= (nm/kPa), not 0");
		c->line[c->n++] = lineno;
	}
	/* compensating gratings must be temperature gratings we know */
	for (unsigned int i = 0; i < c->n; i++) {
		const struct cs_fbgcal_entry *r;

		if (!c->e[i].comp[0])
			continue;
		r = cs_fbgcal_find(c, c->e[i].comp);
		if (!r || r->kind != CS_FBGCAL_TEMPERATURE) {
			lineno = c->line[i];	/* the entry that names it */
			FAIL("comp= names no temperature grating of this file");
		}
	}
#undef FAIL
	return c;
}

void cs_fbgcal_destroy(struct cs_fbgcal *c)
{
	free(c);
}

unsigned int cs_fbgcal_count(const struct cs_fbgcal *c)
{
	return c ? c->n : 0;
}

const struct cs_fbgcal_entry *cs_fbgcal_entry(const struct cs_fbgcal *c,
					      unsigned int i)
{
	return c && i < c->n ? &c->e[i] : NULL;
}

const struct cs_fbgcal_entry *cs_fbgcal_find(const struct cs_fbgcal *c,
					     const char *grating)
{
	for (unsigned int i = 0; c && grating && i < c->n; i++)
		if (!strcmp(c->e[i].grating, grating))
			return &c->e[i];
	return NULL;
}

int cs_fbgcal_apply(const struct cs_fbgcal_entry *e, double nm, double u_nm,
		    double t, double u_t, double *value, double *u)
{
	double dl, v, var;

	if (!e || !value || !u || !isfinite(nm))
		return -EDOM;
	if (!isfinite(u_nm))
		u_nm = 0.0;
	dl = nm - e->lambda0;
	if (e->kind == CS_FBGCAL_TEMPERATURE) {
		double disc = e->s1 * e->s1 + 4.0 * e->s2 * dl, dt, d;

		if (disc < 0.0)
			return -EDOM;
		/* the root near dl/s1, in the form that does not cancel */
		dt = 2.0 * dl / (e->s1 + copysign(sqrt(disc), e->s1));
		d = e->s1 + 2.0 * e->s2 * dt;	/* d(lambda)/dT */
		if (d == 0.0)
			return -EDOM;
		var = (u_nm * u_nm + e->u_lambda0 * e->u_lambda0) / (d * d) +
		      pow(dt * e->u_s1 / d, 2) + pow(dt * dt * e->u_s2 / d, 2);
		v = e->t0 + dt;
	} else {
		double dT = 0.0, ut = 0.0;

		if (e->comp[0] && isfinite(t)) {
			dT = t - e->t0;
			ut = isfinite(u_t) ? u_t : 0.0;
		} else if (e->comp[0]) {
			return -EDOM;	/* its compensation is missing */
		}
		v = (dl - e->kt * dT) / e->k;
		var = (u_nm * u_nm + e->u_lambda0 * e->u_lambda0 +
		       pow(e->kt * ut, 2) + pow(dT * e->u_kt, 2)) /
			      (e->k * e->k) +
		      pow(v * e->u_k / e->k, 2);
	}
	*value = v;
	*u = sqrt(var);
	return 0;
}
