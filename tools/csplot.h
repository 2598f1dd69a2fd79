/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * csplot's parts: csplot.c reads the options and draws records (with
 * csplot-potentials.c's thresholds and alarms for --potentials);
 * csplot-spectrum.c draws one raw spectrum (--spectrum) and
 * csplot-waterfall.c an ultrasonic waterfall (--waterfall). What they
 * share: the options, records read into a plot, gnuplot.
 */
#ifndef CSPLOT_H
#define CSPLOT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cellsense.h"
#include "tools-common.h"

#define MAX_HLINES 8
#define MAX_WINDOWS 64

/* A grating's search window, as fbgtrack's -g gives it. */
struct window {
	char name[32];
	double nm, half;
};

struct hline {
	double value;
	const char *label;	/* NULL: none */
};

enum picture_format { PIC_SVG, PIC_PNG };

struct options {
	const char *output, *quantity, *source, *title;
	enum picture_format format;
	struct hline hlines[MAX_HLINES];
	int nhlines;
	long width, panel_height;
	char **files;
	int nfiles;
	/* --spectrum */
	int spectrum, timestamps;
	long scan;
	const char *records;
	struct window windows[MAX_WINDOWS];
	int nwindows;
	size_t npix, block;
	double rate_hz;
	struct cs_sample_format fmt;
	struct cs_wavescale scale;
	/* --waterfall */
	int waterfall, header, n_set, fmt_set;
	double fs_hz;
	struct tools_offset offset;
	const char *gate_args[MAX_WINDOWS];
	int ngates;
	/* --potentials */
	int potentials;
	double threshold, margin;
	struct tools_iio_opts iio;	/* -u, -d, --scans (shots to draw) */
	const char *layout_opt;		/* -n, -f, -T, --block, --rate given */
	int scale_set;
	struct cs_iiodev *dev;		/* -d, opened */
};

/* One line of the picture: a source's quantity in one unit. */
struct series {
	char source[CS_RECORD_SOURCE_MAX];
	char quantity[CS_RECORD_QUANTITY_MAX];
	char unit[CS_RECORD_UNIT_MAX];
	size_t panel;
};

/* What of a record the picture needs. */
struct point {
	int64_t time_ns;
	double value;
	size_t series;
	int ok;
};

/* The onset of one of refmon's alarms (--potentials). */
struct alarm {
	int64_t time_ns;
	int plating;		/* else a warning */
};

struct plot {
	struct alarm *alarms;
	size_t nalarms, cap_alarms;
	struct series *series;
	size_t nseries, cap_series;
	struct point *points;
	size_t npoints, cap_points;
	size_t npanels;
	unsigned long read, filtered, skipped;
};

/* ---- csplot.c ---- */

/* @s ends with @suffix */
int has_suffix(const char *s, const char *suffix);
/* @p grown to hold @need items of @size (*@cap items now); dies when out
 * of memory */
void *grow(void *p, size_t *cap, size_t need, size_t size);
/* The records of @path (NULL: standard input) that o->quantity and
 * o->source select into @p; bad lines said and counted. */
void read_records(const struct options *o, struct plot *p, const char *path);
/* @s as a gnuplot single-quoted string. */
void put_quoted(FILE *f, const char *s);
/* The terminal (SVG or PNG of o->width x @height) and the output. */
void write_terminal(FILE *f, const struct options *o, long height);
/* Run gnuplot on the script @write writes from @ctx; dies with what went
 * wrong. */
void run_gnuplot(const struct options *o,
		 void (*write)(FILE *, const struct options *, const void *),
		 const void *ctx);

/* ---- csplot-spectrum.c: --spectrum ---- */

/* -g NAME:NM[:HALF[:FIBRE]]: a grating's search window into @o. */
void parse_window(const char *arg, struct options *o);
/* -d: the fibre front-end's layout and scale into @o. */
struct cs_iiodev *from_device(struct options *o);
int plot_spectrum(const struct options *o);

/* ---- csplot-waterfall.c: --waterfall ---- */

/* -g NAME:START_US:END_US: a gate, as ustof's, into @w. */
void parse_gate(const char *arg, struct window *w);
/* -d: the ultrasonic board's layout into @o. */
struct cs_iiodev *from_us_device(struct options *o);
int plot_waterfall(struct options *o);

/* ---- csplot-potentials.c: --potentials ---- */

/* The plating threshold and warning lines among o->hlines. */
void potentials_lines(struct options *o);
/* A warning or plating alarm record's onset into @p, once. */
void potentials_add_alarm(struct plot *p, const struct cs_record *rec);
/* The onsets of warnings (@plating 0) or plating alarms (1). */
size_t potentials_alarms(const struct plot *p, int plating);
/* The $warning and $plating data blocks (times from @t0). */
void potentials_write_data(FILE *f, const struct options *o,
			   const struct plot *p, int64_t t0);
/* The y label of an electrode's panel. */
void potentials_ylabel(FILE *f, const char *source);
/* The onset marks, on the anode's panel. */
void potentials_write_onsets(FILE *f, const struct plot *p);

#endif /* CSPLOT_H */
