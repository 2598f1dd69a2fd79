// SPDX-License-Identifier: GPL-2.0-only
/*
 * cellsense simbus board: the FBG interrogator (docs/fbg-board.md) on chip
 * select 0 of the sim's SPI bus, data-ready on line "fbg-drdy".
 *
 * The model makes reflection spectra of four Bragg gratings on each of four
 * fibres behind an optical switch (fibre 0: 1530/1545/1560/1575 nm at
 * 25 degC, fibre f: 4*f nm lower; 10 pm/K, 1.2 pm/ustrain), each grating
 * with its own temperature and strain, on a broad sloped source envelope,
 * with dark level, read and shot noise, in integer arithmetic. Settings in
 * /sys/devices/platform/cellsense-sim/fbg/, see kernel/README.md.
 */

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/math.h>
#include <linux/math64.h>
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

#include "../cellsense_fbg.h"
#include "simbus.h"

/* FBG board model */
static unsigned int fbg_pixels = 512;
module_param(fbg_pixels, uint, 0444);
MODULE_PARM_DESC(fbg_pixels, "pixels of the simulated FBG sensor: 128..1024, a multiple of 128 (default 512)");

#define FBG_SIM_FIFO_DEPTH	16
#define FBG_SIM_VERSION		(FIELD_PREP(FBG_VERSION_HW, 1) | \
				 FIELD_PREP(FBG_VERSION_FW_MAJOR, FBG_FW_MAJOR) | \
				 FIELD_PREP(FBG_VERSION_FW_MINOR, 0))
#define FBG_SIM_NUM_FIBRES	4
#define FBG_SIM_FIBRE_STEP_FM	4000000	/* fibre f: gratings 4 nm * f lower */
#define FBG_SIM_REC_MAX		(FBG_REC_HDR_BYTES + FBG_MAX_PIXELS * 2)
#define FBG_SIM_PERIOD_US	10000	/* 100 spectra/s after reset */
#define FBG_SIM_INT_TIME_US	100
#define FBG_SIM_NUM_GRATINGS	4
#define FBG_SIM_REF_MDEGC	25000
#define FBG_SIM_FM_PER_MK	10	/* 10 pm/K */
#define FBG_SIM_FM_PER_UE	1200	/* 1.2 pm/ustrain */
/* Reflection peak FWHM 0.5 nm after instrument broadening: sigma in fm */
#define FBG_SIM_SIGMA_FM	212330
#define FBG_SIM_DARK		800
#define FBG_SIM_READ_NOISE	6	/* counts rms */
#define FBG_SIM_E_PER_COUNT	4	/* shot noise: sqrt(counts / this) */
#define FBG_SIM_BASE_PERMILLE	10	/* background reflection, 1 % */

/* Calibration of the 512-pixel board: A_k * 10^(9 + 3k) */
#define FBG_SIM_A0		1510000000000LL	/* 1510.0 nm */
#define FBG_SIM_A1_512		167000000000LL	/* 0.167 nm/px */
#define FBG_SIM_A2_512		-1000000000LL	/* -1.0e-6 nm/px^2 */

/* Bragg wavelengths at 25 degC, unstrained, in fm, and peak reflectance */
static const u32 fbg_sim_lambda0_fm[FBG_SIM_NUM_GRATINGS] = {
	1530000000, 1545000000, 1560000000, 1575000000,
};

static const u16 fbg_sim_refl_permille[FBG_SIM_NUM_GRATINGS] = {
	600, 520, 680, 560,
};

