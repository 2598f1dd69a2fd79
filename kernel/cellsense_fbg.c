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
 * by a soft timestamp.
 */

#include <linux/bitfield.h>
#include <linux/bitmap.h>
#include <linux/bits.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/math.h>
#include <linux/math64.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/property.h>
#include <linux/regmap.h>
#include <linux/spi/spi.h>
#include <linux/string.h>
#include <linux/units.h>

#include <linux/iio/buffer.h>
#include <linux/iio/iio.h>
#include <linux/iio/kfifo_buf.h>
#include <linux/iio/sysfs.h>

#include "cellsense_fbg.h"

#define FBG_BLOCK_BYTES		(FBG_PIX_PER_BLOCK * sizeof(__le16))
#define FBG_MAX_BLOCKS		(FBG_MAX_PIXELS / FBG_PIX_PER_BLOCK)
/* Rounds of "read STATUS, drain FIFO" per interrupt before giving up */
#define FBG_MAX_DRAIN_ROUNDS	4

struct fbg_state {
	struct regmap *regmap;
	struct device *dev;
	/* Serialises configuration and the streaming state below */
	struct mutex lock;
	unsigned int npix;
	unsigned int nblocks;
	unsigned int period_us;
	s64 cal[FBG_NUM_CAL];
	/* Streaming state, copied from the core at postenable */
	bool streaming;
	bool push_ts;
	DECLARE_BITMAP(blocks, FBG_MAX_BLOCKS);
	/* Spectra lost: on the board (FIFO full) and on the host (buffer full) */
	u64 board_overruns;
	u64 host_overruns;
	/* Scan as pushed to the IIO buffer: enabled blocks, then timestamp */
	u8 *scan;
	/* One spectrum as read from the FIFO data port */
	__le16 raw[FBG_MAX_PIXELS] __aligned(IIO_DMA_MINALIGN);
};

static bool fbg_writeable_reg(struct device *dev, unsigned int reg)
{
	switch (reg) {
	case FBG_REG_CTRL:
	case FBG_REG_INT_TIME:
	case FBG_REG_SCAN_PERIOD:
		return true;
	default:
		return false;
	}
}

