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
	double eta_a, eta_c;	/* diffusion overpotentials, V */
	double plated;		/* Ah */
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
	    !(fabs(cfg->ref_potential) <= 5.0) || !(cfg->tau_s >= 0.0) ||
	    !isfinite(cfg->tau_s) || !(cfg->r_diff >= 0.0) ||
	    (cfg->plating && (!(cfg->r_plate > 0.0) || !(cfg->r_strip > 0.0) ||
			      !(cfg->strip_knee_ah > 0.0)))) {
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

double cs_resynth_plated(const struct cs_resynth *q)
{
	return q->plated;
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

/* The anode with lithium plating (see cellsense-re.h): its potential,
 * the plated charge moved on by one sample, and in *@i_int the current
 * into the graphite (the external one less what plates, plus what
 * re-intercalates). The graphite holds the cell's charge less the plated
 * lithium. */
static double plated_anode(struct cs_resynth *q, double i, double arr,
			   double *i_int)
{
	double cap = q->cfg.capacity_ah * 3600.0, dt = 1.0 / q->cfg.fs;
	double g = q->soc - q->plated * 3600.0 / cap;
	double ocv = cs_re_ocv_anode(g) - q->eta_a, ra = q->cfg.r_anode * arr;
	double theta = q->plated / (q->plated + q->cfg.strip_knee_ah);
	double e_g = ocv - i * ra, i_pl, i_s, e_li;

	if (e_g < 0.0 && i > 0.0) {
		/* plating: lithium at -i_pl r_plate, graphite at ocv -
		 * (i - i_pl) ra, one potential */
		i_pl = (i * ra - ocv) / (ra + q->cfg.r_plate);
		q->plated += i_pl * dt / 3600.0;
		*i_int = i - i_pl;
		return -i_pl * q->cfg.r_plate;
	}
	if (!(q->plated > 0.0)) {
		*i_int = i;
		return e_g;
	}
	/* re-intercalation where lithium still covers the surface */
	i_s = theta * fmax(ocv, 0.0) / q->cfg.r_strip;
	if (i_s * dt / 3600.0 > q->plated)
		i_s = q->plated * 3600.0 / dt;
	q->plated -= i_s * dt / 3600.0;
	*i_int = i + i_s;
	/* lithium, stripping: above 0 V by its own overpotential */
	e_li = fmax(ocv, 0.0) / q->cfg.r_strip * q->cfg.r_plate;
	return theta * e_li + (1.0 - theta) * e_g;
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

	double dt = 1.0 / q->cfg.fs, i_int = i;

	v[CS_RE_CATHODE] = cs_re_ocv_cathode(q->soc) +
			   i * q->cfg.r_cathode * arr + q->eta_c;
	v[CS_RE_ANODE] = cs_re_ocv_anode(q->soc) - i * q->cfg.r_anode * arr -
			 q->eta_a;
	if (q->cfg.plating)
		v[CS_RE_ANODE] = plated_anode(q, i, arr, &i_int);
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
	if (q->cfg.tau_s > 0.0) {
		/* exact for a current held over the sample */
		double k = exp(-dt / q->cfg.tau_s);

		q->eta_a = i_int * q->cfg.r_diff +
			   (q->eta_a - i_int * q->cfg.r_diff) * k;
		q->eta_c = i * q->cfg.r_diff + (q->eta_c - i * q->cfg.r_diff) * k;
	}
	q->soc += i / (q->cfg.capacity_ah * 3600.0 * q->cfg.fs);
	if (q->soc < 0.0)
		q->soc = 0.0;
	if (q->soc > 1.0)
		q->soc = 1.0;
	q->n++;
	return t_ns;
}
