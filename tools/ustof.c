// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ustof: ultrasonic A-scans (one record of N samples per shot, as
 * iio_readdev writes them from cellsense_us, or raw) in; per shot and per
 * named gate, time of flight, shift against the first shot, echo amplitude
 * and energy out as records.
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

#define MAX_GATES 32
#define HEADER_BYTES 256	/* the driver's in_index shot header */

enum { Q_TOF = 1, Q_SHIFT = 2, Q_AMPLITUDE = 4, Q_ENERGY = 8,
       Q_COUPLING = 16 };
#define NQ 5
#define COUPLING_SHOTS 10	/* ok shots whose mean amplitude is 0 dB */

struct gate {
	char name[32];
	double start_us, end_us;
	size_t lo, hi;
	int have_ref;
	double ref, ref_sigma;
	/* records out of step: the echo moving by the same whole samples
	 * from shot to shot, as when -n is not the records' length */
	int have_last, same_steps;
	double last, last_step;
	/* --follow: where the echo sat in the gate at its first ok shot */
	int have_place;
	double place;
	/* coupling: the mean |amplitude| of the first ok shots, and their
	 * relative noise (1 / SNR^2) summed */
	int ref_shots;
	double ref_amp, ref_rel2;
};

#define STEP_MIN 2.0		/* samples a shot: no echo drifts that fast */
#define SAME_STEPS 3		/* in a row, to say so */

/* The gates as cs_ustof_execute_record() takes them, and their results. */
static size_t spans[MAX_GATES][2];
static struct cs_ustof_result results[MAX_GATES];

struct options {
	size_t n;
	struct cs_sample_format fmt;
	const char *pulse_path;
	struct gate g[MAX_GATES];
	unsigned int ngates;
	char source[32];
	double rate_hz, fs_hz, min_snr, false_alarm;
	int polarity, timestamps, header, verbose, follow;
	unsigned int quantities;
	size_t block;
	int n_set;			/* -n given: checked against a file */
	char fmt_text[32];		/* -f as given, for messages */
	struct tools_offset offset;	/* --offset */
	const char *times_path;		/* --times */
	double *times_s;		/* its times, seconds */
	size_t ntimes;
	int pulse_from;			/* --pulse-from given */
	unsigned long pulse_shot;
	double pulse_start_us, pulse_end_us;
	char run_input[4096];		/* --run: the run's raw file */
	size_t run_scan_bytes;		/* --run: bytes a scan, as recorded */
	struct tools_iio_opts iio;	/* -u, -d, --scans */
	int source_set;
	const char *layout_opt;		/* -n, -f, -H, -T, --block, -F given */
};

static const char usage_text[] =
"Usage: ustof [OPTIONS] --pulse=FILE -g NAME:START_US:END_US ... [FILE]\n"
"Time of flight of ultrasonic echoes: each record (one shot, N samples) is\n"
"cross-correlated with the reference pulse and, in every gate, the delay\n"
"from the record's first sample to the pulse's origin is refined below one\n"
"sample. Writes records (see cellsense-records(5)); reads FILE, or standard\n"
"input when FILE is absent or '-', as iio_readdev writes it.\n"
"\n"
"Options:\n"
"  -n, --samples=N          samples per record (default 1024)\n"
"  -f, --format=FMT         sample format, libiio notation (default le:s16;\n"
"                           le:f32, be:f64 ... for floats)\n"
"  -p, --pulse=FILE         reference pulse: raw samples in FMT, text or\n"
"                           .npy (told apart, said); its first sample is\n"
"                           its time origin\n"
"      --pulse-from=SHOT:START_US:END_US  the reference pulse cut from\n"
"                           record SHOT (0 the first) of the data instead\n"
"      --offset=auto|VALUE  taken off every sample: VALUE, or auto:\n"
"                           mid-scale for unsigned integer samples, else\n"
"                           each record's mean (default: none, and a\n"
"                           warning when the first record is far off 0)\n"
"  -g, --gate=NAME:START_US:END_US  a gate: the echo's origin lies between\n"
"                           START and END microseconds; repeat for each\n"
"  -F, --fs=HZ              sampling frequency (default 20000000)\n"
"  -r, --rate=HZ            shots per second, for time_ns without\n"
"                           timestamps (default 1)\n"
"      --times=FILE         each record's time in seconds, in order: text,\n"
"                           one number a line (or .npy)\n"
"  -s, --source=NAME        source prefix of the records (default us0)\n"
"  -q, --quantities=LIST    of tof,shift,amplitude,energy,coupling\n"
"                           (default all)\n"
"      --polarity=P         echo sign: pos, neg or any (default pos)\n"
"      --false-alarm=P      false detections a gate of noise alone may\n"
"                           give: sets the detection threshold for each\n"
"                           gate's length (default 0.0001; 0: --min-snr\n"
"                           alone)\n"
"      --follow             gates follow their echo: after each ok shot a\n"
"                           gate moves (width kept) to keep the echo where\n"
"                           it was in the gate at its first ok shot\n"
"      --min-snr=X          matched-filter SNR below which a gate is lost\n"
"                           in any case (default 0)\n"
"  -H, --header             each record is followed by the driver's\n"
"                           256-byte shot header (in_index)\n"
"  -T, --timestamps         ... and/or its 64-bit timestamp element\n"
"      --block=N            samples per IIO channel element (default 128)\n"
"      --run=DIR            read the us stream of a csacq run: file, format,\n"
"                           samples, block, -H, -T, sampling frequency and\n"
"                           source from its sidecar (checked by SHA-256);\n"
"                           options after it override\n"
"  -d, --device=DEV         read the ultrasonic board DEV (label or name)\n"
"                           through libiio instead of FILE: record\n"
"                           length, format, shot header, timestamp,\n"
"                           sampling frequency and source from the device\n"
"  -u, --uri=URI            its libiio context: local: (default),\n"
"                           ip:HOST[:PORT] for a rig running iiod\n"
"      --scans=N            with -d: stop after N records (default: run\n"
"                           until interrupted)\n"
"  -v, --verbose            a summary on stderr at the end\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n"
"\n"
"With -d the shots are fired by whoever drives the board's trigger line\n"
"(csacq, gpioset): ustof reads the records they make.\n"
"Text (one record a line) and NumPy .npy (records x samples) are told\n"
"from raw samples by their first bytes and said on stderr.\n"
"\n"
"Quantities per gate: tof (ns), shift (ns, against the gate's first ok\n"
"shot), amplitude (echo / reference pulse), energy (counts^2), coupling\n"
"(dB, the amplitude against the mean of the first 10 ok shots).\n"
"Exit status: 0 success, 1 read/write error, 2 usage error,\n"
"3 input ended inside a record or had NaN samples (counted,\n"
"reported), or with -H a record without a shot header.\n";

