// SPDX-License-Identifier: GPL-2.0-only
/*
 * cellsense simbus board: the ultrasonic digitiser (docs/us-board.md) on
 * chip select 1 of the sim's SPI bus, data-ready on line "us-drdy", the
 * pulser fired by rising edges on the output line "us-trigger".
 *
 * The model is a pouch cell 8 mm thick with a 5 MHz transducer on each
 * face. Pulse-echo (transducer A): the front-face echo at 1.5 us, the back
 * wall at T and its second round trip at 2T; through-transmission (A to B):
 * the direct arrival at T/2 and a reverberation at 3T/2. T = 10 us at 0 %
 * state of charge and 25 degC, 150 ns shorter at 100 % (the electrodes
 * stiffen), 10 ns longer per kelvin; the back-wall echo grows 20 % with
 * state of charge and loses the attenuation set from sysfs (gas,
 * delamination). The pulse is a Gaussian-windowed 5 MHz tone burst, -6 dB
 * bandwidth 60 %, whose origin is 5 envelope sigmas before its centre, the
 * convention of ussim(1) --pulse-out, so ustof(1) measures the delays
 * below as they are. In continuous mode the stream carries acoustic-
 * emission bursts (150 kHz, 20 us rise, 100 us decay, 300-10000 counts,
 * at least 2 ms apart) at a mean rate set from sysfs. Integer arithmetic
 * throughout. Settings in /sys/devices/platform/cellsense-sim/us/.
 */
#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/fixp-arith.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/math.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/prandom.h>
#include <linux/property.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spi/spi.h>
#include <linux/sysfs.h>
#include <linux/wait.h>

#include <asm/unaligned.h>

#include "../cellsense_us.h"
#include "simbus.h"

#define US_SIM_FIFO_DEPTH	8
#define US_SIM_REC_MAX		(US_REC_HDR_BYTES + US_REC_LEN_MAX * 2)
#define US_SIM_VERSION		(FIELD_PREP(US_VERSION_HW, 1) | \
				 FIELD_PREP(US_VERSION_FW_MAJOR, US_FW_MAJOR) | \
				 FIELD_PREP(US_VERSION_FW_MINOR, 0))
#define US_SIM_CLK_DIV		2	/* 20 MS/s after reset */
#define US_SIM_REC_LEN		1024
#define US_SIM_GAIN_DB		20
#define US_SIM_F0_HZ		5000000
#define US_SIM_SIGMA_PS		124925	/* -6 dB bandwidth 0.6 at 5 MHz */
#define US_SIM_ORIGIN_SIGMAS	5
#define US_SIM_T0_PS		10000000LL	/* back-wall round trip */
#define US_SIM_FRONT_PS		1500000LL
#define US_SIM_A0		4000	/* back wall, counts at 20 dB */
#define US_SIM_MAX_ECHOES	3
/* Acoustic emission */
#define US_SIM_AE_F0_HZ		150000
#define US_SIM_AE_RISE_NS	20000
#define US_SIM_AE_DECAY_NS	100000
#define US_SIM_AE_GAP_NS	2000000

/* round(4096 * 10^((g - 20) / 20)), g = 0..48 dB */
static const u32 us_sim_gain_q12[US_GAIN_MAX_DB + 1] = {
	410, 460, 516, 579, 649, 728, 817, 917, 1029, 1154, 1295, 1453, 1631,
	1830, 2053, 2303, 2584, 2900, 3254, 3651, 4096, 4596, 5157, 5786,
	6492, 7284, 8173, 9170, 10289, 11544, 12953, 14533, 16306, 18296,
	20529, 23034, 25844, 28997, 32536, 36506, 40960, 45958, 51566, 57858,
	64917, 72838, 81726, 91698, 102887,
};

/* round(65536 * 10^(-x / 20)), x = 0..60 dB */
static const u16 us_sim_att_q16[61] = {
	65535, 58409, 52057, 46396, 41350, 36854, 32846, 29274, 26090, 23253,
	20724, 18471, 16462, 14672, 13076, 11654, 10387, 9257, 8250, 7353,
	6554, 5841, 5206, 4640, 4135, 3685, 3285, 2927, 2609, 2325, 2072,
	1847, 1646, 1467, 1308, 1165, 1039, 926, 825, 735, 655, 584, 521, 464,
	414, 369, 328, 293, 261, 233, 207, 185, 165, 147, 131, 117, 104, 93,
	83, 74, 66,
};