/* round(65536 * exp(-x^2 / 2)) for x = k / 16, k = 0..64 */
static const u16 fbg_sim_gauss[65] = {
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

struct fbg_sim {
	/* Protects everything below */
	struct mutex lock;
	u32 ctrl;
	u32 int_time_us;
	u32 period_us;
	u32 ovr_count;
	bool ovr;
	bool sat;
	u32 switch_mask;
	u32 roi;
	unsigned int fibre;		/* switch position of the last spectrum */
	bool switch_restart;		/* SWITCH written: start the sequence */
	u16 seq;
	/* FIFO of complete records (header + pixels), read via FIFO_DATA */
	u8 fifo[FBG_SIM_FIFO_DEPTH][FBG_SIM_REC_MAX];
	unsigned int fifo_len[FBG_SIM_FIFO_DEPTH];
	unsigned int fifo_head;
	unsigned int fifo_level;
	unsigned int fifo_rd;		/* bytes of the head record read */
	/* Environment, set through sysfs: per fibre, per grating */
	int temp_mdegc[FBG_SIM_NUM_FIBRES][FBG_SIM_NUM_GRATINGS];
	int strain_ue[FBG_SIM_NUM_FIBRES][FBG_SIM_NUM_GRATINGS];
	/* Statistics */
	u64 spectra;
	u64 overruns;
	/* Faults: INT_TIME after a reset, as is; records to spoil; truth */
	u32 int_time_reset_us;
	u32 corrupt_pending;
	u32 slip_pending;
	u64 reset_discarded;
	/* Model, fixed after probe: same range whatever the pixel count */
	unsigned int npix;
	s64 cal[FBG_NUM_CAL];
	u32 lambda_fm[FBG_MAX_PIXELS];
	u32 envelope[FBG_MAX_PIXELS];
	/* Generator scratch, only used by the generator thread */
	u8 next[FBG_SIM_REC_MAX];
	unsigned int next_len;
	struct rnd_state rnd;
	/* Board on the sim bus, generator thread */
	struct simbus_board board;
	struct task_struct *thread;
	wait_queue_head_t wq;
};

static struct fbg_sim *fbg_sim;

/* ---- FBG board model ---- */

static void fbg_sim_reset(struct fbg_sim *fbg)
{
	fbg->reset_discarded += fbg->fifo_level;
	fbg->ctrl = 0;
	fbg->int_time_us = fbg->int_time_reset_us;
	fbg->period_us = FBG_SIM_PERIOD_US;
	fbg->ovr_count = 0;
	fbg->ovr = false;
	fbg->sat = false;
	fbg->fifo_head = 0;
	fbg->fifo_level = 0;
	fbg->fifo_rd = 0;
	fbg->switch_mask = BIT(0);
	fbg->switch_restart = true;
	fbg->roi = 0;
	fbg->seq = 0;
}

/* Bragg wavelength of grating g on fibre f now, in fm; lock held */
static s64 fbg_sim_bragg_fm(struct fbg_sim *fbg, unsigned int f,
			    unsigned int g)
{
	return (s64)fbg_sim_lambda0_fm[g] - (s64)f * FBG_SIM_FIBRE_STEP_FM +
	       (s64)(fbg->temp_mdegc[f][g] - FBG_SIM_REF_MDEGC) *
	       FBG_SIM_FM_PER_MK +
	       (s64)fbg->strain_ue[f][g] * FBG_SIM_FM_PER_UE;
}

/* ROI as (first block, blocks), clamped to the sensor; lock held */
static void fbg_sim_roi(struct fbg_sim *fbg, unsigned int *first,
			unsigned int *blocks)
{
	unsigned int nblk = fbg->npix / FBG_PIX_PER_BLOCK;

	*first = min_t(unsigned int, FIELD_GET(FBG_ROI_FIRST, fbg->roi),
		       nblk - 1);
	*blocks = FIELD_GET(FBG_ROI_BLOCKS, fbg->roi);
	if (!*blocks || *first + *blocks > nblk)
		*blocks = nblk - *first;
}

/* Next fibre of the switch sequence; lock held */
static unsigned int fbg_sim_next_fibre(struct fbg_sim *fbg)
{
	unsigned long mask = fbg->switch_mask;
	unsigned int f;

	if (fbg->switch_restart) {
		fbg->switch_restart = false;
		return __ffs(mask);
	}
	f = find_next_bit(&mask, FBG_SIM_NUM_FIBRES, fbg->fibre + 1);
	if (f >= FBG_SIM_NUM_FIBRES)
		f = __ffs(mask);

	return f;
}

static void fbg_sim_init_tables(struct fbg_sim *fbg, unsigned int npix)
{
	unsigned int px;

	fbg->npix = npix;
	fbg->cal[0] = FBG_SIM_A0;
	fbg->cal[1] = div_s64(FBG_SIM_A1_512 * 512, npix);
	fbg->cal[2] = div_s64(FBG_SIM_A2_512 * 512 * 512, npix * npix);
	fbg->cal[3] = 0;

	for (px = 0; px < npix; px++) {
		s64 p = px, l;
		s32 x_pm;

		/* lambda in units of 1e-9 nm, thanks to the A_k scaling */
		l = fbg->cal[0] +
		    div_s64(fbg->cal[1] * p, 1000) +
		    div_s64(fbg->cal[2] * p * p, 1000000) +
		    div_s64(fbg->cal[3] * p * p * p, 1000000000);
		fbg->lambda_fm[px] = div_s64(l, 1000);

		/* Broad source peaking near 1550 nm, sloping up to the red */
		x_pm = (s32)(fbg->lambda_fm[px] / 1000) - 1550000;
		fbg->envelope[px] = 40000 -
			div_s64((s64)x_pm * x_pm * 15000, 45000LL * 45000) +
			div_s64((s64)x_pm * 4000, 45000);
	}
}

/* Gaussian line shape, 65536 at the centre, for an offset in fm */
static u32 fbg_sim_lineshape(s64 d_fm)
{
	u64 u = div_u64(abs(d_fm) * 16 * 256, FBG_SIM_SIGMA_FM);
	unsigned int idx = u >> 8, frac = u & 255;

	if (idx >= ARRAY_SIZE(fbg_sim_gauss) - 1)
		return 0;

	return fbg_sim_gauss[idx] -
	       (((fbg_sim_gauss[idx] - fbg_sim_gauss[idx + 1]) * frac) >> 8);
}

/* Zero-mean, roughly normal noise with unit variance in 1/148 steps */
static int fbg_sim_noise(struct rnd_state *rnd)
{
	u32 r = prandom_u32_state(rnd);

	return (int)((r & 0xff) + ((r >> 8) & 0xff) + ((r >> 16) & 0xff) +
		     (r >> 24)) - 510;
}

/* Make one record into fbg->next; called without fbg->lock */
static void fbg_sim_make_record(struct fbg_sim *fbg, const s64 *bragg,
				u32 int_time_us, unsigned int fibre, u16 seq,
				unsigned int first, unsigned int blocks)
{
	__le16 *pix = (__le16 *)(fbg->next + FBG_REC_HDR_BYTES);
	unsigned int px, g, p0 = first * FBG_PIX_PER_BLOCK;
	unsigned int n = blocks * FBG_PIX_PER_BLOCK;
	bool sat = false;

	for (px = 0; px < n; px++) {
		u64 refl = (u64)FBG_SIM_BASE_PERMILLE << 16;
		s64 sig, sd, v;

		for (g = 0; g < FBG_SIM_NUM_GRATINGS; g++)
			refl += (u64)fbg_sim_refl_permille[g] *
				fbg_sim_lineshape(fbg->lambda_fm[p0 + px] -
						  bragg[g]);

		/* Photo-electrons scale with the integration time */
		sig = div_u64((refl >> 16) * fbg->envelope[p0 + px] *
			      int_time_us, 1000 * FBG_SIM_INT_TIME_US);
		sd = int_sqrt(FBG_SIM_READ_NOISE * FBG_SIM_READ_NOISE +
			      sig / FBG_SIM_E_PER_COUNT);
		v = FBG_SIM_DARK + int_time_us / 10 + sig +
		    div_s64((s64)fbg_sim_noise(&fbg->rnd) * sd, 148);
		if (v >= U16_MAX) {
			v = U16_MAX;
			sat = true;
		} else if (v < 0) {
			v = 0;
		}
		pix[px] = cpu_to_le16(v);
	}

	fbg->next[FBG_REC_OFF_SYNC] = FBG_REC_SYNC;
	fbg->next[FBG_REC_OFF_FIBRE] = fibre;
	fbg->next[FBG_REC_OFF_SEQ] = seq & 0xff;
	fbg->next[FBG_REC_OFF_SEQ + 1] = seq >> 8;
	fbg->next[FBG_REC_OFF_FLAGS] = sat ? FBG_REC_FLAG_SAT : 0;
	fbg->next[FBG_REC_OFF_ROI_FIRST] = first;
	fbg->next[FBG_REC_OFF_ROI_BLOCKS] = blocks;
	fbg->next[7] = 0;
	fbg->next_len = FBG_REC_HDR_BYTES + n * sizeof(__le16);
}

static bool fbg_sim_drdy(struct fbg_sim *fbg)
{
	return (fbg->ctrl & FBG_CTRL_DRDY_EN) && fbg->fifo_level;
}

/* Called with fbg->lock held; returns true if the record was stored */
static bool fbg_sim_fifo_push(struct fbg_sim *fbg)
{
	unsigned int slot;

	fbg->spectra++;
	if (fbg->fifo_level == FBG_SIM_FIFO_DEPTH) {
		fbg->ovr = true;
		if (fbg->ovr_count < U32_MAX)
			fbg->ovr_count++;
		fbg->overruns++;
		return false;
	}

	slot = (fbg->fifo_head + fbg->fifo_level) % FBG_SIM_FIFO_DEPTH;
	memcpy(fbg->fifo[slot], fbg->next, fbg->next_len);
	fbg->fifo_len[slot] = fbg->next_len;
	if (fbg->corrupt_pending) {
		/* a bit flipped on the way: a fibre the board does not have */
		fbg->corrupt_pending--;
		fbg->fifo[slot][FBG_REC_OFF_FIBRE] ^= 0x80;
	}
	fbg->fifo_level++;
	fbg->sat = fbg->next[FBG_REC_OFF_FLAGS] & FBG_REC_FLAG_SAT;

	return true;
}

static void fbg_sim_fifo_flush(struct fbg_sim *fbg)
{
	fbg->fifo_head = 0;
	fbg->fifo_level = 0;
	fbg->fifo_rd = 0;
}

static u8 fbg_sim_fifo_read_byte(struct fbg_sim *fbg)
{
	unsigned int head = fbg->fifo_head;
	u8 b;

	if (!fbg->fifo_level)
		return 0xff;

	b = fbg->fifo[head][fbg->fifo_rd++];
	if (fbg->fifo_rd == fbg->fifo_len[head]) {
		fbg->fifo_rd = 0;
		fbg->fifo_head = (fbg->fifo_head + 1) % FBG_SIM_FIFO_DEPTH;
		fbg->fifo_level--;
	}

	return b;
}

static u32 fbg_sim_reg_read(struct fbg_sim *fbg, unsigned int reg)
{
	u32 val;

	switch (reg) {
	case FBG_REG_ID:
		return FBG_ID_MAGIC;
	case FBG_REG_VERSION:
		return FBG_SIM_VERSION;
	case FBG_REG_CTRL:
		return fbg->ctrl;
	case FBG_REG_STATUS:
		val = fbg->ctrl & FBG_CTRL_RUN ? FBG_STATUS_RUNNING : 0;
		return val | FIELD_PREP(FBG_STATUS_OVR, fbg->ovr) |
		       FIELD_PREP(FBG_STATUS_SAT, fbg->sat) |
		       FIELD_PREP(FBG_STATUS_FIFO_LEVEL, fbg->fifo_level);
	case FBG_REG_OVR_COUNT:
		val = fbg->ovr_count;
		fbg->ovr_count = 0;
		fbg->ovr = false;
		return val;
	case FBG_REG_PIXELS:
		return fbg->npix;
	case FBG_REG_INT_TIME:
		return fbg->int_time_us;
	case FBG_REG_SCAN_PERIOD:
		return fbg->period_us;
	case FBG_REG_FIFO_LEVEL:
		return fbg->fifo_level;
	case FBG_REG_FIFO_DEPTH:
		return FBG_SIM_FIFO_DEPTH;
	case FBG_REG_SWITCH:
		return fbg->switch_mask;
	case FBG_REG_FIBRES:
		return FBG_SIM_NUM_FIBRES;
	case FBG_REG_ROI:
		return fbg->roi;
	case FBG_REG_CAL_HI(0) ... FBG_REG_MAX:
		if ((reg - FBG_REG_CAL_HI(0)) & 1)
			return lower_32_bits(fbg->cal[(reg - 0x20) / 2]);
		return upper_32_bits(fbg->cal[(reg - 0x20) / 2]);
	default:
		return 0;
	}
}

/* Returns true if the generator must look at the new settings */
static bool fbg_sim_reg_write(struct fbg_sim *fbg, unsigned int reg, u32 val)
{
	u32 max_int;

	switch (reg) {
	case FBG_REG_CTRL:
		if (val & FBG_CTRL_RESET) {
			fbg_sim_reset(fbg);
			return true;
		}
		if (val & FBG_CTRL_FIFO_FLUSH)
			fbg_sim_fifo_flush(fbg);
		fbg->ctrl = val & (FBG_CTRL_RUN | FBG_CTRL_DRDY_EN);
		return true;
	case FBG_REG_INT_TIME:
		fbg->int_time_us = clamp(val, FBG_INT_TIME_MIN_US,
					 fbg->period_us - FBG_READOUT_US);
		return false;
	case FBG_REG_SWITCH:
		val &= BIT(FBG_SIM_NUM_FIBRES) - 1;
		fbg->switch_mask = val ? val : BIT(0);
		fbg->switch_restart = true;
		return false;
	case FBG_REG_ROI:
		fbg->roi = val & (FBG_ROI_FIRST | FBG_ROI_BLOCKS);
		return false;
	case FBG_REG_SCAN_PERIOD:
		fbg->period_us = clamp(val, FBG_SCAN_PERIOD_MIN_US,
				       FBG_SCAN_PERIOD_MAX_US);
		max_int = fbg->period_us - FBG_READOUT_US;
		if (fbg->int_time_us > max_int)
			fbg->int_time_us = max_int;
		return true;
	default:
		return false;
	}
}

static void fbg_sim_update_drdy(struct fbg_sim *fbg)
{
	int level;

	mutex_lock(&fbg->lock);
	level = fbg_sim_drdy(fbg);
	mutex_unlock(&fbg->lock);
	simbus_set_line(&fbg->board, SIMBUS_LINE_FBG_DRDY, level);
}

/* ---- generator thread: the board's scan clock ---- */

static int fbg_sim_thread(void *data)
{
	struct fbg_sim *fbg = data;
	s64 bragg[FBG_SIM_NUM_GRATINGS];
	ktime_t next = ktime_get();
	unsigned int fibre, first, blocks, g;
	u32 period_us, int_time_us;
	bool running;
	u16 seq;

	while (!kthread_should_stop()) {
		mutex_lock(&fbg->lock);
		running = fbg->ctrl & FBG_CTRL_RUN;
		period_us = fbg->period_us;
		mutex_unlock(&fbg->lock);

		if (!running) {
			wait_event_interruptible(fbg->wq, kthread_should_stop() ||
						 READ_ONCE(fbg->ctrl) &
						 FBG_CTRL_RUN);
			next = ktime_get();
			continue;
		}

		/* Sleep until the end of this scan period */
		next = ktime_add_us(next, period_us);
		if (ktime_before(next, ktime_get()))
			next = ktime_add_us(ktime_get(), period_us);
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule_hrtimeout(&next, HRTIMER_MODE_ABS);
		__set_current_state(TASK_RUNNING);
		if (kthread_should_stop())
			break;

		/* Settings at the end of the scan: this spectrum's */
		mutex_lock(&fbg->lock);
		/* Stopped or reset during the scan: discarded, not numbered */
		if (!(fbg->ctrl & FBG_CTRL_RUN)) {
			mutex_unlock(&fbg->lock);
			continue;
		}
		int_time_us = fbg->int_time_us;
		fibre = fbg_sim_next_fibre(fbg);
		fbg->fibre = fibre;
		seq = fbg->seq++;
		fbg_sim_roi(fbg, &first, &blocks);
		for (g = 0; g < FBG_SIM_NUM_GRATINGS; g++)
			bragg[g] = fbg_sim_bragg_fm(fbg, fibre, g);
		mutex_unlock(&fbg->lock);

		fbg_sim_make_record(fbg, bragg, int_time_us, fibre, seq, first,
				    blocks);

		mutex_lock(&fbg->lock);
		/* Stopped or reset while reading out: drop the spectrum */
		if (fbg->ctrl & FBG_CTRL_RUN)
			fbg_sim_fifo_push(fbg);
		mutex_unlock(&fbg->lock);

		fbg_sim_update_drdy(fbg);
	}

	return 0;
}

/* ---- SPI: one message is one chip-select assertion, i.e. one frame ---- */

struct fbg_sim_frame {
	unsigned int pos;
	u8 cmd;
	u32 word;
	unsigned int reg;
	bool kick;
};

static u8 fbg_sim_spi_byte(struct fbg_sim *fbg, struct fbg_sim_frame *f, u8 in)
{
	unsigned int idx;
	u8 out = 0;

	if (f->pos++ == 0) {
		f->cmd = in;
		f->reg = FIELD_GET(FBG_SPI_ADDR_MASK, in);
		return 0;
	}

	if (f->cmd & FBG_SPI_READ) {
		if (f->reg == FBG_REG_FIFO_DATA && f->pos == 2 &&
		    fbg->slip_pending && fbg->fifo_level && !fbg->fifo_rd) {
			/* a byte lost on the wire: the frame is out of step */
			fbg->slip_pending--;
			fbg_sim_fifo_read_byte(fbg);
		}
		if (f->reg == FBG_REG_FIFO_DATA)
			return fbg_sim_fifo_read_byte(fbg);

		idx = (f->pos - 2) % 4;
		if (idx == 0)
			f->word = fbg_sim_reg_read(fbg, f->reg);
		out = f->word >> (24 - 8 * idx);
		if (idx == 3)
			f->reg++;
		return out;
	}

	idx = (f->pos - 2) % 4;
	if (idx == 0)
		f->word = 0;
	f->word = (f->word << 8) | in;
	if (idx == 3) {
		f->kick |= fbg_sim_reg_write(fbg, f->reg, f->word);
		if (f->reg != FBG_REG_FIFO_DATA)
			f->reg++;
	}

	return 0;
}

static int fbg_sim_message(struct simbus_board *b, struct spi_message *msg)
{
	struct fbg_sim *fbg = b->priv;
	struct fbg_sim_frame frame = { };
	struct spi_transfer *xfer;
	unsigned int i;

	mutex_lock(&fbg->lock);
	list_for_each_entry(xfer, &msg->transfers, transfer_list) {
		const u8 *tx = xfer->tx_buf;
		u8 *rx = xfer->rx_buf;

		for (i = 0; i < xfer->len; i++) {
			u8 out = fbg_sim_spi_byte(fbg, &frame, tx ? tx[i] : 0);

			if (rx)
				rx[i] = out;
		}
	}
	mutex_unlock(&fbg->lock);

	if (frame.kick)
		wake_up_interruptible(&fbg->wq);
	fbg_sim_update_drdy(fbg);

	return 0;
}

static const struct simbus_board_ops fbg_sim_ops = {
	.message = fbg_sim_message,
};

/* ---- sysfs: the environment of the simulated sensor ---- */

enum fbg_sim_quantity { FBG_SIM_TEMP, FBG_SIM_STRAIN, FBG_SIM_BRAGG };

/* Show one quantity of the four gratings of fibre f */
static ssize_t fbg_sim_show_fibre(struct fbg_sim *fbg, unsigned int f,
				  enum fbg_sim_quantity q, char *buf)
{
	s64 v[FBG_SIM_NUM_GRATINGS];
	unsigned int g;

	mutex_lock(&fbg->lock);
	for (g = 0; g < FBG_SIM_NUM_GRATINGS; g++) {
		if (q == FBG_SIM_TEMP)
			v[g] = fbg->temp_mdegc[f][g];
		else if (q == FBG_SIM_STRAIN)
			v[g] = fbg->strain_ue[f][g];
		else
			v[g] = div_s64(fbg_sim_bragg_fm(fbg, f, g), 1000);
	}
	mutex_unlock(&fbg->lock);

	return sysfs_emit(buf, "%lld %lld %lld %lld\n", v[0], v[1], v[2], v[3]);
}

/*
 * Store temperatures (m degC, -100000 .. 400000) or strains (ustrain,
 * -10000 .. 10000): one value for every grating, or one per grating.
 * Fibres first..last.
 */
static ssize_t fbg_sim_store(struct fbg_sim *fbg, unsigned int first,
			     unsigned int last, enum fbg_sim_quantity q,
			     const char *buf, size_t len)
{
	int v[FBG_SIM_NUM_GRATINGS], lo, hi, n;
	unsigned int f, g;

	n = sscanf(buf, "%d %d %d %d", &v[0], &v[1], &v[2], &v[3]);
	if (n == 1)
		memset32((u32 *)v, v[0], FBG_SIM_NUM_GRATINGS);
	else if (n != FBG_SIM_NUM_GRATINGS)
		return -EINVAL;

	/* -100 .. +400 degC: the fibre survives, the cell does not */
	lo = q == FBG_SIM_TEMP ? -100000 : -10000;
	hi = q == FBG_SIM_TEMP ? 400000 : 10000;
	for (g = 0; g < FBG_SIM_NUM_GRATINGS; g++)
		if (v[g] < lo || v[g] > hi)
			return -EINVAL;

	mutex_lock(&fbg->lock);
	for (f = first; f <= last; f++) {
		if (q == FBG_SIM_TEMP)
			memcpy(fbg->temp_mdegc[f], v, sizeof(v));
		else
			memcpy(fbg->strain_ue[f], v, sizeof(v));
	}
	mutex_unlock(&fbg->lock);

	return len;
}

static ssize_t temperature_mdegc_show(struct device *dev,
				      struct device_attribute *attr, char *buf)
{
	struct fbg_sim *fbg = simbus_board_priv(dev);
	int val;

	mutex_lock(&fbg->lock);
	val = fbg->temp_mdegc[0][0];
	mutex_unlock(&fbg->lock);

	return sysfs_emit(buf, "%d\n", val);
}

static ssize_t temperature_mdegc_store(struct device *dev,
				       struct device_attribute *attr,
				       const char *buf, size_t len)
{
	return fbg_sim_store(simbus_board_priv(dev), 0, FBG_SIM_NUM_FIBRES - 1,
			     FBG_SIM_TEMP, buf, len);
}
static DEVICE_ATTR_RW(temperature_mdegc);

static ssize_t strain_ue_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return fbg_sim_show_fibre(simbus_board_priv(dev), 0, FBG_SIM_STRAIN,
				  buf);
}

