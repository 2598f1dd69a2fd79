// SPDX-License-Identifier: GPL-2.0-only
/*
 * IIO driver for the cellsense reference-electrode front-end: a TI
 * ADS131M04 (4-channel simultaneous-sampling 24-bit delta-sigma ADC,
 * datasheet SBAS890) measuring the cell voltage, the cathode and the anode
 * against a reference electrode (through resistive dividers) and the cell
 * current (through a shunt). Wiring: docs/re-board.md.
 *
 * The part speaks in frames of 24-bit words: a command word (its response
 * comes in the next frame), the four conversion results, a CRC-16-CCITT
 * word. Registers are reached through that framing with a regmap whose
 * reg_read/reg_write issue RREG/WREG frames, as the part's protocol does
 * not fit regmap's SPI bus (responses one frame late, CRC on both ways).
 * Conversions are read on the falling edge of DRDY with a NULL frame and
 * pushed with a timestamp; a frame whose CRC fails is counted in
 * crc_error_count and dropped, never pushed, and so is one whose STATUS
 * word has no DRDY flag set (counted in stale_frames): a DRDY answered
 * late, after the conversion it signalled was read already.
 */

#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/math64.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/property.h>
#include <linux/regmap.h>
#include <linux/seq_file.h>
#include <linux/spi/spi.h>
#include <linux/units.h>
#include <linux/workqueue.h>

#include <linux/iio/buffer.h>
#include <linux/iio/iio.h>
#include <linux/iio/kfifo_buf.h>
#include <linux/iio/sysfs.h>

#include <asm/unaligned.h>

#include "cellsense_re.h"

#define RE_DEFAULT_CLKIN_HZ	8192000
#define RE_DEFAULT_OSR_IDX	5	/* OSR 4096: 1000 samples/s */
#define RE_VREF_MV		1200	/* full scale +-1.2 V at gain 1 */
#define RE_NUM_GAINS		8	/* PGA 1, 2, 4 ... 128 */
/* Watchdog: no conversion for this many periods (at least the minimum) */
#define RE_WD_PERIODS		20
#define RE_WD_MIN_MS		250

enum re_channel { RE_CELL, RE_CATHODE, RE_ANODE, RE_CURRENT };

static const char * const re_labels[ADS131M04_NUM_CH] = {
	"cell", "cathode", "anode", "current",
};

/* One scan as pushed: the four channels, then the timestamp */
struct re_scan {
	s32 ch[ADS131M04_NUM_CH];
	s64 ts;		/* at offset 16: naturally aligned */
};

struct re_state {
	struct spi_device *spi;
	struct regmap *regmap;
	struct device *dev;
	struct iio_dev *indio_dev;
	/* Serialises SPI frames and the state below */
	struct mutex lock;
	unsigned int clkin_hz;
	unsigned int osr_idx;
	unsigned int gain_idx[ADS131M04_NUM_CH];
	/* Front end: input / ADC-input ratio in 1/1000 (voltages), shunt */
	u32 divider_milli[ADS131M04_NUM_CH];
	u32 shunt_uohm;
	/* scale at each PGA gain: {int, nano} pairs, mV or mA per LSB */
	int scale_avail[ADS131M04_NUM_CH][RE_NUM_GAINS * 2];
	int samp_freq_avail[ADS131M04_NUM_OSR * 2];
	u64 crc_errors;
	u64 overruns;
	/* Statistics (debugfs "re_stats") */
	u64 samples;
	u64 errors;
	/* Frames read on a DRDY whose STATUS said no new conversion */
	u64 stale_frames;
	/* Watchdog: samples seen at its last look, board declared dead */
	struct delayed_work watchdog;
	bool streaming;
	u64 wd_samples;
	bool dead;
	/* Board resets noticed and put right; conversions they cost */
	u64 board_resets;
	u64 reset_lost;
	/* Last sample pushed; count_gap: the next one counts what is missing */
	s64 last_ts;
	bool count_gap;
	/* After a restore: conversions read before this are not data */
	s64 settle_until;
	/* A direct read waiting for the next conversion */
	bool want_sample;
	s32 sample[ADS131M04_NUM_CH];
	int sample_err;
	struct completion sample_done;
	struct re_scan scan;
	u8 tx[ADS131M04_FRAME_BYTES] __aligned(IIO_DMA_MINALIGN);
	u8 rx[ADS131M04_FRAME_BYTES];
};

static void re_put_word(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
	p[2] = 0;
}