/* AE burst amplitudes, log-spaced 300..10000 counts at 20 dB */
static const u16 us_sim_ae_amp[16] = {
	300, 379, 479, 605, 764, 965, 1220, 1541, 1947, 2460, 3107, 3926,
	4959, 6265, 7915, 10000,
};

/* round(65536 * exp(-x^2 / 2)) for x = k / 16, k = 0..64 */
static const u16 us_sim_gauss[65] = {
	65535, 65408, 65026, 64394, 63520, 62413, 61086, 59555,
	57835, 55947, 53908, 51742, 49469, 47112, 44692, 42231,
	39750, 37268, 34806, 32379, 30005, 27696, 25465, 23322,
	21276, 19335, 17502, 15780, 14173, 12680, 11300, 10031,
	8869, 7812, 6854, 5990, 5214, 4521, 3905, 3360,
	2879, 2458, 2090, 1771, 1494, 1255, 1051, 876,
	728, 602, 496, 408, 333, 272, 220, 178,
	143, 115, 92, 73, 58, 46, 36, 28,
	22,
};

struct us_sim_echo {
	s64 delay_ps;		/* pulse origin */
	s32 amp;		/* counts at the ADC */
};

struct us_sim {
	/* Protects everything below but the generator scratch */
	struct mutex lock;
	u32 ctrl;
	u32 clk_div;
	u32 rec_len;
	u32 gain_db;
	u32 avg;
	u32 ovr_count;
	bool ovr;
	bool sat;
	u32 trig_count;		/* TRIG_COUNT: rising edges since reset */
	u64 edges;		/* truth: rising edges since load */
	u32 reset_gen;		/* resets so far: a record in the making is void */
	u64 reset_discarded;	/* truth: records a reset threw away */
	int corrupt_pending;	/* records to store with a flag bit flipped */
	int slip_pending;	/* FIFO reads to start one byte late */
	u32 pending;		/* triggers not yet turned into records */
	u64 index;		/* continuous mode: next sample's index */
	/* FIFO of complete records, read via FIFO_DATA */
	u8 *fifo;		/* US_SIM_FIFO_DEPTH * US_SIM_REC_MAX */
	unsigned int fifo_len[US_SIM_FIFO_DEPTH];
	unsigned int fifo_head;
	unsigned int fifo_level;
	unsigned int fifo_rd;
	/* Environment, set through sysfs */
	int soc_permille;
	int temp_mdegc;
	int atten_db;
	int noise;		/* counts rms at 20 dB, one shot */
	int ae_rate_hz;
	/* Statistics and truth */
	u64 records;
	u64 overruns;
	u64 ae_bursts;
	/* AE burst state (generator thread only) */
	u64 burst_pos;		/* samples since the burst began */
	u32 burst_amp;		/* 0: none */
	u64 burst_env_q16;
	u64 ae_quiet_until;	/* no burst before this sample index */
	/* Generator scratch, only used by the generator thread */
	u8 *next;
	unsigned int next_len;
	struct rnd_state rnd;
	struct simbus_board board;
	struct task_struct *thread;
	wait_queue_head_t wq;
};

static struct us_sim *us_sim;

static void us_sim_reset(struct us_sim *us)
{
	us->ctrl = 0;
	us->clk_div = US_SIM_CLK_DIV;
	us->rec_len = US_SIM_REC_LEN;
	us->gain_db = US_SIM_GAIN_DB;
	us->avg = 0;
	us->ovr_count = 0;
	us->ovr = false;
	us->sat = false;
	us->reset_discarded += us->fifo_level + us->pending;
	us->pending = 0;
	us->trig_count = 0;
	us->fifo_head = 0;
	us->fifo_level = 0;
	us->fifo_rd = 0;
	us->reset_gen++;
}

/* Back-wall round trip now, ps; lock held */
static s64 us_sim_tof_ps(struct us_sim *us)
{
	s64 t = div_s64(US_SIM_T0_PS * (1000000 - 15 * us->soc_permille),
			1000000);

	return div_s64(t * (1000000 + (us->temp_mdegc - 25000)), 1000000);
}