static ssize_t strain_ue_store(struct device *dev,
			       struct device_attribute *attr,
			       const char *buf, size_t len)
{
	return fbg_sim_store(simbus_board_priv(dev), 0, 0, FBG_SIM_STRAIN,
			     buf, len);
}
static DEVICE_ATTR_RW(strain_ue);

static ssize_t bragg_pm_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	return fbg_sim_show_fibre(simbus_board_priv(dev), 0, FBG_SIM_BRAGG,
				  buf);
}
static DEVICE_ATTR_RO(bragg_pm);

static ssize_t fbg_sim_show_u64(struct fbg_sim *fbg, const u64 *p, char *buf)
{
	u64 val;

	mutex_lock(&fbg->lock);
	val = *p;
	mutex_unlock(&fbg->lock);

	return sysfs_emit(buf, "%llu\n", val);
}

static ssize_t spectra_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct fbg_sim *fbg = simbus_board_priv(dev);

	return fbg_sim_show_u64(fbg, &fbg->spectra, buf);
}
static DEVICE_ATTR_RO(spectra);

static ssize_t overruns_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct fbg_sim *fbg = simbus_board_priv(dev);

	return fbg_sim_show_u64(fbg, &fbg->overruns, buf);
}
static DEVICE_ATTR_RO(overruns);

