// SPDX-License-Identifier: GPL-2.0-or-later
/* The input layer: kind detection, text rows, exports, the axis fit,
 * .npy headers and the record reader over them. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cellsense.h"

static void sniff(void **state)
{
	const unsigned char raw[] = { 0x10, 0x27, 0x00, 0x04, 0x41, 0x42 };
	const char *text = "# spectra\n\n1 2 3\n4 5 6\n";
	const char *exp = "Instrument: x\nWvl (nm)\tCH 1\n1500.0\t-20\n";
	const char *csv = "Wavelength (nm),Power (dBm)\n1500,-20\n";
	const char *utf8 = "Temperature (\xc2\xb0" "C): 25\nWvl\tCH 1\n";

	(void)state;
	assert_int_equal(cs_input_sniff(raw, sizeof(raw)), CS_INPUT_RAW);
	assert_int_equal(cs_input_first_binary(raw, sizeof(raw)), 0);
	assert_int_equal(cs_input_sniff(text, strlen(text)), CS_INPUT_TEXT);
	assert_int_equal(cs_input_sniff(exp, strlen(exp)), CS_INPUT_EXPORT);
	assert_int_equal(cs_input_sniff(csv, strlen(csv)), CS_INPUT_EXPORT);
	assert_int_equal(cs_input_sniff(utf8, strlen(utf8)), CS_INPUT_EXPORT);
	assert_int_equal(cs_input_sniff("\x93NUMPY\x01\x00", 8), CS_INPUT_NPY);
	/* an even-length text pulse is text, whatever its length */
	assert_int_equal(cs_input_sniff("0.25\n-1\n", 8), CS_INPUT_TEXT);
	assert_string_equal(cs_input_kind_name(CS_INPUT_EXPORT),
			    "wavelength/power export");
}

static void text_rows(void **state)
{
	double v[8];
	size_t col = 0;
	const char *why = NULL;

	(void)state;
	assert_int_equal(cs_text_row_parse("1 2.5\t-3e2\r\n", v, 8, &col,
					   &why), 3);
	assert_true(v[0] == 1 && v[1] == 2.5 && v[2] == -300);
	assert_int_equal(cs_text_row_parse("1, 2 ,3,", v, 8, &col, &why), 3);
	assert_int_equal(cs_text_row_parse("1;2; 3", v, 8, &col, &why), 3);
	assert_int_equal(cs_text_row_parse("   ", v, 8, &col, &why), 0);
	assert_int_equal(cs_text_row_parse("1,,2", v, 8, &col, &why),
			 -EBADMSG);
	assert_int_equal(col, 3);
	assert_string_equal(why, "empty field");
	assert_int_equal(cs_text_row_parse("1 2 x3", v, 8, &col, &why),
			 -EBADMSG);
	assert_int_equal(col, 5);
	assert_string_equal(why, "not a number");
	assert_int_equal(cs_text_row_parse("1.5e", v, 8, &col, &why),
			 -EBADMSG);
	assert_int_equal(cs_text_row_parse("1,5;2,5", v, 8, &col, &why),
			 -EBADMSG);
	assert_int_equal(col, 2);
	assert_int_equal(cs_text_row_parse("1 2 3", v, 2, &col, &why),
			 -EBADMSG);
	assert_int_equal(col, 5);
	/* NaN is a number here; the tools refuse it, with its place */
	assert_int_equal(cs_text_row_parse("nan 1", v, 8, &col, &why), 2);
	assert_true(isnan(v[0]));
}

static void axis_fit(void **state)
{
	static double nm[20001], big[65536];
	struct cs_wavescale ws;
	double err;

	(void)state;
	for (size_t i = 0; i < 20001; i++)
		nm[i] = 1460.0 + 0.008 * (double)i;
	assert_int_equal(cs_wavescale_fit(nm, 20001, &ws, &err), 0);
	assert_int_equal(ws.ncoeffs, 2);
	assert_true(fabs(ws.c[0] - 1460.0) < 1e-9 &&
		    fabs(ws.c[1] - 0.008) < 1e-13);
	for (size_t i = 0; i < 512; i++)
		nm[i] = 1510.0 + 0.167 * (double)i - 1e-6 * (double)(i * i);
	assert_int_equal(cs_wavescale_fit(nm, 512, &ws, &err), 0);
	assert_int_equal(ws.ncoeffs, 3);
	assert_true(fabs(cs_wavescale_eval(&ws, 300.0) - nm[300]) < 1e-9);
	/* 2.44 pm steps written to 1 pm, as a file rounds them: the fit
	 * goes through the rounding and is better than it */
	for (size_t i = 0; i < 65536; i++)
		big[i] = round((1460.0 + 0.00244 * (double)i) * 1000) / 1000;
	assert_int_equal(cs_wavescale_fit(big, 65536, &ws, &err), 0);
	assert_int_equal(ws.ncoeffs, 2);
	assert_true(fabs(cs_wavescale_eval(&ws, 40000.0) - 1557.6) < 2e-5);
	for (size_t i = 0; i < 512; i++)
		nm[i] = 1510.0 + 0.167 * (double)i - 1e-6 * (double)(i * i);
	nm[100] += 0.1;		/* a jump: no polynomial */
	assert_int_equal(cs_wavescale_fit(nm, 512, &ws, &err), -EDOM);
	assert_true(err > 0.01);
	assert_int_equal(cs_wavescale_fit(nm, 3, &ws, &err), -EINVAL);
}

