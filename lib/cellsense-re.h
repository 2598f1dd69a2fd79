/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcellsense, reference electrodes: a three-electrode cell measured by a
 * simultaneous-sampling ADC (cell voltage, cathode and anode against the
 * reference electrode, cell current through a shunt). Mains rejection,
 * reference-drift correction against rest periods, lithium-plating
 * warning, and a synthetic cell with known truth. Same error convention as
 * cellsense.h.
 *
 * Signs: current > 0 charges the cell. Potentials in volts, current in
 * amperes, times in nanoseconds.
 */
#ifndef CELLSENSE_RE_H
#define CELLSENSE_RE_H

#include "cellsense.h"
#include "cellsense-eclab.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Channels, in the order of the driver's scan (cellsense_re.ko). */
enum cs_re_channel {
	CS_RE_CELL = 0,		/* cell voltage, V */
	CS_RE_CATHODE,		/* cathode vs reference (or vs Li/Li+), V */
	CS_RE_ANODE,		/* anode vs reference (or vs Li/Li+), V */
	CS_RE_CURRENT,		/* cell current, A, > 0 charging */
	CS_RE_NCH,
};

/* "cell", "cathode", "anode", "current"; NULL for a bad index. */
CS_API const char *cs_re_channel_name(unsigned int ch);

/* ---------------------------------------------------------------------
 * Open-circuit potentials vs Li/Li+ of the model cell (an NMC cathode and
 * a graphite anode) as functions of the cell's state of charge @soc
 * (0..1, clamped). The synthetic cell follows them; resim --ocv-out writes
 * them as a cellsense-ocv(5) file. Smooth and strictly monotonic (cathode
 * rising, anode falling).
 */
CS_API double cs_re_ocv_cathode(double soc);
CS_API double cs_re_ocv_anode(double soc);
/* State of charge whose OCV cell voltage (cathode - anode) is @volts, by
 * bisection; clamped to 0..1. */
CS_API double cs_re_soc_from_ocv(double volts);

/* ---------------------------------------------------------------------
 * The reference electrode's own potential vs Li/Li+, added to the cathode
 * and anode readings in every mode (drift correction or not). The kinds
 * known by name, with the potential of their two-phase plateau and its
 * standard uncertainty (literature spread, cell-to-cell scatter):
 * li 0 +- 0, li-au 0.31 +- 0.01, lto 1.55 +- 0.02, lfp 3.42 +- 0.02 V.
 */
struct cs_re_reference_type {
	const char *name;	/* "li", "li-au", "lto", "lfp" */
	double potential;	/* V vs Li/Li+ */
	double uncertainty;	/* V, standard uncertainty */
	const char *what;	/* a line for help texts */
};

/* The @i-th known kind, NULL past the last. */
CS_API const struct cs_re_reference_type *cs_re_reference_type(unsigned int i);
/* "TYPE[:U]" or "VOLTS[:U]": a kind above or a number (-5..5 V, taken as
 * exact unless U is given), U overriding the uncertainty (0..1 V). 0, or
 * -EINVAL (nothing set). */
CS_API int cs_re_reference_parse(const char *text, double *potential,
				 double *uncertainty);

/* ---------------------------------------------------------------------
 * Mains rejection: a linear-phase low-pass FIR (liquid-dsp firdes_kaiser)
 * per channel. Its delay is exactly cs_re_filter_delay() samples at every
 * frequency, so callers stamp an output with the time of the input that
 * many samples earlier and crossings keep their times.
 */
struct cs_re_filter_config {
	double fs;		/* sampling rate, Hz, 1..1e6 */
	double pass_hz;		/* pass-band edge, Hz, > 0, < stop_hz */
	double stop_hz;		/* stop-band edge, Hz, < fs/2 */
	double atten_db;	/* stop-band attenuation, dB, 20..120 */
};

struct cs_re_filter;

