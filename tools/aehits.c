// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * aehits: a continuous acoustic-emission stream in (raw samples, or the
 * blocks cellsense_us sends in continuous mode); one group of records per
 * hit, and the hit rate and cumulative energy at intervals, out.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"
#include "cellsense-iio.h"
#include "tools-common.h"

#define HEADER_BYTES 256
/* a gap in the sample index longer than this is no overrun but a corrupt
 * header: its interval records alone would run to gigabytes */
#define MAX_GAP_S 60.0
#define MAX_GAP_TEXT "60 s"

struct options {
	size_t n;
	struct cs_sample_format fmt;
	double fs_hz, threshold_db, ref, pdt_us, hdt_us, hlt_us, max_ms;
	double interval_s;
	double rate_hz;		/* records a second, --waveforms without -T */
	struct cs_ae_scale scale;	/* volts_per_count 0: counts */
	char source[32];
	int timestamps, header, verbose, waveforms, ref_set;
	size_t block;
	int n_set;
	struct tools_offset offset;	/* --offset */
	struct tools_iio_opts iio;	/* -u, -d, --scans */
	int source_set;
	const char *layout_opt;		/* -n, -f, -F, -H, -T, --block given */
};

static const char usage_text[] =
"Usage: aehits [OPTIONS] [FILE]\n"
"Acoustic-emission hits on a continuous stream: each hit gives records of\n"
"its amplitude, counts, duration, rise time and energy at its arrival time;\n"
"every interval, the hit rate and the cumulative energy. Reads FILE, or\n"
"standard input when FILE is absent or '-' (see cellsense-records(5)).\n"
"\n"
"Options:\n"
"  -n, --samples=N          samples per block (default 1024)\n"
"  -f, --format=FMT         sample format, libiio notation (default le:s16;\n"
"                           le:f32, be:f64 ... for floats)\n"
"  -F, --fs=HZ              sampling frequency (default 625000)\n"
"  -t, --threshold=DB       hit threshold, dB re --ref, or dB_AE with\n"
"                           --volts-per-count (default 50)\n"
"      --ref=COUNTS         counts at 0 dB (default 1)\n"
"      --volts-per-count=V  the digitiser's scale: amplitudes in dB_AE\n"
"                           (re 1 uV at the sensor), energies in eu\n"
"                           (1e-14 V^2 s), as Vallen's\n"
"      --gain-db=DB         ... with the preamplifier's gain (default 0)\n"
"      --pdt=US             peak-definition time, 0 off (default 50)\n"
"      --hdt=US             hit-definition time (default 200)\n"
"      --hlt=US             hit-lockout time (default 300)\n"
"      --max-duration=MS    a longer hit is ended, status truncated\n"
"                           (default 100)\n"
"  -i, --interval=S         hit rate and cumulative energy every S seconds\n"
"                           of stream (default 1)\n"
"  -s, --source=NAME        source of the records (default ae0)\n"
"  -w, --waveforms          each record (block) is one triggered transient\n"
"                           (a waveform set): hits are found within it and\n"
"                           one that lasts to its end is not truncated\n"
"  -r, --rate=HZ            --waveforms: records a second, for time_ns\n"
"                           without timestamps (default 1)\n"
"  -H, --header             each block is followed by the driver's shot\n"
"                           header: lost blocks are seen and skipped\n"
"  -T, --timestamps         ... and/or its 64-bit timestamp element\n"
"      --block=N            samples per IIO channel element (default 128)\n"
"      --offset=auto|VALUE  taken off every sample: VALUE, or auto:\n"
"                           mid-scale for unsigned integer samples, else\n"
"                           each block's mean (default: none, and a\n"
"                           warning when the first block is far off 0)\n"
"  -d, --device=DEV         read the ultrasonic board DEV (label or name)\n"
"                           through libiio instead of FILE: block length,\n"
"                           format, shot header, timestamp, sampling\n"
"                           frequency and source from the device (its\n"
"                           mode continuous: no shots needed)\n"
"  -u, --uri=URI            its libiio context: local: (default),\n"
"                           ip:HOST[:PORT] for a rig running iiod\n"
"      --scans=N            with -d: stop after N blocks (default: run\n"
"                           until interrupted)\n"
"  -v, --verbose            a summary on stderr at the end\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n"
"\n"
"Text (one block a line) and NumPy .npy (blocks x samples) are told from\n"
"raw samples by their first bytes and said on stderr.\n"
"Exit status: 0 success, 1 read/write error, 2 usage error,\n"
"3 input ended inside a block or had NaN samples (counted, reported),\n"
"or with -H a first block without a shot header.\n";

