// SPDX-License-Identifier: GPL-2.0-only
/*
 * IIO driver for the cellsense ultrasonic digitiser board: an FPGA in front
 * of a piezo pulser, a receiver (AD8331-class LNA + VGA, 0-48 dB) and a
 * 14-bit 80 MS/s ADC (Analog Devices AD9649-80), for time of flight through
 * a battery cell (pulse-echo or through-transmission, one record of N
 * samples per trigger) and for acoustic emission (continuous stream).
 *
 * Register interface: docs/us-board.md in the cellsense repository.
 *
 * The pulser fires on a rising edge of the board's TRIG input, a GPIO line
 * driven from userspace (usacq(1) through libgpiod): the script owns the
 * timing of the shots and one line can fire several boards. The board
 * numbers every trigger, so a shot lost anywhere shows as a gap.
 *
 * One IIO scan is one record. As iio_scan_type.repeat is a u8, the samples
 * are exposed in blocks of 128 (in_voltage0 = samples 0-127, ...), followed
 * by a shot header (in_index: shot number, first-sample index, flags,
 * overruns) and a timestamp, both one block long so that libiio 0.24 and
 * the kernel agree on the scan size (see kernel/README.md).
 */

#include <linux/bitfield.h>
#include <linux/bitmap.h>
#include <linux/bits.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/property.h>
#include <linux/regmap.h>
#include <linux/seq_file.h>
#include <linux/spi/spi.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/units.h>
#include <linux/workqueue.h>

#include <asm/unaligned.h>

#include <linux/iio/buffer.h>
#include <linux/iio/iio.h>
#include <linux/iio/kfifo_buf.h>
#include <linux/iio/sysfs.h>

#include "cellsense_us.h"

#define US_BLOCK_BYTES		(US_SAMPLES_PER_BLOCK * sizeof(__le16))
#define US_MAX_BLOCKS		(US_REC_LEN_MAX / US_SAMPLES_PER_BLOCK)
#define US_HDR_WORDS		(US_BLOCK_BYTES / sizeof(u64))
#define US_MAX_DRAIN_ROUNDS	4
#define US_RESET_US		1000
#define US_WD_MS		500

enum us_hdr_word {
	US_HDR_SHOT,
	US_HDR_INDEX,
	US_HDR_FLAGS,
	US_HDR_OVERRUNS,
};

static const char * const us_mode_names[] = {
	[US_MODE_PULSE_ECHO] = "pulse-echo",
	[US_MODE_THROUGH] = "through",
	[US_MODE_CONTINUOUS] = "continuous",
};

struct us_state {
	struct regmap *regmap;
	struct device *dev;
	struct iio_dev *indio_dev;
	/* Serialises configuration and the streaming state below */
	struct mutex lock;
	unsigned int clk_div;
	unsigned int rec_len;
	unsigned int mode;
	/* Receiver settings as last written, put back after a board reset */
	unsigned int gain_db;
	unsigned int avg_log2;
	/* Streaming state, set at postenable */
	bool streaming;
	bool push_ts;
	bool push_hdr;
	DECLARE_BITMAP(blocks, US_MAX_BLOCKS);
	unsigned int rec_bytes;
	/* The board's 32-bit shot counter, extended; not sent back by a reset */
	u64 shot_base;
	u32 last_shot;
	u64 next_shot;
	bool shot_restart;
	/* Continuous: the sample index, carried on likewise */
	u64 index_base;
	u64 next_index;
	/* When the last record was pushed (or the stream started) */
	s64 last_ts;
	/* Records lost: on the board (FIFO full) and on the host (buffer full) */
	u64 board_overruns;
	u64 host_overruns;
	/* Statistics (debugfs "us_stats") */
	u64 records;
	u64 errors;
	struct delayed_work watchdog;
	u64 wd_records;
	bool dead;
	/* Board resets noticed and put right; records they cost */
	u64 board_resets;
	u64 reset_lost;
	/*
	 * Records out of step (FIFO flushed) and what the flushes cost,
	 * counted at the next record from its shot number or sample index;
	 * corrupt records dropped
	 */
	u64 out_of_step;
	u64 flush_lost;
	u64 bad_records;
	bool count_flush_gap;
	bool have_last;
	u64 last_index;
	/* Dropped since the last record pushed: not the flush's doing */
	u64 ovr_at_push;
	u64 bad_at_push;
	/* Scan as pushed: blocks, header, timestamp */
	u8 *scan;
	/* One FIFO record as read from FIFO_DATA */
	u8 raw[US_REC_HDR_BYTES + US_REC_LEN_MAX * 2] __aligned(IIO_DMA_MINALIGN);
};

static bool us_writeable_reg(struct device *dev, unsigned int reg)
{
	switch (reg) {
	case US_REG_CTRL:
	case US_REG_CLK_DIV ... US_REG_AVG:
		return true;
	default:
		return false;
	}
}

static bool us_readable_reg(struct device *dev, unsigned int reg)
{
	return reg <= US_REG_TRIG_COUNT || reg == US_REG_FIFO_DATA;
}

static bool us_readable_noinc_reg(struct device *dev, unsigned int reg)
{
	return reg == US_REG_FIFO_DATA;
}