static u16 re_get_word(const u8 *p)
{
	return (p[0] << 8) | p[1];
}

/*
 * One full frame: @cmd (and @data for a one-register WREG) out, with the
 * input CRC; the response word and the conversions in. Called with
 * st->lock held. -EBADMSG (counted) if the output CRC does not match.
 */
static int re_frame(struct re_state *st, u16 cmd, const u16 *data,
		    unsigned int ndata, u16 *resp, s32 *conv)
{
	struct spi_transfer xfer = {
		.tx_buf = st->tx,
		.rx_buf = st->rx,
		.len = ADS131M04_FRAME_BYTES,
	};
	unsigned int i, w = 0;
	u16 crc;
	int ret;

	memset(st->tx, 0, sizeof(st->tx));
	re_put_word(st->tx, cmd);
	for (i = 0; i < ndata; i++)
		re_put_word(st->tx + ++w * ADS131M04_WORD_BYTES, data[i]);
	w++;
	re_put_word(st->tx + w * ADS131M04_WORD_BYTES,
		    ads131m04_crc(st->tx, w * ADS131M04_WORD_BYTES));

	ret = spi_sync_transfer(st->spi, &xfer, 1);
	if (ret)
		return ret;
	/* A part that does not drive DOUT reads as all ones: no frame at all */
	if (!memchr_inv(st->rx, 0xff, sizeof(st->rx)))
		return -EIO;

	crc = ads131m04_crc(st->rx, (ADS131M04_FRAME_WORDS - 1) *
			    ADS131M04_WORD_BYTES);
	if (crc != re_get_word(st->rx + (ADS131M04_FRAME_WORDS - 1) *
			       ADS131M04_WORD_BYTES)) {
		st->crc_errors++;
		return -EBADMSG;
	}
	if (resp)
		*resp = re_get_word(st->rx);
	if (conv)
		for (i = 0; i < ADS131M04_NUM_CH; i++)
			conv[i] = sign_extend32(get_unaligned_be24(st->rx +
					(i + 1) * ADS131M04_WORD_BYTES), 23);

	return 0;
}

/* A command and the frame that brings its response. */
static int re_command(struct re_state *st, u16 cmd, const u16 *data,
		      unsigned int ndata, u16 *resp)
{
	int ret;

	ret = re_frame(st, cmd, data, ndata, NULL, NULL);
	if (ret)
		return ret;

	return re_frame(st, ADS131M04_CMD_NULL, NULL, 0, resp, NULL);
}

static int re_reg_read(void *context, unsigned int reg, unsigned int *val)
{
	struct re_state *st = context;
	u16 resp;
	int ret;

	ret = re_command(st, ADS131M04_CMD_RREG(reg, 1), NULL, 0, &resp);
	if (ret)
		return ret;
	*val = resp;

	return 0;
}

static int re_reg_write(void *context, unsigned int reg, unsigned int val)
{
	struct re_state *st = context;
	u16 data = val, resp;
	int ret;

	ret = re_command(st, ADS131M04_CMD_WREG(reg, 1), &data, 1, &resp);
	if (ret)
		return ret;
	if (resp != ADS131M04_RESP_WREG(reg, 1)) {
		dev_dbg(st->dev, "WREG 0x%02x: response 0x%04x\n", reg, resp);
		return -EIO;
	}

	return 0;
}

static bool re_writeable_reg(struct device *dev, unsigned int reg)
{
	return reg >= ADS131M04_REG_MODE && reg < ADS131M04_REG_REGMAP_CRC;
}

/* Frames are serialised by st->lock, which callers hold */
static const struct regmap_config re_regmap_config = {
	.name = "ads131m04",
	.reg_bits = 8,
	.val_bits = 16,
	.max_register = ADS131M04_REG_MAX,
	.writeable_reg = re_writeable_reg,
	.reg_read = re_reg_read,
	.reg_write = re_reg_write,
	.cache_type = REGCACHE_NONE,
	.disable_locking = true,
};

#define RE_CHAN(_ch, _si, _type) {					\
	.type = (_type),						\
	.indexed = 1,							\
	.channel = (_ch),						\
	.scan_index = (_si),						\
	.info_mask_separate = BIT(IIO_CHAN_INFO_RAW) |			\
			      BIT(IIO_CHAN_INFO_SCALE) |		\
			      BIT(IIO_CHAN_INFO_OFFSET),		\
	.info_mask_separate_available = BIT(IIO_CHAN_INFO_SCALE),	\
	.info_mask_shared_by_all = BIT(IIO_CHAN_INFO_SAMP_FREQ),	\
	.info_mask_shared_by_all_available = BIT(IIO_CHAN_INFO_SAMP_FREQ), \
	.scan_type = {							\
		.sign = 's',						\
		.realbits = 24,						\
		.storagebits = 32,					\
		.endianness = IIO_CPU,					\
	},								\
}

