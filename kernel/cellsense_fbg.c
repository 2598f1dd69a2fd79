// SPDX-License-Identifier: GPL-2.0-only
/*
 * IIO driver for the cellsense fibre Bragg grating (FBG) interrogator board:
 * an MCU in front of an InGaAs line-scan sensor (e.g. Hamamatsu G9494-512D)
 * behind a diffraction grating, covering about 1510-1595 nm.
 *
 * Register interface: docs/fbg-board.md in the cellsense repository.
 *
 * One IIO scan is one spectrum. As iio_scan_type.repeat is a u8, the pixels
 * are exposed in blocks of 128 (in_intensity0 = pixels 0-127, ...), followed
 * by the spectrum's tag (in_index: optical-switch fibre, sequence number,
 * flags, first pixel) and a soft timestamp. The board reads out only the
 * blocks from the first to the last enabled one (its region of interest).
 */

#include <linux/bitfield.h>
#include <linux/bitmap.h>
#include <linux/bits.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/gpio/consumer.h>
#include <linux/interrupt.h>
#include <linux/math.h>
#include <linux/math64.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/property.h>
#include <linux/regmap.h>
#include <linux/seq_file.h>
#include <linux/spi/spi.h>
#include <linux/string.h>
#include <linux/units.h>
#include <linux/workqueue.h>

#include <asm/unaligned.h>

#include <linux/iio/buffer.h>
#include <linux/iio/iio.h>
#include <linux/iio/kfifo_buf.h>
#include <linux/iio/sysfs.h>

#include "cellsense_fbg.h"

#define FBG_BLOCK_BYTES		(FBG_PIX_PER_BLOCK * sizeof(__le16))
#define FBG_MAX_BLOCKS		(FBG_MAX_PIXELS / FBG_PIX_PER_BLOCK)
/* Rounds of "read STATUS, drain FIFO" per interrupt before giving up */
#define FBG_MAX_DRAIN_ROUNDS	4
/* The tag element: u32 words, as long as a pixel block (see below) */
#define FBG_TAG_WORDS		(FBG_BLOCK_BYTES / sizeof(u32))
/* Watchdog: no spectrum for this many scan periods (at least the minimum) */
#define FBG_WD_PERIODS		20
#define FBG_WD_MIN_MS		250
/* CTRL while streaming (FIFO_FLUSH reads 0) */
#define FBG_CTRL_STREAMING	(FBG_CTRL_RUN | FBG_CTRL_DRDY_EN)

enum fbg_tag_word {
	FBG_TAG_FIBRE,
	FBG_TAG_SEQ,
	FBG_TAG_FLAGS,
	FBG_TAG_FIRST_PIXEL,
};

struct fbg_state {
	struct regmap *regmap;
	struct device *dev;
	struct iio_dev *indio_dev;
	/* Serialises configuration and the streaming state below */
	struct mutex lock;
	unsigned int npix;
	unsigned int nblocks;
	unsigned int nfibres;
	unsigned int fibre_mask;
	unsigned int period_us;
	unsigned int int_time_us;
	s64 cal[FBG_NUM_CAL];
	/* Streaming state, set at postenable */
	bool streaming;
	bool push_ts;
	bool push_tag;
	DECLARE_BITMAP(blocks, FBG_MAX_BLOCKS);
	unsigned int roi_first;
	unsigned int roi_blocks;
	unsigned int rec_bytes;
	/* Spectra lost: on the board (FIFO full) and on the host (buffer full) */
	u64 board_overruns;
	u64 host_overruns;
	/* Statistics (debugfs "stats") */
	u64 spectra;
	u64 irq_runs;
	u64 irq_ns;
	u64 errors;
	/* Watchdog: spectra seen at its last look, board declared dead */
	struct delayed_work watchdog;
	u64 wd_spectra;
	bool dead;
	/* Board resets noticed (registers found at their reset values) */
	u64 board_resets;
	/*
	 * What a reset or a flush cost, counted at the next spectrum: after a
	 * reset from the time since the last one (the board numbers from 0
	 * again), after a flush from the sequence number.
	 */
	u64 reset_lost;
	u64 flush_lost;
	bool count_reset_gap;
	bool count_seq_gap;
	bool have_seq;
	u16 last_seq;
	/* Dropped since the last spectrum pushed: not the flush's doing */
	u64 ovr_at_push;
	u64 bad_at_push;
	s64 last_ts;
	/* Records out of step (FIFO flushed), corrupt records dropped */
	u64 out_of_step;
	u64 bad_records;
	/* Scan as pushed to the IIO buffer: blocks, tag, timestamp */
	u8 *scan;
	/* One FIFO record (header + ROI pixels) as read from FIFO_DATA */
	u8 raw[FBG_REC_HDR_BYTES + FBG_MAX_PIXELS * 2] __aligned(IIO_DMA_MINALIGN);
};

static bool fbg_writeable_reg(struct device *dev, unsigned int reg)
{
	switch (reg) {
	case FBG_REG_CTRL:
	case FBG_REG_INT_TIME:
	case FBG_REG_SCAN_PERIOD:
	case FBG_REG_SWITCH:
	case FBG_REG_ROI:
		return true;
	default:
		return false;
	}
}

static bool fbg_readable_reg(struct device *dev, unsigned int reg)
{
	switch (reg) {
	case FBG_REG_ID ... FBG_REG_ROI:
	case FBG_REG_FIFO_DATA:
	case FBG_REG_CAL_HI(0) ... FBG_REG_MAX:
		return true;
	default:
		return false;
	}
}