static const struct regmap_config us_regmap_config = {
	.name = "us",
	.reg_bits = 8,
	.val_bits = 32,
	.read_flag_mask = US_SPI_READ,
	.max_register = US_REG_MAX,
	.writeable_reg = us_writeable_reg,
	.readable_reg = us_readable_reg,
	.readable_noinc_reg = us_readable_noinc_reg,
	.cache_type = REGCACHE_NONE,
};

/* 80 MHz / 2^k, k = 0..7, fastest first */
static const int us_samp_freq_avail[] = {
	80000000, 40000000, 20000000, 10000000, 5000000, 2500000, 1250000,
	625000,
};

static const int us_gain_range[] = { 0, 0, 1, 0, US_GAIN_MAX_DB, 0 };

static const int us_osr_avail[] = { 1, 2, 4, 8, 16, 32, 64 };

static const struct iio_chan_spec us_block_template = {
	.type = IIO_VOLTAGE,
	.indexed = 1,
	.info_mask_shared_by_type = BIT(IIO_CHAN_INFO_HARDWAREGAIN),
	.info_mask_shared_by_type_available = BIT(IIO_CHAN_INFO_HARDWAREGAIN),
	.info_mask_shared_by_all = BIT(IIO_CHAN_INFO_SAMP_FREQ) |
				   BIT(IIO_CHAN_INFO_OVERSAMPLING_RATIO),
	.info_mask_shared_by_all_available =
		BIT(IIO_CHAN_INFO_SAMP_FREQ) |
		BIT(IIO_CHAN_INFO_OVERSAMPLING_RATIO),
	.scan_type = {
		.sign = 's',
		.realbits = 16,
		.storagebits = 16,
		.repeat = US_SAMPLES_PER_BLOCK,
		.endianness = IIO_LE,
	},
};

/* A register read that also refuses what a dead bus returns */
static int us_read_checked(struct us_state *st, unsigned int reg,
			   unsigned int *val, unsigned int max)
{
	int ret = regmap_read(st->regmap, reg, val);

	if (ret)
		return ret;
	return *val > max ? -EIO : 0;
}

static int us_read_raw(struct iio_dev *indio_dev,
		       struct iio_chan_spec const *chan,
		       int *val, int *val2, long mask)
{
	struct us_state *st = iio_priv(indio_dev);
	unsigned int reg;
	int ret;

	switch (mask) {
	case IIO_CHAN_INFO_SAMP_FREQ:
		mutex_lock(&st->lock);
		*val = US_CLK_HZ >> st->clk_div;
		mutex_unlock(&st->lock);
		return IIO_VAL_INT;
	case IIO_CHAN_INFO_HARDWAREGAIN:
		/* From the board: a dead board shows here */
		mutex_lock(&st->lock);
		ret = us_read_checked(st, US_REG_GAIN, &reg, US_GAIN_MAX_DB);
		mutex_unlock(&st->lock);
		if (ret)
			return ret;
		*val = reg;
		*val2 = 0;
		return IIO_VAL_INT_PLUS_MICRO_DB;
	case IIO_CHAN_INFO_OVERSAMPLING_RATIO:
		mutex_lock(&st->lock);
		ret = us_read_checked(st, US_REG_AVG, &reg, US_AVG_MAX_LOG2);
		mutex_unlock(&st->lock);
		if (ret)
			return ret;
		*val = 1 << reg;
		return IIO_VAL_INT;
	default:
		return -EINVAL;
	}
}

static int us_read_avail(struct iio_dev *indio_dev,
			 struct iio_chan_spec const *chan,
			 const int **vals, int *type, int *length, long mask)
{
	switch (mask) {
	case IIO_CHAN_INFO_SAMP_FREQ:
		*vals = us_samp_freq_avail;
		*length = ARRAY_SIZE(us_samp_freq_avail);
		*type = IIO_VAL_INT;
		return IIO_AVAIL_LIST;
	case IIO_CHAN_INFO_HARDWAREGAIN:
		*vals = us_gain_range;
		*length = ARRAY_SIZE(us_gain_range);
		*type = IIO_VAL_INT_PLUS_MICRO;
		return IIO_AVAIL_RANGE;
	case IIO_CHAN_INFO_OVERSAMPLING_RATIO:
		*vals = us_osr_avail;
		*length = ARRAY_SIZE(us_osr_avail);
		*type = IIO_VAL_INT;
		return IIO_AVAIL_LIST;
	default:
		return -EINVAL;
	}
}

static int us_write_raw_get_fmt(struct iio_dev *indio_dev,
				struct iio_chan_spec const *chan, long mask)
{
	if (mask == IIO_CHAN_INFO_HARDWAREGAIN)
		return IIO_VAL_INT_PLUS_MICRO_DB;
	return IIO_VAL_INT;
}

