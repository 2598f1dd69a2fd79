// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the acquisition plan parser (csacq(1)). A refused plan
 * says why; an accepted one keeps its promises: every section's keys are
 * found again, a sensor's frontend and calibration sections exist, there
 * is a [cell] with an id and at least one [frontend] with a device.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	struct cs_plan *p = cs_plan_parse((const char *)data, size, err,
					  sizeof(err));
	size_t frontends = 0;

	if (!p) {
		if (errno == EINVAL && !err[0])
			abort();
		return 0;
	}
	for (size_t i = 0; i < cs_plan_count(p); i++) {
		const struct cs_plan_section *s = cs_plan_at(p, i);
		const char *v;

		if (cs_plan_find(p, s->kind, s->name) != s)
			abort();
		for (size_t k = 0; k < s->nkv; k++)
			if (cs_plan_get(s, s->kv[k].key) != s->kv[k].value)
				abort();
		if (!strcmp(s->kind, "frontend")) {
			frontends++;
			if (!cs_plan_get(s, "device"))
				abort();
		}
		if (!strcmp(s->kind, "sensor") &&
		    (!cs_plan_find(p, "frontend", cs_plan_get(s, "frontend")) ||
		     ((v = cs_plan_get(s, "calibration")) &&
		      !cs_plan_find(p, "calibration", v))))
			abort();
	}
	if (!frontends || !cs_plan_get(cs_plan_find(p, "cell", ""), "id"))
		abort();
	if (cs_plan_at(p, cs_plan_count(p)) != NULL)
		abort();
	cs_plan_destroy(p);
	return 0;
}
