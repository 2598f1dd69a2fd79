// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Series resistance of each electrode from current steps: the jump of its
 * potential over the jump of the current, between the last settled
 * reading before the step and the first one settle_s after it began. See
 * cellsense-re.h.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

struct cs_re_irstep {
	struct cs_re_irstep_config cfg;
	int have_before, stepping;
	double before[CS_RE_NCH], ubefore[CS_RE_NCH];
	int64_t t_step, t_before;
	/* inverse-variance weighted means of the steps' estimates */
	double w[2], wr[2];
	unsigned long steps;
};

struct cs_re_irstep *cs_re_irstep_create(const struct cs_re_irstep_config *cfg)
{
	struct cs_re_irstep *q;

	if (!cfg || !(cfg->min_step_a > 0.0) ||
	    !(cfg->settle_s >= 0.0 && cfg->settle_s <= 1e6)) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->cfg = *cfg;
	return q;
}

void cs_re_irstep_destroy(struct cs_re_irstep *q)
{
	free(q);
}

static int finite_scan(const double *v)
{
	for (int ch = 0; ch < CS_RE_NCH; ch++)
		if (!isfinite(v[ch]))
			return 0;
	return 1;
}

int cs_re_irstep_execute(struct cs_re_irstep *q, int64_t t_ns, const double *v,
			 const double *u, struct cs_re_irstep_result *res)
{
	double di, ub, ua;

	if (!finite_scan(v) || !finite_scan(u))
		return 0;
	if (!q->stepping) {
		double d = q->have_before ?
			   fabs(v[CS_RE_CURRENT] - q->before[CS_RE_CURRENT]) :
			   0.0;

		if (d > q->cfg.min_step_a) {
			/* more than a step since the anchor, at most
			 * settle_s old: a step */
			q->stepping = 1;
			q->t_step = t_ns;
			return 0;
		}
		/* the anchor renewed once every settle_s: a ramp slower
		 * than min_step_a per settle_s never makes a step */
		if (!q->have_before ||
		    (double)(t_ns - q->t_before) >= q->cfg.settle_s * 1e9) {
			memcpy(q->before, v, sizeof(q->before));
			memcpy(q->ubefore, u, sizeof(q->ubefore));
			q->t_before = t_ns;
			q->have_before = 1;
		}
		return 0;
	}
	if ((double)(t_ns - q->t_step) < q->cfg.settle_s * 1e9)
		return 0;
	q->stepping = 0;
	di = v[CS_RE_CURRENT] - q->before[CS_RE_CURRENT];
	memset(res, 0, sizeof(*res));
	res->onset_ns = q->t_step;
	res->delta_a = di;
	if (fabs(di) <= q->cfg.min_step_a) {
		/* a blip, back where it was: no step */
		memcpy(q->before, v, sizeof(q->before));
		memcpy(q->ubefore, u, sizeof(q->ubefore));
		return 0;
	}
	for (int e = 0; e < 2; e++) {
		int ch = e ? CS_RE_ANODE : CS_RE_CATHODE;
		/* the anode falls as a charge current rises */
		double sign = e ? -1.0 : 1.0;

		res->r[e] = sign * (v[ch] - q->before[ch]) / di;
		ub = q->ubefore[ch];
		ua = u[ch];
		res->u[e] = hypot(ub, ua) / fabs(di);
		if (res->u[e] > 0.0) {
			q->w[e] += 1.0 / (res->u[e] * res->u[e]);
			q->wr[e] += res->r[e] / (res->u[e] * res->u[e]);
		}
	}
	memcpy(q->before, v, sizeof(q->before));
	memcpy(q->ubefore, u, sizeof(q->ubefore));
	q->steps++;
	return 1;
}

double cs_re_irstep_resistance(const struct cs_re_irstep *q, int anode,
			       double *u)
{
	int e = anode ? 1 : 0;

	if (!(q->w[e] > 0.0)) {
		if (u)
			*u = NAN;
		return NAN;
	}
	if (u)
		*u = 1.0 / sqrt(q->w[e]);
	return q->wr[e] / q->w[e];
}

unsigned long cs_re_irstep_steps(const struct cs_re_irstep *q)
{
	return q->steps;
}