CS_API struct cs_re_filter *
cs_re_filter_create(const struct cs_re_filter_config *cfg);
CS_API void cs_re_filter_destroy(struct cs_re_filter *q);
CS_API void cs_re_filter_reset(struct cs_re_filter *q);
/* Taps of the FIR (odd) and its delay, (taps - 1) / 2 samples. */
CS_API unsigned int cs_re_filter_taps(const struct cs_re_filter *q);
CS_API unsigned int cs_re_filter_delay(const struct cs_re_filter *q);
/* Push one scan of CS_RE_NCH values, get the filtered scan in @out.
 * Returns 1 once the filter is full (outputs valid), 0 before. */
CS_API int cs_re_filter_execute(struct cs_re_filter *q, const double *in,
				double *out);
/* @n scans, in[i*CS_RE_NCH + ch]; returns the count of valid outputs at
 * the end of @out (the first n - that are warm-up). */
CS_API size_t cs_re_filter_execute_block(struct cs_re_filter *q,
					 const double *in, size_t n,
					 double *out);
/* The same with the input's time @t_in: *@t_out is the time of the input
 * the output stands for, the one delay pushes earlier, so that the delay is
 * in time whatever the spacing of the inputs (irregular, gaps). */
CS_API int cs_re_filter_execute_timed(struct cs_re_filter *q, int64_t t_in,
				      const double *in, double *out,
				      int64_t *t_out);
/* Gain of the filter (linear, |H|) at @hz. */
CS_API double cs_re_filter_gain(const struct cs_re_filter *q, double hz);
/* Its gain for white noise (rms out over rms in): the root sum of squares
 * of its taps. */
CS_API double cs_re_filter_noise_gain(const struct cs_re_filter *q);

/* ---------------------------------------------------------------------
 * Noise of each channel's raw samples, for the uncertainty of what the
 * filter makes of them. The fourth difference of consecutive samples
 * keeps white noise (70 times its variance) and all but removes slow
 * signals and the mains (a 50 Hz sine sampled at 1 kHz by 40 dB). Its
 * squares are averaged over about @memory scans, each clipped at 3 sigma
 * of the estimate so far (after a warm-up of plain averaging), so that a
 * current step or a spike does not swell it. Mains harmonics above about a
 * tenth of the sampling rate pass too and count as noise: there the
 * estimate errs high.
 */
struct cs_re_noise;

/* @memory: scans, 10..1e9. */
CS_API struct cs_re_noise *cs_re_noise_create(double memory);
CS_API void cs_re_noise_destroy(struct cs_re_noise *q);
/* One raw scan, CS_RE_NCH values (NAN: missing; that channel's
 * differences start again after it). */
CS_API void cs_re_noise_execute(struct cs_re_noise *q, const double *scan);
/* The rms noise of channel @ch in the scans' units; NAN until the
 * warm-up is over (the lesser of @memory and 200 differences). */
CS_API double cs_re_noise_rms(const struct cs_re_noise *q, unsigned int ch);

/* ---------------------------------------------------------------------
 * A cell's open-circuit curves as the user measured them (the format of
 * cellsense-ocv(5)): cathode and anode vs Li/Li+ at increasing states of
 * charge, the cell voltage (cathode - anode) increasing too, optionally
 * each point's standard uncertainty; linear between points.
 */
struct cs_re_ocvtab;

/* Parse @text; NULL with errno EINVAL and *@line, *@why saying where and
 * what is wrong (either may be NULL), or ENOMEM. */
CS_API struct cs_re_ocvtab *cs_re_ocvtab_create(const char *text,
						unsigned long *line,
						const char **why);
CS_API void cs_re_ocvtab_destroy(struct cs_re_ocvtab *q);
CS_API size_t cs_re_ocvtab_points(const struct cs_re_ocvtab *q);
/* The curves at @soc (any pointer may be NULL): 0, or -EDOM outside the
 * table's range (nothing set). */
CS_API int cs_re_ocvtab_eval(const struct cs_re_ocvtab *q, double soc,
			     double *cathode, double *anode, double *u);
/* The state of charge whose cell voltage is @cell_v; NAN outside the
 * table's range. */
CS_API double cs_re_ocvtab_soc(const struct cs_re_ocvtab *q, double cell_v);

