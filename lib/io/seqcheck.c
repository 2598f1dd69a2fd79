// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The numbers a stream carries for its own order (a block's first sample
 * index, a shot number): a gap is counted only up to a bound, and a number
 * far off is one bad header, skipped, until two blocks in a row agree on
 * it, which is the counter started again (a board reset). A single corrupt
 * header then costs its block, never a count of 2^60 missing samples or a
 * loop over them.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "cellsense.h"

int cs_seq_init(struct cs_seq *s, uint64_t max_gap)
{
	if (!s)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->max_gap = max_gap;
	return 0;
}

/* a + b, or UINT64_MAX where that would wrap */
static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

enum cs_seq_verdict cs_seq_check(struct cs_seq *s, uint64_t first,
				 uint64_t len, uint64_t *gap)
{
	uint64_t end = sat_add(first, len);

	*gap = 0;
	if (!s->started || first == s->next) {
		s->started = 1;
		s->pending_set = 0;
		s->next = end;
		return CS_SEQ_IN_STEP;
	}
	if (first > s->next && first - s->next <= s->max_gap) {
		*gap = first - s->next;
		s->pending_set = 0;
		s->next = end;
		return CS_SEQ_GAP;
	}
	if (s->pending_set && first == s->pending) {
		/* the block before this one started the new count */
		s->pending_set = 0;
		s->next = end;
		s->restarts++;
		return CS_SEQ_RESTART;
	}
	s->pending = end;
	s->pending_set = 1;
	return first < s->next ? CS_SEQ_BEHIND : CS_SEQ_JUMP;
}
