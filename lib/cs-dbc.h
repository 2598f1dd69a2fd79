/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal to the library (not installed, not exported): what the map
 * (canmap.c) needs of the DBC signals beyond the public API.
 */
#ifndef CS_DBC_H
#define CS_DBC_H

#include <stddef.h>
#include <stdint.h>

#include "cellsense-can.h"

/*
 * The raw bits cs_dbc_signal_encode() would write for @value into *@raw,
 * and what it would return (0, CS_CAN_CLAMPED, -EINVAL, -EDOM), without
 * writing them: checking a record against its signals needs only that.
 */
int cs_dbc_signal_raw(const struct cs_dbc_signal *sig, size_t len,
		      double value, uint64_t *raw);

/*
 * The raw values of an integer signal that cs_dbc_signal_raw() takes as
 * they are (no clamping, not the NA code), as whole numbers [lo, hi] of
 * at most 2^52: a value whose (value - offset) / factor falls in there,
 * and which is within [min, max] when the signal has a range, encodes
 * with no flag. This spares a record's check the rounding and the limits
 * (a fifth of sense2can's time).
 */
struct cs_dbc_plain {
	int ok;			/* 0: no such range, take the long way */
	double lo, hi;
};

/* Fill @plain for @sig in a frame of @len bytes; returns plain->ok. */
int cs_dbc_signal_plain(const struct cs_dbc_signal *sig, size_t len,
			struct cs_dbc_plain *plain);

/* 1 if @value encodes into @sig with no flag by @plain's range (0: it may
 * or may not; ask cs_dbc_signal_raw()). */
static inline int cs_dbc_plain_takes(const struct cs_dbc_signal *sig,
				     const struct cs_dbc_plain *plain,
				     double value)
{
	double r;

	if (!plain->ok || !(value == value))	/* NaN: the long way */
		return 0;
	if (sig->min < sig->max && (value < sig->min || value > sig->max))
		return 0;
	r = (value - sig->offset) / sig->factor;
	return r >= plain->lo && r <= plain->hi;
}

#endif
