/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcellsense: signal processing for sensors inside battery cells.
 *
 * Error convention, kept by every function here:
 *  - constructors (`*_create`) return NULL and set errno (EINVAL for a bad
 *    parameter, ENOMEM when out of memory);
 *  - functions returning int return 0 (or a count) on success and a negative
 *    errno value on failure; they never print.
 *  - objects are opaque; each has `_create`, `_destroy` and the verbs it needs.
 */
#ifndef CELLSENSE_H
#define CELLSENSE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(CS_BUILDING_LIB)
#define CS_API __attribute__((visibility("default")))
#else
#define CS_API
#endif

CS_API const char *cs_version(void);

/* ---------------------------------------------------------------------
 * Sample formats, in libiio's notation: "le:u16", "be:s32", "le:U16/16>>0",
 * optionally with a repeat "le:U16/16X128>>0" (the repeat is ignored: the
 * caller says how many samples it wants). IEEE 754 floats in the same
 * notation: "le:f32", "be:f64" ('f' or 'F'; 32 or 64 bits, no shift).
 */
struct cs_sample_format {
	int big_endian;		/* 1 for "be", 0 for "le" */
	int is_signed;		/* 's'/'S' */
	unsigned int bits;	/* significant bits, 1..64 */
	unsigned int storage;	/* storage bits: 8, 16, 32 or 64 */
	unsigned int shift;	/* right shift before masking, < storage */
	int is_float;		/* 'f'/'F': IEEE 754 (is_signed set too) */
};

/* Parse @text; 0 on success, -EINVAL with *@err_pos set to the offset of
 * the first offending character otherwise. */
CS_API int cs_sample_format_parse(const char *text,
				  struct cs_sample_format *fmt,
				  size_t *err_pos);
/* Bytes per sample: storage / 8. */
CS_API size_t cs_sample_format_bytes(const struct cs_sample_format *fmt);
/* Convert @n samples at @raw to doubles in @out. */
CS_API void cs_sample_format_decode(const struct cs_sample_format *fmt,
				    const void *raw, size_t n, double *out);
/*
 * Bytes of one IIO scan as the kernel lays it out and iio_readdev writes it:
 * @data_bytes of samples in elements of @element_bytes (a channel's repeat
 * block), then with @timestamp an 8-byte timestamp, the whole padded to a
 * multiple of the largest element.
 */
CS_API size_t cs_scan_bytes(size_t data_bytes, size_t element_bytes,
			    int timestamp);
/* Largest representable value, used to flag saturated samples; INFINITY
 * for floats (a float has no full scale: nothing is clipped by its format).
 * Floats decode as they are, NaN and infinities included: check with
 * cs_samples_first_nonfinite(). */
CS_API double cs_sample_format_max(const struct cs_sample_format *fmt);
/* Index of the first NaN or infinity of @x[0..n), or @n if there is none. */
CS_API size_t cs_samples_first_nonfinite(const double *x, size_t n);

/* ---------------------------------------------------------------------
 * Measurement records: one per line, tab-separated, with a header line.
 * Columns: time_ns source quantity value unit status uncertainty.
 * See cellsense-records(5).
 */
#define CS_RECORD_SOURCE_MAX 64
#define CS_RECORD_QUANTITY_MAX 32
#define CS_RECORD_UNIT_MAX 16
#define CS_RECORD_STATUS_MAX 16

struct cs_record {
	int64_t time_ns;
	char source[CS_RECORD_SOURCE_MAX];
	char quantity[CS_RECORD_QUANTITY_MAX];
	double value;		/* NAN when there is no value (status says why) */
	char unit[CS_RECORD_UNIT_MAX];
	char status[CS_RECORD_STATUS_MAX]; /* "ok", "lost", "merged", ... */
	double uncertainty;	/* standard uncertainty (1 sigma), NAN if unknown */
};

/* The header line, without its newline. */
CS_API const char *cs_record_header(void);
/* Longest line cs_record_format() can make, with its newline and NUL. */
#define CS_RECORD_LINE_MAX 256
/* @rec as one line with its newline into @buf: the length, or -ENOSPC.
 * Values get 10 significant digits, uncertainties 4, as printf's "%.10g"
 * and "%.4g" write them, but with all the integer digits from 10^10 (10^4)
 * to 10^15 where %g would write an exponent; "nan" for NaN, "0" for -0. */