static int us_set_samp_freq(struct iio_dev *indio_dev, int val, int val2)
{
	struct us_state *st = iio_priv(indio_dev);
	unsigned int k;
	int ret;

	for (k = 0; k < ARRAY_SIZE(us_samp_freq_avail); k++)
		if (us_samp_freq_avail[k] == val && !val2)
			break;
	if (k == ARRAY_SIZE(us_samp_freq_avail))
		return -EINVAL;

	/* The record's time base: not while streaming */
	ret = iio_device_claim_direct_mode(indio_dev);
	if (ret)
		return ret;
	mutex_lock(&st->lock);
	ret = regmap_write(st->regmap, US_REG_CLK_DIV, k);
	if (!ret)
		st->clk_div = k;
	mutex_unlock(&st->lock);
	iio_device_release_direct_mode(indio_dev);

	return ret;
}

/*
 * Gain and averaging apply from the next record, also while streaming: a
 * receiver's gain is what one turns while watching the echoes.
 */
static int us_write_raw(struct iio_dev *indio_dev,
			struct iio_chan_spec const *chan,
			int val, int val2, long mask)
{
	struct us_state *st = iio_priv(indio_dev);
	int ret;

	switch (mask) {
	case IIO_CHAN_INFO_SAMP_FREQ:
		return us_set_samp_freq(indio_dev, val, val2);
	case IIO_CHAN_INFO_HARDWAREGAIN:
		if (val < 0 || val > US_GAIN_MAX_DB || val2)
			return -EINVAL;
		mutex_lock(&st->lock);
		ret = regmap_write(st->regmap, US_REG_GAIN, val);
		if (!ret)
			st->gain_db = val;
		mutex_unlock(&st->lock);
		return ret;
	case IIO_CHAN_INFO_OVERSAMPLING_RATIO:
		if (val < 1 || val > BIT(US_AVG_MAX_LOG2) || !is_power_of_2(val))
			return -EINVAL;
		mutex_lock(&st->lock);
		ret = regmap_write(st->regmap, US_REG_AVG, ilog2(val));
		if (!ret)
			st->avg_log2 = ilog2(val);
		mutex_unlock(&st->lock);
		return ret;
	default:
		return -EINVAL;
	}
}

static ssize_t record_length_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct us_state *st = iio_priv(dev_to_iio_dev(dev));
	unsigned int val;

	mutex_lock(&st->lock);
	val = st->rec_len;
	mutex_unlock(&st->lock);

	return sysfs_emit(buf, "%u\n", val);
}

static ssize_t record_length_store(struct device *dev,
				   struct device_attribute *attr,
				   const char *buf, size_t len)
{
	struct iio_dev *indio_dev = dev_to_iio_dev(dev);
	struct us_state *st = iio_priv(indio_dev);
	unsigned int val;
	int ret;

	ret = kstrtouint(buf, 0, &val);
	if (ret)
		return ret;
	if (val < US_REC_LEN_MIN || val > US_REC_LEN_MAX ||
	    val % US_SAMPLES_PER_BLOCK)
		return -EINVAL;

	ret = iio_device_claim_direct_mode(indio_dev);
	if (ret)
		return ret;
	mutex_lock(&st->lock);
	ret = regmap_write(st->regmap, US_REG_REC_LEN, val);
	if (!ret)
		st->rec_len = val;
	mutex_unlock(&st->lock);
	iio_device_release_direct_mode(indio_dev);

	return ret ? ret : len;
}

static ssize_t record_length_available_show(struct device *dev,
					    struct device_attribute *attr,
					    char *buf)
{
	return sysfs_emit(buf, "[%u %u %u]\n", US_REC_LEN_MIN,
			  US_SAMPLES_PER_BLOCK, US_REC_LEN_MAX);
}

static ssize_t mode_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct us_state *st = iio_priv(dev_to_iio_dev(dev));
	unsigned int mode;

	mutex_lock(&st->lock);
	mode = st->mode;
	mutex_unlock(&st->lock);

	return sysfs_emit(buf, "%s\n", us_mode_names[mode]);
}

static ssize_t mode_store(struct device *dev, struct device_attribute *attr,
			  const char *buf, size_t len)
{
	struct iio_dev *indio_dev = dev_to_iio_dev(dev);
	struct us_state *st = iio_priv(indio_dev);
	int mode, ret;

	mode = sysfs_match_string(us_mode_names, buf);
	if (mode < 0)
		return mode;

	ret = iio_device_claim_direct_mode(indio_dev);
	if (ret)
		return ret;
	mutex_lock(&st->lock);
	st->mode = mode;
	mutex_unlock(&st->lock);
	iio_device_release_direct_mode(indio_dev);

	return len;
}

static ssize_t mode_available_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s %s %s\n", us_mode_names[0],
			  us_mode_names[1], us_mode_names[2]);
}

static ssize_t overrun_count_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct us_state *st = iio_priv(dev_to_iio_dev(dev));
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
	struct us_state *st = iio_priv(dev_to_iio_dev(dev));
	u64 resets;

	mutex_lock(&st->lock);
	resets = st->board_resets;
	mutex_unlock(&st->lock);

	return sysfs_emit(buf, "%llu\n", resets);
}

static IIO_DEVICE_ATTR_RW(record_length, 0);
static IIO_DEVICE_ATTR_RO(record_length_available, 0);
static IIO_DEVICE_ATTR_RW(mode, 0);
static IIO_DEVICE_ATTR_RO(mode_available, 0);
static IIO_DEVICE_ATTR_RO(overrun_count, 0);
static IIO_DEVICE_ATTR_RO(board_resets, 0);

