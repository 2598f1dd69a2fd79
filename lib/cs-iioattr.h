/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcellsense, internal: what csacq asks libiio about a front-end it
 * drives itself (its own context and buffers): write a device attribute
 * and read back what the driver made of it, and the layout of the scans
 * the enabled channels give (for a run's sidecar). The scan elements are
 * read as cs_iiodev reads them (cs_iio_device_elements(), shared), so a
 * run's sidecar and the tools' -d agree on a layout. libiio's own types
 * stay out of the public headers.
 */
#ifndef CS_IIOATTR_H
#define CS_IIOATTR_H

#include <stddef.h>

#include "cellsense.h"
#include "cellsense-iio.h"
#include "cellsense-run.h"

struct iio_device;

/* Write @value to device attribute @attr and put what reads back in
 * @readback (@len bytes). 0, or -errno (-ENOENT: no such attribute). */
CS_API int cs_iio_attr_write(struct iio_device *dev, const char *attr,
			     const char *value, char *readback, size_t len);

/*
 * @dev's enabled input scan elements into @el (room for @max), in scan
 * order and laid out (cs_iio_layout()): *@n of them, the scan's bytes in
 * *@scan_bytes. 0, -E2BIG more than @max, -EPROTO a data format no scan
 * element can have. What cs_iiodev_elements() gives a tool.
 */
CS_API int cs_iio_device_elements(struct iio_device *dev,
				  struct cs_iio_element *el, size_t max,
				  size_t *n, size_t *scan_bytes);

/* A data element: neither the timestamp nor the index element
 * (cellsense_fbg's, or cellsense_us's shot header). */
CS_API int cs_iio_element_is_data(const struct cs_iio_element *e);

/*
 * The layout of a scan of the @n elements at @el (@scan_bytes a scan) in
 * a run's terms, into @s (format, samples, block, scan_bytes, timestamps,
 * index, scales): the data elements must share one format. 0, or -EINVAL
 * with the reason in @err (no data element, two formats, no scan size).
 * No device needed (fuzz-iioattr).
 */
CS_API int cs_iio_run_layout(const struct cs_iio_element *el, size_t n,
			     size_t scan_bytes, struct cs_run_stream *s,
			     char *err, size_t errlen);

/*
 * The layout of @dev's enabled scan elements into @s: cs_iio_run_layout()
 * of cs_iio_device_elements(), with the sampling frequency (rate_hz) and
 * the first data channel's wavelength coefficients (coeffs). 0, or
 * -EINVAL with the reason in @err.
 */
CS_API int cs_iio_stream_layout(struct iio_device *dev, struct cs_run_stream *s,
				 char *err, size_t errlen);

#endif /* CS_IIOATTR_H */
