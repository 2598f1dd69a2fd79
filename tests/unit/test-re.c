// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reference electrodes against known truth (cs_resynth): mains rejection
 * at 50 and 60 Hz, potentials recovered within the noise, drift
 * correction against rest periods, plating onset within hold time plus
 * one sample, and no false alarm over 10^6 samples of a clean charge.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cellsense.h"
#include "cs-random.h"

#define FS 1000.0

static const struct cs_re_filter_config fcfg = {
	.fs = FS, .pass_hz = 10.0, .stop_hz = 40.0, .atten_db = 60.0,
};

static struct cs_resynth_config base_cell(void)
{
	struct cs_resynth_config c = {
		.fs = FS, .capacity_ah = 5.0, .soc = 0.5, .temp_c = 25.0,
		.r_anode = 0.010, .r_cathode = 0.008, .act_k = 4000.0,
		.drift_v_per_s = 0.0, .noise_v = 0.5e-3, .noise_a = 2e-3,
		.mains_v = 20e-3, .mains_hz = 50.0, .t0_ns = 0, .seed = 1,
	};
	return c;
}

/* The model cell's curves as a user's file would give them (1001 points,
 * as resim --ocv-out writes). */
static struct cs_re_ocvtab *model_ocv(void)
{
	size_t cap = 1001 * 40 + 64, len = 0;
	char *text = malloc(cap);
	struct cs_re_ocvtab *q;

	assert_non_null(text);
	len += (size_t)snprintf(text, cap, "soc cathode anode\n");
	for (int i = 0; i <= 1000; i++)
		len += (size_t)snprintf(text + len, cap - len, "%.3f %.7f %.7f\n",
					i / 1000.0, cs_re_ocv_cathode(i / 1000.0),
					cs_re_ocv_anode(i / 1000.0));
	q = cs_re_ocvtab_create(text, NULL, NULL);
	assert_non_null(q);
	free(text);
	return q;
}

static void refused(void **state)
{
	struct cs_re_filter_config f = fcfg;
	struct cs_re_ocvtab *ocv = cs_re_ocvtab_create("0 3.5 0.7\n1 4.2 0.1\n",
						       NULL, NULL);
	struct cs_re_drift_config d = {
		.ocv = ocv, .rest_current = 0.05, .rest_s = 10.0,
		.rate_limit = 1e-6, .corr_samples = 1.0,
	};
	struct cs_plating_config p = { 0.0, 0.01, 0.005, 1.0 };
	struct cs_resynth_config s = base_cell();

	(void)state;
	errno = 0;
	assert_null(cs_re_filter_create(NULL));
	assert_int_equal(errno, EINVAL);
	f.stop_hz = 600.0;	/* above Nyquist */
	errno = 0;
	assert_null(cs_re_filter_create(&f));
	assert_int_equal(errno, EINVAL);
	f = fcfg;
	f.pass_hz = 50.0;	/* pass above stop */
	assert_null(cs_re_filter_create(&f));
	f = fcfg;
	f.atten_db = NAN;
	assert_null(cs_re_filter_create(&f));

	d.rest_current = 0.0;
	errno = 0;
	assert_null(cs_re_drift_create(&d));
	assert_int_equal(errno, EINVAL);
	d.rest_current = 0.05;
	d.rest_s = -1.0;
	assert_null(cs_re_drift_create(&d));
	d.rest_s = 10.0;
	d.ocv = NULL;		/* no curves: no correction */
	assert_null(cs_re_drift_create(&d));
	d.ocv = ocv;
	d.corr_samples = 0.5;
	assert_null(cs_re_drift_create(&d));
	cs_re_ocvtab_destroy(ocv);

	p.hold_s = -1.0;
	errno = 0;
	assert_null(cs_plating_create(&p));
	assert_int_equal(errno, EINVAL);
	p.hold_s = 1.0;
	p.margin = NAN;
	assert_null(cs_plating_create(&p));

	s.capacity_ah = 0.0;
	errno = 0;
	assert_null(cs_resynth_create(&s));
	assert_int_equal(errno, EINVAL);
	s = base_cell();
	s.soc = 1.5;
	assert_null(cs_resynth_create(&s));
	assert_null(cs_resynth_create(NULL));
	assert_string_equal(cs_re_channel_name(CS_RE_ANODE), "anode");
	assert_null(cs_re_channel_name(CS_RE_NCH));
	assert_string_equal(cs_plating_level_name(CS_PLATING_PLATING),
			    "plating");
}

