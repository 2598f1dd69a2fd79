// SPDX-License-Identifier: GPL-2.0-or-later
/* csplot: records to an SVG or PNG picture, drawn by gnuplot. */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cellsense.h"
#include "tools-common.h"

static const char usage[] =
"Usage: csplot [OPTIONS] -o OUT.svg|OUT.png [FILE...]\n"
"Draw measurement records (the output of any cellsense tool, from the\n"
"FILEs or standard input) against time through gnuplot: one panel per\n"
"quantity and unit, one line per source, records whose status is not ok\n"
"as red markers. The picture's format is OUT's extension.\n"
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
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"Needs gnuplot (Debian: gnuplot-nox) in PATH.\n"
"\n"
"Exit status: 0 success; 1 could not read, nothing to plot, or gnuplot\n"
"failed; 2 usage error; 3 the picture was drawn but bad record lines were\n"
"skipped.\n";

enum { OPT_HLINE = 256, OPT_TITLE, OPT_WIDTH, OPT_PANEL_HEIGHT };

static const struct option longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "quantity", required_argument, NULL, 'q' },
	{ "source", required_argument, NULL, 's' },
	{ "hline", required_argument, NULL, OPT_HLINE },
	{ "title", required_argument, NULL, OPT_TITLE },
	{ "width", required_argument, NULL, OPT_WIDTH },
	{ "panel-height", required_argument, NULL, OPT_PANEL_HEIGHT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

#define MAX_HLINES 8

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

struct plot {
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

static void parse_args(int argc, char **argv, struct options *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->width = 900;
	o->panel_height = 320;
	while ((c = getopt_long(argc, argv, "o:q:s:hV", longopts,
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
static size_t series_of(struct plot *p, const struct cs_record *rec)
{
	size_t i, panel = p->npanels;

	for (i = 0; i < p->nseries; i++) {
		struct series *s = &p->series[i];

		if (strcmp(s->quantity, rec->quantity) ||
		    strcmp(s->unit, rec->unit))
			continue;
		if (!strcmp(s->source, rec->source))
			return i;
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
	while ((ret = cs_record_reader_next(r, &rec)) != 0) {
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
			.series = series_of(p, &rec),
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
static void write_data(FILE *f, const struct plot *p, int64_t t0)
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

	for (size_t s = 0; s < p->nseries && !first; s++)
		if (p->series[s].panel == panel)
			first = &p->series[s];
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
	for (int h = 0; h < o->nhlines; h++) {
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
		fprintf(f, "%s$s%zu using 1:2 with linespoints pt 7 ps 0.3 "
			"title ", sep, s);
		put_quoted(f, p->series[s].source);
		sep = ", ";
	}
	if (nbad)
		fprintf(f, "%s$bad%zu using 1:2 with points pt 2 ps 1.2 "
			"lw 2 lc rgb 'red' title 'not ok (%zu)'", sep, panel,
			nbad);
	fputc('\n', f);
}

static void write_script(FILE *f, const struct options *o,
			 const struct plot *p)
{
	long height = o->panel_height * (long)p->npanels +
		      (o->title ? 40 : 0);

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
	write_data(f, p, first_time(p));
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
static void run_gnuplot(const struct options *o, const struct plot *p)
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
	write_script(f, o, p);
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
	memset(&p, 0, sizeof(p));
	if (o.nfiles == 0)
		read_records(&o, &p, NULL);
	for (int i = 0; i < o.nfiles; i++)
		read_records(&o, &p, o.files[i]);
	if (p.npoints == 0)
		die("no records to plot (%lu read, %lu not matching -q/-s, "
		    "%lu bad line%s skipped)", p.read, p.filtered, p.skipped,
		    p.skipped == 1 ? "" : "s");
	run_gnuplot(&o, &p);
	for (size_t i = 0; i < p.npoints; i++)
		nbad += !p.points[i].ok;
	warn("%s: %zu record%s of %zu source%s in %zu panel%s, %zu not ok; "
	     "%lu not matching -q/-s, %lu bad line%s skipped", o.output,
	     p.npoints, p.npoints == 1 ? "" : "s", p.nseries,
	     p.nseries == 1 ? "" : "s", p.npanels, p.npanels == 1 ? "" : "s",
	     nbad, p.filtered, p.skipped, p.skipped == 1 ? "" : "s");
	free(p.points);
	free(p.series);
	return p.skipped ? EXIT_BADINPUT : EXIT_OK;
}
