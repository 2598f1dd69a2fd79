/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcellsense, acoustic side: ultrasonic time of flight (A-scans) and
 * acoustic-emission hits. Included by cellsense.h; same error convention.
 *
 * Times inside the library are in samples (A-scans) or sample indices
 * (AE streams); the caller converts with its sampling rate.
 */
#ifndef CELLSENSE_US_H
#define CELLSENSE_US_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------
 * Synthetic A-scans with known truth (tests, benchmarks, ussim(1)).
 *
 * The pulse is a Gaussian-windowed tone burst:
 *   p(t) = exp(-(t - tc)^2 / (2 s^2)) cos(2 pi f0 (t - tc)),
 * s from the -6 dB fractional bandwidth B (the spectrum's full width at half
 * amplitude is B * f0), tc = 5 s: the pulse's time origin (t = 0) is where
 * it starts, 5 s before its centre. An echo of delay d and amplitude a adds
 * a * g(d) * p(t - d), with g(d) = 10^(-atten_db_per_us * d[us] / 20), and
 * white Gaussian noise of noise_rms is added to every sample.
 */
#define CS_USSYNTH_MAX_ECHOES 16

struct cs_ussynth_config {
	size_t n;		/* samples per record, 16..1048576 */
	double rate_hz;		/* sampling rate, > 0 */
	double f0_hz;		/* carrier, 0 < f0 < rate/2 */
	double bandwidth;	/* -6 dB fractional bandwidth, 0.05..2 */
	double noise_rms;	/* counts, >= 0 */
	double atten_db_per_us;	/* amplitude loss with delay, >= 0 */
	uint64_t seed;
};

struct cs_ussynth;

CS_API struct cs_ussynth *cs_ussynth_create(const struct cs_ussynth_config *cfg);
CS_API void cs_ussynth_destroy(struct cs_ussynth *q);
/* Echo @index (< CS_USSYNTH_MAX_ECHOES) at @delay samples (may be
 * fractional or negative) with @amplitude counts before attenuation;
 * amplitude 0 removes it. 0 or -EINVAL. */
CS_API int cs_ussynth_set_echo(struct cs_ussynth *q, unsigned int index,
			       double delay, double amplitude);
/* Echo @index with an envelope of its own: the tone burst of fractional
 * bandwidth @bandwidth (0.05..2; 0: the pulse's), centred where the
 * pulse's centre would be, so the delay keeps its meaning (a medium that
 * narrows the band, say). Kept until changed. 0 or -EINVAL. */
CS_API int cs_ussynth_set_echo_band(struct cs_ussynth *q, unsigned int index,
				    double bandwidth);
/* One record into @out (n values). @noisy 0 gives the noiseless mean. */
CS_API void cs_ussynth_execute(struct cs_ussynth *q, int noisy, double *out);
/* Samples of the reference pulse (origin at sample 0, peak 1). */
CS_API size_t cs_ussynth_pulse_length(const struct cs_ussynth *q);
/* The reference pulse into @out (cs_ussynth_pulse_length() values),
 * scaled by @amplitude. */
CS_API void cs_ussynth_pulse(const struct cs_ussynth *q, double amplitude,
			     double *out);
/* Amplitude of echo @index after attenuation, counts. */
CS_API double cs_ussynth_echo_amplitude(const struct cs_ussynth *q,
					unsigned int index);
/*
 * Cramer-Rao bound (standard deviation, samples) of the delay of echo
 * @index alone in white noise of noise_rms, amplitude unknown, its shape
 * known: the square root of noise^2 / (a^2 sum_i e'(i - d)^2) over the
 * record's samples, e the echo's shape (the pulse's unless its band was
 * set).
 */
CS_API double cs_ussynth_crb(const struct cs_ussynth *q, unsigned int index);
/* A standard normal deviate from the generator's own stream. */
CS_API double cs_ussynth_randn(struct cs_ussynth *q);
/* A uniform deviate in (0, 1) from the same stream. */
CS_API double cs_ussynth_uniform(struct cs_ussynth *q);