/* A spectrum of @n rows, 1500 + 0.01 i nm, a dip-free Gaussian peak at
 * row n/2 over -40 dBm, with @nch channels (channel 2 the peak + 3 dB). */
static void feed(struct cs_export *e, size_t n, unsigned int nch)
{
	char line[256];

	assert_int_equal(cs_export_line(e, "Serial Number: 1"), 0);
	assert_int_equal(cs_export_line(e, ""), 0);
	assert_int_equal(cs_export_line(e, nch == 2 ? "Wvl (nm)\tCH 1\tCH 2"
						    : "Wvl (nm)\tCH 1"), 0);
	for (size_t i = 0; i < n; i++) {
		double x = ((double)i - (double)n / 2) / 5.0;
		double db = 10 * log10(1e-4 + 1e-2 * exp(-x * x / 2));
		int len = snprintf(line, sizeof(line), "%.3f\t%.3f",
				   1500.0 + 0.01 * (double)i, db);

		if (nch == 2)
			snprintf(line + len, sizeof(line) - (size_t)len,
				 "\t%.3f", db + 3.0);
		assert_int_equal(cs_export_line(e, line), 0);
		assert_null(cs_export_take(e, &(size_t){ 0 }));
	}
}

static void export_reader(void **state)
{
	struct cs_export_config cfg = { .channel = 2 };
	struct cs_export *e = cs_export_create(&cfg);
	const double *s, *axis;
	const char *why;
	unsigned long line;
	size_t n, col;

	(void)state;
	assert_non_null(e);
	feed(e, 100, 2);
	/* the next header ends the first spectrum */
	assert_int_equal(cs_export_line(e, "Date: today"), 0);
	s = cs_export_take(e, &n);
	assert_non_null(s);
	assert_int_equal(n, 100);
	/* no "dBm" seen, but levels of -40 to -20: dBm from the values */
	assert_int_equal(cs_export_dbm(e, &why), 1);
	assert_string_equal(why, "no unit in the header, its median is below "
			    "0");
	feed(e, 100, 2);
	assert_int_equal(cs_export_finish(e), 0);
	s = cs_export_take(e, &n);
	assert_non_null(s);
	axis = cs_export_axis(e, &n);
	assert_true(n == 100 && fabs(axis[99] - 1500.99) < 1e-9);
	assert_int_equal(cs_export_spectra(e), 2);
	assert_int_equal(cs_export_channels(e), 2);
	/* a short third spectrum is dropped and says so */
	feed(e, 60, 2);
	assert_int_equal(cs_export_finish(e), -EBADMSG);
	assert_null(cs_export_take(e, &n));
	assert_non_null(strstr(cs_export_error(e, &line, &col),
			       "after 60 of the first one's 100 rows"));
	assert_int_equal(cs_export_dropped(e), 1);
	cs_export_destroy(e);

	/* dBm said by the header, converted: the peak is 1e-2 + 1e-4 mW
	 * (+3 dB on channel 2) to the 3 decimals written */
	cfg.channel = 2;
	e = cs_export_create(&cfg);
	assert_int_equal(cs_export_line(e, "Units: dBm"), 0);
	feed(e, 100, 2);
	assert_int_equal(cs_export_finish(e), 0);
	s = cs_export_take(e, &n);
	assert_int_equal(cs_export_dbm(e, &why), 1);
	assert_string_equal(why, "the header says dBm");
	assert_true(fabs(s[50] / (1.01e-2 * pow(10, 0.3)) - 1) < 1e-3);
	cs_export_destroy(e);

	/* a channel that is not in the rows */
	cfg.channel = 3;
	e = cs_export_create(&cfg);
	assert_int_equal(cs_export_line(e, "Wvl (nm)\tCH 1\tCH 2"), 0);
	assert_int_equal(cs_export_line(e, "1500.0\t-20\t-21"), -EBADMSG);
	assert_non_null(strstr(cs_export_error(e, &line, &col),
			       "channel 3 asked for, the rows have 2"));
	assert_int_equal(line, 2);
	cs_export_destroy(e);
	cfg.channel = 99;
	assert_null(cs_export_create(&cfg));

	/* 65536 rows are a spectrum, 65537 are refused with their line */
	cfg.channel = 1;
	e = cs_export_create(&cfg);
	assert_int_equal(cs_export_line(e, "Wvl (nm)\tCH 1"), 0);
	for (unsigned int i = 0; i < 65537; i++) {
		char row[64];
		int ret;

		snprintf(row, sizeof(row), "%.4f\t%d", 1500.0 + 0.001 * i,
			 -40 + (i % 7));
		ret = cs_export_line(e, row);
		assert_int_equal(ret, i < 65536 ? 0 : -EBADMSG);
	}
	assert_non_null(strstr(cs_export_error(e, &line, &col),
			       "more than 65536 rows"));
	assert_int_equal(line, 65538);
	cs_export_destroy(e);
	e = cs_export_create(&cfg);
	assert_int_equal(cs_export_line(e, "Wvl (nm)\tCH 1"), 0);
	for (unsigned int i = 0; i < 65536; i++) {
		char row[64];

		snprintf(row, sizeof(row), "%.4f\t%d", 1500.0 + 0.001 * i,
			 -40 + (i % 7));
		assert_int_equal(cs_export_line(e, row), 0);
	}
	assert_int_equal(cs_export_finish(e), 0);
	assert_non_null(cs_export_take(e, &n));
	assert_int_equal(n, 65536);
	cs_export_destroy(e);
}

