// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Synthetic ultrasonic A-scans and acoustic-emission streams with known
 * truth. Same generator as fbgsynth.c (cs-random.c: xoshiro256** +
 * Box-Muller, seeded by splitmix64) so that a seed gives the same data on
 * every machine.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"
#include "cs-random.h"

/* half amplitude at |f - f0| = B f0 / 2: sigma_f = B f0 / (2 sqrt(2 ln 2)) */
#define HALF_AMPLITUDE_K 2.3548200450309493
#define ORIGIN_SIGMAS 5.0

struct echo {
	double delay, amplitude;
	double sigma;		/* its envelope, samples (the pulse's unless
				 * set_echo_band changed it) */
};

struct cs_ussynth {
	struct cs_ussynth_config cfg;
	double sigma;		/* envelope, samples */
	double tc;		/* centre after the origin, samples */
	double w;		/* carrier, radians per sample */
	size_t len;
	struct echo e[CS_USSYNTH_MAX_ECHOES];
	struct cs_rng rng;
};

struct cs_ussynth *cs_ussynth_create(const struct cs_ussynth_config *cfg)
{
	struct cs_ussynth *q;
	double sf;

	if (!cfg || cfg->n < 16 || cfg->n > 1048576 || !(cfg->rate_hz > 0.0) ||
	    !isfinite(cfg->rate_hz) || !(cfg->f0_hz > 0.0) ||
	    !(cfg->f0_hz < cfg->rate_hz / 2.0) ||
	    !(cfg->bandwidth >= 0.05 && cfg->bandwidth <= 2.0) ||
	    !(cfg->noise_rms >= 0.0) || !isfinite(cfg->noise_rms) ||
	    !(cfg->atten_db_per_us >= 0.0) || !isfinite(cfg->atten_db_per_us)) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->cfg = *cfg;
	sf = cfg->bandwidth * cfg->f0_hz / HALF_AMPLITUDE_K;	/* Hz */
	q->sigma = cfg->rate_hz / (2.0 * M_PI * sf);		/* samples */
	q->tc = ORIGIN_SIGMAS * q->sigma;
	q->w = 2.0 * M_PI * cfg->f0_hz / cfg->rate_hz;
	q->len = (size_t)ceil(2.0 * q->tc) + 1;
	if (q->len > cfg->n) {
		free(q);
		errno = EINVAL;
		return NULL;
	}
	for (int k = 0; k < CS_USSYNTH_MAX_ECHOES; k++)
		q->e[k].sigma = q->sigma;
	cs_rng_seed(&q->rng, cfg->seed);
	return q;
}

void cs_ussynth_destroy(struct cs_ussynth *q)
{
	free(q);
}

int cs_ussynth_set_echo(struct cs_ussynth *q, unsigned int index,
			double delay, double amplitude)
{
	if (!q || index >= CS_USSYNTH_MAX_ECHOES || !isfinite(delay) ||
	    !isfinite(amplitude))
		return -EINVAL;
	q->e[index].delay = delay;
	q->e[index].amplitude = amplitude;
	return 0;
}

int cs_ussynth_set_echo_band(struct cs_ussynth *q, unsigned int index,
			     double bandwidth)
{
	if (!q || index >= CS_USSYNTH_MAX_ECHOES ||
	    !(bandwidth == 0.0 || (bandwidth >= 0.05 && bandwidth <= 2.0)))
		return -EINVAL;
	q->e[index].sigma = bandwidth == 0.0 ? q->sigma :
		q->cfg.rate_hz / (2.0 * M_PI * bandwidth * q->cfg.f0_hz /
				  HALF_AMPLITUDE_K);
	return 0;
}

double cs_ussynth_echo_amplitude(const struct cs_ussynth *q,
				 unsigned int index)
{
	double us;

	if (!q || index >= CS_USSYNTH_MAX_ECHOES)
		return NAN;
	us = q->e[index].delay / q->cfg.rate_hz * 1e6;
	return q->e[index].amplitude *
	       pow(10.0, -q->cfg.atten_db_per_us * fmax(us, 0.0) / 20.0);
}