/* ---------------------------------------------------------------------
 * Time of flight: per record and per gate, the delay (samples, from the
 * record's first sample to the pulse's origin) that maximises the
 * correlation with the reference pulse.
 *
 * For each gate the integer maximum of the cross-correlation over the
 * gate's lags comes from direct dot products, skipping lags that provably
 * cannot hold it (or, for a long gate and pulse, from the FFT of the gate's
 * segment, liquid-dsp, planned once per size; or, for a pulse sampled
 * far above its band, from sums of up to 16 samples of segment and pulse,
 * then the lags around that maximum: whichever costs least); it is refined by Newton's
 * method on the band-limited (Fourier-series) correlation around it, a
 * polynomial in the sub-sample offset built from the pulse's spectrum at
 * create. That is the maximum-likelihood delay for a known pulse in white
 * noise: no parabola, so no sample-locking, and the Cramer-Rao bound is
 * reached at moderate SNR whatever the samples per carrier cycle (4 is fine
 * when the pulse is band-limited below half the sampling rate).
 */
enum cs_ustof_status {
	CS_USTOF_OK = 0,
	CS_USTOF_WEAK = 1,	/* matched-filter SNR below the threshold
				 * (min_snr, false_alarm), or no curvature
				 * at the maximum: lost */
	CS_USTOF_EDGE = 2,	/* maximum on the gate's edge: echo not inside */
	CS_USTOF_SATURATED = 3,	/* a sample of the echo at full scale (at
				 * most 1/10 of them): a value, less sure */
	CS_USTOF_NAN = 4,	/* NaN or infinity in the gate's samples */
	CS_USTOF_CLIPPED = 5,	/* over 1/10 of the echo's samples clipped */
	CS_USTOF_AMBIGUOUS = 6,	/* carrier peaks a period apart too close to
				 * call and the envelope cannot tell: the
				 * value may be whole periods off, sigma is
				 * at least one period */
};

struct cs_ustof_config {
	size_t n;		/* samples per record, 16..1048576 */
	const double *pulse;	/* reference pulse, origin at pulse[0] */
	size_t pulse_len;	/* 2..n */
	int polarity;		/* +1 echoes like the pulse, -1 inverted,
				 * 0 either sign (maximum of |correlation|) */
	double min_snr;		/* matched-filter amplitude SNR (linear)
				 * below which a gate is WEAK; >= 0 */
	double false_alarm;	/* 0 (off), or the false detections a gate
				 * of noise alone may give, 0..1 (1e-4):
				 * the threshold is then raised to what
				 * gives that for the gate's length */
	double full_scale;	/* |sample| >= this is clipped; > 0
				 * (INFINITY: never) */
};

struct cs_ustof_result {
	double delay;		/* samples, sub-sample; NAN when not found */
	double amplitude;	/* echo / reference pulse (signed) */
	double energy;		/* sum of squared samples over the echo: the
				 * pulse_len + 1 from floor(delay), counts^2 */
	double snr;		/* matched-filter SNR (linear) */
	double sigma;		/* standard uncertainty of delay (samples):
				 * the noise measured outside the echo (or
				 * the fit's residual in a gate too short for
				 * that) over the correlation's curvature at
				 * the maximum, so it holds for an echo of
				 * another band or shape than the pulse */
	enum cs_ustof_status status;
};

struct cs_ustof;

CS_API struct cs_ustof *cs_ustof_create(const struct cs_ustof_config *cfg);
CS_API void cs_ustof_destroy(struct cs_ustof *q);
/* Take record @x (n samples, copied) for the gates that follow. */
CS_API void cs_ustof_set_record(struct cs_ustof *q, const double *x);
/*
 * Delay of the echo in the gate whose pulse origin lies in samples
 * [lo, hi] (hi < n) of the record last set. 0 and *@r filled (check its
 * status), -EINVAL for a bad gate or before any record.
 */
CS_API int cs_ustof_execute(struct cs_ustof *q, size_t lo, size_t hi,
			    struct cs_ustof_result *r);
/* set_record() then execute() for @ngates gates {lo, hi} in @gates. */
CS_API int cs_ustof_execute_block(struct cs_ustof *q, const double *x,
				  const size_t (*gates)[2], size_t ngates,
				  struct cs_ustof_result *r);
