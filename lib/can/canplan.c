// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The bus budget: frame lengths in the worst case of bit stuffing, and a
 * planner that folds records into frames so that the bus load stays under
 * a ceiling whatever the input rate (see cellsense-can.h).
 *
 * A slot is one kind of record (source and quantity). It aggregates the
 * records that come between two of its frames. A frame gathers every slot
 * whose records go into it (one message, one multiplexor value, one set
 * of the source's numbers): it goes out at most once per period, when one
 * of them has something new, with each slot's latest aggregate, the last
 * value of a slot within its line's hold= age, and every other signal as
 * not available. A token bucket of bus time, filled at load_max seconds per
 * second, is charged with each frame: whatever the slots and periods, the
 * frames released never take more than load_max of the bus over any
 * window longer than the bucket's depth.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense-can.h"
#include "cs-canmap.h"
#include "cs-strings.h"

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
	size_t group;		/* the frame it goes into */
	int64_t hold_ns;	/* line's hold= */
	struct cs_record last;	/* latest record (value is the aggregate
				 * source for "last" and "change") */
	unsigned long n;	/* records since the last frame */
	unsigned long nvalues;	/* of which with a value (not NaN) */
	double sum, min, max;
	struct cs_record sent;	/* the last record sent (for hold=) */
	int64_t sent_at;	/* when it came, or INT64_MIN: none */
	/* its line and signals, for checking its next records quickly */
	struct cs_canmap_prep prep;
	size_t after;		/* the slot whose record came after its
				 * last one (records come in a cycle) */
};

struct group {
	int used;
	int line;		/* the line its first slot came by */
	int policy;
	int64_t period_ns;	/* unstretched: the shortest of its lines */
	double frame_s;		/* bus time of its frame */
	struct cs_can_frame key;	/* the bits that pick the frame */
	struct cs_can_frame absent; /* key bits, the rest not available */
	int unfilled;		/* signals that cannot say so */
	size_t nmembers, capmembers;
	size_t *members;	/* slot indices */
	int64_t sent_ns;	/* when its last frame went, or INT64_MIN */
	unsigned int quiet;	/* change: periods without a frame */
	struct cs_can_frame sent; /* change: the last frame sent */
	int has_sent;
	int pending;		/* in the pending list */
};

struct line_plan {
	unsigned int declared;	/* frames its sources= make */
	unsigned int seen;	/* frames made for it */
	int64_t period_ns;
	int policy;
	double frame_s;
};

struct cs_canplan {
	const struct cs_canmap *map;
	struct cs_canplan_config cfg;
	size_t nlines;
	struct line_plan *lines;
	size_t cap;		/* hash table sizes, power of two */
	struct slot *slots;
	struct group *groups;
	size_t ngroups;
	size_t *made;		/* indices of the groups in use, ngroups */
	size_t *pending;	/* indices of groups holding records */
	size_t npending;
	struct slot *prev;	/* the slot of the last record taken */
	double tokens;		/* bus seconds available */
	double depth;		/* bucket depth, bus seconds */
	int64_t refill_ns;	/* last refill, or INT64_MIN */
	struct cs_canplan_stats st;
};

/* @s mixed into @h eight bytes at a time (a record's every slot lookup
 * hashes its source and quantity: byte by byte was a tenth of the time). */
static uint64_t hash_str(uint64_t h, const char *s)
{
	size_t len = strlen(s), i;
	uint64_t w;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, s + i, len - i);
	h = (h ^ w ^ len) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 32);
}

static uint64_t hash(const char *a, const char *b)
{
	return hash_str(hash_str(1469598103934665603ull, a), b);
}