/* A tone burst of envelope @sigma centred where the pulse's is (tc after
 * the origin), zero past ORIGIN_SIGMAS of its own sigmas (the pulse's own
 * span, [-1, 2 tc + 1], when @sigma is the pulse's). */
static double shape_at(const struct cs_ussynth *q, double sigma, double t)
{
	double u = t - q->tc;

	if (fabs(u) > ORIGIN_SIGMAS * sigma + 1.0)
		return 0.0;
	return exp(-0.5 * u * u / (sigma * sigma)) * cos(q->w * u);
}

static double shape_slope(const struct cs_ussynth *q, double sigma, double t)
{
	double u = t - q->tc, s2 = sigma * sigma, g;

	if (fabs(u) > ORIGIN_SIGMAS * sigma + 1.0)
		return 0.0;
	g = exp(-0.5 * u * u / s2);
	return -g * (u / s2 * cos(q->w * u) + q->w * sin(q->w * u));
}

static double pulse_at(const struct cs_ussynth *q, double t)
{
	return shape_at(q, q->sigma, t);
}

size_t cs_ussynth_pulse_length(const struct cs_ussynth *q)
{
	return q->len;
}

void cs_ussynth_pulse(const struct cs_ussynth *q, double amplitude,
		      double *out)
{
	for (size_t i = 0; i < q->len; i++)
		out[i] = amplitude * pulse_at(q, (double)i);
}

void cs_ussynth_execute(struct cs_ussynth *q, int noisy, double *out)
{
	size_t n = q->cfg.n;

	memset(out, 0, n * sizeof(*out));
	for (unsigned int k = 0; k < CS_USSYNTH_MAX_ECHOES; k++) {
		double a = cs_ussynth_echo_amplitude(q, k), d = q->e[k].delay;
		double sg = q->e[k].sigma, half = ORIGIN_SIGMAS * sg + 1.0;
		double lo = ceil(d + q->tc - half), hi = floor(d + q->tc + half);

		if (a == 0.0)
			continue;
		for (double t = fmax(lo, 0.0); t <= hi && t < (double)n; t++)
			out[(size_t)t] += a * shape_at(q, sg, t - d);
	}
	if (noisy && q->cfg.noise_rms > 0.0)
		for (size_t i = 0; i < n; i++)
			out[i] += q->cfg.noise_rms * cs_rng_randn(&q->rng);
}

double cs_ussynth_crb(const struct cs_ussynth *q, unsigned int index)
{
	double a, d, sum = 0.0;

	if (!q || index >= CS_USSYNTH_MAX_ECHOES)
		return NAN;
	a = cs_ussynth_echo_amplitude(q, index);
	d = q->e[index].delay;
	for (size_t i = 0; i < q->cfg.n; i++) {
		double s = shape_slope(q, q->e[index].sigma, (double)i - d);

		sum += s * s;
	}
	if (a == 0.0 || sum == 0.0)
		return INFINITY;
	return q->cfg.noise_rms / (fabs(a) * sqrt(sum));
}

double cs_ussynth_randn(struct cs_ussynth *q)
{
	return cs_rng_randn(&q->rng);
}

double cs_ussynth_uniform(struct cs_ussynth *q)
{
	return cs_rng_uniform(&q->rng);
}

/* ------------------------------------------------------------------ */

#define AE_MAX_ACTIVE 32

struct active_burst {
	uint64_t start;
	double amplitude;
	double phase;
};

struct cs_aesynth {
	struct cs_aesynth_config cfg;
	uint64_t pos;		/* sample index of the next sample */
	double next_start;	/* sample index of the next burst */
	double len;		/* samples after which a burst is negligible */
	struct active_burst act[AE_MAX_ACTIVE];
	struct cs_rng rng;
};

static void schedule(struct cs_aesynth *q, double after)
{
	const struct cs_aesynth_config *c = &q->cfg;

	if (c->burst_rate_hz <= 0.0) {
		q->next_start = INFINITY;
		return;
	}
	q->next_start = after + c->min_gap_s * c->rate_hz -
			log(cs_rng_uniform(&q->rng)) * c->rate_hz /
				c->burst_rate_hz;
}

struct cs_aesynth *cs_aesynth_create(const struct cs_aesynth_config *cfg)
{
	struct cs_aesynth *q;

