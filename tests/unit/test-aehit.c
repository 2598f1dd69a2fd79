// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Acoustic-emission hits: features on a hand-made burst (counts, duration,
 * rise time, energy, PDT, HDT, HLT), and hits found versus bursts injected
 * by the synthetic stream (missed and false) over SNR.
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

#define RATE 1e6

/* period-4 tone (0, v, 0, -v) over [a, b) with a higher peak at @pk */
static void tone(double *x, int a, int b, double v, int pk, double pv)
{
	for (int t = a; t < b; t++)
		x[t] = (t % 4 == 1) ? v : (t % 4 == 3) ? -v : 0.0;
	if (pk >= a && pk < b)
		x[pk] = pv;
}

static int run(const struct cs_aehit_config *cfg, const double *x, int n,
	       struct cs_aehit *hits, int max)
{
	struct cs_aehit_detector *q = cs_aehit_detector_create(cfg);
	size_t used, got = 0, off = 0;

	assert_non_null(q);
	while (off < (size_t)n) {
		got += cs_aehit_detector_execute_block(q, x + off, n - off,
						       hits + got, max - got,
						       &used);
		off += used;
		assert_true(got < (size_t)max);
	}
	got += (size_t)cs_aehit_detector_finish(q, &hits[got]);
	assert_int_equal(cs_aehit_detector_samples(q), n);
	cs_aehit_detector_destroy(q);
	return (int)got;
}

static void features(void **state)
{
	struct cs_aehit_config cfg = {
		.rate_hz = RATE, .threshold = 3.0, .pdt_s = 100e-6,
		.hdt_s = 10e-6, .hlt_s = 20e-6, .max_duration_s = 1.0,
	};
	double x[400] = { 0 }, e = 0;
	struct cs_aehit h[8];
	int n;

	(void)state;
	tone(x, 100, 140, 5.0, 121, 9.0);
	tone(x, 160, 168, 5.0, -1, 0);	/* inside HDT + HLT: locked out */
	tone(x, 200, 220, 4.0, -1, 0);
	for (int t = 101; t <= 139; t++)
		e += x[t] * x[t];
	n = run(&cfg, x, 400, h, 8);
	assert_int_equal(n, 2);
	assert_int_equal(h[0].start, 101);
	assert_true(fabs(h[0].peak - 9.0) < 1e-12);
	assert_int_equal(h[0].counts, 10);
	assert_true(fabs(h[0].duration_s - 38e-6) < 1e-12);
	assert_true(fabs(h[0].rise_s - 20e-6) < 1e-12);
	assert_true(fabs(h[0].energy - e / RATE) < 1e-12);
	assert_int_equal(h[0].truncated, 0);
	assert_int_equal(h[1].start, 201);
	assert_int_equal(h[1].counts, 5);
	assert_true(fabs(h[1].peak - 4.0) < 1e-12);

	/* a short PDT fixes the peak before the higher one comes */
	cfg.pdt_s = 10e-6;
	n = run(&cfg, x, 400, h, 8);
	assert_int_equal(n, 2);
	assert_true(fabs(h[0].peak - 5.0) < 1e-12);
	assert_true(fabs(h[0].rise_s) < 1e-12);

	/* no lockout: the second burst is a hit of its own */
	cfg.hlt_s = 0.0;
	n = run(&cfg, x, 400, h, 8);
	assert_int_equal(n, 3);
	assert_int_equal(h[1].start, 161);

	/* a long HDT merges everything into one hit */
	cfg.hdt_s = 100e-6;
	n = run(&cfg, x, 400, h, 8);
	assert_int_equal(n, 1);
	assert_true(fabs(h[0].duration_s - 118e-6) < 1e-12);

	/* a stream that ends inside a hit: reported, truncated */
	n = run(&cfg, x, 130, h, 8);
	assert_int_equal(n, 1);
	assert_int_equal(h[0].truncated, 1);
}

