// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: canactuate's rule language (cs_actrule_parse), then
 * records pushed through whatever parsed. `make fuzz`; seeds in
 * fuzz/seeds/actrule/.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cellsense-act.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char dbc_text[] =
	"VERSION \"\"\n\nNS_ :\n\nBS_:\n\nBU_: GW BMS\n\n"
	"BO_ 768 CS_PlatingAlarm: 8 GW\n"
	" SG_ Cell : 0|8@1+ (1,0) [0|254] \"\" BMS\n"
	" SG_ Level : 8|2@1+ (1,0) [0|2] \"\" BMS\n"
	" SG_ AnodePotential : 16|24@1- (0.000001,0) [-8|8] \"V\" BMS\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cs_dbc *dbc;
	static const double values[] = { -1e300, -0.004, 0, 0.01, 45, NAN };
	char text[CS_ACTRULE_TEXT_MAX + 64];
	struct cs_actrule r;
	struct cs_record rec;
	const char *why;
	unsigned int col;
	size_t i;

	if (!dbc)
		dbc = cs_dbc_create(dbc_text, strlen(dbc_text), NULL);
	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	if (cs_actrule_parse(text, dbc, &r, &col, &why))
		return 0;
	for (i = 0; i < 12; i++) {
		int64_t t = i < 6 ? (int64_t)i * 500000000 :
			    INT64_MAX - (int64_t)(12 - i);

		if (cs_record_set(&rec, i == 7 ? INT64_MIN : t, r.source,
				  r.is_status ? "potential" : r.quantity,
				  values[i % 6], "V", i % 2 ? r.word : "ok",
				  0.001))
			continue;
		cs_actrule_push(&r, &rec);
	}
	return 0;
}
