// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The bus budget: frame lengths in the worst case of bit stuffing, and a
 * planner that folds records into frames so that the bus load stays under
 * a ceiling whatever the input rate (see cellsense-can.h).
 *
 * A slot is one kind of record (source and quantity). It aggregates the
 * records that come between two of its frames and is sent at most once
 * per period. A token bucket of bus time, filled at load_max seconds per
 * second, is charged with each frame: whatever the slots and periods, the
 * frames released never take more than load_max of the bus over any
 * window longer than the bucket's depth.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense-can.h"

/* ---------------------------------------------------------------------
 * Frame lengths.
 */
static unsigned int fd_len(unsigned int len)
{
	static const unsigned char steps[] = { 12, 16, 20, 24, 32, 48, 64 };
	size_t i;

	if (len <= 8)
		return len;
	for (i = 0; i < sizeof(steps); i++)
		if (len <= steps[i])
			return steps[i];
	return 0;
}

int cs_can_frame_bits(const struct cs_can_frame *f, unsigned int *nominal,
		      unsigned int *data)
{
	unsigned int n, arb, dyn, stuff, stuff_arb, phase;

	if (!f || f->len > CS_CAN_MAX_DLEN)
		return -EINVAL;
	if (!(f->flags & CS_CAN_FLAG_FD)) {
		if (f->len > 8)
			return -EINVAL;
		n = (f->flags & CS_CAN_FLAG_RTR) ? 0 : 8 * f->len;
		if (f->extended)
			*nominal = n + 67 + (54 + n - 1) / 4;
		else
			*nominal = n + 47 + (34 + n - 1) / 4;
		*data = 0;
		return 0;
	}
	n = 8 * fd_len(f->len);
	arb = f->extended ? 36 : 17;
	dyn = arb + 5 + n;		/* SOF .. end of data */
	stuff = (dyn - 1) / 4;
	stuff_arb = (arb - 1) / 4;
	/* ESI, DLC, data, dynamic stuff, stuff count, CRC, fixed stuff */
	phase = 5 + n + (stuff - stuff_arb) + 4 +
		(n <= 16 * 8 ? 17 + 6 : 21 + 7);
	*nominal = arb + stuff_arb + 13;
	if (f->fd_flags & 0x1) {	/* BRS */
		*data = phase;
	} else {
		*nominal += phase;
		*data = 0;
	}
	return 0;
}

double cs_can_frame_seconds(const struct cs_can_frame *f, double bitrate,
			    double data_bitrate)
{
	unsigned int nb, db;

	if (!(bitrate > 0) || data_bitrate < 0 ||
	    cs_can_frame_bits(f, &nb, &db))
		return NAN;
	if (data_bitrate == 0)
		data_bitrate = bitrate;
	return nb / bitrate + db / data_bitrate;
}

/* ---------------------------------------------------------------------
 * The planner.
 */
struct slot {
	char source[CS_RECORD_SOURCE_MAX];
	char quantity[CS_RECORD_QUANTITY_MAX];
	int used;
	int line;		/* map line */
	int policy;
	int64_t period_ns;	/* unstretched */
	double frame_s;		/* bus time of its frame */
	struct cs_record last;	/* latest record (value is the aggregate
				 * source for "last" and "change") */
	unsigned long n;	/* records since the last frame */
	unsigned long nvalues;	/* of which with a value (not NaN) */
	double sum, min, max;
	int64_t sent_ns;	/* when its last frame went, or INT64_MIN */
	unsigned int quiet;	/* change: periods without a frame */
	struct cs_can_frame sent; /* change: the last frame sent */
	int has_sent;
	int pending;		/* in the pending list */
};

struct line_plan {
	unsigned int declared;	/* sources= */
	unsigned int seen;	/* slots made for it */
	int64_t period_ns;
	int policy;
	double frame_s;
};

