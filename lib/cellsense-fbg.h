/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcellsense, optical fibre side: tracking Bragg gratings from spectrum to
 * spectrum, and turning their wavelengths into temperature, strain and
 * pressure. Same error convention as cellsense.h.
 */
#ifndef CELLSENSE_FBG_H
#define CELLSENSE_FBG_H

#include "cellsense.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------
 * Grating tracker. Each grating is found once in its search window, then
 * followed: a weighted least-squares fit of its reflection shape around
 * where it is predicted to be, with the noise model (read + shot noise)
 * and the shape itself learned from the spectra it has seen. Gratings keep
 * their names when they cross, are reported merged while their peaks are
 * one, and lost (no value) when their peak is gone.
 */
#define CS_FBG_NAME_MAX 32

struct cs_fbg_grating {
	char name[CS_FBG_NAME_MAX];
	double centre_nm;	/* nominal wavelength */
	double halfwidth_nm;	/* search window: centre +- this, > 0 */
	unsigned int fibre;	/* optical switch channel, 0 with no switch */
};

/*
 * A grating as tools take it: "NAME:NM[:HALF[:FIBRE]]" (name without
 * blanks, '/' or ':', under CS_FBG_NAME_MAX bytes; 100..10000 nm; half-width
 * 0.01..1000 nm, @default_halfwidth_nm when left out or empty; fibre
 * 0..255, 0 when left out). 0 with @g filled, or -EINVAL with *@why set.
 */
CS_API int cs_fbg_grating_parse(const char *spec, double default_halfwidth_nm,
				struct cs_fbg_grating *g, const char **why);

struct cs_fbgtracker_config {
	size_t npix;		/* pixels per spectrum, 16..65536 */
	struct cs_wavescale scale;
	double saturation;	/* counts at or above which a pixel is clipped */
	double min_snr;		/* peak amplitude / baseline noise, > 0 */
	double fwhm_px;		/* expected peak width in pixels, 1..32 */
	int learn_shape;	/* 1: learn each reflection's shape (default) */
	unsigned int ngratings;	/* 1..CS_FBGTRACKER_MAX */
	const struct cs_fbg_grating *gratings;
	/*
	 * The light source's log slope under the reflections moves a wide
	 * reflection's top off the grating's wavelength. source_known 0 (the
	 * default): learned as each grating moves back and forth (a drift
	 * one way cannot tell it from fading), its shift counted in
	 * the uncertainty (CS_FBG_SOURCE_PRIOR_DB) until it is; 1: it is
	 * source_slope_db_nm everywhere (0: spectra normalised by the
	 * source, or a flat one), taken off as it is.
	 */
	int source_known;
	double source_slope_db_nm;	/* dB/nm, |x| <= 10 */
};

/* the source's slope before it is learned, one standard deviation: dB
 * over the scale's span (a source made for the interrogator's range) */
#define CS_FBG_SOURCE_PRIOR_DB 4.0

#define CS_FBGTRACKER_MAX 256

enum cs_fbg_status {
	CS_FBG_OK = 0,
	CS_FBG_SATURATED,	/* value from the unclipped flanks */
	CS_FBG_MERGED,		/* its peak and a neighbour's are one: no value */
	CS_FBG_LOST,		/* not found: no value */
	CS_FBG_OTHER_FIBRE,	/* not in this spectrum (optical switch) */
	/* the fit leaves more than the noise (chance 1e-4): the value is
	 * given, its uncertainty widened by what the fit does not explain */
	CS_FBG_MISFIT,
	/* its window holds two reflections that no other grating's window
	 * explains, either of which could be it: no value */
	CS_FBG_AMBIGUOUS,
};

#define CS_FBG_STATUS_COUNT (CS_FBG_AMBIGUOUS + 1)

CS_API const char *cs_fbg_status_name(enum cs_fbg_status status);

struct cs_fbg_result {
	enum cs_fbg_status status;
	double position;	/* pixels; NAN unless OK, SATURATED or MISFIT */
	double wavelength;	/* nm, likewise */
	/* standard uncertainty: the noise's, times the fit's chi-square
	 * per degree of freedom where that is over 1, with the spread of
	 * an asymmetric reflection's centre added (see fbgtrack(1)) */
	double sigma_nm;
	double amplitude;	/* counts above the baseline */
	double snr;		/* amplitude / baseline noise */
	/* the reflection's full width at half maximum, nm: of the shape
	 * learned, or of the Gaussian fitted when it was found */
	double fwhm_nm;
};