/* ---------------------------------------------------------------------
 * Reference-drift correction against rest periods, on potentials already
 * made vs Li/Li+ with the reference's stated potential.
 *
 * The reference electrode's own potential drifts by d(t); it adds the
 * same -d to both the cathode and the anode readings and cancels in the
 * cell voltage. When the cell has rested (|current| below rest_current)
 * for rest_s, both electrodes sit at their open-circuit potentials: the
 * cell voltage gives the state of charge through the user's OCV curves,
 * which give the true potentials, and d is the mean of the two residuals,
 * averaged over the rest. Between rests d is held (or extrapolated with
 * the rate between the last two rests); corrected = measured + d.
 *
 * Its uncertainty: the residuals' scatter over the rest (counting
 * corr_samples correlated samples as one; a line through the rest, so that
 * a drift during it does not lag), the mean disagreement between the
 * cathode's and the anode's residual (a cell-voltage channel inconsistent
 * with the electrodes), the curves' stated uncertainty (their error cannot
 * be seen from rests), and the drift since the rest:
 * with a rate measured, that rate's uncertainty (extrapolating) or the
 * rate itself (holding) times the time since; without, rate_limit times
 * it over sqrt(3) (a rate anywhere within +-rate_limit).
 */
struct cs_re_drift_config {
	const struct cs_re_ocvtab *ocv;	/* not NULL; the caller keeps it
					 * while the object lives */
	double rest_current;	/* A, > 0: |I| below this is rest */
	double rest_s;		/* s, > 0: relaxation before estimating */
	int extrapolate;	/* 1: carry the drift rate between rests */
	double rate_limit;	/* V/s, > 0: largest drift rate assumed */
	double corr_samples;	/* >= 1: samples per independent one */
};

struct cs_re_drift;

CS_API struct cs_re_drift *
cs_re_drift_create(const struct cs_re_drift_config *cfg);
CS_API void cs_re_drift_destroy(struct cs_re_drift *q);
/*
 * One scan @v (CS_RE_NCH values, filtered, electrodes vs Li/Li+) at
 * @t_ns: @v's cathode and anode are corrected in place. Returns 1 while an
 * estimate is being made (resting), 0 otherwise.
 */
CS_API int cs_re_drift_execute(struct cs_re_drift *q, int64_t t_ns,
			       double *v);
/* Current correction, V (added to the readings); NAN before the first
 * rest (then nothing is added). */
CS_API double cs_re_drift_offset(const struct cs_re_drift *q);
/* Standard uncertainty of the correction applied at @t_ns (the last time
 * executed), V; NAN before the first rest. */
CS_API double cs_re_drift_uncertainty(const struct cs_re_drift *q,
				      int64_t t_ns);
/* The reference's drift rate between the last two rests, V/s (the
 * reference's own potential rising is > 0), and its standard uncertainty
 * in *@u (may be NULL); NAN before two rests. */
CS_API double cs_re_drift_rate(const struct cs_re_drift *q, double *u);
/* Rest periods used so far; samples skipped in rests because the cell
 * voltage was outside the OCV curves' range. */
CS_API unsigned long cs_re_drift_rests(const struct cs_re_drift *q);
CS_API unsigned long cs_re_drift_outside(const struct cs_re_drift *q);

/* ---------------------------------------------------------------------
 * Series resistance of the cathode and the anode (electrolyte, contacts
 * between electrode and reference tip: what an iR-drop correction takes
 * out) from steps of the current. A step begins when the current leaves
 * an anchor reading, renewed every settle_s, by more than min_step_a (so a
 * ramp slower than min_step_a per settle_s is no step); settle_s later (the
 * mains filter's length, so that its smoothing is over) the electrodes'
 * jumps over the current's give R = dE/dI (cathode) and -dE/dI (anode).
 * Polarisation faster than settle_s counts as resistance: at low rates
 * (a reading every 30 s) the estimate includes charge transfer and some
 * diffusion, and errs high.
 */
struct cs_re_irstep_config {
	double min_step_a;	/* A, > 0 */
	double settle_s;	/* s, 0..1e6 */
};