static bool fbg_readable_noinc_reg(struct device *dev, unsigned int reg)
{
	return reg == FBG_REG_FIFO_DATA;
}

static const struct regmap_config fbg_regmap_config = {
	.name = "fbg",
	.reg_bits = 8,
	.val_bits = 32,
	.read_flag_mask = FBG_SPI_READ,
	.max_register = FBG_REG_MAX,
	.writeable_reg = fbg_writeable_reg,
	.readable_reg = fbg_readable_reg,
	.readable_noinc_reg = fbg_readable_noinc_reg,
	.cache_type = REGCACHE_NONE,
};

static const int fbg_samp_freq_range[] = {
	1, 0,			/* min: 1 Hz */
	0, 1,			/* step */
	USEC_PER_SEC / FBG_SCAN_PERIOD_MIN_US, 0,
};

static const int fbg_int_time_range[] = {
	0, FBG_INT_TIME_MIN_US,
	0, 1,
	FBG_INT_TIME_MAX_US / USEC_PER_SEC, FBG_INT_TIME_MAX_US % USEC_PER_SEC,
};

static const struct iio_chan_spec fbg_block_template = {
	.type = IIO_INTENSITY,
	.indexed = 1,
	.info_mask_shared_by_all = BIT(IIO_CHAN_INFO_SAMP_FREQ) |
				   BIT(IIO_CHAN_INFO_INT_TIME),
	.info_mask_shared_by_all_available = BIT(IIO_CHAN_INFO_SAMP_FREQ) |
					     BIT(IIO_CHAN_INFO_INT_TIME),
	.scan_type = {
		.sign = 'u',
		.realbits = 16,
		.storagebits = 16,
		.repeat = FBG_PIX_PER_BLOCK,
		.endianness = IIO_LE,
	},
};

static int fbg_read_raw(struct iio_dev *indio_dev,
			struct iio_chan_spec const *chan,
			int *val, int *val2, long mask)
{
	struct fbg_state *st = iio_priv(indio_dev);
	unsigned int reg;
	u64 freq_uhz;

	switch (mask) {
	case IIO_CHAN_INFO_SAMP_FREQ:
		mutex_lock(&st->lock);
		reg = st->period_us;
		mutex_unlock(&st->lock);
		freq_uhz = div_u64(1000000ULL * USEC_PER_SEC, reg);
		*val = div_u64_rem(freq_uhz, MICROHZ_PER_HZ, val2);
		return IIO_VAL_INT_PLUS_MICRO;
	case IIO_CHAN_INFO_INT_TIME:
		mutex_lock(&st->lock);
		reg = st->int_time_us;
		mutex_unlock(&st->lock);
		*val = reg / USEC_PER_SEC;
		*val2 = reg % USEC_PER_SEC;
		return IIO_VAL_INT_PLUS_MICRO;
	default:
		return -EINVAL;
	}
}

static int fbg_read_avail(struct iio_dev *indio_dev,
			  struct iio_chan_spec const *chan,
			  const int **vals, int *type, int *length, long mask)
{
	switch (mask) {
	case IIO_CHAN_INFO_SAMP_FREQ:
		*vals = fbg_samp_freq_range;
		*length = ARRAY_SIZE(fbg_samp_freq_range);
		break;
	case IIO_CHAN_INFO_INT_TIME:
		*vals = fbg_int_time_range;
		*length = ARRAY_SIZE(fbg_int_time_range);
		break;
	default:
		return -EINVAL;
	}
	*type = IIO_VAL_INT_PLUS_MICRO;

	return IIO_AVAIL_RANGE;
}

static int fbg_set_samp_freq(struct fbg_state *st, int val, int val2)
{
	u64 freq_uhz;
	unsigned int period_us;
	int ret;

	if (val < 0 || val2 < 0)
		return -EINVAL;
	freq_uhz = (u64)val * MICROHZ_PER_HZ + val2;
	if (freq_uhz < MICROHZ_PER_HZ ||
	    freq_uhz > (u64)MICROHZ_PER_HZ * USEC_PER_SEC / FBG_SCAN_PERIOD_MIN_US)
		return -EINVAL;
	period_us = DIV64_U64_ROUND_CLOSEST(1000000ULL * USEC_PER_SEC, freq_uhz);
	period_us = clamp(period_us, FBG_SCAN_PERIOD_MIN_US,
			  FBG_SCAN_PERIOD_MAX_US);

	mutex_lock(&st->lock);
	ret = regmap_write(st->regmap, FBG_REG_SCAN_PERIOD, period_us);
	if (ret)
		goto out;
	st->period_us = period_us;
	/* The board clamps the integration time to fit the new period */
	if (st->int_time_us > period_us - FBG_READOUT_US) {
		st->int_time_us = period_us - FBG_READOUT_US;
		dev_dbg(st->dev, "integration time clamped to %u us\n",
			st->int_time_us);
	}
out:
	mutex_unlock(&st->lock);
	return ret;
}

static int fbg_set_int_time(struct fbg_state *st, int val, int val2)
{
	u64 int_us;
	int ret;

	if (val < 0 || val2 < 0)
		return -EINVAL;
	int_us = (u64)val * USEC_PER_SEC + val2;
	if (int_us < FBG_INT_TIME_MIN_US || int_us > FBG_INT_TIME_MAX_US)
		return -EINVAL;

	mutex_lock(&st->lock);
	if (int_us > st->period_us - FBG_READOUT_US) {
		ret = -EINVAL;
	} else {
		ret = regmap_write(st->regmap, FBG_REG_INT_TIME, int_us);
		if (!ret)
			st->int_time_us = int_us;
	}
	mutex_unlock(&st->lock);

	return ret;
}

