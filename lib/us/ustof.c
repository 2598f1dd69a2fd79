// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Ultrasonic time of flight: the integer maximum of the cross-correlation
 * with the reference pulse, then Newton's method on the band-limited
 * correlation.
 *
 * With X and P the N-point spectra of a zero-padded segment of the record
 * and of the pulse (N >= segment + pulse_len, so nothing wraps),
 * C_k = X_k conj(P_k) and
 *
 *   c(tau) = 1/N [ C_0 + 2 Re sum_{k=1}^{N/2-1} C_k exp(j w_k tau) ],
 *   w_k = 2 pi k / N,
 *
 * over the bins where the pulse has energy, is the correlation of the
 * record with the pulse delayed by any real tau (the pulse interpolated
 * band-limited, which it is when sampled above Nyquist). Equivalently
 * c(tau) = sum_i x_i pb(i - tau), pb the band-limited pulse. Maximising c
 * is the maximum-likelihood delay for a known pulse shape of unknown
 * amplitude in white noise, so the estimate reaches the Cramer-Rao bound
 * and has no preference for sample positions, unlike a parabola through
 * three correlation samples.
 *
 * Per gate the work is kept to what the gate needs:
 *  - the integer maximum from direct dot products at the gate's lags only,
 *    skipping groups of lags whose Cauchy-Schwarz bound (window energy
 *    times pulse energy) cannot beat the best so far: the same maximum as
 *    a full search, at a fraction of the cost when an echo stands out. A
 *    long gate with a long pulse goes through the FFT (liquid-dsp) instead;
 *  - the refinement from a polynomial in the sub-sample offset: pb at
 *    offsets -1..1 is interpolated at Chebyshev points (IFFTs of the
 *    pulse's spectrum, once, at create), so c(best + d) is a degree-11
 *    polynomial in d whose coefficients are dot products of the segment
 *    around the maximum with precomputed filters. Within 2 (pi/2)^12 / 12!
 *    (1e-6) of c for any band below Nyquist, far less for a band around
 *    a quarter of the rate: Newton on it is Newton on c;
 *  - the dot products and the energies four doubles a vector on x86-64
 *    CPUs with AVX2, two elsewhere, with the same results (struct kernels).
 */
#include <complex.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <liquid/liquid.h>

#include "cellsense.h"

#define NEWTON_MAX 8
#define NEWTON_TOL 1e-4		/* samples; leaves an error ~1e-8 */
#define BAND_FLOOR 1e-12	/* bins with |P|^2 below this * max are out */
#define MARGIN 4		/* samples around the pulse in the refinement */
#define MAX_PLANS 24		/* one per power of two */
#define NPOLY 12		/* coefficients of the refinement polynomial */
#define GROUP 8			/* lags bounded together in the search */
#define CLIPPED_LOST 10		/* over 1/10 of the echo clipped: lost */
#define DEC_EDGE 0.3		/* band edge * DEC at most this */
#define DEC_MIN 4		/* decimate by less: not worth it */
#define DEC_MAX 16

/* The FFT of one segment size, made the first time it is needed. */
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
	double ed;		/* sum of pulse'^2, band-limited */
	struct plan *plans[MAX_PLANS];
	/* c(best + d) = sum_e d^e sum_i x[best - MARGIN + i] poly[i][e] */
	double (*poly)[NPOLY];
	size_t seg;		/* rows of poly: pulse_len + 2 MARGIN */
	double *cum;		/* search: running energy of GROUP-blocks */
	size_t core;		/* the pulse's GROUP-block of most energy */
	double ecore, erest;	/* energy of the pulse in it, and the rest */
	double *bound;		/* search: bound^2 of each group of lags */
	double *ph;		/* the pulse's Hilbert transform: envelope */
	double period;		/* carrier period, samples (|P|^2 centroid) */
	double rho;		/* the pulse's correlation a period away, / ep */
	double cos_half;	/* cos(pi / period): see resolve_cycle() */
	double upcross;		/* sqrt(Ed / Ep) / (2 pi): see threshold() */
	/* the decimated search (oversampled pulses): boxcar sums of DEC
	 * samples of the pulse, and room for those of a gate's segment */
	size_t dec, len_d;
	double *pd, *xd;
	double *x;
	double noise;
	int have_record;
	const struct kernels *k;	/* the hot loops, for this CPU */
};

/*
 * The hot loops, each in two forms that do the same operations in the same
 * order, so with the same results to the last bit: two doubles a vector
 * (GCC's and Clang's vector extensions: SSE2 on x86-64, NEON on arm64,
 * scalars elsewhere), and on x86-64 four (AVX2), taken at create when the
 * CPU has it (__builtin_cpu_supports: no ifunc, nothing at load time).
 * Products and sums are rounded apart in both (no FMA). The AVX2 forms
 * call nothing: with a call in one (to a function built without AVX),
 * GCC 12 left it with the upper halves of the vector registers dirty
 * (no vzeroupper), and the SSE code after it made cs_ustof 30% slower.
 *
 * lags: r[j] = sum_i xm[j + i] p[i] for the GROUP lags j < GROUP, the
 *   terms of even i summed in order, those of odd i apart, then the two
 *   (two chains a lag, half as long), as corr_at() does one lag;
 * blocks: e[b] = the energy of xb[GROUP b ...], b < nb, as block_energy();
 * coefs: m[e] = sum_{i < cnt} xs[i] poly[i][e], the even i and the odd
 *   apart as in lags.
 */
struct kernels {
	void (*lags)(const double *xm, const double *p, size_t len,
		     double r[GROUP]);
	void (*blocks)(const double *xb, size_t nb, double *e);
	void (*coefs)(const double *xs, const double (*poly)[NPOLY],
		      size_t cnt, double m[NPOLY]);
};

typedef double v2d __attribute__((vector_size(2 * sizeof(double))));