struct cs_re_irstep_result {
	int64_t onset_ns;	/* first reading of the step */
	double delta_a;		/* the current's step */
	double r[2], u[2];	/* ohm, [0] cathode, [1] anode, and their
				 * standard uncertainties */
};

struct cs_re_irstep;

CS_API struct cs_re_irstep *
cs_re_irstep_create(const struct cs_re_irstep_config *cfg);
CS_API void cs_re_irstep_destroy(struct cs_re_irstep *q);
/* One filtered scan @v (electrodes vs Li/Li+) with each channel's
 * standard uncertainty @u: 1 and @res filled when a step was measured,
 * 0 otherwise (NANs are passed over). */
CS_API int cs_re_irstep_execute(struct cs_re_irstep *q, int64_t t_ns,
				const double *v, const double *u,
				struct cs_re_irstep_result *res);
/* The steps' inverse-variance weighted mean for the cathode (@anode 0) or
 * the anode, and its uncertainty in *@u (may be NULL); NAN before a step. */
CS_API double cs_re_irstep_resistance(const struct cs_re_irstep *q, int anode,
				      double *u);
CS_API unsigned long cs_re_irstep_steps(const struct cs_re_irstep *q);

/* ---------------------------------------------------------------------
 * Lithium-plating warning on the anode potential vs Li/Li+.
 *
 * Two levels, each with its own hold time and hysteresis: WARNING when
 * the anode stays below threshold + margin, PLATING when it stays below
 * threshold. A level's candidate starts at the first sample below its
 * limit and ends only when the potential rises above limit + hysteresis;
 * the level is raised when the candidate has lasted hold_s, and lowered
 * when the potential rises above limit + hysteresis. The onset reported
 * is the candidate's first sample.
 */
enum cs_plating_level {
	CS_PLATING_NONE = 0,
	CS_PLATING_WARNING = 1,
	CS_PLATING_PLATING = 2,
};

/* "none", "warning", "plating" (the DBC's VAL_ names of Level) */
CS_API const char *cs_plating_level_name(enum cs_plating_level level);

struct cs_plating_config {
	double threshold;	/* V vs Li/Li+, -1..1 (default 0) */
	double margin;		/* V, >= 0: warning above the threshold */
	double hysteresis;	/* V, >= 0 */
	double hold_s;		/* s, >= 0 */
};

struct cs_plating_event {
	enum cs_plating_level level;	/* the new level */
	enum cs_plating_level previous;
	int64_t onset_ns;	/* first sample of the run below the limit of
				 * the level raised (for a lowering: of the
				 * level left) */
	int64_t time_ns;	/* the sample that changed the level */
	double duration_s;	/* time_ns - onset_ns */
	double min_potential;	/* lowest anode potential since onset */
};

struct cs_plating;

CS_API struct cs_plating *
cs_plating_create(const struct cs_plating_config *cfg);
CS_API void cs_plating_destroy(struct cs_plating *q);
CS_API void cs_plating_reset(struct cs_plating *q);
/* One anode potential (NAN: sample missing, ignored). Returns 1 and fills
 * @ev when the level changed at this sample, 0 otherwise, -EINVAL. */
CS_API int cs_plating_execute(struct cs_plating *q, int64_t t_ns,
			      double anode, struct cs_plating_event *ev);
/* Level now, and (if not NONE) its onset and the lowest potential. */
CS_API enum cs_plating_level cs_plating_level(const struct cs_plating *q,
					      int64_t *onset_ns,
					      double *min_potential);