static void reference_kinds(void **state)
{
	double p = -1.0, u = -1.0;

	(void)state;
	assert_int_equal(cs_re_reference_parse("li-au", &p, &u), 0);
	assert_true(p == 0.31 && u == 0.01);
	assert_int_equal(cs_re_reference_parse("lto:0.005", &p, &u), 0);
	assert_true(p == 1.55 && u == 0.005);
	assert_int_equal(cs_re_reference_parse("-0.25", &p, &u), 0);
	assert_true(p == -0.25 && u == 0.0);
	assert_int_equal(cs_re_reference_parse("li", &p, &u), 0);
	assert_true(p == 0.0 && u == 0.0);
	p = 7.0;
	/* unknown kind, out of range, bad or missing uncertainty */
	assert_int_equal(cs_re_reference_parse("au", &p, &u), -EINVAL);
	assert_int_equal(cs_re_reference_parse("6", &p, &u), -EINVAL);
	assert_int_equal(cs_re_reference_parse("lfp:", &p, &u), -EINVAL);
	assert_int_equal(cs_re_reference_parse("lfp:-1", &p, &u), -EINVAL);
	assert_int_equal(cs_re_reference_parse("", &p, &u), -EINVAL);
	assert_int_equal(cs_re_reference_parse("nan", &p, &u), -EINVAL);
	assert_true(p == 7.0);
	assert_non_null(cs_re_reference_type(3));
	assert_null(cs_re_reference_type(4));
}

/* The user's curves: parsed with line numbers for what is wrong,
 * interpolated, inverted. */
static void ocv_table(void **state)
{
	static const struct {
		const char *text;
		unsigned long line;
		const char *why;
	} bad[] = {
		{ "0 3.5 0.7\n", 1, "fewer than 2 points" },
		{ "# c\n0 3.5 0.7\n0 3.6 0.6\n", 3, "not increasing" },
		{ "0 3.5 0.7\n0.5 3.4 0.7\n", 2, "cell voltage" },
		{ "0 3.5 0.7\n1.5 4.2 0.1\n", 2, "outside 0..1" },
		{ "0 3.5 0,7\n", 1, "not a number" },
		{ "0 3.5\n", 1, "expected soc" },
		{ "soc anode cathode\n", 1, "header" },
		{ "0 3.5 0.7 -1\n", 1, "uncertainty" },
		{ "0 3.5 0.7\n0.5 3.8 0.2\nsoc cathode anode\n", 3,
		  "not a number" },
	};
	struct cs_re_ocvtab *q;
	double c, a, u;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned long line = 0;
		const char *why = "";

		errno = 0;
		assert_null(cs_re_ocvtab_create(bad[i].text, &line, &why));
		assert_int_equal(errno, EINVAL);
		assert_int_equal(line, bad[i].line);
		if (!strstr(why, bad[i].why))
			fail_msg("case %zu: '%s'", i, why);
	}
	q = cs_re_ocvtab_create("# cell A\nsoc cathode anode uncertainty\n"
				"0.1 3.6 0.3 0.002\n0.5 3.8 0.1 0.004\r\n"
				"0.9 4.1 0.08 0.002 # top\n", NULL, NULL);
	assert_non_null(q);
	assert_int_equal(cs_re_ocvtab_points(q), 3);
	assert_int_equal(cs_re_ocvtab_eval(q, 0.3, &c, &a, &u), 0);
	assert_true(fabs(c - 3.7) < 1e-12 && fabs(a - 0.2) < 1e-12 &&
		    fabs(u - 0.003) < 1e-12);
	assert_int_equal(cs_re_ocvtab_eval(q, 0.05, &c, &a, &u), -EDOM);
	/* cell 3.3 V at 0.1, 3.7 V at 0.5: 3.5 V is 0.3 */
	assert_true(fabs(cs_re_ocvtab_soc(q, 3.5) - 0.3) < 1e-12);
	assert_true(isnan(cs_re_ocvtab_soc(q, 3.2)));
	assert_true(isnan(cs_re_ocvtab_soc(q, NAN)));
	cs_re_ocvtab_destroy(q);
}

