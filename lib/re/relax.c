// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Lithium plating from the relaxation after a charge (cellsense-re.h): the
 * rest's potential averaged in log-time bins, and a slope that grows again
 * (a plateau ended by a steepening) where a clean relaxation's only shrinks;
 * the charge stripped during the plateau from its length.
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
	int64_t run_last_ns;	/* its last reading */
	double below_as;	/* charge passed below plateau_max, A s */
	int64_t rest_ns;
	double last_s;		/* the rest's last reading, s after rest_ns */
	unsigned int nbins;
	struct bin bin[MAX_BINS];
};

static const char *const verdict_names[] = { "none", "plating", "unsure" };
static const char *const strip_names[] = {
	"ok", "uncalibrated", "truncated", "unsure",
};

const char *cs_relax_strip_status_name(enum cs_relax_strip_status s)
{
	return (unsigned int)s < 4 ? strip_names[s] : NULL;
}

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
	    cfg->min_bins < 4 || isinf(cfg->plateau_max) ||
	    !(cfg->strip_a >= 0.0) || !isfinite(cfg->strip_a) ||
	    !(cfg->strip_u >= 0.0) || !isfinite(cfg->strip_u)) {
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

/* The vertex of a parabola through three slopes, in their spacings from
 * the middle one, within half a spacing. */
static double vertex(const double *sl)
{
	double den = sl[0] - 2.0 * sl[1] + sl[2];
	double d = den < 0.0 ? 0.5 * (sl[0] - sl[2]) / den : 0.0;

	return fmax(-0.5, fmin(0.5, d));
}

/*
 * The steepest rise within its bin: the vertex of a parabola through the
 * slopes of segments k0 - 1, k0, k0 + 1 over the log of their midpoints'
 * times (the bins are even in log-time), so that the plateau's length is
 * not quantised to the bins (a third of a decade's eighth, 33 %). Its
 * uncertainty: each slope's noise carried through the vertex, and a third
 * of the bin's uniform spread (end_u / 3) for a slope profile that is no
 * parabola (on resim's model and the test's own shapes the vertex lands
 * that close; see test-relax.c); at most end_u.
 */
static double rise_time(const struct point *p, const double *y,
			unsigned int n, unsigned int k0, double *u)
{
	double m[3], sl[3], su[3], d, var = 0.0, h, t;
	double bin_u = (p[k0 + 1].t - p[k0].t) / sqrt(12.0);

	*u = bin_u;
	if (k0 < 1 || k0 + 2 >= n)
		return 0.5 * (p[k0].t + p[k0 + 1].t);
	for (int j = 0; j < 3; j++) {
		unsigned int k = k0 - 1 + (unsigned int)j;

		m[j] = 0.5 * (log(p[k].t) + log(p[k + 1].t));
		sl[j] = slope(p, y, k, k + 1);
		su[j] = hypot(p[k].u, p[k + 1].u) / (p[k + 1].t - p[k].t);
	}
	d = vertex(sl);
	h = 0.5 * (m[2] - m[0]);
	for (int j = 0; j < 3; j++) {
		double s2[3] = { sl[0], sl[1], sl[2] }, dd;

		s2[j] += su[j];
		dd = vertex(s2) - d;
		var += dd * dd;
	}
	t = exp(m[1] + d * h);
	*u = fmin(bin_u, hypot(t * h * sqrt(var), bin_u / 3.0));
	return t;
}

static void judge_shape(struct cs_relax *q, struct cs_relax_result *res)
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
	res->rise_s = res->rise_u = NAN;
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
		/* the steepest between the last two bins: the rise may
		 * steepen further after the rest, its end is not seen */
		res->end_last = k0 + 2 == n;
		res->end_s = 0.5 * (p[k0].t + p[k0 + 1].t);
		res->end_u = (p[k0 + 1].t - p[k0].t) / sqrt(12.0);
		res->rise_s = rise_time(p, y, n, k0, &res->rise_u);
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

/*
 * The stripped charge, once the shape is judged. Why the plateau's length
 * times a calibrated current and not the data alone: at rest no current
 * flows outside the cell, so the re-intercalation leaves no trace in the
 * current; during the plateau the anode reads the lithium's mixed
 * potential, which rises as the lithium's share of the surface shrinks
 * (the opposite sign of the graphite filling up), so its drift over the
 * graphite's dV/dQ is not the rate either. What the data do give is an
 * upper bound: lithium plates only where the anode is below 0 V vs
 * Li/Li+, so at most the charge passed below plateau_max plated.
 */
static void strip(const struct cs_relax *q, struct cs_relax_result *res)
{
	double ia = q->cfg.strip_a, iu = q->cfg.strip_u;
	double b = res->bound_ah;

	res->stripped_ah = res->stripped_u = NAN;
	if (res->verdict == CS_RELAX_UNSURE) {
		res->strip_status = CS_RELAX_STRIP_UNSURE;
		return;
	}
	if (res->verdict == CS_RELAX_NONE) {
		/* no plateau; but lithium whose stripping current falls
		 * with its area from the start makes none either, a rise as
		 * smooth as a clean one's: anything up to the bound (0 when
		 * the anode never came near 0 V) */
		res->strip_status = CS_RELAX_STRIP_OK;
		res->stripped_ah = 0.0;
		res->stripped_u = b / sqrt(3.0);
		return;
	}
	if (!(ia > 0.0)) {
		/* anywhere from nothing to the bound */
		res->strip_status = CS_RELAX_STRIP_UNCALIBRATED;
		res->stripped_ah = 0.5 * b;
		res->stripped_u = b / sqrt(12.0);
		return;
	}
	if (res->ongoing || res->end_last) {
		/* the steepest rise in the last bins: the plateau lasted at
		 * least to the last bin but one. Still near 0 V at the end,
		 * no rise time to take (the last lithium strips slowly, so
		 * ia times the rest is no bound either): nan */
		res->strip_status = CS_RELAX_STRIP_TRUNCATED;
		if (!res->ongoing)
			res->stripped_ah = ia * (res->end_s - sqrt(3.0) *
						 res->end_u) / 3600.0;
		return;
	}
	res->strip_status = CS_RELAX_STRIP_OK;
	res->stripped_ah = ia * res->rise_s / 3600.0;
	res->stripped_u = hypot(ia * res->rise_u, iu * res->rise_s) / 3600.0;
}

static void judge(struct cs_relax *q, struct cs_relax_result *res)
{
	judge_shape(q, res);
	res->bound_ah = isnan(q->cfg.plateau_max) ? NAN :
			q->below_as / 3600.0;
	strip(q, res);
}

/* The charge passed below plateau_max, by the readings' intervals. */
static void charge_below(struct cs_relax *q, int64_t t_ns, double v, double i)
{
	if (!isnan(v) && v <= q->cfg.plateau_max && i > 0.0 &&
	    t_ns > q->run_last_ns)
		q->below_as += i * (double)(t_ns - q->run_last_ns) * 1e-9;
	q->run_last_ns = t_ns;
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
	q->run_last_ns = t_ns;
	q->below_as = 0.0;
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
			charge_below(q, t_ns, v, i);
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
		charge_below(q, t_ns, v, i);
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