static int fbg_write_raw(struct iio_dev *indio_dev,
			 struct iio_chan_spec const *chan,
			 int val, int val2, long mask)
{
	struct fbg_state *st = iio_priv(indio_dev);
	int ret;

	ret = iio_device_claim_direct_mode(indio_dev);
	if (ret)
		return ret;

	switch (mask) {
	case IIO_CHAN_INFO_SAMP_FREQ:
		ret = fbg_set_samp_freq(st, val, val2);
		break;
	case IIO_CHAN_INFO_INT_TIME:
		ret = fbg_set_int_time(st, val, val2);
		break;
	default:
		ret = -EINVAL;
		break;
	}

	iio_device_release_direct_mode(indio_dev);

	return ret;
}

/* Print a calibration coefficient stored as round(A * 10^digits) */
static int fbg_format_cal(char *buf, int at, s64 v, unsigned int digits)
{
	u64 mag = v < 0 ? -(u64)v : v;
	u64 whole, frac;

	whole = div64_u64_rem(mag, int_pow(10, digits), &frac);

	return sysfs_emit_at(buf, at, "%s%llu.%0*llu", v < 0 ? "-" : "",
			     whole, (int)digits, frac);
}

static ssize_t in_intensity_wavelength_coeffs_show(struct device *dev,
						   struct device_attribute *attr,
						   char *buf)
{
	struct fbg_state *st = iio_priv(dev_to_iio_dev(dev));
	int len = 0;
	int k;

	for (k = 0; k < FBG_NUM_CAL; k++) {
		if (k)
			len += sysfs_emit_at(buf, len, " ");
		len += fbg_format_cal(buf, len, st->cal[k],
				      FBG_CAL_FRAC_DIGITS(k));
	}
	len += sysfs_emit_at(buf, len, "\n");

	return len;
}

static ssize_t overrun_count_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct fbg_state *st = iio_priv(dev_to_iio_dev(dev));
	u64 total;

	mutex_lock(&st->lock);
	total = st->board_overruns + st->host_overruns;
	mutex_unlock(&st->lock);

	return sysfs_emit(buf, "%llu\n", total);
}

/* Resets of the board the driver noticed and recovered from since probe */
static ssize_t board_resets_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct fbg_state *st = iio_priv(dev_to_iio_dev(dev));
	u64 resets;

	mutex_lock(&st->lock);
	resets = st->board_resets;
	mutex_unlock(&st->lock);

	return sysfs_emit(buf, "%llu\n", resets);
}

/* The optical switch sequence: fibre numbers, ascending */
static ssize_t fibres_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct fbg_state *st = iio_priv(dev_to_iio_dev(dev));
	unsigned long mask;
	unsigned int f;
	int len = 0;

	mutex_lock(&st->lock);
	mask = st->fibre_mask;
	mutex_unlock(&st->lock);

	for_each_set_bit(f, &mask, FBG_MAX_FIBRES)
		len += sysfs_emit_at(buf, len, "%s%u", len ? " " : "", f);
	len += sysfs_emit_at(buf, len, "\n");

	return len;
}

/*
 * Applied while streaming too: the board switches at the next spectrum and
 * tags every spectrum with its fibre, so no spectrum is ever mislabelled.
 */
static ssize_t fibres_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t len)
{
	struct fbg_state *st = iio_priv(dev_to_iio_dev(dev));
	unsigned int mask = 0, f;
	const char *p = buf;
	int ret, n;

	while (sscanf(p, " %u%n", &f, &n) == 1) {
		if (f >= st->nfibres)
			return -EINVAL;
		mask |= BIT(f);
		p += n;
		while (*p == ' ' || *p == ',')
			p++;
	}
	if (!mask || (*p && *p != '\n'))
		return -EINVAL;

	mutex_lock(&st->lock);
	ret = regmap_write(st->regmap, FBG_REG_SWITCH, mask);
	if (!ret)
		st->fibre_mask = mask;
	mutex_unlock(&st->lock);

	return ret ? ret : len;
}

static ssize_t fibres_available_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	struct fbg_state *st = iio_priv(dev_to_iio_dev(dev));
	unsigned int f;
	int len = 0;

	for (f = 0; f < st->nfibres; f++)
		len += sysfs_emit_at(buf, len, "%s%u", f ? " " : "", f);
	len += sysfs_emit_at(buf, len, "\n");

	return len;
}

static IIO_DEVICE_ATTR_RO(in_intensity_wavelength_coeffs, 0);
static IIO_DEVICE_ATTR_RO(overrun_count, 0);
static IIO_DEVICE_ATTR_RO(board_resets, 0);
static IIO_DEVICE_ATTR_RW(fibres, 0);
static IIO_DEVICE_ATTR_RO(fibres_available, 0);

static struct attribute *fbg_attributes[] = {
	&iio_dev_attr_in_intensity_wavelength_coeffs.dev_attr.attr,
	&iio_dev_attr_overrun_count.dev_attr.attr,
	&iio_dev_attr_board_resets.dev_attr.attr,
	&iio_dev_attr_fibres.dev_attr.attr,
	&iio_dev_attr_fibres_available.dev_attr.attr,
	NULL
};

static const struct attribute_group fbg_attribute_group = {
	.attrs = fbg_attributes,
};

