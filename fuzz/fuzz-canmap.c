// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the signal map parser (what sense2can and can2sense
 * read with --map) against the project's own DBC, then records of every
 * kind sense2can meets encoded through whatever it accepted, and each
 * frame made decoded back; the same records, and later ones of each kind,
 * pushed through a planner, whose short check must say what the full
 * encoding says.
 */
#include <errno.h>
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
	static const double again[] = { 1551, 1e12, -1e12, NAN, 0, 0.5 };
	struct cs_canplan_config pc = {
		.bitrate = 500000, .load_max = 0.3, .period_ns = 10000000,
		.policy = CS_CANPLAN_MEAN, .max_slots = 64,
	};
	struct cs_can_error err;
	struct cs_canmap *map;
	struct cs_canplan *plan;

	if (!dbc)
		load_dbc();
	map = cs_canmap_create((const char *)data, size, dbc, &err);
	if (!map)
		return 0;
	/* the planner checks a known kind's later records the short way:
	 * it must say what encoding them in full says */
	plan = cs_canplan_create(map, &pc);
	for (size_t i = 0; plan && i < sizeof(recs) / sizeof(recs[0]); i++) {
		for (size_t k = 0; k <= sizeof(again) / sizeof(again[0]);
		     k++) {
			struct cs_record rec;
			struct cs_can_frame f, out;
			const char *why = NULL;
			int64_t next;
			int full, short_way;

			if (cs_record_set(&rec, (int64_t)k, recs[i].source,
					  recs[i].quantity,
					  k ? again[k - 1] : recs[i].value,
					  recs[i].unit, recs[i].status,
					  k == 3 ? NAN : 0.01 * (double)k))
				break;
			full = cs_canmap_encode(map, &rec, &f, &why);
			short_way = cs_canplan_push(plan, &rec, (int64_t)k,
						    &why);
			if (short_way != full && short_way != -ENOMEM)
				abort();
			while (cs_canplan_next(plan, (int64_t)k * 20000000,
					       &out, &next) == 1)
				;
		}
	}
	cs_canplan_destroy(plan);
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