static ssize_t fibre_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct fbg_sim *fbg = simbus_board_priv(dev);
	unsigned int val;

	mutex_lock(&fbg->lock);
	val = fbg->fibre;
	mutex_unlock(&fbg->lock);

	return sysfs_emit(buf, "%u\n", val);
}
static DEVICE_ATTR_RO(fibre);

/*
 * The board resets on its own (watchdog, brown-out, RESET# pulled): the same
 * as writing CTRL.RESET. Every register back to its reset value, the FIFO
 * emptied, acquisition stopped, DRDY low. Write 1.
 */
static ssize_t reset_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t len)
{
	struct fbg_sim *fbg = simbus_board_priv(dev);
	bool val;
	int ret;

	ret = kstrtobool(buf, &val);
	if (ret)
		return ret;
	if (!val)
		return -EINVAL;

	mutex_lock(&fbg->lock);
	fbg_sim_reset(fbg);
	mutex_unlock(&fbg->lock);
	fbg_sim_update_drdy(fbg);

	return len;
}
static DEVICE_ATTR_WO(reset);

static ssize_t reset_discarded_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct fbg_sim *fbg = simbus_board_priv(dev);

	return fbg_sim_show_u64(fbg, &fbg->reset_discarded, buf);
}
static DEVICE_ATTR_RO(reset_discarded);