static const struct option longopts[] = {
	{ "samples", required_argument, NULL, 'n' },
	{ "format", required_argument, NULL, 'f' },
	{ "pulse", required_argument, NULL, 'p' },
	{ "gate", required_argument, NULL, 'g' },
	{ "fs", required_argument, NULL, 'F' },
	{ "rate", required_argument, NULL, 'r' },
	{ "source", required_argument, NULL, 's' },
	{ "quantities", required_argument, NULL, 'q' },
	{ "polarity", required_argument, NULL, 1 },
	{ "min-snr", required_argument, NULL, 2 },
	{ "block", required_argument, NULL, 3 },
	{ "false-alarm", required_argument, NULL, 4 },
	{ "follow", no_argument, NULL, 5 },
	{ "offset", required_argument, NULL, 6 },
	{ "pulse-from", required_argument, NULL, 7 },
	{ "times", required_argument, NULL, 8 },
	{ "run", required_argument, NULL, 9 },
	{ "scans", required_argument, NULL, TOOLS_OPT_SCANS },
	{ "device", required_argument, NULL, 'd' },
	{ "uri", required_argument, NULL, 'u' },
	{ "header", no_argument, NULL, 'H' },
	{ "timestamps", no_argument, NULL, 'T' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void add_gate(struct options *o, const char *arg)
{
	char buf[128], *a, *b;
	struct gate *g;

	if (o->ngates >= MAX_GATES)
		die_usage("more than %d gates", MAX_GATES);
	if (strlen(arg) >= sizeof(buf))
		die_usage("gate '%s' too long", arg);
	strcpy(buf, arg);
	a = strchr(buf, ':');
	b = a ? strchr(a + 1, ':') : NULL;
	if (!a || !b || a == buf)
		die_usage("gate '%s': expected NAME:START_US:END_US", arg);
	*a++ = '\0';
	*b++ = '\0';
	g = &o->g[o->ngates];
	if (strlen(buf) >= sizeof(g->name) || strpbrk(buf, "\t\n /"))
		die_usage("gate name '%s' too long or has a blank or '/'", buf);
	strcpy(g->name, buf);
	g->start_us = parse_double(a, "gate start", 0, 1e9);
	g->end_us = parse_double(b, "gate end", 0, 1e9);
	if (g->end_us <= g->start_us)
		die_usage("gate '%s': end %g us is not after start %g us",
			  g->name, g->end_us, g->start_us);
	o->ngates++;
}

static unsigned int parse_quantities(const char *arg)
{
	static const char *const names[NQ] = { "tof", "shift", "amplitude",
					       "energy", "coupling" };
	unsigned int m = 0;
	const char *p = arg;

	while (*p) {
		size_t len = strcspn(p, ","), i;

		for (i = 0; i < NQ; i++)
			if (strlen(names[i]) == len && !strncmp(p, names[i], len))
				break;
		if (i == NQ)
			die_usage("quantities '%s': expected a list of tof, "
				  "shift, amplitude, energy, coupling", arg);
		m |= 1u << i;
		p += len;
		if (*p == ',')
			p++;
	}
	if (!m)
		die_usage("quantities: empty list");
	return m;
}

static void set_pulse_from(struct options *o, const char *arg)
{
	char buf[128], *a, *b;

	if (strlen(arg) >= sizeof(buf))
		die_usage("pulse-from '%s' too long", arg);
	strcpy(buf, arg);
	a = strchr(buf, ':');
	b = a ? strchr(a + 1, ':') : NULL;
	if (!a || !b)
		die_usage("pulse-from '%s': expected SHOT:START_US:END_US", arg);
	*a++ = '\0';
	*b++ = '\0';
	o->pulse_shot = (unsigned long)parse_long(buf, "pulse-from shot", 0,
						  100000);
	o->pulse_start_us = parse_double(a, "pulse-from start", 0, 1e9);
	o->pulse_end_us = parse_double(b, "pulse-from end", 0, 1e9);
	if (o->pulse_end_us <= o->pulse_start_us)
		die_usage("pulse-from '%s': end is not after start", arg);
	o->pulse_from = 1;
}

/* --run DIR: what the run's sidecar says, as if given as options. */
static void apply_run(struct options *o, const char *dir)
{
	struct cs_run_stream s;
	char err[512], note[512];
	size_t pos;

	if (cs_run_load(dir, "us", &s, note, sizeof(note), err, sizeof(err)))
		die("--run: %s", err);
	if (note[0])
		warn("%s", note);
	if (s.samples < 16 || s.samples > 1048576 || s.block < 1 ||
	    s.block > 65536)
		die("--run %s: %zu samples a record in blocks of %zu: ustof "
		    "takes 16-1048576 in blocks of 1-65536", dir, s.samples,
		    s.block);
	if (cs_sample_format_parse(s.format, &o->fmt, &pos))
		die("--run %s: format '%s' not understood", dir, s.format);
	snprintf(o->fmt_text, sizeof(o->fmt_text), "%s", s.format);
	o->n = s.samples;
	o->n_set = 1;
	o->block = s.block;
	o->header = s.index;	/* cellsense_us's in_index: the shot header */
	o->timestamps = s.timestamps;
	/* the us front-end's sampling_frequency is its ADC's */
	if (s.rate_hz > 0 && !(s.rate_hz >= 1.0 && s.rate_hz <= 1e12))
		die("--run %s: sampling frequency %g Hz out of range", dir,
		    s.rate_hz);
	if (s.rate_hz > 0)
		o->fs_hz = s.rate_hz;
	if (s.device[0] && strlen(s.device) < sizeof(o->source) &&
	    !strpbrk(s.device, "\t\n "))
		strcpy(o->source, s.device);
	o->run_scan_bytes = s.scan_bytes;
	strcpy(o->run_input, s.path);
}

static void parse_args(struct options *o, int argc, char **argv)
{
	size_t pos;
	int c;

	memset(o, 0, sizeof(*o));
	o->n = 1024;
	cs_sample_format_parse("le:s16", &o->fmt, NULL);
	strcpy(o->fmt_text, "le:s16");
	strcpy(o->source, "us0");
	o->rate_hz = 1.0;
	o->fs_hz = 20e6;
	o->min_snr = 0.0;
	o->false_alarm = 1e-4;
	o->polarity = 1;
	o->quantities = Q_TOF | Q_SHIFT | Q_AMPLITUDE | Q_ENERGY | Q_COUPLING;
	o->block = 128;

	while ((c = getopt_long(argc, argv, "n:f:p:g:F:r:s:q:HTd:u:vhV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'n':
			o->n = (size_t)parse_long(optarg, "samples", 16, 1048576);
			o->n_set = 1;
			o->layout_opt = "-n";
			break;
		case 'u':
		case 'd':
		case TOOLS_OPT_SCANS:
			tools_iio_take(&o->iio, c, optarg, NULL);
			break;
		case 6:
			tools_offset_parse(&o->offset, optarg);
			break;
		case 7:
			set_pulse_from(o, optarg);
			break;
		case 8:
			o->times_path = optarg;
			break;
		case 9:
			apply_run(o, optarg);
			break;
		case 'f':
			if (cs_sample_format_parse(optarg, &o->fmt, &pos))
				die_usage("format '%s': not understood at "
					  "character %zu (expected e.g. le:s16)",
					  optarg, pos + 1);
			snprintf(o->fmt_text, sizeof(o->fmt_text), "%s", optarg);
			o->layout_opt = "-f";
			break;
		case 'p':
			o->pulse_path = optarg;
			break;
		case 'g':
			add_gate(o, optarg);
			break;
		case 'F':
			o->fs_hz = parse_double(optarg, "fs", 1.0, 1e12);
			o->layout_opt = "-F";
			break;
		case 'r':
			o->rate_hz = parse_double(optarg, "rate", 1e-6, 1e9);
			break;
		case 's':
			if (!optarg[0] || strlen(optarg) >= sizeof(o->source) ||
			    strpbrk(optarg, "\t\n "))
				die_usage("source '%s': empty, too long or has "
					  "a blank", optarg);
			strcpy(o->source, optarg);
			o->source_set = 1;
			break;
		case 'q':
			o->quantities = parse_quantities(optarg);
			break;
		case 1:
			if (!strcmp(optarg, "pos"))
				o->polarity = 1;
			else if (!strcmp(optarg, "neg"))
				o->polarity = -1;
			else if (!strcmp(optarg, "any"))
				o->polarity = 0;
			else
				die_usage("polarity '%s': expected pos, neg or "
					  "any", optarg);
			break;
		case 2:
			o->min_snr = parse_double(optarg, "min-snr", 0, 1e9);
			break;
		case 3:
			o->block = (size_t)parse_long(optarg, "block", 1, 65536);
			o->layout_opt = "--block";
			break;
		case 4:
			o->false_alarm = parse_double(optarg, "false-alarm", 0,
						      0.5);
			break;
		case 5:
			o->follow = 1;
			break;
		case 'H':
			o->header = 1;
			o->layout_opt = "-H";
			break;
		case 'T':
			o->timestamps = 1;
			o->layout_opt = "-T";
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
	if (o->run_input[0] && argc > optind)
		die_usage("--run names the input: no FILE with it");
	tools_iio_check(&o->iio, argc > optind ? argv[optind] : NULL,
			o->run_input[0] != '\0');
	if (!o->pulse_path && !o->pulse_from)
		die_usage("no reference pulse: use --pulse=FILE or "
			  "--pulse-from=SHOT:START_US:END_US");
	if (o->pulse_path && o->pulse_from)
		die_usage("--pulse and --pulse-from: one reference pulse only");
	if (!o->ngates)
		die_usage("no gate given: use -g NAME:START_US:END_US");
	if (o->times_path && o->timestamps)
		die_usage("--times and -T: the records' times from one only");
	if (o->iio.device[0] && o->layout_opt)
		die_usage("-d %s: %s: -n, -f, -F, -H, -T and --block come from "
			  "the device", o->iio.device, o->layout_opt);
	if (o->iio.device[0] && o->times_path)
		die_usage("-d %s: --times: the records' times come from the "
			  "device", o->iio.device);
}

/* -d: the board's layout, sampling frequency and label into @o. */
static struct cs_iiodev *from_device(struct options *o)
{
	struct tools_us_layout l = { .fmt = &o->fmt };
	struct cs_iiodev *d = tools_us_open(o->iio.uri, o->iio.device, &l);
	const char *label = cs_iiodev_label(d);

	if (l.n < 16)
		die("%s: records of %zu samples; ustof needs 16 or more",
		    label, l.n);
	if (!strcmp(l.mode, "continuous"))
		warn("%s: mode continuous: acoustic-emission blocks, not "
		     "echoes of shots (set mode pulse-echo or through)",
		     label);
	o->n = l.n;
	o->n_set = 1;
	o->block = l.block;
	o->header = l.header;
	o->timestamps = l.timestamps;
	o->fs_hz = l.fs_hz;
	snprintf(o->fmt_text, sizeof(o->fmt_text), "%s:%c%u/%u>>%u",
		 o->fmt.big_endian ? "be" : "le", o->fmt.is_signed ? 's' : 'u',
		 o->fmt.bits, o->fmt.storage, o->fmt.shift);
	if (!o->source_set) {
		if (strlen(label) >= sizeof(o->source) ||
		    strpbrk(label, "\t\n "))
			die("%s: label unfit for a source: give -s", label);
		strcpy(o->source, label);
	}
	return d;
}

/* --times: every number of the file, a record's time in seconds each. */
static void read_times(struct options *o)
{
	struct cs_input_config cfg = { .whole = 1, .max_samples = 1u << 24 };
	size_t n;
	char *text = tools_read_file(o->times_path, "times", &n);
	enum cs_input_kind kind = cs_input_sniff(text, n < 4096 ? n : 4096);
	struct cs_input *r;
	int ret;

	if (kind == CS_INPUT_RAW)
		die("%s: times: raw data, not text or .npy (byte %zu)",
		    o->times_path, cs_input_first_binary(text, n));
	r = cs_input_create(NULL, text, n, kind == CS_INPUT_NPY ?
			    CS_INPUT_NPY : CS_INPUT_TEXT, &cfg);
	if (!r)
		die_perror("%s", o->times_path);
	ret = cs_input_start(r);
	if (ret)
		die("%s: times: %s", o->times_path, ret == -EBADMSG ?
		    cs_input_error(r) : strerror(-ret));
	o->ntimes = cs_input_samples(r);
	o->times_s = malloc(o->ntimes * sizeof(double));
	if (!o->times_s)
		die_perror("malloc");
	if (cs_input_next(r, o->times_s) != 1)
		die("%s: times: %s", o->times_path, cs_input_error(r));
	for (size_t i = 0; i < o->ntimes; i++)
		if (!(fabs(o->times_s[i]) < 9e9))
			die("%s: times: number %zu (%g) is no time in seconds",
			    o->times_path, i + 1, o->times_s[i]);
	warn("%s: times: %s", o->times_path, cs_input_describe(r));
	cs_input_destroy(r);
	free(text);
}

/* A record's time: from --times, or from the shot and the rate. 0, or
 * -1 when --times has none for it (reported once). */
static int record_time(const struct options *o, unsigned long index,
		       uint64_t shot, int64_t *t)
{
	static int said;

	if (!o->times_s) {
		*t = (int64_t)llround((double)shot * 1e9 / o->rate_hz);
		return 0;
	}
	if (index < o->ntimes) {
		/* whole seconds apart: an epoch time times 1e9 is past
		 * double's integers */
		double whole = floor(o->times_s[index]);

		*t = (int64_t)whole * 1000000000 +
		     llround((o->times_s[index] - whole) * 1e9);
		return 0;
	}
	if (!said++)
		warn("%s: times: %zu times, but there are more records: the "
		     "rest skipped", o->times_path, o->ntimes);
	return -1;
}

/* The gates in samples of records of o->n (known once the input is). */
static void set_gates(struct options *o)
{
	for (unsigned int i = 0; i < o->ngates; i++) {
		struct gate *g = &o->g[i];
		double lo = ceil(g->start_us * 1e-6 * o->fs_hz);
		double hi = floor(g->end_us * 1e-6 * o->fs_hz);

		if (lo > (double)(o->n - 1))
			die_usage("gate %s starts after the record (%zu "
				  "samples = %g us)", g->name, o->n,
				  (double)o->n / o->fs_hz * 1e6);
		hi = fmin(hi, (double)(o->n - 1));
		if (hi < lo)
			die_usage("gate %s is shorter than one sample", g->name);
		g->lo = (size_t)lo;
		g->hi = (size_t)hi;
		spans[i][0] = g->lo;
		spans[i][1] = g->hi;
	}
}

/* The reference pulse: the whole file, raw samples in the records'
 * format, text or .npy. --offset is taken off a raw pulse as off the
 * records, an unsigned .npy's is its mid-scale (auto) or the value; other
 * text and .npy pulses are taken as they are. */
static double *read_pulse(struct options *o, size_t *len)
{
	size_t bps = cs_sample_format_bytes(&o->fmt), n;
	unsigned char *raw = (unsigned char *)tools_read_file(o->pulse_path,
							      NULL, &n);
	enum cs_input_kind kind = cs_input_sniff(raw, n < 4096 ? n : 4096);

	/* text with a header is no pulse: read as text, its first line is
	 * named as the one that is not numbers */
	if (kind == CS_INPUT_EXPORT)
		kind = CS_INPUT_TEXT;
	struct tools_offset off = o->offset;
	unsigned int ubits = 0;
	double *p = NULL;

	if (kind == CS_INPUT_RAW) {
		if (n % bps) {
			/* freed before dying: the leak check runs at exit */
			free(raw);
			die_usage("%s: %zu bytes is not a whole number of %zu-"
				  "byte samples (-f)", o->pulse_path, n, bps);
		}
		*len = n / bps;
		if (!o->fmt.is_signed)
			ubits = o->fmt.bits;
	} else {
		struct cs_input_config cfg = { .whole = 1 };
		struct cs_input *r = cs_input_create(NULL, raw, n, kind, &cfg);
		int ret;

		if (!r)
			die_perror("%s", o->pulse_path);
		ret = cs_input_start(r);
		if (ret) {
			char why[256];

			/* freed before dying: the leak check runs at exit */
			snprintf(why, sizeof(why), "%s", ret == -EBADMSG ?
				 cs_input_error(r) : strerror(-ret));
			cs_input_destroy(r);
			free(raw);
			die("%s: read as %s: %s", o->pulse_path,
			    cs_input_kind_name(kind), why);
		}
		warn("%s: pulse: %s", o->pulse_path, cs_input_describe(r));
		*len = cs_input_samples(r);
		if (cs_input_format(r) && !cs_input_format(r)->is_signed)
			ubits = cs_input_format(r)->bits;
		p = malloc((*len ? *len : 1) * sizeof(*p));
		if (!p)
			die_perror("malloc");
		if (cs_input_next(r, p) != 1) {
			char why[256];

			snprintf(why, sizeof(why), "%s", cs_input_error(r));
			cs_input_destroy(r);
			free(raw);
			free(p);
			die("%s: %s", o->pulse_path, why);
		}
		cs_input_destroy(r);
		free(raw);
		raw = NULL;
	}
	if (*len < 2 || *len > o->n) {
		free(raw);
		free(p);
		die_usage("%s: %zu samples; a pulse needs 2 to %zu (the record)",
			  o->pulse_path, *len, o->n);
	}
	if (raw) {
		p = malloc(*len * sizeof(*p));
		if (!p)
			die_perror("malloc");
		cs_sample_format_decode(&o->fmt, raw, *len, p);
		free(raw);
	}
	if (cs_samples_first_nonfinite(p, *len) < *len)
		die("%s: sample %zu of the pulse is not a finite number",
		    o->pulse_path, cs_samples_first_nonfinite(p, *len));
	/* raw: as the records; unsigned .npy: its mid-scale; other text
	 * and .npy pulses are taken as they are */
	if (off.is_auto && ubits) {
		off.mode = OFFSET_VALUE;
		off.value = ldexp(1.0, (int)ubits - 1);
	} else if (off.is_auto) {
		off.mode = kind == CS_INPUT_RAW ? OFFSET_MEAN : OFFSET_NONE;
	} else if (kind != CS_INPUT_RAW && !ubits) {
		off.mode = OFFSET_NONE;
	}
	if (off.mode != OFFSET_NONE)
		tools_offset_apply(&off, p, *len, o->pulse_path, "pulse");
	return p;
}

struct stats {
	unsigned long shots, records, lost, saturated, ambiguous;
	unsigned long missing_shots;
	unsigned long status_count[CS_USTOF_AMBIGUOUS + 1];
	int valued;		/* some gate had a value */
	int told;		/* the all-lost hint was given */
	int out_of_step;	/* ... and the out-of-step one */
	unsigned long nonfinite;	/* records skipped for a NaN */
};

static const char *name_of;	/* the input's name, for the messages */

#define FIRST_SHOTS 10		/* all lost in these: say what may be wrong */

static void emit(const struct options *o, int64_t t, const struct gate *g,
		 const char *quantity, double v, const char *unit,
		 const char *status, double u)
{
	struct cs_record rec;
	char source[CS_RECORD_SOURCE_MAX];
	int ret;

	snprintf(source, sizeof(source), "%s/%s", o->source, g->name);
	if (cs_record_set(&rec, t, source, quantity, v, unit, status, u))
		die("record for %s could not be formed", source);
	ret = cs_record_write(stdout, &rec);
	if (ret)
		die("stdout: %s", strerror(-ret));
}

/* Say once when a gate's echo moves by the same step of more than
 * STEP_MIN samples SAME_STEPS shots in a row: records out of step. */
static void out_of_step(const struct options *o, struct gate *g,
			double delay, struct stats *st)
{
	double step = delay - g->last;

	if (g->have_last && fabs(step) > STEP_MIN &&
	    fabs(step - g->last_step) < 1.0) {
		if (++g->same_steps == SAME_STEPS && !st->out_of_step) {
			st->out_of_step = 1;
			warn("%s: gate %s's echo moves by %.1f samples every "
			     "shot (shot %lu): are the records out of step? "
			     "Check the record length (-n %zu) and -H", name_of,
			     g->name, step, st->shots, o->n);
		}
	} else {
		g->same_steps = 0;
	}
	g->last_step = step;
	g->last = delay;
	g->have_last = 1;
}

/*
 * Sensor health: the echo's amplitude in dB against the mean of the gate's
 * first COUPLING_SHOTS ok shots, so that a transducer that debonds (or a
 * wetting that changes) shows as a falling coupling. Its uncertainty from
 * the amplitude's noise, 1 / SNR relative, of this shot and of the mean.
 */
static void coupling(const struct options *o, int64_t t, struct gate *g,
		     const struct cs_ustof_result *r, const char *status)
{
	int good = r->status == CS_USTOF_OK ||
		   r->status == CS_USTOF_SATURATED ||
		   r->status == CS_USTOF_AMBIGUOUS;
	double a = fabs(r->amplitude), rel2 = 1.0 / (r->snr * r->snr);
	int building = g->ref_shots < COUPLING_SHOTS;

	if (r->status == CS_USTOF_OK && building) {
		g->ref_amp += a;
		g->ref_rel2 += rel2;
		g->ref_shots++;
	}
	if (!good || g->ref_shots < COUPLING_SHOTS) {
		emit(o, t, g, "coupling", NAN, "dB",
		     good ? "lost:noref" : status, NAN);
		return;
	}
	emit(o, t, g, "coupling",
	     20.0 * log10(a * COUPLING_SHOTS / g->ref_amp), "dB",
	     status,
	     20.0 / M_LN10 * sqrt(rel2 + g->ref_rel2 / (COUPLING_SHOTS *
						     COUPLING_SHOTS)));
}

/*
 * --follow: after an ok shot, gate @i moves by whole samples so that its
 * echo sits where it sat at the gate's first ok shot, its width kept and
 * within the record. A move of more than a quarter of the gate in one shot
 * is not made (a jump to another echo is not a drift): the gate waits.
 */
static void follow(const struct options *o, struct gate *g, unsigned int i,
		   double delay)
{
	double w = (double)(g->hi - g->lo), move;
	ptrdiff_t lo;

	if (!g->have_place) {
		g->have_place = 1;
		g->place = delay - (double)g->lo;
		return;
	}
	move = round(delay - (double)g->lo - g->place);
	if (move == 0.0 || fabs(move) > w / 4.0 + 1.0)
		return;
	lo = (ptrdiff_t)g->lo + (ptrdiff_t)move;
	if (lo < 0 || (size_t)lo + (g->hi - g->lo) >= o->n)
		return;
	g->hi = (size_t)lo + (g->hi - g->lo);
	g->lo = (size_t)lo;
	spans[i][0] = g->lo;
	spans[i][1] = g->hi;
}

static void process(struct options *o, struct cs_ustof *q, const double *x,
		    int64_t t, struct stats *st)
{
	double ns = 1e9 / o->fs_hz;

	/* the decoded record in place, all gates at once: nothing copied */
	if (cs_ustof_execute_record(q, x, spans, o->ngates, results))
		die("gates out of the record");	/* parse_args checked them */
	for (unsigned int i = 0; i < o->ngates; i++) {
		struct gate *g = &o->g[i];
		struct cs_ustof_result r = results[i];
		const char *status = cs_ustof_status_name(r.status);
		int good;

		/* a value for ok, saturated and ambiguous (whose uncertainty
		 * covers a cycle); lost:REASON has none, never a made-up one */
		good = r.status == CS_USTOF_OK ||
		       r.status == CS_USTOF_SATURATED ||
		       r.status == CS_USTOF_AMBIGUOUS;
		st->lost += !good;
		st->valued |= good;
		st->status_count[r.status]++;
		st->saturated += r.status == CS_USTOF_SATURATED;
		st->ambiguous += r.status == CS_USTOF_AMBIGUOUS;
		if (r.status == CS_USTOF_OK)
			out_of_step(o, g, r.delay, st);
		if (o->follow && r.status == CS_USTOF_OK)
			follow(o, g, i, r.delay);
		if (r.status == CS_USTOF_OK && !g->have_ref) {
			g->have_ref = 1;
			g->ref = r.delay;
			g->ref_sigma = r.sigma;
		}
		if (o->quantities & Q_TOF)
			emit(o, t, g, "tof", good ? r.delay * ns : NAN, "ns",
			     status, good ? r.sigma * ns : NAN);
		/* the shift against the gate's first ok shot: none before */
		if (o->quantities & Q_SHIFT)
			emit(o, t, g, "shift", good && g->have_ref ?
			     (r.delay - g->ref) * ns : NAN, "ns",
			     good && !g->have_ref ? "lost:noref" : status,
			     good && g->have_ref ?
			     hypot(r.sigma, g->ref_sigma) * ns : NAN);
		if (o->quantities & Q_AMPLITUDE)
			emit(o, t, g, "amplitude", good ? r.amplitude : NAN,
			     "1", status, NAN);
		if (o->quantities & Q_ENERGY)
			emit(o, t, g, "energy", r.energy, "count2", status,
			     NAN);
		if (o->quantities & Q_COUPLING)
			coupling(o, t, g, &r, status);
		st->records += (unsigned long)__builtin_popcount(o->quantities);
	}
	if (fflush(stdout))
		die_perror("stdout");
}


/* Every gate of the first shots lost: one message with the counts by
 * reason and what to check. */
static void all_lost_hint(const struct options *o, const char *name,
			  struct stats *st)
{
	const unsigned long *c = st->status_count;
	const struct gate *g = &o->g[0];

	if (st->told || st->valued || !st->shots)
		return;
	st->told = 1;
	warn("%s: every gate lost in the first %lu shots (%lu weak, %lu on "
	     "a gate's edge, %lu clipped, %lu NaN): check the sampling rate "
	     "(-F %.10g Hz puts gate %s at samples %zu-%zu of %zu), the "
	     "record length (-n %zu, with -H if the data has shot headers), "
	     "the sample format (-f) and the pulse (-p, same format and "
	     "rate)%s", name, st->shots, c[CS_USTOF_WEAK], c[CS_USTOF_EDGE],
	     c[CS_USTOF_CLIPPED], c[CS_USTOF_NAN], o->fs_hz, g->name, g->lo,
	     g->hi, o->n, o->n,
	     c[CS_USTOF_EDGE] > c[CS_USTOF_WEAK] ?
	     "; most maxima on a gate's edge: the echoes are not inside the "
	     "gates" : "");
}

/* Where main's records come from, whatever their kind. */
struct reading {
	struct options *o;
	struct tools_source src;
	size_t sbytes, frame;
	unsigned char *raw;
	uint64_t next_shot;
	char opts[96];		/* -n, -f, -H, -T as given, for messages */
	struct stats *st;
	int status;
};

/*
 * The next record into @x (its offset taken off) and its time: 1, 0 at
 * the end, 2 for a record skipped (reported and counted; read on).
 */
static int next_record(struct reading *r, double *x, int64_t *t)
{
	struct options *o = r->o;
	struct stats *st = r->st;
	const char *name = r->src.name;
	uint64_t shot = st->shots;
	unsigned long long at = (unsigned long long)st->shots * r->frame;

	if (r->src.kind != TOOLS_RAW) {
		int ret = tools_source_next(&r->src, x);

		if (ret < 0) {
			r->status = EXIT_BADINPUT;
			st->shots++;
			return 2;
		}
		if (!ret)
			return 0;
		if (record_time(o, st->shots, shot, t)) {
			r->status = EXIT_BADINPUT;
			return 0;
		}
		if (tools_nonfinite(x, o->n, name, "record", st->shots, 0)) {
			st->nonfinite++;
			r->status = EXIT_BADINPUT;
			st->shots++;
			return 2;
		}
		tools_offset_apply(&o->offset, x, o->n, name, "record");
		return 1;
	} else {
		size_t got = tools_source_read(&r->src, r->raw, r->frame);

		if (got < r->frame && ferror(r->src.in) && errno != EINTR)
			die_perror("%s: read error at byte %llu", name,
				   at + got);
		if (!got)
			return 0;
		if (got < r->frame) {
			warn("%s: input ends inside record %lu at byte offset "
			     "%llu (%zu of %zu bytes); 1 partial record "
			     "skipped", name, st->shots, at, got, r->frame);
			r->status = EXIT_BADINPUT;
			return 0;
		}
	}
	if (o->header) {
		const char *why = tools_shot_header_fault(r->raw + r->sbytes,
							  !st->shots,
							  r->next_shot - 1);

		if (why) {
			tools_shot_header_warn(name, "record", st->shots, at,
					       r->sbytes, why, r->opts);
			r->status = EXIT_BADINPUT;
			return 0;
		}
		shot = tools_get_le64(r->raw + r->sbytes);
		if (st->shots && shot > r->next_shot) {
			warn("%s: %llu shots missing before shot %llu (byte "
			     "offset %llu): lost by the acquisition", name,
			     (unsigned long long)(shot - r->next_shot),
			     (unsigned long long)shot, at);
			st->missing_shots += shot - r->next_shot;
		}
		r->next_shot = shot + 1;
	}
	if (o->timestamps)
		*t = (int64_t)tools_get_le64(r->raw + (o->header ? r->sbytes +
					     HEADER_BYTES : (r->sbytes + 7) /
					     8 * 8));
	else if (record_time(o, st->shots, shot, t)) {
		r->status = EXIT_BADINPUT;
		return 0;
	}
	cs_sample_format_decode(&o->fmt, r->raw, o->n, x);
	if (o->fmt.is_float &&
	    tools_nonfinite(x, o->n, name, "record", st->shots, at)) {
		st->nonfinite++;
		r->status = EXIT_BADINPUT;
		st->shots++;
		return 2;
	}
	tools_offset_apply(&o->offset, x, o->n, name, "record");
	return 1;
}

/* --pulse-from: the records up to SHOT held (their times in @times), the
 * pulse cut from SHOT's. The held count in *@held. */
static double *pulse_from_data(struct reading *r, double *hold,
			       int64_t *times, size_t *held, size_t *len)
{
	struct options *o = r->o;
	size_t lo = (size_t)ceil(o->pulse_start_us * 1e-6 * o->fs_hz);
	size_t hi = (size_t)floor(o->pulse_end_us * 1e-6 * o->fs_hz);
	double *p;
	int ret;

	if (hi > o->n - 1)
		hi = o->n - 1;
	if (lo + 1 > hi)
		die_usage("pulse-from: %g..%g us is less than 2 samples of "
			  "the %zu-sample record", o->pulse_start_us,
			  o->pulse_end_us, o->n);
	*held = 0;
	while (r->st->shots <= o->pulse_shot && !tools_stop) {
		ret = next_record(r, hold + *held * o->n, &times[*held]);
		if (!ret && r->status)
			die("%s: pulse-from: the input stopped before record "
			    "%lu", r->src.name, o->pulse_shot);
		if (!ret)
			die("%s: pulse-from: the input has %lu records, no "
			    "record %lu", r->src.name, r->st->shots,
			    o->pulse_shot);
		if (ret == 2) {
			if (r->st->shots > o->pulse_shot)
				die("%s: pulse-from: record %lu was skipped",
				    r->src.name, o->pulse_shot);
			continue;
		}
		r->st->shots++;
		(*held)++;
	}
	if (tools_stop)
		die("%s: pulse-from: stopped before record %lu", r->src.name,
		    o->pulse_shot);
	*len = hi - lo + 1;
	p = malloc(*len * sizeof(*p));
	if (!p)
		die_perror("malloc");
	memcpy(p, hold + (*held - 1) * o->n + lo, *len * sizeof(*p));
	warn("%s: pulse: samples %zu..%zu (%g..%g us) of record %lu",
	     r->src.name, lo, hi, (double)lo / o->fs_hz * 1e6,
	     (double)hi / o->fs_hz * 1e6, o->pulse_shot);
	return p;
}

int main(int argc, char **argv)
{
	struct options o;
	struct cs_ustof_config cfg = { 0 };
	struct cs_ustof *q;
	struct stats st = { 0 };
	struct reading rd = { 0 };
	struct cs_iiodev *dev = NULL;
	const char *name;
	size_t plen, bps, held = 0;
	double *x, *pulse, *hold = NULL;
	int64_t *times = NULL;
	unsigned int ubits;
	int ret;

	tools_set_progname(argv[0]);
	parse_args(&o, argc, argv);
	tools_install_signals();
	if (o.times_path)
		read_times(&o);
	if (o.iio.device[0])
		dev = from_device(&o);

	bps = cs_sample_format_bytes(&o.fmt);
	rd.o = &o;
	rd.st = &st;
	rd.sbytes = o.n * bps;
	rd.frame = cs_scan_bytes(rd.sbytes + (o.header ? HEADER_BYTES : 0),
				 (o.n % o.block ? 1 : o.block) * bps,
				 o.timestamps);
	if (o.run_scan_bytes && rd.frame != o.run_scan_bytes)
		die("--run: the sidecar says %zu bytes a scan, but -n %zu, -f "
		    "%s%s%s make %zu", o.run_scan_bytes, o.n, o.fmt_text,
		    o.header ? ", -H" : "", o.timestamps ? ", -T" : "",
		    rd.frame);
	if (dev) {
		const struct cs_iio_element *el;
		size_t scan;

		cs_iiodev_elements(dev, &el, &scan);
		if (scan != rd.frame)
			die("%s: %zu bytes a scan, ustof would read %zu",
			    cs_iiodev_label(dev), scan, rd.frame);
		/* a shot's record as it comes: the shots' rate is not the
		 * device's to know */
		tools_source_open_device(&rd.src, dev, 1, o.iio.scans);
	} else {
		tools_source_open(&rd.src, o.run_input[0] ? o.run_input :
				  optind < argc ? argv[optind] : NULL,
				  rd.frame, o.n_set ? o.n : 0,
				  o.header ? "-H" : o.timestamps ? "-T" : NULL);
	}
	name = rd.src.name;
	name_of = name;
	snprintf(rd.opts, sizeof(rd.opts), "-n %zu, -f %s%s%s", o.n,
		 o.fmt_text, o.header ? ", -H" : "",
		 o.timestamps ? ", -T" : "");
	tools_source_check_raw(&rd.src, rd.frame, "record", rd.opts,
			       o.header ? rd.sbytes : (size_t)-1);
	if (rd.src.kind != TOOLS_RAW) {
		size_t n = tools_source_samples(&rd.src);

		if (o.n_set && n != o.n)
			die_usage("%s: -n %zu, but its records have %zu "
				  "samples", name, o.n, n);
		if (n < 16)
			die("%s: records of %zu samples; ustof needs 16 or "
			    "more", name, n);
		o.n = n;
	}
	set_gates(&o);
	ubits = rd.src.kind == TOOLS_RAW ?
		(o.fmt.is_signed ? 0 : o.fmt.bits) : rd.src.npy_unsigned_bits;
	tools_offset_resolve(&o.offset, ubits, name);
	rd.raw = malloc(rd.frame);
	x = malloc(o.n * sizeof(*x));
	if (!rd.raw || !x)
		die_perror("malloc");
	if (o.pulse_from) {
		hold = malloc((o.pulse_shot + 1) * o.n * sizeof(*hold));
		times = malloc((o.pulse_shot + 1) * sizeof(*times));
		if (!hold || !times)
			die_perror("malloc: %lu records held for --pulse-from",
				   o.pulse_shot + 1);
		pulse = pulse_from_data(&rd, hold, times, &held, &plen);
	} else {
		pulse = read_pulse(&o, &plen);
	}

	cfg.n = o.n;
	cfg.pulse = pulse;
	cfg.pulse_len = plen;
	cfg.polarity = o.polarity;
	cfg.min_snr = o.min_snr;
	cfg.false_alarm = o.false_alarm;
	/* text and .npy have no full scale */
	cfg.full_scale = rd.src.kind == TOOLS_RAW ?
			 cs_sample_format_max(&o.fmt) : INFINITY;
	/* raw full scale and raw 0, offset taken off: the nearer is it */
	if (o.offset.mode == OFFSET_VALUE && isfinite(cfg.full_scale) &&
	    fmin(cfg.full_scale - o.offset.value, fabs(o.offset.value)) > 0)
		cfg.full_scale = fmin(cfg.full_scale - o.offset.value,
				      fabs(o.offset.value));
	q = cs_ustof_create(&cfg);
	if (!q)
		die_perror("time-of-flight estimator");

	if (fputs(cs_record_header(), stdout) < 0 || fputc('\n', stdout) < 0)
		die_perror("stdout");
	for (size_t k = 0; k < held; k++)
		process(&o, q, hold + k * o.n, times[k], &st);
	while (!tools_stop) {
		int64_t t;

		ret = next_record(&rd, x, &t);
		if (!ret)
			break;
		if (ret == 2)
			continue;
		process(&o, q, x, t, &st);
		st.shots++;
		if (st.shots == FIRST_SHOTS)
			all_lost_hint(&o, name, &st);
	}
	all_lost_hint(&o, name, &st);	/* fewer shots than FIRST_SHOTS */
	if (o.verbose || st.lost || st.ambiguous || st.missing_shots || rd.status)
		fprintf(stderr, "%s: %s: %lu shots, %lu records, %lu gates "
			"lost, %lu saturated, %lu ambiguous, %lu shots "
			"missing\n", tools_progname(), name, st.shots,
			st.records, st.lost, st.saturated, st.ambiguous,
			st.missing_shots);
	if (st.nonfinite)
		warn("%s: %lu records with NaN or infinite samples skipped (no "
		     "records for them)", name, st.nonfinite);
	cs_ustof_destroy(q);
	free(rd.raw);
	free(x);
	free(pulse);
	free(hold);
	free(times);
	free(o.times_s);
	if (dev && tools_iio_end(dev)) {
		/* the device failed mid-stream: said, with its record count */
		warn("%s: %lu records read before that", name, st.shots);
		rd.status = EXIT_FAIL;
	}
	tools_source_close(&rd.src);
	return rd.status;
}
