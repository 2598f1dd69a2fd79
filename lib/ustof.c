// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Ultrasonic time of flight: FFT cross-correlation with the reference pulse
 * (liquid-dsp), then Newton's method on the band-limited correlation.
 *
 * With X and P the N-point spectra of the zero-padded record and pulse
 * (N >= n + pulse_len, so nothing wraps), C_k = X_k conj(P_k) and
 *
 *   c(tau) = 1/N [ C_0 + 2 Re sum_{k=1}^{N/2-1} C_k exp(j w_k tau) ],
 *   w_k = 2 pi k / N,
 *
 * is the correlation of the record with the pulse delayed by any real tau
 * (the pulse interpolated band-limited, which it is when sampled above
 * Nyquist). Its integer samples are the inverse FFT; its derivatives are
 * the same sum weighted by j w_k and -w_k^2, evaluated only over the bins
 * where the pulse has energy. Maximising c is the maximum-likelihood delay
 * for a known pulse shape of unknown amplitude in white noise, so the
 * estimate reaches the Cramer-Rao bound and has no preference for sample
 * positions, unlike a parabola through three correlation samples.
 */
#include <complex.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <liquid/liquid.h>

#include "cellsense.h"

#define NEWTON_MAX 8
#define NEWTON_TOL 1e-7		/* samples */
#define BAND_FLOOR 1e-12	/* bins with |P|^2 below this * max are out */

struct cs_ustof {
	struct cs_ustof_config cfg;
	size_t nfft;
	size_t kmin, kmax;	/* band of positive bins, kmin >= 1 */
	double ep;		/* sum of pulse^2 */
	double ed;		/* sum of pulse'^2 (band-limited) */
	liquid_float_complex *buf, *spec, *pconj, *corr;
	fftplan fwd, inv;
	double *x, *r;
	double noise;
	int have_record;
};