/* The echoes of the current mode at the ADC; lock held. Returns count. */
static unsigned int us_sim_echoes(struct us_sim *us, struct us_sim_echo *e)
{
	unsigned int mode = FIELD_GET(US_CTRL_MODE, us->ctrl);
	s64 t = us_sim_tof_ps(us), g = us_sim_gain_q12[us->gain_db];
	s64 a = div_s64((s64)US_SIM_A0 * (1000 + us->soc_permille / 5), 1000);
	s64 att = us_sim_att_q16[us->atten_db];

	a = (a * g) >> 12;
	if (mode == US_MODE_THROUGH) {
		e[0] = (struct us_sim_echo){ t / 2, (a * 6 / 5 * att) >> 16 };
		e[1] = (struct us_sim_echo){ 3 * t / 2,
			(((a * 3 / 20 * att) >> 16) * att * att) >> 32 };
		return 2;
	}
	e[0] = (struct us_sim_echo){ US_SIM_FRONT_PS, (3 * 4000 * g / 10) >> 12 };
	e[1] = (struct us_sim_echo){ t, (a * att) >> 16 };
	e[2] = (struct us_sim_echo){ 2 * t, (((a / 4) * att >> 16) * att) >> 16 };
	return 3;
}

/* Zero-mean, roughly normal noise with unit variance in 1/148 steps */
static int us_sim_noise(struct rnd_state *rnd)
{
	u32 r = prandom_u32_state(rnd);

	return (int)((r & 0xff) + ((r >> 8) & 0xff) + ((r >> 16) & 0xff) +
		     (r >> 24)) - 510;
}

/* Gaussian envelope, 65535 at the centre, @d_ps from it */
static u32 us_sim_env(s64 d_ps)
{
	u64 u = div_u64(abs(d_ps) * 16 * 256, US_SIM_SIGMA_PS);
	unsigned int idx = u >> 8, frac = u & 255;

	if (idx >= ARRAY_SIZE(us_sim_gauss) - 1)
		return 0;
	return us_sim_gauss[idx] -
	       (((us_sim_gauss[idx] - us_sim_gauss[idx + 1]) * frac) >> 8);
}

/* cos(2 pi f @d_ps) in Q31 */
static s32 us_sim_cos(s64 d_ps, u32 f_hz)
{
	s64 ph = div_s64(d_ps * f_hz, 15258789);	/* 1e12 / 65536 */

	ph = (ph + 16384) & 0xffff;
	return fixp_sin32_rad((u32)ph, 1 << 16);
}

static void us_sim_header(struct us_sim *us, u32 rec_len, u32 shot,
			  u64 index, u8 flags)
{
	u8 *h = us->next;

	memset(h, 0, US_REC_HDR_BYTES);
	h[US_REC_OFF_SYNC] = US_REC_SYNC;
	h[US_REC_OFF_FLAGS] = flags;
	h[US_REC_OFF_BLOCKS] = rec_len / US_SAMPLES_PER_BLOCK;
	h[US_REC_OFF_BLOCKS + 1] = 0;
	put_unaligned_le32(shot, h + US_REC_OFF_SHOT);
	put_unaligned_le64(index, h + US_REC_OFF_INDEX);
	us->next_len = US_REC_HDR_BYTES + rec_len * 2;
}

/* Store @v as sample @i of us->next, clipping; returns true if clipped */
static bool us_sim_put(struct us_sim *us, unsigned int i, s64 v)
{
	bool sat = v >= S16_MAX || v <= S16_MIN;

	v = clamp_t(s64, v, S16_MIN, S16_MAX);
	put_unaligned_le16((u16)(s16)v, us->next + US_REC_HDR_BYTES + 2 * i);
	return sat;
}

/* One pulse record into us->next; settings copied under the lock */
static void us_sim_make_shot(struct us_sim *us, const struct us_sim_echo *e,
			     unsigned int ne, u32 rec_len, u32 clk_div,
			     s64 noise, u32 shot)
{
	s64 ts_ps = div_s64(1000000000000LL, US_CLK_HZ >> clk_div);
	s64 half = 4 * US_SIM_SIGMA_PS;
	s64 centre_off = US_SIM_ORIGIN_SIGMAS * US_SIM_SIGMA_PS;
	bool sat = false;
	unsigned int i, k;

	for (i = 0; i < rec_len; i++) {
		s64 t = (s64)i * ts_ps, v = 0;

		for (k = 0; k < ne; k++) {
			s64 d = t - e[k].delay_ps - centre_off;
			s64 a;

			if (d < -half || d > half || !e[k].amp)
				continue;
			a = (s64)e[k].amp * us_sim_env(d);
			v += (a * (us_sim_cos(d, US_SIM_F0_HZ) >> 16)) >> 31;
		}
		v += div_s64(us_sim_noise(&us->rnd) * noise, 148 * 16);
		sat |= us_sim_put(us, i, v);
	}
	us_sim_header(us, rec_len, shot, 0, sat ? US_REC_FLAG_SAT : 0);
}