static void ocv_curves(void **state)
{
	(void)state;
	for (double s = 0.0; s < 1.0; s += 0.01) {
		assert_true(cs_re_ocv_cathode(s + 0.01) > cs_re_ocv_cathode(s));
		assert_true(cs_re_ocv_anode(s + 0.01) < cs_re_ocv_anode(s));
		assert_true(fabs(cs_re_soc_from_ocv(cs_re_ocv_cathode(s) -
						    cs_re_ocv_anode(s)) - s) <
			    1e-9);
	}
	/* graphite vs Li/Li+ above 0 V everywhere at rest */
	assert_true(cs_re_ocv_anode(1.0) > 0.05);
}

/* Amplitude of a sine after the filter, measured over whole periods. */
static double measured_gain(double hz)
{
	struct cs_re_filter *q = cs_re_filter_create(&fcfg);
	double in[CS_RE_NCH] = { 0 }, out[CS_RE_NCH], ss = 0.0;
	unsigned int warm = cs_re_filter_taps(q);
	unsigned int n = (unsigned int)FS * 2;	/* 2 s: whole periods */

	assert_non_null(q);
	for (unsigned int i = 0; i < warm + n; i++) {
		for (int ch = 0; ch < CS_RE_NCH; ch++)
			in[ch] = 3.0 + sin(2.0 * M_PI * hz * i / FS);
		cs_re_filter_execute(q, in, out);
		if (i >= warm)
			ss += (out[CS_RE_ANODE] - 3.0) *
			      (out[CS_RE_ANODE] - 3.0);
	}
	cs_re_filter_destroy(q);
	return sqrt(2.0 * ss / n);
}

static void mains_rejection(void **state)
{
	struct cs_re_filter *q = cs_re_filter_create(&fcfg);
	double a50 = -20.0 * log10(measured_gain(50.0));
	double a60 = -20.0 * log10(measured_gain(60.0));
	double g1 = measured_gain(1.0);

	(void)state;
	assert_non_null(q);
	printf("# mains rejection (fs %.0f Hz, %u taps, delay %u samples): "
	       "50 Hz %.1f dB, 60 Hz %.1f dB (design %.1f / %.1f dB); "
	       "1 Hz gain %.5f\n", FS, cs_re_filter_taps(q),
	       cs_re_filter_delay(q), a50, a60,
	       -20.0 * log10(cs_re_filter_gain(q, 50.0)),
	       -20.0 * log10(cs_re_filter_gain(q, 60.0)), g1);
	assert_true(a50 >= 58.0);
	assert_true(a60 >= 58.0);
	assert_true(fabs(g1 - 1.0) < 1e-3);
	cs_re_filter_destroy(q);
}

/* Linear phase: a ramp comes out exactly delay samples late. */
static void filter_delay(void **state)
{
	struct cs_re_filter *q = cs_re_filter_create(&fcfg);
	unsigned int d = cs_re_filter_delay(q);
	double in[CS_RE_NCH], out[CS_RE_NCH];

	(void)state;
	for (unsigned int i = 0; i < 2000; i++) {
		for (int ch = 0; ch < CS_RE_NCH; ch++)
			in[ch] = 0.1 + 1e-4 * i;
		if (cs_re_filter_execute(q, in, out) && i > 2 * d)
			assert_true(fabs(out[CS_RE_ANODE] -
					 (0.1 + 1e-4 * (i - d))) < 2e-6);
	}
	cs_re_filter_destroy(q);
}

/* Potentials recovered within the noise during a charge with 20 mV of
 * 50 Hz pickup: every error within 5 sigma of the filtered noise. */
/* Irregular times (jitter, a gap): each output carries the time of the
 * input it stands for, delay inputs earlier, not delay periods. */