	if (!cfg || !(cfg->rate_hz > 0.0) || !isfinite(cfg->rate_hz) ||
	    !(cfg->burst_rate_hz >= 0.0) || !isfinite(cfg->burst_rate_hz) ||
	    !(cfg->f0_hz > 0.0) || !(cfg->f0_hz < cfg->rate_hz / 2.0) ||
	    !(cfg->rise_s > 0.0) || !(cfg->decay_s > 0.0) ||
	    !(cfg->amp_min > 0.0) || !(cfg->amp_max >= cfg->amp_min) ||
	    !isfinite(cfg->amp_max) || !(cfg->noise_rms >= 0.0) ||
	    !isfinite(cfg->noise_rms) || !(cfg->min_gap_s >= 0.0) ||
	    !isfinite(cfg->min_gap_s)) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->cfg = *cfg;
	q->len = (cfg->rise_s + 12.0 * cfg->decay_s) * cfg->rate_hz;
	cs_rng_seed(&q->rng, cfg->seed);
	schedule(q, 0.0);
	return q;
}

void cs_aesynth_destroy(struct cs_aesynth *q)
{
	free(q);
}

static double burst_at(const struct cs_aesynth *q,
		       const struct active_burst *b, double t)
{
	const struct cs_aesynth_config *c = &q->cfg;
	double rise = c->rise_s * c->rate_hz, env;

	if (t < rise)
		env = t / rise;
	else
		env = exp(-(t - rise) / (c->decay_s * c->rate_hz));
	return b->amplitude * env *
	       sin(2.0 * M_PI * c->f0_hz / c->rate_hz * t + b->phase);
}

int cs_aesynth_execute_block(struct cs_aesynth *q, double *out, size_t n,
			     struct cs_aeburst *bursts, size_t max)
{
	const struct cs_aesynth_config *c = &q->cfg;
	int begun = 0;

	for (size_t i = 0; i < n; i++, q->pos++) {
		double v = 0.0;

		while ((double)q->pos >= q->next_start) {
			struct active_burst *slot = NULL;

			for (int k = 0; k < AE_MAX_ACTIVE; k++)
				if (q->act[k].amplitude == 0.0) {
					slot = &q->act[k];
					break;
				}
			if (!slot || (size_t)begun >= max) {
				/* postpone: no room to report it now */
				q->next_start = (double)q->pos + 1.0;
				break;
			}
			slot->start = q->pos;
			slot->amplitude = c->amp_min *
				pow(c->amp_max / c->amp_min,
				    cs_rng_uniform(&q->rng));
			slot->phase = 2.0 * M_PI * cs_rng_uniform(&q->rng);
			bursts[begun].start = q->pos;
			bursts[begun].amplitude = slot->amplitude;
			begun++;
			schedule(q, (double)q->pos);
		}
		for (int k = 0; k < AE_MAX_ACTIVE; k++) {
			struct active_burst *b = &q->act[k];
			double t;

			if (b->amplitude == 0.0)
				continue;
			t = (double)(q->pos - b->start);
			if (t > q->len) {
				b->amplitude = 0.0;
				continue;
			}
			v += burst_at(q, b, t);
		}
		if (c->noise_rms > 0.0)
			v += c->noise_rms * cs_rng_randn(&q->rng);
		out[i] = v;
	}
	return begun;
}

void cs_aesynth_transient(struct cs_aesynth *q, double *out, size_t n,
			  size_t at, double amplitude)
{
	struct active_burst b = { .start = at, .amplitude = amplitude };
	const struct cs_aesynth_config *c = &q->cfg;

	b.phase = 2.0 * M_PI * cs_rng_uniform(&q->rng);
	for (size_t i = 0; i < n; i++) {
		double v = 0.0;

		if (i >= at && (double)(i - at) <= q->len)
			v = burst_at(q, &b, (double)(i - at));
		if (c->noise_rms > 0.0)
			v += c->noise_rms * cs_rng_randn(&q->rng);
		out[i] = v;
	}
}

double cs_aesynth_amplitude(struct cs_aesynth *q)
{
	return q->cfg.amp_min * pow(q->cfg.amp_max / q->cfg.amp_min,
				    cs_rng_uniform(&q->rng));
}
