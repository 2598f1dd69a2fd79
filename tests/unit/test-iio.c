// SPDX-License-Identifier: GPL-2.0-or-later
/* Devices through libiio: the parts that need no device (layout, URIs,
 * wavelength coefficients, opening what is not there). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cellsense-iio.h"
#include "cs-iioattr.h"

static void element(struct cs_iio_element *e, const char *id,
		    const char *fmt, unsigned int repeat, unsigned int index)
{
	memset(e, 0, sizeof(*e));
	strcpy(e->id, id);
	assert_int_equal(cs_sample_format_parse(fmt, &e->fmt, NULL), 0);
	e->repeat = repeat;
	e->scan_index = index;
	e->scale = 1.0;
}

/* cellsense_fbg's elements: 4 blocks of 128 u16 (scales 0.5, 1.5, ...),
 * the 64-word tag, a 32-long timestamp. */
static void fbg_elements(struct cs_iio_element el[6])
{
	for (unsigned int i = 0; i < 4; i++) {
		char id[16];

		snprintf(id, sizeof(id), "intensity%u", i);
		element(&el[i], id, "le:u16/16", 128, i);
		el[i].scale = 0.5 + i;
	}
	element(&el[4], "index", "le:u32/32", 64, 4);
	element(&el[5], "timestamp", "le:s64/64", 32, 5);
}

/* cellsense_fbg: 1024 + 256 + 256 bytes, as fbg-stream.sh measures. */
static void layout_fbg(void **state)
{
	struct cs_iio_element el[6];
	size_t samples;
	int contig;

	(void)state;
	fbg_elements(el);
	assert_int_equal(cs_iio_layout(el, 6), 1536);
	assert_int_equal(el[3].offset, 768);
	assert_int_equal(el[4].offset, 1024);
	assert_int_equal(el[5].offset, 1280);
	assert_int_equal(cs_iio_elements_prefix(el, 6, "intensity", &samples,
						&contig), 4);
	assert_int_equal(samples, 512);
	assert_true(contig);
	assert_ptr_equal(cs_iio_element_find(el, 6, "index"), &el[4]);
	assert_null(cs_iio_element_find(el, 6, "intensity"));
	/* the pixel-only layout: as cs_scan_bytes() has it */
	assert_int_equal(cs_iio_layout(el, 4),
			 cs_scan_bytes(1024, 256, 0));
}

/* A run's stream (csacq's sidecar) from the same elements: cellsense_fbg's
 * blocks are one stream of 512 pixels in blocks of 128 with the index and
 * the timestamp; two data formats are refused, named. */
