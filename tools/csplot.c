// SPDX-License-Identifier: GPL-2.0-or-later
/* csplot: records to an SVG or PNG picture, drawn by gnuplot. */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cellsense.h"
#include "cellsense-iio.h"
#include "tools-common.h"
#include "csplot.h"

static const char usage[] =
"Usage: csplot [OPTIONS] -o OUT.svg|OUT.png [FILE...]\n"
"       csplot --spectrum [OPTIONS] -o OUT.svg|OUT.png [-r RECORDS] [SCANS]\n"
"       csplot --waterfall [OPTIONS] -o OUT.svg|OUT.png [-r RECORDS] [SHOTS]\n"
"       csplot --potentials [OPTIONS] -o OUT.svg|OUT.png [FILE...]\n"
"Draw measurement records (the output of any cellsense tool, from the\n"
"FILEs or standard input) against time through gnuplot: one panel per\n"
"quantity and unit, one line per source, records whose status is not ok\n"
"as red markers. With --spectrum, one raw spectrum (from the SCANS file\n"
"or standard input, laid out as fbgtrack reads it) against wavelength,\n"
"with the wavelength records of its time as vertical marks and the search\n"
"windows shaded. With --waterfall, the A-scans of a raw ultrasonic stream\n"
"(laid out as ustof reads it) stacked over time as an image, ustof's\n"
"gates and tof records drawn over it. With --potentials, refmon's\n"
"electrode potentials with the plating threshold and its alarms.\n"
"The picture's format is OUT's extension.\n"
"\n"
"Options:\n"
"  -o, --output=FILE      the picture: FILE.svg or FILE.png (required)\n"
"  -q, --quantity=NAME    only this quantity (wavelength, temperature,\n"
"                         strain, potential, tof, ...)\n"
"  -s, --source=PATTERN   only sources matching PATTERN (fnmatch: fbg0/g*)\n"
"      --hline=VALUE[:LABEL]\n"
"                         a horizontal line at VALUE in every panel (up to\n"
"                         8; e.g. --hline=0:plating for anode potentials)\n"
"      --title=TEXT       a title above the picture\n"
"      --width=PX         picture width in pixels (default 900)\n"
"      --panel-height=PX  height of each panel in pixels (default 320)\n"
"\n"
"Spectrum (--spectrum):\n"
"      --spectrum         draw one raw spectrum instead of time series\n"
"      --scan=K           the K-th spectrum of the input, from 0 (default 0)\n"
"  -r, --records=FILE     wavelength records (fbgtrack's) marked at the\n"
"                         spectrum's time; -s selects their sources\n"
"  -g, --grating=NAME:NM[:HALF[:FIBRE]]\n"
"                         a search window NM +- HALF nm (default 2) shaded,\n"
"                         as fbgtrack's -g takes it (FIBRE is ignored)\n"
"  -n, --pixels=N         pixels per spectrum (default 512)\n"
"  -f, --format=FMT       sample format (default le:u16)\n"
"  -w, --scale=A0,A1[,...] pixel-to-wavelength polynomial in nm (default\n"
"                         1510,0.167,-0.000001)\n"
"  -T, --timestamps       each spectrum is followed by a 64-bit timestamp\n"
"      --block=N          pixels per IIO channel element (default 128)\n"
"      --rate=HZ          spectra per second without -T (default 1)\n"
"  -d, --device=DEV       the spectrum from the fibre front-end DEV (label\n"
"                         or name) through libiio: pixels, format, block,\n"
"                         timestamp, rate and scale (unless -w) from it\n"
"  -u, --uri=URI          its libiio context: local: (default),\n"
"                         ip:HOST[:PORT] for a rig running iiod\n"
"\n"
"Waterfall (--waterfall):\n"
"      --waterfall        A-scans stacked over time (at most --width\n"
"                         columns and --panel-height rows: neighbours\n"
"                         merged, the largest magnitude kept)\n"
"  -r, --records=FILE     ustof's tof records drawn over it; -s selects\n"
"  -g, --gate=NAME:START_US:END_US  a gate drawn, as ustof's -g takes it\n"
"  -n, --samples=N        samples per shot (default 1024)\n"
"  -f, --format=FMT       sample format (default le:s16)\n"
"  -F, --fs=HZ            sampling frequency (default 20000000)\n"
"      --offset=auto|VALUE  taken off every sample, as ustof's\n"
"  -H, --header           each shot is followed by the driver's header\n"
"  -T, --timestamps       ... and/or its 64-bit timestamp element\n"
"      --rate=HZ          shots per second without -T (default 1)\n"
"  -d, --device=DEV       the shots of the ultrasonic board DEV through\n"
"                         libiio (-u as above): samples, format, block,\n"
"                         header, timestamp and -F from it\n"
"      --scans=N          with -d: the shots to draw (default 100)\n"
"\n"
"Potentials (--potentials):\n"
"      --potentials       potential records only, a line at the plating\n"
"                         threshold and one at threshold + margin, the\n"
"                         onsets of refmon's warning and plating alarms\n"
"      --threshold=V      plating threshold vs Li/Li+ (default 0, refmon's)\n"
"      --margin=V         warning limit above it (default 0.010, refmon's)\n"
"\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"Needs gnuplot (Debian: gnuplot-nox) in PATH.\n"
"\n"
"Exit status: 0 success; 1 could not read, nothing to plot, or gnuplot\n"
"failed; 2 usage error; 3 the picture was drawn but bad record lines were\n"
"skipped.\n";