CS_API int cs_record_format(char *buf, size_t size,
			    const struct cs_record *rec);
/* Write @rec as one line; returns 0 or -errno (EPIPE, EIO, ...). */
CS_API int cs_record_write(FILE *out, const struct cs_record *rec);
/* Fill @rec's strings safely; values longer than the fields are refused. */
CS_API int cs_record_set(struct cs_record *rec, int64_t time_ns,
			 const char *source, const char *quantity,
			 double value, const char *unit, const char *status,
			 double uncertainty);

/*
 * Many records of a few fixed sources, quantities and units, such as a
 * tracker's every spectrum: those columns prepared once (a stem), the time
 * once per instant, and each line then copied together from them in whole
 * words around its two numbers, the same bytes as cs_record_format() makes
 * of the same record. Fill the structs with their _set functions; their
 * fields are not for the caller.
 */
struct cs_record_time {
	char text[32];		/* digits (sign first), a tab, zeros */
	unsigned int len;
};
/* The time column and its tab. */
CS_API void cs_record_time_set(struct cs_record_time *t, int64_t time_ns);
struct cs_record_stem {
	/* "source\tquantity\t", zeros after */
	char head[CS_RECORD_SOURCE_MAX + CS_RECORD_QUANTITY_MAX];
	char unit[CS_RECORD_UNIT_MAX + 8];	/* "\tunit\t", zeros after */
	unsigned char head_len, unit_len;
};
/* The source, quantity and unit columns with their tabs: 0, or -EINVAL
 * for what cs_record_set() refuses (a NULL, empty or too long string, or
 * one with a TAB, CR or LF). */
CS_API int cs_record_stem_set(struct cs_record_stem *stem, const char *source,
			      const char *quantity, const char *unit);
/*
 * One line with its newline and a NUL into @buf, which must have
 * CS_RECORD_LINE_MAX bytes: the copies are whole words and may write past
 * the line's end into the rest of it. The length, or -EINVAL when @status
 * is NULL, empty, longer than CS_RECORD_STATUS_MAX - 1 or has a TAB, CR
 * or LF (it is the caller's at each call, so it is checked at each call).
 */
CS_API int cs_record_format_stem(char *buf, const struct cs_record_time *t,
				 const struct cs_record_stem *stem,
				 double value, const char *status,
				 double uncertainty);

struct cs_record_reader;
/* Read records from @in; the caller names @in in its messages. */
CS_API struct cs_record_reader *cs_record_reader_create(FILE *in);
CS_API void cs_record_reader_destroy(struct cs_record_reader *r);
/*
 * Next record: 1 when @rec is filled, 0 at end of input, -EBADMSG for a line
 * that is not a record (cs_record_reader_error() says why and where; the
 * line is counted as skipped and reading may go on), -errno on a read error
 * (never taken for the end), -EFBIG for a line over 64 KiB (no records: the
 * stream is not read on). Comments (#...) and header lines are passed over.
 */
CS_API int cs_record_reader_next(struct cs_record_reader *r,
				 struct cs_record *rec);
/* Line number (1-based) of the line last read. */
CS_API unsigned long cs_record_reader_line(const struct cs_record_reader *r);
/* Column (1-based) and reason of the last -EBADMSG. */
CS_API const char *cs_record_reader_error(const struct cs_record_reader *r,
					  unsigned int *column);
CS_API unsigned long cs_record_reader_skipped(const struct cs_record_reader *r);

/* Parse one line (no newline) into @rec. 0, or -EBADMSG with *@column and
 * *@why set. A header or comment line gives -ENOMSG. */
CS_API int cs_record_parse(const char *line, struct cs_record *rec,
			   unsigned int *column, const char **why);
/* cs_record_parse() of the @len bytes at @line (no NUL needed after them):
 * a NUL byte among them is refused (-EBADMSG, column 1, "NUL byte in
 * line"), before anything else is looked at. */
CS_API int cs_record_parse_len(const char *line, size_t len,
			       struct cs_record *rec, unsigned int *column,
			       const char **why);

