// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The relaxation-after-charge plating indicator on curves made here, not
 * by resim's model: clean relaxations of many shapes (one and two
 * exponentials from 10 s to 1200 s, diffusion's t^-1/2, a stretched
 * exponential, a drifting reference, a slow term of the other sign), plated ones whose plateau ends in a
 * logistic step of several widths, at several noise levels, reading rates
 * and offsets. A clean relaxation must never be called plating, and a
 * plated one never none with a plateau longer than the limit it states
 * (unsure is allowed, and counted).
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(refused),
		cmocka_unit_test(clean_never_plating),
		cmocka_unit_test(plated_never_none),
		cmocka_unit_test(unsure_when_unseen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
