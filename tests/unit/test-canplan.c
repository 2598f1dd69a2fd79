// SPDX-License-Identifier: GPL-2.0-or-later
/* Bus budget: frame lengths against hand-computed values, the planner's
 * ceiling from 1 Hz to 20 kHz, its policies and its refusals. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cellsense-can.h"

static void bits(int fd, int brs, int ext, unsigned int len,
		 unsigned int nominal, unsigned int data)
{
	struct cs_can_frame f;
	unsigned int nb = 0, db = 0;

	memset(&f, 0, sizeof(f));
	f.flags = fd ? CS_CAN_FLAG_FD : 0;
	f.fd_flags = brs ? 1 : 0;
	f.extended = ext;
	f.len = (uint8_t)len;
	assert_int_equal(cs_can_frame_bits(&f, &nb, &db), 0);
	assert_int_equal(nb, nominal);
	assert_int_equal(db, data);
}

/*
 * Hand-computed worst cases (see cellsense-can.h for the method):
 * classical 11-bit, n data bits: 34+n stuffable bits, floor((33+n)/4)
 * stuff bits, 13 bits of CRC delimiter, ACK, EOF and IFS.
 */
static void frame_lengths(void **state)
{
	struct cs_can_frame f;
	unsigned int nb, db;

	(void)state;
	/* 11-bit: 0 bytes 47+8 = 55; 8 bytes 64+47+24 = 135 */
	bits(0, 0, 0, 0, 55, 0);
	bits(0, 0, 0, 1, 8 + 47 + 10, 0);
	bits(0, 0, 0, 8, 135, 0);
	/* 29-bit: 0 bytes 67+13 = 80; 8 bytes 64+67+29 = 160 */
	bits(0, 0, 1, 0, 80, 0);
	bits(0, 0, 1, 8, 160, 0);
	/*
	 * FD 11-bit, 64 bytes, BRS: arbitration 17 bits + floor(16/4) = 4
	 * stuff + 13 = 34 nominal; SOF..data = 17+5+512 = 534 bits, 133
	 * stuff bits of which 129 in the data phase: 5+512+129 + 4 (stuff
	 * count) + 21 (CRC) + 7 (fixed stuff) = 678 at the data rate.
	 */
	bits(1, 1, 0, 64, 34, 678);
	/* same without BRS: all at the nominal rate */
	bits(1, 0, 0, 64, 34 + 678, 0);
	/* FD 11-bit, 8 bytes, BRS: 86 bits, 21 stuff (4 in arbitration):
	 * 5+64+17 + 4 + 17 + 6 = 113 */
	bits(1, 1, 0, 8, 34, 113);
	/* FD 29-bit, 64 bytes, BRS: 36 + floor(35/4) = 8 + 13 = 57 nominal;
	 * 553 bits, 138 stuff, 130 in data: 517+130+4+21+7 = 679 */
	bits(1, 1, 1, 64, 57, 679);
	/* FD 9 bytes is sent as 12: 96 data bits; 118 bits, 29 stuff:
	 * 5+96+25 + 4 + 17 + 6 = 153 in data, no BRS: 34 + 153 */
	bits(1, 0, 0, 9, 187, 0);
	/* times: 135 bits at 500 kbit/s; 34/500k + 678/2M for FD */
	memset(&f, 0, sizeof(f));
	f.len = 8;
	assert_float_equal(cs_can_frame_seconds(&f, 500000, 0), 270e-6, 1e-12);
	f.len = 64;
	f.flags = CS_CAN_FLAG_FD;
	f.fd_flags = 1;
	assert_float_equal(cs_can_frame_seconds(&f, 500000, 2000000),
			   68e-6 + 339e-6, 1e-12);
	/* classical frames cannot carry 9 bytes; rates must be positive */
	f.flags = 0;
	f.len = 9;
	assert_int_equal(cs_can_frame_bits(&f, &nb, &db), -EINVAL);
	f.len = 8;
	assert_true(isnan(cs_can_frame_seconds(&f, 0, 0)));
	assert_int_equal(cs_can_frame_bits(NULL, &nb, &db), -EINVAL);
}