static const struct iio_chan_spec re_channels[] = {
	RE_CHAN(RE_CELL, RE_CELL, IIO_VOLTAGE),
	RE_CHAN(RE_CATHODE, RE_CATHODE, IIO_VOLTAGE),
	RE_CHAN(RE_ANODE, RE_ANODE, IIO_VOLTAGE),
	RE_CHAN(RE_CURRENT, RE_CURRENT, IIO_CURRENT),
	IIO_CHAN_SOFT_TIMESTAMP(ADS131M04_NUM_CH),
};

static const unsigned long re_scan_masks[] = {
	GENMASK(ADS131M04_NUM_CH - 1, 0), 0
};

/* Scale at PGA gain 2^g in nano-mV (nano-mA) per LSB */
static u64 re_scale_nano(struct re_state *st, unsigned int ch, unsigned int g)
{
	u64 den = (u64)BIT(23) << g;

	if (ch == RE_CURRENT)	/* 1.2 V / R_shunt, in nano-mA */
		return DIV64_U64_ROUND_CLOSEST(1200000000000000000ULL,
					       den * st->shunt_uohm);

	return DIV64_U64_ROUND_CLOSEST((u64)RE_VREF_MV * NANO *
				       st->divider_milli[ch], den * 1000);
}

static void re_init_tables(struct re_state *st)
{
	unsigned int ch, g, i;
	u64 s, rate_uhz;
	u32 rem;

	for (ch = 0; ch < ADS131M04_NUM_CH; ch++)
		for (g = 0; g < RE_NUM_GAINS; g++) {
			s = re_scale_nano(st, ch, g);
			st->scale_avail[ch][2 * g] = div_u64(s, NANO);
			st->scale_avail[ch][2 * g + 1] = do_div(s, NANO);
		}
	for (i = 0; i < ADS131M04_NUM_OSR; i++) {
		rate_uhz = div_u64((u64)st->clkin_hz / 2 * MICRO,
				   ads131m04_osr[i]);
		st->samp_freq_avail[2 * i] = div_u64_rem(rate_uhz, MICRO, &rem);
		st->samp_freq_avail[2 * i + 1] = rem;
	}
}

/* Wait for the next conversion and read it (direct mode) */
static int re_read_sample(struct iio_dev *indio_dev, unsigned int ch, int *val)
{
	struct re_state *st = iio_priv(indio_dev);
	unsigned long timeout;
	int ret;

	mutex_lock(&st->lock);
	reinit_completion(&st->sample_done);
	st->want_sample = true;
	/* sixteen periods of the slowest rate at most */
	timeout = msecs_to_jiffies(16 * MILLI * ads131m04_osr[st->osr_idx] /
				   (st->clkin_hz / 2) + 100);
	mutex_unlock(&st->lock);

	if (!wait_for_completion_timeout(&st->sample_done, timeout)) {
		mutex_lock(&st->lock);
		st->want_sample = false;
		mutex_unlock(&st->lock);
		return -ETIMEDOUT;
	}

	mutex_lock(&st->lock);
	ret = st->sample_err;
	*val = st->sample[ch];
	mutex_unlock(&st->lock);

	return ret ? ret : IIO_VAL_INT;
}

static int re_read_raw(struct iio_dev *indio_dev,
		       struct iio_chan_spec const *chan,
		       int *val, int *val2, long mask)
{
	struct re_state *st = iio_priv(indio_dev);
	unsigned int g;
	int ret;

	switch (mask) {
	case IIO_CHAN_INFO_RAW:
		ret = iio_device_claim_direct_mode(indio_dev);
		if (ret)
			return ret;
		ret = re_read_sample(indio_dev, chan->channel, val);
		iio_device_release_direct_mode(indio_dev);
		return ret;
	case IIO_CHAN_INFO_SCALE:
		mutex_lock(&st->lock);
		g = st->gain_idx[chan->channel];
		mutex_unlock(&st->lock);
		*val = st->scale_avail[chan->channel][2 * g];
		*val2 = st->scale_avail[chan->channel][2 * g + 1];
		return IIO_VAL_INT_PLUS_NANO;
	case IIO_CHAN_INFO_OFFSET:
		/* bipolar two's complement: zero is zero */
		*val = 0;
		return IIO_VAL_INT;
	case IIO_CHAN_INFO_SAMP_FREQ:
		mutex_lock(&st->lock);
		*val = st->samp_freq_avail[2 * st->osr_idx];
		*val2 = st->samp_freq_avail[2 * st->osr_idx + 1];
		mutex_unlock(&st->lock);
		return IIO_VAL_INT_PLUS_MICRO;
	default:
		return -EINVAL;
	}
}

