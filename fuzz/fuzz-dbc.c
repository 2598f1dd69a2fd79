// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the DBC parser, then the map parser against what it
 * parsed, and packing of every signal it found (the short check's raw
 * bits and plain range against the full encoding).
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib \
 *       -D_DEFAULT_SOURCE fuzz/fuzz-dbc.c lib/can/dbc.c lib/can/canmap.c \
 *       lib/can/candump.c lib/io/record.c -lm -o build/fuzz-dbc
 *   build/fuzz-dbc -max_total_time=60 dbc/
 */
#include <stddef.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "cellsense-can.h"
#include "cs-dbc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char map_text[] =
	"fbg{Fibre}/g{Grating} wavelength FBG_Wavelength "
	"Wavelength_G{Grating} status=Status_G{Grating}\n";

/* What a record's check uses instead of encoding says what encoding
 * does: the same result and bits, and the plain range only where the
 * encoding takes the value as it is. */
static void check_plain(const struct cs_dbc_signal *s, size_t len, double v)
{
	uint8_t a[CS_CAN_MAX_DLEN] = { 0 }, b[CS_CAN_MAX_DLEN] = { 0 };
	struct cs_dbc_plain plain;
	uint64_t raw;
	int enc = cs_dbc_signal_encode(s, a, len, v);

	if (cs_dbc_signal_raw(s, len, v, &raw) != enc)
		abort();
	if (enc >= 0) {
		cs_dbc_signal_set_raw(s, b, len, raw);
		if (memcmp(a, b, sizeof(a)))
			abort();
	}
	cs_dbc_signal_plain(s, len, &plain);
	if (cs_dbc_plain_takes(s, &plain, v) && enc != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cs_can_error err;
	struct cs_dbc *dbc;
	struct cs_canmap *map;
	size_t i, j;

	dbc = cs_dbc_create((const char *)data, size, &err);
	if (!dbc)
		return 0;
	for (i = 0; i < cs_dbc_message_count(dbc); i++) {
		const struct cs_dbc_message *m = cs_dbc_message_at(dbc, i);
		uint8_t frame[CS_CAN_MAX_DLEN];

		memset(frame, 0x5a, sizeof(frame));
		for (j = 0; j < m->nsignals; j++) {
			const struct cs_dbc_signal *s = &m->signals[j];
			double v;

			cs_dbc_signal_encode(s, frame, m->dlc, 1234.5678);
			cs_dbc_signal_decode(s, frame, m->dlc, &v);
			cs_dbc_signal_encode(s, frame, m->dlc, v);
			cs_dbc_signal_present(m, s, frame, m->dlc);
			check_plain(s, m->dlc, v);
			check_plain(s, m->dlc, 1234.5678);
			check_plain(s, m->dlc, s->min);
			check_plain(s, m->dlc, s->max);
			check_plain(s, m->dlc, s->max + s->factor / 2);
			check_plain(s, m->dlc, s->min - s->factor / 2);
		}
	}
	map = cs_canmap_create(map_text, strlen(map_text), dbc, &err);
	if (map) {
		struct cs_record rec, out[4];
		struct cs_can_frame f;

		if (!cs_record_set(&rec, 1, "fbg1/g3", "wavelength", 1550,
				   "nm", "ok", 0.001) &&
		    cs_canmap_encode(map, &rec, &f, NULL) >= 0)
			cs_canmap_decode(map, &f, 1, out, 4);
		cs_canmap_destroy(map);
	}
	cs_dbc_destroy(dbc);
	return 0;
}