static const char dbc_text[] =
	"BO_ 784 Fbg: 8 GW\n"
	" SG_ Grating M : 0|8@1+ (1,0) [0|254] \"\" BMS\n"
	" SG_ Fibre : 8|4@1+ (1,0) [0|14] \"\" BMS\n"
	" SG_ Wl_G0 m0 : 16|32@1+ (0.0001,0) [1400|1700] \"nm\" BMS\n"
	" SG_ Wl_G1 m1 : 16|32@1+ (0.0001,0) [1400|1700] \"nm\" BMS\n"
	" SG_ Wl_G2 m2 : 16|32@1+ (0.0001,0) [1400|1700] \"nm\" BMS\n"
	" SG_ Wl_G3 m3 : 16|32@1+ (0.0001,0) [1400|1700] \"nm\" BMS\n"
	"BO_ 2164260864 Wide: 64 GW\n"
	" SG_ Chan : 0|8@1+ (1,0) [0|254] \"\" BMS\n"
	" SG_ Value : 8|32@1- (0.001,0) [-1000000|1000000] \"V\" BMS\n"
	"BO_ 816 Re: 8 GW\n"
	" SG_ Cell : 0|8@1+ (1,0) [0|254] \"\" BMS\n"
	" SG_ Potential : 16|24@1- (0.000001,0) [-8|8] \"V\" BMS\n";

struct fixture {
	struct cs_dbc *dbc;
	struct cs_canmap *map;
};

static struct fixture *make(const char *map_text)
{
	static struct fixture fx;
	struct cs_can_error err;

	fx.dbc = cs_dbc_create(dbc_text, strlen(dbc_text), &err);
	if (!fx.dbc)
		fail_msg("dbc %lu:%u: %s", err.line, err.column, err.why);
	fx.map = cs_canmap_create(map_text, strlen(map_text), fx.dbc, &err);
	if (!fx.map)
		fail_msg("map %lu:%u: %s", err.line, err.column, err.why);
	return &fx;
}

static void unmake(struct fixture *fx)
{
	cs_canmap_destroy(fx->map);
	cs_dbc_destroy(fx->dbc);
}

static struct cs_canplan_config config(void)
{
	struct cs_canplan_config c = {
		.bitrate = 500000,
		.load_max = 0.3,
		.period_ns = 10000000,
		.policy = CS_CANPLAN_LAST,
		.max_slots = 64,
	};
	return c;
}

static void rec(struct cs_record *r, const char *src, const char *q,
		double v, const char *unit, int64_t t)
{
	assert_int_equal(cs_record_set(r, t, src, q, v, unit, "ok", NAN), 0);
}

static void refusals(void **state)
{
	struct fixture *fx = make("fbg{Fibre}/g{Grating} wavelength Fbg "
				  "Wl_G{Grating}\n");
	struct cs_canplan_config c;
	struct cs_can_error err;
	struct cs_canmap *m;

	(void)state;
	c = config();
	c.bitrate = 0;
	assert_null(cs_canplan_create(fx->map, &c));
	assert_int_equal(errno, EINVAL);
	c = config();
	c.load_max = 1.5;
	assert_null(cs_canplan_create(fx->map, &c));
	c = config();
	c.data_bitrate = 100000;	/* below the nominal rate */
	assert_null(cs_canplan_create(fx->map, &c));
	c = config();
	c.period_ns = 500000;	/* 0 or at least 1 ms */
	assert_null(cs_canplan_create(fx->map, &c));
	c = config();
	c.policy = 99;
	assert_null(cs_canplan_create(fx->map, &c));
	c = config();
	c.max_slots = 0;
	assert_null(cs_canplan_create(fx->map, &c));
	c = config();
	assert_null(cs_canplan_create(NULL, &c));
	assert_int_equal(cs_canplan_policy_parse("mean"), CS_CANPLAN_MEAN);
	assert_int_equal(cs_canplan_policy_parse("median"), -EINVAL);
	assert_string_equal(cs_canplan_policy_name(CS_CANPLAN_CHANGE),
			    "change");
	/* scheduling keys of the map, with their columns */
	m = cs_canmap_create("re{Cell}/anode potential Re Potential "
			     "every=0\n", 45, fx->dbc, &err);
	assert_null(m);
	assert_int_equal(err.line, 1);
	assert_int_equal(err.column, 45);
	m = cs_canmap_create("x potential Re Potential policy=median\n", 38,
			     fx->dbc, &err);
	assert_null(m);
	assert_int_equal(err.column, 33);
	m = cs_canmap_create("x potential Re Potential sources=7 every=250 "
			     "policy=max\n", 55, fx->dbc, &err);
	assert_non_null(m);
	{
		struct cs_canmap_policy pol;
		const struct cs_dbc_message *msg;

		assert_int_equal(cs_canmap_line(m, 0, &msg, &pol, NULL), 0);
		assert_string_equal(msg->name, "Re");
		assert_int_equal(pol.sources, 7);
		assert_int_equal(pol.period_ns, 250000000);
		assert_int_equal(pol.policy, CS_CANPLAN_MAX);
		assert_int_equal(cs_canmap_line(m, 1, NULL, NULL, NULL),
				 -EINVAL);
	}
	cs_canmap_destroy(m);
	unmake(fx);
}