/* ---------------------------------------------------------------------
 * Wavelength scale: pixel -> wavelength polynomial, lowest order first.
 */
#define CS_WAVESCALE_MAX_ORDER 5

struct cs_wavescale {
	unsigned int ncoeffs;	/* 1..CS_WAVESCALE_MAX_ORDER+1 */
	double c[CS_WAVESCALE_MAX_ORDER + 1];
};

/* Parse "A0,A1[,A2...]"; 0 or -EINVAL with *@err_pos set. */
CS_API int cs_wavescale_parse(const char *text, struct cs_wavescale *ws,
			      size_t *err_pos);
CS_API double cs_wavescale_eval(const struct cs_wavescale *ws, double pixel);
/* d(wavelength)/d(pixel) at @pixel. */
CS_API double cs_wavescale_slope(const struct cs_wavescale *ws, double pixel);
/* Inverse by Newton's method on [0, npix-1]; NAN if not monotonic there. */
CS_API double cs_wavescale_pixel(const struct cs_wavescale *ws, double nm,
				 size_t npix);

/* ---------------------------------------------------------------------
 * Bragg peak location in a spectrum (pixels), see fbgpeak.c.
 */
struct cs_fbgpeak {
	double position;	/* centre, pixels (sub-pixel) */
	double amplitude;	/* above baseline, counts */
	double fwhm;		/* full width at half maximum, pixels */
	double baseline;	/* local baseline, counts */
	double sigma_position;	/* standard uncertainty of position, pixels */
	int saturated;		/* 1 if a pixel of the peak is saturated */
};

struct cs_fbgpeak_finder;

struct cs_fbgpeak_config {
	double min_snr;		/* amplitude / noise, below: no peak. > 0 */
	double saturation;	/* counts at or above which a pixel is clipped */
	double fwhm_guess;	/* expected FWHM in pixels, 1..FWHM_MAX */
};

/* The widest reflection the finder and the tracker take, pixels (FWHM):
 * their fit windows are bounded (see fbgtrack(1)). */
#define CS_FBGPEAK_FWHM_MAX 200.0

CS_API struct cs_fbgpeak_finder *
cs_fbgpeak_finder_create(const struct cs_fbgpeak_config *cfg);
CS_API void cs_fbgpeak_finder_destroy(struct cs_fbgpeak_finder *q);
/*
 * Find the most prominent peak of @y (n samples) whose maximum lies in
 * pixels [lo, hi] and fit it. @noise is the spectrum's noise from
 * cs_spectrum_noise(), computed once per spectrum by the caller (NAN: the
 * finder estimates it). 0 and *@peak filled; -ENOENT when there is no peak
 * above the threshold; -EINVAL on bad arguments.
 */
CS_API int cs_fbgpeak_finder_execute(struct cs_fbgpeak_finder *q,
				     const double *y, size_t n,
				     size_t lo, size_t hi, double noise,
				     struct cs_fbgpeak *peak);
/* A new expected width for the finder's next peaks; -EINVAL outside
 * 1..CS_FBGPEAK_FWHM_MAX. */
CS_API int cs_fbgpeak_finder_set_fwhm(struct cs_fbgpeak_finder *q,
				      double fwhm);
/*
 * The full width at half maximum, pixels, of the highest reflection whose
 * top is in pixels [lo, hi] of @y, whatever its shape: its half-maximum
 * crossings above a baseline read two to three widths out, found together
 * with the width. NAN when there is none higher than @min_snr times
 * @noise over its baseline, or its flanks do not fall to half before the
 * spectrum ends.
 */
CS_API double cs_fbgpeak_width(const double *y, size_t n, size_t lo,
			       size_t hi, double noise, double min_snr);
/* Robust noise estimate (counts, 1 sigma) of a spectrum, from the median
 * absolute difference of neighbours. */
CS_API double cs_spectrum_noise(const double *y, size_t n);


/* ---------------------------------------------------------------------
 * Synthetic spectra with known truth, for tests, benchmarks and fbgsim(1):
 * a sloped source envelope, dark level, Bragg reflections (Gaussian, or a
 * sinc^2-like grating with side lobes), shot and read noise, clipping.
 */