/* A u32 of fbg_sim: show, or store any value (faults are not checked) */
#define FBG_SIM_OFF(field)	offsetof(struct fbg_sim, field)

static ssize_t fbg_sim_show_u32(struct device *dev, char *buf, size_t off)
{
	struct fbg_sim *fbg = simbus_board_priv(dev);
	u32 *p = (u32 *)((u8 *)fbg + off);
	u32 val;

	mutex_lock(&fbg->lock);
	val = *p;
	mutex_unlock(&fbg->lock);

	return sysfs_emit(buf, "%u\n", val);
}

static ssize_t fbg_sim_store_u32(struct device *dev, const char *buf,
				 size_t len, size_t off, bool add)
{
	struct fbg_sim *fbg = simbus_board_priv(dev);
	u32 *p = (u32 *)((u8 *)fbg + off);
	u32 val;
	int ret;

	ret = kstrtou32(buf, 0, &val);
	if (ret)
		return ret;
	mutex_lock(&fbg->lock);
	*p = add ? *p + val : val;
	mutex_unlock(&fbg->lock);

	return len;
}

/*
 * INT_TIME after a reset, as the board's flash holds it, taken as is (not
 * clamped): out of range, it is a broken board for the driver to catch.
 */
static ssize_t int_time_reset_us_show(struct device *dev,
				      struct device_attribute *attr, char *buf)
{
	return fbg_sim_show_u32(dev, buf, FBG_SIM_OFF(int_time_reset_us));
}