/*
 * Four gratings at RATE records/s each for 2 s of record time, pushed and
 * drained as a gateway does: the bus time of the frames released stays
 * under the ceiling (plus the bucket's depth), whatever the rate.
 */
static void ceiling_at(double rate, double load_max, int64_t period_ns,
		       unsigned int sources, int expect_all)
{
	char map_text[160];
	struct fixture *fx;
	struct cs_canplan_config c = config();
	struct cs_canplan_stats st;
	struct cs_canplan *p;
	struct cs_can_frame f;
	struct cs_record r;
	int64_t step = (int64_t)(1e9 / rate), t, end = 2000000000;
	unsigned long pushed = 0, frames = 0;
	double bus = 0;

	snprintf(map_text, sizeof(map_text),
		 "fbg{Fibre}/g{Grating} wavelength Fbg Wl_G{Grating} "
		 "sources=%u\n", sources);
	fx = make(map_text);
	c.load_max = load_max;
	c.period_ns = period_ns;
	p = cs_canplan_create(fx->map, &c);
	assert_non_null(p);
	for (t = 0; t < end; t += step) {
		for (int g = 0; g < 4; g++) {
			char src[16];
			int64_t next;

			snprintf(src, sizeof(src), "fbg0/g%d", g);
			rec(&r, src, "wavelength", 1530 + g + t * 1e-12, "nm",
			    t);
			assert_int_equal(cs_canplan_push(p, &r, t, NULL), 0);
			pushed++;
			while (cs_canplan_next(p, t, &f, &next) == 1) {
				frames++;
				bus += cs_can_frame_seconds(&f, c.bitrate, 0);
			}
		}
	}
	assert_int_equal(cs_canplan_stats(p, &st), 0);
	assert_int_equal(st.records, pushed);
	assert_int_equal(st.frames, frames);
	assert_int_equal(st.slots, 4);
	assert_float_equal(st.bus_seconds, bus, 1e-9);
	assert_true(bus <= load_max * (2.0 + 0.01) + 1e-9);
	assert_true(st.planned_load <= load_max * (1 + 1e-9));
	assert_int_equal(st.aggregated + frames + (st.slots > frames ? 0 : 0)
			 >= pushed - 4, 1);
	if (expect_all) {
		assert_int_equal(frames, pushed);
		assert_int_equal(st.aggregated, 0);
	} else {
		assert_true(st.aggregated > 0);
	}
	cs_canplan_destroy(p);
	unmake(fx);
}

static void ceiling_1hz_to_20khz(void **state)
{
	(void)state;
	/* 1 Hz, period 10 ms: every record goes out as it comes */
	ceiling_at(1, 0.3, 10000000, 4, 1);
	ceiling_at(100, 0.3, 10000000, 4, 1);
	/* 20 kHz: folded into one frame per grating per period */
	ceiling_at(20000, 0.3, 10000000, 4, 0);
	/* a plan that does not fit (1 ms periods at 5 %): stretched */
	ceiling_at(20000, 0.05, 1000000, 4, 0);
	/* more gratings than declared appear: replanned, still under */
	ceiling_at(20000, 0.05, 1000000, 1, 0);
	/* no period: as they come while within budget, folded beyond */
	ceiling_at(10, 0.3, 0, 4, 1);
	ceiling_at(20000, 0.3, 0, 4, 0);
}