static void found_vs_injected(void **state)
{
	static const double snrs[] = { 20.0, 26.0, 32.0 };

	(void)state;
	printf("  SNR(dB, weakest burst/noise)  injected  found  missed  "
	       "false\n");
	for (size_t s = 0; s < sizeof(snrs) / sizeof(snrs[0]); s++) {
		struct cs_aesynth_config sc = {
			.rate_hz = 2e6, .burst_rate_hz = 100, .f0_hz = 150e3,
			.rise_s = 20e-6, .decay_s = 100e-6, .amp_min = 100,
			.amp_max = 3000, .min_gap_s = 2e-3, .seed = 5 + s,
		};
		struct cs_aehit_config hc = {
			.rate_hz = 2e6, .threshold = 50, .pdt_s = 50e-6,
			.hdt_s = 200e-6, .hlt_s = 300e-6,
			.max_duration_s = 0.1,
		};
		enum { BLOCK = 4096, NB = 2 * 2000000 / BLOCK };
		struct cs_aesynth *g;
		struct cs_aehit_detector *d;
		static double x[BLOCK];
		static struct cs_aeburst b[1024];
		static struct cs_aehit h[1024];
		int nb = 0, nh = 0, matched = 0, missed, false_hits;

		sc.noise_rms = sc.amp_min / pow(10.0, snrs[s] / 20.0);
		g = cs_aesynth_create(&sc);
		d = cs_aehit_detector_create(&hc);
		assert_non_null(g);
		assert_non_null(d);
		for (int k = 0; k < NB; k++) {
			size_t used;
			int r = cs_aesynth_execute_block(g, x, BLOCK, b + nb,
							 1024 - nb);

			assert_true(r >= 0);
			nb += r;
			nh += (int)cs_aehit_detector_execute_block(
				d, x, BLOCK, h + nh, 1024 - nh, &used);
			assert_int_equal(used, BLOCK);
		}
		nh += cs_aehit_detector_finish(d, &h[nh]);
		/* a hit belongs to the burst it starts within 60 us of */
		for (int i = 0, j = 0; i < nb; i++) {
			while (j < nh && h[j].start < b[i].start)
				j++;
			if (j < nh && h[j].start - b[i].start < 120)
				matched++;
		}
		missed = nb - matched;
		false_hits = nh - matched;
		printf("  %28.0f  %8d  %5d  %6d  %5d\n", snrs[s], nb, nh,
		       missed, false_hits);
		assert_true(nb > 150);
		assert_int_equal(missed, 0);
		assert_true(false_hits <= nb / 50);
		if (snrs[s] >= 26.0)
			assert_int_equal(false_hits, 0);
		cs_aehit_detector_destroy(d);
		cs_aesynth_destroy(g);
	}
}

/*
 * Reference implementation of the AE features as Vallen's systems define
 * them (and ASTM E1316), written here apart from the library, on one
 * record holding one transient, in volts at the sensor:
 *   V = counts * volts_per_count / 10^(gain_db / 20);
 *   arrival: the first |V| >= threshold (1 uV * 10^(thr_dBAE / 20));
 *   end: the last |V| >= threshold (HDT longer than any gap);
 *   amplitude: 20 log10(max |V| over the hit / 1 uV), dB_AE (PDT off);
 *   energy: sum of V^2 / fs from arrival to end, in eu = 1e-14 V^2 s;
 *   counts: positive-going crossings of +threshold;
 *   rise time: arrival to the peak; duration: arrival to end.
 */
struct ref_hit {
	size_t first, last, peak_at;
	double amp_dbae, energy_eu, rise_s, duration_s;
	unsigned long counts;
};

static int reference(const double *counts, size_t n, double fs, double vpc,
		     double gain_db, double thr_dbae, struct ref_hit *r)
{
	double thr = 1e-6 * pow(10.0, thr_dbae / 20.0), peak = 0.0, e = 0.0;
	double k = vpc / pow(10.0, gain_db / 20.0);
	int found = 0;

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < n; i++)
		if (fabs(counts[i] * k) >= thr) {
			if (!found)
				r->first = i;
			found = 1;
			r->last = i;
		}
	if (!found)
		return 0;
	for (size_t i = r->first; i <= r->last; i++) {
		double v = counts[i] * k;

		if (fabs(v) > peak) {
			peak = fabs(v);
			r->peak_at = i;
		}
		e += v * v / fs;
		if (v >= thr && (i == r->first || counts[i - 1] * k < thr))
			r->counts++;
	}
	r->amp_dbae = 20.0 * log10(peak / 1e-6);
	r->energy_eu = e / 1e-14;
	r->rise_s = (double)(r->peak_at - r->first) / fs;
	r->duration_s = (double)(r->last - r->first) / fs;
	return 1;
}

/* Transients of a waveform set, each cut by the record's end while above
 * the threshold, in physical units: the library's hit (PDT off, ended by
 * the record, not truncated) against the reference, for several scales. */
