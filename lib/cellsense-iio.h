/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcellsense, devices through libiio: a front-end, local or on a remote
 * rig through iiod, turned into what the tools already read: a file
 * descriptor that gives scans back to back, exactly as iio_readdev writes
 * them, plus the layout of a scan (format, offsets, timestamp) and the
 * device's attributes. Not included by cellsense.h: a program that uses it
 * includes this header too (libcellsense links libiio either way).
 *
 * Errors: functions that can fail return NULL or -errno, and put a
 * message naming the device or context into the caller's @err (one line,
 * no trailing newline) or into cs_iiodev_error(). Nothing here prints.
 */
#ifndef CELLSENSE_IIO_H
#define CELLSENSE_IIO_H

#include <stddef.h>

#include "cellsense.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CS_IIO_ID_MAX 64
#define CS_IIO_MAX_ELEMENTS 64

/* One enabled scan element, in scan order. */
struct cs_iio_element {
	char id[CS_IIO_ID_MAX];		/* "intensity0", "index", "timestamp" */
	struct cs_sample_format fmt;
	unsigned int repeat;		/* samples in the element, >= 1 */
	unsigned int scan_index;
	size_t offset;			/* bytes from the start of the scan */
	double scale;			/* the channel's scale; 1 when none */
};

/* ---- pure helpers (no device needed; unit-tested) --------------------- */

/*
 * Lay out @n elements (sorted by scan_index first) as the kernel does: each
 * at a multiple of its own size (storage bytes x repeat), the scan padded
 * to a multiple of the largest. Sets each offset; returns the scan's
 * bytes, or 0 for n == 0 or an element of 0 bytes.
 */
CS_API size_t cs_iio_layout(struct cs_iio_element *el, size_t n);
/* The element whose id is @id, or NULL. */
CS_API const struct cs_iio_element *
cs_iio_element_find(const struct cs_iio_element *el, size_t n, const char *id);
/*
 * Elements whose id is @prefix followed by digits only ("intensity" takes
 * intensity0..intensityN, not intensity_x): how many, and whether they
 * are back to back with one format (*@contiguous, may be NULL); their
 * samples together in *@samples (may be NULL).
 */
CS_API size_t cs_iio_elements_prefix(const struct cs_iio_element *el,
				     size_t n, const char *prefix,
				     size_t *samples, int *contiguous);
/*
 * A URI for libiio from what the user gave: NULL or "" is "local:"; a bare
 * "HOST" or "HOST:PORT" gets "ip:" (iio_readdev's users write -u ip:...).
 * 0, or -EINVAL with *@why set (an unknown scheme, an empty host, a port
 * that is not 1..65535, too long for @size).
 */
CS_API int cs_iio_uri_normalise(const char *in, char *out, size_t size,
				const char **why);
/* The cellsense_fbg attribute in_intensity_wavelength_coeffs ("A0 A1 A2
 * A3", blank-separated, trailing zeros allowed) as a wavescale. 0, or
 * -EINVAL with *@err_pos. */
CS_API int cs_iio_wavescale_parse(const char *attr, struct cs_wavescale *ws,
				  size_t *err_pos);

/* ---- a device ---------------------------------------------------------- */

struct cs_iiodev;

/*
 * Open device @device (its label first, else its name, else its id
 * "iio:deviceN") in the context at @uri (cs_iio_uri_normalise() form).
 * NULL with errno and @err set: the context cannot be reached ("cannot
 * reach the IIO context 'ip:rig7': Connection refused ..."), or no such device
 * (the message lists what the context has: "no device 'fbg9' in local:
 * (it has: fbg0 [fbg-interrogator], iio:device1 [re-adc])").
 */
CS_API struct cs_iiodev *cs_iiodev_open(const char *uri, const char *device,
					char *err, size_t errlen);
/* Stops a stream (cs_iiodev_stop()) and frees everything. NULL: nothing. */
CS_API void cs_iiodev_destroy(struct cs_iiodev *d);

/* The URI, the label (the name when there is none), the driver's name. */
CS_API const char *cs_iiodev_uri(const struct cs_iiodev *d);
CS_API const char *cs_iiodev_label(const struct cs_iiodev *d);
CS_API const char *cs_iiodev_name(const struct cs_iiodev *d);

/* A device attribute as text (trailing newline removed) into @buf: its
 * length, or -errno (-ENOENT when the device has no such attribute).
 * @attr is the sysfs file name ("sampling_frequency",
 * "in_intensity_wavelength_coeffs"): where libiio files it under a
 * channel, it is found there. */
CS_API int cs_iiodev_attr_read(struct cs_iiodev *d, const char *attr,
			       char *buf, size_t len);
/* The same as a number: 0, -errno, -EINVAL when it is not one. */
CS_API int cs_iiodev_attr_double(struct cs_iiodev *d, const char *attr,
				 double *v);
CS_API int cs_iiodev_attr_write(struct cs_iiodev *d, const char *attr,
				const char *value);

/*
 * Enable the scan elements whose id is @prefix followed by digits, or is
 * @prefix itself ("intensity", "voltage", "index", "timestamp"). How many
 * were enabled (0: the device has none), or -errno.
 */
CS_API int cs_iiodev_enable(struct cs_iiodev *d, const char *prefix);
/* As cs_iiodev_enable(), only @prefix0 .. @prefix{@count - 1} (>= 1): the
 * blocks a record fills when the device has more (cellsense_us: its
 * record_length / 128 of in_voltage0..31). */
CS_API int cs_iiodev_enable_first(struct cs_iiodev *d, const char *prefix,
				  unsigned int count);
/* The enabled elements in scan order with their offsets (valid until the
 * next cs_iiodev_enable()), and the scan's bytes. */
CS_API size_t cs_iiodev_elements(struct cs_iiodev *d,
				 const struct cs_iio_element **el,
				 size_t *scan_bytes);

/*
 * Stream: a file descriptor to read() (or fdopen()) that gives the enabled
 * elements' scans back to back, as iio_readdev writes them, and ends (EOF)
 * after @max_scans (0: until stopped) or when the device fails. Libiio
 * buffers of @buffer_scans (0: about 0.1 s at the sampling frequency, 1
 * to 4096) are refilled by a thread. -errno with cs_iiodev_error() set.
 * The descriptor belongs to @d.
 */
CS_API int cs_iiodev_start(struct cs_iiodev *d, size_t buffer_scans,
			   unsigned long long max_scans);
/* End the stream (the reader then sees EOF); the thread is joined. */
CS_API void cs_iiodev_stop(struct cs_iiodev *d);
/* Scans passed to the reader so far. */
CS_API unsigned long long cs_iiodev_scans(const struct cs_iiodev *d);
/* Why the stream ended early ("fbg0 on ip:127.0.0.1:30431: refilling the
 * buffer failed after 1200 scans: No such device (the device vanished?)"),
 * or NULL when it ended as asked. Read it after EOF. */
CS_API const char *cs_iiodev_error(const struct cs_iiodev *d);

#ifdef __cplusplus
}
#endif

#endif /* CELLSENSE_IIO_H */