static const struct option longopts[] = {
	{ "samples", required_argument, NULL, 'n' },
	{ "format", required_argument, NULL, 'f' },
	{ "fs", required_argument, NULL, 'F' },
	{ "threshold", required_argument, NULL, 't' },
	{ "ref", required_argument, NULL, 1 },
	{ "pdt", required_argument, NULL, 2 },
	{ "hdt", required_argument, NULL, 3 },
	{ "hlt", required_argument, NULL, 4 },
	{ "max-duration", required_argument, NULL, 5 },
	{ "interval", required_argument, NULL, 'i' },
	{ "source", required_argument, NULL, 's' },
	{ "header", no_argument, NULL, 'H' },
	{ "timestamps", no_argument, NULL, 'T' },
	{ "block", required_argument, NULL, 6 },
	{ "volts-per-count", required_argument, NULL, 7 },
	{ "gain-db", required_argument, NULL, 8 },
	{ "waveforms", no_argument, NULL, 'w' },
	{ "rate", required_argument, NULL, 'r' },
	{ "offset", required_argument, NULL, 9 },
	{ "scans", required_argument, NULL, TOOLS_OPT_SCANS },
	{ "device", required_argument, NULL, 'd' },
	{ "uri", required_argument, NULL, 'u' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void check_times(struct options *o);

static void parse_args(struct options *o, int argc, char **argv)
{
	size_t pos;
	int c;

	memset(o, 0, sizeof(*o));
	o->n = 1024;
	cs_sample_format_parse("le:s16", &o->fmt, NULL);
	o->fs_hz = 625e3;
	o->threshold_db = 50;
	o->ref = 1;
	o->pdt_us = 50;
	o->hdt_us = 200;
	o->hlt_us = 300;
	o->max_ms = 100;
	o->interval_s = 1;
	strcpy(o->source, "ae0");
	o->block = 128;
	o->rate_hz = 1;
	while ((c = getopt_long(argc, argv, "n:f:F:t:i:s:wr:HTd:u:vhV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'n':
			o->n = (size_t)parse_long(optarg, "samples", 1, 1048576);
			o->n_set = 1;
			o->layout_opt = "-n";
			break;
		case 'u':
		case 'd':
		case TOOLS_OPT_SCANS:
			tools_iio_take(&o->iio, c, optarg, NULL);
			break;
		case 9:
			tools_offset_parse(&o->offset, optarg);
			break;
		case 'f':
			if (cs_sample_format_parse(optarg, &o->fmt, &pos))
				die_usage("format '%s': not understood at "
					  "character %zu", optarg, pos + 1);
			o->layout_opt = "-f";
			break;
		case 'F':
			o->fs_hz = parse_double(optarg, "fs", 1.0, 1e12);
			o->layout_opt = "-F";
			break;
		case 't':
			o->threshold_db = parse_double(optarg, "threshold",
						       -200, 400);
			break;
		case 1:
			o->ref = parse_double(optarg, "ref", 1e-12, 1e12);
			o->ref_set = 1;
			break;
		case 2:
			o->pdt_us = parse_double(optarg, "pdt", 0, 1e9);
			break;
		case 7:
			o->scale.volts_per_count =
				parse_double(optarg, "volts-per-count", 1e-15,
					     1e6);
			break;
		case 8:
			o->scale.gain_db = parse_double(optarg, "gain-db", -200,
							200);
			break;
		case 'w':
			o->waveforms = 1;
			break;
		case 'r':
			o->rate_hz = parse_double(optarg, "rate", 1e-6, 1e9);
			break;
		case 3:
			o->hdt_us = parse_double(optarg, "hdt", 1e-3, 1e9);
			break;
		case 4:
			o->hlt_us = parse_double(optarg, "hlt", 0, 1e9);
			break;
		case 5:
			o->max_ms = parse_double(optarg, "max-duration", 1e-3,
						 1e9);
			break;
		case 'i':
			o->interval_s = parse_double(optarg, "interval", 1e-3,
						     1e9);
			break;
		case 's':
			if (!optarg[0] || strlen(optarg) >= sizeof(o->source) ||
			    strpbrk(optarg, "\t\n "))
				die_usage("source '%s': empty, too long or has "
					  "a blank", optarg);
			strcpy(o->source, optarg);
			o->source_set = 1;
			break;
		case 'H':
			o->header = 1;
			o->layout_opt = "-H";
			break;
		case 'T':
			o->timestamps = 1;
			o->layout_opt = "-T";
			break;
		case 6:
			o->block = (size_t)parse_long(optarg, "block", 1, 65536);
			o->layout_opt = "--block";
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			tools_help(usage_text);
		case 'V':
			tools_version();
		default:
			tools_try_help();
		}
	}
	if (argc - optind > 1)
		die_usage("more than one input file");
	tools_iio_check(&o->iio, argc > optind ? argv[optind] : NULL, 0);
	if (o->iio.device[0] && o->layout_opt)
		die_usage("-d %s: %s: -n, -f, -F, -H, -T and --block come from "
			  "the device", o->iio.device, o->layout_opt);
	if (o->iio.device[0])
		return;		/* the checks below once fs is known */
	check_times(o);
}

/* What needs the sampling frequency: after the device's, with -d. */
static void check_times(struct options *o)
{
	if (o->hdt_us * 1e-6 * o->fs_hz < 1.0)
		die_usage("hdt %g us is shorter than one sample at %g Hz",
			  o->hdt_us, o->fs_hz);
	if (o->max_ms * 1e3 <= o->hdt_us)
		die_usage("max-duration must be longer than hdt");
	if (o->ref_set && o->scale.volts_per_count > 0.0)
		die_usage("--ref and --volts-per-count: one or the other (with "
			  "a scale, 0 dB is 1 uV at the sensor)");
	if (o->scale.volts_per_count > 0.0)
		o->ref = cs_ae_dbae_to_counts(0.0, &o->scale);
}

/* -d: the board's layout, sampling frequency and label into @o. */
static struct cs_iiodev *from_device(struct options *o)
{
	struct tools_us_layout l = { .fmt = &o->fmt };
	struct cs_iiodev *d = tools_us_open(o->iio.uri, o->iio.device, &l);
	const char *label = cs_iiodev_label(d);

	if (strcmp(l.mode, "continuous") && !o->waveforms)
		warn("%s: mode %s: blocks come only with shots fired on its "
		     "trigger (mode continuous streams; -w for triggered "
		     "waveforms)", label, l.mode);
	o->n = l.n;
	o->n_set = 1;
	o->block = l.block;
	o->header = l.header;
	o->timestamps = l.timestamps;
	o->fs_hz = l.fs_hz;
	if (!o->source_set) {
		if (strlen(label) >= sizeof(o->source) ||
		    strpbrk(label, "\t\n "))
			die("%s: label unfit for a source: give -s", label);
		strcpy(o->source, label);
	}
	check_times(o);
	return d;
}

struct state {
	const struct options *o;
	int64_t t0;
	unsigned long hits, interval_hits, truncated;
	double energy;		/* cumulative */
	uint64_t next_report;	/* sample index of the next interval end */
	uint64_t interval;	/* samples */
};

static void rec(const struct options *o, int64_t t, const char *quantity,
		double v, const char *unit, const char *status)
{
	struct cs_record r;
	int ret;

	if (cs_record_set(&r, t, o->source, quantity, v, unit, status, NAN))
		die("record for %s could not be formed", o->source);
	ret = cs_record_write(stdout, &r);
	if (ret)
		die("stdout: %s", strerror(-ret));
}

static int64_t at(const struct state *s, uint64_t index)
{
	return s->t0 + llround((double)index * 1e9 / s->o->fs_hz);
}

static void hit_out(struct state *s, const struct cs_aehit *h)
{
	const struct options *o = s->o;
	int64_t t = at(s, h->start);
	const char *st = h->truncated ? "truncated" : "ok";

	int phys = o->scale.volts_per_count > 0.0;
	double e = phys ? cs_ae_energy_to_eu(h->energy, &o->scale) : h->energy;

	rec(o, t, "amplitude", cs_ae_counts_to_db(h->peak, o->ref),
	    phys ? "dB_AE" : "dB", st);
	rec(o, t, "counts", (double)h->counts, "1", st);
	rec(o, t, "duration", h->duration_s * 1e6, "us", st);
	rec(o, t, "rise_time", h->rise_s * 1e6, "us", st);
	rec(o, t, "energy", e, phys ? "eu" : "count2.s", st);
	s->hits++;
	s->interval_hits++;
	s->truncated += h->truncated ? 1 : 0;
	s->energy += e;
}

/* interval records for every interval that ended before sample @now */
static void intervals(struct state *s, uint64_t now)
{
	while (now >= s->next_report && !tools_stop) {
		int64_t t = at(s, s->next_report);

		rec(s->o, t, "hit_rate", (double)s->interval_hits /
		    s->o->interval_s, "Hz", "ok");
		rec(s->o, t, "cumulative_energy", s->energy,
		    s->o->scale.volts_per_count > 0.0 ? "eu" : "count2.s",
		    "ok");
		s->interval_hits = 0;
		s->next_report += s->interval;
	}
	if (fflush(stdout))
		die_perror("stdout");
}

int main(int argc, char **argv)
{
	struct options o;
	struct cs_aehit_config hc;
	struct cs_aehit_detector *d;
	struct state s = { 0 };
	struct cs_aehit h;
	const char *name;
	size_t sbytes, frame, got, bps;
	unsigned long blocks = 0;
	uint64_t lost = 0, wf_samples = 0;
	unsigned char *raw;
	double *x;
	struct tools_source src;
	struct cs_seq seq;
	struct cs_iiodev *dev = NULL;
	int status = EXIT_OK;

	tools_set_progname(argv[0]);
	parse_args(&o, argc, argv);
	tools_install_signals();
	if (o.iio.device[0])
		dev = from_device(&o);
	hc.rate_hz = o.fs_hz;
	hc.threshold = cs_ae_db_to_counts(o.threshold_db, o.ref);
	hc.pdt_s = o.pdt_us * 1e-6;
	hc.hdt_s = o.hdt_us * 1e-6;
	hc.hlt_s = o.hlt_us * 1e-6;
	hc.max_duration_s = o.max_ms * 1e-3;
	d = cs_aehit_detector_create(&hc);
	if (!d)
		die_perror("hit detector");
	s.o = &o;
	cs_seq_init(&seq, (uint64_t)(MAX_GAP_S * o.fs_hz));
	s.interval = (uint64_t)fmax(1.0, llround(o.interval_s * o.fs_hz));
	s.next_report = s.interval;
	bps = cs_sample_format_bytes(&o.fmt);
	sbytes = o.n * bps;
	frame = (o.header || o.timestamps) ?
		cs_scan_bytes(sbytes + (o.header ? HEADER_BYTES : 0),
			      (o.n % o.block ? 1 : o.block) * bps,
			      o.timestamps) : sbytes;
	if (dev) {
		const struct cs_iio_element *el;
		size_t scan;

		cs_iiodev_elements(dev, &el, &scan);
		if (scan != frame)
			die("%s: %zu bytes a scan, aehits would read %zu",
			    cs_iiodev_label(dev), scan, frame);
		/* about 0.1 s of blocks a buffer, 1 to 64 */
		tools_source_open_device(&src, dev, (size_t)fmin(64.0,
					 fmax(1.0, o.fs_hz / (double)o.n /
					      10.0)), o.iio.scans);
	} else {
		tools_source_open(&src, optind < argc ? argv[optind] : NULL,
				  frame, o.n_set ? o.n : 0,
				  o.header ? "-H" : o.timestamps ? "-T" : NULL);
	}
	name = src.name;
	if (o.header || o.timestamps)
		tools_source_check_raw(&src, frame, "block",
				       !o.header ? "-n, -f, -T" : o.timestamps ?
				       "-n, -f, -H, -T" : "-n, -f, -H",
				       o.header ? sbytes : (size_t)-1);
	if (src.kind != TOOLS_RAW)
		o.n = tools_source_samples(&src);
	tools_offset_resolve(&o.offset, src.kind == TOOLS_RAW ?
			     (o.fmt.is_signed ? 0 : o.fmt.bits) :
			     src.npy_unsigned_bits, name);
	raw = malloc(frame);
	x = malloc(o.n * sizeof(*x));
	if (!raw || !x)
		die_perror("malloc");

	if (fputs(cs_record_header(), stdout) < 0 || fputc('\n', stdout) < 0)
		die_perror("stdout");
	while (!tools_stop) {
		size_t off = 0;

		if (src.kind != TOOLS_RAW) {
			int ret = tools_source_next(&src, x);

			if (!ret)
				break;
			if (ret < 0) {
				status = EXIT_BADINPUT;
				blocks++;
				continue;
			}
			if (tools_nonfinite(x, o.n, name, "block", blocks, 0)) {
				lost += o.n;
				if (cs_aehit_detector_gap(d, o.n, &h))
					hit_out(&s, &h);
				status = EXIT_BADINPUT;
				blocks++;
				continue;
			}
			tools_offset_apply(&o.offset, x, o.n, name, "block");
			/* a waveform set: each record's time from -r */
			if (o.waveforms)
				s.t0 = llround((double)blocks * 1e9 /
					       o.rate_hz);
			while (off < o.n) {
				size_t used;

				if (cs_aehit_detector_execute_block(d, x + off,
								    o.n - off,
								    &h, 1,
								    &used))
					hit_out(&s, &h);
				off += used;
			}
			if (o.waveforms) {
				if (cs_aehit_detector_end_record(d, &h))
					hit_out(&s, &h);
				wf_samples += o.n;
			} else {
				intervals(&s, cs_aehit_detector_samples(d));
			}
			blocks++;
			continue;
		}
		got = tools_source_read(&src, raw, frame);
		if (got < frame) {
			if (ferror(src.in) && errno != EINTR)
				die_perror("%s: read error at byte %lu", name,
					   blocks * (unsigned long)frame +
					   (unsigned long)got);
			if (got > 0 && (o.header || o.timestamps ||
					got % bps)) {
				warn("%s: input ends inside block %lu at byte "
				     "offset %lu (%zu of %zu bytes); 1 partial "
				     "block skipped", name, blocks,
				     blocks * (unsigned long)frame, got, frame);
				status = EXIT_BADINPUT;
				break;
			}
			if (!got)
				break;
			/* raw samples: the last short block is whole samples */
		}
		/* a waveform set: each record's time is its own */
		if (o.timestamps && (!blocks || o.waveforms))
			s.t0 = (int64_t)tools_get_le64(raw +
				(o.header ? sbytes + HEADER_BYTES :
				 (sbytes + 7) / 8 * 8));
		else if (o.waveforms)
			s.t0 = llround((double)blocks * 1e9 / o.rate_hz);
		if (o.header && !o.waveforms) {
			uint64_t first = tools_get_le64(raw + sbytes + 8), gap;
			unsigned long at_byte = blocks * (unsigned long)frame;

			switch (cs_seq_check(&seq, first, got < frame ?
					     got / bps : o.n, &gap)) {
			case CS_SEQ_IN_STEP:
				break;
			case CS_SEQ_GAP:
				warn("%s: %llu samples lost before sample %llu "
				     "(byte offset %lu); a hit open then is "
				     "ended there", name,
				     (unsigned long long)gap,
				     (unsigned long long)first, at_byte);
				lost += gap;
				if (cs_aehit_detector_gap(d, gap, &h))
					hit_out(&s, &h);
				break;
			case CS_SEQ_RESTART:
				warn("%s: block %lu at byte offset %lu: the "
				     "sample index starts again at %llu (the "
				     "block before began it): a board reset; "
				     "samples lost unknown", name, blocks,
				     at_byte, (unsigned long long)first);
				if (cs_aehit_detector_gap(d, 0, &h))
					hit_out(&s, &h);
				break;
			case CS_SEQ_BEHIND:
			case CS_SEQ_JUMP:
				warn("%s: block %lu at byte offset %lu starts "
				     "at sample %llu where %llu was next (%s): "
				     "its header is not believed, block "
				     "skipped", name, blocks, at_byte,
				     (unsigned long long)first,
				     (unsigned long long)seq.next,
				     first < seq.next ? "going back" :
				     "more than " MAX_GAP_TEXT " ahead");
				status = EXIT_BADINPUT;
				blocks++;
				continue;
			}
		}
		cs_sample_format_decode(&o.fmt, raw, got < frame ? got / bps :
					o.n, x);
		if (o.fmt.is_float &&
		    tools_nonfinite(x, got < frame ? got / bps : o.n, name,
				    "block", blocks,
				    (unsigned long long)blocks * frame)) {
			/* the block is a gap in the stream: a hit open then
			 * ends there, as for samples the acquisition lost */
			size_t cnt = got < frame ? got / bps : o.n;

			lost += cnt;
			if (cs_aehit_detector_gap(d, cnt, &h))
				hit_out(&s, &h);
			status = EXIT_BADINPUT;
			blocks++;
			if (got < frame)
				break;
			continue;
		}
		tools_offset_apply(&o.offset, x, got < frame ? got / bps : o.n,
				   name, "block");
		while (off < (got < frame ? got / bps : o.n)) {
			size_t used, cnt = got < frame ? got / bps : o.n;

			if (cs_aehit_detector_execute_block(d, x + off,
							    cnt - off, &h, 1,
							    &used))
				hit_out(&s, &h);
			off += used;
		}
		if (o.waveforms) {
			/* the transient is over: its last hit is whole */
			if (cs_aehit_detector_end_record(d, &h))
				hit_out(&s, &h);
			wf_samples += got < frame ? got / bps : o.n;
		} else {
			intervals(&s, cs_aehit_detector_samples(d));
		}
		blocks++;
		if (got < frame)
			break;
	}
	if (cs_aehit_detector_finish(d, &h))
		hit_out(&s, &h);
	if (fflush(stdout))
		die_perror("stdout");
	if (o.verbose || lost || status)
		fprintf(stderr, "%s: %s: %llu samples, %lu hits (%lu "
			"truncated), %llu samples lost\n", tools_progname(),
			name, (unsigned long long)(o.waveforms ? wf_samples :
					cs_aehit_detector_samples(d)),
			s.hits, s.truncated, (unsigned long long)lost);
	cs_aehit_detector_destroy(d);
	free(raw);
	free(x);
	if (dev && tools_iio_end(dev)) {
		/* the device failed mid-stream: said, with its block count */
		warn("%s: %lu blocks read before that", name, blocks);
		status = EXIT_FAIL;
	}
	tools_source_close(&src);
	return status;
}