static void stretch_reported(void **state)
{
	struct fixture *fx = make("fbg{Fibre}/g{Grating} wavelength Fbg "
				  "Wl_G{Grating} sources=16 every=1\n");
	struct cs_canplan_config c = config();
	struct cs_canplan_stats st;
	struct cs_canplan *p;
	struct cs_record r;

	(void)state;
	/* 16 frames of 135 bits per ms = 2.16 Mbit/s, 432 % of 500 k:
	 * stretched by 4.32 / 0.3 = 14.4, from the line's first record on
	 * (all 16 at once), not before */
	p = cs_canplan_create(fx->map, &c);
	assert_non_null(p);
	cs_canplan_stats(p, &st);
	assert_float_equal(st.stretch, 1, 0);
	assert_float_equal(st.planned_load, 0, 0);
	rec(&r, "fbg0/g2", "wavelength", 1550, "nm", 0);
	assert_int_equal(cs_canplan_push(p, &r, 0, NULL), 0);
	cs_canplan_stats(p, &st);
	assert_float_equal(st.stretch, 16 * 135 / 500000.0 / 1e-3 / 0.3,
			   1e-9);
	assert_float_equal(st.planned_load, 0.3, 1e-9);
	assert_int_equal(st.replans, 1);
	/* the other 15 were counted with it: no more replans */
	rec(&r, "fbg0/g3", "wavelength", 1550, "nm", 0);
	assert_int_equal(cs_canplan_push(p, &r, 0, NULL), 0);
	cs_canplan_stats(p, &st);
	assert_int_equal(st.replans, 1);
	cs_canplan_destroy(p);
	unmake(fx);
}

static double decode_wl(struct fixture *fx, const struct cs_can_frame *f);

/*
 * Kinds of record found whatever their order: the slot after the last
 * one's is tried first (records come in a cycle), and a miss there, or a
 * kind like it but for a byte, must still find the right slot.
 */
static void kinds_in_any_order(void **state)
{
	static const char *const order[] = {
		"fbg0/g0", "fbg0/g1", "fbg0/g2", "fbg0/g2", "fbg0/g0",
		"fbg0/g1", "fbg0/g1", "fbg1/g1", "fbg0/g0", "fbg0/g3",
	};
	struct fixture *fx = make("fbg{Fibre}/g{Grating} wavelength Fbg "
				  "Wl_G{Grating}\n");
	struct cs_canplan_config c = config();
	struct cs_canplan_stats st;
	struct cs_canplan *p;
	struct cs_record r;
	size_t i;

	(void)state;
	c.period_ns = 0;
	p = cs_canplan_create(fx->map, &c);
	assert_non_null(p);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		rec(&r, order[i], "wavelength", 1500 + (double)i, "nm", 0);
		assert_int_equal(cs_canplan_push(p, &r, 0, NULL), 0);
	}
	/* a kind that differs only after a long common start */
	rec(&r, "fbg0/g0", "wavelengthX", 1500, "nm", 0);
	assert_int_equal(cs_canplan_push(p, &r, 0, NULL), -ENOENT);
	cs_canplan_stats(p, &st);
	assert_int_equal(st.slots, 5);
	assert_int_equal(st.records, 10);
	/* each slot holds its own latest value: g1 last came as i = 6 */
	{
		struct cs_can_frame f;
		int64_t next;
		int seen = 0;

		while (cs_canplan_next(p, 0, &f, &next) == 1)
			if (f.data[0] == 1 && (f.data[1] & 0xf) == 0) {
				assert_float_equal(decode_wl(fx, &f), 1506,
						   1e-3);
				seen++;
			}
		assert_int_equal(seen, 1);
	}
	cs_canplan_destroy(p);
	unmake(fx);
}

