/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal to the library: what the planner (canplan.c) needs of the map
 * (canmap.c) to gather the records of one frame.
 */
#ifndef CS_CANMAP_H
#define CS_CANMAP_H

#include <stdint.h>

#include "cellsense-can.h"
#include "cs-dbc.h"

/*
 * cs_canmap_encode() that also says which map line took the record
 * (*@line), which bits pick the frame (@key: multiplexors, the source's
 * numbers, constants) and which the record fills (@own: value, status,
 * uncertainty, validity); @key and @own (CS_CAN_MAX_DLEN bytes) may be
 * NULL.
 */
int cs_canmap_encode_part(const struct cs_canmap *map,
			  const struct cs_record *rec, struct cs_can_frame *f,
			  uint8_t *key, uint8_t *own, int *line,
			  const char **why);
/*
 * What checking a further record of one source, quantity and unit against
 * its line needs (the line found, its signals resolved, the unit's
 * conversion): made by cs_canmap_encode_prep(), used by cs_canmap_check().
 */
struct cs_canmap_prep {
	int line;
	size_t len;			/* the message's length */
	char unit[CS_RECORD_UNIT_MAX];	/* the records' unit */
	char status[CS_RECORD_STATUS_MAX]; /* one known to have a VAL_ */
	const struct cs_dbc_signal *value, *status_sig, *unc, *flag;
	double scale, offset;		/* record unit -> signal unit */
	struct cs_dbc_plain value_plain, unc_plain;
};

/* cs_canmap_encode_part() that also fills @prep (may be NULL) when the
 * record fits its line. */
int cs_canmap_encode_prep(const struct cs_canmap *map,
			  const struct cs_record *rec, struct cs_can_frame *f,
			  uint8_t *key, uint8_t *own, int *line,
			  const char **why, struct cs_canmap_prep *prep);
/*
 * The checks cs_canmap_encode() makes of @rec, a record of @prep's
 * source, quantity and unit (the caller makes sure): its value, status and
 * uncertainty against their signals. 0 or CS_CAN_CLAMPED, or -EBADMSG
 * with *@why; as cs_canmap_encode() would say, with less work.
 */
int cs_canmap_check(struct cs_canmap_prep *prep, const struct cs_record *rec,
		    const char **why);
/*
 * @f (id, length and the key bits set) with every other signal it carries
 * marked absent: the "not available" code, validity flags at "invalid".
 * Returns how many signals have no way to say so (left at raw 0; *@unfilled
 * names one), or -EINVAL / -ENOENT.
 */
int cs_canmap_absent(const struct cs_canmap *map, struct cs_can_frame *f,
		     const uint8_t *key, const char **unfilled);
/* The frame (key bits) of member @v of line @line's family (a line with a
 * free variable, cell{Cell}): 0, -ENOENT when the line has no free
 * variable, -EBADMSG when member @v has no frame. */
int cs_canmap_family(const struct cs_canmap *map, size_t line,
		     struct cs_can_frame *f, uint8_t *key, long long v);

/* Line @line's hold= (ns; 0: a value is sent once). */
int64_t cs_canmap_hold(const struct cs_canmap *map, size_t line);

#endif