struct cs_canplan {
	const struct cs_canmap *map;
	struct cs_canplan_config cfg;
	size_t nlines;
	struct line_plan *lines;
	size_t cap;		/* hash table size, power of two */
	struct slot *slots;
	size_t *pending;	/* indices of slots holding records */
	size_t npending;
	double tokens;		/* bus seconds available */
	double depth;		/* bucket depth, bus seconds */
	int64_t refill_ns;	/* last refill, or INT64_MIN */
	struct cs_canplan_stats st;
};

static uint64_t hash(const char *a, const char *b)
{
	uint64_t h = 1469598103934665603ull;

	for (; *a; a++)
		h = (h ^ (unsigned char)*a) * 1099511628211ull;
	h = (h ^ '\t') * 1099511628211ull;
	for (; *b; b++)
		h = (h ^ (unsigned char)*b) * 1099511628211ull;
	return h;
}

/* Bus time of a message's frame as the planner will send it. */
static double message_seconds(const struct cs_canplan *p,
			      const struct cs_dbc_message *msg)
{
	struct cs_can_frame f;

	memset(&f, 0, sizeof(f));
	f.extended = msg->extended;
	f.len = (uint8_t)msg->dlc;
	if (f.len > 8) {
		f.flags = CS_CAN_FLAG_FD;
		if (p->cfg.data_bitrate > 0)
			f.fd_flags = 0x1;
	}
	return cs_can_frame_seconds(&f, p->cfg.bitrate, p->cfg.data_bitrate);
}

/* Load of the plan at stretch 1: every line with max(declared, seen)
 * slots. */
static double raw_load(const struct cs_canplan *p)
{
	double load = 0;
	size_t i;

	for (i = 0; i < p->nlines; i++) {
		const struct line_plan *l = &p->lines[i];
		unsigned int n = l->seen > l->declared ? l->seen : l->declared;

		if (l->period_ns)	/* else: as they come, bucket only */
			load += n * l->frame_s / (l->period_ns * 1e-9);
	}
	return load;
}

static void replan(struct cs_canplan *p)
{
	double load = raw_load(p), stretch = 1;

	if (p->cfg.load_max > 0 && load > p->cfg.load_max)
		stretch = load / p->cfg.load_max;
	if (stretch > p->st.stretch * (1 + 1e-12))
		p->st.replans++;
	if (stretch > p->st.stretch)
		p->st.stretch = stretch;
	p->st.planned_load = load / p->st.stretch;
}

