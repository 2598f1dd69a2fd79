// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Lithium plating from the relaxation after a charge (cellsense-re.h): the
 * rest's potential averaged in log-time bins, and a slope that grows again
 * (a plateau ended by a steepening) where a clean relaxation's only shrinks.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

#define PER_DECADE 8
#define MAX_BINS 128
#define MAX_SCALE 3	/* slopes across 1, 2 and 3 bins */

enum mode { IDLE, CHARGING, CHARGED, RESTING };

struct bin {
	double n, t, v, uu;	/* readings, sums of t (s), v, u^2 */
};

struct cs_relax {
	struct cs_relax_config cfg;
	enum mode mode;
	int64_t run_ns;		/* the charge's first reading */
	double run_sum, run_n;	/* of its current */
	int64_t rest_ns;
	double last_s;		/* the rest's last reading, s after rest_ns */
	unsigned int nbins;
	struct bin bin[MAX_BINS];
};

static const char *const verdict_names[] = { "none", "plating", "unsure" };

const char *cs_relax_verdict_name(enum cs_relax_verdict v)
{
	return (unsigned int)v < 3 ? verdict_names[v] : NULL;
}

struct cs_relax *cs_relax_create(const struct cs_relax_config *cfg)
{
	struct cs_relax *q;

	if (!cfg || !(cfg->charge_a > 0.0) || !(cfg->charge_s >= 0.0) ||
	    !(cfg->rest_fraction > 0.0 && cfg->rest_fraction < 1.0) ||
	    !(cfg->skip_s > 0.0) || !(cfg->max_rest_s > cfg->skip_s) ||
	    !isfinite(cfg->max_rest_s) || !(cfg->corr_samples >= 1.0) ||
	    !(cfg->floor_v >= 0.0) || !(cfg->z_unsure > 0.0) ||
	    !(cfg->z_plating > cfg->z_unsure) || !isfinite(cfg->z_plating) ||
	    cfg->min_bins < 4 || isinf(cfg->plateau_max)) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->cfg = *cfg;
	q->nbins = (unsigned int)ceil(PER_DECADE *
				      log10(cfg->max_rest_s / cfg->skip_s)) + 1;
	if (q->nbins > MAX_BINS)
		q->nbins = MAX_BINS;
	return q;
}

void cs_relax_destroy(struct cs_relax *q)
{
	free(q);
}

/* The bins with readings, as points: time (s), mean, its uncertainty. */
struct point {
	double t, v, u;
};

static unsigned int points(const struct cs_relax *q, struct point *p)
{
	unsigned int n = 0;

	for (unsigned int k = 0; k < q->nbins; k++) {
		const struct bin *b = &q->bin[k];
		double indep;

		if (!(b->n > 0.0))
			continue;
		/* correlated readings (a filter's output) count as fewer */
		indep = fmax(1.0, b->n / q->cfg.corr_samples);
		p[n].t = b->t / b->n;
		p[n].v = b->v / b->n;
		p[n].u = hypot(sqrt(b->uu / b->n / indep), q->cfg.floor_v);
		n++;
	}
	return n;
}

/* Slope of y over points a..b and the growth of one slope over another,
 * with the variance of the difference from each point's own coefficient
 * (two segments sharing an end point share its noise). */
static double slope(const struct point *p, const double *y, unsigned int a,
		    unsigned int b)
{
	return (y[b] - y[a]) / (p[b].t - p[a].t);
}

