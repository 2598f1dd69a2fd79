// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the signal map parser (what sense2can and can2sense
 * read with --map) against the project's own DBC, then records of every
 * kind sense2can meets encoded through whatever it accepted, and each
 * frame made decoded back.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense-can.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cs_dbc *dbc;

static void load_dbc(void)
{
	struct cs_can_error err;

	dbc = cs_dbc_create_from_file(CS_SRCDIR "/dbc/cellsense.dbc", &err);
	if (!dbc)
		abort();	/* the fuzzer would test nothing */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		const char *source, *quantity, *unit, *status;
		double value;
	} recs[] = {
		{ "fbg0/g3", "wavelength", "nm", "ok", 1550.123 },
		{ "fbg1/a", "temperature", "degC", "lost", NAN },
		{ "re0/anode", "plating", "s", "plating", 1.5 },
		{ "us0/back", "tof", "ns", "ok", 9924.99 },
		{ "cell", "strain", "ustrain", "saturated", -1e9 },
	};
	struct cs_can_error err;
	struct cs_canmap *map;

	if (!dbc)
		load_dbc();
	map = cs_canmap_create((const char *)data, size, dbc, &err);
	if (!map)
		return 0;
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
		struct cs_record rec, out[8];
		struct cs_can_frame f;
		const char *why = NULL;

		if (cs_record_set(&rec, 1000, recs[i].source, recs[i].quantity,
				  recs[i].value, recs[i].unit, recs[i].status,
				  0.01))
			continue;
		if (cs_canmap_encode(map, &rec, &f, &why) >= 0)
			cs_canmap_decode(map, &f, 2000, out, 8);
	}
	cs_canmap_destroy(map);
	return 0;
}