static size_t next_pow2(size_t v)
{
	size_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

void cs_ustof_destroy(struct cs_ustof *q)
{
	if (!q)
		return;
	if (q->fwd)
		fft_destroy_plan(q->fwd);
	if (q->inv)
		fft_destroy_plan(q->inv);
	free(q->buf);
	free(q->spec);
	free(q->pconj);
	free(q->corr);
	free(q->x);
	free(q->r);
	free(q);
}

struct cs_ustof *cs_ustof_create(const struct cs_ustof_config *cfg)
{
	struct cs_ustof *q;
	double pmax = 0.0;
	size_t n;

	if (!cfg || cfg->n < 16 || cfg->n > 1048576 || !cfg->pulse ||
	    cfg->pulse_len < 2 || cfg->pulse_len > cfg->n ||
	    cfg->polarity < -1 || cfg->polarity > 1 ||
	    !(cfg->min_snr >= 0.0) || !(cfg->full_scale > 0.0)) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->cfg = *cfg;
	q->cfg.pulse = NULL;	/* not kept: only its spectrum is */
	n = q->nfft = next_pow2(cfg->n + cfg->pulse_len);
	q->buf = calloc(n, sizeof(*q->buf));
	q->spec = calloc(n, sizeof(*q->spec));
	q->pconj = calloc(n, sizeof(*q->pconj));
	q->corr = calloc(n, sizeof(*q->corr));
	q->x = calloc(cfg->n, sizeof(*q->x));
	q->r = calloc(cfg->n, sizeof(*q->r));
	if (!q->buf || !q->spec || !q->pconj || !q->corr || !q->x || !q->r)
		goto nomem;
	q->fwd = fft_create_plan((unsigned int)n, q->buf, q->spec,
				 LIQUID_FFT_FORWARD, 0);
	q->inv = fft_create_plan((unsigned int)n, q->spec, q->corr,
				 LIQUID_FFT_BACKWARD, 0);
	if (!q->fwd || !q->inv)
		goto nomem;

	for (size_t i = 0; i < cfg->pulse_len; i++) {
		q->buf[i] = (float)cfg->pulse[i];
		q->ep += cfg->pulse[i] * cfg->pulse[i];
	}
	if (!(q->ep > 0.0) || !isfinite(q->ep)) {
		cs_ustof_destroy(q);
		errno = EINVAL;
		return NULL;
	}
	fft_execute(q->fwd);
	for (size_t k = 0; k < n; k++) {
		double a = cabsf(q->spec[k]);

		q->pconj[k] = conjf(q->spec[k]);
		pmax = fmax(pmax, a * a);
	}
	q->kmin = 0;
	q->kmax = 0;
	for (size_t k = 1; k < n / 2; k++) {
		double a = cabsf(q->spec[k]), w = 2.0 * M_PI * (double)k /
						(double)n;

		if (a * a < BAND_FLOOR * pmax)
			continue;
		if (!q->kmin)
			q->kmin = k;
		q->kmax = k;
		q->ed += 2.0 * a * a * w * w / (double)n;
	}
	if (!q->kmin) {		/* a pulse of pure DC: no delay in it */
		cs_ustof_destroy(q);
		errno = EINVAL;
		return NULL;
	}
	return q;
nomem:
	cs_ustof_destroy(q);
	errno = ENOMEM;
	return NULL;
}

void cs_ustof_set_record(struct cs_ustof *q, const double *x)
{
	size_t n = q->cfg.n, nfft = q->nfft;
	float scale = 1.0f / (float)nfft;

	memcpy(q->x, x, n * sizeof(*x));
	for (size_t i = 0; i < n; i++)
		q->buf[i] = (float)x[i];
	memset(q->buf + n, 0, (nfft - n) * sizeof(*q->buf));
	fft_execute(q->fwd);
	for (size_t k = 0; k < nfft; k++)
		q->spec[k] *= q->pconj[k];
	/* the inverse overwrites nothing we need: spec is kept for Newton */
	fft_execute(q->inv);
	for (size_t i = 0; i < n; i++)
		q->r[i] = crealf(q->corr[i]) * scale;
	q->noise = cs_spectrum_noise(x, n);
	q->have_record = 1;
}

/* c, c', c'' at @tau (samples) from the cross-spectrum, in-band bins. */
static void corr_eval(const struct cs_ustof *q, double tau, double *c0,
		      double *c1, double *c2)
{
	double th = 2.0 * M_PI / (double)q->nfft;
	double complex w = cexp(I * th * tau);
	double complex z = cexp(I * th * tau * (double)q->kmin);
	double s0 = 0.0, s1 = 0.0, s2 = 0.0;

	for (size_t k = q->kmin; k <= q->kmax; k++) {
		double complex v = (double complex)q->spec[k] * z;
		double wk = th * (double)k;

		s0 += creal(v);
		s1 -= wk * cimag(v);
		s2 -= wk * wk * creal(v);
		z *= w;
	}
	*c0 = (crealf(q->spec[0]) + 2.0 * s0) / (double)q->nfft;
	*c1 = 2.0 * s1 / (double)q->nfft;
	*c2 = 2.0 * s2 / (double)q->nfft;
}

int cs_ustof_execute(struct cs_ustof *q, size_t lo, size_t hi,
		     struct cs_ustof_result *res)
{
	size_t n = q->cfg.n, len = q->cfg.pulse_len, best = lo, a, b;
	double sgn, c0 = 0.0, c1, c2, tau, e = 0.0, top = 0.0;
	int saturated = 0;

	if (!q->have_record || lo > hi || hi >= n || !res)
		return -EINVAL;
	memset(res, 0, sizeof(*res));
	for (size_t m = lo; m <= hi; m++) {
		double v = q->cfg.polarity ? q->cfg.polarity * q->r[m]
					   : fabs(q->r[m]);

		if (m == lo || v > top) {
			top = v;
			best = m;
		}
	}
	sgn = q->cfg.polarity ? q->cfg.polarity : (q->r[best] < 0 ? -1 : 1);

	tau = (double)best;
	for (int it = 0; it < NEWTON_MAX; it++) {
		double step;

		corr_eval(q, tau, &c0, &c1, &c2);
		c1 *= sgn;
		c2 *= sgn;
		if (c2 < 0.0)
			step = -c1 / c2;
		else		/* not concave here: climb */
			step = c1 > 0 ? 0.25 : -0.25;
		step = fmax(fmin(step, 0.5), -0.5);
		if (tau + step > (double)best + 1.0)
			step = (double)best + 1.0 - tau;
		if (tau + step < (double)best - 1.0)
			step = (double)best - 1.0 - tau;
		tau += step;
		if (fabs(step) < NEWTON_TOL)
			break;
	}
	corr_eval(q, tau, &c0, &c1, &c2);

	res->delay = tau;
	res->amplitude = c0 / q->ep;
	res->snr = q->noise > 0.0 ? sgn * c0 / (q->noise * sqrt(q->ep))
				  : INFINITY;
	res->sigma = fabs(res->amplitude) > 0.0 ?
		     q->noise / (fabs(res->amplitude) * sqrt(q->ed)) : INFINITY;
	a = tau < 0.0 ? 0 : (size_t)floor(tau);
	b = a + len + 1 < n ? a + len + 1 : n;
	for (size_t i = a; i < b; i++) {
		e += q->x[i] * q->x[i];
		if (fabs(q->x[i]) >= q->cfg.full_scale)
			saturated = 1;
	}
	res->energy = e;
	if (hi - lo >= 2 && (best == lo || best == hi))
		res->status = CS_USTOF_EDGE;
	else if (!(res->snr >= q->cfg.min_snr))
		res->status = CS_USTOF_WEAK;
	else if (saturated)
		res->status = CS_USTOF_SATURATED;
	else
		res->status = CS_USTOF_OK;
	return 0;
}

int cs_ustof_execute_block(struct cs_ustof *q, const double *x,
			   const size_t (*gates)[2], size_t ngates,
			   struct cs_ustof_result *r)
{
	int ret;

	if (!q || !x || (ngates && (!gates || !r)))
		return -EINVAL;
	cs_ustof_set_record(q, x);
	for (size_t g = 0; g < ngates; g++) {
		ret = cs_ustof_execute(q, gates[g][0], gates[g][1], &r[g]);
		if (ret)
			return ret;
	}
	return 0;
}

double cs_ustof_correlation(const struct cs_ustof *q, size_t k)
{
	if (!q || !q->have_record || k >= q->cfg.n)
		return NAN;
	return q->r[k];
}

double cs_ustof_noise(const struct cs_ustof *q)
{
	return q && q->have_record ? q->noise : NAN;
}
