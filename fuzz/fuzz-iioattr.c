// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: what reaches the libiio input layer from outside, a
 * user's -u URI and a rig's wavelength-coefficient attribute (a remote
 * iiod can send anything), each accepted with a result that makes sense
 * or refused with -EINVAL and a reason, never a crash; and the same bytes
 * as the scan elements a device reports, laid out as the tools' -d and
 * csacq's sidecar both lay them out (cs_iio_layout(), cs_iio_run_layout()):
 * every element aligned to its size inside the scan, a run's samples the
 * data elements' own, its format text one the sidecar's reader takes back.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense-iio.h"
#include "cs-iioattr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t element_bytes(const struct cs_iio_element *e)
{
	return (size_t)e->fmt.storage / 8 * (e->repeat ? e->repeat : 1);
}

/* Four bytes an element: its kind, format, bits and shift, repeat. */
static size_t make_elements(const uint8_t *data, size_t size,
			    struct cs_iio_element *el)
{
	static const char *const ids[] = { "voltage", "voltage", "timestamp",
					   "index" };
	size_t n = 0;

	for (; n < CS_IIO_MAX_ELEMENTS && (n + 1) * 4 <= size; n++) {
		const uint8_t *b = data + n * 4;
		struct cs_iio_element *e = &el[n];

		memset(e, 0, sizeof(*e));
		snprintf(e->id, sizeof(e->id), "%s", ids[b[0] % 4]);
		if (b[0] % 4 < 2)
			snprintf(e->id, sizeof(e->id), "voltage%zu", n);
		/* storage 0 now and then: an element the layout refuses */
		e->fmt.storage = (b[1] & 0x80) ? 0 : 8u << (b[1] % 4);
		e->fmt.big_endian = (b[1] >> 2) & 1;
		e->fmt.is_signed = (b[1] >> 3) & 1;
		e->fmt.bits = e->fmt.storage ? 1 + b[2] % e->fmt.storage : 1;
		e->fmt.shift = e->fmt.storage ?
			       (b[2] >> 4) % (e->fmt.storage - e->fmt.bits + 1) : 0;
		e->repeat = b[3];	/* 0 is taken as 1 */
		e->scan_index = (unsigned int)n;
		e->scale = 1.0 + b[0];
	}
	return n;
}

static void check_layout(const uint8_t *data, size_t size)
{
	static struct cs_iio_element el[CS_IIO_MAX_ELEMENTS];
	static struct cs_run_stream s;
	struct cs_sample_format back;
	size_t n = make_elements(data, size, el), end = 0, largest = 0;
	size_t samples = 0, block = 0, pos, scan = cs_iio_layout(el, n);
	const struct cs_iio_element *first = NULL;
	char err[256] = "";
	int ret;

	for (size_t i = 0; scan && i < n; i++) {
		size_t len = element_bytes(&el[i]);

		if (el[i].offset % len || el[i].offset < end)
			abort();	/* misaligned or overlapping */
		end = el[i].offset + len;
		if (len > largest)
			largest = len;
		if (cs_iio_element_is_data(&el[i])) {
			if (!samples) {
				block = el[i].repeat ? el[i].repeat : 1;
				first = &el[i];
			}
			samples += el[i].repeat ? el[i].repeat : 1;
		}
	}
	if (scan && (scan < end || scan % largest))
		abort();
	ret = cs_iio_run_layout(el, n, scan, &s, err, sizeof(err));
	if (ret) {
		if (ret != -EINVAL || !err[0])
			abort();
		return;
	}
	if (!scan || s.scan_bytes != scan || s.samples != samples ||
	    s.block != block || s.nscales > CS_RUN_MAX_SCALES)
		abort();
	/* what csacq writes, fbgtrack --run reads back */
	if (cs_sample_format_parse(s.format, &back, &pos) ||
	    back.big_endian != first->fmt.big_endian ||
	    back.is_signed != first->fmt.is_signed ||
	    back.bits != first->fmt.bits ||
	    back.storage != first->fmt.storage ||
	    back.shift != first->fmt.shift)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), out[64];
	struct cs_wavescale ws;
	const char *why;
	size_t pos;
	int ret;

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	ret = cs_iio_uri_normalise(s, out, sizeof(out), &why);
	if (ret == 0 && !strchr(out, ':'))
		abort();
	if (ret && (ret != -EINVAL || !why))
		abort();
	ret = cs_iio_wavescale_parse(s, &ws, &pos);
	if (ret == 0 && (ws.ncoeffs < 2 || ws.c[1] == 0.0))
		abort();
	if (ret && ret != -EINVAL)
		abort();
	free(s);
	check_layout(data, size);
	return 0;
}