static int re_read_avail(struct iio_dev *indio_dev,
			 struct iio_chan_spec const *chan,
			 const int **vals, int *type, int *length, long mask)
{
	struct re_state *st = iio_priv(indio_dev);

	switch (mask) {
	case IIO_CHAN_INFO_SCALE:
		*vals = st->scale_avail[chan->channel];
		*length = RE_NUM_GAINS * 2;
		*type = IIO_VAL_INT_PLUS_NANO;
		return IIO_AVAIL_LIST;
	case IIO_CHAN_INFO_SAMP_FREQ:
		*vals = st->samp_freq_avail;
		*length = ADS131M04_NUM_OSR * 2;
		*type = IIO_VAL_INT_PLUS_MICRO;
		return IIO_AVAIL_LIST;
	default:
		return -EINVAL;
	}
}

static int re_write_raw_get_fmt(struct iio_dev *indio_dev,
				struct iio_chan_spec const *chan, long mask)
{
	if (mask == IIO_CHAN_INFO_SCALE)
		return IIO_VAL_INT_PLUS_NANO;

	return IIO_VAL_INT_PLUS_MICRO;
}

static int re_set_gain(struct re_state *st, unsigned int ch, int val, int val2)
{
	unsigned int g;
	int ret;

	for (g = 0; g < RE_NUM_GAINS; g++)
		if (st->scale_avail[ch][2 * g] == val &&
		    st->scale_avail[ch][2 * g + 1] == val2)
			break;
	if (g == RE_NUM_GAINS)
		return -EINVAL;

	mutex_lock(&st->lock);
	ret = regmap_update_bits(st->regmap, ADS131M04_REG_GAIN1,
				 ADS131M04_GAIN_MASK(ch), g << (4 * ch));
	if (!ret)
		st->gain_idx[ch] = g;
	mutex_unlock(&st->lock);

	return ret;
}

static int re_set_samp_freq(struct re_state *st, int val, int val2)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ADS131M04_NUM_OSR; i++)
		if (st->samp_freq_avail[2 * i] == val &&
		    st->samp_freq_avail[2 * i + 1] == val2)
			break;
	if (i == ADS131M04_NUM_OSR)
		return -EINVAL;

	mutex_lock(&st->lock);
	ret = regmap_update_bits(st->regmap, ADS131M04_REG_CLOCK,
				 ADS131M04_CLOCK_OSR,
				 FIELD_PREP(ADS131M04_CLOCK_OSR, i));
	if (!ret)
		st->osr_idx = i;
	mutex_unlock(&st->lock);

	return ret;
}

static int re_write_raw(struct iio_dev *indio_dev,
			struct iio_chan_spec const *chan,
			int val, int val2, long mask)
{
	struct re_state *st = iio_priv(indio_dev);
	int ret;

	ret = iio_device_claim_direct_mode(indio_dev);
	if (ret)
		return ret;

	switch (mask) {
	case IIO_CHAN_INFO_SCALE:
		ret = re_set_gain(st, chan->channel, val, val2);
		break;
	case IIO_CHAN_INFO_SAMP_FREQ:
		ret = re_set_samp_freq(st, val, val2);
		break;
	default:
		ret = -EINVAL;
		break;
	}

	iio_device_release_direct_mode(indio_dev);

	return ret;
}

static int re_read_label(struct iio_dev *indio_dev,
			 struct iio_chan_spec const *chan, char *label)
{
	if (chan->channel < 0 || chan->channel >= ADS131M04_NUM_CH)
		return -EINVAL;

	return sysfs_emit(label, "%s\n", re_labels[chan->channel]);
}

static ssize_t crc_error_count_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct re_state *st = iio_priv(dev_to_iio_dev(dev));
	u64 n;

	mutex_lock(&st->lock);
	n = st->crc_errors;
	mutex_unlock(&st->lock);

	return sysfs_emit(buf, "%llu\n", n);
}

