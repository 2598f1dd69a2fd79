// SPDX-License-Identifier: LGPL-2.1-or-later
/* Front-end attributes and scan layout through libiio (see cs-iioattr.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iio.h>

#include "cs-iioattr.h"

int cs_iio_attr_write(struct iio_device *dev, const char *attr,
		      const char *value, char *readback, size_t len)
{
	ssize_t ret;

	if (!iio_device_find_attr(dev, attr))
		return -ENOENT;
	ret = iio_device_attr_write(dev, attr, value);
	if (ret < 0)
		return (int)ret;
	ret = iio_device_attr_read(dev, attr, readback, len);
	if (ret < 0)
		return (int)ret;
	readback[strcspn(readback, "\n")] = '\0';
	return 0;
}

static void format_text(const struct iio_data_format *f, char *dst,
			size_t len)
{
	snprintf(dst, len, "%s:%c%u/%u>>%u", f->is_be ? "be" : "le",
		 f->is_signed ? 's' : 'u', f->bits, f->length, f->shift);
}

/* Space-separated numbers of channel attribute @attr into @v. */
static unsigned int read_numbers(const struct iio_channel *ch,
				 const char *attr, double *v, unsigned int max)
{
	char buf[512], *p = buf, *end;
	unsigned int n = 0;

	if (!iio_channel_find_attr(ch, attr) ||
	    iio_channel_attr_read(ch, attr, buf, sizeof(buf)) < 0)
		return 0;
	while (n < max) {
		double x = strtod(p, &end);

		if (end == p)
			break;
		v[n++] = x;
		p = end;
	}
	return n;
}

int cs_iio_stream_layout(struct iio_device *dev, struct cs_run_stream *s,
			 char *err, size_t errlen)
{
	unsigned int nch = iio_device_get_channels_count(dev);
	char fmt[32];
	ssize_t size;
	double rate;

	s->samples = 0;
	s->nscales = 0;
	s->ncoeffs = 0;
	s->format[0] = '\0';
	for (unsigned int i = 0; i < nch; i++) {
		struct iio_channel *ch = iio_device_get_channel(dev, i);
		const struct iio_data_format *f;
		const char *id = iio_channel_get_id(ch);

		if (!iio_channel_is_scan_element(ch) ||
		    !iio_channel_is_enabled(ch))
			continue;
		if (!strcmp(id, "timestamp")) {
			s->timestamps = 1;
			continue;
		}
		if (!strcmp(id, "index")) {
			s->index = 1;
			continue;
		}
		f = iio_channel_get_data_format(ch);
		format_text(f, fmt, sizeof(fmt));
		if (s->format[0] && strcmp(fmt, s->format)) {
			snprintf(err, errlen, "channel %s is %s, the others %s: "
				 "one format a stream", id, fmt, s->format);
			return -EINVAL;
		}
		strcpy(s->format, fmt);
		if (!s->samples)
			s->block = f->repeat ? f->repeat : 1;
		s->samples += f->repeat ? f->repeat : 1;
		if (s->nscales < CS_RUN_MAX_SCALES)
			s->scales[s->nscales++] = f->with_scale ? f->scale : 1.0;
		if (!s->ncoeffs)
			s->ncoeffs = read_numbers(ch, "wavelength_coeffs",
						  s->coeffs, CS_RUN_MAX_COEFFS);
	}
	if (!s->samples) {
		snprintf(err, errlen, "no data channel enabled");
		return -EINVAL;
	}
	size = iio_device_get_sample_size(dev);
	if (size <= 0) {
		snprintf(err, errlen, "no scan size: %s", strerror((int)-size));
		return -EINVAL;
	}
	s->scan_bytes = (size_t)size;
	s->rate_hz = 0.0;
	if (iio_device_find_attr(dev, "sampling_frequency") &&
	    !iio_device_attr_read_double(dev, "sampling_frequency", &rate))
		s->rate_hz = rate;
	return 0;
}