static inline v2d load2(const double *p)
{
	v2d v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void store2(double *p, v2d v)
{
	memcpy(p, &v, sizeof(v));
}

/* The correlation at lag @k of @x (@n samples, zeros past them). */
static double corr_at(const double *x, size_t n, const double *p,
		      size_t len, size_t k)
{
	double se = 0.0, so = 0.0;
	size_t i;

	for (i = 0; i + 1 < len && k + i + 1 < n; i += 2) {
		se += x[k + i] * p[i];
		so += x[k + i + 1] * p[i + 1];
	}
	if (i < len && k + i < n)
		se += x[k + i] * p[i];
	return se + so;
}

/* (x0^2 + x4^2) + (x1^2 + x5^2) + ((x2^2 + x6^2) + (x3^2 + x7^2)): the
 * order of the vector forms */
static inline __attribute__((always_inline)) double
block_energy(const double *x)
{
	return ((x[0] * x[0] + x[4] * x[4]) + (x[1] * x[1] + x[5] * x[5])) +
	       ((x[2] * x[2] + x[6] * x[6]) + (x[3] * x[3] + x[7] * x[7]));
}

static void lags_v2(const double *xm, const double *p, size_t len,
		    double r[GROUP])
{
	v2d a0 = { 0, 0 }, a1 = a0, a2 = a0, a3 = a0;
	v2d b0 = a0, b1 = a0, b2 = a0, b3 = a0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		const double *xe = xm + i, *xo = xm + i + 1;
		double pe = p[i], po = p[i + 1];

		a0 += load2(xe) * pe;
		a1 += load2(xe + 2) * pe;
		a2 += load2(xe + 4) * pe;
		a3 += load2(xe + 6) * pe;
		b0 += load2(xo) * po;
		b1 += load2(xo + 2) * po;
		b2 += load2(xo + 4) * po;
		b3 += load2(xo + 6) * po;
	}
	if (i < len) {
		a0 += load2(xm + i) * p[i];
		a1 += load2(xm + i + 2) * p[i];
		a2 += load2(xm + i + 4) * p[i];
		a3 += load2(xm + i + 6) * p[i];
	}
	store2(r, a0 + b0);
	store2(r + 2, a1 + b1);
	store2(r + 4, a2 + b2);
	store2(r + 6, a3 + b3);
}

/* two blocks at a time, their sums side by side */
static void blocks_v2(const double *xb, size_t nb, double *e)
{
	size_t b;

	for (b = 0; b + 2 <= nb; b += 2) {
		const double *x0 = xb + b * GROUP, *x1 = x0 + GROUP;
		v2d u0 = load2(x0) * load2(x0) + load2(x0 + 4) * load2(x0 + 4);
		v2d w0 = load2(x0 + 2) * load2(x0 + 2) +
			 load2(x0 + 6) * load2(x0 + 6);
		v2d u1 = load2(x1) * load2(x1) + load2(x1 + 4) * load2(x1 + 4);
		v2d w1 = load2(x1 + 2) * load2(x1 + 2) +
			 load2(x1 + 6) * load2(x1 + 6);

		store2(e + b, ((v2d){ u0[0], u1[0] } + (v2d){ u0[1], u1[1] }) +
			      ((v2d){ w0[0], w1[0] } + (v2d){ w0[1], w1[1] }));
	}
	for (; b < nb; b++)
		e[b] = block_energy(xb + b * GROUP);
}

static void coefs_v2(const double *xs, const double (*poly)[NPOLY],
		     size_t cnt, double m[NPOLY])
{
	v2d me[NPOLY / 2] = { { 0, 0 } }, mo[NPOLY / 2] = { { 0, 0 } };
	size_t i;

	for (i = 0; i + 1 < cnt; i += 2) {
		double xe = xs[i], xo = xs[i + 1];

#pragma GCC unroll 16	/* all of it: the sums stay in registers */
		for (int e = 0; e < NPOLY / 2; e++) {
			me[e] += xe * load2(poly[i] + 2 * e);
			mo[e] += xo * load2(poly[i + 1] + 2 * e);
		}
	}
	if (i < cnt) {
#pragma GCC unroll 16
		for (int e = 0; e < NPOLY / 2; e++)
			me[e] += xs[i] * load2(poly[i] + 2 * e);
	}
#pragma GCC unroll 16
	for (int e = 0; e < NPOLY / 2; e++)
		store2(m + 2 * e, me[e] + mo[e]);
}

static const struct kernels kernels_v2 = { lags_v2, blocks_v2, coefs_v2 };

/* CS_PORTABLE_KERNELS: the two-wide forms only (the sanitizer build) */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(CS_PORTABLE_KERNELS)
#define HAVE_AVX2_KERNELS 1
#include <immintrin.h>

#define TARGET_AVX2 __attribute__((target("avx2")))

TARGET_AVX2 static void lags_avx2(const double *xm, const double *p,
				  size_t len, double r[GROUP])
{
	__m256d a0 = _mm256_setzero_pd(), a1 = a0, b0 = a0, b1 = a0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		__m256d pe = _mm256_set1_pd(p[i]);
		__m256d po = _mm256_set1_pd(p[i + 1]);

		a0 += _mm256_loadu_pd(xm + i) * pe;
		a1 += _mm256_loadu_pd(xm + i + 4) * pe;
		b0 += _mm256_loadu_pd(xm + i + 1) * po;
		b1 += _mm256_loadu_pd(xm + i + 5) * po;
	}
	if (i < len) {
		__m256d pe = _mm256_set1_pd(p[i]);

		a0 += _mm256_loadu_pd(xm + i) * pe;
		a1 += _mm256_loadu_pd(xm + i + 4) * pe;
	}
	_mm256_storeu_pd(r, a0 + b0);
	_mm256_storeu_pd(r + 4, a1 + b1);
}

/* (x0^2 + x4^2, x1^2 + x5^2, x2^2 + x6^2, x3^2 + x7^2) of a block */
TARGET_AVX2 static inline __m256d squares4(const double *x)
{
	__m256d v0 = _mm256_loadu_pd(x), v1 = _mm256_loadu_pd(x + 4);

	return v0 * v0 + v1 * v1;
}

/* four blocks at a time: the sums of neighbouring lanes (hadd), then of
 * the halves */
TARGET_AVX2 static void blocks_avx2(const double *xb, size_t nb,
				    double *e)
{
	size_t b;

	for (b = 0; b + 4 <= nb; b += 4) {
		const double *x = xb + b * GROUP;
		__m256d h01 = _mm256_hadd_pd(squares4(x),
					     squares4(x + GROUP));
		__m256d h23 = _mm256_hadd_pd(squares4(x + 2 * GROUP),
					     squares4(x + 3 * GROUP));

		_mm256_storeu_pd(e + b, _mm256_permute2f128_pd(h01, h23, 0x20) +
					_mm256_permute2f128_pd(h01, h23, 0x31));
	}
	for (; b < nb; b++)
		e[b] = block_energy(xb + b * GROUP);
}

TARGET_AVX2 static void coefs_avx2(const double *xs,
				   const double (*poly)[NPOLY], size_t cnt,
				   double m[NPOLY])
{
	__m256d me[NPOLY / 4], mo[NPOLY / 4];
	size_t i;

	for (int e = 0; e < NPOLY / 4; e++)
		me[e] = mo[e] = _mm256_setzero_pd();
	for (i = 0; i + 1 < cnt; i += 2) {
		__m256d xe = _mm256_set1_pd(xs[i]);
		__m256d xo = _mm256_set1_pd(xs[i + 1]);

#pragma GCC unroll 16
		for (int e = 0; e < NPOLY / 4; e++) {
			me[e] += xe * _mm256_loadu_pd(poly[i] + 4 * e);
			mo[e] += xo * _mm256_loadu_pd(poly[i + 1] + 4 * e);
		}
	}
	if (i < cnt) {
		__m256d xe = _mm256_set1_pd(xs[i]);

#pragma GCC unroll 16
		for (int e = 0; e < NPOLY / 4; e++)
			me[e] += xe * _mm256_loadu_pd(poly[i] + 4 * e);
	}
#pragma GCC unroll 16
	for (int e = 0; e < NPOLY / 4; e++)
		_mm256_storeu_pd(m + 4 * e, me[e] + mo[e]);
}

