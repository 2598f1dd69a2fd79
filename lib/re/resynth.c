// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Synthetic three-electrode cell with known truth (cellsense-re.h): the
 * model the simulated ADS131M04 board of the VM tests follows too. Own
 * noise generator (cs-random.c: xoshiro256** + Box-Muller) so a seed gives
 * the same samples everywhere.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"
#include "cs-random.h"

struct cs_resynth {
	struct cs_resynth_config cfg;
	double soc;
	double current;
	double temp_c;
	uint64_t n;		/* samples made */
	struct cs_rng rng;
};

double cs_resynth_randn(struct cs_resynth *q)
{
	return cs_rng_randn(&q->rng);
}

struct cs_resynth *cs_resynth_create(const struct cs_resynth_config *cfg)
{
	struct cs_resynth *q;

	if (!cfg || !(cfg->fs >= 1e-6 && cfg->fs <= 1e6) ||
	    !(cfg->capacity_ah > 0.0) || !(cfg->soc >= 0.0 && cfg->soc <= 1.0) ||
	    !(cfg->temp_c >= -40.0 && cfg->temp_c <= 80.0) ||
	    !(cfg->r_anode >= 0.0) || !(cfg->r_cathode >= 0.0) ||
	    !(cfg->act_k >= 0.0) || !isfinite(cfg->drift_v_per_s) ||
	    !(cfg->noise_v >= 0.0) || !(cfg->noise_a >= 0.0) ||
	    !(cfg->mains_v >= 0.0) || !(cfg->mains_hz > 0.0) ||
	    !(fabs(cfg->ref_potential) <= 5.0)) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->cfg = *cfg;
	q->soc = cfg->soc;
	q->temp_c = cfg->temp_c;
	cs_rng_seed(&q->rng, cfg->seed);
	return q;
}

void cs_resynth_destroy(struct cs_resynth *q)
{
	free(q);
}

void cs_resynth_set_current(struct cs_resynth *q, double amps)
{
	q->current = amps;
}

void cs_resynth_set_temperature(struct cs_resynth *q, double degc)
{
	q->temp_c = degc;
}

double cs_resynth_soc(const struct cs_resynth *q)
{
	return q->soc;
}

static double t_of(const struct cs_resynth *q)
{
	return (double)q->n / q->cfg.fs;
}

double cs_resynth_drift(const struct cs_resynth *q)
{
	return q->cfg.drift_v_per_s * t_of(q);
}

int64_t cs_resynth_execute(struct cs_resynth *q, double *truth, double *meas)
{
	double tk = q->temp_c + 273.15;
	double arr = exp(q->cfg.act_k * (1.0 / tk - 1.0 / 298.15));
	double i = q->current, t = t_of(q);
	double v[CS_RE_NCH], drift = cs_resynth_drift(q);
	double ref = drift + q->cfg.ref_potential;
	double mains = q->cfg.mains_v * sin(2.0 * M_PI * q->cfg.mains_hz * t);
	int64_t t_ns = q->cfg.t0_ns + (int64_t)llround(t * 1e9);

	v[CS_RE_CATHODE] = cs_re_ocv_cathode(q->soc) + i * q->cfg.r_cathode * arr;
	v[CS_RE_ANODE] = cs_re_ocv_anode(q->soc) - i * q->cfg.r_anode * arr;
	v[CS_RE_CELL] = v[CS_RE_CATHODE] - v[CS_RE_ANODE];
	v[CS_RE_CURRENT] = i;
	if (truth)
		memcpy(truth, v, sizeof(v));
	if (meas) {
		/* the reference and its wire pick up mains; the cell's own
		 * terminals, low impedance, much less */
		meas[CS_RE_CELL] = v[CS_RE_CELL] + 0.1 * mains +
				   q->cfg.noise_v * cs_resynth_randn(q);
		meas[CS_RE_CATHODE] = v[CS_RE_CATHODE] - ref + mains +
				      q->cfg.noise_v * cs_resynth_randn(q);
		meas[CS_RE_ANODE] = v[CS_RE_ANODE] - ref + mains +
				    q->cfg.noise_v * cs_resynth_randn(q);
		meas[CS_RE_CURRENT] = i + q->cfg.noise_a * cs_resynth_randn(q);
	}
	q->soc += i / (q->cfg.capacity_ah * 3600.0 * q->cfg.fs);
	if (q->soc < 0.0)
		q->soc = 0.0;
	if (q->soc > 1.0)
		q->soc = 1.0;
	q->n++;
	return t_ns;
}