/* One block of the continuous stream into us->next */
static void us_sim_make_block(struct us_sim *us, u32 rec_len, u32 clk_div,
			      s64 noise, u64 index, u32 rate_hz, u32 gain_q12)
{
	u32 fs = US_CLK_HZ >> clk_div;
	u64 rise = max_t(u64, 1, div_u64((u64)US_SIM_AE_RISE_NS * fs,
					 NSEC_PER_SEC));
	u64 decay = max_t(u64, 1, div_u64((u64)US_SIM_AE_DECAY_NS * fs,
					  NSEC_PER_SEC));
	u64 gap = div_u64((u64)US_SIM_AE_GAP_NS * fs, NSEC_PER_SEC);
	u32 thr = rate_hz ? (u32)min_t(u64, U32_MAX,
				       div_u64((u64)rate_hz << 32, fs)) : 0;
	s64 ts_ps = div_s64(1000000000000LL, fs);
	bool sat = false;
	unsigned int i;

	for (i = 0; i < rec_len; i++) {
		u64 n = index + i;
		s64 v = 0;

		if (!us->burst_amp && thr && n >= us->ae_quiet_until &&
		    prandom_u32_state(&us->rnd) < thr) {
			u32 r = prandom_u32_state(&us->rnd);

			us->burst_amp = us_sim_ae_amp[r & 15];
			us->burst_pos = 0;
			us->burst_env_q16 = 0;
			us->ae_quiet_until = n + gap;
			mutex_lock(&us->lock);
			us->ae_bursts++;
			mutex_unlock(&us->lock);
		}
		if (us->burst_amp) {
			u64 p = us->burst_pos++;

			if (p < rise)
				us->burst_env_q16 = div_u64(p << 16, rise);
			else
				us->burst_env_q16 -= div_u64(us->burst_env_q16,
							     decay);
			v = (s64)us->burst_amp * gain_q12 >> 12;
			v = (v * (s64)us->burst_env_q16) >> 16;
			/* a sine: the cosine a quarter period late */
			v = (v * (us_sim_cos((s64)p * ts_ps, US_SIM_AE_F0_HZ) >>
				  16)) >> 15;
			if (p > rise + 12 * decay)
				us->burst_amp = 0;
		}
		v += div_s64(us_sim_noise(&us->rnd) * noise, 148 * 16);
		sat |= us_sim_put(us, i, v);
	}
	us_sim_header(us, rec_len, 0, index,
		      US_REC_FLAG_CONTINUOUS | (sat ? US_REC_FLAG_SAT : 0));
}

/* Called with us->lock held */
static void us_sim_fifo_push(struct us_sim *us)
{
	unsigned int slot;

	us->records++;
	if (us->fifo_level == US_SIM_FIFO_DEPTH) {
		us->ovr = true;
		if (us->ovr_count < U32_MAX)
			us->ovr_count++;
		us->overruns++;
		return;
	}
	slot = (us->fifo_head + us->fifo_level) % US_SIM_FIFO_DEPTH;
	memcpy(us->fifo + slot * US_SIM_REC_MAX, us->next, us->next_len);
	us->fifo_len[slot] = us->next_len;
	if (us->corrupt_pending > 0) {
		/* a bit flipped on the way: a flag no board sends */
		us->corrupt_pending--;
		us->fifo[slot * US_SIM_REC_MAX + US_REC_OFF_FLAGS] ^= 0x40;
	}
	us->fifo_level++;
	us->sat = us->next[US_REC_OFF_FLAGS] & US_REC_FLAG_SAT;
}

static u8 us_sim_fifo_read_byte(struct us_sim *us)
{
	unsigned int head = us->fifo_head;
	u8 b;

	if (!us->fifo_level)
		return 0xff;
	b = us->fifo[head * US_SIM_REC_MAX + us->fifo_rd++];
	if (us->fifo_rd == us->fifo_len[head]) {
		us->fifo_rd = 0;
		us->fifo_head = (us->fifo_head + 1) % US_SIM_FIFO_DEPTH;
		us->fifo_level--;
	}
	return b;
}