/* direct_reg_access in the IIO debugfs directory (which needs it to exist) */
static int fbg_debugfs_reg_access(struct iio_dev *indio_dev, unsigned int reg,
				  unsigned int writeval, unsigned int *readval)
{
	struct fbg_state *st = iio_priv(indio_dev);
	int ret;

	mutex_lock(&st->lock);
	if (readval)
		ret = regmap_read(st->regmap, reg, readval);
	else
		ret = regmap_write(st->regmap, reg, writeval);
	mutex_unlock(&st->lock);

	return ret;
}

static const struct iio_info fbg_info = {
	.debugfs_reg_access = fbg_debugfs_reg_access,
	.read_raw = fbg_read_raw,
	.read_avail = fbg_read_avail,
	.write_raw = fbg_write_raw,
	.attrs = &fbg_attribute_group,
};

/* Called with st->lock held */
static void fbg_collect_overruns(struct fbg_state *st)
{
	unsigned int count;

	/* OVR_COUNT is clear-on-read and also clears STATUS.OVR */
	if (!regmap_read(st->regmap, FBG_REG_OVR_COUNT, &count))
		st->board_overruns += count;
}

/*
 * Count what a reset or a flush cost, at the first spectrum after it: after
 * a reset, the scan periods since the last spectrum, less one (those in the
 * FIFO at the reset and those not made while the board stood reset);
 * after a flush, the gap in the sequence number since the last spectrum
 * pushed, less what was counted since (the board's overruns, corrupt
 * records dropped). Called with st->lock held.
 */
static void fbg_count_lost(struct fbg_state *st, u16 seq, s64 ts)
{
	s64 period_ns = (s64)st->period_us * NSEC_PER_USEC, n;
	u64 gap, known;

	if (st->count_reset_gap) {
		if (ts > st->last_ts) {
			n = div64_s64(ts - st->last_ts + period_ns / 2,
				      period_ns);
			if (n > 1)
				st->reset_lost += n - 1;
		}
	} else if (st->count_seq_gap) {
		gap = (u16)(seq - st->last_seq - 1);
		known = st->board_overruns - st->ovr_at_push +
			st->bad_records - st->bad_at_push;
		st->flush_lost += gap > known ? gap - known : 0;
	}
	st->count_reset_gap = false;
	st->count_seq_gap = false;
	st->have_seq = true;
	st->ovr_at_push = st->board_overruns;
	st->bad_at_push = st->bad_records;
	st->last_seq = seq;
	st->last_ts = ts;
}

/* Called with st->lock held, st->raw holding one checked record */
static void fbg_push_spectrum(struct iio_dev *indio_dev, s64 ts)
{
	struct fbg_state *st = iio_priv(indio_dev);
	const u8 *pix = st->raw + FBG_REC_HDR_BYTES;
	unsigned int blk, off = 0;
	__le32 *tag;

	fbg_count_lost(st, get_unaligned_le16(st->raw + FBG_REC_OFF_SEQ), ts);

	for_each_set_bit(blk, st->blocks, st->nblocks) {
		memcpy(st->scan + off,
		       pix + (blk - st->roi_first) * FBG_BLOCK_BYTES,
		       FBG_BLOCK_BYTES);
		off += FBG_BLOCK_BYTES;
	}

	if (st->push_tag) {
		tag = (__le32 *)(st->scan + off);
		memset(tag, 0, FBG_BLOCK_BYTES);
		tag[FBG_TAG_FIBRE] = cpu_to_le32(st->raw[FBG_REC_OFF_FIBRE]);
		tag[FBG_TAG_SEQ] =
			cpu_to_le32(get_unaligned_le16(st->raw + FBG_REC_OFF_SEQ));
		tag[FBG_TAG_FLAGS] = cpu_to_le32(st->raw[FBG_REC_OFF_FLAGS]);
		tag[FBG_TAG_FIRST_PIXEL] =
			cpu_to_le32(st->roi_first * FBG_PIX_PER_BLOCK);
		off += FBG_BLOCK_BYTES;
	}

	/*
	 * The timestamp element starts right after the tag, not at
	 * scan_bytes - 8 where iio_push_to_buffers_with_timestamp() puts it.
	 * Its padding may hold pixels of an earlier layout: clear it.
	 */
	if (st->push_ts) {
		memcpy(st->scan + off, &ts, sizeof(ts));
		memset(st->scan + off + sizeof(ts), 0,
		       FBG_BLOCK_BYTES - sizeof(ts));
	}

	st->spectra++;
	if (iio_push_to_buffers(indio_dev, st->scan))
		st->host_overruns++;
}

/* A record whose framing is not the one we asked for: out of step */
static bool fbg_record_in_step(struct fbg_state *st)
{
	return st->raw[FBG_REC_OFF_SYNC] == FBG_REC_SYNC &&
	       st->raw[FBG_REC_OFF_ROI_FIRST] == st->roi_first &&
	       st->raw[FBG_REC_OFF_ROI_BLOCKS] == st->roi_blocks;
}

/* In step, but a field no board sends (bits flipped on the way): corrupt */
static bool fbg_record_sane(struct fbg_state *st)
{
	return st->raw[FBG_REC_OFF_FIBRE] < st->nfibres &&
	       !(st->raw[FBG_REC_OFF_FLAGS] & ~FBG_REC_FLAG_SAT) &&
	       !st->raw[FBG_REC_OFF_RESERVED];
}

/* ROI register for the region of interest set at postenable */
static unsigned int fbg_roi_reg(struct fbg_state *st)
{
	return FIELD_PREP(FBG_ROI_FIRST, st->roi_first) |
	       FIELD_PREP(FBG_ROI_BLOCKS, st->roi_blocks);
}