static struct attribute *us_attributes[] = {
	&iio_dev_attr_record_length.dev_attr.attr,
	&iio_dev_attr_record_length_available.dev_attr.attr,
	&iio_dev_attr_mode.dev_attr.attr,
	&iio_dev_attr_mode_available.dev_attr.attr,
	&iio_dev_attr_overrun_count.dev_attr.attr,
	&iio_dev_attr_board_resets.dev_attr.attr,
	NULL
};

static const struct attribute_group us_attribute_group = {
	.attrs = us_attributes,
};

static int us_debugfs_reg_access(struct iio_dev *indio_dev, unsigned int reg,
				 unsigned int writeval, unsigned int *readval)
{
	struct us_state *st = iio_priv(indio_dev);
	int ret;

	mutex_lock(&st->lock);
	if (readval)
		ret = regmap_read(st->regmap, reg, readval);
	else
		ret = regmap_write(st->regmap, reg, writeval);
	mutex_unlock(&st->lock);

	return ret;
}

static const struct iio_info us_info = {
	.debugfs_reg_access = us_debugfs_reg_access,
	.read_raw = us_read_raw,
	.read_avail = us_read_avail,
	.write_raw = us_write_raw,
	.write_raw_get_fmt = us_write_raw_get_fmt,
	.attrs = &us_attribute_group,
};

/* Called with st->lock held */
static void us_collect_overruns(struct us_state *st)
{
	unsigned int count;

	/* OVR_COUNT is clear-on-read and also clears STATUS.OVR */
	if (!regmap_read(st->regmap, US_REG_OVR_COUNT, &count))
		st->board_overruns += count;
}

/* Records lost so far, whatever lost them; called with st->lock held */
static u64 us_lost(struct us_state *st)
{
	return st->board_overruns + st->host_overruns + st->reset_lost +
	       st->flush_lost + st->bad_records;
}

/*
 * After a flush, the first record tells what went: its shot number (pulse
 * modes: every trigger is numbered) or its sample index (continuous) past
 * the last record pushed, less what was counted since then (the board's
 * overruns, corrupt records dropped). Called with st->lock held.
 */
static void us_count_flush_lost(struct us_state *st, u32 shot, u64 index)
{
	u64 gap = 0, known;

	st->count_flush_gap = false;
	if (st->mode != US_MODE_CONTINUOUS)
		gap = (u32)(shot - st->last_shot - 1);
	else if (index > st->last_index)
		gap = div_u64(index - st->last_index, st->rec_len) - 1;
	known = st->board_overruns - st->ovr_at_push +
		st->bad_records - st->bad_at_push;
	st->flush_lost += gap > known ? gap - known : 0;
}

/*
 * At the first record after a reset: in the pulse modes its shot number
 * tells how many triggers came while the board stood reset (TRIG_COUNT
 * went back to 0), and the extended number carries on past them; in
 * continuous mode, the block periods since the last record, less one, and
 * the sample index (0 again) carries on past those blocks. Called with
 * st->lock held.
 */
static void us_count_reset_lost(struct us_state *st, u32 shot, s64 ts)
{
	s64 block_ns, n = 0;

	if (st->mode == US_MODE_CONTINUOUS) {
		block_ns = div_s64((s64)st->rec_len * NSEC_PER_SEC,
				   US_CLK_HZ >> st->clk_div);
		if (ts > st->last_ts)
			n = div64_s64(ts - st->last_ts + block_ns / 2,
				      block_ns) - 1;
		n = max_t(s64, n, 0);
		st->reset_lost += n;
		st->index_base = st->next_index + n * st->rec_len;
	} else if (!st->have_last || shot <= st->last_shot) {
		st->shot_base = st->next_shot;
		st->reset_lost += shot;
	} else {
		/* TRIG_COUNT did not go back: the shots fired while stopped */
		st->reset_lost += shot - st->last_shot - 1;
	}
}

