// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Ultrasonic time of flight: FFT cross-correlation with the reference pulse
 * (liquid-dsp), then Newton's method on the band-limited correlation.
 *
 * With X and P the N-point spectra of a zero-padded segment of the record
 * and of the pulse (N >= segment + pulse_len, so nothing wraps),
 * C_k = X_k conj(P_k) and
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
#define MARGIN 4		/* samples around a gate in its segment */
#define MAX_PLANS 24		/* one per power of two */

/* The FFT of one segment size, made the first time a gate needs it. */
struct plan {
	size_t nfft;
	size_t kmin, kmax;	/* band of positive bins, kmin >= 1 */
	double ed;		/* sum of pulse'^2 (band-limited) */
	liquid_float_complex *buf, *spec, *pconj, *corr;
	fftplan fwd, inv;
};

struct cs_ustof {
	struct cs_ustof_config cfg;
	double *pulse;
	double ep;		/* sum of pulse^2 */
	struct plan *plans[MAX_PLANS];
	double *x;
	double noise;
	int have_record;
};

static void plan_destroy(struct plan *p)
{
	if (!p)
		return;
	if (p->fwd)
		fft_destroy_plan(p->fwd);
	if (p->inv)
		fft_destroy_plan(p->inv);
	free(p->buf);
	free(p->spec);
	free(p->pconj);
	free(p->corr);
	free(p);
}

/* Plan for @nfft (a power of two): buffers, FFTs, the pulse's spectrum
 * and its band. NULL with errno on failure. */
static struct plan *plan_create(const struct cs_ustof *q, size_t nfft)
{
	struct plan *p = calloc(1, sizeof(*p));
	double pmax = 0.0;

	if (!p)
		return NULL;
	p->nfft = nfft;
	p->buf = calloc(nfft, sizeof(*p->buf));
	p->spec = calloc(nfft, sizeof(*p->spec));
	p->pconj = calloc(nfft, sizeof(*p->pconj));
	p->corr = calloc(nfft, sizeof(*p->corr));
	if (!p->buf || !p->spec || !p->pconj || !p->corr)
		goto nomem;
	p->fwd = fft_create_plan((unsigned int)nfft, p->buf, p->spec,
				 LIQUID_FFT_FORWARD, 0);
	p->inv = fft_create_plan((unsigned int)nfft, p->spec, p->corr,
				 LIQUID_FFT_BACKWARD, 0);
	if (!p->fwd || !p->inv)
		goto nomem;
	for (size_t i = 0; i < q->cfg.pulse_len; i++)
		p->buf[i] = (float)q->pulse[i];
	fft_execute(p->fwd);
	for (size_t k = 0; k < nfft; k++) {
		double a = cabsf(p->spec[k]);

		p->pconj[k] = conjf(p->spec[k]);
		pmax = fmax(pmax, a * a);
	}
	for (size_t k = 1; k < nfft / 2; k++) {
		double a = cabsf(p->spec[k]);
		double w = 2.0 * M_PI * (double)k / (double)nfft;

		if (a * a < BAND_FLOOR * pmax)
			continue;
		if (!p->kmin)
			p->kmin = k;
		p->kmax = k;
		p->ed += 2.0 * a * a * w * w / (double)nfft;
	}
	if (!p->kmin) {		/* a pulse of pure DC: no delay in it */
		plan_destroy(p);
		errno = EINVAL;
		return NULL;
	}
	return p;
nomem:
	plan_destroy(p);
	errno = ENOMEM;
	return NULL;
}