/*
 * Stop the board, write every setting the driver holds (a reset may have
 * lost them all) and start it with an empty FIFO. SCAN_PERIOD, INT_TIME
 * and ROI are only changed while stopped; the period goes first, as it may
 * lower INT_TIME. Called with st->lock held.
 */
static int fbg_start(struct fbg_state *st)
{
	const struct reg_sequence seq[] = {
		{ FBG_REG_CTRL, FBG_CTRL_FIFO_FLUSH | FBG_CTRL_DRDY_EN },
		{ FBG_REG_SCAN_PERIOD, st->period_us },
		{ FBG_REG_INT_TIME, st->int_time_us },
		{ FBG_REG_SWITCH, st->fibre_mask },
		{ FBG_REG_ROI, fbg_roi_reg(st) },
		{ FBG_REG_CTRL, FBG_CTRL_STREAMING },
	};

	return regmap_multi_reg_write(st->regmap, seq, ARRAY_SIZE(seq));
}

/* Called with st->lock held */
static bool fbg_answers(struct fbg_state *st)
{
	unsigned int id;

	return !regmap_read(st->regmap, FBG_REG_ID, &id) && id == FBG_ID_MAGIC;
}

/*
 * A board that resets (its own watchdog, a brown-out, RESET#) answers again
 * stopped, every register at its reset value: CTRL and ROI read 0. While
 * streaming the driver keeps CTRL at RUN | DRDY_EN and ROI at one block or
 * more, so anything else there means a reset: put the settings back, start
 * again, count it and say so. Called with st->lock held while streaming,
 * once the board has answered with its ID. Returns 1 if the board had been
 * reset (and streams again), 0 if not, or a negative error.
 */
static int fbg_recover_reset(struct fbg_state *st)
{
	unsigned int ctrl, roi;
	int ret;

	ret = regmap_read(st->regmap, FBG_REG_CTRL, &ctrl);
	if (!ret)
		ret = regmap_read(st->regmap, FBG_REG_ROI, &roi);
	if (ret)
		return ret;
	if ((ctrl & FBG_CTRL_STREAMING) == FBG_CTRL_STREAMING &&
	    roi == fbg_roi_reg(st))
		return 0;

	ret = fbg_start(st);
	if (ret) {
		dev_err_ratelimited(st->dev,
				    "board was reset, restarting it failed: %d\n",
				    ret);
		return ret;
	}
	st->board_resets++;
	st->count_reset_gap = true;
	dev_warn_ratelimited(st->dev,
			     "board was reset (CTRL 0x%08x, ROI 0x%08x): settings restored, streaming again\n",
			     ctrl, roi);

	return 1;
}

/*
 * When a spectrum still in the FIFO was completed: a scan period apart back
 * from the drain, but never at or before the last one pushed. A board that
 * caught up on late scans made them closer than a period apart; those
 * share the time since the last one evenly. Called with st->lock held.
 */
static s64 fbg_scan_time(const struct fbg_state *st, s64 now,
			 unsigned int left)
{
	s64 ts = now - (s64)left * st->period_us * NSEC_PER_USEC;

	if (ts <= st->last_ts && now > st->last_ts)
		ts = st->last_ts +
		     max_t(s64, div_s64(now - st->last_ts, left + 1), 1);
	return ts;
}

/* Read every record in the board's FIFO; called with st->lock held */
static int fbg_drain(struct iio_dev *indio_dev)
{
	struct fbg_state *st = iio_priv(indio_dev);
	s64 now = iio_get_time_ns(indio_dev);
	unsigned int status, level, i, round;
	int ret = 0;

	for (round = 0; round < FBG_MAX_DRAIN_ROUNDS; round++) {
		ret = regmap_read(st->regmap, FBG_REG_STATUS, &status);
		if (ret)
			return ret;
		/* A board that does not drive MISO reads as all ones */
		if (status & FBG_STATUS_RESERVED)
			return -EIO;
		if (status & FBG_STATUS_OVR)
			fbg_collect_overruns(st);

		/* DRDY stays asserted until the FIFO has been emptied */
		level = FIELD_GET(FBG_STATUS_FIFO_LEVEL, status);
		if (!level)
			break;

		for (i = 0; i < level; i++) {
			ret = regmap_noinc_read(st->regmap, FBG_REG_FIFO_DATA,
						st->raw, st->rec_bytes);
			if (ret)
				return ret;
			if (!st->streaming)
				continue;
			if (!fbg_record_in_step(st)) {
				/* A reset empties the FIFO: the rest reads 0xff */
				ret = fbg_answers(st) ? fbg_recover_reset(st) : 0;
				if (ret)
					return ret < 0 ? ret : 0;
				dev_err_ratelimited(st->dev,
						    "FIFO record out of step (header %8ph), flushing\n",
						    st->raw);
				st->errors++;
				st->out_of_step++;
				/* The next spectrum's number says what went */
				st->count_seq_gap = st->have_seq;
				return regmap_write(st->regmap, FBG_REG_CTRL,
						    FBG_CTRL_FIFO_FLUSH |
						    FBG_CTRL_RUN |
						    FBG_CTRL_DRDY_EN);
			}
			if (!fbg_record_sane(st)) {
				st->bad_records++;
				dev_warn_ratelimited(st->dev,
						     "FIFO record corrupt (header %8ph), dropped\n",
						     st->raw);
				continue;
			}
			fbg_push_spectrum(indio_dev,
					  fbg_scan_time(st, now, level - 1 - i));
		}
		now = iio_get_time_ns(indio_dev);
	}

	return 0;
}