static double growth_z(const struct point *p, const double *y,
		       unsigned int a0, unsigned int a1, unsigned int b0,
		       unsigned int b1)
{
	double da = p[a1].t - p[a0].t, db = p[b1].t - p[b0].t;
	double ca[2] = { 1.0 / da, -1.0 / da };	/* -slope a: +y[a0] ... */
	double var = 0.0, g = slope(p, y, b0, b1) - slope(p, y, a0, a1);
	unsigned int idx[4] = { a0, a1, b0, b1 };
	double c[4] = { ca[0], ca[1], -1.0 / db, 1.0 / db };

	for (int i = 0; i < 4; i++) {
		double sum = c[i];

		if (isnan(sum))
			continue;
		for (int j = i + 1; j < 4; j++)
			if (idx[j] == idx[i]) {
				sum += c[j];
				c[j] = NAN;
			}
		var += sum * sum * p[idx[i]].u * p[idx[i]].u;
	}
	return var > 0.0 ? g / sqrt(var) : 0.0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void judge(struct cs_relax *q, struct cs_relax_result *res)
{
	struct point p[MAX_BINS];
	double y[MAX_BINS], us[MAX_BINS], sgn, umed, best = -INFINITY;
	unsigned int n = points(q, p), bj0 = 0, bj1 = 0;

	memset(res, 0, sizeof(*res));
	res->rest_ns = q->rest_ns;
	res->rest_s = q->last_s;
	res->charge_a = q->run_n > 0.0 ? q->run_sum / q->run_n : NAN;
	res->bins = n;
	res->z = NAN;
	res->end_s = res->end_u = res->plateau_v = res->limit_s = NAN;
	res->verdict = CS_RELAX_UNSURE;
	memset(q->bin, 0, sizeof(q->bin));
	if (n < q->cfg.min_bins) {
		res->why = "rest too short";
		return;
	}
	/* the relaxation made rising: a clean one is then concave */
	sgn = p[n - 1].v >= p[0].v ? 1.0 : -1.0;
	for (unsigned int k = 0; k < n; k++) {
		y[k] = sgn * p[k].v;
		us[k] = p[k].u;
	}
	/* a bin's typical uncertainty, for whether a plateau would show */
	qsort(us, n, sizeof(us[0]), cmp_double);
	umed = us[n / 2];
	for (unsigned int wa = 1; wa <= MAX_SCALE; wa++)
		for (unsigned int a = 0; a + wa < n; a++)
			for (unsigned int wb = 1; wb <= MAX_SCALE; wb++)
				for (unsigned int b = a + wa; b + wb < n; b++) {
					double z = growth_z(p, y, a, a + wa, b,
							    b + wb);

					if (z > best) {
						best = z;
						bj0 = b;
						bj1 = b + wb;
					}
				}
	res->z = best;
	if (best >= q->cfg.z_plating) {
		/* the plateau's end: the steepest slope from the growth on */
		double smax = -INFINITY;
		unsigned int k0 = bj0;

		for (unsigned int k = bj0; k < n - 1 && k < bj1 + MAX_SCALE;
		     k++)
			if (slope(p, y, k, k + 1) > smax) {
				smax = slope(p, y, k, k + 1);
				k0 = k;
			}
		/* the plateau: the lowest the relaxation was before */
		res->plateau_v = p[0].v;
		for (unsigned int k = 1; k <= bj0; k++)
			if (sgn * p[k].v < sgn * res->plateau_v)
				res->plateau_v = p[k].v;
		if (!isnan(q->cfg.plateau_max) &&
		    res->plateau_v > q->cfg.plateau_max) {
			res->why = "a steepening, but not from near 0 V";
			return;
		}
		res->verdict = CS_RELAX_PLATING;
		if (!isnan(q->cfg.plateau_max) &&
		    p[n - 1].v <= q->cfg.plateau_max) {
			/* it steepens, but has not left 0 V yet */
			res->why = "a plateau still going when the rest ended";
			res->end_s = q->last_s;
			res->ongoing = 1;
			return;
		}
		res->why = "a plateau ended by a steepening";
		res->end_s = 0.5 * (p[k0].t + p[k0 + 1].t);
		res->end_u = (p[k0 + 1].t - p[k0].t) / sqrt(12.0);
		return;
	}
	if (best >= q->cfg.z_unsure) {
		res->why = "a weak steepening";
		return;
	}
	/* would a plateau have shown? Near 0 V (the anode), the rise from
	 * there to where the rest ended; else the relaxation's own size */
	if (!isnan(q->cfg.plateau_max)) {
		if (p[n - 1].v <= q->cfg.plateau_max) {
			res->why = "still near 0 V at the end of the rest";
			return;
		}
		if (p[n - 1].v - q->cfg.plateau_max < 20.0 * umed) {
			res->why = "too noisy to show a plateau";
			return;
		}
	} else if (fabs(y[n - 1] - y[0]) < 20.0 * umed) {
		res->why = "too little relaxation for the noise";
		return;
	}
	res->verdict = CS_RELAX_NONE;
	res->why = "a clean relaxation";
	res->limit_s = p[2].t;
}

static void start_rest(struct cs_relax *q, int64_t t_ns)
{
	q->mode = RESTING;
	q->rest_ns = t_ns;
	q->last_s = 0.0;
	memset(q->bin, 0, sizeof(q->bin));
}

static void start_charge(struct cs_relax *q, int64_t t_ns, double i)
{
	q->mode = CHARGING;
	q->run_ns = t_ns;
	q->run_sum = i;
	q->run_n = 1.0;
}

int cs_relax_execute(struct cs_relax *q, int64_t t_ns, double v, double u,
		     double i, struct cs_relax_result *res)
{
	double rest_a, s;

	if (!q || !res)
		return -EINVAL;
	if (isnan(i))
		return 0;
	rest_a = q->cfg.rest_fraction *
		 (q->run_n > 0.0 ? q->run_sum / q->run_n : q->cfg.charge_a);
	switch (q->mode) {
	case IDLE:
		if (i > q->cfg.charge_a)
			start_charge(q, t_ns, i);
		return 0;
	case CHARGING:
		if (i > q->cfg.charge_a) {
			q->run_sum += i;
			q->run_n += 1.0;
			return 0;
		}
		if ((double)(t_ns - q->run_ns) * 1e-9 < q->cfg.charge_s) {
			q->mode = IDLE;	/* too short to count */
			q->run_n = 0.0;
			return 0;
		}
		q->mode = CHARGED;	/* a CV taper, or the cut itself */
		/* fall through */
	case CHARGED:
		if (fabs(i) < rest_a)
			start_rest(q, t_ns);
		else if (i < 0.0)
			q->mode = IDLE;	/* a discharge follows */
		else if (i > q->cfg.charge_a)
			q->mode = CHARGING;	/* it goes on */
		return 0;
	case RESTING:
	default:
		break;
	}
	s = (double)(t_ns - q->rest_ns) * 1e-9;
	/* before skip_s the current may still settle (a filter rings) */
	if ((fabs(i) >= rest_a && s >= q->cfg.skip_s) ||
	    s > q->cfg.max_rest_s) {
		judge(q, res);
		q->mode = IDLE;
		q->run_n = 0.0;
		if (i > q->cfg.charge_a)
			start_charge(q, t_ns, i);
		return 1;
	}
	if (s >= q->cfg.skip_s && !isnan(v) && !isnan(u)) {
		unsigned int k = (unsigned int)(PER_DECADE *
						log10(s / q->cfg.skip_s));
		struct bin *b;

		if (k >= q->nbins)
			k = q->nbins - 1;
		b = &q->bin[k];
		b->n += 1.0;
		b->t += s;
		b->v += v;
		b->uu += u * u;
		q->last_s = s;
	}
	return 0;
}

int cs_relax_finish(struct cs_relax *q, struct cs_relax_result *res)
{
	if (!q || !res || q->mode != RESTING)
		return 0;
	judge(q, res);
	q->mode = IDLE;
	q->run_n = 0.0;
	return 1;
}
