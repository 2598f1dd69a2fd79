// SPDX-License-Identifier: GPL-2.0-or-later
/* csplot --potentials: refmon's electrode potentials with the plating
 * threshold, the warning limit above it and the onsets of its alarms. */
#include <stdio.h>
#include <string.h>

#include "cellsense.h"
#include "tools-common.h"
#include "csplot.h"

void potentials_lines(struct options *o)
{
	static char plating[64], warning[64];

	if (o->nhlines + 2 > MAX_HLINES)
		die_usage("hline: more than %d lines with --potentials' two",
			  MAX_HLINES - 2);
	o->quantity = "potential";
	snprintf(plating, sizeof(plating), "plating threshold %.4g V",
		 o->threshold);
	snprintf(warning, sizeof(warning), "warning %.4g V",
		 o->threshold + o->margin);
	o->hlines[o->nhlines++] = (struct hline){ o->threshold, plating };
	o->hlines[o->nhlines++] = (struct hline){ o->threshold + o->margin,
						  warning };
}

/* A warning or plating record: its onset, once (refmon repeats an active
 * alarm with its growing duration, same onset). "none" clears: no mark. */
void potentials_add_alarm(struct plot *p, const struct cs_record *rec)
{
	int plating = !strcmp(rec->status, "plating");

	if (!plating && strcmp(rec->status, "warning"))
		return;
	for (size_t i = 0; i < p->nalarms; i++)
		if (p->alarms[i].time_ns == rec->time_ns &&
		    p->alarms[i].plating == plating)
			return;
	p->alarms = grow(p->alarms, &p->cap_alarms, p->nalarms + 1,
			 sizeof(*p->alarms));
	p->alarms[p->nalarms++] = (struct alarm){ rec->time_ns, plating };
}

size_t potentials_alarms(const struct plot *p, int plating)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nalarms; i++)
		n += p->alarms[i].plating == plating;
	return n;
}

void potentials_write_data(FILE *f, const struct options *o,
			   const struct plot *p, int64_t t0)
{
	for (int plating = 0; plating < 2; plating++) {
		fprintf(f, "$%s << EOD\n", plating ? "plating" : "warning");
		for (size_t i = 0; i < p->nalarms; i++)
			if (p->alarms[i].plating == plating)
				fprintf(f, "%.9f %.10g\n",
					(double)(p->alarms[i].time_ns - t0) /
					1e9, plating ? o->threshold
						     : o->threshold + o->margin);
		fputs("EOD\n", f);
	}
}

void potentials_ylabel(FILE *f, const char *source)
{
	char label[CS_RECORD_SOURCE_MAX + 16];

	snprintf(label, sizeof(label), "%s (V)", source);
	fputs("set ylabel ", f);
	put_quoted(f, label);
	fputc('\n', f);
}

/* A tall mark where each alarm began. */
void potentials_write_onsets(FILE *f, const struct plot *p)
{
	if (potentials_alarms(p, 0))
		fprintf(f, ", $warning using 1:2 with points pt 11 ps 2 "
			"lc rgb '#e08000' title 'warning onset (%zu)'",
			potentials_alarms(p, 0));
	if (potentials_alarms(p, 1))
		fprintf(f, ", $plating using 1:2 with points pt 9 ps 2 "
			"lc rgb '#c00000' title 'plating onset (%zu)'",
			potentials_alarms(p, 1));
}