struct cs_fbgtracker;

CS_API struct cs_fbgtracker *
cs_fbgtracker_create(const struct cs_fbgtracker_config *cfg);
CS_API void cs_fbgtracker_destroy(struct cs_fbgtracker *q);
/* Forget every grating's position, shape and noise model. */
CS_API void cs_fbgtracker_reset(struct cs_fbgtracker *q);
/*
 * One spectrum @y (npix counts) from optical-switch channel @fibre: fills
 * @out[i] for every configured grating i (CS_FBG_OTHER_FIBRE for those on
 * other fibres). Returns the number of gratings measured (OK or
 * SATURATED), or -EINVAL.
 */
CS_API int cs_fbgtracker_execute(struct cs_fbgtracker *q, const double *y,
				 unsigned int fibre, struct cs_fbg_result *out);

/* ---------------------------------------------------------------------
 * Calibration of gratings to physical quantities, from a calibration file
 * (see cellsense-fbgcal(5)):
 *
 *   # grating  quantity     key=value ...
 *   g0  temperature  lambda0=1530.000 t0=25 s1=0.0100 s2=1.2e-5 u_s1=0.0002
 *   g1  strain       lambda0=1545.000 t0=25 ke=0.00120 kt=0.0100 comp=g0
 *
 * temperature: lambda - lambda0 = s1 (T - t0) + s2 (T - t0)^2      [nm, K]
 * strain:      lambda - lambda0 = ke eps + kt (T - t0)       [nm/ustrain]
 * pressure:    lambda - lambda0 = kp p + kt (T - t0)              [nm/kPa]
 * T for strain and pressure gratings comes from the temperature grating
 * named by comp= (strain-free, in the same place); without comp=, T = t0.
 * u_<key>= gives a coefficient's standard uncertainty; source= where the
 * calibration came from (free text without blanks).
 */
enum cs_fbgcal_kind {
	CS_FBGCAL_TEMPERATURE,
	CS_FBGCAL_STRAIN,
	CS_FBGCAL_PRESSURE,
};

struct cs_fbgcal_entry {
	char grating[CS_FBG_NAME_MAX];
	enum cs_fbgcal_kind kind;
	double lambda0, t0;		/* nm, degC */
	double s1, s2;			/* temperature: nm/K, nm/K^2 */
	double k;			/* strain nm/ustrain, pressure nm/kPa */
	double kt;			/* temperature cross-sensitivity nm/K */
	double u_lambda0, u_s1, u_s2, u_k, u_kt;
	char comp[CS_FBG_NAME_MAX];	/* compensating grating, or "" */
	char source[64];
};

struct cs_fbgcal;

/* Parse a calibration file's text. NULL with errno EINVAL and *@line,
 * *@why set when it is wrong. */
CS_API struct cs_fbgcal *cs_fbgcal_create(const char *text,
					  unsigned long *line,
					  const char **why);
CS_API void cs_fbgcal_destroy(struct cs_fbgcal *c);
CS_API unsigned int cs_fbgcal_count(const struct cs_fbgcal *c);
CS_API const struct cs_fbgcal_entry *cs_fbgcal_entry(const struct cs_fbgcal *c,
						     unsigned int i);
/* The entry of @grating, or NULL. */
CS_API const struct cs_fbgcal_entry *cs_fbgcal_find(const struct cs_fbgcal *c,
						    const char *grating);

/*
 * The quantity of @e from wavelength @nm (standard uncertainty @u_nm) and,
 * for strain and pressure, the temperature @t (uncertainty @u_t; NAN: t0).
 * *@value and *@u get the result and its standard uncertainty from the
 * wavelength noise and the calibration's uncertainties (first order).
 * 0, or -EDOM when there is no solution (NAN inputs, no real root).
 */
CS_API int cs_fbgcal_apply(const struct cs_fbgcal_entry *e, double nm,
			   double u_nm, double t, double u_t, double *value,
			   double *u);
CS_API const char *cs_fbgcal_quantity(enum cs_fbgcal_kind kind);
CS_API const char *cs_fbgcal_unit(enum cs_fbgcal_kind kind);

#ifdef __cplusplus
}
#endif

#endif /* CELLSENSE_FBG_H */