/*
 * A map covers more than one rig has: a line no record comes for takes
 * no bus time. Here a heavy line (16 frames every ms, 432 % of the bus)
 * never sees a record; the light one (1 frame every 10 ms, 2.7 %) goes
 * out at its own period, not stretched for the other.
 */
static void unused_lines_take_nothing(void **state)
{
	struct fixture *fx = make("fbg{Fibre}/g{Grating} wavelength Fbg "
				  "Wl_G{Grating} sources=16 every=1\n"
				  "re{Cell}/anode potential Re Potential "
				  "every=10\n");
	struct cs_canplan_config c = config();
	struct cs_canplan_stats st;
	struct cs_can_frame f;
	struct cs_canplan *p;
	struct cs_record r;
	int64_t t, next;
	int frames = 0;

	(void)state;
	p = cs_canplan_create(fx->map, &c);
	assert_non_null(p);
	cs_canplan_stats(p, &st);
	assert_float_equal(st.planned_load, 0, 0);
	assert_float_equal(st.stretch, 1, 0);
	/* the plan still knows what each line would take */
	assert_int_equal(cs_canplan_line_frames(p, 0), 16);
	assert_int_equal(cs_canplan_line_frames(p, 1), 1);
	/* one second of an electrode at 1 kHz */
	for (t = 0; t < 1000000000; t += 1000000) {
		rec(&r, "re1/anode", "potential", 0.1, "V", t);
		assert_int_equal(cs_canplan_push(p, &r, t, NULL), 0);
		while (cs_canplan_next(p, t, &f, &next) == 1)
			frames++;
	}
	cs_canplan_stats(p, &st);
	assert_float_equal(st.planned_load, 135 / 500000.0 / 10e-3, 1e-9);
	assert_float_equal(st.stretch, 1, 0);
	assert_int_equal(st.replans, 0);
	/* every 10 ms: 100 frames in the second (the first at once) */
	assert_in_range(frames, 99, 101);
	cs_canplan_destroy(p);
	unmake(fx);
}

static double decode_wl(struct fixture *fx, const struct cs_can_frame *f)
{
	struct cs_record back[2];

	assert_int_equal(cs_canmap_decode(fx->map, f, 0, back, 2), 1);
	return back[0].value;
}

static void policies(void **state)
{
	static const char *const maps[] = {
		"fbg{Fibre}/g{Grating} wavelength Fbg Wl_G{Grating} "
		"policy=mean\n",
		"fbg{Fibre}/g{Grating} wavelength Fbg Wl_G{Grating} "
		"policy=min\n",
		"fbg{Fibre}/g{Grating} wavelength Fbg Wl_G{Grating} "
		"policy=max\n",
		"fbg{Fibre}/g{Grating} wavelength Fbg Wl_G{Grating}\n",
	};
	static const double want[] = { 1532.5, 1531, 1534, 1534 };
	struct cs_canplan_config c = config();
	struct cs_can_frame f;
	struct cs_record r;

	(void)state;
	for (size_t k = 0; k < 4; k++) {
		struct fixture *fx = make(maps[k]);
		struct cs_canplan *p = cs_canplan_create(fx->map, &c);
		int64_t next;

		assert_non_null(p);
		/* the first record goes out at once */
		rec(&r, "fbg0/g1", "wavelength", 1530, "nm", 0);
		assert_int_equal(cs_canplan_push(p, &r, 0, NULL), 0);
		assert_int_equal(cs_canplan_next(p, 0, &f, &next), 1);
		assert_float_equal(decode_wl(fx, &f), 1530, 1e-4);
		/* the next four within the period are folded */
		for (int i = 1; i <= 4; i++) {
			rec(&r, "fbg0/g1", "wavelength", 1530 + i, "nm",
			    i * 1000000);
			assert_int_equal(cs_canplan_push(p, &r, i * 1000000,
							 NULL), 0);
			assert_int_equal(cs_canplan_next(p, i * 1000000, &f,
							 &next), 0);
			assert_int_equal(next, 10000000);
		}
		assert_int_equal(cs_canplan_next(p, 10000000, &f, &next), 1);
		assert_float_equal(decode_wl(fx, &f), want[k], 1e-4);
		/* nothing new: nothing sent, nothing pending */
		assert_int_equal(cs_canplan_next(p, 30000000, &f, &next), 0);
		assert_true(next == INT64_MAX);
		cs_canplan_destroy(p);
		unmake(fx);
	}
}