static void filter_delay_in_time(void **state)
{
	struct cs_re_filter *q = cs_re_filter_create(&fcfg);
	unsigned int d = cs_re_filter_delay(q);
	int64_t t[1000];
	double in[CS_RE_NCH] = { 1, 2, 3, 4 }, out[CS_RE_NCH];

	(void)state;
	for (int i = 0; i < 1000; i++) {
		int64_t to;

		t[i] = (int64_t)i * 1000000 + (i % 7) * 300000 +
		       (i >= 500 ? 32000000000 : 0);
		cs_re_filter_execute_timed(q, t[i], in, out, &to);
		assert_true(to == t[(unsigned int)i >= d ? i - (int)d : 0]);
	}
	cs_re_filter_destroy(q);
}

/* Resistances from current steps on the model cell, through the filter:
 * each step's estimate within 3 of its uncertainties; bad settings
 * refused. */
static void ir_steps(void **state)
{
	struct cs_resynth_config c = base_cell();
	struct cs_re_irstep_config ic = { .min_step_a = 0.5, .settle_s = 0.13 };
	struct cs_resynth *s = cs_resynth_create(&c);
	struct cs_re_filter *q = cs_re_filter_create(&fcfg);
	struct cs_re_irstep *ir;
	double u[CS_RE_NCH] = { 1e-4, 1e-4, 1e-4, 1e-3 }, ur;
	int found = 0;

	(void)state;
	ic.settle_s = -1.0;
	errno = 0;
	assert_null(cs_re_irstep_create(&ic));
	assert_int_equal(errno, EINVAL);
	ic.settle_s = 0.13;
	ic.min_step_a = 0.0;
	assert_null(cs_re_irstep_create(&ic));
	ic.min_step_a = 0.5;
	ir = cs_re_irstep_create(&ic);
	assert_non_null(ir);
	assert_true(isnan(cs_re_irstep_resistance(ir, 0, &ur)) && isnan(ur));
	for (unsigned int i = 0; i < 6000; i++) {
		double meas[CS_RE_NCH], out[CS_RE_NCH];
		struct cs_re_irstep_result r;
		int64_t t, to;

		cs_resynth_set_current(s, i < 2000 ? 0.0 : i < 4000 ? 3.0 : -1.0);
		t = cs_resynth_execute(s, NULL, meas);
		if (!cs_re_filter_execute_timed(q, t, meas, out, &to))
			continue;
		if (cs_re_irstep_execute(ir, to, out, u, &r) == 1) {
			printf("# step %.1f A at %.3f s: %.5f +- %.5f, %.5f +- "
			       "%.5f ohm\n", r.delta_a, r.onset_ns * 1e-9,
			       r.r[0], r.u[0], r.r[1], r.u[1]);
			assert_true(fabs(r.r[0] - c.r_cathode) < 3.0 * r.u[0]);
			assert_true(fabs(r.r[1] - c.r_anode) < 3.0 * r.u[1]);
			found++;
		}
	}
	assert_int_equal(found, 2);
	assert_int_equal(cs_re_irstep_steps(ir), 2);
	assert_true(fabs(cs_re_irstep_resistance(ir, 1, &ur) - c.r_anode) <
		    3.0 * ur);
	cs_re_irstep_destroy(ir);
	cs_re_filter_destroy(q);
	cs_resynth_destroy(s);
}