/* The same gates of record @x read in place, nothing copied (a record a
 * shot, as ustof(1) does): the record last set is not changed. 0, or
 * -EINVAL for a bad gate (then no result is filled). */
CS_API int cs_ustof_execute_record(struct cs_ustof *q, const double *x,
				   const size_t (*gates)[2], size_t ngates,
				   struct cs_ustof_result *r);
/* The status as ustof(1) writes it: "ok", "lost:weak", "lost:edge",
 * "saturated", "lost:nan", "lost:clipped", "ambiguous". */
CS_API const char *cs_ustof_status_name(enum cs_ustof_status s);
/* The pulse's carrier period, samples (centroid of its power spectrum). */
CS_API double cs_ustof_period(const struct cs_ustof *q);
/* The plain integer-lag correlation of the record last set at lag @k
 * (k < n), computed directly: for tests and baselines. */
CS_API double cs_ustof_correlation(const struct cs_ustof *q, size_t k);
/* Noise estimate (counts, 1 sigma) of the last gate: the rms of the gate's
 * segment outside the echo (from half a pulse before it to half a pulse
 * after it), or where that leaves under 32 samples, of what the fitted
 * echo leaves of the segment (other echoes in it raise either). */
CS_API double cs_ustof_noise(const struct cs_ustof *q);

/* ---------------------------------------------------------------------
 * Acoustic emission: hits on a continuous stream, with the conventional
 * timing parameters (ASTM E1316, E610):
 *  - a hit starts at the first sample with |x| >= threshold;
 *  - PDT: the peak is updated while a higher one comes within PDT of the
 *    current peak, then it is fixed (rise time = its time - start); PDT 0
 *    is off (as Vallen's): the peak is the hit's largest;
 *  - HDT: the hit ends when no sample crosses the threshold for HDT; its
 *    duration runs from the first to the last crossing;
 *  - HLT: after the end no hit may start for HLT (reflections).
 * Counts are the positive-going crossings of +threshold; energy is the sum
 * of x^2 / rate over the duration (counts^2 s).
 */
struct cs_aehit_config {
	double rate_hz;		/* samples per second, > 0 */
	double threshold;	/* counts, > 0 (cs_ae_db_to_counts) */
	double pdt_s;		/* peak-definition time, >= 0 (0: off) */
	double hdt_s;		/* hit-definition time, >= 1 sample */
	double hlt_s;		/* hit-lockout time, >= 0 */
	double max_duration_s;	/* a hit longer is ended (and flagged);
				 * > hdt_s */
};

struct cs_aehit {
	uint64_t start;		/* sample index of the first crossing */
	double peak;		/* counts, |x| at the peak */
	unsigned long counts;	/* positive-going threshold crossings */
	double duration_s;	/* first to last crossing */
	double rise_s;		/* first crossing to peak */
	double energy;		/* counts^2 s */
	int truncated;		/* ended by max_duration_s or end of stream */
};

struct cs_aehit_detector;

/* dB (re @ref counts, e.g. 1 count or the counts of 1 uV) to counts. */
CS_API double cs_ae_db_to_counts(double db, double ref);
CS_API double cs_ae_counts_to_db(double counts, double ref);

CS_API struct cs_aehit_detector *
cs_aehit_detector_create(const struct cs_aehit_config *cfg);
CS_API void cs_aehit_detector_destroy(struct cs_aehit_detector *q);
/* Back to the start of a stream (sample index 0, no open hit). */
CS_API void cs_aehit_detector_reset(struct cs_aehit_detector *q);
/* One sample; 1 when a hit ended (*@hit filled), else 0. */
CS_API int cs_aehit_detector_push(struct cs_aehit_detector *q, double x,
				  struct cs_aehit *hit);
/*
 * @n samples; stops early when @max hits are filled so none is lost.
 * Returns the hits filled; *@used = samples consumed (call again with the
 * rest).
 */