static void us_sim_update_drdy(struct us_sim *us)
{
	int level;

	mutex_lock(&us->lock);
	level = (us->ctrl & US_CTRL_DRDY_EN) && us->fifo_level;
	mutex_unlock(&us->lock);
	simbus_set_line(&us->board, SIMBUS_LINE_US_DRDY, level);
}

static bool us_sim_continuous(struct us_sim *us)
{
	return (us->ctrl & US_CTRL_RUN) &&
	       FIELD_GET(US_CTRL_MODE, us->ctrl) == US_MODE_CONTINUOUS;
}

/* ---- generator thread: shots on triggers, or the continuous stream ---- */

static int us_sim_thread(void *data)
{
	struct us_sim *us = data;
	struct us_sim_echo e[US_SIM_MAX_ECHOES];
	ktime_t next = ktime_get();
	u32 rec_len, clk_div, shot, rate, gq, gen;
	unsigned int ne;
	bool cont, shot_due;
	s64 noise;
	u64 index;

	while (!kthread_should_stop()) {
		mutex_lock(&us->lock);
		cont = us_sim_continuous(us);
		shot_due = (us->ctrl & US_CTRL_RUN) && !cont && us->pending;
		mutex_unlock(&us->lock);

		if (!cont && !shot_due) {
			wait_event_interruptible(us->wq, kthread_should_stop() ||
						 READ_ONCE(us->pending) ||
						 us_sim_continuous(us));
			next = ktime_get();
			continue;
		}

		mutex_lock(&us->lock);
		rec_len = us->rec_len;
		clk_div = us->clk_div;
		gq = us_sim_gain_q12[us->gain_db];
		/* noise in 1/16 counts, down by sqrt(shots averaged) */
		noise = div_s64((s64)us->noise * 16 * gq * 256,
				4096 * int_sqrt(65536 << us->avg));
		ne = us_sim_echoes(us, e);
		rate = us->ae_rate_hz;
		index = us->index;
		gen = us->reset_gen;
		if (shot_due) {
			us->pending--;
			shot = us->trig_count - us->pending - 1;
		} else {
			shot = 0;
			us->index += rec_len;
		}
		mutex_unlock(&us->lock);

		if (cont) {
			/* real time: one block per rec_len / fs */
			next = ktime_add_ns(next, div_u64((u64)rec_len *
					    NSEC_PER_SEC, US_CLK_HZ >> clk_div));
			if (ktime_before(next, ktime_get()))
				next = ktime_get();
			set_current_state(TASK_INTERRUPTIBLE);
			if (!kthread_should_stop())
				schedule_hrtimeout(&next, HRTIMER_MODE_ABS);
			__set_current_state(TASK_RUNNING);
			if (kthread_should_stop())
				break;
			us_sim_make_block(us, rec_len, clk_div, noise, index,
					  rate, gq);
		} else {
			us_sim_make_shot(us, e, ne, rec_len, clk_div, noise,
					 shot);
		}

		mutex_lock(&us->lock);
		/* Stopped or reset meanwhile: drop it */
		if (us->reset_gen != gen)
			us->reset_discarded++;
		else if (us->ctrl & US_CTRL_RUN)
			us_sim_fifo_push(us);
		mutex_unlock(&us->lock);
		us_sim_update_drdy(us);
	}

	return 0;
}

/* ---- registers ---- */

static u32 us_sim_reg_read(struct us_sim *us, unsigned int reg)
{
	u32 val;

	switch (reg) {
	case US_REG_ID:
		return US_ID_MAGIC;
	case US_REG_VERSION:
		return US_SIM_VERSION;
	case US_REG_CTRL:
		return us->ctrl;
	case US_REG_STATUS:
		val = us->ctrl & US_CTRL_RUN ? US_STATUS_RUNNING : 0;
		return val | FIELD_PREP(US_STATUS_OVR, us->ovr) |
		       FIELD_PREP(US_STATUS_SAT, us->sat) |
		       FIELD_PREP(US_STATUS_FIFO_LEVEL, us->fifo_level);
	case US_REG_OVR_COUNT:
		val = us->ovr_count;
		us->ovr_count = 0;
		us->ovr = false;
		return val;
	case US_REG_CLK_DIV:
		return us->clk_div;
	case US_REG_REC_LEN:
		return us->rec_len;
	case US_REG_GAIN:
		return us->gain_db;
	case US_REG_AVG:
		return us->avg;
	case US_REG_FIFO_LEVEL:
		return us->fifo_level;
	case US_REG_FIFO_DEPTH:
		return US_SIM_FIFO_DEPTH;
	case US_REG_TRIG_COUNT:
		return us->trig_count;
	default:
		return 0;
	}
}