static void recovered_within_noise(void **state)
{
	struct cs_resynth_config c = base_cell();
	struct cs_resynth *s = cs_resynth_create(&c);
	struct cs_re_filter *q = cs_re_filter_create(&fcfg);
	unsigned int d = cs_re_filter_delay(q), n = 20000;
	double (*truth)[CS_RE_NCH] = calloc(n, sizeof(*truth));
	double meas[CS_RE_NCH], out[CS_RE_NCH], maxe[CS_RE_NCH] = { 0 };
	double sumh2, sigma;

	(void)state;
	assert_non_null(truth);
	/* white-noise gain of the FIR: sqrt(sum h^2) ~ sqrt(2 fc / fs) */
	sumh2 = sqrt(2.0 * 25.0 / FS);
	sigma = c.noise_v * sumh2;
	cs_resynth_set_current(s, 2.5);
	for (unsigned int i = 0; i < n; i++) {
		cs_resynth_execute(s, truth[i], meas);
		if (cs_re_filter_execute(q, meas, out) && i >= d)
			for (int ch = 0; ch < CS_RE_CURRENT; ch++) {
				double e = fabs(out[ch] - truth[i - d][ch]);

				if (e > maxe[ch])
					maxe[ch] = e;
			}
	}
	printf("# max |error| cell %.1f uV, cathode %.1f uV, anode %.1f uV "
	       "(filtered noise sigma ~%.1f uV; raw %.0f uV + 20 mV mains)\n",
	       maxe[0] * 1e6, maxe[1] * 1e6, maxe[2] * 1e6, sigma * 1e6,
	       c.noise_v * 1e6);
	for (int ch = 0; ch < CS_RE_CURRENT; ch++)
		assert_true(maxe[ch] < 5.0 * sigma + 20e-3 * 1e-3);
	free(truth);
	cs_re_filter_destroy(q);
	cs_resynth_destroy(s);
}

/* Drift of 2 mV over the run; rests of 30 s between charges and
 * discharges. Compared with the true potentials through the same filter
 * (so that only drift and noise count, not the smoothing of current
 * steps): once two rests have given the drift rate (from 111 s on) the
 * corrected anode potential, averaged over each second, stays within
 * 0.12 mV of the truth (0.04 mV of it the lag of a running mean);
 * uncorrected it is 2 mV off at the end. */
static void drift_correction(void **state)
{
	struct cs_resynth_config c = base_cell();
	struct cs_re_ocvtab *ocv = model_ocv();
	struct cs_re_drift_config dc = {
		.ocv = ocv, .rest_current = 0.05, .rest_s = 20.0,
		.extrapolate = 1, .rate_limit = 1e-5, .corr_samples = 1.0,
	};
	struct cs_resynth *s;
	struct cs_re_filter *q = cs_re_filter_create(&fcfg);
	struct cs_re_filter *qt = cs_re_filter_create(&fcfg);
	struct cs_re_drift *dr = cs_re_drift_create(&dc);
	unsigned int d = cs_re_filter_delay(q);
	const double fs = FS;
	unsigned int n = 240 * (unsigned int)fs;
	double truth[CS_RE_NCH], ft[CS_RE_NCH];
	double meas[CS_RE_NCH], out[CS_RE_NCH], maxe = 0.0, raw_end = 0.0;
	double esum = 0.0;
	unsigned int en = 0;

	(void)state;
	c.drift_v_per_s = 2e-3 / 240.0;
	s = cs_resynth_create(&c);
	assert_non_null(dr);
	for (unsigned int i = 0; i < n; i++) {
		double t = i / fs;
		/* rest 0-30, charge 30-90, rest 90-120, discharge 120-180,
		 * rest 180-210, charge 210-240 */
		double amps = t < 30 ? 0 : t < 90 ? 3 : t < 120 ? 0 :
			      t < 180 ? -3 : t < 210 ? 0 : 3;
		int64_t tn;

		cs_resynth_set_current(s, amps);
		tn = cs_resynth_execute(s, truth, meas);
		cs_re_filter_execute(qt, truth, ft);
		if (!cs_re_filter_execute(q, meas, out))
			continue;
		raw_end = out[CS_RE_ANODE] - ft[CS_RE_ANODE];
		cs_re_drift_execute(dr, tn - (int64_t)(d * 1e9 / fs), out);
		if (t > 111.0) {
			/* the error averaged over each second: drift, not
			 * the noise (0.1 mV rms after the filter) */
			esum += out[CS_RE_ANODE] - ft[CS_RE_ANODE];
			if (++en == (unsigned int)fs) {
				if (fabs(esum / en) > maxe)
					maxe = fabs(esum / en);
				esum = 0.0;
				en = 0;
			}
		}
	}
	printf("# drift: 2 mV over 240 s; after the second rest max |anode "
	       "error| (1-s means) %.3f mV corrected, %.3f mV uncorrected at the end; "
	       "%lu rests\n", maxe * 1e3, fabs(raw_end) * 1e3,
	       cs_re_drift_rests(dr));
	assert_true(fabs(raw_end) > 1.9e-3);
	assert_true(maxe < 0.12e-3);
	assert_int_equal(cs_re_drift_rests(dr), 3);
	assert_int_equal(cs_re_drift_outside(dr), 0);
	{
		/* the rate between the last two rests, against the truth */
		double u, rate = cs_re_drift_rate(dr, &u);

		printf("# drift rate %.4g +- %.2g V/s (true %.4g)\n", rate, u,
		       c.drift_v_per_s);
		assert_true(fabs(rate - c.drift_v_per_s) < 3.0 * u + 1e-9);
		assert_true(u < 0.05 * c.drift_v_per_s);
	}
	cs_re_drift_destroy(dr);
	cs_re_ocvtab_destroy(ocv);
	cs_re_filter_destroy(q);
	cs_re_filter_destroy(qt);
	cs_resynth_destroy(s);
}

