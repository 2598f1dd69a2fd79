// SPDX-License-Identifier: GPL-2.0-or-later
/* csplot --spectrum: one raw spectrum (a file's, or a device's through
 * libiio), its gratings' windows and the wavelength records at its time. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cellsense.h"
#include "cellsense-iio.h"
#include "tools-common.h"
#include "csplot.h"

void parse_window(const char *arg, struct options *o)
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

struct spectrum {
	double *nm, *counts;	/* per pixel */
	int64_t time_ns;
	const struct plot *records;	/* those at time_ns are marked */
};

/* -d: pixels, format, block, timestamp, rate and (unless -w) the scale
 * from the fibre front-end, its intensity and timestamp enabled. */
struct cs_iiodev *from_device(struct options *o)
{
	struct cs_iiodev *d = tools_iio_open(o->iio.uri, o->iio.device);
	const char *label = cs_iiodev_label(d);
	const struct cs_iio_element *el, *e;
	size_t nel, scan, npix;
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
	if (!o->scale_set)
		tools_iio_wavescale(d, label, &o->scale);
	if (!cs_iiodev_attr_double(d, "sampling_frequency", &hz) && hz > 0)
		o->rate_hz = hz;
	warn("%s on %s: %zu pixels in blocks of %zu%s, %zu bytes a scan, "
	     "%g spectra/s, scale %s", label, cs_iiodev_uri(d), o->npix,
	     o->block, o->timestamps ? ", timestamp" : "", scan, o->rate_hz,
	     o->scale_set ? "from -w" : "from the board");
	return d;
}

/* Scan o->scan of the input into @sp; dies when the input has fewer or
 * ends inside it. */
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

int plot_spectrum(const struct options *o)
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
