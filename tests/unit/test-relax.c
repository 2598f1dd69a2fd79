// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The relaxation-after-charge plating indicator on curves made here, not
 * by resim's model: clean relaxations of many shapes (one and two
 * exponentials from 10 s to 1200 s, diffusion's t^-1/2, a stretched
 * exponential, a drifting reference, a slow term of the other sign), plated ones whose plateau ends in a
 * logistic step of several widths, at several noise levels, reading rates
 * and offsets. A clean relaxation must never be called plating, and a
 * plated one never none with a plateau longer than the limit it states
 * (unsure is allowed, and counted). The stripped charge on a stripping
 * model of its own (not resim's): lithium going back at a current that
 * is constant or falls with the lithium's shrinking area, calibrated per
 * model on a few rests and checked on others against the truth.
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

static struct cs_relax_config anode_cfg(double rate)
{
	struct cs_relax_config c = {
		.charge_a = 0.05, .charge_s = 60.0, .rest_fraction = 0.02,
		.skip_s = fmax(1.0, 1.5 / rate), .max_rest_s = 3600.0,
		.corr_samples = 1.0, .floor_v = 5e-6, .z_plating = 6.0,
		.z_unsure = 3.0, .plateau_max = 0.05, .min_bins = 8,
	};
	return c;
}

enum shape {
	ONE_EXP, TWO_EXP, DIFFUSION, STRETCHED, DRIFTING, OVERSHOOT, NSHAPES,
};

/* A clean anode relaxation after a charge, rising to 0.12 V. */
static double clean(enum shape s, double tau, double t)
{
	switch (s) {
	case ONE_EXP:
		return 0.12 - 0.03 * exp(-t / tau);
	case TWO_EXP:
		return 0.12 - 0.02 * exp(-t / (0.1 * tau)) -
		       0.015 * exp(-t / tau);
	case DIFFUSION:
		return 0.12 - 0.03 / sqrt(1.0 + t / (0.05 * tau));
	case STRETCHED:
		return 0.12 - 0.03 * exp(-sqrt(t / tau));
	case OVERSHOOT:	/* a slow term of the other sign (the cell
			 * cooling after the charge): convex, but far
			 * from 0 V */
		return 0.12 - 0.03 * exp(-t / tau) +
		       0.005 * exp(-t / (10.0 * tau));
	case DRIFTING:	/* the reference drifting 2 uV/s under it */
	default:
		return 0.12 - 0.03 * exp(-t / tau) + 2e-6 * t;
	}
}

/* Plated: near @level until about @tp, then on to the clean curve. */
static double plated(double level, double tp, double width, double tau,
		     double t)
{
	double w = 1.0 / (1.0 + exp(-(t - tp) / width));

	return level + (clean(ONE_EXP, tau, t) - level) * w;
}

struct curve {
	int plated;
	enum shape shape;
	double tau, level, tp, width;
	double rate, noise, offset, rest_s;
};

static double curve_v(const struct curve *c, double t)
{
	double v = c->plated ? plated(c->level, c->tp, c->width, c->tau, t) :
			       clean(c->shape, c->tau, t);

	return v + c->offset;
}

/* A 300 s charge at 1 A (the anode at -20 mV), then the rest. */
static int run(const struct curve *c, uint64_t seed,
	       struct cs_relax_result *res)
{
	struct cs_relax_config cfg = anode_cfg(c->rate);
	struct cs_relax *q = cs_relax_create(&cfg);
	struct cs_rng rng;
	double dt = 1.0 / c->rate;
	int got = 0;

	assert_non_null(q);
	cs_rng_seed(&rng, seed);
	for (double t = 0.0; t < 300.0; t += dt)
		assert_int_equal(cs_relax_execute(q, (int64_t)llround(t * 1e9),
						  -0.02, c->noise, 1.0, res), 0);
	for (double t = 0.0; t <= c->rest_s && !got; t += dt) {
		double v = curve_v(c, t) + c->noise * cs_rng_randn(&rng);

		got = cs_relax_execute(q, (int64_t)llround((300.0 + t) * 1e9),
				       v, c->noise, 1e-4 * cs_rng_randn(&rng),
				       res);
	}
	if (!got)
		got = cs_relax_finish(q, res);
	cs_relax_destroy(q);
	return got;
}

static void refused(void **state)
{
	struct cs_relax_config c = anode_cfg(1.0);
	struct cs_relax_result res;

	(void)state;
	errno = 0;
	assert_null(cs_relax_create(NULL));
	assert_int_equal(errno, EINVAL);
	c.rest_fraction = 1.0;
	assert_null(cs_relax_create(&c));
	c = anode_cfg(1.0);
	c.z_plating = c.z_unsure;
	assert_null(cs_relax_create(&c));
	c = anode_cfg(1.0);
	c.max_rest_s = c.skip_s;
	assert_null(cs_relax_create(&c));
	c = anode_cfg(1.0);
	c.min_bins = 3;
	assert_null(cs_relax_create(&c));
	c = anode_cfg(1.0);
	c.charge_a = NAN;
	assert_null(cs_relax_create(&c));
	assert_int_equal(cs_relax_execute(NULL, 0, 0, 0, 0, &res), -EINVAL);
	assert_string_equal(cs_relax_verdict_name(CS_RELAX_UNSURE), "unsure");
	assert_null(cs_relax_verdict_name((enum cs_relax_verdict)3));
}

static const double rates[] = { 10.0, 1.0, 1.0 / 30.0 };
static const double noises[] = { 20e-6, 200e-6, 1e-3 };
static const double offsets[] = { 0.0, 0.02, -0.02 };

/* Clean: never plating. */
static void clean_never_plating(void **state)
{
	static const double taus[] = { 10.0, 60.0, 300.0, 1200.0 };
	unsigned int n = 0, verdict[3] = { 0 };
	uint64_t seed = 1;

	(void)state;
	for (int s = 0; s < NSHAPES; s++)
		for (size_t a = 0; a < 4; a++)
			for (size_t r = 0; r < 3; r++)
				for (size_t k = 0; k < 3; k++)
					for (size_t o = 0; o < 3; o++) {
		struct curve c = {
			.shape = (enum shape)s, .tau = taus[a],
			.rate = rates[r], .noise = noises[k],
			.offset = offsets[o], .rest_s = 3600.0,
		};
		struct cs_relax_result res;

		assert_int_equal(run(&c, seed++, &res), 1);
		verdict[res.verdict]++;
		n++;
		if (getenv("RELAX_DEBUG"))
			print_message("%s (%s): shape %d tau %g rate %g "
				      "noise %g offset %g: z %.1f\n",
				      cs_relax_verdict_name(res.verdict), res.why,
				      s, taus[a], rates[r], noises[k],
				      offsets[o], res.z);
		if (res.verdict == CS_RELAX_PLATING)
			print_message("false alarm: shape %d tau %g rate %g "
				      "noise %g offset %g: z %.1f at %.0f s\n",
				      s, taus[a], rates[r], noises[k],
				      offsets[o], res.z, res.end_s);
	}
	print_message("clean relaxations: %u: none %u, unsure %u, "
		      "plating %u\n", n, verdict[0], verdict[2], verdict[1]);
	assert_int_equal(verdict[CS_RELAX_PLATING], 0);
	/* most are told clean, not left unsure */
	assert_true(verdict[CS_RELAX_NONE] >= n / 2);
}

/* Plated: never none; its end found where it is. */
static void plated_never_none(void **state)
{
	static const double levels[] = { 0.002, 0.01, 0.03 };
	static const double tps[] = { 60.0, 300.0, 1200.0 };
	static const double widths[] = { 0.05, 0.2 };
	unsigned int n = 0, verdict[3] = { 0 }, end_ok = 0, wrong = 0;
	uint64_t seed = 1000;

	(void)state;
	for (size_t l = 0; l < 3; l++)
		for (size_t p = 0; p < 3; p++)
			for (size_t w = 0; w < 2; w++)
				for (size_t r = 0; r < 3; r++)
					for (size_t k = 0; k < 3; k++)
						for (size_t o = 0; o < 2; o++) {
		struct curve c = {
			.plated = 1, .tau = 300.0, .level = levels[l],
			.tp = tps[p], .width = widths[w] * tps[p],
			.rate = rates[r], .noise = noises[k],
			.offset = offsets[o], .rest_s = 3600.0,
		};
		struct cs_relax_result res;

		assert_int_equal(run(&c, seed++, &res), 1);
		verdict[res.verdict]++;
		n++;
		if (res.verdict == CS_RELAX_NONE && c.tp > res.limit_s)
			wrong++;
		if (getenv("RELAX_DEBUG"))
			print_message("%s (%s): level %g tp %g width %g rate %g "
				      "noise %g offset %g: z %.1f\n",
				      cs_relax_verdict_name(res.verdict), res.why,
				      levels[l], tps[p], c.width, rates[r],
				      noises[k], offsets[o], res.z);
		if (res.verdict == CS_RELAX_NONE && c.tp > res.limit_s)
			print_message("missed: level %g tp %g width %g rate %g "
				      "noise %g offset %g: z %.1f\n", levels[l],
				      tps[p], c.width, rates[r], noises[k],
				      offsets[o], res.z);
		if (res.verdict == CS_RELAX_PLATING && !res.ongoing &&
		    fabs(res.end_s - tps[p]) < 0.5 * tps[p] + c.width)
			end_ok++;
	}
	print_message("plated relaxations: %u: plating %u, unsure %u, "
		      "none %u (%u with a plateau longer than the limit they "
		      "state); plateau's end within half of it: %u\n", n,
		      verdict[1], verdict[2], verdict[0], wrong, end_ok);
	assert_int_equal(wrong, 0);
	assert_true(verdict[CS_RELAX_PLATING] >= n * 3 / 4);
	assert_int_equal(end_ok, verdict[CS_RELAX_PLATING]);	/* none ongoing */
}

/* A rest too short to tell: unsure; a plateau that outlasts the rest:
 * plating, still going, when it has begun to steepen, else unsure. */
static void unsure_when_unseen(void **state)
{
	struct curve c = {
		.shape = ONE_EXP, .tau = 60.0, .rate = 1.0, .noise = 1e-4,
		.rest_s = 5.0,
	};
	struct cs_relax_result res;

	(void)state;
	assert_int_equal(run(&c, 7, &res), 1);
	assert_int_equal(res.verdict, CS_RELAX_UNSURE);
	assert_string_equal(res.why, "rest too short");
	c.plated = 1;
	c.level = 0.005;
	c.tp = 5000.0;
	c.width = 800.0;
	c.rest_s = 1800.0;
	assert_int_equal(run(&c, 8, &res), 1);
	assert_int_equal(res.verdict, CS_RELAX_PLATING);
	assert_true(res.ongoing);
	assert_true(isnan(res.end_u));
	/* no steepening yet at all: unsure */
	c.width = 50.0;
	assert_int_equal(run(&c, 9, &res), 1);
	assert_int_equal(res.verdict, CS_RELAX_UNSURE);
	assert_string_equal(res.why, "still near 0 V at the end of the rest");
}

/* ---- the stripped charge ---- */

/*
 * Lithium q0 (Ah) stripping at i0 (A) times (q / q0)^p, for t_end =
 * q0 / ((1 - p) i0), its area a = (q / q0)^(2/3). p = 0: a constant
 * current, the plateau left in a logistic step 5 % of t_end wide. p =
 * 1/2: the current falls, its density i / a grows, and the plateau's
 * level with it (2 mV times (q / q0)^(-1/6), at most 10 mV more); a
 * logistic step 10 % wide. p = 2/3: the current falls with the area, the
 * level rises by 5 mV as the area goes, and the potential leaves it as
 * the area's tenth power, a gradual start and a steep end.
 */
struct stripping {
	double p, q0, i0;
	double level, tau;
	double rate, noise, offset;
};

static double strip_end(const struct stripping *m)
{
	return m->q0 * 3600.0 / ((1.0 - m->p) * m->i0);
}

static double strip_v(const struct stripping *m, double t)
{
	double te = strip_end(m), cover, lvl;

	double f = t < te ? 1.0 - t / te : 0.0;
	double qq = pow(f, 1.0 / (1.0 - m->p)), area = pow(qq, 2.0 / 3.0);

	if (m->p == 0.0) {
		cover = 1.0 / (1.0 + exp((t - te) / (0.05 * te)));
		lvl = m->level;
	} else if (m->p == 0.5) {
		cover = 1.0 / (1.0 + exp((t - te) / (0.1 * te)));
		lvl = m->level + fmin(0.002 * pow(fmax(qq, 1e-12), -1.0 / 6.0),
				      0.012) - 0.002;
	} else {
		cover = pow(area, 0.1);
		lvl = m->level + 0.005 * (1.0 - area);
	}
	return lvl + (clean(ONE_EXP, m->tau, t) - lvl) * (1.0 - cover) +
	       m->offset;
}

/* A 300 s charge at 1 A with the anode at -20 mV, then the rest. */
static int strip_run(const struct stripping *m, double strip_a,
		     double strip_u, uint64_t seed,
		     struct cs_relax_result *res)
{
	struct cs_relax_config cfg = anode_cfg(m->rate);
	struct cs_relax *q;
	struct cs_rng rng;
	double dt = 1.0 / m->rate;
	int got = 0;

	cfg.strip_a = strip_a;
	cfg.strip_u = strip_u;
	q = cs_relax_create(&cfg);
	assert_non_null(q);
	cs_rng_seed(&rng, seed);
	for (double t = 0.0; t < 300.0; t += dt)
		cs_relax_execute(q, (int64_t)llround(t * 1e9),
				 -0.02 + m->noise * cs_rng_randn(&rng),
				 m->noise, 1.0, res);
	for (double t = 0.0; t <= 3600.0 && !got; t += dt)
		got = cs_relax_execute(q, (int64_t)llround((300.0 + t) * 1e9),
				       strip_v(m, t) +
					       m->noise * cs_rng_randn(&rng),
				       m->noise, 1e-4 * cs_rng_randn(&rng), res);
	if (!got)
		got = cs_relax_finish(q, res);
	cs_relax_destroy(q);
	return got;
}

/* Without a calibration: the bound's middle, uncalibrated; the bound is
 * the charge passed below plateau_max (here all of it, 300 s at 1 A). */
static void stripped_uncalibrated(void **state)
{
	struct stripping m = {
		.p = 0.0, .q0 = 0.01, .i0 = 0.1, .level = 0.01, .tau = 300.0,
		.rate = 1.0, .noise = 200e-6,
	};
	struct cs_relax_result res;
	struct cs_relax_config c = anode_cfg(1.0);

	(void)state;
	assert_int_equal(strip_run(&m, 0.0, 0.0, 5, &res), 1);
	assert_int_equal(res.verdict, CS_RELAX_PLATING);
	assert_int_equal(res.strip_status, CS_RELAX_STRIP_UNCALIBRATED);
	/* to the last reading of the charge, and the first of the rest */
	assert_true(fabs(res.bound_ah - 300.0 / 3600.0) < 1.01 / 3600.0);
	assert_true(fabs(res.stripped_ah - 0.5 * res.bound_ah) < 1e-12);
	assert_true(fabs(res.stripped_u - res.bound_ah / sqrt(12.0)) < 1e-9);
	assert_string_equal(cs_relax_strip_status_name(res.strip_status),
			    "uncalibrated");
	assert_null(cs_relax_strip_status_name(
		(enum cs_relax_strip_status)4));
	/* a plateau that outlasts the rest: a lower bound */
	m.q0 = 0.2;
	assert_int_equal(strip_run(&m, 0.1, 0.01, 6, &res), 1);
	if (res.verdict == CS_RELAX_PLATING) {
		assert_int_equal(res.strip_status, CS_RELAX_STRIP_TRUNCATED);
		assert_true(isnan(res.stripped_ah) || res.stripped_ah <= m.q0);
		assert_true(isnan(res.stripped_u));
	} else {
		assert_int_equal(res.strip_status, CS_RELAX_STRIP_UNSURE);
		assert_true(isnan(res.stripped_ah));
	}
	c.strip_a = -1.0;
	assert_null(cs_relax_create(&c));
	c.strip_a = 0.1;
	c.strip_u = NAN;
	assert_null(cs_relax_create(&c));
}

/*
 * Calibrated per model on eight rests (1 S/s, 200 uV, the lithium's
 * amount known, 2 to 16 mAh; those that show a plateau ended): i the
 * mean of q0 / rise_s, u its standard error; then checked on others: 0.5 to 40 mAh, noise 20 uV to 1 mV, 10/s to one
 * reading per 30 s, offsets; and clean rests (no lithium). Each ok
 * estimate's error over its uncertainty; their rms within 0.7..1.4 for
 * each model.
 */
static void stripped_calibrated(void **state)
{
	static const double ps[] = { 0.0, 0.5, 2.0 / 3.0 };
	static const double cal_q[] = {
		0.002, 0.003, 0.004, 0.006, 0.008, 0.01, 0.013, 0.016,
	};
	static const double q0s[] = { 0.0005, 0.002, 0.006, 0.012, 0.02, 0.04 };
	uint64_t seed = 5000;

	(void)state;
	for (size_t k = 0; k < 3; k++) {
		double sum = 0.0, sum2 = 0.0, ia, iu, ee = 0.0, emax = 0.0;
		double rel = 0.0;	/* relative error^2, plateaus */
		unsigned int nrel = 0;
		unsigned int n = 0, other = 0, zeros = 0, ncal = 0, nnone = 0;

		for (size_t c = 0; c < 8; c++) {
			struct stripping m = {
				.p = ps[k], .q0 = cal_q[c], .i0 = 0.1,
				.level = 0.01, .tau = 300.0, .rate = 1.0,
				.noise = 200e-6,
			};
			struct cs_relax_result res;
			double r;

			assert_int_equal(strip_run(&m, 0.0, 0.0, seed++, &res), 1);
			/* a lab keeps the rests that show a plateau */
			if (res.verdict != CS_RELAX_PLATING || res.ongoing)
				continue;
			r = m.q0 * 3600.0 / res.rise_s;
			sum += r;
			sum2 += r * r;
			ncal++;
		}
		assert_true(ncal >= 6);
		ia = sum / ncal;
		iu = sqrt((sum2 - ncal * ia * ia) / (ncal - 1.0) / ncal);
		for (size_t a = 0; a < 7; a++)
			for (size_t r = 0; r < 3; r++)
				for (size_t nz = 0; nz < 3; nz++)
					for (size_t o = 0; o < 3; o++) {
			struct stripping m = {
				.p = ps[k], .q0 = a < 6 ? q0s[a] : 0.0,
				.i0 = 0.1, .level = 0.01 + 0.005 * (double)o,
				.tau = 300.0, .rate = rates[r],
				.noise = noises[nz], .offset = offsets[o],
			};
			struct cs_relax_result res;
			double truth = m.q0, e;

			if (a == 6) {	/* clean: nothing plated */
				m.level = 0.12;
				m.q0 = 1e-9;
			}
			assert_int_equal(strip_run(&m, ia, iu, seed++, &res), 1);
			if (res.strip_status != CS_RELAX_STRIP_OK) {
				other++;
				/* a lower bound is one */
				if (res.strip_status == CS_RELAX_STRIP_TRUNCATED &&
				    !isnan(res.stripped_ah))
					assert_true(res.stripped_ah <= 1.05 * truth);
				continue;
			}
			e = (res.stripped_ah - truth) / res.stripped_u;
			if (truth == 0.0) {
				assert_true(res.stripped_ah == 0.0);
				zeros++;
				continue;
			}
			if (getenv("RELAX_DEBUG") || fabs(e) > 4.0)
				print_message("p %.2f q0 %g rate %g noise %g "
					      "offset %g: %s %.4g +- %.2g mAh "
					      "(truth %.4g), %.2f u\n", m.p,
					      m.q0 * 1e3, m.rate, m.noise,
					      m.offset, cs_relax_verdict_name(
						      res.verdict),
					      res.stripped_ah * 1e3,
					      res.stripped_u * 1e3, truth * 1e3,
					      e);
			ee += e * e;
			emax = fmax(emax, fabs(e));
			n++;
			nnone += res.verdict == CS_RELAX_NONE;
			if (res.verdict == CS_RELAX_PLATING) {
				double d = res.stripped_ah / truth - 1.0;

				rel += d * d;
				nrel++;
			}
		}
		ee = sqrt(ee / n);
		print_message("stripping p %.2f: calibrated %.4g +- %.2g A; "
			      "%u ok with lithium (%u of them none): error/u "
			      "rms %.2f (largest %.2f), plateaus' error rms "
			      "%.1f %%; %u clean ok at 0; %u not ok\n", ps[k],
			      ia, iu, n, nnone, ee, emax,
			      100.0 * sqrt(rel / nrel), zeros, other);
		assert_true(n >= 60);
		assert_true(ee >= 0.7 && ee <= 1.4);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(refused),
		cmocka_unit_test(clean_never_plating),
		cmocka_unit_test(plated_never_none),
		cmocka_unit_test(unsure_when_unseen),
		cmocka_unit_test(stripped_uncalibrated),
		cmocka_unit_test(stripped_calibrated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