static void on_change(void **state)
{
	struct fixture *fx = make("re{Cell}/anode potential Re Potential "
				  "policy=change\n");
	struct cs_canplan_config c = config();
	struct cs_canplan_stats st;
	struct cs_canplan *p;
	struct cs_can_frame f;
	struct cs_record r;
	int64_t t, next;
	int sent = 0;

	(void)state;
	p = cs_canplan_create(fx->map, &c);
	assert_non_null(p);
	/* 1 kHz of the same value for 1 s (100 periods): the first frame,
	 * then one keep-alive every 10 periods */
	for (t = 0; t < 1000000000; t += 1000000) {
		rec(&r, "re0/anode", "potential", 0.1, "V", t);
		assert_int_equal(cs_canplan_push(p, &r, t, NULL), 0);
		sent += cs_canplan_next(p, t, &f, &next);
	}
	assert_in_range(sent, 10, 11);
	/* changes below the resolution (1 uV) are no change: another second
	 * of them gives keep-alives only */
	sent = 0;
	for (; t < 2000000000; t += 1000000) {
		rec(&r, "re0/anode", "potential",
		    (t / 1000000) % 2 ? 0.1000002 : 0.1, "V", t);
		assert_int_equal(cs_canplan_push(p, &r, t, NULL), 0);
		sent += cs_canplan_next(p, t, &f, &next);
	}
	assert_in_range(sent, 9, 11);
	/* a real change goes out within a period */
	t += 10000000;
	rec(&r, "re0/anode", "potential", -0.005, "V", t);
	cs_canplan_push(p, &r, t, NULL);
	if (cs_canplan_next(p, t, &f, &next) == 0) {
		assert_true(next <= t + 10000000);
		assert_int_equal(cs_canplan_next(p, next, &f, &next), 1);
	}
	cs_canplan_stats(p, &st);
	assert_true(st.unchanged > 80);
	cs_canplan_destroy(p);
	unmake(fx);
}

static void slots_full_and_bad(void **state)
{
	struct fixture *fx = make("fbg{Fibre}/g{Grating} wavelength Fbg "
				  "Wl_G{Grating}\n"
				  "wide{Chan} voltage Wide Value\n");
	struct cs_canplan_config c = config();
	struct cs_canplan_stats st;
	struct cs_canplan *p;
	struct cs_can_frame f;
	struct cs_record r;
	const char *why = NULL;
	int64_t next;

	(void)state;
	c.max_slots = 2;
	c.data_bitrate = 2000000;
	p = cs_canplan_create(fx->map, &c);
	assert_non_null(p);
	rec(&r, "fbg0/g0", "wavelength", 1530, "nm", 0);
	assert_int_equal(cs_canplan_push(p, &r, 0, NULL), 0);
	rec(&r, "wide3", "voltage", -12.5, "V", 0);
	assert_int_equal(cs_canplan_push(p, &r, 0, NULL), 0);
	rec(&r, "fbg0/g2", "wavelength", 1530, "nm", 0);
	assert_int_equal(cs_canplan_push(p, &r, 0, NULL), -ENOSPC);
	rec(&r, "fbg0/g9", "wavelength", 1530, "nm", 0);   /* no Wl_G9 */
	assert_int_equal(cs_canplan_push(p, &r, 0, &why), -EBADMSG);
	assert_non_null(why);
	rec(&r, "nothing", "wavelength", 1530, "nm", 0);
	assert_int_equal(cs_canplan_push(p, &r, 0, NULL), -ENOENT);
	/* the 29-bit FD frame goes with BRS, 64 bytes */
	assert_int_equal(cs_canplan_next(p, 0, &f, &next), 1);
	assert_int_equal(cs_canplan_next(p, 0, &f, &next) +
			 0, 1);
	cs_canplan_stats(p, &st);
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.frames, 2);
	/* one of the two frames was the FD one */
	assert_true((f.extended && f.len == 64 &&
		     (f.flags & CS_CAN_FLAG_FD) && f.fd_flags == 1) ||
		    (!f.extended && f.len == 8 && !f.flags));
	cs_canplan_destroy(p);
	unmake(fx);
}