static irqreturn_t fbg_irq_thread(int irq, void *private)
{
	struct iio_dev *indio_dev = private;
	struct fbg_state *st = iio_priv(indio_dev);
	u64 t0 = ktime_get_ns();
	int ret;

	mutex_lock(&st->lock);
	ret = fbg_drain(indio_dev);
	if (ret) {
		st->errors++;
		dev_err_ratelimited(st->dev,
				    "board not answering: FIFO read failed: %d\n",
				    ret);
	}
	st->irq_runs++;
	st->irq_ns += ktime_get_ns() - t0;
	mutex_unlock(&st->lock);

	return IRQ_HANDLED;
}

static unsigned long fbg_watchdog_delay(struct fbg_state *st)
{
	unsigned int ms = st->period_us / USEC_PER_MSEC * FBG_WD_PERIODS;

	return msecs_to_jiffies(max_t(unsigned int, ms, FBG_WD_MIN_MS));
}

/*
 * While streaming: if no spectrum arrived for FBG_WD_PERIODS scan periods,
 * ask the board for its ID. No answer: say so (once per outage). An answer:
 * if the board was reset, restart it as it was; else drain the FIFO, in
 * case a data-ready edge was lost.
 */
static void fbg_watchdog_work(struct work_struct *work)
{
	struct fbg_state *st = container_of(to_delayed_work(work),
					    struct fbg_state, watchdog);
	unsigned int id = 0;
	int ret;

	mutex_lock(&st->lock);
	if (!st->streaming)
		goto out;

	if (st->spectra != st->wd_spectra) {
		if (st->dead)
			dev_info(st->dev, "board answering again\n");
		st->dead = false;
		goto requeue;
	}

	ret = regmap_read(st->regmap, FBG_REG_ID, &id);
	if (ret || id != FBG_ID_MAGIC) {
		if (!st->dead)
			dev_err(st->dev,
				"board not answering (ID read %d, 0x%08x): no spectrum for %u ms\n",
				ret, id,
				jiffies_to_msecs(fbg_watchdog_delay(st)));
		st->dead = true;
		st->errors++;
	} else {
		ret = fbg_recover_reset(st);
		if (!ret)
			ret = fbg_drain(st->indio_dev);
		if (ret < 0)
			st->errors++;
	}
requeue:
	st->wd_spectra = st->spectra;
	schedule_delayed_work(&st->watchdog, fbg_watchdog_delay(st));
out:
	mutex_unlock(&st->lock);
}

static int fbg_buffer_postenable(struct iio_dev *indio_dev)
{
	struct fbg_state *st = iio_priv(indio_dev);
	unsigned int first, last, ctrl;
	int ret;

	mutex_lock(&st->lock);
	bitmap_copy(st->blocks, indio_dev->active_scan_mask, st->nblocks);
	st->push_tag = test_bit(st->nblocks, indio_dev->active_scan_mask);
	st->push_ts = indio_dev->scan_timestamp;

	/* Region of interest: first to last enabled block (one if none) */
	first = find_first_bit(st->blocks, st->nblocks);
	if (first >= st->nblocks) {
		st->roi_first = 0;
		st->roi_blocks = 1;
	} else {
		last = find_last_bit(st->blocks, st->nblocks);
		st->roi_first = first;
		st->roi_blocks = last - first + 1;
	}
	st->rec_bytes = FBG_REC_HDR_BYTES + st->roi_blocks * FBG_BLOCK_BYTES;

	/* Stopped, the driver leaves DRDY_EN set: clear, the board was reset */
	ret = regmap_read(st->regmap, FBG_REG_CTRL, &ctrl);
	if (!ret && !(ctrl & FBG_CTRL_DRDY_EN)) {
		st->board_resets++;
		dev_warn_ratelimited(st->dev,
				     "board was reset while stopped: settings restored\n");
	}
	if (!ret)
		ret = fbg_start(st);
	if (ret) {
		dev_err(st->dev, "failed to start the board: %d\n", ret);
	} else {
		st->streaming = true;
		st->dead = false;
		st->wd_spectra = st->spectra;
		st->count_reset_gap = false;
		st->count_seq_gap = false;
		st->have_seq = false;
		st->last_ts = iio_get_time_ns(indio_dev);
		schedule_delayed_work(&st->watchdog, fbg_watchdog_delay(st));
	}
	mutex_unlock(&st->lock);

	return ret;
}

static int fbg_buffer_predisable(struct iio_dev *indio_dev)
{
	struct fbg_state *st = iio_priv(indio_dev);
	int ret;

	mutex_lock(&st->lock);
	st->streaming = false;
	mutex_unlock(&st->lock);
	/* The watchdog takes st->lock: stop it outside */
	cancel_delayed_work_sync(&st->watchdog);

	mutex_lock(&st->lock);
	ret = regmap_write(st->regmap, FBG_REG_CTRL,
			   FBG_CTRL_FIFO_FLUSH | FBG_CTRL_DRDY_EN);
	mutex_unlock(&st->lock);
	/* The host side is stopped whatever the board says */
	if (ret)
		dev_err(st->dev, "failed to stop the board: %d\n", ret);

	return 0;
}

static const struct iio_buffer_setup_ops fbg_buffer_ops = {
	.postenable = fbg_buffer_postenable,
	.predisable = fbg_buffer_predisable,
};