/* Exact hold and hysteresis on a hand-made sequence. */
/* The raw-noise estimate: white noise of known rms under a ramp, 50 Hz
 * pickup 40 times the noise and a current step, within 5 %; NAN before its
 * warm-up and a channel's NAN sample skipped; the filter's noise gain is
 * the root sum of squares a white input measures through it. */
static void noise_estimate(void **state)
{
	struct cs_re_filter_config fc = { .fs = 1000, .pass_hz = 5,
					  .stop_hz = 45, .atten_db = 60 };
	struct cs_re_noise *q = cs_re_noise_create(2000);
	struct cs_re_filter *f = cs_re_filter_create(&fc);
	struct cs_rng rng;
	double in[CS_RE_NCH], out[CS_RE_NCH], ss = 0.0;
	unsigned long nout = 0;

	(void)state;
	assert_non_null(q);
	assert_non_null(f);
	assert_null(cs_re_noise_create(1.0));
	assert_int_equal(errno, EINVAL);
	cs_rng_seed(&rng, 7);
	for (int i = 0; i < 20000; i++) {
		double t = i / 1000.0;

		in[CS_RE_CELL] = 3.7 + 0.01 * t + 1e-3 * cs_rng_randn(&rng) +
				 0.04 * sin(2 * M_PI * 50 * t);
		in[CS_RE_CATHODE] = (i == 5000 ? NAN : 0.0) +
				    2e-3 * cs_rng_randn(&rng);
		in[CS_RE_ANODE] = (i >= 10000 ? 0.05 : 0.0) +
				  1e-3 * cs_rng_randn(&rng);
		in[CS_RE_CURRENT] = 1e-3 * cs_rng_randn(&rng);
		if (i == 100)
			assert_true(isnan(cs_re_noise_rms(q, CS_RE_CELL)));
		cs_re_noise_execute(q, in);
		if (cs_re_filter_execute(f, in, out) && i > 1000) {
			ss += out[CS_RE_CURRENT] * out[CS_RE_CURRENT];
			nout++;
		}
	}
	assert_true(fabs(cs_re_noise_rms(q, CS_RE_CELL) / 1e-3 - 1) < 0.05);
	assert_true(fabs(cs_re_noise_rms(q, CS_RE_CATHODE) / 2e-3 - 1) < 0.05);
	assert_true(fabs(cs_re_noise_rms(q, CS_RE_ANODE) / 1e-3 - 1) < 0.05);
	assert_true(isnan(cs_re_noise_rms(q, CS_RE_NCH)));
	/* white noise through the filter: the gain it states, within 10 %
	 * (the filtered samples are correlated: few independent ones) */
	assert_true(fabs(sqrt(ss / nout) / 1e-3 /
			 cs_re_filter_noise_gain(f) - 1) < 0.1);
	cs_re_filter_destroy(f);
	cs_re_noise_destroy(q);
}

