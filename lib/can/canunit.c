// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Units of records and DBC signals: names compared after normalising their
 * encoding (CP1252 or UTF-8 degree and micro signs, Greek mu and epsilon,
 * the ohm sign) and their aliases (ue, ustrain, um/m; degC, deg C), and
 * conversion between units of one kind of quantity through SI prefixes
 * (V and mV, A and mA, Ah and mAh, kPa and bar, K and degC, ...).
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "cellsense-can.h"

/* Kinds of quantity: a value converts only within its kind. */
enum kind {
	K_NONE = 1, K_PERCENT, K_VOLT, K_AMP, K_CHARGE, K_POWER, K_ENERGY,
	K_OHM, K_TIME, K_FREQ, K_PRESSURE, K_LENGTH, K_TEMP, K_STRAIN,
	K_DECIBEL, K_DB_AE, K_V2S, K_COUNT2, K_COUNT2S,
};

struct unit {
	const char *name;	/* normalised spelling, as records write it */
	enum kind kind;
	double factor, offset;	/* in the kind's base: v * factor + offset */
	int prefixes;		/* SI prefixes may stand before it */
};

static const struct unit units[] = {
	{ "1", K_NONE, 1, 0, 0 },
	{ "%", K_PERCENT, 1, 0, 0 },
	{ "V", K_VOLT, 1, 0, 1 },
	{ "A", K_AMP, 1, 0, 1 },
	{ "Ah", K_CHARGE, 3600, 0, 1 },
	{ "As", K_CHARGE, 1, 0, 1 },
	{ "W", K_POWER, 1, 0, 1 },
	{ "Wh", K_ENERGY, 3600, 0, 1 },
	{ "J", K_ENERGY, 1, 0, 1 },
	{ "Ohm", K_OHM, 1, 0, 1 },
	{ "s", K_TIME, 1, 0, 1 },
	{ "min", K_TIME, 60, 0, 0 },
	{ "h", K_TIME, 3600, 0, 0 },
	{ "Hz", K_FREQ, 1, 0, 1 },
	{ "Pa", K_PRESSURE, 1, 0, 1 },
	{ "bar", K_PRESSURE, 1e5, 0, 1 },
	{ "psi", K_PRESSURE, 6894.757293168361, 0, 0 },
	{ "m", K_LENGTH, 1, 0, 1 },
	{ "K", K_TEMP, 1, 0, 0 },
	{ "degC", K_TEMP, 1, 273.15, 0 },
	{ "degF", K_TEMP, 5.0 / 9, 273.15 - 32 * 5.0 / 9, 0 },
	{ "strain", K_STRAIN, 1, 0, 1 },
	{ "dB", K_DECIBEL, 1, 0, 0 },
	/* acoustic emission: dB_AE is re 1 uV at the sensor, a dB re 1
	 * count is not (only the digitiser's scale relates them); eu is
	 * 1e-14 V^2 s, count2.s the digitiser's counts squared over time */
	{ "dB_AE", K_DB_AE, 1, 0, 0 },
	{ "V2s", K_V2S, 1, 0, 0 },
	{ "eu", K_V2S, 1e-14, 0, 0 },
	{ "count2", K_COUNT2, 1, 0, 0 },
	{ "count2.s", K_COUNT2S, 1, 0, 0 },
};

/* Other spellings of the same unit (after the encoding is normalised). */
static const struct {
	const char *alias, *name;
} aliases[] = {
	{ "", "1" }, { "-", "1" },
	{ "percent", "%" }, { "pct", "%" },
	{ "ue", "ustrain" }, { "microstrain", "ustrain" }, { "um/m", "ustrain" },
	{ "degreeC", "degC" }, { "Celsius", "degC" }, { "celsius", "degC" },
	{ "degreeF", "degF" }, { "degK", "K" }, { "Kelvin", "K" },
	{ "ohm", "Ohm" }, { "Ohms", "Ohm" }, { "ohms", "Ohm" },
	{ "mohm", "mOhm" }, { "kohm", "kOhm" },
	{ "dBAE", "dB_AE" }, { "V^2s", "V2s" }, { "V2.s", "V2s" },
	{ "V^2.s", "V2s" }, { "counts2", "count2" }, { "count^2", "count2" },
	{ "count2s", "count2.s" }, { "count^2.s", "count2.s" },
	{ "sec", "s" }, { "msec", "ms" }, { "usec", "us" },
};

static const struct {
	char sym;
	double factor;
} prefixes[] = {
	{ 'p', 1e-12 }, { 'n', 1e-9 }, { 'u', 1e-6 }, { 'm', 1e-3 },
	{ 'c', 1e-2 }, { 'h', 1e2 }, { 'k', 1e3 }, { 'M', 1e6 },
	{ 'G', 1e9 },
};