static void run_layout_fbg(void **state)
{
	static struct cs_run_stream s;
	struct cs_iio_element el[6];
	char err[128] = "";
	size_t scan;

	(void)state;
	fbg_elements(el);
	scan = cs_iio_layout(el, 6);
	assert_int_equal(cs_iio_run_layout(el, 6, scan, &s, err, sizeof(err)),
			 0);
	assert_string_equal(s.format, "le:u16/16>>0");
	assert_int_equal(s.samples, 512);
	assert_int_equal(s.block, 128);
	assert_int_equal(s.scan_bytes, 1536);
	assert_true(s.index && s.timestamps);
	assert_int_equal(s.nscales, 4);
	assert_true(s.scales[3] == 3.5);
	/* without the index and the timestamp */
	assert_int_equal(cs_iio_run_layout(el, 4, cs_iio_layout(el, 4), &s,
					   err, sizeof(err)), 0);
	assert_false(s.index || s.timestamps);
	element(&el[2], "intensity2", "be:s24/32>>8", 128, 2);
	assert_int_equal(cs_iio_run_layout(el, 4, cs_iio_layout(el, 4), &s,
					   err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "channel intensity2 is be:s24/32>>8, "
			       "the others le:u16/16>>0"));
	assert_int_equal(cs_iio_run_layout(el + 4, 2, 512, &s, err,
					   sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no data channel enabled"));
}

/* The reference-electrode ADC: four 24-in-32 channels and an 8-byte
 * timestamp; and padding: a u16 then an s64 timestamp is 16 bytes. */
static void layout_padding(void **state)
{
	struct cs_iio_element el[5];
	int contig;

	(void)state;
	for (unsigned int i = 0; i < 4; i++) {
		char id[16];

		snprintf(id, sizeof(id), "voltage%u", i);
		element(&el[i], id, "be:s24/32>>8", 1, i);
	}
	element(&el[4], "timestamp", "le:s64/64", 1, 4);
	assert_int_equal(cs_iio_layout(el, 5), 24);
	assert_int_equal(el[4].offset, 16);
	element(&el[0], "voltage0", "le:u16/16", 1, 0);
	element(&el[1], "timestamp", "le:s64/64", 1, 1);
	assert_int_equal(cs_iio_layout(el, 2), 16);
	assert_int_equal(el[1].offset, 8);
	/* a gap: not contiguous */
	element(&el[0], "voltage0", "le:u16/16", 1, 0);
	element(&el[1], "voltage1", "le:u32/32", 1, 1);
	assert_int_equal(cs_iio_layout(el, 2), 8);
	assert_int_equal(cs_iio_elements_prefix(el, 2, "voltage", NULL,
						&contig), 2);
	assert_false(contig);
	assert_int_equal(cs_iio_layout(el, 0), 0);
	assert_int_equal(cs_iio_layout(NULL, 3), 0);
}

static void uri(void **state)
{
	char out[64];
	const char *why;

	(void)state;
	assert_int_equal(cs_iio_uri_normalise(NULL, out, sizeof(out), &why),
			 0);
	assert_string_equal(out, "local:");
	assert_int_equal(cs_iio_uri_normalise("ip:127.0.0.1:30431", out,
					      sizeof(out), &why), 0);
	assert_string_equal(out, "ip:127.0.0.1:30431");
	assert_int_equal(cs_iio_uri_normalise("rig7", out, sizeof(out), &why),
			 0);
	assert_string_equal(out, "ip:rig7");
	assert_int_equal(cs_iio_uri_normalise("rig7:5000", out, sizeof(out),
					      &why), 0);
	assert_string_equal(out, "ip:rig7:5000");
	assert_int_equal(cs_iio_uri_normalise("ip:", out, sizeof(out), &why),
			 -EINVAL);
	assert_non_null(strstr(why, "host"));
	assert_int_equal(cs_iio_uri_normalise("ip:rig:0", out, sizeof(out),
					      &why), -EINVAL);
	assert_int_equal(cs_iio_uri_normalise("ip:rig:99999", out,
					      sizeof(out), &why), -EINVAL);
	assert_int_equal(cs_iio_uri_normalise("ip:rig:x", out, sizeof(out),
					      &why), -EINVAL);
	assert_int_equal(cs_iio_uri_normalise("ftp:rig", out, sizeof(out),
					      &why), -EINVAL);
	assert_non_null(strstr(why, "scheme"));
	assert_int_equal(cs_iio_uri_normalise("ip:a-very-long-host-name-that"
					      "-does-not-fit-in-the-buffer",
					      out, 16, &why), -EINVAL);
}

static void coeffs(void **state)
{
	struct cs_wavescale ws;
	size_t pos;

	(void)state;
	assert_int_equal(cs_iio_wavescale_parse("1510.000000 0.167000 "
						"-0.000001000 0.0\n", &ws,
						&pos), 0);
	assert_int_equal(ws.ncoeffs, 3);
	assert_true(ws.c[0] == 1510.0 && ws.c[1] == 0.167);
	assert_true(ws.c[2] == -0.000001);
	assert_int_equal(cs_iio_wavescale_parse("1510  0.2", &ws, &pos), 0);
	assert_int_equal(ws.ncoeffs, 2);
	assert_int_equal(cs_iio_wavescale_parse("1510 x", &ws, &pos), -EINVAL);
	assert_int_equal(cs_iio_wavescale_parse("1510 0", &ws, &pos), -EINVAL);
	assert_int_equal(cs_iio_wavescale_parse("", &ws, &pos), -EINVAL);
	assert_int_equal(cs_iio_wavescale_parse(NULL, &ws, &pos), -EINVAL);
}

/* Nothing listens on port 1 of the loopback: a clear message. */
static void unreachable(void **state)
{
	char err[512];

	(void)state;
	assert_null(cs_iiodev_open("ip:127.0.0.1:1", "fbg0", err,
				   sizeof(err)));
	assert_non_null(strstr(err, "cannot reach the IIO context "
				    "'ip:127.0.0.1:1': "));
	assert_null(cs_iiodev_open("ip:", "fbg0", err, sizeof(err)));
	assert_non_null(strstr(err, "URI 'ip:'"));
	assert_null(cs_iiodev_open(NULL, "", err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(layout_fbg),
		cmocka_unit_test(layout_padding),
		cmocka_unit_test(run_layout_fbg),
		cmocka_unit_test(uri),
		cmocka_unit_test(coeffs),
		cmocka_unit_test(unreachable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
