// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: what mqtt2pg and sense2mqtt take from the broker, a
 * batch of records and a store's confirmation. Every record a batch gives
 * must format and parse back; offsets only move forward and stay inside.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char gw[CS_FLEET_ID_MAX], line[CS_RECORD_LINE_MAX];
	struct cs_batch_head head;
	struct cs_record rec, back;
	const char *why;
	unsigned int col;
	size_t off, last;
	uint64_t seq;
	int ret;

	if (cs_batch_head_parse(data, size, &head, &off, &why) == 0) {
		if (off > size || !cs_fleet_id_valid(head.gateway) || !head.seq)
			abort();
		for (;;) {
			last = off;
			ret = cs_batch_next(data, size, &off, &rec, &why);
			if (ret == 0)
				break;
			if (off <= last || off > size)
				abort();
			if (ret != 1)
				continue;
			if (cs_record_format(line, sizeof(line), &rec) < 0)
				abort();
			line[strcspn(line, "\n")] = '\0';
			if (cs_record_parse(line, &back, &col, &why) ||
			    back.time_ns != rec.time_ns ||
			    strcmp(back.source, rec.source))
				abort();
		}
	}
	if (cs_stored_head_parse(data, size, gw, &off, &why) == 0) {
		for (;;) {
			last = off;
			ret = cs_stored_next(data, size, &off, &seq, &why);
			if (ret == 0)
				break;
			if (off <= last || off > size || (ret == 1 && !seq))
				abort();
		}
	}
	return 0;
}