static ssize_t int_time_reset_us_store(struct device *dev,
				       struct device_attribute *attr,
				       const char *buf, size_t len)
{
	return fbg_sim_store_u32(dev, buf, len,
				 FBG_SIM_OFF(int_time_reset_us), false);
}
static DEVICE_ATTR_RW(int_time_reset_us);

/* Write N: the next N records stored get a bit flipped in their fibre */
static ssize_t inject_corrupt_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	return fbg_sim_show_u32(dev, buf, FBG_SIM_OFF(corrupt_pending));
}

static ssize_t inject_corrupt_store(struct device *dev,
				    struct device_attribute *attr,
				    const char *buf, size_t len)
{
	return fbg_sim_store_u32(dev, buf, len, FBG_SIM_OFF(corrupt_pending),
				 true);
}
static DEVICE_ATTR_RW(inject_corrupt);

/* Write N: the next N FIFO reads lose their first byte (out of step) */
static ssize_t inject_out_of_step_show(struct device *dev,
				       struct device_attribute *attr,
				       char *buf)
{
	return fbg_sim_show_u32(dev, buf, FBG_SIM_OFF(slip_pending));
}

static ssize_t inject_out_of_step_store(struct device *dev,
					struct device_attribute *attr,
					const char *buf, size_t len)
{
	return fbg_sim_store_u32(dev, buf, len, FBG_SIM_OFF(slip_pending), true);
}
static DEVICE_ATTR_RW(inject_out_of_step);