enum { OPT_HLINE = 256, OPT_TITLE, OPT_WIDTH, OPT_PANEL_HEIGHT,
       OPT_SPECTRUM, OPT_SCAN, OPT_BLOCK, OPT_RATE, OPT_WATERFALL,
       OPT_OFFSET, OPT_POTENTIALS, OPT_THRESHOLD, OPT_MARGIN };

static const struct option longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "quantity", required_argument, NULL, 'q' },
	{ "source", required_argument, NULL, 's' },
	{ "hline", required_argument, NULL, OPT_HLINE },
	{ "title", required_argument, NULL, OPT_TITLE },
	{ "width", required_argument, NULL, OPT_WIDTH },
	{ "panel-height", required_argument, NULL, OPT_PANEL_HEIGHT },
	{ "spectrum", no_argument, NULL, OPT_SPECTRUM },
	{ "scan", required_argument, NULL, OPT_SCAN },
	{ "records", required_argument, NULL, 'r' },
	{ "grating", required_argument, NULL, 'g' },
	{ "pixels", required_argument, NULL, 'n' },
	{ "format", required_argument, NULL, 'f' },
	{ "scale", required_argument, NULL, 'w' },
	{ "timestamps", no_argument, NULL, 'T' },
	{ "block", required_argument, NULL, OPT_BLOCK },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "waterfall", no_argument, NULL, OPT_WATERFALL },
	{ "gate", required_argument, NULL, 'g' },
	{ "samples", required_argument, NULL, 'n' },
	{ "fs", required_argument, NULL, 'F' },
	{ "offset", required_argument, NULL, OPT_OFFSET },
	{ "header", no_argument, NULL, 'H' },
	{ "potentials", no_argument, NULL, OPT_POTENTIALS },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "margin", required_argument, NULL, OPT_MARGIN },
	{ "device", required_argument, NULL, 'd' },
	{ "uri", required_argument, NULL, 'u' },
	{ "scans", required_argument, NULL, TOOLS_OPT_SCANS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void parse_hline(const char *arg, struct options *o)
{
	char num[64];
	const char *colon = strchr(arg, ':');
	size_t len = colon ? (size_t)(colon - arg) : strlen(arg);

	if (o->nhlines == MAX_HLINES)
		die_usage("hline: more than %d lines", MAX_HLINES);
	if (len >= sizeof(num))
		die_usage("hline '%s': expected VALUE[:LABEL]", arg);
	memcpy(num, arg, len);
	num[len] = '\0';
	o->hlines[o->nhlines].value = parse_double(num, "hline", -HUGE_VAL,
						   HUGE_VAL);
	o->hlines[o->nhlines].label = colon && colon[1] ? colon + 1 : NULL;
	o->nhlines++;
}

static void parse_args(int argc, char **argv, struct options *o)
{
	size_t pos;
	int c;

	memset(o, 0, sizeof(*o));
	o->width = 900;
	o->panel_height = 320;
	o->npix = 512;
	o->block = 128;
	o->rate_hz = 1.0;
	o->fs_hz = 20e6;
	o->margin = 0.010;
	cs_sample_format_parse("le:u16", &o->fmt, &pos);
	cs_wavescale_parse("1510,0.167,-0.000001", &o->scale, &pos);
	o->iio.scans_max = 1000000;	/* shots held in memory */
	while ((c = getopt_long(argc, argv, "o:q:s:r:g:n:f:w:F:HTd:u:hV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case 'q':
			o->quantity = optarg;
			break;
		case 's':
			o->source = optarg;
			break;
		case OPT_HLINE:
			parse_hline(optarg, o);
			break;
		case OPT_TITLE:
			o->title = optarg;
			break;
		case OPT_WIDTH:
			o->width = parse_long(optarg, "width", 100, 10000);
			break;
		case OPT_PANEL_HEIGHT:
			o->panel_height = parse_long(optarg, "panel-height",
						     80, 10000);
			break;
		case OPT_SPECTRUM:
			o->spectrum = 1;
			break;
		case OPT_SCAN:
			o->scan = parse_long(optarg, "scan", 0, LONG_MAX);
			break;
		case 'r':
			o->records = optarg;
			break;
		case 'g':
			/* a window or a gate: told apart once the mode is
			 * known */
			if (o->ngates == MAX_WINDOWS)
				die_usage("more than %d gratings or gates",
					  MAX_WINDOWS);
			o->gate_args[o->ngates++] = optarg;
			break;
		case 'n':
			o->npix = (size_t)parse_long(optarg, "pixels", 16,
						     65536);
			o->n_set = 1;
			o->layout_opt = "-n";
			break;
		case 'f':
			if (cs_sample_format_parse(optarg, &o->fmt, &pos))
				die_usage("format '%s': not understood at "
					  "character %zu", optarg, pos + 1);
			o->fmt_set = 1;
			o->layout_opt = "-f";
			break;
		case 'u':
		case 'd':
		case TOOLS_OPT_SCANS:
			tools_iio_take(&o->iio, c, optarg, NULL);
			break;
		case 'F':
			o->fs_hz = parse_double(optarg, "fs", 1, 1e12);
			o->layout_opt = "-F";
			break;
		case 'H':
			o->header = 1;
			o->layout_opt = "-H";
			break;
		case OPT_WATERFALL:
			o->waterfall = 1;
			break;
		case OPT_OFFSET:
			tools_offset_parse(&o->offset, optarg);
			break;
		case OPT_POTENTIALS:
			o->potentials = 1;
			break;
		case OPT_THRESHOLD:
			o->threshold = parse_double(optarg, "threshold", -10,
						    10);
			break;
		case OPT_MARGIN:
			o->margin = parse_double(optarg, "margin", 0, 10);
			break;
		case 'w':
			o->scale_set = 1;
			if (cs_wavescale_parse(optarg, &o->scale, &pos))
				die_usage("scale '%s': not understood at "
					  "character %zu", optarg, pos + 1);
			break;
		case 'T':
			o->timestamps = 1;
			o->layout_opt = "-T";
			break;
		case OPT_BLOCK:
			o->block = (size_t)parse_long(optarg, "block", 1,
						      65536);
			o->layout_opt = "--block";
			break;
		case OPT_RATE:
			o->rate_hz = parse_double(optarg, "rate", 1e-6, 1e9);
			o->layout_opt = "--rate";
			break;
		case 'h':
			tools_help(usage);
		case 'V':
			tools_version();
		default:
			tools_try_help();
		}
	}
	if (!o->output)
		die_usage("no output given (-o FILE.svg or FILE.png)");
	if (has_suffix(o->output, ".svg"))
		o->format = PIC_SVG;
	else if (has_suffix(o->output, ".png"))
		o->format = PIC_PNG;
	else
		die_usage("output '%s': the name must end in .svg or .png",
			  o->output);
	o->files = argv + optind;
	o->nfiles = argc - optind;
	if (o->spectrum + o->waterfall + o->potentials > 1)
		die_usage("one of --spectrum, --waterfall, --potentials");
	if (o->spectrum && o->nfiles > 1)
		die_usage("--spectrum reads one input of scans");
	if (o->waterfall && o->nfiles > 1)
		die_usage("--waterfall reads one input of shots");
	if (!o->spectrum && !o->waterfall && (o->records || o->ngates))
		die_usage("-r and -g need --spectrum or --waterfall");
	if ((o->spectrum || o->waterfall || o->potentials) && o->quantity)
		die_usage("-q does not go with --spectrum, --waterfall or "
			  "--potentials (they choose their quantity)");
	if (o->header && !o->waterfall)
		die_usage("-H needs --waterfall");
	if (o->waterfall) {
		if (!o->n_set)
			o->npix = 1024;
		if (!o->fmt_set)
			cs_sample_format_parse("le:s16", &o->fmt, &pos);
	}
	for (int i = 0; i < o->ngates; i++)
		if (o->waterfall)
			parse_gate(o->gate_args[i], &o->windows[o->nwindows++]);
		else
			parse_window(o->gate_args[i], o);
	if (o->potentials)
		potentials_lines(o);
	if (o->iio.device[0] && !o->spectrum && !o->waterfall)
		die_usage("-d %s: a device gives raw scans: --spectrum or "
			  "--waterfall", o->iio.device);
	if (o->iio.scans && !(o->iio.device[0] && o->waterfall))
		die_usage("--scans is for --waterfall -d");
	if (o->iio.device[0] && o->waterfall && !o->iio.scans)
		o->iio.scans = 100;
	tools_iio_check(&o->iio, o->nfiles ? o->files[0] : NULL, 0);
	if (o->iio.device[0] && o->layout_opt)
		die_usage("-d %s: %s: -n, -f, -F, -H, -T, --block and --rate "
			  "come from the device", o->iio.device, o->layout_opt);
}

void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;

	if (need <= *cap)
		return p;
	while (n < need)
		n *= 2;
	p = realloc(p, n * size);
	if (!p)
		die("out of memory");
	*cap = n;
	return p;
}

/* The series of @rec, added (with a new panel when its quantity and unit
 * are new) if not there yet. */
static size_t series_of(const struct options *o, struct plot *p,
			const struct cs_record *rec)
{
	size_t i, panel = p->npanels;

	for (i = 0; i < p->nseries; i++) {
		struct series *s = &p->series[i];

		if (strcmp(s->quantity, rec->quantity) ||
		    strcmp(s->unit, rec->unit))
			continue;
		if (!strcmp(s->source, rec->source))
			return i;
		/* --potentials: a panel per electrode, the anode's ~0 V
		 * not squeezed by the cathode's ~4 V */
		if (!o->potentials)
			panel = s->panel;
	}
	p->series = grow(p->series, &p->cap_series, p->nseries + 1,
			 sizeof(*p->series));
	struct series *s = &p->series[p->nseries];

	memset(s, 0, sizeof(*s));
	memcpy(s->source, rec->source, sizeof(s->source));
	memcpy(s->quantity, rec->quantity, sizeof(s->quantity));
	memcpy(s->unit, rec->unit, sizeof(s->unit));
	s->panel = panel;
	if (panel == p->npanels)
		p->npanels++;
	return p->nseries++;
}

void read_records(const struct options *o, struct plot *p,
			 const char *path)
{
	const char *name;
	FILE *in = tools_open_input(path, &name);
	struct cs_record_reader *r = cs_record_reader_create(in);
	struct cs_record rec;
	int ret;

	if (!r)
		die("out of memory");
	/* SIGINT/SIGTERM: plot what was read (a read it broke is EINTR) */
	while (!tools_stop && (ret = cs_record_reader_next(r, &rec)) != 0) {
		if (ret == -EINTR)
			continue;
		if (ret == -EBADMSG) {
			unsigned int col;
			const char *why = cs_record_reader_error(r, &col);

			warn("%s:%lu:%u: %s (line skipped)", name,
			     cs_record_reader_line(r), col, why);
			p->skipped++;
			continue;
		}
		if (ret < 0) {
			errno = -ret;
			die_perror("%s", name);
		}
		p->read++;
		if (o->potentials && !strcmp(rec.quantity, "plating")) {
			potentials_add_alarm(p, &rec);
			continue;
		}
		if ((o->quantity && strcmp(rec.quantity, o->quantity)) ||
		    (o->source && fnmatch(o->source, rec.source, 0))) {
			p->filtered++;
			continue;
		}
		p->points = grow(p->points, &p->cap_points, p->npoints + 1,
				 sizeof(*p->points));
		p->points[p->npoints++] = (struct point){
			.time_ns = rec.time_ns,
			.value = rec.value,
			.series = series_of(o, p, &rec),
			.ok = strcmp(rec.status, "ok") == 0,
		};
	}
	cs_record_reader_destroy(r);
	if (in != stdin)
		fclose(in);
}

/* @s as a gnuplot single-quoted string (where only ' needs escaping). */
void put_quoted(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

static int64_t first_time(const struct plot *p)
{
	int64_t t0 = p->points[0].time_ns;

	for (size_t i = 1; i < p->npoints; i++)
		if (p->points[i].time_ns < t0)
			t0 = p->points[i].time_ns;
	return t0;
}

/* The lowest finite value in @panel (where markers of records without a
 * value go), or 0 when it has none. */
static double panel_floor(const struct plot *p, size_t panel)
{
	double lo = INFINITY;

	for (size_t i = 0; i < p->npoints; i++) {
		const struct point *pt = &p->points[i];

		if (p->series[pt->series].panel == panel &&
		    isfinite(pt->value) && pt->value < lo)
			lo = pt->value;
	}
	return isfinite(lo) ? lo : 0;
}

/* Inline data blocks: $s<N> the ok points of series N, $bad<P> the not-ok
 * points of panel P. */
static void write_data(FILE *f, const struct options *o,
		       const struct plot *p, int64_t t0)
{
	for (size_t s = 0; s < p->nseries; s++) {
		fprintf(f, "$s%zu << EOD\n", s);
		for (size_t i = 0; i < p->npoints; i++) {
			const struct point *pt = &p->points[i];

			if (pt->series == s && pt->ok && isfinite(pt->value))
				fprintf(f, "%.9f %.10g\n",
					(double)(pt->time_ns - t0) / 1e9,
					pt->value);
		}
		fputs("EOD\n", f);
	}
	for (size_t panel = 0; panel < p->npanels; panel++) {
		double floor = panel_floor(p, panel);

		fprintf(f, "$bad%zu << EOD\n", panel);
		for (size_t i = 0; i < p->npoints; i++) {
			const struct point *pt = &p->points[i];

			if (p->series[pt->series].panel != panel || pt->ok)
				continue;
			fprintf(f, "%.9f %.10g\n",
				(double)(pt->time_ns - t0) / 1e9,
				isfinite(pt->value) ? pt->value : floor);
		}
		fputs("EOD\n", f);
	}
	if (o->potentials)
		potentials_write_data(f, o, p, t0);
}

/* Whether series @s has an ok point with a value (a line to draw). */
static int series_drawable(const struct plot *p, size_t s)
{
	for (size_t i = 0; i < p->npoints; i++)
		if (p->points[i].series == s && p->points[i].ok &&
		    isfinite(p->points[i].value))
			return 1;
	return 0;
}

static size_t bad_in_panel(const struct plot *p, size_t panel)
{
	size_t n = 0;

	for (size_t i = 0; i < p->npoints; i++)
		if (!p->points[i].ok &&
		    p->series[p->points[i].series].panel == panel)
			n++;
	return n;
}

static void write_panel(FILE *f, const struct options *o,
			const struct plot *p, size_t panel)
{
	const struct series *first = NULL;
	size_t nbad = bad_in_panel(p, panel);
	const char *sep = "plot ";
	int anode;

	for (size_t s = 0; s < p->nseries && !first; s++)
		if (p->series[s].panel == panel)
			first = &p->series[s];
	/* --potentials: the threshold and the alarms are the anode's */
	anode = !o->potentials || has_suffix(first->source, "anode");
	fputs("set ylabel ", f);
	{
		char label[CS_RECORD_QUANTITY_MAX + CS_RECORD_UNIT_MAX + 4];

		snprintf(label, sizeof(label), "%s (%s)", first->quantity,
			 first->unit);
		put_quoted(f, label);
	}
	fputc('\n', f);
	fputs(panel + 1 == p->npanels ? "set xlabel 'time (s)'\n"
				      : "unset xlabel\n", f);
	if (o->potentials)
		potentials_ylabel(f, first->source);
	for (int h = 0; h < o->nhlines && anode; h++) {
		fprintf(f, "%s%.10g with lines dt 2 lw 1.5 lc rgb '#404040' "
			"%stitle ", sep, o->hlines[h].value,
			o->hlines[h].label ? "" : "no");
		if (o->hlines[h].label)
			put_quoted(f, o->hlines[h].label);
		sep = ", ";
	}
	for (size_t s = 0; s < p->nseries; s++) {
		if (p->series[s].panel != panel)
			continue;
		if (series_drawable(p, s)) {
			fprintf(f, "%s$s%zu using 1:2 with linespoints pt 7 "
				"ps 0.3 title ", sep, s);
			put_quoted(f, p->series[s].source);
		} else {
			/* named in the legend all the same */
			char text[CS_RECORD_SOURCE_MAX + 16];

			snprintf(text, sizeof(text), "%s (no value)",
				 p->series[s].source);
			fprintf(f, "%sNaN with lines title ", sep);
			put_quoted(f, text);
		}
		sep = ", ";
	}
	if (nbad)
		fprintf(f, "%s$bad%zu using 1:2 with points pt 2 ps 1.2 "
			"lw 2 lc rgb 'red' title 'not ok (%zu)'", sep, panel,
			nbad);
	if (o->potentials && anode)
		potentials_write_onsets(f, p);
	fputc('\n', f);
}

void write_terminal(FILE *f, const struct options *o, long height)
{
	if (o->format == PIC_SVG)
		fprintf(f, "set terminal svg size %ld,%ld noenhanced "
			"background rgb 'white'\n", o->width, height);
	else
		fprintf(f, "set terminal pngcairo size %ld,%ld noenhanced\n",
			o->width, height);
	fputs("set output ", f);
	put_quoted(f, o->output);
	fputs("\nset grid\nset key outside right top\n"
	      "set lmargin 12\nset rmargin 22\n", f);
}

static void write_script(FILE *f, const struct options *o, const void *ctx)
{
	const struct plot *p = ctx;

	write_terminal(f, o, o->panel_height * (long)p->npanels +
			     (o->title ? 40 : 0));
	write_data(f, o, p, first_time(p));
	fprintf(f, "set multiplot layout %zu,1", p->npanels);
	if (o->title) {
		fputs(" title ", f);
		put_quoted(f, o->title);
	}
	fputc('\n', f);
	for (size_t panel = 0; panel < p->npanels; panel++)
		write_panel(f, o, p, panel);
	fputs("unset multiplot\nset output\n", f);
}

/* Run gnuplot with the script on its standard input; dies with what went
 * wrong. */
void run_gnuplot(const struct options *o,
			void (*write)(FILE *, const struct options *,
				      const void *),
			const void *ctx)
{
	int fds[2], status;
	pid_t pid;
	FILE *f;

	if (pipe(fds))
		die_perror("pipe");
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		die_perror("fork");
	if (pid == 0) {
		close(fds[1]);
		if (dup2(fds[0], STDIN_FILENO) < 0)
			_exit(126);
		close(fds[0]);
		execlp("gnuplot", "gnuplot", (char *)NULL);
		/* 127 like a shell; the parent names the reason */
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(fds[0]);
	f = fdopen(fds[1], "w");
	if (!f)
		die_perror("fdopen");
	write(f, o, ctx);
	/* A write error here is gnuplot gone away; its exit says why. */
	fclose(f);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die_perror("waitpid");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		die("cannot run gnuplot: not found in PATH (Debian: apt-get "
		    "install gnuplot-nox)");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 126)
		die("cannot run gnuplot: not executable");
	if (WIFSIGNALED(status))
		die("gnuplot killed by signal %d", WTERMSIG(status));
	if (WEXITSTATUS(status))
		die("gnuplot failed (exit %d) drawing %s", WEXITSTATUS(status),
		    o->output);
}

int main(int argc, char **argv)
{
	struct options o;
	struct plot p;
	size_t nbad = 0;

	tools_set_progname(argv[0]);
	parse_args(argc, argv, &o);
	tools_install_signals();
	if (o.iio.device[0])
		o.dev = o.waterfall ? from_us_device(&o) : from_device(&o);
	if (o.spectrum)
		return plot_spectrum(&o);
	if (o.waterfall)
		return plot_waterfall(&o);
	memset(&p, 0, sizeof(p));
	if (o.nfiles == 0)
		read_records(&o, &p, NULL);
	for (int i = 0; i < o.nfiles; i++)
		read_records(&o, &p, o.files[i]);
	if (p.npoints == 0)
		die("no records to plot (%lu read, %lu not matching -q/-s, "
		    "%lu bad line%s skipped)", p.read, p.filtered, p.skipped,
		    p.skipped == 1 ? "" : "s");
	run_gnuplot(&o, write_script, &p);
	for (size_t i = 0; i < p.npoints; i++)
		nbad += !p.points[i].ok;
	warn("%s: %zu record%s of %zu source%s in %zu panel%s, %zu not ok; "
	     "%lu not matching -q/-s, %lu bad line%s skipped", o.output,
	     p.npoints, p.npoints == 1 ? "" : "s", p.nseries,
	     p.nseries == 1 ? "" : "s", p.npanels, p.npanels == 1 ? "" : "s",
	     nbad, p.filtered, p.skipped, p.skipped == 1 ? "" : "s");
	if (o.potentials)
		warn("%s: %zu warning and %zu plating alarm onset%s marked",
		     o.output, potentials_alarms(&p, 0),
		     potentials_alarms(&p, 1),
		     potentials_alarms(&p, 1) == 1 ? "" : "s");
	free(p.points);
	free(p.series);
	free(p.alarms);
	return p.skipped ? EXIT_BADINPUT : EXIT_OK;
}