static void plating_levels(void **state)
{
	struct cs_plating_config pc = { 0.0, 0.010, 0.005, 0.010 };
	struct cs_plating *p = cs_plating_create(&pc);
	struct cs_plating_event ev;
	int64_t ms = 1000000, onset;
	double vmin;
	/* potential in mV per 1 ms sample */
	static const double mv[] = {
		20, 15, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,	/* warning at 11 */
		12, 14, 9, -1, -2, -3, -2, -2, -2, -2,	/* dip < 0 at 15 */
		-2, -2, -2, -2, 3, 4, 6,		/* plating at 25 */
		12, 16, 20,				/* clears */
	};
	int got[64] = { 0 };

	(void)state;
	assert_non_null(p);
	for (unsigned int i = 0; i < sizeof(mv) / sizeof(mv[0]); i++) {
		int r = cs_plating_execute(p, (int64_t)i * ms, mv[i] * 1e-3,
					   &ev);

		assert_true(r >= 0);
		if (r)
			got[i] = (int)ev.level + 1;
		if (r && ev.level == CS_PLATING_WARNING &&
		    ev.previous == CS_PLATING_NONE) {
			assert_int_equal(i, 12);
			assert_int_equal(ev.onset_ns, 2 * ms);
		}
		if (r && ev.level == CS_PLATING_PLATING) {
			assert_int_equal(i, 25);
			assert_int_equal(ev.onset_ns, 15 * ms);
			assert_true(fabs(ev.min_potential + 3e-3) < 1e-12);
			assert_true(fabs(ev.duration_s - 0.010) < 1e-12);
		}
	}
	/* 12 ms above 10 mV: no reset of the warning run (hysteresis:
	 * 15 mV), 14 neither; plating -> warning at 28 (6 > 0 + 5 mV),
	 * warning -> none at 30 (16 > 15) */
	assert_int_equal(got[12], 2);
	assert_int_equal(got[25], 3);
	assert_int_equal(got[28], 2);
	assert_int_equal(got[30], 1);
	assert_int_equal(cs_plating_level(p, &onset, &vmin), CS_PLATING_NONE);
	/* NAN samples are ignored */
	assert_int_equal(cs_plating_execute(p, 100 * ms, NAN, &ev), 0);
	cs_plating_destroy(p);
}

struct run_result {
	unsigned long events_filtered;	/* level raises, filtered input */
	unsigned long raw_below;	/* raw samples below the warning level */
	double min_filtered;		/* lowest filtered anode potential */
	int64_t first_plating_ns;	/* record time of the first PLATING */
	int64_t first_onset_ns;
};

/*
 * Run the cell through filter + detector as refmon does: records stamped
 * with the time of the input the filter output stands for.
 */
static void run_cell(struct cs_resynth *s, unsigned long n, double step_t,
		     double amps0, double amps1, double hold,
		     struct run_result *res)
{
	struct cs_re_filter *q = cs_re_filter_create(&fcfg);
	struct cs_plating_config pc = { 0.0, 0.010, 0.003, hold };
	struct cs_plating *pf = cs_plating_create(&pc);
	struct cs_plating_event ev;
	double meas[CS_RE_NCH], out[CS_RE_NCH];
	unsigned int d = cs_re_filter_delay(q);
	int64_t period = (int64_t)(1e9 / FS), t;

	res->events_filtered = res->raw_below = 0;
	res->min_filtered = INFINITY;
	res->first_plating_ns = res->first_onset_ns = -1;
	for (unsigned long i = 0; i < n; i++) {
		cs_resynth_set_current(s, i / FS < step_t ? amps0 : amps1);
		t = cs_resynth_execute(s, NULL, meas);
		if (meas[CS_RE_ANODE] < pc.threshold + pc.margin)
			res->raw_below++;
		if (!cs_re_filter_execute(q, meas, out))
			continue;
		if (out[CS_RE_ANODE] < res->min_filtered)
			res->min_filtered = out[CS_RE_ANODE];
		if (cs_plating_execute(pf, t - (int64_t)d * period,
				       out[CS_RE_ANODE], &ev) == 1 &&
		    ev.level > ev.previous) {
			res->events_filtered++;
			if (ev.level == CS_PLATING_PLATING &&
			    res->first_plating_ns < 0) {
				res->first_plating_ns = ev.time_ns;
				res->first_onset_ns = ev.onset_ns;
			}
		}
	}
	cs_plating_destroy(pf);
	cs_re_filter_destroy(q);
}