/* ---------------------------------------------------------------------
 * Lithium plating from the relaxation after a charge: a second indicator,
 * independent of the potential's level during the charge. When a charge
 * stops, plated lithium strips and re-intercalates into the graphite; while
 * it lasts it holds the anode near 0 V vs Li/Li+ (and the cell voltage up),
 * and when it is used up the potential moves on to the graphite's: a
 * plateau, then a steepening. A clean relaxation (any sum of decaying
 * exponentials with amplitudes of one sign, diffusion's t^-1/2) has a slope
 * that only shrinks in magnitude: the potential is concave in time. So the
 * indicator is a slope that grows again, significantly beyond the noise.
 *
 * The potential during the rest is averaged in bins spaced evenly in
 * log-time (8 a decade, from skip_s on); slopes between bins (one, two and
 * three bins apart) are compared, each later one against each earlier one
 * that does not overlap it: z, the largest growth over its standard
 * uncertainty. z >= z_plating: plating (for the anode: if the potential
 * before the steepening is below plateau_max; above it, unsure; still below it
 * at the end: plating, a plateau still going); z below
 * z_unsure: none (no plateau longer than limit_s, the third bin's time),
 * if the relaxation was seen well enough to show a plateau
 * (at least min_bins bins; for the anode, ending at least 20 times a bin's
 * median uncertainty above plateau_max, where a plateau that outlasts the rest
 * would not be; for the cell voltage, a change of at least 20 times a
 * bin's median uncertainty); unsure otherwise.
 *
 * A charge is a run of the current above charge_a for at least charge_s;
 * its rest begins when |current| falls below rest_fraction of the charge's
 * mean current, and ends when it rises above it again (after skip_s: till
 * then a filtered current may still ring) or after max_rest_s.
 *
 * The stripped charge (the lithium that re-intercalated during the
 * plateau): strip_a times the plateau's length. strip_a, the current at
 * which plated lithium goes back into the graphite during a rest, is not
 * in the data (no current flows outside, and the potential during the
 * plateau is the lithium's mixed potential, not the graphite's, so its
 * drift over the graphite's dV/dQ does not give it): it is a calibration
 * of the cell type at its temperature (for example plateau lengths
 * against the stripping plateau of a discharge), given with its standard
 * uncertainty strip_u. The data do bound the plated lithium: at most the
 * charge passed while the potential was below plateau_max (bound_ah).
 * Without strip_a the estimate is that bound's middle, bound / 2 +-
 * bound / sqrt(12), status uncalibrated. A plateau still going when the
 * rest ended gives NAN (truncated); one whose steepest rise is between
 * the last two bins (it may steepen on after the rest) gives strip_a times
 * the earlier bin's time, a lower bound (truncated). A
 * clean relaxation (none) gives 0 +- bound / sqrt(3), calibrated or not:
 * lithium stripping at a current that falls with its area from the start
 * shows no plateau, so none cannot say less than the bound (which is 0
 * when the anode never came below plateau_max); unsure gives NAN.
 */
enum cs_relax_verdict {
	CS_RELAX_NONE = 0,	/* a clean relaxation: no plateau */
	CS_RELAX_PLATING = 1,	/* a plateau ended by a steepening */
	CS_RELAX_UNSURE = 2,	/* not seen well enough to tell */
};

/* "none", "plating", "unsure" */
CS_API const char *cs_relax_verdict_name(enum cs_relax_verdict v);

enum cs_relax_strip_status {
	CS_RELAX_STRIP_OK = 0,		/* strip_a given: value +- u */
	CS_RELAX_STRIP_UNCALIBRATED,	/* no strip_a: from the bound */
	CS_RELAX_STRIP_TRUNCATED,	/* the plateau outlasted the rest:
					 * a lower bound, u NAN */
	CS_RELAX_STRIP_UNSURE,		/* no verdict: NAN */
};

/* "ok", "uncalibrated", "truncated", "unsure" (the records' status) */
CS_API const char *
cs_relax_strip_status_name(enum cs_relax_strip_status s);

struct cs_relax_config {
	double charge_a;	/* A, > 0 */
	double charge_s;	/* s, >= 0 */
	double rest_fraction;	/* 0..1 (exclusive) */
	double skip_s;		/* s, > 0: the first bin starts here */
	double max_rest_s;	/* s, > skip_s */
	double corr_samples;	/* >= 1: samples per independent one */
	double floor_v;		/* V, >= 0: least uncertainty of a bin mean
				 * (quantisation, the model's own error) */
	double z_plating;	/* > z_unsure */
	double z_unsure;	/* > 0 */
	double plateau_max;	/* V vs Li/Li+, or NAN: no level check (the
				 * cell voltage) */
	unsigned int min_bins;	/* >= 4 */
	double strip_a;		/* A, >= 0: the re-intercalation current of
				 * plated lithium at rest (0: not known) */
	double strip_u;		/* A, >= 0: its standard uncertainty */
};