static const struct kernels kernels_avx2 = {
	lags_avx2, blocks_avx2, coefs_avx2
};
#endif

static const struct kernels *kernels_pick(void)
{
#ifdef HAVE_AVX2_KERNELS
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2"))
		return &kernels_avx2;
#endif
	return &kernels_v2;
}

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

/*
 * The refinement's filters. For each Chebyshev point d_j in (-1, 1), pb at
 * i - MARGIN - d_j (i < seg) comes from the IFFT of the band-limited
 * P_k exp(-j w_k d_j); the Chebyshev coefficients over j then give, for
 * each tap i, the polynomial in d, stored by powers of d.
 */
static int poly_create(struct cs_ustof *q)
{
	size_t seg = q->cfg.pulse_len + 2 * MARGIN;
	struct plan *p = plan_get(q, next_pow2(seg + q->cfg.pulse_len));
	double tc[NPOLY][NPOLY] = { { 0 } };	/* T_d(x) = sum_e tc[d][e] x^e */
	double tj[NPOLY][NPOLY];		/* T_d at the j-th point */
	double *v;
	size_t nfft;

	if (!p)
		return -errno;
	nfft = p->nfft;
	q->seg = seg;
	q->ed = p->ed;
	q->poly = calloc(seg, sizeof(*q->poly));
	v = malloc(NPOLY * seg * sizeof(*v));
	if (!q->poly || !v) {
		free(v);
		return -ENOMEM;
	}
	for (int j = 0; j < NPOLY; j++) {
		double d = cos(M_PI * (j + 0.5) / NPOLY);

		memset(p->spec, 0, nfft * sizeof(*p->spec));
		p->spec[0] = conjf(p->pconj[0]);
		for (size_t k = p->kmin; k <= p->kmax; k++) {
			double complex s = (double complex)conjf(p->pconj[k]) *
					   cexp(-I * 2.0 * M_PI * (double)k *
						d / (double)nfft);

			p->spec[k] = (liquid_float_complex)s;
			p->spec[nfft - k] = (liquid_float_complex)conj(s);
		}
		fft_execute(p->inv);
		for (size_t i = 0; i < seg; i++)
			v[j * seg + i] = crealf(p->corr[(i + nfft - MARGIN) %
							nfft]) / (double)nfft;
	}
	tc[0][0] = 1.0;
	tc[1][1] = 1.0;
	for (int d = 1; d + 1 < NPOLY; d++)
		for (int e = 0; e < NPOLY; e++)
			tc[d + 1][e] = (e ? 2.0 * tc[d][e - 1] : 0.0) -
				       tc[d - 1][e];
	for (int d = 0; d < NPOLY; d++)
		for (int j = 0; j < NPOLY; j++)
			tj[d][j] = cos(M_PI * d * (j + 0.5) / NPOLY);
	for (size_t i = 0; i < seg; i++)
		for (int d = 0; d < NPOLY; d++) {
			double a = 0.0;

			for (int j = 0; j < NPOLY; j++)
				a += v[j * seg + i] * tj[d][j];
			a *= (d ? 2.0 : 1.0) / NPOLY;
			for (int e = 0; e <= d; e++)
				q->poly[i][e] += a * tc[d][e];
		}
	free(v);
	return 0;
}

/* The pulse's Hilbert transform (the imaginary part of its analytic
 * signal, kept over the pulse's own samples), so that c^2 + h^2 of the
 * two correlations is the correlation's envelope; and the carrier period,
 * from the centroid of |P|^2 over the band. */
static int envelope_create(struct cs_ustof *q)
{
	size_t len = q->cfg.pulse_len, kedge = 1;
	struct plan *p = plan_get(q, next_pow2(q->seg + len));
	double sw = 0.0, s = 0.0, amax = 0.0;

	if (!p)
		return -errno;
	q->ph = malloc(len * sizeof(*q->ph));
	if (!q->ph)
		return -ENOMEM;
	memset(p->spec, 0, p->nfft * sizeof(*p->spec));
	for (size_t k = p->kmin; k <= p->kmax; k++) {
		liquid_float_complex v = conjf(p->pconj[k]);
		double a = crealf(v) * crealf(v) + cimagf(v) * cimagf(v);

		p->spec[k] = 2.0f * v;
		sw += a * (double)k;
		s += a;
	}
	fft_execute(p->inv);
	for (size_t i = 0; i < len; i++)
		q->ph[i] = cimagf(p->corr[i]) / (double)p->nfft;
	/* the band's upper edge at -40 dB sets how far the search may
	 * decimate: boxcar sums of DEC samples keep it below a third of the
	 * decimated rate (the sums' own response there is over 0.8) */
	for (size_t k = p->kmin; k <= p->kmax; k++) {
		double a = cabsf(p->pconj[k]);

		amax = fmax(amax, a);
	}
	for (size_t k = p->kmin; k <= p->kmax; k++)
		if (cabsf(p->pconj[k]) >= 0.01 * amax)
			kedge = k;
	q->dec = (size_t)(DEC_EDGE * (double)p->nfft / (double)kedge);
	q->dec = q->dec > DEC_MAX ? DEC_MAX : q->dec;
	if (q->dec < DEC_MIN || len / q->dec < 8)
		q->dec = 0;
	q->period = (double)p->nfft * s / sw;
	q->cos_half = cos(M_PI / q->period);
	if (q->period < (double)len)
		q->rho = corr_at(q->pulse + lround(q->period), len -
				 (size_t)lround(q->period), q->pulse, len, 0) /
			 q->ep;
	return 0;
}

/* The pulse's boxcar sums for the decimated search, and its scratch. */
static int decimation_create(struct cs_ustof *q)
{
	size_t len = q->cfg.pulse_len, d = q->dec;

	q->len_d = (len + d - 1) / d;
	q->pd = calloc(q->len_d, sizeof(*q->pd));
	q->xd = calloc(q->cfg.n / d + 2, sizeof(*q->xd));
	if (!q->pd || !q->xd)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++)
		q->pd[i / d] += q->pulse[i];
	return 0;
}