/* Called with st->lock held, st->raw holding one checked record */
static void us_push_record(struct iio_dev *indio_dev, s64 ts)
{
	struct us_state *st = iio_priv(indio_dev);
	const u8 *samples = st->raw + US_REC_HDR_BYTES;
	unsigned int blk, off = 0, nrec = st->rec_len / US_SAMPLES_PER_BLOCK;
	u32 shot = get_unaligned_le32(st->raw + US_REC_OFF_SHOT);
	u64 index = get_unaligned_le64(st->raw + US_REC_OFF_INDEX);
	__le64 *hdr;

	/*
	 * The board's counter is 32 bits: extend it. After a reset it starts
	 * again at 0: carry on from the last shot instead.
	 */
	if (st->shot_restart) {
		st->shot_restart = false;
		us_count_reset_lost(st, shot, ts);
	} else {
		if (st->count_flush_gap && st->have_last)
			us_count_flush_lost(st, shot, index);
		if (st->records && shot < st->last_shot)
			st->shot_base += BIT_ULL(32);
	}
	st->count_flush_gap = false;
	st->have_last = true;
	st->ovr_at_push = st->board_overruns;
	st->bad_at_push = st->bad_records;
	st->last_index = index;
	st->last_shot = shot;
	st->next_shot = st->shot_base + shot + 1;
	st->next_index = st->index_base + index + st->rec_len;
	st->last_ts = ts;

	for_each_set_bit(blk, st->blocks, US_MAX_BLOCKS) {
		/* Blocks past the record read as zeros */
		if (blk < nrec)
			memcpy(st->scan + off, samples + blk * US_BLOCK_BYTES,
			       US_BLOCK_BYTES);
		else
			memset(st->scan + off, 0, US_BLOCK_BYTES);
		off += US_BLOCK_BYTES;
	}

	if (st->push_hdr) {
		hdr = (__le64 *)(st->scan + off);
		memset(hdr, 0, US_BLOCK_BYTES);
		hdr[US_HDR_SHOT] = cpu_to_le64(st->shot_base + shot);
		hdr[US_HDR_INDEX] = cpu_to_le64(st->index_base + index);
		hdr[US_HDR_FLAGS] = cpu_to_le64(st->raw[US_REC_OFF_FLAGS]);
		hdr[US_HDR_OVERRUNS] = cpu_to_le64(us_lost(st));
		off += US_BLOCK_BYTES;
	}

	/* The timestamp element is one block long: value first, zeros after */
	if (st->push_ts) {
		memcpy(st->scan + off, &ts, sizeof(ts));
		memset(st->scan + off + sizeof(ts), 0,
		       US_BLOCK_BYTES - sizeof(ts));
	}

	st->records++;
	if (iio_push_to_buffers(indio_dev, st->scan))
		st->host_overruns++;
}

/* A record whose framing is not the one we asked for: out of step */
static bool us_record_in_step(struct us_state *st)
{
	return st->raw[US_REC_OFF_SYNC] == US_REC_SYNC &&
	       get_unaligned_le16(st->raw + US_REC_OFF_BLOCKS) ==
	       st->rec_len / US_SAMPLES_PER_BLOCK;
}

/*
 * In step, but what no board sends in this mode (bits flipped on the way):
 * an unknown flag, the continuous flag not matching the mode, a shot
 * number in a continuous block or a sample index in a shot.
 */
static bool us_record_sane(struct us_state *st)
{
	u8 flags = st->raw[US_REC_OFF_FLAGS];
	bool cont = st->mode == US_MODE_CONTINUOUS;

	if (flags & ~(US_REC_FLAG_SAT | US_REC_FLAG_CONTINUOUS))
		return false;
	if (!!(flags & US_REC_FLAG_CONTINUOUS) != cont)
		return false;
	if (cont)
		return !get_unaligned_le32(st->raw + US_REC_OFF_SHOT);
	return !get_unaligned_le64(st->raw + US_REC_OFF_INDEX);
}

/* CTRL while streaming (FIFO_FLUSH reads 0) */
static unsigned int us_ctrl_streaming(struct us_state *st)
{
	return US_CTRL_RUN | US_CTRL_DRDY_EN | FIELD_PREP(US_CTRL_MODE, st->mode);
}

/*
 * Stop the board, write every setting the driver holds (a reset may have
 * lost them all) and start it with an empty FIFO. Called with st->lock
 * held.
 */
static int us_start(struct us_state *st)
{
	const struct reg_sequence seq[] = {
		{ US_REG_CTRL, US_CTRL_FIFO_FLUSH | US_CTRL_DRDY_EN |
			       FIELD_PREP(US_CTRL_MODE, st->mode) },
		{ US_REG_CLK_DIV, st->clk_div },
		{ US_REG_REC_LEN, st->rec_len },
		{ US_REG_GAIN, st->gain_db },
		{ US_REG_AVG, st->avg_log2 },
		{ US_REG_CTRL, us_ctrl_streaming(st) },
	};

	return regmap_multi_reg_write(st->regmap, seq, ARRAY_SIZE(seq));
}

/* Called with st->lock held */
static bool us_answers(struct us_state *st)
{
	unsigned int id;

	return !regmap_read(st->regmap, US_REG_ID, &id) && id == US_ID_MAGIC;
}

/*
 * A board that resets (its watchdog, a brown-out) answers again stopped,
 * every register at its reset value: CTRL reads 0, TRIG_COUNT starts
 * again at 0. While streaming the driver keeps CTRL at RUN | DRDY_EN and
 * the mode, so anything else there means a reset: put the settings back,
 * start again, count it and say so. What it cost is counted at the first
 * record after the restart (us_count_reset_lost()). Called with st->lock
 * held while streaming, once the board has answered with its ID. Returns
 * 1 if the board had been reset (and streams again), 0 if not, or a
 * negative error.
 */
static int us_recover_reset(struct us_state *st)
{
	unsigned int ctrl;
	int ret;

	ret = regmap_read(st->regmap, US_REG_CTRL, &ctrl);
	if (ret)
		return ret;
	if ((ctrl & (US_CTRL_RUN | US_CTRL_DRDY_EN | US_CTRL_MODE)) ==
	    us_ctrl_streaming(st))
		return 0;

	ret = us_start(st);
	if (ret) {
		dev_err_ratelimited(st->dev,
				    "board was reset, restarting it failed: %d\n",
				    ret);
		return ret;
	}
	st->board_resets++;
	st->shot_restart = true;
	dev_warn_ratelimited(st->dev,
			     "board was reset (CTRL 0x%08x): settings restored, streaming again\n",
			     ctrl);

	return 1;
}