struct cs_canplan *cs_canplan_create(const struct cs_canmap *map,
				     const struct cs_canplan_config *c)
{
	struct cs_canplan *p;
	size_t i;

	if (!map || !c || !(c->bitrate >= 1e3 && c->bitrate <= 1e6) ||
	    !(c->data_bitrate == 0 || (c->data_bitrate >= c->bitrate &&
				       c->data_bitrate <= 1.6e7)) ||
	    !(c->load_max >= 0 && c->load_max <= 1) ||
	    (c->period_ns != 0 && c->period_ns < 1000000) ||
	    c->period_ns < 0 || c->period_ns > 3600000000000ll ||
	    !cs_canplan_policy_name(c->policy) || c->max_slots < 1 ||
	    c->max_slots > 65536 || c->burst_ns < 0 ||
	    c->burst_ns > 1000000000) {
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->map = map;
	p->cfg = *c;
	p->nlines = cs_canmap_count(map);
	for (p->cap = 16; p->cap < 2 * c->max_slots; p->cap *= 2)
		;
	p->lines = calloc(p->nlines ? p->nlines : 1, sizeof(*p->lines));
	p->slots = calloc(p->cap, sizeof(*p->slots));
	p->pending = calloc(c->max_slots, sizeof(*p->pending));
	if (!p->lines || !p->slots || !p->pending) {
		cs_canplan_destroy(p);
		errno = ENOMEM;
		return NULL;
	}
	p->depth = (c->burst_ns ? c->burst_ns : 10000000) * 1e-9 * c->load_max;
	for (i = 0; i < p->nlines; i++) {
		const struct cs_dbc_message *msg;
		struct cs_canmap_policy pol;
		struct line_plan *l = &p->lines[i];

		cs_canmap_line(map, i, &msg, &pol, NULL);
		l->declared = pol.sources ? pol.sources : 1;
		l->period_ns = pol.period_ns ? pol.period_ns : c->period_ns;
		l->policy = pol.policy >= 0 ? pol.policy : c->policy;
		l->frame_s = message_seconds(p, msg);
		if (l->frame_s > p->depth)
			p->depth = l->frame_s;
	}
	p->tokens = p->depth;
	p->refill_ns = INT64_MIN;
	p->st.stretch = 1;
	replan(p);
	p->st.replans = 0;
	return p;
}

void cs_canplan_destroy(struct cs_canplan *p)
{
	if (!p)
		return;
	free(p->lines);
	free(p->slots);
	free(p->pending);
	free(p);
}

int cs_canplan_stats(const struct cs_canplan *p, struct cs_canplan_stats *st)
{
	if (!p || !st)
		return -EINVAL;
	*st = p->st;
	return 0;
}

static struct slot *find_slot(struct cs_canplan *p, const struct cs_record *r,
			      int *fresh)
{
	size_t i = (size_t)hash(r->source, r->quantity) & (p->cap - 1);

	*fresh = 0;
	for (;; i = (i + 1) & (p->cap - 1)) {
		struct slot *s = &p->slots[i];

		if (!s->used) {
			*fresh = 1;
			return s;
		}
		if (!strcmp(s->source, r->source) &&
		    !strcmp(s->quantity, r->quantity))
			return s;
	}
}

static void fold(struct slot *s, const struct cs_record *r)
{
	s->last = *r;
	if (s->n++ == 0) {
		s->nvalues = 0;
		s->sum = 0;
		s->min = INFINITY;
		s->max = -INFINITY;
	}
	if (!isnan(r->value)) {
		s->nvalues++;
		s->sum += r->value;
		if (r->value < s->min)
			s->min = r->value;
		if (r->value > s->max)
			s->max = r->value;
	}
}

int cs_canplan_push(struct cs_canplan *p, const struct cs_record *r,
		    int64_t now_ns, const char **why)
{
	struct cs_can_frame f;
	struct slot *s;
	int fresh, flags, line;

	(void)now_ns;
	if (!p || !r)
		return -EINVAL;
	/* Every record is checked against its line, so that a bad one never
	 * spoils an aggregate and clamping is reported per record. */
	flags = cs_canmap_encode(p->map, r, &f, why);
	if (flags < 0)
		return flags;
	s = find_slot(p, r, &fresh);
	if (fresh) {
		struct line_plan *l;

		if (p->st.slots == p->cfg.max_slots) {
			p->st.dropped++;
			return -ENOSPC;
		}
		line = cs_canmap_find(p->map, r);
		if (line < 0)
			return line;
		l = &p->lines[line];
		memset(s, 0, sizeof(*s));
		s->used = 1;
		strcpy(s->source, r->source);
		strcpy(s->quantity, r->quantity);
		s->line = line;
		s->policy = l->policy;
		s->period_ns = l->period_ns;
		s->frame_s = l->frame_s;
		s->sent_ns = INT64_MIN;
		p->st.slots++;
		if (++l->seen > l->declared)
			replan(p);
	}
	if (s->n > 0)
		p->st.aggregated++;
	fold(s, r);
	p->st.records++;
	p->st.waiting++;
	if (!s->pending) {
		s->pending = 1;
		p->pending[p->npending++] = (size_t)(s - p->slots);
	}
	return flags;
}

static int64_t due(const struct cs_canplan *p, const struct slot *s)
{
	double period = (double)s->period_ns * p->st.stretch;

	if (s->sent_ns == INT64_MIN)
		return INT64_MIN;
	if (period > 9e18 || s->sent_ns > INT64_MAX - (int64_t)period)
		return INT64_MAX;
	return s->sent_ns + (int64_t)period;
}

static void refill(struct cs_canplan *p, int64_t now)
{
	if (p->refill_ns != INT64_MIN && now > p->refill_ns) {
		p->tokens += (now - p->refill_ns) * 1e-9 * p->cfg.load_max;
		if (p->tokens > p->depth)
			p->tokens = p->depth;
	}
	if (p->refill_ns == INT64_MIN || now > p->refill_ns)
		p->refill_ns = now;
}

/* The record a slot sends now. */
static void aggregate(const struct slot *s, struct cs_record *r)
{
	*r = s->last;
	if (!s->nvalues)
		return;
	switch (s->policy) {
	case CS_CANPLAN_MEAN:
		r->value = s->sum / (double)s->nvalues;
		break;
	case CS_CANPLAN_MIN:
		r->value = s->min;
		break;
	case CS_CANPLAN_MAX:
		r->value = s->max;
		break;
	default:
		break;
	}
}

static void unpend(struct cs_canplan *p, size_t k)
{
	p->slots[p->pending[k]].pending = 0;
	p->pending[k] = p->pending[--p->npending];
}

int cs_canplan_next(struct cs_canplan *p, int64_t now,
		    struct cs_can_frame *f, int64_t *next_ns)
{
	int64_t best_due = INT64_MAX;
	size_t k, best = 0;
	int found = 0;

	if (!p || !f)
		return -EINVAL;
	refill(p, now);
	for (k = 0; k < p->npending; ) {
		struct slot *s = &p->slots[p->pending[k]];
		struct cs_record r;
		int64_t d = due(p, s);
		int ret;

		if (d > now) {
			if (d < best_due)
				best_due = d;
			k++;
			continue;
		}
		if (s->policy == CS_CANPLAN_CHANGE && s->has_sent) {
			/* Due: send only if the frame differs, or after
			 * ten quiet periods. */
			aggregate(s, &r);
			ret = cs_canmap_encode(p->map, &r, f, NULL);
			if (ret >= 0 && s->quiet < 9 &&
			    f->len == s->sent.len &&
			    !memcmp(f->data, s->sent.data, f->len)) {
				p->st.unchanged++;
				p->st.waiting -= s->n;
				s->quiet++;
				s->sent_ns = now;
				s->n = 0;
				unpend(p, k);
				continue;
			}
		}
		if (!found || d < best_due || (d == best_due &&
					       s->sent_ns <
					       p->slots[p->pending[best]]
					       .sent_ns)) {
			found = 1;
			best = k;
			best_due = d;
		}
		k++;
	}
	if (found) {
		struct slot *s = &p->slots[p->pending[best]];
		struct cs_record r;
		int ret;

		if (p->cfg.load_max > 0 && p->tokens + 1e-15 < s->frame_s) {
			p->st.deferred++;
			if (next_ns)
				*next_ns = now + (int64_t)ceil(
					(s->frame_s - p->tokens) /
					p->cfg.load_max * 1e9);
			return 0;
		}
		aggregate(s, &r);
		ret = cs_canmap_encode(p->map, &r, f, NULL);
		unpend(p, best);
		p->st.waiting -= s->n;
		s->n = 0;
		if (ret < 0) {
			/* cannot happen: checked at push; do not loop */
			if (next_ns)
				*next_ns = now;
			return 0;
		}
		if (ret & CS_CAN_CLAMPED)
			p->st.clamped++;
		if ((f->flags & CS_CAN_FLAG_FD) && p->cfg.data_bitrate > 0)
			f->fd_flags |= 0x1;
		p->tokens -= s->frame_s;
		p->st.bus_seconds += s->frame_s;
		p->st.frames++;
		s->sent_ns = now;
		s->sent = *f;
		s->has_sent = 1;
		s->quiet = 0;
		return 1;
	}
	if (next_ns)
		*next_ns = best_due;
	return 0;
}