static struct attribute *fbg_sim_attrs[] = {
	&dev_attr_temperature_mdegc.attr,
	&dev_attr_strain_ue.attr,
	&dev_attr_bragg_pm.attr,
	&dev_attr_spectra.attr,
	&dev_attr_overruns.attr,
	&dev_attr_fibre.attr,
	&dev_attr_reset.attr,
	&dev_attr_reset_discarded.attr,
	&dev_attr_int_time_reset_us.attr,
	&dev_attr_inject_corrupt.attr,
	&dev_attr_inject_out_of_step.attr,
	NULL
};

static const struct attribute_group fbg_sim_group = {
	.attrs = fbg_sim_attrs,
};

/* fibreN/{temperature_mdegc,strain_ue,bragg_pm}: fbg_sim_fattrs[N][q] */
struct fbg_sim_fattr {
	struct device_attribute attr;
	enum fbg_sim_quantity q;
};

static struct fbg_sim_fattr fbg_sim_fattrs[FBG_SIM_NUM_FIBRES][3];

static unsigned int fbg_sim_fattr_fibre(struct fbg_sim_fattr *fa)
{
	return (fa - &fbg_sim_fattrs[0][0]) / ARRAY_SIZE(fbg_sim_fattrs[0]);
}

static ssize_t fbg_sim_fattr_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct fbg_sim_fattr *fa = container_of(attr, struct fbg_sim_fattr,
						attr);

	return fbg_sim_show_fibre(simbus_board_priv(dev),
				  fbg_sim_fattr_fibre(fa), fa->q, buf);
}

static ssize_t fbg_sim_fattr_store(struct device *dev,
				   struct device_attribute *attr,
				   const char *buf, size_t len)
{
	struct fbg_sim_fattr *fa = container_of(attr, struct fbg_sim_fattr,
						attr);
	unsigned int f = fbg_sim_fattr_fibre(fa);

	return fbg_sim_store(simbus_board_priv(dev), f, f, fa->q, buf, len);
}

#define FBG_SIM_FATTR(_name, _q, _mode)					\
	{								\
		.attr = __ATTR(_name, _mode, fbg_sim_fattr_show,	\
			       fbg_sim_fattr_store),			\
		.q = _q,						\
	}

#define FBG_SIM_FATTRS_ROW						\
	{								\
		FBG_SIM_FATTR(temperature_mdegc, FBG_SIM_TEMP, 0644),	\
		FBG_SIM_FATTR(strain_ue, FBG_SIM_STRAIN, 0644),		\
		FBG_SIM_FATTR(bragg_pm, FBG_SIM_BRAGG, 0444),		\
	}

static struct fbg_sim_fattr fbg_sim_fattrs[FBG_SIM_NUM_FIBRES][3] = {
	FBG_SIM_FATTRS_ROW, FBG_SIM_FATTRS_ROW,
	FBG_SIM_FATTRS_ROW, FBG_SIM_FATTRS_ROW,
};