/*
 * When a continuous block still in the FIFO was completed: a block apart
 * back from the drain, but never at or before the last one pushed. A board
 * that caught up on late blocks made them closer than a block apart; those
 * share the time since the last one evenly. Called with st->lock held.
 */
static s64 us_block_time(const struct us_state *st, s64 now, s64 block_ns,
			 unsigned int left)
{
	s64 ts = now - (s64)left * block_ns;

	if (ts <= st->last_ts && now > st->last_ts)
		ts = st->last_ts +
		     max_t(s64, div_s64(now - st->last_ts, left + 1), 1);
	return ts;
}

/* Read every record in the board's FIFO; called with st->lock held */
static int us_drain(struct iio_dev *indio_dev)
{
	struct us_state *st = iio_priv(indio_dev);
	s64 now = iio_get_time_ns(indio_dev);
	s64 block_ns = div_s64((s64)st->rec_len * NSEC_PER_SEC,
			       US_CLK_HZ >> st->clk_div);
	unsigned int status, level, i, round;
	int ret = 0;

	for (round = 0; round < US_MAX_DRAIN_ROUNDS; round++) {
		ret = regmap_read(st->regmap, US_REG_STATUS, &status);
		if (ret)
			return ret;
		/* A board that does not drive MISO reads as all ones */
		if (status & US_STATUS_RESERVED)
			return -EIO;
		if (status & US_STATUS_OVR)
			us_collect_overruns(st);
		level = FIELD_GET(US_STATUS_FIFO_LEVEL, status);
		if (!level)
			break;

		for (i = 0; i < level; i++) {
			ret = regmap_noinc_read(st->regmap, US_REG_FIFO_DATA,
						st->raw, st->rec_bytes);
			if (ret)
				return ret;
			if (!st->streaming)
				continue;
			if (!us_record_in_step(st)) {
				/* A reset empties the FIFO: the rest reads 0xff */
				ret = us_answers(st) ? us_recover_reset(st) : 0;
				if (ret)
					return ret < 0 ? ret : 0;
				dev_err_ratelimited(st->dev,
						    "FIFO record out of step (header %8ph), flushing\n",
						    st->raw);
				st->errors++;
				st->out_of_step++;
				/* The next record's number says what went */
				st->count_flush_gap = true;
				return regmap_write(st->regmap, US_REG_CTRL,
						    US_CTRL_FIFO_FLUSH |
						    us_ctrl_streaming(st));
			}
			if (!us_record_sane(st)) {
				st->bad_records++;
				dev_warn_ratelimited(st->dev,
						     "FIFO record corrupt (header %16ph), dropped\n",
						     st->raw);
				continue;
			}
			/* A shot's record is stamped when it is read */
			us_push_record(indio_dev, st->mode == US_MODE_CONTINUOUS ?
				       us_block_time(st, now, block_ns,
						     level - 1 - i) :
				       now);
		}
		now = iio_get_time_ns(indio_dev);
	}

	return 0;
}

static irqreturn_t us_irq_thread(int irq, void *private)
{
	struct iio_dev *indio_dev = private;
	struct us_state *st = iio_priv(indio_dev);
	int ret;

	mutex_lock(&st->lock);
	ret = us_drain(indio_dev);
	if (ret) {
		st->errors++;
		dev_err_ratelimited(st->dev,
				    "board not answering: FIFO read failed: %d\n",
				    ret);
	}
	mutex_unlock(&st->lock);

	return IRQ_HANDLED;
}

/*
 * While streaming, every US_WD_MS: a board that made no record (normal in
 * the pulse modes between triggers) is asked for its ID. No answer: say so,
 * once per outage. An answer: if the board was reset, restart it as it
 * was; else drain, in case a data-ready edge was lost.
 */
static void us_watchdog_work(struct work_struct *work)
{
	struct us_state *st = container_of(to_delayed_work(work),
					   struct us_state, watchdog);
	unsigned int id = 0;
	int ret;

	mutex_lock(&st->lock);
	if (!st->streaming)
		goto out;
	if (st->records != st->wd_records) {
		if (st->dead)
			dev_info(st->dev, "board answering again\n");
		st->dead = false;
		goto requeue;
	}
	ret = regmap_read(st->regmap, US_REG_ID, &id);
	if (ret || id != US_ID_MAGIC) {
		if (!st->dead)
			dev_err(st->dev,
				"board not answering (ID read %d, 0x%08x)\n",
				ret, id);
		st->dead = true;
		st->errors++;
	} else {
		if (st->dead)
			dev_info(st->dev, "board answering again\n");
		st->dead = false;
		ret = us_recover_reset(st);
		if (!ret)
			ret = us_drain(st->indio_dev);
		if (ret < 0)
			st->errors++;
	}
requeue:
	st->wd_records = st->records;
	schedule_delayed_work(&st->watchdog, msecs_to_jiffies(US_WD_MS));
out:
	mutex_unlock(&st->lock);
}