CS_API size_t cs_aehit_detector_execute_block(struct cs_aehit_detector *q,
					      const double *x, size_t n,
					      struct cs_aehit *hits,
					      size_t max, size_t *used);
/* Skip @n samples that were lost (an overrun): an open hit is ended
 * (truncated) and returned as 1, the sample index moves on. */
CS_API int cs_aehit_detector_gap(struct cs_aehit_detector *q, uint64_t n,
				 struct cs_aehit *hit);
/* End of stream: 1 and *@hit for a hit still open (truncated), else 0. */
CS_API int cs_aehit_detector_finish(struct cs_aehit_detector *q,
				    struct cs_aehit *hit);
/* The end of a record that holds one triggered transient (a waveform
 * set): a hit still open ends with it, not truncated (1 and *@hit), and
 * the detector is reset for the next record (sample index 0). */
CS_API int cs_aehit_detector_end_record(struct cs_aehit_detector *q,
					struct cs_aehit *hit);
/*
 * Physical units from the front-end's scale, as AE systems (Vallen's, and
 * the ASTM E1316 conventions) give them, referred to the sensor's output
 * (the preamplifier's input): amplitude in dB_AE = 20 log10(V / 1 uV),
 * energy in eu = 1e-14 V^2 s, V = counts * volts_per_count / 10^(gain/20).
 */
struct cs_ae_scale {
	double volts_per_count;	/* at the digitiser's input, > 0 */
	double gain_db;		/* preamplifier (and any front-end) gain */
};

CS_API double cs_ae_counts_to_dbae(double counts, const struct cs_ae_scale *s);
CS_API double cs_ae_dbae_to_counts(double dbae, const struct cs_ae_scale *s);
/* an energy in counts^2 s (struct cs_aehit's) in eu */
CS_API double cs_ae_energy_to_eu(double counts2_s, const struct cs_ae_scale *s);
/* Samples seen (and skipped by _gap) so far. */
CS_API uint64_t cs_aehit_detector_samples(const struct cs_aehit_detector *q);

/* ---------------------------------------------------------------------
 * Synthetic acoustic-emission stream with known truth: bursts (a sine of
 * f0 under a linear rise and an exponential decay) arriving as a Poisson
 * process, amplitudes log-uniform between amp_min and amp_max, in white
 * noise.
 */
struct cs_aesynth_config {
	double rate_hz;		/* samples per second, > 0 */
	double burst_rate_hz;	/* mean bursts per second, >= 0 */
	double f0_hz;		/* 0 < f0 < rate/2 */
	double rise_s;		/* > 0 */
	double decay_s;		/* time constant, > 0 */
	double amp_min, amp_max;	/* counts, 0 < min <= max */
	double noise_rms;	/* >= 0 */
	double min_gap_s;	/* bursts start at least this far apart, >= 0 */
	uint64_t seed;
};

struct cs_aeburst {
	uint64_t start;		/* sample index where the burst begins */
	double amplitude;	/* counts, of its envelope peak */
};

struct cs_aesynth;

CS_API struct cs_aesynth *cs_aesynth_create(const struct cs_aesynth_config *cfg);
CS_API void cs_aesynth_destroy(struct cs_aesynth *q);
/* @n samples of the stream into @out; the bursts that begin inside them
 * go to @bursts. When @max are filled, later bursts are postponed to the
 * next call (none is lost or unreported). Returns the bursts begun. */
CS_API int cs_aesynth_execute_block(struct cs_aesynth *q, double *out,
				    size_t n, struct cs_aeburst *bursts,
				    size_t max);
/* One triggered transient (a waveform set's record): @n samples of noise
 * with one burst of envelope peak @amplitude beginning at sample @at (the
 * pre-trigger), cut where the record ends. Its own random phase; the
 * Poisson stream of execute_block() is not moved. */
CS_API void cs_aesynth_transient(struct cs_aesynth *q, double *out, size_t n,
				 size_t at, double amplitude);
/* An amplitude drawn as the stream's are (log-uniform, amp_min..max). */
CS_API double cs_aesynth_amplitude(struct cs_aesynth *q);

#ifdef __cplusplus
}
#endif

#endif /* CELLSENSE_US_H */