/* A further record of a kind already seen is checked as the first was
 * (against the signals found then): a status without a VAL_ name refused,
 * a value beyond the signal clamped, a not-available value sent as such,
 * another unit converted (or refused when it does not convert). */
static void later_records_checked(void **state)
{
	static const char dbc[] =
		"BO_ 700 T: 8 GW\n"
		" SG_ Ch : 0|4@1+ (1,0) [0|14] \"\" BMS\n"
		" SG_ St : 4|4@1+ (1,0) [0|14] \"\" BMS\n"
		" SG_ Temp : 8|16@1- (0.01,0) [-300|300] \"degC\" BMS\n"
		" SG_ TempU : 24|16@1+ (0.01,0) [0|655.34] \"degC\" BMS\n"
		"VAL_ 700 St 0 \"ok\" 1 \"lost\" ;\n";
	static const char map[] =
		"t{Ch} temperature T Temp status=St uncertainty=TempU\n";
	struct cs_canplan_config c = config();
	struct cs_can_error err;
	struct cs_dbc *d = cs_dbc_create(dbc, strlen(dbc), &err);
	struct cs_canmap *m = d ? cs_canmap_create(map, strlen(map), d, &err) :
			      NULL;
	struct cs_canplan *p;
	struct cs_record r;
	const char *why;

	(void)state;
	assert_non_null(m);
	p = cs_canplan_create(m, &c);
	assert_non_null(p);
	assert_int_equal(cs_record_set(&r, 0, "t1", "temperature", 25, "degC",
				       "ok", 0.1), 0);
	assert_int_equal(cs_canplan_push(p, &r, 0, NULL), 0);
	why = NULL;
	strcpy(r.status, "bogus");
	assert_int_equal(cs_canplan_push(p, &r, 1, &why), -EBADMSG);
	assert_non_null(strstr(why, "VAL_"));
	strcpy(r.status, "lost");
	assert_int_equal(cs_canplan_push(p, &r, 2, NULL), 0);
	r.value = 400;
	assert_int_equal(cs_canplan_push(p, &r, 3, NULL), CS_CAN_CLAMPED);
	r.value = 20;
	r.uncertainty = 1000;
	assert_int_equal(cs_canplan_push(p, &r, 4, NULL), CS_CAN_CLAMPED);
	r.value = NAN;
	r.uncertainty = NAN;
	assert_int_equal(cs_canplan_push(p, &r, 5, NULL), 0);
	r.value = 573.15;	/* 300 degC: in range once converted */
	strcpy(r.unit, "K");
	assert_int_equal(cs_canplan_push(p, &r, 6, NULL), 0);
	r.value = 0.1;
	strcpy(r.unit, "V");
	why = NULL;
	assert_int_equal(cs_canplan_push(p, &r, 7, &why), -EBADMSG);
	assert_non_null(strstr(why, "another kind"));
	cs_canplan_destroy(p);
	cs_canmap_destroy(m);
	cs_dbc_destroy(d);
}

/* The records of one frame gathered: one frame for both cells of a mux
 * value; a cell without a fresh record sent as not available, or with its
 * last value within hold=; the plan counts frames. */