static int us_buffer_postenable(struct iio_dev *indio_dev)
{
	struct us_state *st = iio_priv(indio_dev);
	unsigned int ctrl;
	int ret;

	mutex_lock(&st->lock);
	bitmap_copy(st->blocks, indio_dev->active_scan_mask, US_MAX_BLOCKS);
	st->push_hdr = test_bit(US_MAX_BLOCKS, indio_dev->active_scan_mask);
	st->push_ts = indio_dev->scan_timestamp;
	st->rec_bytes = US_REC_HDR_BYTES + st->rec_len * sizeof(__le16);
	st->shot_base = 0;
	st->last_shot = 0;
	st->next_shot = 0;
	st->shot_restart = false;
	st->index_base = 0;
	st->next_index = 0;
	st->count_flush_gap = false;
	st->have_last = false;
	st->last_ts = iio_get_time_ns(indio_dev);

	/* Stopped, the driver leaves DRDY_EN set: clear, the board was reset */
	ret = regmap_read(st->regmap, US_REG_CTRL, &ctrl);
	if (!ret && !(ctrl & US_CTRL_DRDY_EN)) {
		st->board_resets++;
		dev_warn_ratelimited(st->dev,
				     "board was reset while stopped: settings restored\n");
	}
	if (!ret)
		ret = us_start(st);
	if (ret) {
		dev_err(st->dev, "failed to start the board: %d\n", ret);
	} else {
		st->streaming = true;
		st->dead = false;
		st->wd_records = st->records;
		schedule_delayed_work(&st->watchdog,
				      msecs_to_jiffies(US_WD_MS));
	}
	mutex_unlock(&st->lock);

	return ret;
}

static int us_buffer_predisable(struct iio_dev *indio_dev)
{
	struct us_state *st = iio_priv(indio_dev);
	int ret;

	mutex_lock(&st->lock);
	st->streaming = false;
	mutex_unlock(&st->lock);
	/* The watchdog takes st->lock: stop it outside */
	cancel_delayed_work_sync(&st->watchdog);

	/* Stopped, the board keeps its mode (and says so in CTRL) */
	mutex_lock(&st->lock);
	ret = regmap_write(st->regmap, US_REG_CTRL,
			   US_CTRL_FIFO_FLUSH | US_CTRL_DRDY_EN |
			   FIELD_PREP(US_CTRL_MODE, st->mode));
	mutex_unlock(&st->lock);
	/* The host side is stopped whatever the board says */
	if (ret)
		dev_err(st->dev, "failed to stop the board: %d\n", ret);

	return 0;
}

static const struct iio_buffer_setup_ops us_buffer_ops = {
	.postenable = us_buffer_postenable,
	.predisable = us_buffer_predisable,
};

static int us_stats_show(struct seq_file *s, void *unused)
{
	struct us_state *st = s->private;

	mutex_lock(&st->lock);
	seq_printf(s, "records %llu\nboard_overruns %llu\nhost_overruns %llu\n",
		   st->records, st->board_overruns, st->host_overruns);
	seq_printf(s, "errors %llu\nboard_dead %d\n", st->errors, st->dead);
	seq_printf(s, "board_resets %llu\nreset_lost %llu\n",
		   st->board_resets, st->reset_lost);
	seq_printf(s, "out_of_step %llu\nflush_lost %llu\nbad_records %llu\n",
		   st->out_of_step, st->flush_lost, st->bad_records);
	mutex_unlock(&st->lock);

	return 0;
}
DEFINE_SHOW_ATTRIBUTE(us_stats);

static int us_setup_channels(struct iio_dev *indio_dev)
{
	struct us_state *st = iio_priv(indio_dev);
	struct iio_chan_spec *chans;
	unsigned int i;

	chans = devm_kcalloc(st->dev, US_MAX_BLOCKS + 2, sizeof(*chans),
			     GFP_KERNEL);
	if (!chans)
		return -ENOMEM;

	for (i = 0; i < US_MAX_BLOCKS; i++) {
		chans[i] = us_block_template;
		chans[i].channel = i;
		chans[i].scan_index = i;
	}
	/* Shot header and timestamp: one block long each (see the top) */
	chans[i] = (struct iio_chan_spec) {
		.type = IIO_INDEX,
		.scan_index = i,
		.scan_type = {
			.sign = 'u',
			.realbits = 64,
			.storagebits = 64,
			.repeat = US_HDR_WORDS,
			.endianness = IIO_LE,
		},
	};
	i++;
	chans[i] = (struct iio_chan_spec)IIO_CHAN_SOFT_TIMESTAMP(i);
	chans[i].scan_type.repeat = US_BLOCK_BYTES / sizeof(s64);

	indio_dev->channels = chans;
	indio_dev->num_channels = US_MAX_BLOCKS + 2;

	st->scan = devm_kzalloc(st->dev, (US_MAX_BLOCKS + 2) * US_BLOCK_BYTES,
				GFP_KERNEL);

	return st->scan ? 0 : -ENOMEM;
}

