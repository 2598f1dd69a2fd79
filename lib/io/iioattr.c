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

/* Space-separated numbers of channel attribute @attr into @v. */
static unsigned int read_numbers(const struct iio_channel *ch,
				 const char *attr, double *v, unsigned int max)
{
	char buf[512], *p = buf, *end;
	unsigned int n = 0;

	if (!ch || !iio_channel_find_attr(ch, attr) ||
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
	struct cs_iio_element el[CS_IIO_MAX_ELEMENTS];
	size_t n, scan_bytes;
	double rate;
	int ret;

	ret = cs_iio_device_elements(dev, el, CS_IIO_MAX_ELEMENTS, &n,
				     &scan_bytes);
	if (ret) {
		if (ret == -E2BIG)
			snprintf(err, errlen, "more than %d scan elements "
				 "enabled", CS_IIO_MAX_ELEMENTS);
		else
			snprintf(err, errlen, "a scan element of a data "
				 "format libiio cannot read");
		return -EINVAL;
	}
	ret = cs_iio_run_layout(el, n, scan_bytes, s, err, errlen);
	if (ret)
		return ret;
	s->ncoeffs = 0;
	for (size_t i = 0; i < n && !s->ncoeffs; i++)
		if (cs_iio_element_is_data(&el[i]))
			s->ncoeffs = read_numbers(
				iio_device_find_channel(dev, el[i].id, false),
				"wavelength_coeffs", s->coeffs,
				CS_RUN_MAX_COEFFS);
	s->rate_hz = 0.0;
	if (iio_device_find_attr(dev, "sampling_frequency") &&
	    !iio_device_attr_read_double(dev, "sampling_frequency", &rate))
		s->rate_hz = rate;
	return 0;
}