static size_t next_pow2(size_t v)
{
	size_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

static unsigned int log2_of(size_t v)
{
	unsigned int l = 0;

	while ((size_t)1 << l < v)
		l++;
	return l;
}

static struct plan *plan_get(struct cs_ustof *q, size_t nfft)
{
	unsigned int l = log2_of(nfft);

	if (l >= MAX_PLANS)
		return NULL;
	if (!q->plans[l])
		q->plans[l] = plan_create(q, nfft);
	return q->plans[l];
}

void cs_ustof_destroy(struct cs_ustof *q)
{
	if (!q)
		return;
	for (int l = 0; l < MAX_PLANS; l++)
		plan_destroy(q->plans[l]);
	free(q->pulse);
	free(q->x);
	free(q);
}

struct cs_ustof *cs_ustof_create(const struct cs_ustof_config *cfg)
{
	struct cs_ustof *q;

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
	q->pulse = malloc(cfg->pulse_len * sizeof(*q->pulse));
	q->x = calloc(cfg->n, sizeof(*q->x));
	if (!q->pulse || !q->x) {
		cs_ustof_destroy(q);
		errno = ENOMEM;
		return NULL;
	}
	memcpy(q->pulse, cfg->pulse, cfg->pulse_len * sizeof(*q->pulse));
	q->cfg.pulse = q->pulse;
	for (size_t i = 0; i < cfg->pulse_len; i++)
		q->ep += cfg->pulse[i] * cfg->pulse[i];
	if (!(q->ep > 0.0) || !isfinite(q->ep)) {
		cs_ustof_destroy(q);
		errno = EINVAL;
		return NULL;
	}
	/* the smallest plan, to refuse a pulse with no band now */
	if (!plan_get(q, next_pow2(2 * cfg->pulse_len + 2 * MARGIN + 1))) {
		int e = errno;

		cs_ustof_destroy(q);
		errno = e;
		return NULL;
	}
	return q;
}

void cs_ustof_set_record(struct cs_ustof *q, const double *x)
{
	memcpy(q->x, x, q->cfg.n * sizeof(*x));
	q->noise = NAN;
	q->have_record = 1;
}

/* c, c', c'' at @tau (samples, segment coordinates) from the cross-spectrum
 * of plan @p, in-band bins only. */
static void corr_eval(const struct plan *p, double tau, double *c0,
		      double *c1, double *c2)
{
	double th = 2.0 * M_PI / (double)p->nfft;
	double complex w = cexp(I * th * tau);
	double complex z = cexp(I * th * tau * (double)p->kmin);
	double s0 = 0.0, s1 = 0.0, s2 = 0.0;

	for (size_t k = p->kmin; k <= p->kmax; k++) {
		double complex v = (double complex)p->spec[k] * z;
		double wk = th * (double)k;

		s0 += creal(v);
		s1 -= wk * cimag(v);
		s2 -= wk * wk * creal(v);
		z *= w;
	}
	*c0 = (crealf(p->spec[0]) + 2.0 * s0) / (double)p->nfft;
	*c1 = 2.0 * s1 / (double)p->nfft;
	*c2 = 2.0 * s2 / (double)p->nfft;
}

/*
 * Correlate samples [s0, s0 + seg) of the record (zeros outside it) with
 * the pulse through the FFT: the segment at the start of an N-point buffer,
 * N >= seg + len, so that the circular correlation equals the linear one
 * for every lag of interest and the band-limited interpolation between
 * them sees no wrapped samples. Leaves the cross-spectrum in p->spec and
 * returns the segment's energy.
 */
static double correlate_segment(struct cs_ustof *q, struct plan *p,
				ptrdiff_t s0, size_t seg, int inverse)
{
	ptrdiff_t n = (ptrdiff_t)q->cfg.n;
	double segx2 = 0.0;

	for (size_t i = 0; i < p->nfft; i++) {
		ptrdiff_t j = s0 + (ptrdiff_t)i;
		double v = i < seg && j >= 0 && j < n ? q->x[j] : 0.0;

		p->buf[i] = (float)v;
		segx2 += v * v;
	}
	fft_execute(p->fwd);
	for (size_t k = 0; k < p->nfft; k++)
		p->spec[k] *= p->pconj[k];
	if (inverse)
		fft_execute(p->inv);	/* spec is kept: Newton needs it */
	return segx2;
}

/* Newton on sgn * c(tau) from @tau0 (segment coordinates), kept within a
 * sample of it; returns tau and the correlation there in *@c. */
static double newton(const struct plan *p, double tau0, double sgn,
		     double *c)
{
	double tau = tau0, c0, c1, c2;

	for (int it = 0; it < NEWTON_MAX; it++) {
		double step;

		corr_eval(p, tau, &c0, &c1, &c2);
		c1 *= sgn;
		c2 *= sgn;
		if (c2 < 0.0)
			step = -c1 / c2;
		else		/* not concave here: climb */
			step = c1 > 0 ? 0.25 : -0.25;
		step = fmax(fmin(step, 0.5), -0.5);
		if (tau + step > tau0 + 1.0)
			step = tau0 + 1.0 - tau;
		if (tau + step < tau0 - 1.0)
			step = tau0 - 1.0 - tau;
		tau += step;
		if (fabs(step) < NEWTON_TOL)
			break;
	}
	corr_eval(p, tau, &c0, &c1, &c2);
	*c = c0;
	return tau;
}

/*
 * The integer maximum over the gate comes from the FFT of the gate's
 * segment, or, when the gate times the pulse is fewer operations than that
 * FFT, from direct dot products. The refinement always works on the FFT
 * cross-spectrum of a segment around the maximum, MARGIN samples either
 * side of the pulse.
 */
int cs_ustof_execute(struct cs_ustof *q, size_t lo, size_t hi,
		     struct cs_ustof_result *res)
{
	size_t n = q ? q->cfg.n : 0, len, seg, nfft, best = lo, a, b, g;
	ptrdiff_t s0;
	double sgn, c0 = 0.0, tau, e = 0.0, top = 0.0, segx2, rbest = 0.0;
	struct plan *p;
	int saturated = 0;

	if (!q || !q->have_record || lo > hi || hi >= n || !res)
		return -EINVAL;
	memset(res, 0, sizeof(*res));
	len = q->cfg.pulse_len;
	g = hi - lo + 1;
	seg = g + len + 2 * MARGIN;
	nfft = next_pow2(seg + len);
	if ((double)g * (double)len >
	    6.0 * (double)nfft * (double)log2_of(nfft)) {
		float scale = 1.0f / (float)nfft;

		p = plan_get(q, nfft);
		if (!p)
			return -errno;
		s0 = (ptrdiff_t)lo - MARGIN;
		correlate_segment(q, p, s0, seg, 1);
		for (size_t m = lo; m <= hi; m++) {
			double r = crealf(p->corr[m - (size_t)s0]) * scale;
			double v = q->cfg.polarity ? q->cfg.polarity * r
						   : fabs(r);

			if (m == lo || v > top) {
				top = v;
				best = m;
				rbest = r;
			}
		}
	} else {
		for (size_t m = lo; m <= hi; m += 4) {
			double r[4] = { 0.0, 0.0, 0.0, 0.0 };

			/* four lags at once: independent sums, shared loads */
			if (m + 3 + len <= n) {
				const double *xm = q->x + m;

				for (size_t i = 0; i < len; i++) {
					double pv = q->pulse[i];

					r[0] += xm[i] * pv;
					r[1] += xm[i + 1] * pv;
					r[2] += xm[i + 2] * pv;
					r[3] += xm[i + 3] * pv;
				}
			} else {
				for (size_t j = 0; j < 4 && m + j < n; j++)
					for (size_t i = 0; i < len &&
					     m + j + i < n; i++)
						r[j] += q->x[m + j + i] *
							q->pulse[i];
			}
			for (size_t j = 0; j < 4 && m + j <= hi; j++) {
				double v = q->cfg.polarity ?
					   q->cfg.polarity * r[j] : fabs(r[j]);

				if (m + j == lo || v > top) {
					top = v;
					best = m + j;
					rbest = r[j];
				}
			}
		}
	}
	sgn = q->cfg.polarity ? q->cfg.polarity : (rbest < 0 ? -1 : 1);
	/* the gate's energy, for the noise */
	segx2 = 0.0;
	for (size_t i = lo; i < hi + len && i < n; i++)
		segx2 += q->x[i] * q->x[i];
	g = (hi + len < n ? hi + len : n) - lo;

	/* the refinement's own segment around the maximum */
	seg = len + 2 * MARGIN;
	p = plan_get(q, next_pow2(seg + len));
	if (!p)
		return -errno;
	s0 = (ptrdiff_t)best - MARGIN;
	correlate_segment(q, p, s0, seg, 0);
	tau = newton(p, (double)MARGIN, sgn, &c0);

	res->delay = (double)s0 + tau;
	res->amplitude = c0 / q->ep;
	/* noise: what the echo leaves of the gate (g samples, 2 fitted) */
	q->noise = sqrt(fmax(segx2 - c0 * c0 / q->ep, 0.0) /
			(double)(g > 3 ? g - 2 : 1));
	res->snr = q->noise > 0.0 ? sgn * c0 / (q->noise * sqrt(q->ep))
				  : INFINITY;
	res->sigma = fabs(res->amplitude) > 0.0 ?
		     q->noise / (fabs(res->amplitude) * sqrt(p->ed)) :
		     INFINITY;
	a = res->delay < 0.0 ? 0 : (size_t)floor(res->delay);
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
	double sum = 0.0;

	if (!q || !q->have_record || k >= q->cfg.n)
		return NAN;
	for (size_t i = 0; i < q->cfg.pulse_len && k + i < q->cfg.n; i++)
		sum += q->x[k + i] * q->pulse[i];
	return sum;
}

double cs_ustof_noise(const struct cs_ustof *q)
{
	return q && q->have_record ? q->noise : NAN;
}