enum cs_fbgsynth_shape {
	CS_FBGSYNTH_GAUSSIAN = 0,
	CS_FBGSYNTH_SIDELOBES = 1,	/* uniform grating: sinc^2 side lobes */
	/* two half Gaussians, the longer-wavelength side wider by the
	 * config's asymmetry (e.g. 0.5: 1.5 times); the centre is the
	 * maximum */
	CS_FBGSYNTH_ASYMMETRIC = 2,
	/* a linearly chirped grating: a flat top of the config's chirp
	 * (nm) smoothed by a Gaussian of fwhm_nm; the centre is the middle */
	CS_FBGSYNTH_CHIRPED = 3,
};

#define CS_FBGSYNTH_MAX_GRATINGS 32

struct cs_fbgsynth_config {
	size_t npix;		/* pixels, 8..65536 */
	struct cs_wavescale scale;
	double dark;		/* counts added everywhere */
	double source;		/* envelope peak, counts */
	double source_slope;	/* relative change of the envelope across the
				 * sensor, e.g. -0.3 */
	double background;	/* fraction of the envelope reaching the sensor
				 * everywhere (stray light), 0..1 */
	double fwhm_nm;		/* reflection FWHM seen by the sensor, > 0 */
	double read_noise;	/* counts rms, >= 0 */
	double gain;		/* electrons per count for shot noise; 0: none */
	double full_scale;	/* clip at this many counts */
	enum cs_fbgsynth_shape shape;
	uint64_t seed;
	/* added later, 0 leaves them out */
	double asymmetry;	/* CS_FBGSYNTH_ASYMMETRIC, >= 0 */
	double chirp_nm;	/* CS_FBGSYNTH_CHIRPED: band width, >= 0 */
	double ripple;		/* source ripple, relative amplitude 0..1 */
	double ripple_nm;	/* its period, nm (> 0 when ripple > 0) */
	double count_scale;	/* output counts multiplied by this (0: 1),
				 * as a format of other width would hold */
};

struct cs_fbgsynth;

CS_API struct cs_fbgsynth *cs_fbgsynth_create(const struct cs_fbgsynth_config *cfg);
CS_API void cs_fbgsynth_destroy(struct cs_fbgsynth *q);
/* Grating @index (< CS_FBGSYNTH_MAX_GRATINGS) at @centre_nm reflecting
 * @reflectivity (0..1) of the envelope; reflectivity 0 removes it. */
CS_API int cs_fbgsynth_set_grating(struct cs_fbgsynth *q, unsigned int index,
				   double centre_nm, double reflectivity);
/* Grating @index's own width (its FWHM, nm, > 0; 0: the config's):
 * gratings of different widths in one spectrum. */
CS_API int cs_fbgsynth_set_width(struct cs_fbgsynth *q, unsigned int index,
				 double fwhm_nm);
/* One spectrum into @out (npix values, counts). @noisy 0 gives the mean. */
CS_API void cs_fbgsynth_execute(struct cs_fbgsynth *q, int noisy, double *out);
/* The source envelope (counts, before reflection) at a pixel position. */
CS_API double cs_fbgsynth_envelope(const struct cs_fbgsynth *q, double pixel);
/* A standard normal deviate from the generator's own stream. */
CS_API double cs_fbgsynth_randn(struct cs_fbgsynth *q);
/* A deviate uniform in [0, 1) from the same stream. */
CS_API double cs_fbgsynth_uniform(struct cs_fbgsynth *q);

#ifdef __cplusplus
}
#endif

/* The CAN side: DBC, record <-> frame map, candump logs, sockets. */
#include "cellsense-can.h"
/* Reference electrodes: mains rejection, drift, plating warning. */
#include "cellsense-re.h"
/* The acoustic side: time of flight, acoustic emission. */
#include "cellsense-us.h"
/* The fibre side: grating tracking and calibration. */
#include "cellsense-fbg.h"
/* Many rigs: batch payloads for MQTT, the gateway's on-disk queue. */
#include "cellsense-fleet.h"
/* The input layer: text, interrogator exports, .npy, kind detection. */
#include "cellsense-io.h"
/* Acquisition runs: plan files, sidecars read back, SHA-256. */
#include "cellsense-run.h"

#endif /* CELLSENSE_H */