/* Cold cell, charge current steps from 1 A to 5 A at t = 2 s: the anode
 * goes from +57 mV to -180 mV vs Li/Li+ at that instant (truth). */
static void plating_onset(void **state)
{
	struct cs_resynth_config c = base_cell();
	struct cs_resynth *s;
	struct run_result r;
	const double hold = 0.5, step_t = 2.0;
	int64_t step_ns = (int64_t)(step_t * 1e9);
	double truth[CS_RE_NCH];

	(void)state;
	c.soc = 0.7;
	c.temp_c = -10.0;
	c.noise_v = 1e-3;
	s = cs_resynth_create(&c);
	assert_non_null(s);
	/* the truth around the step */
	{
		struct cs_resynth *t = cs_resynth_create(&c);

		cs_resynth_set_current(t, 5.0);
		cs_resynth_execute(t, truth, NULL);
		assert_true(truth[CS_RE_ANODE] < -0.1);
		cs_resynth_destroy(t);
	}
	run_cell(s, 4 * (unsigned long)FS, step_t, 1.0, 5.0, hold, &r);
	printf("# plating: true onset %.3f s, reported onset %.3f s, alarm at "
	       "%.3f s (limit onset + hold + 1 sample = %.3f s)\n",
	       step_t, r.first_onset_ns * 1e-9, r.first_plating_ns * 1e-9,
	       step_t + hold + 1.0 / FS);
	assert_true(r.first_plating_ns > 0);
	assert_true(r.first_plating_ns <=
		    step_ns + (int64_t)(hold * 1e9) + (int64_t)(1e9 / FS));
	/* and not before the truth could justify it */
	assert_true(r.first_plating_ns >= step_ns + (int64_t)(hold * 1e9) -
		    (int64_t)(0.05e9));
	assert_true(llabs(r.first_onset_ns - step_ns) < (int64_t)(0.02e9));
	cs_resynth_destroy(s);
}

/* A clean charge at 25 degC whose anode comes within 6 mV of the warning
 * level (16 mV vs Li/Li+, margin 10 mV), 0.5 mV noise and 20 mV of 50 Hz
 * pickup: 10^6 samples, no alarm; the raw signal dips below the warning
 * level a third of the time. */
static void no_false_alarm(void **state)
{
	struct cs_resynth_config c = base_cell();
	struct cs_resynth *s;
	struct run_result r;
	double truth[CS_RE_NCH], amps;

	(void)state;
	c.soc = 0.85;
	/* current that puts the anode at 16 mV at this SoC */
	amps = (cs_re_ocv_anode(0.85) - 0.016) / c.r_anode;
	c.capacity_ah = 1e6;	/* SoC stays put: the margin stays 6 mV */
	s = cs_resynth_create(&c);
	cs_resynth_set_current(s, amps);
	cs_resynth_execute(s, truth, NULL);
	assert_true(fabs(truth[CS_RE_ANODE] - 0.016) < 1e-4);
	run_cell(s, 1000000, 0.0, amps, amps, 0.1, &r);
	printf("# clean charge, 10^6 samples, anode 16 mV: %lu false alarms; "
	       "lowest filtered %.2f mV; %lu raw samples below the 10 mV "
	       "warning level\n", r.events_filtered, r.min_filtered * 1e3,
	       r.raw_below);
	assert_int_equal(r.events_filtered, 0);
	assert_true(r.raw_below > 100000);
	cs_resynth_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(refused),
		cmocka_unit_test(reference_kinds),
		cmocka_unit_test(ocv_curves),
		cmocka_unit_test(ocv_table),
		cmocka_unit_test(mains_rejection),
		cmocka_unit_test(filter_delay),
		cmocka_unit_test(filter_delay_in_time),
		cmocka_unit_test(ir_steps),
		cmocka_unit_test(recovered_within_noise),
		cmocka_unit_test(drift_correction),
		cmocka_unit_test(noise_estimate),
		cmocka_unit_test(plating_levels),
		cmocka_unit_test(plating_onset),
		cmocka_unit_test(no_false_alarm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