static bool fbg_readable_reg(struct device *dev, unsigned int reg)
{
	switch (reg) {
	case FBG_REG_ID ... FBG_REG_FIFO_DEPTH:
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
	int ret;

	switch (mask) {
	case IIO_CHAN_INFO_SAMP_FREQ:
		mutex_lock(&st->lock);
		reg = st->period_us;
		mutex_unlock(&st->lock);
		freq_uhz = div_u64(1000000ULL * USEC_PER_SEC, reg);
		*val = div_u64_rem(freq_uhz, MICROHZ_PER_HZ, val2);
		return IIO_VAL_INT_PLUS_MICRO;
	case IIO_CHAN_INFO_INT_TIME:
		ret = regmap_read(st->regmap, FBG_REG_INT_TIME, &reg);
		if (ret)
			return ret;
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
	unsigned int period_us, int_us;
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
	ret = regmap_read(st->regmap, FBG_REG_INT_TIME, &int_us);
	if (!ret && int_us > period_us - FBG_READOUT_US)
		dev_dbg(st->dev, "integration time clamped to %u us\n",
			period_us - FBG_READOUT_US);
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
	if (int_us > st->period_us - FBG_READOUT_US)
		ret = -EINVAL;
	else
		ret = regmap_write(st->regmap, FBG_REG_INT_TIME, int_us);
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

static IIO_DEVICE_ATTR_RO(in_intensity_wavelength_coeffs, 0);
static IIO_DEVICE_ATTR_RO(overrun_count, 0);

static struct attribute *fbg_attributes[] = {
	&iio_dev_attr_in_intensity_wavelength_coeffs.dev_attr.attr,
	&iio_dev_attr_overrun_count.dev_attr.attr,
	NULL
};

static const struct attribute_group fbg_attribute_group = {
	.attrs = fbg_attributes,
};

static const struct iio_info fbg_info = {
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

/* Called with st->lock held, st->raw holding one spectrum */
static void fbg_push_spectrum(struct iio_dev *indio_dev, s64 ts)
{
	struct fbg_state *st = iio_priv(indio_dev);
	const u8 *raw = (const u8 *)st->raw;
	unsigned int blk, off = 0;

	for_each_set_bit(blk, st->blocks, st->nblocks) {
		memcpy(st->scan + off, raw + blk * FBG_BLOCK_BYTES,
		       FBG_BLOCK_BYTES);
		off += FBG_BLOCK_BYTES;
	}

	/*
	 * The timestamp element starts right after the pixel blocks, not at
	 * scan_bytes - 8 where iio_push_to_buffers_with_timestamp() puts it.
	 * Its padding may hold pixels of an earlier layout: clear it.
	 */
	if (st->push_ts) {
		memcpy(st->scan + off, &ts, sizeof(ts));
		memset(st->scan + off + sizeof(ts), 0,
		       FBG_BLOCK_BYTES - sizeof(ts));
	}

	if (iio_push_to_buffers(indio_dev, st->scan))
		st->host_overruns++;
}

static irqreturn_t fbg_irq_thread(int irq, void *private)
{
	struct iio_dev *indio_dev = private;
	struct fbg_state *st = iio_priv(indio_dev);
	s64 now = iio_get_time_ns(indio_dev);
	unsigned int status, level, i, round;
	s64 period_ns, ts;
	int ret;

	mutex_lock(&st->lock);
	period_ns = (s64)st->period_us * NSEC_PER_USEC;

	for (round = 0; round < FBG_MAX_DRAIN_ROUNDS; round++) {
		ret = regmap_read(st->regmap, FBG_REG_STATUS, &status);
		if (ret)
			break;
		if (status & FBG_STATUS_OVR)
			fbg_collect_overruns(st);

		/* DRDY stays asserted until the FIFO has been emptied */
		level = FIELD_GET(FBG_STATUS_FIFO_LEVEL, status);
		if (!level)
			break;

		for (i = 0; i < level; i++) {
			ret = regmap_noinc_read(st->regmap, FBG_REG_FIFO_DATA,
						st->raw,
						st->npix * sizeof(__le16));
			if (ret)
				goto out;
			if (!st->streaming)
				continue;
			/* Spectra were completed one scan period apart */
			ts = now - (s64)(level - 1 - i) * period_ns;
			fbg_push_spectrum(indio_dev, ts);
		}
		now = iio_get_time_ns(indio_dev);
	}
out:
	if (ret)
		dev_err_ratelimited(st->dev, "FIFO read failed: %d\n", ret);
	mutex_unlock(&st->lock);

	return IRQ_HANDLED;
}

static int fbg_buffer_postenable(struct iio_dev *indio_dev)
{
	struct fbg_state *st = iio_priv(indio_dev);
	int ret;

	mutex_lock(&st->lock);
	bitmap_copy(st->blocks, indio_dev->active_scan_mask, st->nblocks);
	st->push_ts = indio_dev->scan_timestamp;
	st->streaming = true;

	ret = regmap_write(st->regmap, FBG_REG_CTRL,
			   FBG_CTRL_FIFO_FLUSH | FBG_CTRL_DRDY_EN);
	if (!ret)
		ret = regmap_write(st->regmap, FBG_REG_CTRL,
				   FBG_CTRL_RUN | FBG_CTRL_DRDY_EN);
	if (ret)
		st->streaming = false;
	mutex_unlock(&st->lock);

	return ret;
}

static int fbg_buffer_predisable(struct iio_dev *indio_dev)
{
	struct fbg_state *st = iio_priv(indio_dev);
	int ret;

	mutex_lock(&st->lock);
	st->streaming = false;
	ret = regmap_write(st->regmap, FBG_REG_CTRL,
			   FBG_CTRL_FIFO_FLUSH | FBG_CTRL_DRDY_EN);
	mutex_unlock(&st->lock);

	return ret;
}

static const struct iio_buffer_setup_ops fbg_buffer_ops = {
	.postenable = fbg_buffer_postenable,
	.predisable = fbg_buffer_predisable,
};

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

	chans = devm_kcalloc(st->dev, st->nblocks + 1, sizeof(*chans),
			     GFP_KERNEL);
	if (!chans)
		return -ENOMEM;

	for (i = 0; i < st->nblocks; i++) {
		chans[i] = fbg_block_template;
		chans[i].channel = i;
		chans[i].scan_index = i;
	}
	chans[i] = (struct iio_chan_spec)IIO_CHAN_SOFT_TIMESTAMP(i);
	/*
	 * The core pads every scan to a multiple of its largest element, a
	 * whole pixel block. libiio 0.24 (Debian 12) does not, so with a plain
	 * 8-byte timestamp it reads past a record and fails with -EINVAL.
	 * Declaring the timestamp element one block long (s64 nanoseconds
	 * first, zeros after) makes both agree on the record size.
	 */
	chans[i].scan_type.repeat = FBG_BLOCK_BYTES / sizeof(s64);

	indio_dev->channels = chans;
	indio_dev->num_channels = st->nblocks + 1;

	/* Largest scan the core can ask for: all blocks and the timestamp */
	st->scan = devm_kzalloc(st->dev,
				st->npix * sizeof(__le16) + FBG_BLOCK_BYTES,
				GFP_KERNEL);
	if (!st->scan)
		return -ENOMEM;

	return 0;
}

static int fbg_init_board(struct fbg_state *st)
{
	struct device *dev = st->dev;
	unsigned int id, version;
	int ret;

	ret = regmap_write(st->regmap, FBG_REG_CTRL, FBG_CTRL_RESET);
	if (ret)
		return dev_err_probe(dev, ret, "failed to reset board\n");
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

	ret = fbg_read_cal(st);
	if (ret)
		return dev_err_probe(dev, ret, "failed to read calibration\n");

	return regmap_write(st->regmap, FBG_REG_CTRL, FBG_CTRL_DRDY_EN);
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
	mutex_init(&st->lock);

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
	return devm_iio_device_register(dev, indio_dev);
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