static void npy_headers(void **state)
{
	struct cs_npy_header h;
	const char *why;
	size_t need;
	char buf[256];
	const char *dict = "{'descr': '<f4', 'fortran_order': False, "
			   "'shape': (291, 4000), }";
	size_t dl = strlen(dict);

	(void)state;
	memcpy(buf, "\x93NUMPY\x01\x00", 8);
	buf[8] = (char)(dl + 1);
	buf[9] = 0;
	memcpy(buf + 10, dict, dl);
	buf[10 + dl] = '\n';
	assert_int_equal(cs_npy_header_parse(buf, 11 + dl, &h, &need, &why),
			 0);
	assert_true(h.rows == 291 && h.cols == 4000 && h.fmt.is_float &&
		    h.fmt.bits == 32 && !h.fmt.big_endian);
	assert_int_equal(h.data_offset, 11 + dl);
	/* more bytes wanted */
	assert_int_equal(cs_npy_header_parse(buf, 20, &h, &need, &why),
			 -EAGAIN);
	assert_int_equal(need, 11 + dl);
	/* version 2: four length bytes; >u2, 1-D */
	dict = "{'descr': '>u2', 'fortran_order': False, 'shape': (7,)}";
	dl = strlen(dict);
	memcpy(buf, "\x93NUMPY\x02\x00", 8);
	buf[8] = (char)dl;
	buf[9] = buf[10] = buf[11] = 0;
	memcpy(buf + 12, dict, dl);
	assert_int_equal(cs_npy_header_parse(buf, 12 + dl, &h, &need, &why),
			 0);
	assert_true(h.rows == 1 && h.cols == 7 && h.fmt.big_endian &&
		    !h.fmt.is_signed && h.fmt.bits == 16);
	/* refused, by name */
	{
		static const struct { const char *dict, *why; } bad[] = {
			{ "{'descr': '<f8', 'fortran_order': True, "
			  "'shape': (2, 3), }", "fortran_order is True" },
			{ "{'descr': '<c16', 'fortran_order': False, "
			  "'shape': (2, 3), }", "dtype is not supported" },
			{ "{'descr': '|b1', 'fortran_order': False, "
			  "'shape': (2, 3), }", "dtype is not supported" },
			{ "{'descr': '<f4', 'fortran_order': False, "
			  "'shape': (2, 3, 4), }", "more than 2 dimensions" },
			{ "{'descr': [('a', '<f4')], 'fortran_order': False, "
			  "'shape': (2,), }", "structured dtype" },
			{ "{'descr': '<f4', 'shape': (2,), }", "lacks" },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			dl = strlen(bad[i].dict);
			memcpy(buf, "\x93NUMPY\x01\x00", 8);
			buf[8] = (char)dl;
			buf[9] = 0;
			memcpy(buf + 10, bad[i].dict, dl);
			assert_int_equal(cs_npy_header_parse(buf, 10 + dl, &h,
							     &need, &why),
					 -EBADMSG);
			assert_non_null(strstr(why, bad[i].why));
		}
	}
	assert_int_equal(cs_npy_header_parse("\x93NUMPY\x09\x00\x10\x00", 10,
					     &h, &need, &why), -EBADMSG);
}