struct cs_relax_result {
	enum cs_relax_verdict verdict;
	const char *why;	/* a few words for unsure and none */
	int64_t rest_ns;	/* the rest's first reading */
	double rest_s;		/* how long it was followed */
	double charge_a;	/* the charge's mean current */
	double z;		/* the largest growth of the slope, in u */
	double end_s;		/* plating: when the steepening peaks (the
				 * plateau's end), s after rest_ns; else NAN */
	double end_u;		/* its standard uncertainty, s */
	double rise_s;		/* plating: the steepest rise within its bin
				 * (a parabola through three slopes), s after
				 * rest_ns: the plateau's length for the
				 * stripped charge; else NAN */
	double rise_u;		/* its standard uncertainty, s */
	int ongoing;		/* plating, the anode still near 0 V when the
				 * rest ended: end_s is the rest's length (a
				 * lower bound), end_u NAN */
	int end_last;		/* plating, the steepest rise between the
				 * last two bins: perhaps not the end */
	double plateau_v;	/* plating: the potential before it */
	double limit_s;		/* none: no plateau longer than this (the
				 * third bin's time: a shorter one is not
				 * seen); NAN when not judged */
	unsigned int bins;	/* bins with readings */
	double bound_ah;	/* charge passed while the potential was below
				 * plateau_max (NAN without plateau_max) */
	double stripped_ah;	/* the stripped charge, Ah (see above) */
	double stripped_u;	/* its standard uncertainty, Ah, or NAN */
	enum cs_relax_strip_status strip_status;
};

struct cs_relax;

CS_API struct cs_relax *cs_relax_create(const struct cs_relax_config *cfg);
CS_API void cs_relax_destroy(struct cs_relax *q);
/* One reading: the potential @v (anode vs Li/Li+, or the cell voltage),
 * its standard uncertainty @u, the current @i (> 0 charging); NANs are
 * passed over. Returns 1 and fills @res when a rest after a charge ended
 * (judged), 0 otherwise. */
CS_API int cs_relax_execute(struct cs_relax *q, int64_t t_ns, double v,
			    double u, double i, struct cs_relax_result *res);
/* At the end of the data: 1 and @res when a rest was being followed. */
CS_API int cs_relax_finish(struct cs_relax *q, struct cs_relax_result *res);

/* ---------------------------------------------------------------------
 * Readings of a three-electrode cell from records (cellsense-records(5)),
 * as refmon writes them or resim --truth: PREFIX/cell voltage, PREFIX/
 * cathode and PREFIX/anode potential (vs Li/Li+), PREFIX/current current,
 * the records of one time_ns making one reading. The first prefix seen is
 * the cell's; other prefixes, other quantities (plating, charge, ...) and
 * records with no value are passed over and counted; a saturated status is
 * kept. Lines are pushed one at a time.
 */
struct cs_re_records;

CS_API struct cs_re_records *cs_re_records_create(void);
CS_API void cs_re_records_destroy(struct cs_re_records *q);
/*
 * The next line (its newline optional). 1: the reading of the time before
 * this line's is complete: *@t, @v (CS_RE_NCH values, NAN for a channel
 * without a record) and @sat (CS_RE_NCH flags) filled; 0: nothing yet;
 * -EBADMSG: not a record (cs_re_records_error() says why), counted,
 * reading goes on.
 */
CS_API int cs_re_records_line(struct cs_re_records *q, const char *line,
			      int64_t *t, double *v, int *sat);
/* At the end: 1 and the last reading, or 0. */
CS_API int cs_re_records_finish(struct cs_re_records *q, int64_t *t,
				double *v, int *sat);
