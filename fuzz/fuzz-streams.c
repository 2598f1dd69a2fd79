// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: raw streams as the tools scan them (issue 17), with
 * what a header or an index carries taken from the data: blocks of a
 * first-sample index (aehits -H, ustof -H shot numbers), a device
 * timestamp (-T, refmon's scans) and 16 samples. The index goes through
 * cs_seq as the tools check it before it drives anything, the samples
 * and gaps into the hit detector, the times (in the range refmon keeps)
 * into the reference-electrode filter and plating detector. And the
 * bounded line reader and the record reader on the same bytes as text.
 * No crash, no UB, no hang: a gap is bounded, so is every loop.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NS 16
#define BLOCK (8 + 8 + 2 * NS)

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void lines(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size, "r");
	char *buf = NULL;
	size_t cap = 0, max = size ? 1 + data[0] % 64 : 1;
	long len;
	size_t total = 0;

	if (!f)
		return;
	while ((len = cs_line_read(f, &buf, &cap, max)) != 0) {
		if (len == -EFBIG) {
			if (strlen(buf) > max)
				abort();
			total += max;
			continue;
		}
		if (len < 0)
			break;
		if ((size_t)len > max || (size_t)len > size)
			abort();
		total += (size_t)len;
	}
	if (total > size)
		abort();
	fclose(f);
	free(buf);

	f = fmemopen((void *)data, size, "r");
	if (f) {
		struct cs_record_reader *r = cs_record_reader_create(f);
		struct cs_record rec;
		int ret;

		while (r && (ret = cs_record_reader_next(r, &rec)) != 0 &&
		       (ret == 1 || ret == -EBADMSG))
			;
		cs_record_reader_destroy(r);
		fclose(f);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cs_aehit_config hc = {
		.rate_hz = 1e6, .threshold = 100, .pdt_s = 20e-6,
		.hdt_s = 50e-6, .hlt_s = 100e-6, .max_duration_s = 1e-3,
	};
	struct cs_re_filter_config fc = {
		.fs = 1000, .pass_hz = 10, .stop_hz = 50, .atten_db = 60,
	};
	struct cs_plating_config pc = { .threshold = 0, .margin = 0.01 };
	struct cs_aehit_detector *d = cs_aehit_detector_create(&hc);
	struct cs_re_filter *filt = cs_re_filter_create(&fc);
	struct cs_plating *pl = cs_plating_create(&pc);
	struct cs_seq seq;
	struct cs_aehit hits[4];

	lines(data, size);
	/* a gap of at most 60 s of samples, as aehits allows */
	cs_seq_init(&seq, (uint64_t)(60 * hc.rate_hz));
	for (size_t off = 0; d && filt && pl && off + BLOCK <= size;
	     off += BLOCK) {
		uint64_t first = le64(data + off), gap;
		int64_t t = (int64_t)le64(data + off + 8);
		double x[NS], v[CS_RE_NCH], y[CS_RE_NCH];
		struct cs_plating_event ev;
		struct cs_aehit h;
		size_t at = 0, used;
		int64_t tr;

		for (int i = 0; i < NS; i++)
			x[i] = (int16_t)(data[off + 16 + 2 * i] |
					 data[off + 17 + 2 * i] << 8);
		switch (cs_seq_check(&seq, first, NS, &gap)) {
		case CS_SEQ_GAP:
			if (gap > 60 * hc.rate_hz)
				abort();
			cs_aehit_detector_gap(d, gap, &h);
			break;
		case CS_SEQ_BEHIND:
		case CS_SEQ_JUMP:
			continue;
		default:
			break;
		}
		while (at < NS) {
			cs_aehit_detector_execute_block(d, x + at, NS - at,
							hits, 4, &used);
			at += used;
		}
		/* refmon skips times outside 0..2^62 ns */
		if (t < 0 || t > INT64_C(1) << 62)
			continue;
		for (int ch = 0; ch < CS_RE_NCH; ch++)
			v[ch] = x[ch] * 1e-3;
		if (cs_re_filter_execute_timed(filt, t, v, y, &tr))
			cs_plating_execute(pl, tr, y[CS_RE_ANODE], &ev);
	}
	if (d) {
		struct cs_aehit h;

		cs_aehit_detector_finish(d, &h);
	}
	cs_aehit_detector_destroy(d);
	cs_re_filter_destroy(filt);
	cs_plating_destroy(pl);
	return 0;
}