/* Returns true if the generator must look at the new settings */
static bool us_sim_reg_write(struct us_sim *us, unsigned int reg, u32 val)
{
	switch (reg) {
	case US_REG_CTRL:
		if (val & US_CTRL_RESET) {
			us_sim_reset(us);
			return true;
		}
		if (val & US_CTRL_FIFO_FLUSH) {
			us->fifo_head = 0;
			us->fifo_level = 0;
			us->fifo_rd = 0;
			us->pending = 0;
		}
		if ((val & US_CTRL_RUN) && !(us->ctrl & US_CTRL_RUN))
			us->index = 0;
		us->ctrl = val & (US_CTRL_RUN | US_CTRL_DRDY_EN | US_CTRL_MODE);
		return true;
	case US_REG_CLK_DIV:
		us->clk_div = min_t(u32, val, US_CLK_DIV_MAX);
		return false;
	case US_REG_REC_LEN:
		if (val >= US_REC_LEN_MIN && val <= US_REC_LEN_MAX &&
		    !(val % US_SAMPLES_PER_BLOCK))
			us->rec_len = val;
		return false;
	case US_REG_GAIN:
		us->gain_db = min_t(u32, val, US_GAIN_MAX_DB);
		return false;
	case US_REG_AVG:
		us->avg = min_t(u32, val, US_AVG_MAX_LOG2);
		return false;
	default:
		return false;
	}
}

struct us_sim_frame {
	unsigned int pos;
	u8 cmd;
	u32 word;
	unsigned int reg;
	bool kick;
};

static u8 us_sim_spi_byte(struct us_sim *us, struct us_sim_frame *f, u8 in)
{
	unsigned int idx;
	u8 out;

	if (f->pos++ == 0) {
		f->cmd = in;
		f->reg = FIELD_GET(US_SPI_ADDR_MASK, in);
		return 0;
	}
	idx = (f->pos - 2) % 4;
	if (f->cmd & US_SPI_READ) {
		if (f->reg == US_REG_FIFO_DATA && f->pos == 2 &&
		    us->slip_pending > 0 && us->fifo_level && !us->fifo_rd) {
			/* a byte lost on the wire: the frame is out of step */
			us->slip_pending--;
			us_sim_fifo_read_byte(us);
		}
		if (f->reg == US_REG_FIFO_DATA)
			return us_sim_fifo_read_byte(us);
		if (idx == 0)
			f->word = us_sim_reg_read(us, f->reg);
		out = f->word >> (24 - 8 * idx);
		if (idx == 3)
			f->reg++;
		return out;
	}
	if (idx == 0)
		f->word = 0;
	f->word = (f->word << 8) | in;
	if (idx == 3) {
		f->kick |= us_sim_reg_write(us, f->reg, f->word);
		f->reg++;
	}
	return 0;
}

static int us_sim_message(struct simbus_board *b, struct spi_message *msg)
{
	struct us_sim *us = b->priv;
	struct us_sim_frame frame = { };
	struct spi_transfer *xfer;
	unsigned int i;

	mutex_lock(&us->lock);
	list_for_each_entry(xfer, &msg->transfers, transfer_list) {
		const u8 *tx = xfer->tx_buf;
		u8 *rx = xfer->rx_buf;

		for (i = 0; i < xfer->len; i++) {
			u8 out = us_sim_spi_byte(us, &frame, tx ? tx[i] : 0);

			if (rx)
				rx[i] = out;
		}
	}
	mutex_unlock(&us->lock);

	if (frame.kick)
		wake_up_interruptible(&us->wq);
	us_sim_update_drdy(us);

	return 0;
}