static ssize_t overrun_count_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct re_state *st = iio_priv(dev_to_iio_dev(dev));
	u64 n;

	mutex_lock(&st->lock);
	n = st->overruns;
	mutex_unlock(&st->lock);

	return sysfs_emit(buf, "%llu\n", n);
}

/* Resets of the part the driver noticed and recovered from since probe */
static ssize_t board_resets_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct re_state *st = iio_priv(dev_to_iio_dev(dev));
	u64 n;

	mutex_lock(&st->lock);
	n = st->board_resets;
	mutex_unlock(&st->lock);

	return sysfs_emit(buf, "%llu\n", n);
}

static IIO_DEVICE_ATTR_RO(crc_error_count, 0);
static IIO_DEVICE_ATTR_RO(overrun_count, 0);
static IIO_DEVICE_ATTR_RO(board_resets, 0);

static struct attribute *re_attributes[] = {
	&iio_dev_attr_crc_error_count.dev_attr.attr,
	&iio_dev_attr_overrun_count.dev_attr.attr,
	&iio_dev_attr_board_resets.dev_attr.attr,
	NULL
};

static const struct attribute_group re_attribute_group = {
	.attrs = re_attributes,
};

/* direct_reg_access in the IIO debugfs directory (which needs it to exist) */
static int re_debugfs_reg_access(struct iio_dev *indio_dev, unsigned int reg,
				 unsigned int writeval, unsigned int *readval)
{
	struct re_state *st = iio_priv(indio_dev);
	int ret;

	mutex_lock(&st->lock);
	if (readval)
		ret = regmap_read(st->regmap, reg, readval);
	else
		ret = regmap_write(st->regmap, reg, writeval);
	mutex_unlock(&st->lock);

	return ret;
}

static const struct iio_info re_info = {
	.debugfs_reg_access = re_debugfs_reg_access,
	.read_raw = re_read_raw,
	.read_avail = re_read_avail,
	.write_raw = re_write_raw,
	.write_raw_get_fmt = re_write_raw_get_fmt,
	.read_label = re_read_label,
	.attrs = &re_attribute_group,
};

/* One conversion period, ns; called with st->lock held */
static s64 re_period_ns(struct re_state *st)
{
	return div_u64((u64)ads131m04_osr[st->osr_idx] * NSEC_PER_SEC,
		       st->clkin_hz / 2);
}

/*
 * Write every setting the driver holds: after a reset the part runs on its
 * defaults (no input CRC, OSR 1024, gain 1) and flags STATUS.RESET, which
 * the MODE write clears. Called with st->lock held.
 */
static int re_configure(struct re_state *st)
{
	unsigned int ch, gain = 0;
	int ret;

	/* The part checks our CRC from now on; clear the RESET flag */
	ret = regmap_write(st->regmap, ADS131M04_REG_MODE,
			   ADS131M04_MODE_DEFAULT | ADS131M04_MODE_RX_CRC_EN);
	if (ret)
		return ret;
	ret = regmap_write(st->regmap, ADS131M04_REG_CLOCK,
			   ADS131M04_CLOCK_CH_EN |
			   FIELD_PREP(ADS131M04_CLOCK_OSR, st->osr_idx) |
			   FIELD_PREP(ADS131M04_CLOCK_PWR,
				      ADS131M04_CLOCK_PWR_HR));
	if (ret)
		return ret;
	for (ch = 0; ch < ADS131M04_NUM_CH; ch++)
		gain |= st->gain_idx[ch] << (4 * ch);

	return regmap_write(st->regmap, ADS131M04_REG_GAIN1, gain);
}

/*
 * The part was reset (a brown-out, SYNC/RESET held low): it says so in
 * STATUS.RESET and converts on its defaults. Put the settings back, count
 * it, say so; the conversions until the next one pushed are counted lost.
 * Called with st->lock held.
 */
static int re_recover_reset(struct re_state *st, unsigned int status)
{
	int ret;

	ret = re_configure(st);
	if (ret) {
		st->errors++;
		dev_err_ratelimited(st->dev,
				    "board was reset, restoring its settings failed: %d\n",
				    ret);
		return ret;
	}
	st->board_resets++;
	st->count_gap = st->streaming;
	/* A conversion made before the settings took hold reads until then */
	st->settle_until = iio_get_time_ns(st->indio_dev) + re_period_ns(st);
	dev_warn_ratelimited(st->dev,
			     "board was reset (STATUS 0x%04x): settings restored%s\n",
			     status, st->streaming ? ", streaming again" : "");

	return 0;
}