void cs_ustof_destroy(struct cs_ustof *q)
{
	if (!q)
		return;
	for (int l = 0; l < MAX_PLANS; l++)
		plan_destroy(q->plans[l]);
	free(q->poly);
	free(q->ph);
	free(q->pd);
	free(q->xd);
	free(q->cum);
	free(q->bound);
	free(q->pulse);
	free(q->x);
	free(q);
}

struct cs_ustof *cs_ustof_create(const struct cs_ustof_config *cfg)
{
	struct cs_ustof *q;
	int ret;

	if (!cfg || cfg->n < 16 || cfg->n > 1048576 || !cfg->pulse ||
	    cfg->pulse_len < 2 || cfg->pulse_len > cfg->n ||
	    cfg->polarity < -1 || cfg->polarity > 1 ||
	    !(cfg->min_snr >= 0.0) || !(cfg->full_scale > 0.0) ||
	    !(cfg->false_alarm >= 0.0 && cfg->false_alarm < 1.0)) {
		errno = EINVAL;
		return NULL;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->cfg = *cfg;
	q->pulse = malloc(cfg->pulse_len * sizeof(*q->pulse));
	q->x = calloc(cfg->n, sizeof(*q->x));
	/* a gate's lags and two pulses, one past the end of the record */
	q->cum = malloc(((cfg->n + 2 * cfg->pulse_len) / GROUP + 8) *
			sizeof(*q->cum));
	q->bound = malloc((cfg->n / GROUP + 1) * sizeof(*q->bound));
	if (!q->pulse || !q->x || !q->cum || !q->bound) {
		cs_ustof_destroy(q);
		errno = ENOMEM;
		return NULL;
	}
	memcpy(q->pulse, cfg->pulse, cfg->pulse_len * sizeof(*q->pulse));
	q->cfg.pulse = q->pulse;
	q->k = kernels_pick();
	for (size_t i = 0; i < cfg->pulse_len; i++)
		q->ep += cfg->pulse[i] * cfg->pulse[i];
	/* the search's tighter bound: the block of most energy, the rest */
	for (size_t b = 0; b * GROUP < cfg->pulse_len; b++) {
		double e = 0.0;

		for (size_t i = b * GROUP; i < (b + 1) * GROUP &&
		     i < cfg->pulse_len; i++)
			e += cfg->pulse[i] * cfg->pulse[i];
		if (e > q->ecore) {
			q->ecore = e;
			q->core = b;
		}
	}
	for (size_t i = 0; i < cfg->pulse_len; i++)
		if (i / GROUP != q->core)
			q->erest += cfg->pulse[i] * cfg->pulse[i];
	if (!(q->ep > 0.0) || !isfinite(q->ep)) {
		cs_ustof_destroy(q);
		errno = EINVAL;
		return NULL;
	}
	ret = poly_create(q);	/* also refuses a pulse with no band */
	if (!ret)
		ret = envelope_create(q);
	if (!ret && q->dec)
		ret = decimation_create(q);
	if (ret) {
		cs_ustof_destroy(q);
		errno = -ret;
		return NULL;
	}
	q->upcross = sqrt(q->ed / q->ep) / (2.0 * M_PI);
	q->noise = NAN;
	return q;
}

void cs_ustof_set_record(struct cs_ustof *q, const double *x)
{
	memcpy(q->x, x, q->cfg.n * sizeof(*x));
	q->noise = NAN;
	q->have_record = 1;
}

/*
 * Correlate samples [s0, s0 + seg) of record @x (zeros outside it) with
 * the pulse through the FFT: the segment at the start of an N-point buffer,
 * N >= seg + len, so that the circular correlation equals the linear one
 * for every lag of interest. Leaves the correlation in p->corr (times N).
 */
static void correlate_segment(const struct cs_ustof *q, struct plan *p,
			      const double *x, ptrdiff_t s0, size_t seg)
{
	ptrdiff_t n = (ptrdiff_t)q->cfg.n;

	for (size_t i = 0; i < p->nfft; i++) {
		ptrdiff_t j = s0 + (ptrdiff_t)i;

		p->buf[i] = i < seg && j >= 0 && j < n ? (float)x[j] : 0.0f;
	}
	fft_execute(p->fwd);
	for (size_t k = 0; k < p->nfft; k++)
		p->spec[k] *= p->pconj[k];
	fft_execute(p->inv);
}

/* The correlation at lags m..m+GROUP-1 into r[] (cs_ustof_correlation()'s
 * values, summed in the same order): the lags side by side, so that each
 * sample of the pulse is loaded once for all of them. */
static void lags_group(const struct cs_ustof *q, const double *x, size_t m,
		       double r[GROUP])
{
	size_t n = q->cfg.n, len = q->cfg.pulse_len;

	if (m + GROUP - 1 + len > n) {	/* the record's end: one by one */
		for (size_t j = 0; j < GROUP; j++)
			r[j] = corr_at(x, n, q->pulse, len, m + j);
		return;
	}
	q->k->lags(x + m, q->pulse, len, r);
}

/* The best of the lags of group @k of the gate from @lo to @hi into *@top,
 * *@best, *@rbest: a larger value, or an equal one at a smaller lag, as a
 * full scan in order would keep the first of equal maxima. The group is
 * marked done in q->bound. Before the dot products, a tighter bound than
 * the group's (whose energy is @e): the pulse's core block and the rest
 * apart, |r| <= sqrt(Ecore ecore) + sqrt(E erest), Ecore the energy of
 * the samples under the core block for the group's lags; an echo a few
 * samples off the core then no longer passes. */
static void search_group(struct cs_ustof *q, const double *x, size_t lo,
			 size_t hi, size_t k, double e, double slack,
			 double *top, size_t *best, double *rbest)
{
	size_t m = lo + k * GROUP, cnt = hi + 1 - m < GROUP ? hi + 1 - m : GROUP;
	size_t a = k + q->core, j;
	double r[GROUP], v[GROUP], vmax;

	q->bound[k] = -1.0;
	if (*top > 0.0) {
		double ec = q->cum[a + 2] - q->cum[a] + slack;

		if ((sqrt(ec * q->ecore) + sqrt(e * q->erest)) * (1.0 + 1e-6) <
		    *top)
			return;
	}
	lags_group(q, x, m, r);
	vmax = -INFINITY;
	for (j = 0; j < cnt; j++) {
		v[j] = q->cfg.polarity ? q->cfg.polarity * r[j] : fabs(r[j]);
		vmax = v[j] > vmax ? v[j] : vmax;
	}
	if (!(vmax >= *top))
		return;
	for (j = 0; j < cnt && v[j] != vmax; j++)
		;
	if (j == cnt)	/* -inf, no lag's: the record has NaNs there */
		return;
	if (vmax > *top || m + j < *best) {
		*top = vmax;
		*best = m + j;
		*rbest = r[j];
	}
}

/*
 * Integer maximum over lags [lo, hi] by direct dot products, pruned: with
 * E the energy of the samples under a group of GROUP lags' windows,
 * |r| <= sqrt(E ep) for each of them (Cauchy-Schwarz), and a group whose
 * bound is below the best value so far cannot hold the maximum. The group
 * of most energy goes first, then its neighbours, the one of more energy
 * first, while they may beat the best so far (an echo spans several groups
 * of about the same energy; that sets a high bar); then any other group
 * that still may. q->cum[b] holds the energy of samples [lo, lo + b GROUP)
 * (the whole gate's past its end), as gate_energy() left it.
 */
static size_t search_direct(struct cs_ustof *q, const double *x, size_t lo,
			    size_t hi, size_t nblk, double *rbest)
{
	size_t len = q->cfg.pulse_len, ngrp = (hi - lo) / GROUP + 1;
	size_t span = (GROUP - 1 + len + GROUP - 1) / GROUP, best = lo, kmax = 0;
	double *bound = q->bound, *cum = q->cum, top = -INFINITY;
	double e0 = -1.0, e1 = -1.0, e2 = -1.0, e3 = -1.0, bar;
	/* room for the rounding of the running sums and of the products */
	double slack = 1e-9 * cum[nblk], scale = q->ep * (1.0 + 1e-6);
	size_t k;

	/* energies under each group (-1 marks a group done) and the most:
	 * four running maxima, not one chain, then the first group with it */
	for (k = 0; k < ngrp; k++)
		bound[k] = cum[k + span] - cum[k] + slack;
	for (k = 0; k + 4 <= ngrp; k += 4) {
		e0 = bound[k] > e0 ? bound[k] : e0;
		e1 = bound[k + 1] > e1 ? bound[k + 1] : e1;
		e2 = bound[k + 2] > e2 ? bound[k + 2] : e2;
		e3 = bound[k + 3] > e3 ? bound[k + 3] : e3;
	}
	for (; k < ngrp; k++)
		e0 = bound[k] > e0 ? bound[k] : e0;
	e0 = e0 > e1 ? e0 : e1;
	e2 = e2 > e3 ? e2 : e3;
	e0 = e0 > e2 ? e0 : e2;
	while (kmax + 1 < ngrp && bound[kmax] != e0)
		kmax++;
	search_group(q, x, lo, hi, kmax, bound[kmax], slack, &top, &best,
		     rbest);
	for (size_t l = kmax, r = kmax + 1;;) {	/* groups [l, r) done */
		double bl = l > 0 ? bound[l - 1] : -1.0;
		double br = r < ngrp ? bound[r] : -1.0;
		double b = bl >= br ? bl : br;

		k = bl >= br ? l - 1 : r;
		if (b < 0.0 || (top > 0.0 && b * scale < top * top))
			break;
		search_group(q, x, lo, hi, k, bound[k], slack, &top, &best,
			     rbest);
		if (k < l)
			l = k;
		else
			r = k + 1;
	}
	/* 0 while no value is above 0: every group not done may */
	bar = top > 0.0 ? top * top / scale : 0.0;
	for (k = 0; k < ngrp; k++)
		if (bound[k] >= bar) {
			search_group(q, x, lo, hi, k, bound[k], slack, &top,
				     &best, rbest);
			bar = top > 0.0 ? top * top / scale : 0.0;
		}
	return best;
}

/*
 * Integer maximum over lags [lo, hi] of an oversampled pulse, at a cost
 * of about 1/DEC^2 of the direct search's: the segment and the pulse as
 * sums of DEC samples, whose correlation at coarse lag k is that of the
 * record at lag lo + k DEC smoothed by a triangle of 2 DEC lags (the band
 * lies well below the decimated rate, so the triangle keeps its shape and
 * the noise its whiteness); its maximum, then the record's own lags within
 * DEC of it. resolve_cycle() after it looks a period either side, as it
 * does for the other searches.
 */
static size_t search_decimated(struct cs_ustof *q, const double *x,
			       size_t lo, size_t hi, double *rbest)
{
	size_t n = q->cfg.n, len = q->cfg.pulse_len, dd = q->dec;
	size_t end = hi + len < n ? hi + len : n, m = (end - lo) / dd;
	size_t nk = (hi - lo) / dd + 1, kbest = 0, best = lo, a, b;
	double top = -INFINITY, *xd = q->xd;

	for (size_t j = 0; j < m; j++) {
		const double *xs = x + lo + j * dd;
		double s0 = 0.0, s1 = 0.0;
		size_t i;

		for (i = 0; i + 1 < dd; i += 2) {
			s0 += xs[i];
			s1 += xs[i + 1];
		}
		xd[j] = s0 + s1 + (i < dd ? xs[i] : 0.0);
	}
	for (size_t k = 0; k < nk; k++) {
		double c = corr_at(xd, m, q->pd, q->len_d, k);
		double v = q->cfg.polarity ? q->cfg.polarity * c : fabs(c);

		if (v > top) {
			top = v;
			kbest = k;
		}
	}
	a = lo + kbest * dd;
	b = a + dd < hi ? a + dd : hi;
	a = a >= lo + dd ? a - dd : lo;
	top = -INFINITY;
	for (size_t g0 = a; g0 <= b; g0 += GROUP) {
		double r[GROUP];

		lags_group(q, x, g0, r);
		for (size_t j = 0; j < GROUP && g0 + j <= b; j++) {
			double v = q->cfg.polarity ? q->cfg.polarity * r[j]
						   : fabs(r[j]);

			if (v > top) {
				top = v;
				best = g0 + j;
				*rbest = r[j];
			}
		}
	}
	return best;
}

/* Running energy of [lo, end) block by block into q->cum (cum[b] = samples
 * [lo, lo + b GROUP), the last block may be short, the total after it);
 * returns the total.
 * Each block's own sum is short and independent of the others; the running
 * sum takes four blocks an addition on its chain. */
static double gate_energy(struct cs_ustof *q, const double *x, size_t lo,
			  size_t end)
{
	size_t nb = (end - lo) / GROUP, b;
	double run = 0.0, *cum = q->cum;

	cum[0] = 0.0;
	q->k->blocks(x + lo, nb, cum + 1);
	for (b = 0; b + 4 <= nb; b += 4) {
		double e01 = cum[b + 1] + cum[b + 2];
		double e23 = cum[b + 3] + cum[b + 4];

		cum[b + 1] += run;
		cum[b + 3] = run + (e01 + cum[b + 3]);
		cum[b + 2] = run + e01;
		run += e01 + e23;
		cum[b + 4] = run;
	}
	for (; b < nb; b++) {
		run += cum[b + 1];
		cum[b + 1] = run;
	}
	for (size_t i = lo + nb * GROUP; i < end; i++)
		run += x[i] * x[i];
	/* and past the end, so that the search need not check */
	for (size_t i = 0; i < q->cfg.pulse_len / GROUP + 5; i++)
		cum[nb + 1 + i] = run;
	return run;
}

/* c, c' and c'' at @d of the polynomial whose coefficients are @m, those
 * of c' being @m1 and those of c'' @m2 (two a v2d): sums of coefficient
 * times power, the powers from d^2 and d^4, so that no chain of dependent
 * operations is more than a few long (Horner's is NPOLY). */
static void poly_eval(const v2d *m, const v2d *m1, const v2d *m2, double d,
		      double *c0, double *c1, double *c2)
{
	double d2 = d * d, d4 = d2 * d2;
	v2d pw[NPOLY / 2], s0, s1, s2;

	pw[0] = (v2d){ 1.0, d };
	pw[1] = pw[0] * d2;
	for (int k = 2; k < NPOLY / 2; k++)
		pw[k] = pw[k - 2] * d4;
	s0 = m[0] * pw[0];
	s1 = m1[0] * pw[0];
	s2 = m2[0] * pw[0];
	for (int k = 1; k < NPOLY / 2; k++) {
		s0 += m[k] * pw[k];
		s1 += m1[k] * pw[k];
		s2 += m2[k] * pw[k];
	}
	*c0 = s0[0] + s0[1];
	*c1 = s1[0] + s1[1];
	*c2 = s2[0] + s2[1];
}

/* Newton on sgn * c(best + d) from d = 0, kept within a sample; returns d,
 * the correlation there in *@c and its second derivative in *@cpp. */
static double refine(const struct cs_ustof *q, const double *x, size_t best,
		     double sgn, double *c, double *cpp)
{
	ptrdiff_t s0 = (ptrdiff_t)best - MARGIN, n = (ptrdiff_t)q->cfg.n;
	size_t ia = s0 < 0 ? (size_t)-s0 : 0;
	size_t ib = s0 + (ptrdiff_t)q->seg > n ? (size_t)(n - s0) : q->seg;
	v2d m[NPOLY / 2], m1[NPOLY / 2], m2[NPOLY / 2];
	double d = 0.0, c0, c1, c2, mc[NPOLY];

	/* the polynomial's coefficients */
	q->k->coefs(x + (s0 + (ptrdiff_t)ia), q->poly + ia, ib - ia, mc);
	for (int k = 0; k < NPOLY / 2; k++)
		m[k] = load2(mc + 2 * k);
	/* those of c' and c'': (e + 1) m[e + 1], (e + 1) (e + 2) m[e + 2] */
	for (int k = 0; k < NPOLY / 2; k++) {
		double e = 2.0 * k;

		v2d next = k + 1 < NPOLY / 2 ? m[k + 1] : (v2d){ 0.0, 0.0 };

		m1[k] = (v2d){ m[k][1], next[0] } * (v2d){ e + 1.0, e + 2.0 };
		m2[k] = next * (v2d){ (e + 1.0) * (e + 2.0),
				      (e + 2.0) * (e + 3.0) };
	}
	/* at d = 0 the derivatives are the coefficients */
	c0 = m[0][0];
	c1 = m[0][1];
	c2 = 2.0 * m[1][0];
	for (int it = 0;; it++) {
		double step;

		if (sgn * c2 < 0.0)
			step = -c1 / c2;
		else		/* not concave here: climb */
			step = sgn * c1 > 0 ? 0.25 : -0.25;
		step = step > 0.5 ? 0.5 : step < -0.5 ? -0.5 : step;
		step = d + step > 1.0 ? 1.0 - d : d + step < -1.0 ? -1.0 - d
								 : step;
		d += step;
		/* quadratic convergence: what is left is of order step^2 */
		if (fabs(step) < NEWTON_TOL) {
			c0 += (c1 + 0.5 * c2 * step) * step;
			break;
		}
		poly_eval(m, m1, m2, d, &c0, &c1, &c2);
		if (it == NEWTON_MAX)
			break;
	}
	*c = c0;
	*cpp = c2;
	return d;
}

/*
 * Noise (1 sigma, counts) from the gate's segment [lo, end) outside the
 * echo: the samples from half a pulse before the echo's origin to half a
 * pulse after its end are left out (an echo whose band is narrower than
 * the pulse's is longer), in whole GROUP-blocks of q->cum. NAN when fewer
 * than NOISE_MIN samples are left: the caller then takes the residual.
 * Unlike the residual, this does not count as noise what the pulse's shape
 * fails to explain of an echo of another shape.
 */
#define NOISE_MIN 32
static double noise_outside(const struct cs_ustof *q, size_t lo, size_t end,
			    double delay, size_t *count)
{
	size_t len = q->cfg.pulse_len, nb = (end - lo) / GROUP + 1;
	double w0 = delay - (double)(len / 2 + MARGIN) - (double)lo;
	double w1 = delay + (double)(len + len / 2 + MARGIN) - (double)lo;
	size_t b0, b1, s0, s1, cnt;

	b0 = w0 <= 0.0 ? 0 : (size_t)(w0 / GROUP);
	b1 = w1 <= 0.0 ? 0 : (size_t)ceil(w1 / GROUP);
	b0 = b0 > nb ? nb : b0;
	b1 = b1 > nb ? nb : b1;
	b1 = b1 < b0 ? b0 : b1;
	s0 = lo + b0 * GROUP < end ? lo + b0 * GROUP : end;
	s1 = lo + b1 * GROUP < end ? lo + b1 * GROUP : end;
	cnt = (end - lo) - (s1 - s0);
	if (cnt < NOISE_MIN)
		return NAN;
	*count = cnt;
	return sqrt(fmax(q->cum[nb] - (q->cum[b1] - q->cum[b0]), 0.0) /
		    (double)cnt);
}

/* The echo's envelope (log) at lag @m: the correlations with the pulse
 * and with its Hilbert transform. */
static double log_envelope(const struct cs_ustof *q, const double *x,
			   size_t m)
{
	size_t n = q->cfg.n, len = q->cfg.pulse_len;
	double c = corr_at(x, n, q->pulse, len, m);
	double h = corr_at(x, n, q->ph, len, m);

	return 0.5 * log(c * c + h * h + 1e-300);
}

/*
 * Cycle slips. An echo whose band is narrower than the pulse's (or noise)
 * can lift the correlation's carrier peak a period away from the echo's to
 * nearly the height of the right one, or above it. When a neighbour a
 * period away comes within CYCLE_SIGMAS standard deviations of the best
 * (the difference of two correlations a period apart has the deviation
 * noise sqrt(2 Ep (1 - rho)), rho the pulse's own correlation there), the
 * envelope decides: its maximum, from a parabola through the log envelope
 * at the three peaks (exact for a Gaussian envelope), picks the carrier
 * peak nearest it. The estimate moves there (*@best, *@d, *@c0, *@c2).
 * The vertex's deviation is taken to first order, which holds only at a
 * good envelope SNR (measured: at 10-14 its errors were 3x that): below
 * 16 the envelope is not asked.
 * Returns 1 when the envelope cannot tell (its maximum more than a quarter
 * period from every candidate, or no maximum), or when the rival lies past
 * the gate's edge: the caller flags it.
 */
#define CYCLE_SIGMAS 4.0
#define ENVELOPE_SIGMAS 3.0
#define ENVELOPE_NOISE_MAX 0.06	/* below an envelope SNR of 16 the vertex's
				 * error has long tails: not trusted */
static int resolve_cycle(const struct cs_ustof *q, const double *x,
			 size_t lo, size_t hi, double sgn, double noise,
			 size_t *best, double *d, double *c0, double *c2)
{
	size_t n = q->cfg.n, len = q->cfg.pulse_len;
	double per = q->period, tau[3], cv[3], c2v[3], y[3], bar, den, te, ste;
	double sy;
	long ip = lround(per), mid = lround((double)*best + *d);
	int have[3] = { 0, 1, 0 }, close = 0, k = 1;
	size_t at[3];

	if (!(per >= 2.0) || !(per < (double)n))
		return 0;
	bar = sgn * *c0 - CYCLE_SIGMAS * noise *
			  sqrt(2.0 * q->ep * fmax(1.0 - q->rho, 0.0));
	tau[1] = (double)*best + *d;
	cv[1] = *c0;
	c2v[1] = *c2;
	at[1] = *best;
	for (int s = 0; s < 3; s += 2) {
		long m = lround(tau[1] + (s - 1) * per);
		double c, cc, dd;

		if (m < 0 || m >= (long)n)
			continue;
		/* the integer lag is within half a sample of the neighbour's
		 * peak, which is then at most 1/cos(pi/per) above it */
		c = corr_at(x, n, q->pulse, len, (size_t)m);
		if (sgn * c < bar * q->cos_half)
			continue;
		dd = refine(q, x, (size_t)m, sgn, &c, &cc);
		if (!(sgn * cc < 0.0) || fabs(dd) >= 1.0 || !(sgn * c > bar))
			continue;
		/* a rival just past the gate's edge: the echo may be there,
		 * outside the gate; not to be moved to, not to be ruled out */
		if (m < (long)lo || m > (long)hi)
			return 1;
		tau[s] = (double)m + dd;
		cv[s] = c;
		c2v[s] = cc;
		at[s] = (size_t)m;
		have[s] = 1;
		close = 1;
	}
	if (!close)
		return 0;
	for (int s = 0; s < 3; s++) {
		long m = mid + (s - 1) * ip;

		if (m < 0 || m >= (long)n)
			return 1;
		y[s] = log_envelope(q, x, (size_t)m);
	}
	den = y[0] - 2.0 * y[1] + y[2];
	if (!(den < 0.0))
		return 1;
	te = (double)mid + 0.5 * (y[0] - y[2]) / den * (double)ip;
	/* its standard deviation: each log envelope has noise sy about
	 * noise sqrt(Ep) / envelope; through the vertex, the numerator's
	 * (2 sy^2) and the curvature's (6 sy^2) to first order. A curvature
	 * not well above its own noise gives no vertex at all. */
	sy = noise * sqrt(q->ep) / exp(y[1]);
	if (sy > ENVELOPE_NOISE_MAX || -den < ENVELOPE_SIGMAS * sqrt(6.0) * sy)
		return 1;
	ste = 0.5 * (double)ip * sy / -den *
	      sqrt(2.0 + 6.0 * (y[0] - y[2]) * (y[0] - y[2]) / (den * den));
	for (int s = 0; s < 3; s += 2)
		if (have[s] && fabs(te - tau[s]) < fabs(te - tau[k]))
			k = s;
	if (k != 1) {
		*best = at[k];
		*d = tau[k] - (double)at[k];
		*c0 = cv[k];
		*c2 = c2v[k];
	}
	/* sure only when the envelope's maximum, give or take ENVELOPE_SIGMAS
	 * of its deviation, stays within half a period of the chosen peak */
	return fabs(te - tau[k]) + ENVELOPE_SIGMAS * ste > 0.5 * per;
}

/*
 * The detection threshold of a gate of @lags lags whose noise came from
 * @m samples: min_snr, or higher, what gives at most cfg.false_alarm
 * false detections a gate in noise alone. The correlation of noise is a
 * Gaussian process whose maximum over the lags passes T with probability
 * about K exp(-T^2 / 2), K = lags sqrt(Ed / Ep) / (2 pi) its expected
 * up-crossings a unit of level (Rice), twice that for either polarity;
 * the noise it is divided by is estimated from m samples, which widens
 * the statistic's deviation to sqrt(1 + T^2 / 2m). That predicted the
 * measured rate on noise alone within its statistics (1.2e-4 seen for
 * 1e-4 over 1e5 gates), so the threshold aims at half the rate asked, to
 * stay under it (tests/unit/test-ustof.c, make bench).
 */
static double threshold(const struct cs_ustof *q, size_t lags, size_t m)
{
	double k, t;

	if (!(q->cfg.false_alarm > 0.0))
		return q->cfg.min_snr;
	k = (double)lags * q->upcross * (q->cfg.polarity ? 1.0 : 2.0);
	t = sqrt(2.0 * log(2.0 * fmax(k, 1.0) / q->cfg.false_alarm));
	t *= sqrt(1.0 + t * t / (2.0 * (double)(m ? m : 1)));
	return fmax(t, q->cfg.min_snr);
}

/* A gate whose samples give no number: no echo, status nan. */
static int no_echo(struct cs_ustof *q, struct cs_ustof_result *res)
{
	res->delay = res->amplitude = res->snr = res->sigma = NAN;
	res->energy = NAN;
	res->status = CS_USTOF_NAN;
	q->noise = NAN;
	return 0;
}

/* One gate of record @x: see cs_ustof_execute(). */
static int gate(struct cs_ustof *q, const double *x, size_t lo, size_t hi,
		struct cs_ustof_result *res)
{
	size_t n = q->cfg.n, len = q->cfg.pulse_len, g = hi - lo + 1;
	size_t best = lo, a, b, end, nblk, nfft, clipped = 0;
	double sgn, c0 = 0.0, c2 = 0.0, d, e = 0.0, segx2, rbest = 0.0;
	double noise, cost_fft, cost_direct, cost_dec, thr;
	size_t nnoise = 0;
	int ambiguous;