static int fbg_stats_show(struct seq_file *s, void *unused)
{
	struct fbg_state *st = s->private;

	mutex_lock(&st->lock);
	seq_printf(s, "spectra %llu\nirq_runs %llu\nirq_ns %llu\n",
		   st->spectra, st->irq_runs, st->irq_ns);
	seq_printf(s, "board_overruns %llu\nhost_overruns %llu\nerrors %llu\n",
		   st->board_overruns, st->host_overruns, st->errors);
	seq_printf(s, "roi_first_pixel %u\nroi_pixels %u\nboard_dead %d\n",
		   st->roi_first * FBG_PIX_PER_BLOCK,
		   st->roi_blocks * FBG_PIX_PER_BLOCK, st->dead);
	seq_printf(s, "board_resets %llu\nreset_lost %llu\n",
		   st->board_resets, st->reset_lost);
	seq_printf(s, "out_of_step %llu\nflush_lost %llu\nbad_records %llu\n",
		   st->out_of_step, st->flush_lost, st->bad_records);
	mutex_unlock(&st->lock);

	return 0;
}
DEFINE_SHOW_ATTRIBUTE(fbg_stats);

static int fbg_read_cal(struct fbg_state *st)
{
	unsigned int hi, lo;
	int k, ret;

	for (k = 0; k < FBG_NUM_CAL; k++) {
		ret = regmap_read(st->regmap, FBG_REG_CAL_HI(k), &hi);
		if (ret)
			return ret;
		ret = regmap_read(st->regmap, FBG_REG_CAL_LO(k), &lo);
		if (ret)
			return ret;
		st->cal[k] = (s64)(((u64)hi << 32) | lo);
	}

	return 0;
}

static int fbg_setup_channels(struct iio_dev *indio_dev)
{
	struct fbg_state *st = iio_priv(indio_dev);
	struct iio_chan_spec *chans;
	unsigned int i;

	chans = devm_kcalloc(st->dev, st->nblocks + 2, sizeof(*chans),
			     GFP_KERNEL);
	if (!chans)
		return -ENOMEM;

	for (i = 0; i < st->nblocks; i++) {
		chans[i] = fbg_block_template;
		chans[i].channel = i;
		chans[i].scan_index = i;
	}
	/*
	 * The core pads every scan to a multiple of its largest element, a
	 * whole pixel block. libiio 0.24 (Debian 12) does not, so with a plain
	 * 8-byte element it reads past a record and fails with -EINVAL.
	 * Declaring the tag and the timestamp one block long (values first,
	 * zeros after) makes both agree on the record size.
	 */
	chans[i] = (struct iio_chan_spec) {
		.type = IIO_INDEX,
		.scan_index = i,
		.scan_type = {
			.sign = 'u',
			.realbits = 32,
			.storagebits = 32,
			.repeat = FBG_TAG_WORDS,
			.endianness = IIO_LE,
		},
	};
	i++;
	chans[i] = (struct iio_chan_spec)IIO_CHAN_SOFT_TIMESTAMP(i);
	chans[i].scan_type.repeat = FBG_BLOCK_BYTES / sizeof(s64);

	indio_dev->channels = chans;
	indio_dev->num_channels = st->nblocks + 2;

	/* Largest scan the core can ask for: blocks, tag, timestamp */
	st->scan = devm_kzalloc(st->dev,
				st->npix * sizeof(__le16) + 2 * FBG_BLOCK_BYTES,
				GFP_KERNEL);
	if (!st->scan)
		return -ENOMEM;

	return 0;
}

/*
 * The integration time the board comes up with (from its flash): one out
 * of range (a corrupt flash, a firmware bug) is put right, not believed.
 */
static int fbg_read_int_time(struct fbg_state *st)
{
	unsigned int max_us = st->period_us - FBG_READOUT_US, fixed;
	int ret;

	ret = regmap_read(st->regmap, FBG_REG_INT_TIME, &st->int_time_us);
	if (ret)
		return ret;
	if (st->int_time_us >= FBG_INT_TIME_MIN_US && st->int_time_us <= max_us)
		return 0;

	fixed = clamp(st->int_time_us, FBG_INT_TIME_MIN_US, max_us);
	dev_warn(st->dev,
		 "integration time %u us from the board is out of range (%u ... %u us): set to %u us\n",
		 st->int_time_us, FBG_INT_TIME_MIN_US, max_us, fixed);
	st->int_time_us = fixed;

	return regmap_write(st->regmap, FBG_REG_INT_TIME, fixed);
}

