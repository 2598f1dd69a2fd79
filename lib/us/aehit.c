// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Acoustic-emission hit detection on a continuous stream, with the
 * conventional threshold, PDT, HDT and HLT (see cellsense-us.h).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

struct cs_aehit_detector {
	struct cs_aehit_config cfg;
	uint64_t pdt, hdt, hlt, maxdur;	/* in samples */
	uint64_t pos;			/* index of the next sample */
	uint64_t locked_until;		/* no hit starts before this */
	int in_hit, above, peak_fixed;
	struct cs_aehit h;
	uint64_t last_cross, peak_at;
	double energy;			/* sum of x^2 up to now */
	double energy_at_last;		/* ... up to the last crossing */
};

double cs_ae_db_to_counts(double db, double ref)
{
	return ref * pow(10.0, db / 20.0);
}

double cs_ae_counts_to_db(double counts, double ref)
{
	return 20.0 * log10(fabs(counts) / ref);
}

static uint64_t samples_of(double s, double rate)
{
	double v = llround(s * rate);

	return v < 1.0 ? 1 : (uint64_t)v;
}

struct cs_aehit_detector *
cs_aehit_detector_create(const struct cs_aehit_config *cfg)
{
	struct cs_aehit_detector *q;

	if (!cfg || !(cfg->rate_hz > 0.0) || !isfinite(cfg->rate_hz) ||
	    !(cfg->threshold > 0.0) || !isfinite(cfg->threshold) ||
	    !(cfg->pdt_s >= 0.0) || !isfinite(cfg->pdt_s) ||
	    !(cfg->hdt_s * cfg->rate_hz >= 1.0) || !isfinite(cfg->hdt_s) ||
	    !(cfg->hlt_s >= 0.0) || !isfinite(cfg->hlt_s) ||
	    !(cfg->max_duration_s > cfg->hdt_s)) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->cfg = *cfg;
	/* PDT 0 is off: the peak is the hit's largest */
	q->pdt = cfg->pdt_s > 0.0 ? samples_of(cfg->pdt_s, cfg->rate_hz) :
				    UINT64_MAX;
	q->hdt = samples_of(cfg->hdt_s, cfg->rate_hz);
	q->hlt = cfg->hlt_s > 0.0 ? samples_of(cfg->hlt_s, cfg->rate_hz) : 0;
	q->maxdur = isfinite(cfg->max_duration_s) ?
		    samples_of(cfg->max_duration_s, cfg->rate_hz) : UINT64_MAX;
	return q;
}

void cs_aehit_detector_destroy(struct cs_aehit_detector *q)
{
	free(q);
}

void cs_aehit_detector_reset(struct cs_aehit_detector *q)
{
	struct cs_aehit_config cfg = q->cfg;
	uint64_t pdt = q->pdt, hdt = q->hdt, hlt = q->hlt, md = q->maxdur;

	memset(q, 0, sizeof(*q));
	q->cfg = cfg;
	q->pdt = pdt;
	q->hdt = hdt;
	q->hlt = hlt;
	q->maxdur = md;
}

/* Close the open hit at its last crossing. */
static void end_hit(struct cs_aehit_detector *q, struct cs_aehit *hit,
		    int truncated)
{
	double rate = q->cfg.rate_hz;

	q->h.duration_s = (double)(q->last_cross - q->h.start) / rate;
	q->h.rise_s = (double)(q->peak_at - q->h.start) / rate;
	q->h.energy = q->energy_at_last / rate;
	q->h.truncated = truncated;
	*hit = q->h;
	q->in_hit = 0;
	q->locked_until = q->last_cross + q->hdt + q->hlt;
}

int cs_aehit_detector_push(struct cs_aehit_detector *q, double x,
			   struct cs_aehit *hit)
{
	double thr = q->cfg.threshold, ax = fabs(x);
	uint64_t t = q->pos++;
	int crossed = ax >= thr, ended = 0;

	if (q->in_hit) {
		if (t - q->last_cross > q->hdt) {
			end_hit(q, hit, 0);
			ended = 1;
		} else if (t - q->h.start >= q->maxdur) {
			end_hit(q, hit, 1);
			ended = 1;
		}
	}
	if (q->in_hit) {
		q->energy += x * x;
		if (crossed) {
			q->last_cross = t;
			q->energy_at_last = q->energy;
		}
		if (!q->peak_fixed && t - q->peak_at > q->pdt)
			q->peak_fixed = 1;
		if (!q->peak_fixed && ax > q->h.peak) {
			q->h.peak = ax;
			q->peak_at = t;
		}
		if (x >= thr && !q->above)
			q->h.counts++;
	} else if (crossed && t >= q->locked_until) {
		memset(&q->h, 0, sizeof(q->h));
		q->in_hit = 1;
		q->peak_fixed = 0;
		q->h.start = t;
		q->h.peak = ax;
		q->h.counts = x >= thr ? 1 : 0;
		q->peak_at = t;
		q->last_cross = t;
		q->energy = x * x;
		q->energy_at_last = q->energy;
	}
	q->above = x >= thr;
	return ended;
}

size_t cs_aehit_detector_execute_block(struct cs_aehit_detector *q,
				       const double *x, size_t n,
				       struct cs_aehit *hits, size_t max,
				       size_t *used)
{
	size_t i, got = 0;

	for (i = 0; i < n && got < max; i++)
		got += (size_t)cs_aehit_detector_push(q, x[i], &hits[got]);
	if (used)
		*used = i;
	return got;
}

int cs_aehit_detector_gap(struct cs_aehit_detector *q, uint64_t n,
			  struct cs_aehit *hit)
{
	int ended = 0;

	if (q->in_hit) {
		end_hit(q, hit, 1);
		ended = 1;
	}
	q->pos += n;
	q->above = 0;
	return ended;
}

int cs_aehit_detector_finish(struct cs_aehit_detector *q,
			     struct cs_aehit *hit)
{
	if (!q->in_hit)
		return 0;
	/* ended on its own if HDT passed before the stream did */
	end_hit(q, hit, q->pos - q->last_cross <= q->hdt);
	return 1;
}

int cs_aehit_detector_end_record(struct cs_aehit_detector *q,
				 struct cs_aehit *hit)
{
	int ended = 0;

	if (q->in_hit) {
		/* the record is the whole transient: the hit ends with it */
		end_hit(q, hit, 0);
		ended = 1;
	}
	cs_aehit_detector_reset(q);
	return ended;
}

double cs_ae_counts_to_dbae(double counts, const struct cs_ae_scale *s)
{
	return 20.0 * log10(fabs(counts) * s->volts_per_count /
			    pow(10.0, s->gain_db / 20.0) / 1e-6);
}

double cs_ae_dbae_to_counts(double dbae, const struct cs_ae_scale *s)
{
	return 1e-6 * pow(10.0, (dbae + s->gain_db) / 20.0) /
	       s->volts_per_count;
}

double cs_ae_energy_to_eu(double counts2_s, const struct cs_ae_scale *s)
{
	double v = s->volts_per_count / pow(10.0, s->gain_db / 20.0);

	return counts2_s * v * v / 1e-14;
}

uint64_t cs_aehit_detector_samples(const struct cs_aehit_detector *q)
{
	return q->pos;
}