	memset(res, 0, sizeof(*res));
	/* the gate's energy, for the noise, and the search's bounds */
	end = hi + len < n ? hi + len : n;
	segx2 = gate_energy(q, x, lo, end);
	if (!isfinite(segx2))	/* NaN or Inf in the samples */
		return no_echo(q, res);
	nblk = (end - lo + GROUP - 1) / GROUP;
	nfft = next_pow2(g + 2 * len + 2 * MARGIN);
	/* the cheapest search for this gate: the decimated one when the
	 * pulse is oversampled enough, else direct (pruned), else FFT */
	cost_fft = 6.0 * (double)nfft * (double)log2_of(nfft);
	cost_direct = (double)g * (double)len;
	cost_dec = q->dec ? (double)(end - lo) + (double)(g / q->dec + 1) *
		   (double)q->len_d + (double)(3 * GROUP * len) : INFINITY;
	if (2.0 * cost_dec < fmin(cost_direct, cost_fft)) {
		best = search_decimated(q, x, lo, hi, &rbest);
	} else if (cost_direct > cost_fft) {
		/* long gate and pulse: the FFT of the gate's segment */
		ptrdiff_t s0 = (ptrdiff_t)lo - MARGIN;
		struct plan *p = plan_get(q, nfft);
		double top = 0.0;

		if (!p)
			return -errno;
		correlate_segment(q, p, x, s0, g + len + 2 * MARGIN);
		for (size_t m = lo; m <= hi; m++) {
			double r = crealf(p->corr[m - (size_t)s0]) /
				   (double)nfft;
			double v = q->cfg.polarity ? q->cfg.polarity * r
						   : fabs(r);

			if (m == lo || v > top) {
				top = v;
				best = m;
				rbest = r;
			}
		}
	} else {
		best = search_direct(q, x, lo, hi, nblk, &rbest);
	}
	sgn = q->cfg.polarity ? q->cfg.polarity : (rbest < 0 ? -1 : 1);
	d = refine(q, x, best, sgn, &c0, &c2);
	/* samples so large that their products overflow (a finite energy,
	 * an infinite correlation): as for NaN */
	if (!isfinite(d) || !isfinite(c0))
		return no_echo(q, res);