static void reader_text(void **state)
{
	const char *text = "# two good lines, one bad, one short\n"
			   "1 2 3 4\n\n2,3,4,5\n3 4 x 6\n4 5 6\n5;6;7;8\n";
	struct cs_input_config cfg = { 0 };
	struct cs_input *r;
	double v[4];

	(void)state;
	r = cs_input_create(NULL, text, strlen(text), CS_INPUT_TEXT, &cfg);
	assert_non_null(r);
	assert_int_equal(cs_input_start(r), 0);
	assert_int_equal(cs_input_samples(r), 4);
	assert_string_equal(cs_input_describe(r), "text, 4 numbers a line");
	assert_int_equal(cs_input_next(r, v), 1);
	assert_true(v[0] == 1 && v[3] == 4);
	assert_int_equal(cs_input_next(r, v), 1);
	assert_true(v[0] == 2 && v[3] == 5);
	assert_int_equal(cs_input_next(r, v), -EBADMSG);
	assert_string_equal(cs_input_error(r),
			    "line 5, column 5: not a number: skipped");
	assert_int_equal(cs_input_next(r, v), -EBADMSG);
	assert_string_equal(cs_input_error(r),
			    "line 6: 3 numbers, expected 4: skipped");
	assert_int_equal(cs_input_next(r, v), 1);
	assert_true(v[0] == 5 && v[3] == 8);
	assert_int_equal(cs_input_next(r, v), 0);
	assert_int_equal(cs_input_bad(r), 2);
	assert_int_equal(cs_input_comments(r), 2);
	cs_input_destroy(r);

	/* a pulse: every number of every line, one a line here */
	cfg.whole = 1;
	r = cs_input_create(NULL, "0.5\n-1\n0.25\n", 12, CS_INPUT_TEXT, &cfg);
	assert_int_equal(cs_input_start(r), 0);
	assert_int_equal(cs_input_samples(r), 3);
	assert_int_equal(cs_input_next(r, v), 1);
	assert_true(v[0] == 0.5 && v[1] == -1 && v[2] == 0.25);
	assert_int_equal(cs_input_next(r, v), 0);
	cs_input_destroy(r);
}

static void reader_npy(void **state)
{
	const char *dict = "{'descr': '<i2', 'fortran_order': False, "
			   "'shape': (3, 2), }";
	unsigned char buf[256];
	size_t dl = strlen(dict), len;
	struct cs_input_config cfg = { 0 };
	struct cs_input *r;
	double v[2];

	(void)state;
	memcpy(buf, "\x93NUMPY\x01\x00", 8);
	buf[8] = (unsigned char)dl;
	buf[9] = 0;
	memcpy(buf + 10, dict, dl);
	len = 10 + dl;
	/* rows {1, -2}, {3, 4}, then half of the third */
	memcpy(buf + len, "\x01\x00\xfe\xff\x03\x00\x04\x00\x05\x00", 10);
	len += 10;
	r = cs_input_create(NULL, buf, len, CS_INPUT_NPY, &cfg);
	assert_int_equal(cs_input_start(r), 0);
	assert_int_equal(cs_input_samples(r), 2);
	assert_non_null(strstr(cs_input_describe(r), "'<i2' (signed), 3 x 2"));
	assert_true(cs_input_format(r)->bits == 16 &&
		    cs_input_format(r)->is_signed);
	assert_int_equal(cs_input_next(r, v), 1);
	assert_true(v[0] == 1 && v[1] == -2);
	assert_int_equal(cs_input_next(r, v), 1);
	assert_int_equal(cs_input_next(r, v), -EBADMSG);
	assert_non_null(strstr(cs_input_error(r), "inside row 2 (2 of 4 "
			       "bytes)"));
	assert_int_equal(cs_input_next(r, v), 0);
	cs_input_destroy(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sniff),
		cmocka_unit_test(text_rows),
		cmocka_unit_test(axis_fit),
		cmocka_unit_test(export_reader),
		cmocka_unit_test(npy_headers),
		cmocka_unit_test(reader_text),
		cmocka_unit_test(reader_npy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