/* TRIG: every rising edge is a shot (counted even when the FIFO is full) */
static void us_sim_line_changed(struct simbus_board *b, unsigned int line,
				int value)
{
	struct us_sim *us = b->priv;

	if (line != SIMBUS_LINE_US_TRIGGER || !value)
		return;
	mutex_lock(&us->lock);
	us->trig_count++;
	us->edges++;
	if ((us->ctrl & US_CTRL_RUN) && !us_sim_continuous(us))
		us->pending++;
	mutex_unlock(&us->lock);
	wake_up_interruptible(&us->wq);
}

static const struct simbus_board_ops us_sim_ops = {
	.message = us_sim_message,
	.line_changed = us_sim_line_changed,
};

/* ---- sysfs: the cell and the truth ---- */

/* A setting (int, range-checked) or a counter (u64, read-only) of us_sim */
struct us_sim_attr {
	struct device_attribute attr;
	size_t off;
	int lo, hi;
	bool wide;
};

static ssize_t us_sim_attr_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct us_sim_attr *a = container_of(attr, struct us_sim_attr, attr);
	struct us_sim *us = simbus_board_priv(dev);
	const void *p = (const u8 *)us + a->off;
	s64 v;

	mutex_lock(&us->lock);
	v = a->wide ? *(const u64 *)p : *(const int *)p;
	mutex_unlock(&us->lock);
	return sysfs_emit(buf, "%lld\n", v);
}

static ssize_t us_sim_attr_store(struct device *dev,
				 struct device_attribute *attr,
				 const char *buf, size_t len)
{
	struct us_sim_attr *a = container_of(attr, struct us_sim_attr, attr);
	struct us_sim *us = simbus_board_priv(dev);
	int v, ret;

	ret = kstrtoint(buf, 0, &v);
	if (ret)
		return ret;
	if (v < a->lo || v > a->hi)
		return -EINVAL;
	mutex_lock(&us->lock);
	*(int *)((u8 *)us + a->off) = v;
	mutex_unlock(&us->lock);
	return len;
}

/* sysfs name, then the us_sim field behind it */
#define US_SIM_SETTING(_attr, _field, _lo, _hi) {			\
	.attr = __ATTR(_attr, 0644, us_sim_attr_show, us_sim_attr_store), \
	.off = offsetof(struct us_sim, _field),				\
	.lo = (_lo),							\
	.hi = (_hi),							\
}

#define US_SIM_COUNTER(_attr, _field) {					\
	.attr = __ATTR(_attr, 0444, us_sim_attr_show, NULL),		\
	.off = offsetof(struct us_sim, _field),				\
	.wide = true,							\
}

static struct us_sim_attr us_sim_settings[] = {
	US_SIM_SETTING(soc_permille, soc_permille, 0, 1000),
	US_SIM_SETTING(temp_mdegc, temp_mdegc, -40000, 120000),
	US_SIM_SETTING(atten_db, atten_db, 0, 60),
	US_SIM_SETTING(noise, noise, 0, 2000),
	US_SIM_SETTING(ae_rate_hz, ae_rate_hz, 0, 200),
	US_SIM_SETTING(inject_corrupt, corrupt_pending, 0, 1000),
	US_SIM_SETTING(inject_out_of_step, slip_pending, 0, 1000),
	US_SIM_COUNTER(records, records),
	US_SIM_COUNTER(overruns, overruns),
	US_SIM_COUNTER(ae_bursts, ae_bursts),
	US_SIM_COUNTER(reset_discarded, reset_discarded),
};

/* Truth: the main echo's delay (back wall, or direct arrival), ns */
static ssize_t tof_ns_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct us_sim *us = simbus_board_priv(dev);
	struct us_sim_echo e[US_SIM_MAX_ECHOES];
	s64 ps;

	mutex_lock(&us->lock);
	us_sim_echoes(us, e);
	ps = FIELD_GET(US_CTRL_MODE, us->ctrl) == US_MODE_THROUGH ?
	     e[0].delay_ps : e[1].delay_ps;
	mutex_unlock(&us->lock);
	return sysfs_emit(buf, "%lld.%03lld\n", div_s64(ps, 1000),
			  (s64)abs(ps % 1000));
}
static DEVICE_ATTR_RO(tof_ns);

static ssize_t triggers_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	struct us_sim *us = simbus_board_priv(dev);
	u64 v;

	mutex_lock(&us->lock);
	v = us->edges;
	mutex_unlock(&us->lock);
	return sysfs_emit(buf, "%llu\n", v);
}
static DEVICE_ATTR_RO(triggers);