	/* noise: outside the echo where the gate leaves room, else what the
	 * fitted echo leaves of the gate (g samples, 2 fitted) */
	g = end - lo;
	noise = noise_outside(q, lo, end, (double)best + d, &nnoise);
	if (!(noise >= 0.0)) {
		nnoise = g > 3 ? g - 2 : 1;
		noise = sqrt(fmax(segx2 - c0 * c0 / q->ep, 0.0) /
			     (double)nnoise);
	}
	q->noise = noise;
	/* a gate under the threshold is lost whatever its cycle */
	thr = threshold(q, hi - lo + 1, nnoise);
	ambiguous = !(sgn * c0 >= thr * noise * sqrt(q->ep)) ? 0 :
		    resolve_cycle(q, x, lo, hi, sgn, noise, &best, &d, &c0,
				  &c2);
	res->delay = (double)best + d;
	res->amplitude = c0 / q->ep;
	res->snr = noise > 0.0 ? sgn * c0 / (noise * sqrt(q->ep)) : INFINITY;
	/*
	 * The delay maximises c(tau) = sum x_i pb(i - tau): its error is
	 * c'(tau0) / c''(tau0) to first order, the noise's part of c' having
	 * variance noise^2 Ed whatever the echo, and c'' the curvature of the
	 * correlation as it is (-a Ed when the echo is the pulse, which is the
	 * Cramer-Rao bound; flatter when the echo's band is narrower).
	 */
	res->sigma = sgn * c2 < 0.0 ? noise * sqrt(q->ed) / fabs(c2) :
		     INFINITY;
	a = res->delay >= 0.0 ? (size_t)floor(res->delay) : 0;
	b = a + len + 1 < n ? a + len + 1 : n;
	for (size_t i = a; i < b; i++) {
		e += x[i] * x[i];
		if (fabs(x[i]) >= q->cfg.full_scale)
			clipped++;
	}
	res->energy = e;
	if (hi - lo >= 2 && (best == lo || best == hi))
		res->status = CS_USTOF_EDGE;
	else if (!(res->snr >= thr) ||
		 !isfinite(res->sigma))
		res->status = CS_USTOF_WEAK;
	else if (clipped * CLIPPED_LOST > b - a)
		res->status = CS_USTOF_CLIPPED;
	else if (ambiguous) {
		res->status = CS_USTOF_AMBIGUOUS;
		res->sigma = fmax(res->sigma, q->period);
	} else if (clipped)
		res->status = CS_USTOF_SATURATED;
	else
		res->status = CS_USTOF_OK;
	return 0;
}

const char *cs_ustof_status_name(enum cs_ustof_status s)
{
	switch (s) {
	case CS_USTOF_OK:
		return "ok";
	case CS_USTOF_WEAK:
		return "lost:weak";
	case CS_USTOF_EDGE:
		return "lost:edge";
	case CS_USTOF_SATURATED:
		return "saturated";
	case CS_USTOF_NAN:
		return "lost:nan";
	case CS_USTOF_CLIPPED:
		return "lost:clipped";
	case CS_USTOF_AMBIGUOUS:
		return "ambiguous";
	}
	return "other";
}

double cs_ustof_period(const struct cs_ustof *q)
{
	return q ? q->period : NAN;
}

int cs_ustof_execute(struct cs_ustof *q, size_t lo, size_t hi,
		     struct cs_ustof_result *res)
{
	if (!q || !q->have_record || lo > hi || hi >= q->cfg.n || !res)
		return -EINVAL;
	return gate(q, q->x, lo, hi, res);
}

int cs_ustof_execute_record(struct cs_ustof *q, const double *x,
			    const size_t (*gates)[2], size_t ngates,
			    struct cs_ustof_result *r)
{
	int ret;

	if (!q || !x || (ngates && (!gates || !r)))
		return -EINVAL;
	for (size_t i = 0; i < ngates; i++)
		if (gates[i][0] > gates[i][1] || gates[i][1] >= q->cfg.n)
			return -EINVAL;
	for (size_t i = 0; i < ngates; i++) {
		ret = gate(q, x, gates[i][0], gates[i][1], &r[i]);
		if (ret)
			return ret;
	}
	return 0;
}

int cs_ustof_execute_block(struct cs_ustof *q, const double *x,
			   const size_t (*gates)[2], size_t ngates,
			   struct cs_ustof_result *r)
{
	if (!q || !x || (ngates && (!gates || !r)))
		return -EINVAL;
	cs_ustof_set_record(q, x);
	return cs_ustof_execute_record(q, q->x, gates, ngates, r);
}

double cs_ustof_correlation(const struct cs_ustof *q, size_t k)
{
	if (!q || !q->have_record || k >= q->cfg.n)
		return NAN;
	return corr_at(q->x, q->cfg.n, q->pulse, q->cfg.pulse_len, k);
}

double cs_ustof_noise(const struct cs_ustof *q)
{
	return q ? q->noise : NAN;
}