/*
 * The part converts on its own clock whether it is read or not: after a
 * reset or an outage, the periods between the last sample pushed and this
 * one, less one, are conversions lost. Called with st->lock held.
 */
static void re_count_gap(struct re_state *st, s64 now)
{
	s64 period = re_period_ns(st), n;

	if (st->count_gap && now > st->last_ts) {
		n = div64_s64(now - st->last_ts + period / 2, period);
		if (n > 1)
			st->reset_lost += n - 1;
	}
	st->count_gap = false;
	st->last_ts = now;
}

static irqreturn_t re_irq_thread(int irq, void *private)
{
	struct iio_dev *indio_dev = private;
	struct re_state *st = iio_priv(indio_dev);
	s64 now = iio_get_time_ns(indio_dev);
	bool buffered = iio_buffer_enabled(indio_dev);
	u16 status;
	int ret;

	mutex_lock(&st->lock);
	if (!buffered && !st->want_sample)
		goto out;

	/* NULL: the STATUS word and the conversions; clears DRDY */
	ret = re_frame(st, ADS131M04_CMD_NULL, NULL, 0, &status,
		       st->scan.ch);
	/*
	 * Made on the part's defaults after a reset (its first answer is the
	 * reset response, then STATUS.RESET until MODE is written): not
	 * data, nor what is read until a conversion made with the settings
	 * restored can have come. A direct read waits for that one.
	 */
	if (!ret && (status == ADS131M04_RESP_RESET ||
		     (status & ADS131M04_STATUS_RESET))) {
		re_recover_reset(st, status);
		goto out;
	}
	if (!ret && now < st->settle_until)
		goto out;
	if (!ret && (status & ADS131M04_STATUS_CRC_ERR)) {
		/* the part saw a bad CRC on an earlier command of ours */
		st->crc_errors++;
	}
	/*
	 * No new conversion in this frame: a DRDY answered late, whose
	 * conversion an earlier read took. Not a new scan; a direct read
	 * waits for the next one.
	 */
	if (!ret && (status & ADS131M04_STATUS_DRDY) !=
		    ADS131M04_STATUS_DRDY) {
		st->stale_frames++;
		goto out;
	}

	if (st->want_sample) {
		st->sample_err = ret;
		memcpy(st->sample, st->scan.ch, sizeof(st->sample));
		st->want_sample = false;
		complete(&st->sample_done);
	}
	/* A sample whose CRC failed is dropped: it is not data */
	if (buffered && !ret) {
		re_count_gap(st, now);
		st->samples++;
		if (iio_push_to_buffers_with_timestamp(indio_dev, &st->scan,
						       now))
			st->overruns++;
	}
	if (ret && ret != -EBADMSG)
		dev_err_ratelimited(st->dev, "frame read failed: %d\n", ret);
out:
	mutex_unlock(&st->lock);

	return IRQ_HANDLED;
}

static unsigned long re_watchdog_delay(struct re_state *st)
{
	unsigned int ms = div_u64(re_period_ns(st) * RE_WD_PERIODS,
				  NSEC_PER_MSEC);

	return msecs_to_jiffies(max_t(unsigned int, ms, RE_WD_MIN_MS));
}

/*
 * While streaming: if no sample arrived for RE_WD_PERIODS periods, ask the
 * part for its ID. No answer: say so (once per outage), and count what the
 * outage cost when samples come again. An answer: if the part was reset,
 * put its settings back.
 */
static void re_watchdog_work(struct work_struct *work)
{
	struct re_state *st = container_of(to_delayed_work(work),
					   struct re_state, watchdog);
	unsigned int id = 0, status;
	int ret;

	mutex_lock(&st->lock);
	if (!st->streaming)
		goto out;

	if (st->samples != st->wd_samples) {
		if (st->dead)
			dev_info(st->dev, "board answering again\n");
		st->dead = false;
		goto requeue;
	}

	ret = regmap_read(st->regmap, ADS131M04_REG_ID, &id);
	if (ret || (id & ADS131M04_ID_MASK) != ADS131M04_ID) {
		if (!st->dead)
			dev_err(st->dev,
				"board not answering (ID read %d, 0x%04x): no conversion for %u ms\n",
				ret, id,
				jiffies_to_msecs(re_watchdog_delay(st)));
		st->dead = true;
		st->count_gap = true;
		st->errors++;
	} else {
		ret = regmap_read(st->regmap, ADS131M04_REG_STATUS, &status);
		if (!ret && (status & ADS131M04_STATUS_RESET))
			ret = re_recover_reset(st, status);
		if (ret)
			st->errors++;
	}
requeue:
	st->wd_samples = st->samples;
	schedule_delayed_work(&st->watchdog, re_watchdog_delay(st));
out:
	mutex_unlock(&st->lock);
}