CS_API const char *cs_re_records_error(const struct cs_re_records *q);
/* The prefix taken ("" before the first record of a cell). */
CS_API const char *cs_re_records_prefix(const struct cs_re_records *q);
/* Records passed over (other cells, quantities, no value), lines refused. */
CS_API unsigned long cs_re_records_ignored(const struct cs_re_records *q);
CS_API unsigned long cs_re_records_bad(const struct cs_re_records *q);
/* 1 when @head (its first @len bytes, 15 are enough) starts like records:
 * the header's "time_ns<TAB>source<TAB>". */
CS_API int cs_re_records_detect(const void *head, size_t len);

/* ---------------------------------------------------------------------
 * Synthetic three-electrode cell with known truth, the model the VM's sim
 * board also follows: OCV curves above, ohmic/kinetic overpotentials from
 * Arrhenius resistances (R(T) = R25 exp(act_k (1/T - 1/298.15))), a
 * reference electrode drifting linearly, white noise and mains pickup.
 */
struct cs_resynth_config {
	double fs;		/* Hz, 1e-6..1e6 */
	double capacity_ah;	/* > 0 */
	double soc;		/* initial, 0..1 */
	double temp_c;		/* -40..80 */
	double r_anode;		/* ohm at 25 degC, >= 0 */
	double r_cathode;	/* ohm at 25 degC, >= 0 */
	double act_k;		/* activation energy / R, K, >= 0 */
	double drift_v_per_s;	/* reference drift rate */
	double noise_v;		/* rms on each voltage channel, >= 0 */
	double noise_a;		/* rms on the current, >= 0 */
	double mains_v;		/* pickup amplitude on the potentials, >= 0 */
	double mains_hz;	/* 50 or 60 (or anything > 0) */
	int64_t t0_ns;		/* time of the first sample */
	uint64_t seed;
	double ref_potential;	/* the reference vs Li/Li+, V, -5..5: the
				 * electrodes are measured against it */
	/* Relaxation: each electrode's diffusion overpotential, a first-order
	 * lag of tau_s behind current times r_diff (0: none) */
	double tau_s;		/* s, >= 0 */
	double r_diff;		/* ohm, >= 0 */
	/* Lithium plating (0: off, the anode simply goes below 0 V): where
	 * the anode would go below 0 V vs Li/Li+ the charge current splits
	 * and lithium plates through r_plate; at rest (or whenever the
	 * anode is above 0 V) the plated lithium re-intercalates into the
	 * graphite through r_strip, driven by the graphite's potential, on
	 * the fraction theta = Q / (Q + strip_knee_ah) of the surface it
	 * still covers, and the anode reads the mix theta * (lithium's
	 * potential) + (1 - theta) * (graphite's). */
	int plating;
	double r_plate;		/* ohm, > 0 with plating */
	double r_strip;		/* ohm, > 0 with plating */
	double strip_knee_ah;	/* > 0 with plating */
};

struct cs_resynth;

CS_API struct cs_resynth *
cs_resynth_create(const struct cs_resynth_config *cfg);
CS_API void cs_resynth_destroy(struct cs_resynth *q);
/* Charge current (A, > 0 charging) and temperature from the next sample. */
CS_API void cs_resynth_set_current(struct cs_resynth *q, double amps);
CS_API void cs_resynth_set_temperature(struct cs_resynth *q, double degc);
/*
 * One sample: @truth (CS_RE_NCH values: cell V, cathode and anode vs
 * Li/Li+, current, no noise, drift or pickup) and @meas (what the ADC
 * sees: noisy, with pickup, electrodes vs the drifting reference).
 * Either may be NULL. Returns the sample's time.
 */
CS_API int64_t cs_resynth_execute(struct cs_resynth *q, double *truth,
				  double *meas);
CS_API double cs_resynth_soc(const struct cs_resynth *q);
/* Reference drift now, V (meas electrode = true - drift). */
CS_API double cs_resynth_drift(const struct cs_resynth *q);
CS_API double cs_resynth_randn(struct cs_resynth *q);
/* Lithium plated now, Ah (0 without the plating model). */
CS_API double cs_resynth_plated(const struct cs_resynth *q);

#ifdef __cplusplus
}
#endif

#endif /* CELLSENSE_RE_H */