static int us_init_board(struct us_state *st)
{
	struct device *dev = st->dev;
	unsigned int id, version;
	int ret;

	ret = regmap_write(st->regmap, US_REG_CTRL, US_CTRL_RESET);
	if (ret)
		return dev_err_probe(dev, ret, "failed to reset board\n");
	fsleep(US_RESET_US);

	ret = regmap_read(st->regmap, US_REG_ID, &id);
	if (ret)
		return dev_err_probe(dev, ret, "failed to read ID\n");
	if (id != US_ID_MAGIC)
		return dev_err_probe(dev, -ENODEV, "unexpected ID 0x%08x\n", id);

	ret = regmap_read(st->regmap, US_REG_VERSION, &version);
	if (ret)
		return ret;
	if (FIELD_GET(US_VERSION_FW_MAJOR, version) != US_FW_MAJOR)
		return dev_err_probe(dev, -ENODEV,
				     "firmware %lu.x, this driver speaks %u.x\n",
				     FIELD_GET(US_VERSION_FW_MAJOR, version),
				     US_FW_MAJOR);

	ret = us_read_checked(st, US_REG_CLK_DIV, &st->clk_div,
			      US_CLK_DIV_MAX);
	if (!ret)
		ret = us_read_checked(st, US_REG_REC_LEN, &st->rec_len,
				      US_REC_LEN_MAX);
	if (ret)
		return dev_err_probe(dev, ret, "failed to read settings\n");
	if (st->rec_len < US_REC_LEN_MIN || st->rec_len % US_SAMPLES_PER_BLOCK)
		return dev_err_probe(dev, -EINVAL, "bad record length %u\n",
				     st->rec_len);
	ret = us_read_checked(st, US_REG_GAIN, &st->gain_db, US_GAIN_MAX_DB);
	if (!ret)
		ret = us_read_checked(st, US_REG_AVG, &st->avg_log2,
				      US_AVG_MAX_LOG2);
	if (ret)
		return dev_err_probe(dev, ret, "failed to read settings\n");
	st->mode = US_MODE_PULSE_ECHO;

	return regmap_write(st->regmap, US_REG_CTRL, US_CTRL_DRDY_EN);
}

static void us_cancel_watchdog(void *data)
{
	struct us_state *st = data;

	cancel_delayed_work_sync(&st->watchdog);
}

static int us_probe(struct spi_device *spi)
{
	struct device *dev = &spi->dev;
	struct iio_dev *indio_dev;
	struct us_state *st;
	int ret;

	indio_dev = devm_iio_device_alloc(dev, sizeof(*st));
	if (!indio_dev)
		return -ENOMEM;

	st = iio_priv(indio_dev);
	st->dev = dev;
	st->indio_dev = indio_dev;
	mutex_init(&st->lock);
	INIT_DELAYED_WORK(&st->watchdog, us_watchdog_work);
	/* Buffer disable stops it; unbind disables the buffer, then this */
	ret = devm_add_action_or_reset(dev, us_cancel_watchdog, st);
	if (ret)
		return ret;

	st->regmap = devm_regmap_init_spi(spi, &us_regmap_config);
	if (IS_ERR(st->regmap))
		return dev_err_probe(dev, PTR_ERR(st->regmap),
				     "failed to init regmap\n");

	ret = us_init_board(st);
	if (ret)
		return ret;

	indio_dev->name = "us-digitiser";
	indio_dev->info = &us_info;
	indio_dev->modes = INDIO_DIRECT_MODE;

	ret = us_setup_channels(indio_dev);
	if (ret)
		return ret;

	if (spi->irq <= 0)
		return dev_err_probe(dev, -ENXIO, "data-ready IRQ required\n");

	ret = devm_request_threaded_irq(dev, spi->irq, NULL, us_irq_thread,
					IRQF_ONESHOT, dev_name(dev), indio_dev);
	if (ret)
		return dev_err_probe(dev, ret, "failed to request IRQ\n");

	ret = devm_iio_kfifo_buffer_setup(dev, indio_dev, &us_buffer_ops);
	if (ret)
		return dev_err_probe(dev, ret, "failed to set up buffer\n");

	ret = devm_iio_device_register(dev, indio_dev);
	if (ret)
		return ret;

	debugfs_create_file("us_stats", 0400,
			    iio_get_debugfs_dentry(indio_dev), st,
			    &us_stats_fops);

	return 0;
}

static const struct of_device_id us_of_match[] = {
	{ .compatible = "cellsense,us-digitiser" },
	{ }
};
MODULE_DEVICE_TABLE(of, us_of_match);

static const struct spi_device_id us_id[] = {
	{ "us-digitiser" },
	{ }
};
MODULE_DEVICE_TABLE(spi, us_id);

static struct spi_driver us_driver = {
	.driver = {
		.name = "cellsense-us",
		.of_match_table = us_of_match,
	},
	.probe = us_probe,
	.id_table = us_id,
};
module_spi_driver(us_driver);

MODULE_DESCRIPTION("cellsense ultrasonic digitiser (pulse-echo, acoustic emission) IIO driver");
MODULE_LICENSE("GPL");