static void gathered_frames(void **state)
{
	static const char dbc[] =
		"BO_ 600 Cells: 8 GW\n"
		" SG_ Mux M : 0|8@1+ (1,0) [0|0] \"\" BMS\n"
		" SG_ T_0 m0 : 8|8@1- (1,0) [-100|100] \"degC\" BMS\n"
		" SG_ T_1 m0 : 16|8@1- (1,0) [-100|100] \"degC\" BMS\n"
		" SG_ T_2 m1 : 8|8@1- (1,0) [-100|100] \"degC\" BMS\n"
		" SG_ T_3 m1 : 16|8@1- (1,0) [-100|100] \"degC\" BMS\n";
	static const char map[] =
		"a{N} temperature Cells T_{N} Mux={N/2} sources=4 every=100\n"
		"b{N} temperature Cells T_{N} Mux={N/2} sources=4 every=100 "
		"hold=150\n";
	struct cs_can_error err;
	struct cs_dbc *d = cs_dbc_create(dbc, strlen(dbc), &err);
	struct cs_canmap *m = cs_canmap_create(map, strlen(map), d, &err);
	struct cs_canplan_config c = config();
	struct cs_canplan *p;
	struct cs_canplan_stats st;
	struct cs_can_frame f;
	struct cs_record r;
	int64_t next;

	(void)state;
	assert_non_null(m);
	p = cs_canplan_create(m, &c);
	assert_non_null(p);
	assert_int_equal(cs_canplan_line_frames(p, 0), 2);
	/* cells 0 and 1 at t = 0: one frame, both values */
	rec(&r, "a0", "temperature", 10, "degC", 0);
	assert_int_equal(cs_canplan_push(p, &r, 0, NULL), 0);
	rec(&r, "a1", "temperature", -20, "degC", 0);
	assert_int_equal(cs_canplan_push(p, &r, 0, NULL), 0);
	assert_int_equal(cs_canplan_next(p, 0, &f, &next), 1);
	assert_int_equal(f.data[0], 0);
	assert_int_equal(f.data[1], 10);
	assert_int_equal(f.data[2], 0xEC);
	assert_int_equal(cs_canplan_next(p, 0, &f, &next), 0);
	/* t = 100 ms: only cell 0: cell 1 not available (-128 = 0x80) */
	rec(&r, "a0", "temperature", 11, "degC", 100000000);
	cs_canplan_push(p, &r, 100000000, NULL);
	assert_int_equal(cs_canplan_next(p, 100000000, &f, &next), 1);
	assert_int_equal(f.data[1], 11);
	assert_int_equal(f.data[2], 0x80);
	/* hold=150: b2, b3 at 100 ms; at 200 ms only b2: b3's value of
	 * 100 ms old goes; at 300 ms it is 200 ms old: not available */
	rec(&r, "b2", "temperature", 5, "degC", 100000000);
	cs_canplan_push(p, &r, 100000000, NULL);
	rec(&r, "b3", "temperature", 6, "degC", 100000000);
	cs_canplan_push(p, &r, 100000000, NULL);
	assert_int_equal(cs_canplan_next(p, 100000000, &f, &next), 1);
	assert_int_equal(f.data[0], 1);
	rec(&r, "b2", "temperature", 7, "degC", 200000000);
	cs_canplan_push(p, &r, 200000000, NULL);
	assert_int_equal(cs_canplan_next(p, 200000000, &f, &next), 1);
	assert_int_equal(f.data[1], 7);
	assert_int_equal(f.data[2], 6);
	rec(&r, "b2", "temperature", 8, "degC", 300000000);
	cs_canplan_push(p, &r, 300000000, NULL);
	assert_int_equal(cs_canplan_next(p, 300000000, &f, &next), 1);
	assert_int_equal(f.data[1], 8);
	assert_int_equal(f.data[2], 0x80);
	cs_canplan_stats(p, &st);
	assert_int_equal(st.groups, 2);
	assert_int_equal(st.frames, 5);
	assert_int_equal(st.held, 1);
	assert_int_equal(st.absent, 2);
	cs_canplan_destroy(p);
	cs_canmap_destroy(m);
	cs_dbc_destroy(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(frame_lengths),
		cmocka_unit_test(refusals),
		cmocka_unit_test(ceiling_1hz_to_20khz),
		cmocka_unit_test(stretch_reported),
		cmocka_unit_test(unused_lines_take_nothing),
		cmocka_unit_test(kinds_in_any_order),
		cmocka_unit_test(policies),
		cmocka_unit_test(on_change),
		cmocka_unit_test(slots_full_and_bad),
		cmocka_unit_test(gathered_frames),
		cmocka_unit_test(later_records_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