static int re_buffer_postenable(struct iio_dev *indio_dev)
{
	struct re_state *st = iio_priv(indio_dev);
	unsigned int status;
	int ret;

	mutex_lock(&st->lock);
	/* Reset while stopped (and no direct read since): put it right */
	ret = regmap_read(st->regmap, ADS131M04_REG_STATUS, &status);
	if (!ret && (status & ADS131M04_STATUS_RESET)) {
		ret = re_configure(st);
		if (!ret) {
			st->board_resets++;
			st->settle_until = iio_get_time_ns(indio_dev) +
					   re_period_ns(st);
			dev_warn_ratelimited(st->dev,
					     "board was reset while stopped: settings restored\n");
		}
	}
	if (ret) {
		dev_err(st->dev, "failed to start: %d\n", ret);
	} else {
		st->streaming = true;
		st->dead = false;
		st->count_gap = false;
		st->last_ts = iio_get_time_ns(indio_dev);
		st->wd_samples = st->samples;
		schedule_delayed_work(&st->watchdog, re_watchdog_delay(st));
	}
	mutex_unlock(&st->lock);

	return ret;
}

static int re_buffer_predisable(struct iio_dev *indio_dev)
{
	struct re_state *st = iio_priv(indio_dev);

	mutex_lock(&st->lock);
	st->streaming = false;
	mutex_unlock(&st->lock);
	/* The watchdog takes st->lock: stop it outside */
	cancel_delayed_work_sync(&st->watchdog);

	return 0;
}

static const struct iio_buffer_setup_ops re_buffer_ops = {
	.postenable = re_buffer_postenable,
	.predisable = re_buffer_predisable,
};

static int re_stats_show(struct seq_file *s, void *unused)
{
	struct re_state *st = s->private;

	mutex_lock(&st->lock);
	seq_printf(s, "samples %llu\ncrc_errors %llu\noverruns %llu\n",
		   st->samples, st->crc_errors, st->overruns);
	seq_printf(s, "errors %llu\nboard_dead %d\nboard_resets %llu\n",
		   st->errors, st->dead, st->board_resets);
	seq_printf(s, "reset_lost %llu\nstale_frames %llu\n", st->reset_lost,
		   st->stale_frames);
	mutex_unlock(&st->lock);

	return 0;
}
DEFINE_SHOW_ATTRIBUTE(re_stats);

static int re_init_chip(struct re_state *st)
{
	struct device *dev = st->dev;
	unsigned int id;
	u16 resp;
	int ret;

	mutex_lock(&st->lock);
	ret = re_command(st, ADS131M04_CMD_RESET, NULL, 0, &resp);
	if (!ret && resp != ADS131M04_RESP_RESET)
		ret = -ENODEV;
	if (ret) {
		mutex_unlock(&st->lock);
		return dev_err_probe(dev, ret, "reset failed (response 0x%04x)\n",
				     ret == -ENODEV ? resp : 0);
	}
	/* tREGACQ after reset */
	fsleep(10);

	ret = regmap_read(st->regmap, ADS131M04_REG_ID, &id);
	if (ret)
		goto out;
	if ((id & ADS131M04_ID_MASK) != ADS131M04_ID) {
		mutex_unlock(&st->lock);
		return dev_err_probe(dev, -ENODEV, "unexpected ID 0x%04x\n", id);
	}

	ret = re_configure(st);
out:
	mutex_unlock(&st->lock);
	if (ret)
		return dev_err_probe(dev, ret, "failed to configure the ADC\n");

	return 0;
}