/*
 * The board resets on its own (its watchdog, a brown-out), as CTRL.RESET
 * does: every register back to its reset value, TRIG_COUNT 0, the FIFO and
 * pending shots thrown away (reset_discarded), acquisition stopped. Write 1.
 */
static ssize_t reset_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t len)
{
	struct us_sim *us = simbus_board_priv(dev);
	bool val;
	int ret;

	ret = kstrtobool(buf, &val);
	if (ret)
		return ret;
	if (!val)
		return -EINVAL;

	mutex_lock(&us->lock);
	us_sim_reset(us);
	mutex_unlock(&us->lock);
	us_sim_update_drdy(us);

	return len;
}
static DEVICE_ATTR_WO(reset);

static struct attribute *us_sim_attrs[] = {
	&us_sim_settings[0].attr.attr,
	&us_sim_settings[1].attr.attr,
	&us_sim_settings[2].attr.attr,
	&us_sim_settings[3].attr.attr,
	&us_sim_settings[4].attr.attr,
	&us_sim_settings[5].attr.attr,
	&us_sim_settings[6].attr.attr,
	&us_sim_settings[7].attr.attr,
	&us_sim_settings[8].attr.attr,
	&us_sim_settings[9].attr.attr,
	&us_sim_settings[10].attr.attr,
	&dev_attr_tof_ns.attr,
	&dev_attr_triggers.attr,
	&dev_attr_reset.attr,
	NULL
};

static const struct attribute_group us_sim_group = {
	.attrs = us_sim_attrs,
};

static const struct attribute_group *us_sim_groups[] = {
	&us_sim_group,
	NULL
};

/* ---- module ---- */

static const struct property_entry us_sim_props[] = {
	PROPERTY_ENTRY_STRING("label", "us0"),
	{ }
};

static const struct software_node us_sim_swnode = {
	.name = "us-digitiser",
	.properties = us_sim_props,
};

static void us_sim_free(struct us_sim *us)
{
	kvfree(us->fifo);
	kvfree(us->next);
	kfree(us);
}

static int __init us_sim_init(void)
{
	struct us_sim *us;
	int ret;

	us = kzalloc(sizeof(*us), GFP_KERNEL);
	if (!us)
		return -ENOMEM;
	us->fifo = kvzalloc(US_SIM_FIFO_DEPTH * US_SIM_REC_MAX, GFP_KERNEL);
	us->next = kvzalloc(US_SIM_REC_MAX, GFP_KERNEL);
	if (!us->fifo || !us->next) {
		us_sim_free(us);
		return -ENOMEM;
	}
	mutex_init(&us->lock);
	init_waitqueue_head(&us->wq);
	us_sim_reset(us);
	us->temp_mdegc = 25000;
	us->soc_permille = 500;
	us->noise = 20;
	us->ae_rate_hz = 20;
	prandom_seed_state(&us->rnd, get_random_u64());

	us->board = (struct simbus_board) {
		.name = "us",
		.cs = SIMBUS_CS_US,
		.ops = &us_sim_ops,
		.groups = us_sim_groups,
		.watch_lines = BIT(SIMBUS_LINE_US_TRIGGER),
		.modalias = "us-digitiser",
		.swnode = &us_sim_swnode,
		.max_speed_hz = 50000000,
		.mode = SPI_MODE_0,
		.irq_line = SIMBUS_LINE_US_DRDY,
		.irq_type = IRQ_TYPE_EDGE_RISING,
		.priv = us,
	};

	us->thread = kthread_run(us_sim_thread, us, "simbus-us");
	if (IS_ERR(us->thread)) {
		ret = PTR_ERR(us->thread);
		goto err_free;
	}
	ret = simbus_register_board(&us->board);
	if (ret)
		goto err_thread;
	us_sim = us;

	return 0;

err_thread:
	kthread_stop(us->thread);
err_free:
	us_sim_free(us);
	return ret;
}
module_init(us_sim_init);

static void __exit us_sim_exit(void)
{
	/* The driver unbinds first, while the board still answers */
	simbus_unregister_board(&us_sim->board);
	kthread_stop(us_sim->thread);
	us_sim_free(us_sim);
}
module_exit(us_sim_exit);

MODULE_DESCRIPTION("cellsense simulated ultrasonic digitiser board (simbus CS1)");
MODULE_LICENSE("GPL");
