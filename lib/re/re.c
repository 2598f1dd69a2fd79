// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reference electrodes: OCV curves of the model cell, mains rejection
 * (liquid-dsp FIR), reference-drift correction against rest periods and
 * the lithium-plating warning. See cellsense-re.h.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <liquid/liquid.h>

#include "cellsense.h"

static const char *const channel_names[CS_RE_NCH] = {
	"cell", "cathode", "anode", "current",
};

const char *cs_re_channel_name(unsigned int ch)
{
	return ch < CS_RE_NCH ? channel_names[ch] : NULL;
}

/* ---------------------------------------------------------------------
 * OCV curves. Smooth analytic shapes with the features that matter here:
 * NMC rising from ~3.5 to 4.25 V; graphite falling steeply at low
 * lithiation and flat at 80-200 mV over most of the range.
 */
static double clamp01(double x)
{
	return x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x;
}

double cs_re_ocv_cathode(double soc)
{
	double s = clamp01(soc);

	return 3.62 + 0.55 * s + 0.08 * s * s - 0.12 * exp(-s / 0.03);
}

double cs_re_ocv_anode(double soc)
{
	double s = clamp01(soc);

	return 0.08 + 0.12 * (1.0 - s) + 0.5 * exp(-s / 0.05);
}

double cs_re_soc_from_ocv(double volts)
{
	double lo = 0.0, hi = 1.0;

	if (volts <= cs_re_ocv_cathode(0.0) - cs_re_ocv_anode(0.0))
		return 0.0;
	if (volts >= cs_re_ocv_cathode(1.0) - cs_re_ocv_anode(1.0))
		return 1.0;
	for (int i = 0; i < 60; i++) {
		double mid = 0.5 * (lo + hi);

		if (cs_re_ocv_cathode(mid) - cs_re_ocv_anode(mid) < volts)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

/* ---------------------------------------------------------------------
 * Mains rejection.
 */
struct cs_re_filter {
	struct cs_re_filter_config cfg;
	unsigned int ntaps;
	float *h;
	firfilt_rrrf f[CS_RE_NCH];
	double ref[CS_RE_NCH];	/* subtracted before the float filter */
	unsigned long pushed;
	int64_t *times;		/* of the last ntaps inputs, a ring */
};

struct cs_re_filter *cs_re_filter_create(const struct cs_re_filter_config *cfg)
{
	struct cs_re_filter *q;
	double df;
	unsigned int n;

	if (!cfg || !(cfg->fs >= 1.0 && cfg->fs <= 1e6) ||
	    !(cfg->pass_hz > 0.0) || !(cfg->stop_hz > cfg->pass_hz) ||
	    !(cfg->stop_hz < cfg->fs / 2.0) ||
	    !(cfg->atten_db >= 20.0 && cfg->atten_db <= 120.0)) {
		errno = EINVAL;
		return NULL;
	}
	df = (cfg->stop_hz - cfg->pass_hz) / cfg->fs;
	n = estimate_req_filter_len((float)df, (float)cfg->atten_db);
	n |= 1;			/* odd: a whole-sample delay */
	if (n < 3)
		n = 3;
	if (n > 65535) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->cfg = *cfg;
	q->ntaps = n;
	q->h = malloc(n * sizeof(*q->h));
	q->times = calloc(n, sizeof(*q->times));
	if (!q->h || !q->times)
		goto fail;
	/* cut-off midway through the transition band */
	if (liquid_firdes_kaiser(n, (float)(0.5 * (cfg->pass_hz + cfg->stop_hz) /
					    cfg->fs),
				 (float)cfg->atten_db, 0.0f, q->h)) {
		errno = EINVAL;
		goto fail;
	}
	{
		/* unit gain at DC, exactly */
		double sum = 0.0;

		for (unsigned int i = 0; i < n; i++)
			sum += q->h[i];
		for (unsigned int i = 0; i < n; i++)
			q->h[i] = (float)(q->h[i] / sum);
	}
	for (int ch = 0; ch < CS_RE_NCH; ch++) {
		q->f[ch] = firfilt_rrrf_create(q->h, n);
		if (!q->f[ch]) {
			errno = ENOMEM;
			goto fail;
		}
	}
	return q;
fail:
	cs_re_filter_destroy(q);
	return NULL;
}

void cs_re_filter_destroy(struct cs_re_filter *q)
{
	if (!q)
		return;
	for (int ch = 0; ch < CS_RE_NCH; ch++)
		if (q->f[ch])
			firfilt_rrrf_destroy(q->f[ch]);
	free(q->h);
	free(q->times);
	free(q);
}

void cs_re_filter_reset(struct cs_re_filter *q)
{
	for (int ch = 0; ch < CS_RE_NCH; ch++)
		firfilt_rrrf_reset(q->f[ch]);
	q->pushed = 0;
}

unsigned int cs_re_filter_taps(const struct cs_re_filter *q)
{
	return q->ntaps;
}

unsigned int cs_re_filter_delay(const struct cs_re_filter *q)
{
	return (q->ntaps - 1) / 2;
}

int cs_re_filter_execute(struct cs_re_filter *q, const double *in, double *out)
{
	if (q->pushed == 0)
		for (int ch = 0; ch < CS_RE_NCH; ch++)
			q->ref[ch] = isfinite(in[ch]) ? in[ch] : 0.0;
	for (int ch = 0; ch < CS_RE_NCH; ch++) {
		float y;

		firfilt_rrrf_push(q->f[ch], (float)(in[ch] - q->ref[ch]));
		firfilt_rrrf_execute(q->f[ch], &y);
		out[ch] = (double)y + q->ref[ch];
	}
	q->pushed++;
	return q->pushed >= q->ntaps;
}

int cs_re_filter_execute_timed(struct cs_re_filter *q, int64_t t_in,
			       const double *in, double *out, int64_t *t_out)
{
	unsigned int d = cs_re_filter_delay(q);

	q->times[q->pushed % q->ntaps] = t_in;
	/* the input d pushes ago; before the filter is full, the oldest */
	*t_out = q->times[(q->pushed >= d ? q->pushed - d : 0) % q->ntaps];
	return cs_re_filter_execute(q, in, out);
}

size_t cs_re_filter_execute_block(struct cs_re_filter *q, const double *in,
				  size_t n, double *out)
{
	size_t valid = 0;

	for (size_t i = 0; i < n; i++) {
		if (cs_re_filter_execute(q, in + i * CS_RE_NCH,
					 out + i * CS_RE_NCH))
			valid++;
	}
	return valid;
}

double cs_re_filter_gain(const struct cs_re_filter *q, double hz)
{
	double re = 0.0, im = 0.0, w = 2.0 * M_PI * hz / q->cfg.fs;

	for (unsigned int i = 0; i < q->ntaps; i++) {
		re += q->h[i] * cos(w * i);
		im -= q->h[i] * sin(w * i);
	}
	return hypot(re, im);
}

double cs_re_filter_noise_gain(const struct cs_re_filter *q)
{
	double ss = 0.0;

	for (unsigned int i = 0; i < q->ntaps; i++)
		ss += (double)q->h[i] * q->h[i];
	return sqrt(ss);
}

/* ---------------------------------------------------------------------
 * Noise of the raw samples.
 */
#define NOISE_D4_GAIN 70.0	/* 1 + 16 + 36 + 16 + 1 */
#define NOISE_CLIP2 9.0		/* clip at 3 sigma ... */
#define NOISE_CLIP_MEAN 0.99501	/* ... E[min(Z^2, 9)], Z normal */
#define NOISE_WARMUP 200.0

struct cs_re_noise {
	double alpha;		/* weight of a new square, 1 / memory */
	double warmup;		/* differences averaged plainly first */
	double x[CS_RE_NCH][4];	/* the last four samples, newest first */
	unsigned int have[CS_RE_NCH];	/* of them, valid (up to 4) */
	double seen[CS_RE_NCH];	/* differences so far */
	double var[CS_RE_NCH];	/* of the samples' noise */
};

struct cs_re_noise *cs_re_noise_create(double memory)
{
	struct cs_re_noise *q;

	if (!(memory >= 10.0 && memory <= 1e9)) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->alpha = 1.0 / memory;
	q->warmup = memory < NOISE_WARMUP ? memory : NOISE_WARMUP;
	return q;
}

void cs_re_noise_destroy(struct cs_re_noise *q)
{
	free(q);
}

void cs_re_noise_execute(struct cs_re_noise *q, const double *scan)
{
	for (int ch = 0; ch < CS_RE_NCH; ch++) {
		double *x = q->x[ch], v = scan[ch], d, s;

		if (!isfinite(v)) {
			q->have[ch] = 0;
			continue;
		}
		if (q->have[ch] == 4) {
			d = v - 4.0 * x[0] + 6.0 * x[1] - 4.0 * x[2] + x[3];
			s = d * d / NOISE_D4_GAIN;
			if (q->seen[ch] < q->warmup) {
				q->seen[ch] += 1.0;
				q->var[ch] += (s - q->var[ch]) / q->seen[ch];
			} else {
				/* clipped, then the clipping's bias out */
				if (s > NOISE_CLIP2 * q->var[ch])
					s = NOISE_CLIP2 * q->var[ch];
				q->var[ch] += q->alpha *
					      (s / NOISE_CLIP_MEAN - q->var[ch]);
			}
		} else {
			q->have[ch]++;
		}
		x[3] = x[2];
		x[2] = x[1];
		x[1] = x[0];
		x[0] = v;
	}
}

double cs_re_noise_rms(const struct cs_re_noise *q, unsigned int ch)
{
	if (!q || ch >= CS_RE_NCH || q->seen[ch] < q->warmup)
		return NAN;
	return sqrt(q->var[ch]);
}

/* ---------------------------------------------------------------------
 * Reference drift.
 */
struct cs_re_drift {
	struct cs_re_drift_config cfg;
	int resting;
	int64_t rest_start;
	/* a line through this rest's residuals y at x s since its first
	 * sample (y less the first residual, against cancellation) */
	int64_t x0;
	double y0, sx, sxx, sy, sxy, syy;
	double hsum;		/* half-differences of the two */
	double usum;		/* the curves' stated uncertainty */
	unsigned long n;
	double offset;		/* NAN before the first rest */
	double u0;		/* its uncertainty at its time */
	int64_t offset_t;	/* time of the last estimate */
	double prev, prev_u;	/* estimate of the previous rest, or NAN */
	int64_t prev_t;
	double rate, rate_u;	/* V/ns between the last two rests */
	unsigned long rests, outside;
};

struct cs_re_drift *cs_re_drift_create(const struct cs_re_drift_config *cfg)
{
	struct cs_re_drift *q;

	if (!cfg || !cfg->ocv || !(cfg->rest_current > 0.0) ||
	    !(cfg->rest_s > 0.0) ||
	    !(cfg->rate_limit > 0.0 && cfg->rate_limit <= 1.0) ||
	    !(cfg->corr_samples >= 1.0 && cfg->corr_samples <= 1e9)) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->cfg = *cfg;
	q->offset = NAN;
	q->prev = NAN;
	q->rate = NAN;
	q->rate_u = NAN;
	return q;
}

void cs_re_drift_destroy(struct cs_re_drift *q)
{
	free(q);
}

double cs_re_drift_offset(const struct cs_re_drift *q)
{
	return q->offset;
}

unsigned long cs_re_drift_rests(const struct cs_re_drift *q)
{
	return q->rests;
}

unsigned long cs_re_drift_outside(const struct cs_re_drift *q)
{
	return q->outside;
}

double cs_re_drift_rate(const struct cs_re_drift *q, double *u)
{
	if (u)
		*u = q->rate_u * 1e9;
	return q->rate * 1e9;
}

double cs_re_drift_uncertainty(const struct cs_re_drift *q, int64_t t_ns)
{
	double dt = (double)(t_ns - q->offset_t), since;

	if (isnan(q->offset))
		return NAN;
	if (dt < 0.0)
		dt = 0.0;
	if (isnan(q->rate))
		since = q->cfg.rate_limit * 1e-9 * dt / sqrt(3.0);
	else if (q->cfg.extrapolate)
		since = q->rate_u * dt;
	else
		since = fabs(q->rate) * dt;
	return hypot(q->u0, since);
}

/* One rested sample into the running estimate. */
static void rest_sample(struct cs_re_drift *q, int64_t t_ns, const double *v)
{
	double soc = cs_re_ocvtab_soc(q->cfg.ocv, v[CS_RE_CELL]);
	double oc, oa, uo, rc, ra, x, y, n, xm, ym, cxx, cxy, cyy, b, var,
	       lever;

	if (cs_re_ocvtab_eval(q->cfg.ocv, soc, &oc, &oa, &uo)) {
		q->outside++;
		return;
	}
	if (q->n == 0) {
		/* a new rest: the last one becomes the previous estimate */
		q->prev = q->offset;
		q->prev_u = q->u0;
		q->prev_t = q->offset_t;
		q->rests++;
		q->x0 = t_ns;
		q->y0 = 0.5 * ((oc - v[CS_RE_CATHODE]) + (oa - v[CS_RE_ANODE]));
		q->sx = q->sxx = q->sy = q->sxy = q->syy = 0.0;
		q->hsum = q->usum = 0.0;
	}
	rc = oc - v[CS_RE_CATHODE];
	ra = oa - v[CS_RE_ANODE];
	x = (double)(t_ns - q->x0) * 1e-9;
	y = 0.5 * (rc + ra) - q->y0;
	q->sx += x;
	q->sxx += x * x;
	q->sy += y;
	q->sxy += x * y;
	q->syy += y * y;
	q->hsum += 0.5 * (rc - ra);
	q->usum += uo;
	n = (double)++q->n;
	xm = q->sx / n;
	ym = q->sy / n;
	cxx = q->sxx - n * xm * xm;
	cxy = q->sxy - n * xm * ym;
	cyy = q->syy - n * ym * ym;
	/* the reference drifts during a long rest too: the line's value
	 * now, not the rest's mean, which lags by half the rest */
	b = n >= 10.0 && cxx > 0.0 ? cxy / cxx : 0.0;
	var = n > 2.0 ? (cyy - b * cxy) / (n - 2.0) : cyy / n;
	if (var < 0.0)
		var = 0.0;
	lever = 1.0 / n + (b != 0.0 ? (x - xm) * (x - xm) / cxx : 0.0);
	q->offset = q->y0 + ym + b * (x - xm);
	q->offset_t = t_ns;
	/* scatter of the line, the two residuals' mean disagreement (what
	 * the curves do not explain), the curves' own uncertainty */
	q->u0 = sqrt(var * q->cfg.corr_samples * lever +
		     pow(q->hsum / n, 2) + pow(q->usum / n, 2));
	if (isfinite(q->prev) && t_ns > q->prev_t) {
		double span = (double)(t_ns - q->prev_t);

		q->rate = (q->offset - q->prev) / span;
		q->rate_u = hypot(q->u0, q->prev_u) / span;
	}
}

int cs_re_drift_execute(struct cs_re_drift *q, int64_t t_ns, double *v)
{
	int estimating = 0;
	double corr = 0.0;

	if (isfinite(v[CS_RE_CURRENT]) &&
	    fabs(v[CS_RE_CURRENT]) < q->cfg.rest_current) {
		if (!q->resting) {
			q->resting = 1;
			q->rest_start = t_ns;
			q->n = 0;
		}
		if ((double)(t_ns - q->rest_start) >= q->cfg.rest_s * 1e9 &&
		    isfinite(v[CS_RE_CELL]) && isfinite(v[CS_RE_CATHODE]) &&
		    isfinite(v[CS_RE_ANODE])) {
			rest_sample(q, t_ns, v);
			estimating = q->n > 0;
		}
	} else {
		q->resting = 0;
	}
	if (isfinite(q->offset)) {
		corr = q->offset;
		if (!estimating && q->cfg.extrapolate && isfinite(q->rate))
			corr += q->rate * (double)(t_ns - q->offset_t);
	}
	v[CS_RE_CATHODE] += corr;
	v[CS_RE_ANODE] += corr;
	return estimating;
}

/* ---------------------------------------------------------------------
 * Plating warning.
 */
static const char *const level_names[] = { "none", "warning", "plating" };

const char *cs_plating_level_name(enum cs_plating_level level)
{
	return (unsigned int)level <= CS_PLATING_PLATING ? level_names[level]
							  : NULL;
}

/* One level's candidate run below its limit. */
struct run {
	int active;		/* below the limit, not yet back above +hyst */
	int64_t onset;
	double min;
};

struct cs_plating {
	struct cs_plating_config cfg;
	struct run run[3];	/* [WARNING], [PLATING] */
	enum cs_plating_level level;
};

struct cs_plating *cs_plating_create(const struct cs_plating_config *cfg)
{
	struct cs_plating *q;

	if (!cfg || !(cfg->threshold >= -1.0 && cfg->threshold <= 1.0) ||
	    !(cfg->margin >= 0.0 && cfg->margin <= 1.0) ||
	    !(cfg->hysteresis >= 0.0 && cfg->hysteresis <= 1.0) ||
	    !(cfg->hold_s >= 0.0 && cfg->hold_s <= 1e6)) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->cfg = *cfg;
	return q;
}

void cs_plating_destroy(struct cs_plating *q)
{
	free(q);
}

void cs_plating_reset(struct cs_plating *q)
{
	memset(q->run, 0, sizeof(q->run));
	q->level = CS_PLATING_NONE;
}

static double limit(const struct cs_plating *q, int lv)
{
	return lv == CS_PLATING_PLATING ? q->cfg.threshold
					: q->cfg.threshold + q->cfg.margin;
}

int cs_plating_execute(struct cs_plating *q, int64_t t_ns, double anode,
		       struct cs_plating_event *ev)
{
	enum cs_plating_level want = CS_PLATING_NONE;
	int64_t hold = (int64_t)llround(q->cfg.hold_s * 1e9);

	if (!q || !ev)
		return -EINVAL;
	if (isnan(anode))
		return 0;
	for (int lv = CS_PLATING_WARNING; lv <= CS_PLATING_PLATING; lv++) {
		struct run *r = &q->run[lv];
		double lim = limit(q, lv);

		if (!r->active && anode < lim) {
			r->active = 1;
			r->onset = t_ns;
			r->min = anode;
		} else if (r->active && anode > lim + q->cfg.hysteresis) {
			r->active = 0;
		}
		if (r->active) {
			if (anode < r->min)
				r->min = anode;
			/* raised once held; kept while the run lasts */
			if (t_ns - r->onset >= hold || (int)q->level >= lv)
				want = (enum cs_plating_level)lv;
		}
	}
	if (want == q->level)
		return 0;
	memset(ev, 0, sizeof(*ev));
	ev->previous = q->level;
	ev->level = want;
	ev->time_ns = t_ns;
	{
		/* the run of the higher of the two levels involved */
		int lv = want > q->level ? want : q->level;
		const struct run *r = &q->run[lv];

		ev->onset_ns = r->onset;
		ev->min_potential = r->min;
		if (want < q->level && want != CS_PLATING_NONE)
			ev->min_potential = q->run[want].min;
	}
	ev->duration_s = (double)(t_ns - ev->onset_ns) * 1e-9;
	q->level = want;
	return 1;
}

enum cs_plating_level cs_plating_level(const struct cs_plating *q,
				       int64_t *onset_ns, double *min_potential)
{
	if (q->level != CS_PLATING_NONE) {
		if (onset_ns)
			*onset_ns = q->run[q->level].onset;
		if (min_potential)
			*min_potential = q->run[q->level].min;
	}
	return q->level;
}