static void vallen_units(void **state)
{
	struct cs_aesynth_config sc = {
		.rate_hz = 2e6, .f0_hz = 150e3, .rise_s = 20e-6,
		.decay_s = 100e-6, .amp_min = 2000, .amp_max = 20000,
		.noise_rms = 5, .seed = 21,
	};
	static const struct cs_ae_scale scales[] = {
		{ 1.0 / 32768, 40.0 },	/* +-1 V 16-bit, 40 dB preamp */
		{ 2.5e-4, 34.0 },
		{ 1e-3, 0.0 },
	};
	struct cs_aesynth *g = cs_aesynth_create(&sc);
	enum { NS = 1024 };
	double x[NS];

	(void)state;
	assert_non_null(g);
	for (size_t c = 0; c < 3; c++)
		for (int t = 0; t < 20; t++) {
			const struct cs_ae_scale *s = &scales[c];
			double thr_dbae = 20.0 * log10(40.0 * s->volts_per_count /
				pow(10.0, s->gain_db / 20.0) / 1e-6);
			struct cs_aehit_config hc = {
				.rate_hz = 2e6, .pdt_s = 0.0, .hdt_s = 1e-3,
				.hlt_s = 0.0, .max_duration_s = 1.0,
			};
			struct cs_aehit_detector *d;
			struct cs_aehit h[4];
			struct ref_hit r;
			size_t used, got;

			hc.threshold = cs_ae_dbae_to_counts(thr_dbae, s);
			d = cs_aehit_detector_create(&hc);
			assert_non_null(d);
			cs_aesynth_transient(g, x, NS, 128,
					     cs_aesynth_amplitude(g));
			assert_true(reference(x, NS, 2e6, s->volts_per_count,
					      s->gain_db, thr_dbae, &r));
			/* the hit lasts to the record's end */
			assert_true(r.last > NS - 50);
			got = cs_aehit_detector_execute_block(d, x, NS, h, 4,
							      &used);
			assert_int_equal(got, 0);
			assert_int_equal(used, NS);
			assert_int_equal(cs_aehit_detector_end_record(d, h), 1);
			assert_int_equal(h[0].truncated, 0);
			assert_int_equal(h[0].start, r.first);
			assert_int_equal(h[0].counts, r.counts);
			assert_true(fabs(h[0].rise_s - r.rise_s) < 1e-12);
			assert_true(fabs(h[0].duration_s - r.duration_s) < 1e-12);
			assert_true(fabs(cs_ae_counts_to_dbae(h[0].peak, s) -
					 r.amp_dbae) < 1e-9);
			assert_true(fabs(cs_ae_energy_to_eu(h[0].energy, s) /
					 r.energy_eu - 1.0) < 1e-9);
			/* the next record starts afresh */
			assert_int_equal(cs_aehit_detector_samples(d), 0);
			assert_int_equal(cs_aehit_detector_end_record(d, h), 0);
			cs_aehit_detector_destroy(d);
		}
	cs_aesynth_destroy(g);
	/* 1 V at the sensor is 120 dB_AE; 1 V^2 s is 1e14 eu */
	assert_true(fabs(cs_ae_counts_to_dbae(100.0, &(struct cs_ae_scale){
					      0.1, 20.0 }) - 120.0) < 1e-9);
	assert_true(fabs(cs_ae_energy_to_eu(1.0, &(struct cs_ae_scale){
					    10.0, 20.0 }) - 1e14) < 1e-3);
}

/* PDT 0 is off: the peak is the hit's largest, however late it comes;
 * a PDT shorter than the wait fixes an earlier one. */
static void pdt_off(void **state)
{
	struct cs_aehit_config cfg = {
		.rate_hz = RATE, .threshold = 3.0, .pdt_s = 0.0,
		.hdt_s = 100e-6, .hlt_s = 0, .max_duration_s = 1.0,
	};
	double x[600] = { 0 };
	struct cs_aehit h[4];
	int n;

	(void)state;
	tone(x, 100, 500, 5.0, 481, 9.0);
	n = run(&cfg, x, 600, h, 4);
	assert_int_equal(n, 1);
	assert_true(fabs(h[0].peak - 9.0) < 1e-12);
	assert_true(fabs(h[0].rise_s - 380e-6) < 1e-12);
	cfg.pdt_s = 50e-6;
	n = run(&cfg, x, 600, h, 4);
	assert_true(fabs(h[0].peak - 5.0) < 1e-12);
}

static void bad_arguments(void **state)
{
	struct cs_aehit_config c = {
		.rate_hz = RATE, .threshold = 3.0, .pdt_s = 1e-5,
		.hdt_s = 1e-5, .hlt_s = 0, .max_duration_s = 1,
	};
	struct cs_aehit_detector *q = cs_aehit_detector_create(&c);
	struct cs_aesynth_config s = {
		.rate_hz = 1e6, .f0_hz = 1e5, .rise_s = 1e-5, .decay_s = 1e-4,
		.amp_min = 1, .amp_max = 2,
	};
	struct cs_aesynth *g;

	(void)state;
	assert_non_null(q);
	cs_aehit_detector_destroy(q);
	errno = 0;
	assert_null(cs_aehit_detector_create(NULL));
	assert_int_equal(errno, EINVAL);
	c.threshold = 0;
	assert_null(cs_aehit_detector_create(&c));
	c.threshold = 3;
	c.hdt_s = 1e-7;		/* under one sample */
	assert_null(cs_aehit_detector_create(&c));
	c.hdt_s = 1e-5;
	c.max_duration_s = 1e-6;
	assert_null(cs_aehit_detector_create(&c));
	c.max_duration_s = 1;
	c.hlt_s = -1;
	assert_null(cs_aehit_detector_create(&c));
	c.hlt_s = 0;
	c.pdt_s = -1e-6;
	assert_null(cs_aehit_detector_create(&c));

	g = cs_aesynth_create(&s);
	assert_non_null(g);
	cs_aesynth_destroy(g);
	s.amp_max = 0.5;
	assert_null(cs_aesynth_create(&s));
	s.amp_max = 2;
	s.f0_hz = 6e5;
	assert_null(cs_aesynth_create(&s));
	assert_true(fabs(cs_ae_db_to_counts(40, 1) - 100) < 1e-9);
	assert_true(fabs(cs_ae_counts_to_db(100, 1) - 40) < 1e-9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(features),
		cmocka_unit_test(found_vs_injected),
		cmocka_unit_test(vallen_units),
		cmocka_unit_test(pdt_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