static struct attribute *fbg_sim_fibre0_attrs[] = {
	&fbg_sim_fattrs[0][0].attr.attr,
	&fbg_sim_fattrs[0][1].attr.attr,
	&fbg_sim_fattrs[0][2].attr.attr,
	NULL
};

static const struct attribute_group fbg_sim_fibre_group0 = {
	.name = "fibre0",
	.attrs = fbg_sim_fibre0_attrs,
};

static struct attribute *fbg_sim_fibre1_attrs[] = {
	&fbg_sim_fattrs[1][0].attr.attr,
	&fbg_sim_fattrs[1][1].attr.attr,
	&fbg_sim_fattrs[1][2].attr.attr,
	NULL
};

static const struct attribute_group fbg_sim_fibre_group1 = {
	.name = "fibre1",
	.attrs = fbg_sim_fibre1_attrs,
};

static struct attribute *fbg_sim_fibre2_attrs[] = {
	&fbg_sim_fattrs[2][0].attr.attr,
	&fbg_sim_fattrs[2][1].attr.attr,
	&fbg_sim_fattrs[2][2].attr.attr,
	NULL
};

static const struct attribute_group fbg_sim_fibre_group2 = {
	.name = "fibre2",
	.attrs = fbg_sim_fibre2_attrs,
};

static struct attribute *fbg_sim_fibre3_attrs[] = {
	&fbg_sim_fattrs[3][0].attr.attr,
	&fbg_sim_fattrs[3][1].attr.attr,
	&fbg_sim_fattrs[3][2].attr.attr,
	NULL
};

static const struct attribute_group fbg_sim_fibre_group3 = {
	.name = "fibre3",
	.attrs = fbg_sim_fibre3_attrs,
};

static const struct attribute_group *fbg_sim_groups[] = {
	&fbg_sim_group,
	&fbg_sim_fibre_group0,
	&fbg_sim_fibre_group1,
	&fbg_sim_fibre_group2,
	&fbg_sim_fibre_group3,
	NULL
};

/* ---- module ---- */

static const struct property_entry fbg_sim_props[] = {
	PROPERTY_ENTRY_STRING("label", "fbg0"),
	{ }
};

static const struct software_node fbg_sim_swnode = {
	.name = "fbg-interrogator",
	.properties = fbg_sim_props,
};

static int __init fbg_sim_init(void)
{
	struct fbg_sim *fbg;
	unsigned int f, g;
	int ret;

	if (fbg_pixels < FBG_PIX_PER_BLOCK || fbg_pixels > FBG_MAX_PIXELS ||
	    fbg_pixels % FBG_PIX_PER_BLOCK) {
		pr_err("cellsense_sim_fbg: bad fbg_pixels %u\n", fbg_pixels);
		return -EINVAL;
	}

	fbg = kzalloc(sizeof(*fbg), GFP_KERNEL);
	if (!fbg)
		return -ENOMEM;

	mutex_init(&fbg->lock);
	init_waitqueue_head(&fbg->wq);
	fbg->int_time_reset_us = FBG_SIM_INT_TIME_US;
	fbg_sim_reset(fbg);
	for (f = 0; f < FBG_SIM_NUM_FIBRES; f++)
		for (g = 0; g < FBG_SIM_NUM_GRATINGS; g++)
			fbg->temp_mdegc[f][g] = FBG_SIM_REF_MDEGC;
	fbg_sim_init_tables(fbg, fbg_pixels);
	prandom_seed_state(&fbg->rnd, get_random_u64());

	fbg->board = (struct simbus_board) {
		.name = "fbg",
		.cs = SIMBUS_CS_FBG,
		.ops = &fbg_sim_ops,
		.groups = fbg_sim_groups,
		.modalias = "fbg-interrogator",
		.swnode = &fbg_sim_swnode,
		.max_speed_hz = 10000000,
		.mode = SPI_MODE_0,
		.irq_line = SIMBUS_LINE_FBG_DRDY,
		.irq_type = IRQ_TYPE_EDGE_RISING,
		.priv = fbg,
	};

	fbg->thread = kthread_run(fbg_sim_thread, fbg, "simbus-fbg");
	if (IS_ERR(fbg->thread)) {
		ret = PTR_ERR(fbg->thread);
		goto err_free;
	}

	ret = simbus_register_board(&fbg->board);
	if (ret)
		goto err_thread;
	fbg_sim = fbg;

	return 0;

err_thread:
	kthread_stop(fbg->thread);
err_free:
	kfree(fbg);
	return ret;
}
module_init(fbg_sim_init);

static void __exit fbg_sim_exit(void)
{
	/* The driver unbinds first, while the board still answers */
	simbus_unregister_board(&fbg_sim->board);
	kthread_stop(fbg_sim->thread);
	kfree(fbg_sim);
}
module_exit(fbg_sim_exit);

MODULE_DESCRIPTION("cellsense simulated FBG interrogator board (simbus CS0)");
MODULE_LICENSE("GPL");
