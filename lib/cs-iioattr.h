/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcellsense, internal: what csacq asks libiio about a front-end: write
 * a device attribute and read back what the driver made of it, and the
 * layout of the scans the enabled channels give (for a run's sidecar).
 * libiio's own types stay out of the public headers.
 */
#ifndef CS_IIOATTR_H
#define CS_IIOATTR_H

#include <stddef.h>

#include "cellsense.h"
#include "cellsense-run.h"

struct iio_device;

/* Write @value to device attribute @attr and put what reads back in
 * @readback (@len bytes). 0, or -errno (-ENOENT: no such attribute). */
CS_API int cs_iio_attr_write(struct iio_device *dev, const char *attr,
			     const char *value, char *readback, size_t len);

/*
 * The layout of @dev's enabled scan elements into @s (format, samples,
 * block, scan_bytes, timestamps, index, rate_hz, scales, coeffs): data
 * channels are those that are neither the timestamp nor cellsense_fbg's
 * index; they must share one format. 0, or -EINVAL with the reason in
 * @err.
 */
CS_API int cs_iio_stream_layout(struct iio_device *dev, struct cs_run_stream *s,
				 char *err, size_t errlen);

#endif /* CS_IIOATTR_H */