static void re_read_frontend(struct re_state *st)
{
	static const char * const div_props[] = {
		"cellsense,cell-divider-milli",
		"cellsense,cathode-divider-milli",
		"cellsense,anode-divider-milli",
	};
	static const u32 div_default[] = { 4000, 4000, 2000 };
	struct device *dev = st->dev;
	unsigned int ch;

	for (ch = 0; ch < ARRAY_SIZE(div_props); ch++) {
		st->divider_milli[ch] = div_default[ch];
		device_property_read_u32(dev, div_props[ch],
					 &st->divider_milli[ch]);
	}
	st->shunt_uohm = 1000;
	device_property_read_u32(dev, "cellsense,shunt-micro-ohms",
				 &st->shunt_uohm);
	st->clkin_hz = RE_DEFAULT_CLKIN_HZ;
	device_property_read_u32(dev, "clock-frequency", &st->clkin_hz);
}

static void re_cancel_watchdog(void *data)
{
	struct re_state *st = data;

	cancel_delayed_work_sync(&st->watchdog);
}

static int re_probe(struct spi_device *spi)
{
	struct device *dev = &spi->dev;
	struct iio_dev *indio_dev;
	struct re_state *st;
	unsigned int ch;
	int ret;

	indio_dev = devm_iio_device_alloc(dev, sizeof(*st));
	if (!indio_dev)
		return -ENOMEM;

	st = iio_priv(indio_dev);
	st->spi = spi;
	st->dev = dev;
	st->indio_dev = indio_dev;
	mutex_init(&st->lock);
	init_completion(&st->sample_done);
	INIT_DELAYED_WORK(&st->watchdog, re_watchdog_work);
	/* Buffer disable stops it; unbind disables the buffer, then this */
	ret = devm_add_action_or_reset(dev, re_cancel_watchdog, st);
	if (ret)
		return ret;
	st->osr_idx = RE_DEFAULT_OSR_IDX;

	re_read_frontend(st);
	for (ch = 0; ch < RE_CURRENT; ch++)
		if (!st->divider_milli[ch] || st->divider_milli[ch] > 1000000)
			return dev_err_probe(dev, -EINVAL,
					     "bad divider ratio %u/1000\n",
					     st->divider_milli[ch]);
	if (!st->shunt_uohm || st->shunt_uohm > 1000000000)
		return dev_err_probe(dev, -EINVAL, "bad shunt %u uOhm\n",
				     st->shunt_uohm);
	if (st->clkin_hz < 300000 || st->clkin_hz > 8500000)
		return dev_err_probe(dev, -EINVAL, "bad clock %u Hz\n",
				     st->clkin_hz);
	re_init_tables(st);

	st->regmap = devm_regmap_init(dev, NULL, st, &re_regmap_config);
	if (IS_ERR(st->regmap))
		return dev_err_probe(dev, PTR_ERR(st->regmap),
				     "failed to init regmap\n");

	ret = re_init_chip(st);
	if (ret)
		return ret;

	indio_dev->name = "ads131m04";
	indio_dev->info = &re_info;
	indio_dev->modes = INDIO_DIRECT_MODE;
	indio_dev->channels = re_channels;
	indio_dev->num_channels = ARRAY_SIZE(re_channels);
	indio_dev->available_scan_masks = re_scan_masks;

	if (spi->irq <= 0)
		return dev_err_probe(dev, -ENXIO, "DRDY interrupt required\n");

	ret = devm_request_threaded_irq(dev, spi->irq, NULL, re_irq_thread,
					IRQF_ONESHOT, dev_name(dev), indio_dev);
	if (ret)
		return dev_err_probe(dev, ret, "failed to request IRQ\n");

	ret = devm_iio_kfifo_buffer_setup(dev, indio_dev, &re_buffer_ops);
	if (ret)
		return dev_err_probe(dev, ret, "failed to set up buffer\n");

	ret = devm_iio_device_register(dev, indio_dev);
	if (ret)
		return ret;

	/* Removed with the device's IIO debugfs directory */
	debugfs_create_file("re_stats", 0400, iio_get_debugfs_dentry(indio_dev),
			    st, &re_stats_fops);

	return 0;
}

static const struct of_device_id re_of_match[] = {
	{ .compatible = "cellsense,re-frontend" },
	{ }
};
MODULE_DEVICE_TABLE(of, re_of_match);

static const struct spi_device_id re_id[] = {
	{ "re-frontend" },
	{ }
};
MODULE_DEVICE_TABLE(spi, re_id);

static struct spi_driver re_driver = {
	.driver = {
		.name = "cellsense-re",
		.of_match_table = re_of_match,
	},
	.probe = re_probe,
	.id_table = re_id,
};
module_spi_driver(re_driver);

MODULE_DESCRIPTION("cellsense reference-electrode front-end (TI ADS131M04) IIO driver");
MODULE_LICENSE("GPL");
