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

static int has_suffix(const char *s, const char *suffix)
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

static void parse_window(const char *arg, struct options *o)
{
	struct window *w = &o->windows[o->nwindows];
	char buf[160], *f[4], *p = buf;
	int n = 0;

	if (o->nwindows == MAX_WINDOWS)
		die_usage("more than %d gratings", MAX_WINDOWS);
	if (strlen(arg) >= sizeof(buf))
		die_usage("grating '%s' too long", arg);
	strcpy(buf, arg);
	while (n < 4) {
		f[n++] = p;
		p = strchr(p, ':');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (n < 2 || p || !f[0][0] || strlen(f[0]) >= sizeof(w->name))
		die_usage("grating '%s': expected NAME:NM[:HALF[:FIBRE]]", arg);
	strcpy(w->name, f[0]);
	w->nm = parse_double(f[1], "grating wavelength", 100, 10000);
	w->half = n > 2 ? parse_double(f[2], "grating half-width", 1e-3, 1000)
			: 2.0;
	if (n > 3)
		parse_long(f[3], "grating fibre", 0, 255);
	o->nwindows++;
}

/* A gate as ustof's -g gives it: NAME:START_US:END_US, kept in a window
 * (centre and half-width in us). */
static void parse_gate(const char *arg, struct window *w)
{
	char buf[160], *a, *b;
	double start, end;

	if (strlen(arg) >= sizeof(buf))
		die_usage("gate '%s' too long", arg);
	strcpy(buf, arg);
	a = strchr(buf, ':');
	b = a ? strchr(a + 1, ':') : NULL;
	if (!a || !b || a == buf || (size_t)(a - buf) >= sizeof(w->name))
		die_usage("gate '%s': expected NAME:START_US:END_US", arg);
	*a++ = '\0';
	*b++ = '\0';
	start = parse_double(a, "gate start", 0, 1e9);
	end = parse_double(b, "gate end", 0, 1e9);
	if (end <= start)
		die_usage("gate '%s': END_US must be after START_US", arg);
	strcpy(w->name, buf);
	w->nm = (start + end) / 2;
	w->half = (end - start) / 2;
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
	if (o->potentials) {
		static char plating[64], warning[64];

		if (o->nhlines + 2 > MAX_HLINES)
			die_usage("hline: more than %d lines with "
				  "--potentials' two", MAX_HLINES - 2);
		o->quantity = "potential";
		snprintf(plating, sizeof(plating), "plating threshold %.4g V",
			 o->threshold);
		snprintf(warning, sizeof(warning), "warning %.4g V",
			 o->threshold + o->margin);
		o->hlines[o->nhlines++] = (struct hline){ o->threshold,
							  plating };
		o->hlines[o->nhlines++] = (struct hline){ o->threshold +
							  o->margin, warning };
	}
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

static void *grow(void *p, size_t *cap, size_t need, size_t size)
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

/* A warning or plating record: its onset, once (refmon repeats an active
 * alarm with its growing duration, same onset). "none" clears: no mark. */
static void add_alarm(struct plot *p, const struct cs_record *rec)
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

static void read_records(const struct options *o, struct plot *p,
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
			add_alarm(p, &rec);
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
static void put_quoted(FILE *f, const char *s)
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
	for (int plating = 0; plating < 2 && o->potentials; plating++) {
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

static size_t alarms_of(const struct plot *p, int plating)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nalarms; i++)
		n += p->alarms[i].plating == plating;
	return n;
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
	if (o->potentials) {
		char label[CS_RECORD_SOURCE_MAX + 16];

		snprintf(label, sizeof(label), "%s (V)", first->source);
		fputs("set ylabel ", f);
		put_quoted(f, label);
		fputc('\n', f);
	}
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
	/* alarm onsets: a tall mark where the alarm began */
	if (o->potentials && anode && alarms_of(p, 0))
		fprintf(f, ", $warning using 1:2 with points pt 11 ps 2 "
			"lc rgb '#e08000' title 'warning onset (%zu)'",
			alarms_of(p, 0));
	if (o->potentials && anode && alarms_of(p, 1))
		fprintf(f, ", $plating using 1:2 with points pt 9 ps 2 "
			"lc rgb '#c00000' title 'plating onset (%zu)'",
			alarms_of(p, 1));
	fputc('\n', f);
}

static void write_terminal(FILE *f, const struct options *o, long height)
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
static void run_gnuplot(const struct options *o,
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

/* ---- --spectrum ---- */

struct spectrum {
	double *nm, *counts;	/* per pixel */
	int64_t time_ns;
	const struct plot *records;	/* those at time_ns are marked */
};

/* Scan o->scan of the input into @sp; dies when the input has fewer or
 * ends inside it. */
/* -d: pixels, format, block, timestamp, rate and (unless -w) the scale
 * from the fibre front-end, its intensity and timestamp enabled. */
static struct cs_iiodev *from_device(struct options *o)
{
	struct cs_iiodev *d = tools_iio_open(o->iio.uri, o->iio.device);
	const char *label = cs_iiodev_label(d);
	const struct cs_iio_element *el, *e;
	size_t nel, scan, npix, pos;
	char attr[256];
	double hz;
	int contig;

	tools_iio_enable(d, "intensity", 1);
	o->timestamps = tools_iio_enable(d, "timestamp", 0) > 0;
	nel = cs_iiodev_elements(d, &el, &scan);
	cs_iio_elements_prefix(el, nel, "intensity", &npix, &contig);
	if (!contig || el[0].offset != 0 || npix < 16 || npix > 65536)
		die("%s: its %zu intensity samples are not one run of 16 to "
		    "65536 pixels at the start of a scan", label, npix);
	o->npix = npix;
	o->fmt = el[0].fmt;
	o->block = el[0].repeat;
	e = cs_iio_element_find(el, nel, "timestamp");
	if (o->timestamps && e->offset != (npix * cs_sample_format_bytes(
						&o->fmt) + 7) / 8 * 8)
		die("%s: its timestamp is at byte %zu of a scan, not where "
		    "csplot reads it", label, e->offset);
	if (!o->scale_set) {
		if (cs_iiodev_attr_read(d, "in_intensity_wavelength_coeffs",
					attr, sizeof(attr)) < 0)
			die("%s has no in_intensity_wavelength_coeffs: give "
			    "its scale with -w", label);
		if (cs_iio_wavescale_parse(attr, &o->scale, &pos))
			die("%s: in_intensity_wavelength_coeffs '%s' not "
			    "understood at character %zu", label, attr,
			    pos + 1);
	}
	if (!cs_iiodev_attr_double(d, "sampling_frequency", &hz) && hz > 0)
		o->rate_hz = hz;
	warn("%s on %s: %zu pixels in blocks of %zu%s, %zu bytes a scan, "
	     "%g spectra/s, scale %s", label, cs_iiodev_uri(d), o->npix,
	     o->block, o->timestamps ? ", timestamp" : "", scan, o->rate_hz,
	     o->scale_set ? "from -w" : "from the board");
	return d;
}

/* --waterfall -d: the ultrasonic board's layout, sampling frequency and
 * shot header into @o. */
static struct cs_iiodev *from_us_device(struct options *o)
{
	struct tools_us_layout l = { .fmt = &o->fmt };
	struct cs_iiodev *d = tools_us_open(o->iio.uri, o->iio.device, &l);

	o->npix = l.n;
	o->n_set = 1;
	o->block = l.block;
	o->header = l.header;
	o->timestamps = l.timestamps;
	o->fs_hz = l.fs_hz;
	return d;
}

static void read_scan(const struct options *o, struct spectrum *sp)
{
	size_t sbytes = o->npix * cs_sample_format_bytes(&o->fmt);
	size_t frame = cs_scan_bytes(sbytes, (o->npix % o->block ? 1 : o->block)
					     * cs_sample_format_bytes(&o->fmt),
				     o->timestamps);
	const char *name;
	struct cs_iiodev *dev = o->dev;
	char dev_name[320];
	FILE *in;
	unsigned char *buf;

	if (dev) {
		int fd;

		/* a copy: the FILE's close must not close the device's */
		fd = dup(tools_iio_start(dev, (unsigned long long)o->scan +
					 1));
		snprintf(dev_name, sizeof(dev_name), "%s on %s",
			 cs_iiodev_label(dev), cs_iiodev_uri(dev));
		name = dev_name;
		in = fd < 0 ? NULL : fdopen(fd, "rb");
		if (!in)
			die_perror("%s", name);
	} else {
		in = tools_open_input(o->nfiles ? o->files[0] : NULL, &name);
	}
	buf = malloc(frame);
	unsigned long i;

	sp->nm = calloc(o->npix, sizeof(double));
	sp->counts = calloc(o->npix, sizeof(double));
	if (!buf || !sp->nm || !sp->counts)
		die("out of memory");
	for (i = 0; i <= (unsigned long)o->scan; i++) {
		int ret = tools_read_frame(in, name, "scan", i, buf, frame);

		if (ret == 0 && dev && tools_iio_end(dev))
			die("%s: scan %ld not read", name, o->scan);
		if (ret == 0)
			die("%s: scan %ld asked for, the input has %lu "
			    "(%zu bytes each: -n %zu, -f, -T right?)", name,
			    o->scan, i, frame, o->npix);
		if (ret < 0)
			die("%s: scan %lu is incomplete", name, i);
	}
	cs_sample_format_decode(&o->fmt, buf, o->npix, sp->counts);
	for (size_t k = 0; k < o->npix; k++)
		sp->nm[k] = cs_wavescale_eval(&o->scale, (double)k);
	sp->time_ns = o->timestamps
		? (int64_t)tools_get_le64(buf + (sbytes + 7) / 8 * 8)
		: (int64_t)llround((double)o->scan * 1e9 / o->rate_hz);
	free(buf);
	if (dev)
		tools_iio_end(dev);
	if (in != stdin)
		fclose(in);
}

/* Records at the scan's time without a value (lost): not drawn, named in
 * the legend. */
static int unmarked(const struct spectrum *sp, const struct point *pt)
{
	return pt->time_ns == sp->time_ns && !isfinite(pt->value);
}

static int marked(const struct spectrum *sp, const struct point *pt)
{
	return pt->time_ns == sp->time_ns && isfinite(pt->value);
}

static void write_marks(FILE *f, const struct spectrum *sp, double top,
			int ok)
{
	const struct plot *r = sp->records;

	fprintf(f, "$%s << EOD\n", ok ? "peaks" : "badpeaks");
	for (size_t i = 0; r && i < r->npoints; i++) {
		const struct point *pt = &r->points[i];

		if (marked(sp, pt) && pt->ok == ok) {
			/* the label beside the mark, halfway up */
			fprintf(f, "%.10g %.10g %.10g \"", pt->value, top,
				top / 2);
			for (const char *c = r->series[pt->series].source;
			     *c; c++)
				fputc(*c == '"' ? '?' : *c, f);
			fputs("\"\n", f);
		}
	}
	fputs("EOD\n", f);
}

static void write_spectrum(FILE *f, const struct options *o, const void *ctx)
{
	const struct spectrum *sp = ctx;
	double lo = INFINITY, hi = -INFINITY;
	size_t nok = 0, nbad = 0, nlost = 0;
	const struct plot *r = sp->records;

	for (size_t k = 0; k < o->npix; k++) {
		if (isfinite(sp->counts[k]) && sp->counts[k] < lo)
			lo = sp->counts[k];
		if (isfinite(sp->counts[k]) && sp->counts[k] > hi)
			hi = sp->counts[k];
	}
	for (size_t i = 0; r && i < r->npoints; i++)
		if (marked(sp, &r->points[i]))
			r->points[i].ok ? nok++ : nbad++;
		else if (unmarked(sp, &r->points[i]))
			nlost++;
	write_terminal(f, o, o->panel_height + 140 + (o->title ? 40 : 0));
	fputs("set rmargin 34\n", f);	/* room for the lost sources */
	if (o->title) {
		fputs("set title ", f);
		put_quoted(f, o->title);
		fputc('\n', f);
	}
	fprintf(f, "set xlabel 'wavelength (nm)'\nset ylabel 'counts'\n"
		"set xrange [%.10g:%.10g]\nset yrange [%.10g:%.10g]\n",
		sp->nm[0] < sp->nm[o->npix - 1] ? sp->nm[0] : sp->nm[o->npix - 1],
		sp->nm[0] < sp->nm[o->npix - 1] ? sp->nm[o->npix - 1] : sp->nm[0],
		lo < 0 ? lo * 1.05 : 0.0, hi > 0 ? hi * 1.25 : 1.0);
	for (int w = 0; w < o->nwindows; w++) {
		const struct window *win = &o->windows[w];

		fprintf(f, "set object %d rect from %.10g, graph 0 to %.10g, "
			"graph 1 fillcolor rgb '#d8e4f8' fillstyle solid 0.6 "
			"noborder behind\n", w + 1, win->nm - win->half,
			win->nm + win->half);
		fprintf(f, "set label %d ", w + 1);
		put_quoted(f, win->name);
		fprintf(f, " at %.10g, graph 0.04 center textcolor rgb "
			"'#3060a0'\n", win->nm);
	}
	fputs("$spec << EOD\n", f);
	for (size_t k = 0; k < o->npix; k++)
		fprintf(f, "%.10g %.10g\n", sp->nm[k], sp->counts[k]);
	fputs("EOD\n", f);
	write_marks(f, sp, hi > 0 ? hi * 1.08 : 1.0, 1);
	write_marks(f, sp, hi > 0 ? hi * 1.08 : 1.0, 0);
	fprintf(f, "plot $spec using 1:2 with lines lc rgb '#202020' "
		"title 'scan %ld, t = %.9g s'", o->scan,
		(double)sp->time_ns / 1e9);
	if (nok)
		fprintf(f, ", $peaks using 1:2 with impulses lw 1.5 "
			"lc rgb '#1060d0' title 'records (%zu)', "
			"$peaks using 1:3:4 with labels rotate by 90 center "
			"offset -0.8,0 notitle", nok);
	if (nbad)
		fprintf(f, ", $badpeaks using 1:2 with impulses lw 1.5 dt 2 "
			"lc rgb 'red' title 'not ok (%zu)', "
			"$badpeaks using 1:3:4 with labels rotate by 90 center "
			"offset -0.8,0 textcolor rgb 'red' notitle", nbad);
	if (nlost) {
		char text[256];
		size_t len;

		len = (size_t)snprintf(text, sizeof(text), "no value (%zu):",
				       nlost);
		for (size_t i = 0; i < r->npoints && len < sizeof(text); i++)
			if (unmarked(sp, &r->points[i]))
				len += (size_t)snprintf(text + len,
					sizeof(text) - len, " %s",
					r->series[r->points[i].series].source);
		fputs(", NaN with points pt 2 lc rgb 'red' title ", f);
		put_quoted(f, text);
	}
	if (o->nwindows)
		fprintf(f, ", NaN with boxes fillstyle solid 0.6 "
			"lc rgb '#d8e4f8' title 'windows (%d)'", o->nwindows);
	fputs("\nset output\n", f);
}

static int plot_spectrum(const struct options *o)
{
	struct options ro = *o;
	struct plot recs;
	struct spectrum sp;
	size_t nmarked = 0;

	memset(&recs, 0, sizeof(recs));
	memset(&sp, 0, sizeof(sp));
	read_scan(o, &sp);
	ro.quantity = "wavelength";
	if (o->records)
		read_records(&ro, &recs, o->records);
	sp.records = &recs;
	for (size_t i = 0; i < recs.npoints; i++)
		nmarked += marked(&sp, &recs.points[i]);
	if (o->records && !nmarked)
		warn("%s: no wavelength record with a value at scan %ld's "
		     "time %lld ns (-T, --rate right?)", o->records, o->scan,
		     (long long)sp.time_ns);
	run_gnuplot(o, write_spectrum, &sp);
	warn("%s: scan %ld (%zu pixels, t = %lld ns), %zu wavelength "
	     "record%s marked, %d window%s; %lu bad line%s skipped",
	     o->output, o->scan, o->npix, (long long)sp.time_ns, nmarked,
	     nmarked == 1 ? "" : "s", o->nwindows,
	     o->nwindows == 1 ? "" : "s", recs.skipped,
	     recs.skipped == 1 ? "" : "s");
	free(sp.nm);
	free(sp.counts);
	free(recs.points);
	free(recs.series);
	return recs.skipped ? EXIT_BADINPUT : EXIT_OK;
}

/* ---- --waterfall ---- */

#define SHOT_HEADER_BYTES 256	/* the driver's in_index shot header */

struct waterfall {
	struct cs_waterfall *w;
	int64_t t0;			/* the first shot's time */
	const struct plot *records;	/* tof records drawn over it */
	unsigned long skipped;
};

/* A shot's time: its timestamp element with -T, else from --rate. */
static int64_t shot_time(const struct options *o, const unsigned char *raw,
			 size_t sbytes, unsigned long shot)
{
	if (o->timestamps)
		return (int64_t)tools_get_le64(raw + (o->header ?
				sbytes + SHOT_HEADER_BYTES :
				(sbytes + 7) / 8 * 8));
	return (int64_t)llround((double)shot * 1e9 / o->rate_hz);
}

/* Every shot of the input into wf->w; bad shots said and skipped. */
static void read_shots(struct options *o, struct waterfall *wf)
{
	size_t bps = cs_sample_format_bytes(&o->fmt);
	size_t sbytes = o->npix * bps;
	size_t frame = cs_scan_bytes(sbytes + (o->header ? SHOT_HEADER_BYTES
							 : 0),
				     (o->npix % o->block ? 1 : o->block) * bps,
				     o->timestamps);
	struct tools_source src;
	unsigned char *raw;
	double *x;
	unsigned long shot = 0;
	char opts[96];

	if (o->dev)	/* a shot's record as it comes */
		tools_source_open_device(&src, o->dev, 1, o->iio.scans);
	else
		tools_source_open(&src, o->nfiles ? o->files[0] : NULL, frame,
				  o->n_set ? o->npix : 0,
				  o->header ? "-H" : o->timestamps ? "-T" :
				  NULL);
	snprintf(opts, sizeof(opts), "-n %zu, -f, %s%s", o->npix,
		 o->header ? "-H, " : "", o->timestamps ? "-T" : "");
	tools_source_check_raw(&src, frame, "shot", opts,
			       o->header ? sbytes : (size_t)-1);
	if (src.kind != TOOLS_RAW) {
		size_t n = tools_source_samples(&src);

		if (o->n_set && n != o->npix)
			die_usage("%s: -n %zu, but its shots have %zu samples",
				  src.name, o->npix, n);
		o->npix = n;
	}
	tools_offset_resolve(&o->offset, src.kind == TOOLS_RAW ?
			     (o->fmt.is_signed ? 0 : o->fmt.bits) :
			     src.npy_unsigned_bits, src.name);
	wf->w = cs_waterfall_create(o->npix, (size_t)o->width,
				    (size_t)o->panel_height);
	raw = malloc(frame);
	x = malloc(o->npix * sizeof(*x));
	if (!wf->w || !raw || !x)
		die("out of memory");
	for (;; shot++) {
		unsigned long long at = (unsigned long long)shot * frame;
		int64_t t;

		if (src.kind != TOOLS_RAW) {
			int ret = tools_source_next(&src, x);

			if (!ret)
				break;
			if (ret < 0) {
				wf->skipped++;
				continue;
			}
			t = shot_time(o, NULL, 0, shot);
			at = 0;
		} else {
			size_t got = tools_source_read(&src, raw, frame);

			if (got < frame && ferror(src.in) && errno != EINTR)
				die_perror("%s: read error at byte %llu",
					   src.name, at + got);
			if (!got)
				break;
			if (got < frame) {
				warn("%s: input ends inside shot %lu at byte "
				     "offset %llu (%zu of %zu bytes: %s "
				     "right?); 1 partial shot skipped",
				     src.name, shot, at, got, frame, opts);
				wf->skipped++;
				break;
			}
			cs_sample_format_decode(&o->fmt, raw, o->npix, x);
			t = shot_time(o, raw, sbytes, shot);
		}
		if (tools_nonfinite(x, o->npix, src.name, "shot", shot, at)) {
			wf->skipped++;
			continue;
		}
		tools_offset_apply(&o->offset, x, o->npix, src.name, "shot");
		if (!cs_waterfall_shots(wf->w))
			wf->t0 = t;
		if (cs_waterfall_add(wf->w, x, t))
			die("%s: shot %lu: not finite after the offset",
			    src.name, shot);
	}
	free(raw);
	free(x);
	tools_source_close(&src);
	if (!cs_waterfall_shots(wf->w))
		die("%s: no shot to draw (%lu read, %lu skipped; %s, %zu "
		    "bytes a shot)", src.name, shot, wf->skipped, opts, frame);
}

static void write_waterfall(FILE *f, const struct options *o,
			    const void *ctx)
{
	const struct waterfall *wf = ctx;
	const struct plot *r = wf->records;
	size_t cols, rows;
	const double *img = cs_waterfall_image(wf->w, &cols, &rows);
	double us = (double)cs_waterfall_col_samples(wf->w) / o->fs_hz * 1e6;
	double t_last = (double)(cs_waterfall_row_time(wf->w, rows - 1) -
				 wf->t0) / 1e9;
	/* rows evenly spaced from the first to the last row's time */
	double dt = rows > 1 ? t_last / (double)(rows - 1) : 1.0;
	double top = 0;

	for (size_t i = 0; i < cols * rows; i++)
		if (fabs(img[i]) > top)
			top = fabs(img[i]);
	write_terminal(f, o, o->panel_height + 160 + (o->title ? 40 : 0));
	if (o->title) {
		fputs("set title ", f);
		put_quoted(f, o->title);
		fputc('\n', f);
	}
	fprintf(f, "set xlabel 'time in the A-scan (us)'\n"
		"set ylabel 'time (s)'\nset cblabel 'sample'\n"
		"set palette defined (-1 '#2040c0', 0 'white', 1 '#c02020')\n"
		"set cbrange [%.10g:%.10g]\nset grid front\n"
		"set xrange [0:%.10g]\nset yrange [%.10g:%.10g]\n",
		top > 0 ? -top : -1.0, top > 0 ? top : 1.0,
		(double)o->npix / o->fs_hz * 1e6, -dt / 2, t_last + dt / 2);
	fputs("$wf << EOD\n", f);
	for (size_t row = 0; row < rows; row++) {
		for (size_t c = 0; c < cols; c++)
			fprintf(f, "%.9g %.9g %.6g\n", ((double)c + 0.5) * us,
				(double)row * dt, img[row * cols + c]);
		fputc('\n', f);
	}
	fputs("EOD\n", f);
	for (size_t s = 0; r && s < r->nseries; s++) {
		fprintf(f, "$tof%zu << EOD\n", s);
		for (size_t i = 0; i < r->npoints; i++) {
			const struct point *pt = &r->points[i];

			if (pt->series == s && pt->ok && isfinite(pt->value)) {
				fprintf(f, "%.10g %.9f\n", pt->value / 1e3,
					(double)(pt->time_ns - wf->t0) / 1e9);
			}
		}
		fputs("EOD\n", f);
	}
	/* each gate's two edges, from the first row to the last */
	for (int g = 0; g < o->nwindows; g++) {
		const struct window *w = &o->windows[g];

		fprintf(f, "$gate%d << EOD\n%.10g %.10g\n%.10g %.10g\n\n"
			"%.10g %.10g\n%.10g %.10g\nEOD\n", g,
			w->nm - w->half, -dt / 2, w->nm - w->half,
			t_last + dt / 2, w->nm + w->half, -dt / 2,
			w->nm + w->half, t_last + dt / 2);
	}
	fprintf(f, "set rmargin 14\nset key below horizontal\n"
		"plot $wf using 1:2:3 with image title '%lu shots, %zu a "
		"row; %zu samples, %zu a column'", cs_waterfall_shots(wf->w),
		cs_waterfall_row_shots(wf->w), o->npix,
		cs_waterfall_col_samples(wf->w));
	for (int g = 0; g < o->nwindows; g++) {
		const struct window *w = &o->windows[g];
		char title[64];

		snprintf(title, sizeof(title), "gate %s", w->name);
		fprintf(f, ", $gate%d using 1:2 with lines lw 1.5 dt 2 "
			"lc rgb '#606060' title ", g);
		put_quoted(f, title);
	}
	for (size_t s = 0; r && s < r->nseries; s++) {
		static const char *const colour[] = {
			"#000000", "#008000", "#8000a0", "#a06000" };

		fprintf(f, ", $tof%zu using 1:2 with lines lw 2 lc rgb '%s' "
			"title ", s, colour[s % 4]);
		put_quoted(f, r->series[s].source);
	}
	fputc('\n', f);
	fputs("set output\n", f);
}

static int plot_waterfall(struct options *o)
{
	struct options ro = *o;
	struct plot recs;
	struct waterfall wf;
	size_t cols, rows, ntof = 0;

	memset(&recs, 0, sizeof(recs));
	memset(&wf, 0, sizeof(wf));
	read_shots(o, &wf);
	ro.quantity = "tof";
	if (o->records)
		read_records(&ro, &recs, o->records);
	for (size_t i = 0; i < recs.npoints; i++)
		ntof += recs.points[i].ok && isfinite(recs.points[i].value);
	if (o->records && !ntof)
		warn("%s: no ok tof record to draw (%lu read, %lu not tof or "
		     "not matching -s)", o->records, recs.read, recs.filtered);
	wf.records = &recs;
	run_gnuplot(o, write_waterfall, &wf);
	cs_waterfall_image(wf.w, &cols, &rows);
	warn("%s: %lu shots in %zu rows x %zu columns (%zu shots a row, %zu "
	     "samples a column), %d gate%s, %zu tof records of %zu source%s; "
	     "%lu bad shot%s, %lu bad line%s skipped", o->output,
	     cs_waterfall_shots(wf.w), rows, cols,
	     cs_waterfall_row_shots(wf.w), cs_waterfall_col_samples(wf.w),
	     o->nwindows, o->nwindows == 1 ? "" : "s", ntof, recs.nseries,
	     recs.nseries == 1 ? "" : "s", wf.skipped,
	     wf.skipped == 1 ? "" : "s", recs.skipped,
	     recs.skipped == 1 ? "" : "s");
	cs_waterfall_destroy(wf.w);
	free(recs.points);
	free(recs.series);
	return wf.skipped || recs.skipped ? EXIT_BADINPUT : EXIT_OK;
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
		     o.output, alarms_of(&p, 0), alarms_of(&p, 1),
		     alarms_of(&p, 1) == 1 ? "" : "s");
	free(p.points);
	free(p.series);
	free(p.alarms);
	return p.skipped ? EXIT_BADINPUT : EXIT_OK;
}
