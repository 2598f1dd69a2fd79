// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The fail-safe actuator table: lines driven through the caller's
 * callbacks, each release on its deadline, failed releases retried, and
 * everything that may be high released at the end.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "cellsense-act.h"

struct line {
	int actuator;
	int may_be_high;	/* driven high (or tried) and not read back
				 * low since */
	int level;		/* last read back, -1 unknown */
	int64_t release_at;	/* 0: nothing scheduled */
	int action;
	int sequence;
	unsigned int attempts;	/* failed release attempts so far */
	const char *cause;
};

struct cs_actlines {
	struct cs_actlines_ops ops;
	void *ctx;
	int64_t safety_ns, retry_ns;
	size_t n;
	struct line line[CS_ACTLINES_MAX];
};

struct cs_actlines *cs_actlines_create(const struct cs_actlines_ops *ops,
				       void *ctx, int64_t safety_ns,
				       int64_t retry_ns)
{
	struct cs_actlines *l;

	if (!ops || !ops->drive || safety_ns <= 0 || retry_ns <= 0) {
		errno = EINVAL;
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->ops = *ops;
	l->ctx = ctx;
	l->safety_ns = safety_ns;
	l->retry_ns = retry_ns;
	return l;
}

void cs_actlines_destroy(struct cs_actlines *l)
{
	free(l);
}

int cs_actlines_find(const struct cs_actlines *l, int actuator)
{
	size_t i;

	if (!l)
		return -EINVAL;
	for (i = 0; i < l->n; i++)
		if (l->line[i].actuator == actuator)
			return (int)i;
	return -ENOENT;
}

int cs_actlines_add(struct cs_actlines *l, int actuator)
{
	struct line *x;

	if (!l || actuator < 0 || actuator > 254)
		return -EINVAL;
	if (cs_actlines_find(l, actuator) >= 0)
		return -EEXIST;
	if (l->n == CS_ACTLINES_MAX)
		return -ENOSPC;
	x = &l->line[l->n];
	x->actuator = actuator;
	x->level = -1;
	x->sequence = -1;
	return (int)l->n++;
}

size_t cs_actlines_count(const struct cs_actlines *l)
{
	return l ? l->n : 0;
}

static void report(struct cs_actlines *l, const struct line *x, int result)
{
	struct cs_actline_event ev = {
		x->actuator, x->action, x->sequence, result, x->level,
		x->attempts, x->cause
	};

	if (l->ops.report)
		l->ops.report(l->ctx, &ev);
}

/* Drive line @x low once: 1 if it reads back low. */
static int release_once(struct cs_actlines *l, struct line *x)
{
	int level = -1, ret;

	ret = l->ops.drive(l->ctx, (size_t)(x - l->line), 0, &level);
	x->level = ret || level < 0 ? -1 : level;
	if (x->level == 0) {
		x->may_be_high = 0;
		x->release_at = 0;
		x->attempts = 0;
		return 1;
	}
	x->attempts++;
	return 0;
}

int cs_actlines_command(struct cs_actlines *l, int actuator, int action,
			int64_t pulse_ns, int sequence, int64_t now_ns,
			int *level)
{
	struct line *x;
	int i, ret, rb = -1, on;

	if (level)
		*level = -1;
	if (!l)
		return -EINVAL;
	i = cs_actlines_find(l, actuator);
	if (i < 0)
		return CS_ACT_UNKNOWN;
	x = &l->line[i];
	if (action != CS_ACT_OFF && action != CS_ACT_ON &&
	    action != CS_ACT_PULSE)
		return CS_ACT_REFUSED;
	if (action == CS_ACT_PULSE && pulse_ns <= 0)
		return CS_ACT_REFUSED;
	on = action != CS_ACT_OFF;
	if (on)
		x->may_be_high = 1;	/* before trying: a failed drive may
					 * still have set it */
	ret = l->ops.drive(l->ctx, (size_t)i, on, &rb);
	x->level = ret || rb < 0 ? -1 : rb;
	x->action = action;
	x->sequence = sequence;
	x->attempts = 0;
	if (level)
		*level = x->level;
	if (!on) {
		if (x->level == 0) {
			x->may_be_high = 0;
			x->release_at = 0;
			return CS_ACT_DONE;
		}
		/* an off that did not hold: retried as a release */
		x->may_be_high = 1;
		x->cause = "after a GPIO error";
		x->release_at = now_ns + l->retry_ns;
		return CS_ACT_GPIO;
	}
	if (ret) {
		/* not driven: its level is unknown, so release it now */
		x->cause = "after a GPIO error";
		x->release_at = now_ns;
		return CS_ACT_GPIO;
	}
	/* driven high: the timeout is armed whatever the read-back says */
	x->cause = action == CS_ACT_PULSE && pulse_ns < l->safety_ns ?
		   "end of pulse" : "safety timeout";
	x->release_at = now_ns + (action == CS_ACT_PULSE &&
				  pulse_ns < l->safety_ns ?
				  pulse_ns : l->safety_ns);
	if (x->release_at <= 0)
		x->release_at = 1;
	return x->level == 1 ? CS_ACT_DONE : CS_ACT_GPIO;
}

int64_t cs_actlines_next(const struct cs_actlines *l)
{
	int64_t t = INT64_MAX;
	size_t i;

	if (!l)
		return t;
	for (i = 0; i < l->n; i++)
		if (l->line[i].release_at && l->line[i].release_at < t)
			t = l->line[i].release_at;
	return t;
}

int cs_actlines_due(struct cs_actlines *l, int64_t now_ns)
{
	size_t i;
	int n = 0;

	if (!l)
		return -EINVAL;
	for (i = 0; i < l->n; i++) {
		struct line *x = &l->line[i];

		if (!x->release_at || now_ns < x->release_at)
			continue;
		n++;
		if (release_once(l, x)) {
			report(l, x, CS_ACT_RELEASED);
			continue;
		}
		x->cause = "after a GPIO error";
		x->release_at = now_ns + l->retry_ns;
		report(l, x, CS_ACT_GPIO);
	}
	return n;
}

/* A failed release at the end is retried after a short pause (a line
 * busy for a moment, a chip being rebound), at most 100 ms. */
static void pause_before_retry(int64_t ns)
{
	struct timespec ts;

	if (ns > 100000000)
		ns = 100000000;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)ns;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int cs_actlines_release_all(struct cs_actlines *l, unsigned int attempts)
{
	size_t i;
	int left = 0;

	if (!l)
		return -EINVAL;
	for (i = 0; i < l->n; i++) {
		struct line *x = &l->line[i];
		unsigned int k;
		int ok = 0;

		if (!x->may_be_high && !x->release_at)
			continue;
		x->cause = "stop";
		for (k = 0; k < attempts && !ok; k++) {
			if (k)
				pause_before_retry(l->retry_ns);
			ok = release_once(l, x);
		}
		report(l, x, ok ? CS_ACT_RELEASED : CS_ACT_GPIO);
		left += !ok;
	}
	return left;
}

int cs_actlines_level(const struct cs_actlines *l, int actuator)
{
	int i = cs_actlines_find(l, actuator);

	return i < 0 ? i : l->line[i].level;
}