static uint64_t hash_frame(const struct cs_can_frame *f)
{
	uint64_t h = 1469598103934665603ull ^ f->id ^ (uint64_t)f->extended
						     << 40;
	unsigned int i;

	for (i = 0; i < f->len; i++)
		h = (h ^ f->data[i]) * 1099511628211ull;
	return h * 1099511628211ull;
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

/* Load of the plan at stretch 1: every line that has had a record with
 * max(declared, seen) frames; a line no record came for takes nothing
 * (a map covers more than one rig has). */
static double raw_load(const struct cs_canplan *p)
{
	double load = 0;
	size_t i;

	for (i = 0; i < p->nlines; i++) {
		const struct line_plan *l = &p->lines[i];
		unsigned int n = l->seen > l->declared ? l->seen : l->declared;

		if (l->period_ns && l->seen)	/* else: as they come,
						 * bucket only; or unused */
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

static int cmp_frames(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct cs_can_frame));
}

/* Frames a line's sources= make: its family's distinct frames for a line
 * with a free variable (cell{Cell}: six cells a frame, 180 cells in 30),
 * else one a source. */
static unsigned int declared_frames(const struct cs_canmap *map, size_t line,
				    unsigned int sources)
{
	struct cs_can_frame *keys;
	uint8_t key[CS_CAN_MAX_DLEN];
	unsigned int i, n = 0, distinct = 0;

	keys = calloc(sources, sizeof(*keys));
	if (!keys)
		return sources;
	for (i = 0; i < sources; i++) {
		struct cs_can_frame *k = &keys[n];
		int ret = cs_canmap_family(map, line, k, key, i);

		if (ret == -ENOENT) {	/* no family: one frame a source */
			free(keys);
			return sources;
		}
		if (ret)
			continue;
		for (unsigned int b = 0; b < k->len; b++)
			k->data[b] &= key[b];
		n++;
	}
	qsort(keys, n, sizeof(*keys), cmp_frames);
	for (i = 0; i < n; i++)
		if (!i || memcmp(&keys[i], &keys[i - 1], sizeof(*keys)))
			distinct++;
	free(keys);
	return distinct ? distinct : 1;
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
	p->groups = calloc(p->cap, sizeof(*p->groups));
	p->pending = calloc(c->max_slots, sizeof(*p->pending));
	p->made = calloc(c->max_slots, sizeof(*p->made));
	if (!p->lines || !p->slots || !p->groups || !p->pending ||
	    !p->made) {
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
		l->declared = declared_frames(map, i, pol.sources ?
					      pol.sources : 1);
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
	size_t i;

	if (!p)
		return;
	/* the groups made, not the whole table: reading its untouched
	 * pages cost more than a short run's records */
	for (i = 0; p->groups && p->made && i < p->ngroups; i++)
		free(p->groups[p->made[i]].members);
	free(p->made);
	free(p->lines);
	free(p->slots);
	free(p->groups);
	free(p->pending);
	free(p);
}

unsigned int cs_canplan_line_frames(const struct cs_canplan *p, size_t line)
{
	if (!p || line >= p->nlines)
		return 0;
	return p->lines[line].declared;
}

int cs_canplan_stats(const struct cs_canplan *p, struct cs_canplan_stats *st)
{
	if (!p || !st)
		return -EINVAL;
	*st = p->st;
	return 0;
}

static int same_kind(const struct slot *s, const struct cs_record *r)
{
	return cs_same_string(s->source, r->source, sizeof(s->source)) &&
	       cs_same_string(s->quantity, r->quantity, sizeof(s->quantity));
}

static struct slot *find_slot(struct cs_canplan *p, const struct cs_record *r,
			      int *fresh)
{
	size_t i;

	*fresh = 0;
	/* The slot that came after the last one's last time: the records of
	 * one time come in the same order at every time, so this is nearly
	 * always the one, and two compares beat hashing two strings. */
	if (p->prev) {
		struct slot *s = &p->slots[p->prev->after];

		if (s->used && same_kind(s, r))
			return s;
	}
	i = (size_t)hash(r->source, r->quantity) & (p->cap - 1);
	for (;; i = (i + 1) & (p->cap - 1)) {
		struct slot *s = &p->slots[i];

		if (!s->used) {
			*fresh = 1;
			return s;
		}
		if (same_kind(s, r))
			return s;
	}
}

/* The group of the frame whose key bits are those of @key_frame. */
static struct group *find_group(struct cs_canplan *p,
				const struct cs_can_frame *key_frame,
				int *fresh)
{
	size_t i = (size_t)hash_frame(key_frame) & (p->cap - 1);

	*fresh = 0;
	for (;; i = (i + 1) & (p->cap - 1)) {
		struct group *g = &p->groups[i];

		if (!g->used) {
			*fresh = 1;
			return g;
		}
		if (g->key.id == key_frame->id &&
		    g->key.extended == key_frame->extended &&
		    g->key.len == key_frame->len &&
		    !memcmp(g->key.data, key_frame->data, key_frame->len))
			return g;
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

/* A new slot's frame: found, or made with every signal not available. */
static int join_group(struct cs_canplan *p, struct slot *s,
		      const struct cs_can_frame *f, const uint8_t *key)
{
	struct cs_can_frame k = *f;
	struct line_plan *l = &p->lines[s->line];
	struct group *g;
	size_t *m;
	int fresh;

	for (unsigned int b = 0; b < k.len; b++)
		k.data[b] &= key[b];
	g = find_group(p, &k, &fresh);
	if (fresh) {
		const char *why = NULL;

		memset(g, 0, sizeof(*g));
		g->used = 1;
		g->line = s->line;
		g->policy = l->policy;
		g->period_ns = l->period_ns;
		g->frame_s = l->frame_s;
		g->absent = k;
		g->absent.fd_flags = 0;
		g->unfilled = cs_canmap_absent(p->map, &g->absent, key, &why);
		if (g->unfilled > 0)
			p->st.unfilled_signal = why;
		g->key = k;
		g->sent_ns = INT64_MIN;
		p->made[p->ngroups++] = (size_t)(g - p->groups);
		p->st.groups++;
		/* its first frame brings the line's whole share in */
		if (++l->seen == 1 || l->seen > l->declared)
			replan(p);
	} else if (l->period_ns && (!g->period_ns ||
				    l->period_ns < g->period_ns)) {
		g->period_ns = l->period_ns;
	}
	if (g->nmembers == g->capmembers) {
		size_t cap = g->capmembers ? 2 * g->capmembers : 4;

		m = realloc(g->members, cap * sizeof(*m));
		if (!m)
			return -ENOMEM;
		g->members = m;
		g->capmembers = cap;
	}
	g->members[g->nmembers++] = (size_t)(s - p->slots);
	s->group = (size_t)(g - p->groups);
	return 0;
}

int cs_canplan_push(struct cs_canplan *p, const struct cs_record *r,
		    int64_t now_ns, const char **why)
{
	uint8_t key[CS_CAN_MAX_DLEN];
	struct cs_canmap_prep prep;
	struct cs_can_frame f;
	struct group *g;
	struct slot *s;
	int fresh, flags, line = 0;

	if (!p || !r)
		return -EINVAL;
	/* Every record is checked against its line, so that a bad one never
	 * spoils an aggregate and clamping is reported per record: in full
	 * for a new kind of record (or a new unit of one), else against the
	 * signals found then. */
	s = find_slot(p, r, &fresh);
	if (!fresh && cs_same_string(s->prep.unit, r->unit, sizeof(r->unit)))
		flags = cs_canmap_check(&s->prep, r, why);
	else
		flags = cs_canmap_encode_prep(p->map, r, &f, key, NULL, &line,
					      why, fresh ? &prep : NULL);
	if (flags < 0)
		return flags;
	if (fresh) {
		struct line_plan *l = &p->lines[line];

		if (p->st.slots == p->cfg.max_slots) {
			p->st.dropped++;
			return -ENOSPC;
		}
		memset(s, 0, sizeof(*s));
		strcpy(s->source, r->source);
		strcpy(s->quantity, r->quantity);
		s->line = line;
		s->policy = l->policy;
		s->hold_ns = cs_canmap_hold(p->map, (size_t)line);
		s->sent_at = INT64_MIN;
		s->prep = prep;
		if (join_group(p, s, &f, key))
			return -ENOMEM;
		s->used = 1;
		p->st.slots++;
	}
	if (s->n > 0)
		p->st.aggregated++;
	fold(s, r);
	if (p->prev)
		p->prev->after = (size_t)(s - p->slots);
	p->prev = s;
	s->sent_at = now_ns;
	p->st.records++;
	p->st.waiting++;
	g = &p->groups[s->group];
	if (!g->pending) {
		g->pending = 1;
		p->pending[p->npending++] = s->group;
	}
	return flags;
}

static int64_t due(const struct cs_canplan *p, const struct group *g)
{
	double period = (double)g->period_ns * p->st.stretch;

	if (g->sent_ns == INT64_MIN)
		return INT64_MIN;
	if (period > 9e18 || g->sent_ns > INT64_MAX - (int64_t)period)
		return INT64_MAX;
	return g->sent_ns + (int64_t)period;
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

/* Put @r's bits into @f. */
static int overlay(const struct cs_canplan *p, const struct cs_record *r,
		   struct cs_can_frame *f)
{
	uint8_t own[CS_CAN_MAX_DLEN];
	struct cs_can_frame part;
	int ret = cs_canmap_encode_part(p->map, r, &part, NULL, own, NULL,
					NULL);

	if (ret < 0)
		return ret;
	for (unsigned int b = 0; b < f->len; b++)
		f->data[b] = (uint8_t)((f->data[b] & ~own[b]) |
				       (part.data[b] & own[b]));
	return ret;
}

/*
 * The frame of @g now: each member's aggregate, or its last value within
 * hold=, or not available. With @commit, the members' records are taken
 * (and counted). Returns the flags (CS_CAN_CLAMPED).
 */
static int build(struct cs_canplan *p, struct group *g, int64_t now,
		 struct cs_can_frame *f, int commit)
{
	int flags = 0;
	size_t k;

	*f = g->absent;
	for (k = 0; k < g->nmembers; k++) {
		struct slot *s = &p->slots[g->members[k]];
		struct cs_record r;
		int ret;

		if (s->n) {
			aggregate(s, &r);
			ret = overlay(p, &r, f);
			if (ret > 0)
				flags |= ret;
			if (commit) {
				p->st.waiting -= s->n;
				s->n = 0;
				s->sent = r;
			}
		} else if (s->hold_ns && s->sent_at != INT64_MIN &&
			   now - s->sent_at <= s->hold_ns) {
			overlay(p, &s->sent, f);
			if (commit)
				p->st.held++;
		} else if (commit) {
			p->st.absent++;
		}
	}
	return flags;
}

/* Out of the pending list, the others kept in order: frames due at the
 * same time go in the order their records came. */
static void unpend(struct cs_canplan *p, size_t k)
{
	p->groups[p->pending[k]].pending = 0;
	memmove(&p->pending[k], &p->pending[k + 1],
		(p->npending - k - 1) * sizeof(*p->pending));
	p->npending--;
}

/* Forget the members' records without a frame (change: same frame). */
static void skip_frame(struct cs_canplan *p, struct group *g)
{
	size_t k;

	for (k = 0; k < g->nmembers; k++) {
		struct slot *s = &p->slots[g->members[k]];

		if (s->n)
			aggregate(s, &s->sent);
		p->st.waiting -= s->n;
		s->n = 0;
	}
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
		struct group *g = &p->groups[p->pending[k]];
		int64_t d = due(p, g);

		if (d > now) {
			if (d < best_due)
				best_due = d;
			k++;
			continue;
		}
		if (g->policy == CS_CANPLAN_CHANGE && g->has_sent) {
			/* Due: send only if the frame differs, or after
			 * ten quiet periods. */
			build(p, g, now, f, 0);
			if (g->quiet < 9 && f->len == g->sent.len &&
			    !memcmp(f->data, g->sent.data, f->len)) {
				p->st.unchanged++;
				skip_frame(p, g);
				g->quiet++;
				g->sent_ns = now;
				unpend(p, k);
				continue;
			}
		}
		if (!found || d < best_due || (d == best_due &&
					       g->sent_ns <
					       p->groups[p->pending[best]]
					       .sent_ns)) {
			found = 1;
			best = k;
			best_due = d;
		}
		k++;
	}
	if (found) {
		struct group *g = &p->groups[p->pending[best]];
		int ret;

		if (p->cfg.load_max > 0 && p->tokens + 1e-15 < g->frame_s) {
			p->st.deferred++;
			if (next_ns)
				*next_ns = now + (int64_t)ceil(
					(g->frame_s - p->tokens) /
					p->cfg.load_max * 1e9);
			return 0;
		}
		ret = build(p, g, now, f, 1);
		unpend(p, best);
		if (ret & CS_CAN_CLAMPED)
			p->st.clamped++;
		if (g->unfilled > 0)
			p->st.unfilled++;
		if ((f->flags & CS_CAN_FLAG_FD) && p->cfg.data_bitrate > 0)
			f->fd_flags |= 0x1;
		p->tokens -= g->frame_s;
		p->st.bus_seconds += g->frame_s;
		p->st.frames++;
		g->sent_ns = now;
		g->sent = *f;
		g->has_sent = 1;
		g->quiet = 0;
		return 1;
	}
	if (next_ns)
		*next_ns = best_due;
	return 0;
}
