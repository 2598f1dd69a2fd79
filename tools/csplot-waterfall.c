// SPDX-License-Identifier: GPL-2.0-or-later
/* csplot --waterfall: ultrasonic shots (a file's, or the board's through
 * libiio) as an image of echo amplitude over time, with ustof's gates and
 * tof records drawn over it. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"
#include "cellsense-iio.h"
#include "tools-common.h"
#include "csplot.h"

#define SHOT_HEADER_BYTES 256	/* the driver's in_index shot header */

struct waterfall {
	struct cs_waterfall *w;
	int64_t t0;			/* the first shot's time */
	const struct plot *records;	/* tof records drawn over it */
	unsigned long skipped;
};

/* A gate as ustof's -g gives it: NAME:START_US:END_US, kept in a window
 * (centre and half-width in us). */
void parse_gate(const char *arg, struct window *w)
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

/* --waterfall -d: the ultrasonic board's layout, sampling frequency and
 * shot header into @o. */
struct cs_iiodev *from_us_device(struct options *o)
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

int plot_waterfall(struct options *o)
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