/* Byte sequences (UTF-8 and CP1252) that stand for ASCII spellings. */
static const struct {
	const char *bytes, *ascii;
} spellings[] = {
	{ "\xc2\xb0", "deg" }, { "\xc2\xba", "deg" },	/* degree, ordinal o */
	{ "\xe2\x84\x83", "degC" },			/* U+2103 */
	{ "\xc2\xb5", "u" }, { "\xce\xbc", "u" },	/* micro, Greek mu */
	{ "\xce\xb5", "e" }, { "\xcf\xb5", "e" },	/* Greek epsilon */
	{ "\xce\xa9", "Ohm" }, { "\xe2\x84\xa6", "Ohm" }, /* Omega, ohm */
	{ "\xc2\xb2", "2" }, { "\xc2\xb3", "3" },
	{ "\xb0", "deg" }, { "\xba", "deg" }, { "\xb5", "u" }, /* CP1252 */
	{ "\xb2", "2" }, { "\xb3", "3" },
};

/* The encoding normalised: the signs above in ASCII, blanks dropped. */
static int spell(const char *in, char *out, size_t size)
{
	size_t n = 0;

	while (*in) {
		const char *put = NULL;
		size_t len = 1, k;

		if (*in == ' ' || *in == '\t') {
			in++;
			continue;
		}
		for (k = 0; k < sizeof(spellings) / sizeof(*spellings); k++) {
			size_t bl = strlen(spellings[k].bytes);

			if (!strncmp(in, spellings[k].bytes, bl)) {
				put = spellings[k].ascii;
				len = bl;
				break;
			}
		}
		if (put) {
			size_t pl = strlen(put);

			if (n + pl >= size)
				return -ENAMETOOLONG;
			memcpy(out + n, put, pl);
			n += pl;
		} else {
			if (n + 1 >= size)
				return -ENAMETOOLONG;
			out[n++] = *in;
		}
		in += len;
	}
	out[n] = '\0';
	return 0;
}

int cs_can_unit_normalise(const char *unit, char *buf, size_t size)
{
	char tmp[64];
	size_t k;
	int ret;

	if (!unit || !buf || !size)
		return -EINVAL;
	ret = spell(unit, tmp, sizeof(tmp));
	if (ret)
		return ret;
	for (k = 0; k < sizeof(aliases) / sizeof(*aliases); k++)
		if (!strcmp(tmp, aliases[k].alias)) {
			strcpy(tmp, aliases[k].name);
			break;
		}
	if (strlen(tmp) >= size)
		return -ENAMETOOLONG;
	strcpy(buf, tmp);
	return 0;
}

static const struct unit *find_unit(const char *name)
{
	size_t k;

	for (k = 0; k < sizeof(units) / sizeof(*units); k++)
		if (!strcmp(units[k].name, name))
			return &units[k];
	return NULL;
}

/* @name (normalised) as kind, factor and offset: 0, or -ENOENT. */
static int lookup(const char *name, enum kind *kind, double *factor,
		  double *offset)
{
	const struct unit *u = find_unit(name);
	size_t k;

	if (u) {
		*kind = u->kind;
		*factor = u->factor;
		*offset = u->offset;
		return 0;
	}
	for (k = 0; name[0] && k < sizeof(prefixes) / sizeof(*prefixes); k++) {
		if (name[0] != prefixes[k].sym)
			continue;
		u = find_unit(name + 1);
		if (u && u->prefixes) {
			*kind = u->kind;
			*factor = u->factor * prefixes[k].factor;
			*offset = u->offset;
			return 0;
		}
	}
	return -ENOENT;
}

int cs_can_unit_convert(const char *from, const char *to, double *scale,
			double *offset)
{
	char a[64], b[64];
	enum kind ka, kb;
	double fa, fb, oa, ob;
	int ra, rb;

	if (!from || !to || !scale || !offset)
		return -EINVAL;
	*scale = 1;
	*offset = 0;
	if (!strcmp(from, to))
		return 0;
	if (cs_can_unit_normalise(from, a, sizeof(a)) ||
	    cs_can_unit_normalise(to, b, sizeof(b)))
		return -ENOENT;
	if (!strcmp(a, b))
		return 0;
	ra = lookup(a, &ka, &fa, &oa);
	rb = lookup(b, &kb, &fb, &ob);
	if (ra || rb)
		return -ENOENT;
	if (ka != kb)
		return -EDOM;
	*scale = fa / fb;
	*offset = (oa - ob) / fb;
	/* exact where the prefixes are powers of ten apart */
	if (fabs(*scale - round(*scale)) < 1e-9 * fabs(*scale))
		*scale = round(*scale);
	else if (fabs(1 / *scale - round(1 / *scale)) < 1e-9 / fabs(*scale))
		*scale = 1 / round(1 / *scale);
	return 0;
}