static int fbg_init_board(struct fbg_state *st)
{
	struct device *dev = st->dev;
	struct gpio_desc *reset;
	unsigned int id, version;
	int ret;

	/* RESET# if wired (asserted here), else the CTRL.RESET bit */
	reset = devm_gpiod_get_optional(dev, "reset", GPIOD_OUT_HIGH);
	if (IS_ERR(reset))
		return dev_err_probe(dev, PTR_ERR(reset), "bad reset-gpios\n");
	if (reset) {
		fsleep(10);
		gpiod_set_value_cansleep(reset, 0);
	} else {
		ret = regmap_write(st->regmap, FBG_REG_CTRL, FBG_CTRL_RESET);
		if (ret)
			return dev_err_probe(dev, ret, "failed to reset board\n");
	}
	fsleep(FBG_RESET_US);

	ret = regmap_read(st->regmap, FBG_REG_ID, &id);
	if (ret)
		return dev_err_probe(dev, ret, "failed to read ID\n");
	if (id != FBG_ID_MAGIC)
		return dev_err_probe(dev, -ENODEV, "unexpected ID 0x%08x\n", id);

	ret = regmap_read(st->regmap, FBG_REG_VERSION, &version);
	if (ret)
		return ret;
	dev_dbg(dev, "board rev %lu, firmware %lu.%lu\n",
		FIELD_GET(FBG_VERSION_HW, version),
		FIELD_GET(FBG_VERSION_FW_MAJOR, version),
		FIELD_GET(FBG_VERSION_FW_MINOR, version));
	if (FIELD_GET(FBG_VERSION_FW_MAJOR, version) != FBG_FW_MAJOR)
		return dev_err_probe(dev, -ENODEV,
				     "firmware %lu.x, this driver speaks %u.x\n",
				     FIELD_GET(FBG_VERSION_FW_MAJOR, version),
				     FBG_FW_MAJOR);

	ret = regmap_read(st->regmap, FBG_REG_FIBRES, &st->nfibres);
	if (ret)
		return ret;
	if (!st->nfibres || st->nfibres > FBG_MAX_FIBRES)
		return dev_err_probe(dev, -EINVAL, "bad fibre count %u\n",
				     st->nfibres);
	st->fibre_mask = BIT(0);
	ret = regmap_write(st->regmap, FBG_REG_SWITCH, st->fibre_mask);
	if (ret)
		return ret;

	ret = regmap_read(st->regmap, FBG_REG_PIXELS, &st->npix);
	if (ret)
		return ret;
	if (!st->npix || st->npix > FBG_MAX_PIXELS ||
	    st->npix % FBG_PIX_PER_BLOCK)
		return dev_err_probe(dev, -EINVAL,
				     "unsupported pixel count %u\n", st->npix);
	st->nblocks = st->npix / FBG_PIX_PER_BLOCK;

	ret = regmap_read(st->regmap, FBG_REG_SCAN_PERIOD, &st->period_us);
	if (ret)
		return ret;
	if (st->period_us < FBG_SCAN_PERIOD_MIN_US ||
	    st->period_us > FBG_SCAN_PERIOD_MAX_US)
		return dev_err_probe(dev, -EINVAL, "bad scan period %u us\n",
				     st->period_us);
	ret = fbg_read_int_time(st);
	if (ret)
		return ret;

	ret = fbg_read_cal(st);
	if (ret)
		return dev_err_probe(dev, ret, "failed to read calibration\n");

	return regmap_write(st->regmap, FBG_REG_CTRL, FBG_CTRL_DRDY_EN);
}

static void fbg_cancel_watchdog(void *data)
{
	struct fbg_state *st = data;

	cancel_delayed_work_sync(&st->watchdog);
}

static int fbg_probe(struct spi_device *spi)
{
	struct device *dev = &spi->dev;
	struct iio_dev *indio_dev;
	struct fbg_state *st;
	int ret;

	indio_dev = devm_iio_device_alloc(dev, sizeof(*st));
	if (!indio_dev)
		return -ENOMEM;

	st = iio_priv(indio_dev);
	st->dev = dev;
	st->indio_dev = indio_dev;
	mutex_init(&st->lock);
	INIT_DELAYED_WORK(&st->watchdog, fbg_watchdog_work);
	/* Buffer disable stops it; unbind disables the buffer, then this */
	ret = devm_add_action_or_reset(dev, fbg_cancel_watchdog, st);
	if (ret)
		return ret;

	st->regmap = devm_regmap_init_spi(spi, &fbg_regmap_config);
	if (IS_ERR(st->regmap))
		return dev_err_probe(dev, PTR_ERR(st->regmap),
				     "failed to init regmap\n");

	ret = fbg_init_board(st);
	if (ret)
		return ret;

	indio_dev->name = "fbg-interrogator";
	indio_dev->info = &fbg_info;
	indio_dev->modes = INDIO_DIRECT_MODE;

	ret = fbg_setup_channels(indio_dev);
	if (ret)
		return ret;

	if (spi->irq <= 0)
		return dev_err_probe(dev, -ENXIO, "data-ready IRQ required\n");

	ret = devm_request_threaded_irq(dev, spi->irq, NULL, fbg_irq_thread,
					IRQF_ONESHOT, dev_name(dev), indio_dev);
	if (ret)
		return dev_err_probe(dev, ret, "failed to request IRQ\n");

	ret = devm_iio_kfifo_buffer_setup(dev, indio_dev, &fbg_buffer_ops);
	if (ret)
		return dev_err_probe(dev, ret, "failed to set up buffer\n");

	/* The IIO core takes the label from the firmware node */
	ret = devm_iio_device_register(dev, indio_dev);
	if (ret)
		return ret;

	/* Removed with the device's IIO debugfs directory */
	debugfs_create_file("fbg_stats", 0400,
			    iio_get_debugfs_dentry(indio_dev), st,
			    &fbg_stats_fops);

	return 0;
}

static const struct of_device_id fbg_of_match[] = {
	{ .compatible = "cellsense,fbg-interrogator" },
	{ }
};
MODULE_DEVICE_TABLE(of, fbg_of_match);

static const struct spi_device_id fbg_id[] = {
	{ "fbg-interrogator" },
	{ }
};
MODULE_DEVICE_TABLE(spi, fbg_id);

static struct spi_driver fbg_driver = {
	.driver = {
		.name = "cellsense-fbg",
		.of_match_table = fbg_of_match,
	},
	.probe = fbg_probe,
	.id_table = fbg_id,
};
module_spi_driver(fbg_driver);

MODULE_DESCRIPTION("cellsense FBG interrogator (InGaAs line-scan) IIO driver");
MODULE_LICENSE("GPL");
