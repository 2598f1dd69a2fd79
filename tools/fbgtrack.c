// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fbgtrack: raw spectra (what iio_readdev writes) in; per Bragg grating per
 * spectrum, its wavelength (and temperature, strain or pressure where a
 * calibration says how) out as records.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cellsense.h"
#include "cellsense-iio.h"
#include "tools-common.h"

#define MAX_GRATINGS CS_FBGTRACKER_MAX
#define DEFAULT_HALFWIDTH_NM 2.0
#define IN_BUF (1 << 20)
#define OUT_BUF (1 << 16)

struct options {
	size_t npix;
	struct cs_sample_format fmt;
	char fmt_text[32];
	struct cs_wavescale scale;
	struct cs_fbg_grating g[MAX_GRATINGS];
	unsigned int ngratings;
	char source[32];
	double rate_hz;
	int timestamps;
	size_t block;		/* pixels per IIO channel element */
	double min_snr;
	double fwhm_px;
	unsigned int fibres;	/* spectra cycle through this many fibres */
	int index;		/* the driver's index element follows */
	int learn;
	int source_known;	/* --source-slope given */
	double source_slope;	/* its dB/nm */
	unsigned long health;	/* health records every this many, 0: none */
	char cal_path[4096];	/* "" when none */
	char ref_name[CS_FBG_NAME_MAX];
	double ref_nm;
	int verbose;
	int npix_set, scale_set;	/* -n, -w given: checked against a file */
	struct cs_export_config exp;	/* --channel, --dbm, --linear */
	char run_input[4096];	/* --run: the run's raw file */
	struct tools_iio_opts iio;	/* -u, -d, --scans */
	int source_set, rate_set, block_set, fmt_set;
};

static const char usage_text[] =
"Usage: fbgtrack [OPTIONS] [FILE]\n"
"Track Bragg-grating reflections in raw spectra and write, per grating per\n"
"spectrum, its wavelength (and calibrated quantities) as records (see\n"
"cellsense-records(5)). Reads FILE, or standard input when FILE is absent\n"
"or '-', in the layout iio_readdev writes.\n"
"\n"
"Options:\n"
"  -n, --pixels=N           pixels per spectrum (default 512)\n"
"  -f, --format=FMT         sample format, libiio notation (default le:u16;\n"
"                           le:f32, be:f64 ... for floats)\n"
"  -w, --scale=A0,A1[,..]   pixel-to-nm polynomial, lowest order first\n"
"                           (default 1510,0.167,-0.000001, the sim board's)\n"
"  -g, --grating=NAME:NM[:HALF[:FIBRE]]  a grating near NM nm, first\n"
"                           searched within +-HALF nm (default 2), on\n"
"                           optical-switch channel FIBRE (default 0);\n"
"                           repeat for each grating\n"
"  -c, --config=FILE        read options from FILE ('key = value' lines)\n"
"      --run=DIR            read the fbg stream of a csacq run: file, layout,\n"
"                           gratings and calibration from its sidecar\n"
"                           (cellsense-run(5)); options after it override\n"
"  -k, --calibration=FILE   gratings' calibration to temperature, strain,\n"
"                           pressure (see cellsense-fbgcal(5))\n"
"      --reference=NAME:NM  grating NAME is a wavelength reference at NM:\n"
"                           its drift is taken out of every grating on its\n"
"                           fibre\n"
"  -s, --source=NAME        source prefix of the records (default fbg0)\n"
"  -r, --rate=HZ            spectra per second, for time_ns without\n"
"                           timestamps (default 1)\n"
"  -T, --timestamps         each spectrum is followed by a 64-bit LE\n"
"                           timestamp in ns (IIO timestamp channel)\n"
"      --block=N            pixels per IIO channel element, for the\n"
"                           padding of scans with timestamps (default 128)\n"
"      --fibres=N           spectra come from N fibres in turn through an\n"
"                           optical switch, fibre 0 first (default 1)\n"
"  -I, --index              each spectrum carries the cellsense_fbg index\n"
"                           element (iio_readdev ... index): its fibre is\n"
"                           taken from there, its sequence gaps counted\n"
"      --min-snr=X          a peak lower than X times the noise is lost\n"
"                           (default 8)\n"
"      --fwhm=PX            peak width in pixels, 1..200, for every grating\n"
"                           (default: each measured when first found)\n"
"      --no-learn           fit Gaussians, do not learn reflection shapes\n"
"      --source-slope=DB    the light source's slope under the gratings,\n"
"                           dB/nm (0: spectra normalised by the source);\n"
"                           auto (default): learned as each grating moves\n"
"                           back and forth, counted in the uncertainty\n"
"                           until then\n"
"      --health=N           every N spectra of its fibre (the first one\n"
"                           too), each grating's peak_power (counts) and\n"
"                           fwhm (nm) as records (default 0: none)\n"
"      --channel=N          power column N (1 the first) of an\n"
"                           interrogator export (default 1)\n"
"      --dbm                an export's power is dBm (default: detected)\n"
"      --linear             an export's power is linear (default: detected)\n"
"  -d, --device=DEV         read IIO device DEV (label, name or id) through\n"
"                           libiio instead of FILE: pixels, format, scale,\n"
"                           tag, timestamps, rate and source from it\n"
"  -u, --uri=URI            its libiio context: local: (default),\n"
"                           ip:HOST[:PORT] for a rig running iiod\n"
"      --scans=N            with -d: stop after N spectra (default: run\n"
"                           until interrupted)\n"
"  -v, --verbose            a summary per grating on stderr at the end\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n"
"\n"
"Text (one spectrum a line), interrogator exports (a header, then rows of\n"
"wavelength and power: the wavelength scale and pixel count come from the\n"
"file, dBm is converted to linear) and NumPy .npy arrays are detected from\n"
"the file and read as such; what was detected is said on stderr.\n"
"\n"
"Exit status: 0 success, 1 read/write error, 2 usage error,\n"
"3 input ended inside a spectrum or had NaN pixels (counted, reported).\n";

enum {
	OPT_MIN_SNR = 256, OPT_FWHM, OPT_BLOCK, OPT_FIBRES, OPT_NO_LEARN,
	OPT_REFERENCE, OPT_HEALTH, OPT_CHANNEL, OPT_DBM, OPT_LINEAR, OPT_RUN,
	OPT_SOURCE_SLOPE,
};

static const struct option longopts[] = {
	{ "pixels", required_argument, NULL, 'n' },
	{ "format", required_argument, NULL, 'f' },
	{ "scale", required_argument, NULL, 'w' },
	{ "grating", required_argument, NULL, 'g' },
	{ "config", required_argument, NULL, 'c' },
	{ "run", required_argument, NULL, OPT_RUN },
	{ "calibration", required_argument, NULL, 'k' },
	{ "reference", required_argument, NULL, OPT_REFERENCE },
	{ "health", required_argument, NULL, OPT_HEALTH },
	{ "source", required_argument, NULL, 's' },
	{ "rate", required_argument, NULL, 'r' },
	{ "timestamps", no_argument, NULL, 'T' },
	{ "block", required_argument, NULL, OPT_BLOCK },
	{ "fibres", required_argument, NULL, OPT_FIBRES },
	{ "index", no_argument, NULL, 'I' },
	{ "min-snr", required_argument, NULL, OPT_MIN_SNR },
	{ "fwhm", required_argument, NULL, OPT_FWHM },
	{ "no-learn", no_argument, NULL, OPT_NO_LEARN },
	{ "source-slope", required_argument, NULL, OPT_SOURCE_SLOPE },
	{ "channel", required_argument, NULL, OPT_CHANNEL },
	{ "dbm", no_argument, NULL, OPT_DBM },
	{ "linear", no_argument, NULL, OPT_LINEAR },
	{ "uri", required_argument, NULL, 'u' },
	{ "device", required_argument, NULL, 'd' },
	{ "scans", required_argument, NULL, TOOLS_OPT_SCANS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const char shortopts[] = "n:f:w:g:c:k:s:r:TIu:d:vhV";

static void add_grating(struct options *o, const char *arg, const char *where)
{
	struct cs_fbg_grating *g;
	const char *why;

	if (o->ngratings >= MAX_GRATINGS)
		die_usage("%s: more than %d gratings", where, MAX_GRATINGS);
	g = &o->g[o->ngratings];
	if (cs_fbg_grating_parse(arg, DEFAULT_HALFWIDTH_NM, g, &why))
		die_usage("%s: grating '%s': %s", where, arg, why);
	for (unsigned int i = 0; i < o->ngratings; i++)
		if (!strcmp(o->g[i].name, g->name))
			die_usage("%s: grating '%s' given twice", where,
				  g->name);
	o->ngratings++;
}

static void set_reference(struct options *o, const char *arg)
{
	const char *colon = strchr(arg, ':');

	if (!colon || (size_t)(colon - arg) >= sizeof(o->ref_name) ||
	    colon == arg)
		die_usage("reference '%s': expected NAME:NM", arg);
	memcpy(o->ref_name, arg, (size_t)(colon - arg));
	o->ref_name[colon - arg] = '\0';
	o->ref_nm = parse_double(colon + 1, "reference wavelength", 100, 10000);
}

static void set_format(struct options *o, const char *arg)
{
	size_t pos;

	if (cs_sample_format_parse(arg, &o->fmt, &pos))
		die_usage("format '%s': not understood at character %zu "
			  "(expected e.g. le:u16 or le:U16/16>>0)", arg,
			  pos + 1);
	snprintf(o->fmt_text, sizeof(o->fmt_text), "%s", arg);
}

static void set_scale(struct options *o, const char *arg)
{
	size_t pos;

	if (cs_wavescale_parse(arg, &o->scale, &pos))
		die_usage("scale '%s': not understood at character %zu "
			  "(expected A0,A1[,A2...] with A1 != 0)", arg, pos + 1);
}

static void set_source(struct options *o, const char *arg)
{
	if (!arg[0] || strlen(arg) >= sizeof(o->source) ||
	    strpbrk(arg, "\t\n "))
		die_usage("source '%s': empty, too long or has a blank", arg);
	strcpy(o->source, arg);
}

static void apply_option(struct options *o, int c, const char *arg,
			 const char *where);

/* --run DIR: what the run's sidecar says, as if given as options. */
static void apply_run(struct options *o, const char *dir)
{
	struct cs_run_stream s;
	char err[512], note[512], buf[512];
	int len = 0;

	if (cs_run_load(dir, "fbg", &s, note, sizeof(note), err, sizeof(err)))
		die("--run: %s", err);
	if (note[0])
		warn("%s", note);
	o->npix = s.samples;
	o->npix_set = 1;
	set_format(o, s.format);
	for (unsigned int i = 0; i < s.ncoeffs && len < (int)sizeof(buf) - 32; i++)
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, "%s%.17g",
				i ? "," : "", s.coeffs[i]);
	if (s.ncoeffs)
		set_scale(o, buf);
	o->scale_set = s.ncoeffs > 0;
	o->timestamps = s.timestamps;
	o->index = s.index;
	o->block = s.block;
	if (s.rate_hz > 0)
		o->rate_hz = s.rate_hz;
	set_source(o, s.device);
	for (unsigned int i = 0; i < s.ngratings; i++) {
		snprintf(buf, sizeof(buf), "%s:%.17g", s.gratings[i].name,
			 s.gratings[i].nm);
		add_grating(o, buf, "--run");
	}
	if (s.calibration[0])
		strcpy(o->cal_path, s.calibration);
	strcpy(o->run_input, s.path);
}

/* a config file is a few dozen lines; anything far longer is not one */
#define CONFIG_LINE_MAX 4096u
#define CONFIG_LINES_MAX 100000u

static void read_config(struct options *o, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, where[512];
	size_t cap = 0;
	unsigned long lineno = 0;
	long len;

	if (!f)
		die_perror("config %s", path);
	/* a read error (a directory, EIO) or an endless line is an error,
	 * never the end of the file */
	while ((len = cs_line_read(f, &line, &cap, CONFIG_LINE_MAX)) != 0) {
		char *key, *val;
		char joined[sizeof(o->cal_path)];	/* -k relative to here */
		const struct option *opt;

		lineno++;
		if (len == -EFBIG)
			die("config %s: line %lu is longer than %u bytes", path,
			    lineno, CONFIG_LINE_MAX);
		if (len < 0) {
			errno = (int)-len;
			die_perror("config %s: line %lu", path, lineno);
		}
		if (lineno > CONFIG_LINES_MAX)
			die("config %s: more than %u lines", path,
			    CONFIG_LINES_MAX);
		if (strlen(line) != (size_t)len)
			die_usage("config %s:%lu: a NUL byte: not a text file",
				  path, lineno);
		snprintf(where, sizeof(where), "%s:%lu", path, lineno);
		if (!cs_config_line_split(line, &key, &val))
			continue;
		for (opt = longopts; opt->name; opt++)
			if (!strcmp(opt->name, key))
				break;
		if (!opt->name || !strcmp(key, "config") ||
		    !strcmp(key, "help") || !strcmp(key, "version"))
			die_usage("%s: unknown key '%s'", where, key);
		if (opt->has_arg == required_argument && (!val || !*val))
			die_usage("%s: '%s' needs a value", where, key);
		if (opt->has_arg == no_argument && val && strcmp(val, "yes") &&
		    strcmp(val, "true") && strcmp(val, "1"))
			continue;	/* "timestamps = no" */
		if (opt->val == 'k') {
			/* a path in a config file is relative to it */
			const char *slash = strrchr(path, '/');

			if (val[0] != '/' && slash) {
				snprintf(joined, sizeof(joined), "%.*s/%s",
					 (int)(slash - path), path, val);
				val = joined;
			}
		}
		apply_option(o, opt->val, val, where);
	}
	free(line);
	fclose(f);
}

static void apply_option(struct options *o, int c, const char *arg,
			 const char *where)
{
	switch (c) {
	case 'n':
		o->npix = (size_t)parse_long(arg, "pixels", 16, 65536);
		o->npix_set = 1;
		break;
	case 'f':
		set_format(o, arg);
		o->fmt_set = 1;
		break;
	case 'w':
		set_scale(o, arg);
		o->scale_set = 1;
		break;
	case OPT_CHANNEL:
		o->exp.channel = (unsigned int)parse_long(arg, "channel", 1, 64);
		break;
	case OPT_DBM:
		o->exp.power = CS_POWER_DBM;
		break;
	case OPT_LINEAR:
		o->exp.power = CS_POWER_LINEAR;
		break;
	case 'g':
		add_grating(o, arg, where);
		break;
	case 'c':
		read_config(o, arg);
		break;
	case OPT_RUN:
		apply_run(o, arg);
		break;
	case 'k':
		/* copied: a config file's line buffer is reused */
		if (strlen(arg) >= sizeof(o->cal_path))
			die_usage("%s: calibration path too long", where);
		strcpy(o->cal_path, arg);
		break;
	case OPT_REFERENCE:
		set_reference(o, arg);
		break;
	case 's':
		set_source(o, arg);
		o->source_set = 1;
		break;
	case 'r':
		o->rate_hz = parse_double(arg, "rate", 1e-6, 1e9);
		o->rate_set = 1;
		break;
	case 'T':
		o->timestamps = 1;
		break;
	case OPT_BLOCK:
		o->block = (size_t)parse_long(arg, "block", 1, 65536);
		o->block_set = 1;
		break;
	case OPT_FIBRES:
		o->fibres = (unsigned int)parse_long(arg, "fibres", 1, 256);
		break;
	case 'I':
		o->index = 1;
		break;
	case OPT_MIN_SNR:
		o->min_snr = parse_double(arg, "min-snr", 0.1, 1e6);
		break;
	case OPT_FWHM:
		o->fwhm_px = parse_double(arg, "fwhm", 1.0,
					  CS_FBGPEAK_FWHM_MAX);
		break;
	case OPT_NO_LEARN:
		o->learn = 0;
		break;
	case OPT_SOURCE_SLOPE:
		o->source_known = strcmp(arg, "auto") != 0;
		if (o->source_known)
			o->source_slope = parse_double(arg, "source-slope",
						       -10.0, 10.0);
		break;
	case OPT_HEALTH:
		o->health = (unsigned long)parse_long(arg, "health", 0,
						      2000000000L);
		break;
	case 'v':
		o->verbose = 1;
		break;
	default:
		if (!tools_iio_take(&o->iio, c, arg, where))
			die_usage("unknown option");
	}
}

static void parse_args(struct options *o, int argc, char **argv)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->npix = 512;
	set_format(o, "le:u16");
	set_scale(o, "1510,0.167,-0.000001");
	strcpy(o->source, "fbg0");
	o->rate_hz = 1.0;
	o->min_snr = 8.0;
	o->fwhm_px = 0.0;	/* measured */
	o->block = 128;
	o->fibres = 1;
	o->learn = 1;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			tools_help(usage_text);
		case 'V':
			tools_version();
		case '?':
			tools_try_help();
		default:
			apply_option(o, c, optarg, "option");
		}
	}
	if (argc - optind > 1)
		die_usage("more than one input file");
	if (o->run_input[0] && argc > optind)
		die_usage("--run names the input: no FILE with it");
	tools_iio_check(&o->iio, argc > optind ? argv[optind] : NULL,
			o->run_input[0] != '\0');
	if (o->iio.device[0] && (o->npix_set || o->fmt_set || o->block_set ||
			     o->timestamps || o->index))
		die_usage("-d %s: -n, -f, --block, -T and -I come from the "
			  "device", o->iio.device);
	if (o->index && (o->npix % o->block || o->block * 2 != 256 ||
			 cs_sample_format_bytes(&o->fmt) != 2))
		die_usage("--index is the cellsense_fbg layout: 16-bit pixels "
			  "in blocks of 128");
	if (o->ngratings == 0)
		die_usage("no grating given: use -g NAME:NM, e.g. -g g0:1530");
}

/* Every grating on the sensor and on a fibre that exists. */
static void check_gratings(const struct options *o)
{
	double lo = cs_wavescale_eval(&o->scale, 0);
	double hi = cs_wavescale_eval(&o->scale, (double)(o->npix - 1));

	for (unsigned int i = 0; i < o->ngratings; i++) {
		const struct cs_fbg_grating *g = &o->g[i];
		double px = cs_wavescale_pixel(&o->scale, g->centre_nm,
					       o->npix);

		if (!(px >= 0.0 && px <= (double)(o->npix - 1)))
			die_usage("grating %s at %g nm is outside the sensor "
				  "(%.3f..%.3f nm)", g->name, g->centre_nm,
				  fmin(lo, hi), fmax(lo, hi));
		if (!o->index && g->fibre >= o->fibres)
			die_usage("grating %s is on fibre %u, but --fibres is "
				  "%u", g->name, g->fibre, o->fibres);
	}
}

/* ---- input: a device through libiio ----------------------------------- */

/* -d: the layout, scale, rate and source from the device, said on stderr;
 * its pixels, tag and timestamp enabled. */
static struct cs_iiodev *from_device(struct options *o)
{
	struct cs_iiodev *d = tools_iio_open(o->iio.uri, o->iio.device);
	const char *label = cs_iiodev_label(d);
	const struct cs_iio_element *el, *e;
	size_t nel, scan, npix, sbytes;
	double hz;
	int contig;

	tools_iio_enable(d, "intensity", 1);
	o->index = tools_iio_enable(d, "index", 0) > 0;
	o->timestamps = tools_iio_enable(d, "timestamp", 0) > 0;
	nel = cs_iiodev_elements(d, &el, &scan);
	cs_iio_elements_prefix(el, nel, "intensity", &npix, &contig);
	if (!contig || el[0].offset != 0 || npix < 16 || npix > 65536)
		die("%s: its %zu intensity samples are not one run of 16 to "
		    "65536 pixels at the start of a scan", label, npix);
	o->npix = npix;
	o->fmt = el[0].fmt;
	snprintf(o->fmt_text, sizeof(o->fmt_text), "%s:%c%u/%u>>%u",
		 o->fmt.big_endian ? "be" : "le", o->fmt.is_signed ? 's' : 'u',
		 o->fmt.bits, o->fmt.storage, o->fmt.shift);
	o->block = el[0].repeat;
	sbytes = npix * cs_sample_format_bytes(&o->fmt);
	e = cs_iio_element_find(el, nel, "index");
	if (o->index && (!e || e->offset != sbytes ||
			 e->fmt.storage / 8 * e->repeat != 256 ||
			 o->block * 2 != 256 || npix % o->block))
		die("%s: its index element is not the cellsense_fbg tag (256 "
		    "bytes after 16-bit pixels in blocks of 128)", label);
	e = cs_iio_element_find(el, nel, "timestamp");
	if (o->timestamps &&
	    e->offset != (sbytes + (o->index ? 256 : 0) + 7) / 8 * 8)
		die("%s: its timestamp is at byte %zu of a scan, not where "
		    "fbgtrack reads it", label, e->offset);
	if (!o->scale_set)
		tools_iio_wavescale(d, label, &o->scale);
	if (!o->rate_set && !cs_iiodev_attr_double(d, "sampling_frequency",
						   &hz) && hz > 0)
		o->rate_hz = hz;
	if (!o->source_set)
		set_source(o, label);
	warn("%s on %s: %zu pixels %s in blocks of %zu%s%s, %zu bytes a "
	     "scan, %g spectra/s, scale %s", label, cs_iiodev_uri(d),
	     o->npix, o->fmt_text, o->block, o->index ? ", tag" : "",
	     o->timestamps ? ", timestamp" : "", scan, o->rate_hz,
	     o->scale_set ? "from -w" : "from the board");
	return d;
}

/* ---- input: whole spectra from a file descriptor ---------------------- */

struct input {
	int fd;
	const char *name;
	unsigned char *buf;
	size_t start, end;
	unsigned long long offset;	/* of buf[start] in the stream */
	void (*before_block)(void *);	/* called before a read may wait */
	void *ctx;
};

/* The next @len bytes, or NULL at the end; *@got says how many there were
 * if fewer. Dies on a read error. */
static const unsigned char *next_frame(struct input *in, size_t len,
				       size_t *got)
{
	const unsigned char *p;

	while (in->end - in->start < len) {
		ssize_t n;

		if (in->start > 0) {
			memmove(in->buf, in->buf + in->start,
				in->end - in->start);
			in->end -= in->start;
			in->start = 0;
		}
		in->before_block(in->ctx);
		n = read(in->fd, in->buf + in->end, IN_BUF - in->end);
		if (n < 0 && errno == EINTR) {
			if (tools_stop)
				break;
			continue;
		}
		if (n < 0)
			die_perror("%s: read error at byte %llu", in->name,
				   in->offset + (in->end - in->start));
		if (n == 0)
			break;
		in->end += (size_t)n;
	}
	*got = in->end - in->start;
	if (*got < len)
		return NULL;
	p = in->buf + in->start;
	in->start += len;
	in->offset += len;
	return p;
}

/* The first bytes of the input (a spectrum's, at most 4096) into its
 * buffer, to tell raw spectra from text, exports and .npy. */
static void read_head(struct input *in, size_t want)
{
	if (want > 4096)
		want = 4096;
	while (in->end < want) {
		ssize_t n = read(in->fd, in->buf + in->end, want - in->end);

		if (n < 0 && errno == EINTR && !tools_stop)
			continue;
		if (n < 0)
			die_perror("%s: read error at byte %zu", in->name,
				   in->end);
		if (n == 0)
			break;
		in->end += (size_t)n;
	}
}

/* A reader for text, an export or .npy: its pixel count (and an export's
 * wavelength scale) replace -n (and -w); what it found is said. */
static struct cs_input *open_reader(struct options *o, struct input *in,
				    enum cs_input_kind kind)
{
	struct cs_input_config cfg = { 0 };
	struct cs_input *r;
	FILE *f = fdopen(in->fd, "rb");
	int ret;

	if (!f)
		die_perror("%s", in->name);
	cfg.n = kind == CS_INPUT_TEXT && o->npix_set ? o->npix : 0;
	cfg.exp = o->exp;
	cfg.max_samples = 65536;
	r = cs_input_create(f, in->buf, in->end, kind, &cfg);
	if (!r)
		die_perror("%s", in->name);
	ret = cs_input_start(r);
	if (ret == -EBADMSG)
		die("%s: read as %s: %s", in->name, cs_input_kind_name(kind),
		    cs_input_error(r));
	if (ret)
		die("%s: %s", in->name, strerror(-ret));
	warn("%s: %s", in->name, cs_input_describe(r));
	if (cs_input_samples(r) < 16 || cs_input_samples(r) > 65536)
		die("%s: %zu pixels a spectrum; fbgtrack takes 16 to 65536",
		    in->name, cs_input_samples(r));
	if (o->npix_set && o->npix != cs_input_samples(r))
		warn("%s: -n %zu ignored: the file has %zu pixels a spectrum",
		     in->name, o->npix, cs_input_samples(r));
	o->npix = cs_input_samples(r);
	if (cs_input_axis(r)) {
		double err;

		if (o->scale_set)
			warn("%s: -w ignored: the wavelength scale is the "
			     "file's", in->name);
		if (cs_wavescale_fit(cs_input_axis(r), o->npix, &o->scale,
				     &err))
			die("%s: its wavelength axis is no polynomial of order "
			    "3 or less (off by %g nm)", in->name, err);
	} else if (o->exp.channel || o->exp.power) {
		warn("%s: --channel, --dbm and --linear are for exports; "
		     "ignored", in->name);
	}
	return r;
}

/* ---- output: records into a buffer written in large pieces ----------- */

struct output {
	char buf[OUT_BUF];
	size_t len;
};

static void out_flush(void *ctx)
{
	struct output *out = ctx;
	size_t done = 0;

	while (done < out->len) {
		ssize_t n = write(STDOUT_FILENO, out->buf + done,
				  out->len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EPIPE)
			exit(EXIT_OK);	/* the reader has had enough */
		if (n < 0)
			die_perror("stdout");
		done += (size_t)n;
	}
	out->len = 0;
}

/* One line from the time of the spectrum in hand and a grating's stem. */
static void out_record(struct output *out, const struct cs_record_time *t,
		       const struct cs_record_stem *stem, double value,
		       const char *status, double u)
{
	int n;

	if (out->len + CS_RECORD_LINE_MAX > sizeof(out->buf))
		out_flush(out);
	n = cs_record_format_stem(out->buf + out->len, t, stem, value, status,
				  u);
	if (n < 0)
		die("record status '%s' is not a status", status);
	out->len += (size_t)n;
}

/* ---- per spectrum ------------------------------------------------------- */

struct grating_stats {
	unsigned long n[CS_FBG_STATUS_COUNT];
	unsigned long calfail;
	int width_said;		/* a width unlike --fwhm was warned about */
};

struct state {
	const struct options *o;
	struct cs_fbgtracker *tracker;
	struct cs_fbgcal *cal;
	const struct cs_fbgcal_entry **calof;	/* per grating, or NULL */
	int ref;			/* index of the reference grating */
	double *temp, *utemp;		/* latest temperature per grating */
	struct cs_fbg_result *res;
	struct grating_stats *gs;
	struct output *out;
	/* what a grating's records share, prepared once: its source with
	 * wavelength and nm, and with its calibration's quantity and unit */
	struct cs_record_stem *wl_stem, *cal_stem;
	struct cs_record_stem *power_stem, *fwhm_stem;	/* --health */
	struct cs_record_time time;	/* of the spectrum in hand */
	const char *status_text[CS_FBG_STATUS_COUNT];	/* once */
	unsigned long spectra;
};

static void emit_calibrated(struct state *s, unsigned int i, double nm,
			    double u_nm, const char *status)
{
	const struct cs_fbgcal_entry *e = s->calof[i];
	double v = NAN, u = NAN, temp = NAN, utemp = 0.0;
	const char *st = status;

	if (e->comp[0]) {
		for (unsigned int k = 0; k < s->o->ngratings; k++)
			if (!strcmp(s->o->g[k].name, e->comp)) {
				temp = s->temp[k];
				utemp = s->utemp[k];
			}
	}
	if (isnan(nm) || cs_fbgcal_apply(e, nm, u_nm, temp, utemp, &v, &u)) {
		/* no wavelength, or no compensation: no value either */
		if (!isnan(nm)) {
			st = "uncompensated";
			s->gs[i].calfail++;
		}
		v = u = NAN;
	}
	if (e->kind == CS_FBGCAL_TEMPERATURE) {
		s->temp[i] = v;
		s->utemp[i] = u;
	}
	out_record(s->out, &s->time, &s->cal_stem[i], v, st, u);
}

/* Once a grating: its reflection's width, as the tracker measured it,
 * against --fwhm's when that is given (half or twice as wide is worth
 * saying); without --fwhm the tracker measures each. */
static void check_width(struct state *s, unsigned int i,
			const struct cs_fbg_result *r)
{
	const struct options *o = s->o;
	double px = r->fwhm_nm /
		    fabs(cs_wavescale_slope(&o->scale, r->position));

	s->gs[i].width_said = 1;
	if (o->fwhm_px > 0.0 &&
	    (px > 1.5 * o->fwhm_px || px < o->fwhm_px / 1.5))
		warn("%s/%s: its reflection is %.1f pixels wide (%.3f nm), "
		     "--fwhm says %.1f: fitted with the width found, in "
		     "windows sized by --fwhm (give --fwhm %.1f, or none to "
		     "have each measured)", o->source, o->g[i].name, px,
		     r->fwhm_nm, o->fwhm_px, px);
}

/* Every --health spectra of @fibre: each of its gratings' reflection,
 * peak power (counts above the baseline, uncertainty the noise) and width
 * (nm), so a fading or debonding grating shows in the data. */
static void emit_health(struct state *s, unsigned int fibre)
{
	const struct options *o = s->o;

	for (unsigned int i = 0; i < o->ngratings; i++) {
		const struct cs_fbg_result *r = &s->res[i];
		const struct grating_stats *g = &s->gs[i];
		unsigned long seen = 0;
		int have = !isnan(r->wavelength);

		if (o->g[i].fibre != fibre)
			continue;
		for (int k = 0; k < CS_FBG_STATUS_COUNT; k++)
			seen += g->n[k];
		if ((seen - 1) % o->health)
			continue;
		out_record(s->out, &s->time, &s->power_stem[i],
			   have ? r->amplitude : NAN,
			   s->status_text[r->status],
			   have ? r->amplitude / r->snr : NAN);
		out_record(s->out, &s->time, &s->fwhm_stem[i],
			   have ? r->fwhm_nm : NAN,
			   s->status_text[r->status], NAN);
	}
}

/* Whether any grating is on @fibre. */
static int fibre_used(const struct options *o, unsigned int fibre)
{
	for (unsigned int i = 0; i < o->ngratings; i++)
		if (o->g[i].fibre == fibre)
			return 1;
	return 0;
}

static void process(struct state *s, const double *y, unsigned int fibre,
		    int64_t t)
{
	const struct options *o = s->o;
	double shift = 0.0, u_shift = 0.0;
	int have_shift = 1;

	cs_fbgtracker_execute(s->tracker, y, fibre, s->res);
	cs_record_time_set(&s->time, t);
	if (s->ref >= 0 && o->g[s->ref].fibre == fibre) {
		const struct cs_fbg_result *r = &s->res[s->ref];

		have_shift = r->status == CS_FBG_OK;
		shift = r->wavelength - o->ref_nm;
		u_shift = r->sigma_nm;
	}
	/* temperature gratings first: strain and pressure need them */
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned int i = 0; i < o->ngratings; i++) {
			const struct cs_fbg_result *r = &s->res[i];
			const struct cs_fbgcal_entry *e = s->calof[i];
			int is_temp = e && e->kind == CS_FBGCAL_TEMPERATURE;
			const char *status;
			double nm = r->wavelength, u = r->sigma_nm;

			if (o->g[i].fibre != fibre || (pass == 0) != is_temp)
				continue;
			status = s->status_text[r->status];
			s->gs[i].n[r->status]++;
			if (!s->gs[i].width_said && !isnan(r->fwhm_nm))
				check_width(s, i, r);
			/* without a reference grating: as measured */
			if (s->ref >= 0 && (int)i != s->ref && !isnan(nm)) {
				if (have_shift) {
					nm -= shift;
					u = hypot(u, u_shift);
				} else {
					/* no reference: no corrected value */
					nm = u = NAN;
					status = "no-reference";
				}
			}
			out_record(s->out, &s->time, &s->wl_stem[i], nm, status,
				   u);
			if (e)
				emit_calibrated(s, i, nm, u, status);
		}
	}
	if (o->health)
		emit_health(s, fibre);
}

/* Grating @i's records of @quantity in @unit, from source "SOURCE/NAME". */
static void set_stem(struct state *s, unsigned int i,
		     struct cs_record_stem *stem, const char *quantity,
		     const char *unit)
{
	const struct options *o = s->o;
	char source[CS_RECORD_SOURCE_MAX];

	if ((size_t)snprintf(source, sizeof(source), "%s/%s", o->source,
			     o->g[i].name) >= sizeof(source) ||
	    cs_record_stem_set(stem, source, quantity, unit))
		die_usage("source %s/%s is too long", o->source, o->g[i].name);
}

static void load_calibration(struct state *s, const char *path)
{
	size_t size;
	char *text = tools_read_file(path, "calibration", &size);
	unsigned long line = 0;
	const char *why = NULL;

	s->cal = cs_fbgcal_create(text, &line, &why);
	free(text);
	if (!s->cal) {
		if (line)
			die_usage("%s:%lu: %s", path, line, why);
		die_usage("%s: %s", path, why ? why : strerror(errno));
	}
	for (unsigned int i = 0; i < cs_fbgcal_count(s->cal); i++) {
		const struct cs_fbgcal_entry *e = cs_fbgcal_entry(s->cal, i);
		int found = 0;

		for (unsigned int k = 0; k < s->o->ngratings; k++)
			if (!strcmp(s->o->g[k].name, e->grating)) {
				s->calof[k] = e;
				found = 1;
			}
		if (!found)
			warn("%s: grating %s is calibrated but not tracked "
			     "(no -g %s:...)", path, e->grating, e->grating);
		if (e->comp[0] && !cs_fbgcal_find(s->cal, e->comp))
			die_usage("%s: %s: comp=%s is not in the file", path,
				  e->grating, e->comp);
	}
}

/* The spectra of a text, export or .npy reader: each bad one reported
 * where it is and skipped. EXIT_OK, or EXIT_BADINPUT if any was. */
static int read_records(struct state *s, struct cs_input *r,
			const char *name, double *y)
{
	const struct options *o = s->o;
	int status = EXIT_OK, ret;

	while (!tools_stop && (ret = cs_input_next(r, y)) != 0) {
		unsigned int fibre = (unsigned int)(s->spectra % o->fibres);

		if (ret == -EBADMSG) {
			warn("%s: %s", name, cs_input_error(r));
			status = EXIT_BADINPUT;
			continue;
		}
		if (ret < 0)
			die("%s: %s", name, ret == -EIO ? cs_input_error(r) :
			    strerror(-ret));
		if (cs_samples_first_nonfinite(y, o->npix) < o->npix) {
			warn("%s: spectrum %lu has a NaN or infinite value at "
			     "pixel %zu: skipped", name, s->spectra,
			     cs_samples_first_nonfinite(y, o->npix));
			status = EXIT_BADINPUT;
			s->spectra++;
			continue;
		}
		process(s, y, fibre, (int64_t)llround((double)s->spectra *
						      1e9 / o->rate_hz));
		s->spectra++;
		/* a live text stream sees each spectrum's records at once;
		 * parsing the text costs far more than the write */
		out_flush(s->out);
	}
	if (cs_input_bad(r))
		warn("%s: %lu bad lines or records skipped", name,
		     cs_input_bad(r));
	return status;
}

static void summary(const struct state *s, const char *name, int verbose)
{
	const struct options *o = s->o;
	unsigned long lost = 0, merged = 0, sat = 0, calfail = 0, misfit = 0;
	unsigned long ambiguous = 0;

	for (unsigned int i = 0; i < o->ngratings; i++) {
		lost += s->gs[i].n[CS_FBG_LOST];
		merged += s->gs[i].n[CS_FBG_MERGED];
		sat += s->gs[i].n[CS_FBG_SATURATED];
		misfit += s->gs[i].n[CS_FBG_MISFIT];
		ambiguous += s->gs[i].n[CS_FBG_AMBIGUOUS];
		calfail += s->gs[i].calfail;
	}
	if (!verbose && !lost && !merged && !calfail && !misfit && !ambiguous)
		return;
	fprintf(stderr, "%s: %s: %lu spectra; %lu lost, %lu merged, %lu "
		"saturated, %lu misfit, %lu ambiguous%s\n", tools_progname(),
		name, s->spectra, lost, merged, sat, misfit, ambiguous,
		calfail ? ", some uncompensated" : "");
	for (unsigned int i = 0; verbose && i < o->ngratings; i++)
		fprintf(stderr, "  %s/%s: %lu ok, %lu saturated, %lu merged, "
			"%lu lost, %lu misfit, %lu ambiguous\n", o->source,
			o->g[i].name, s->gs[i].n[CS_FBG_OK],
			s->gs[i].n[CS_FBG_SATURATED],
			s->gs[i].n[CS_FBG_MERGED], s->gs[i].n[CS_FBG_LOST],
			s->gs[i].n[CS_FBG_MISFIT],
			s->gs[i].n[CS_FBG_AMBIGUOUS]);
}

int main(int argc, char **argv)
{
	static struct output out;
	struct options o;
	struct cs_fbgtracker_config tcfg;
	struct state s = { 0 };
	/* static: its buffer stays reachable when a check below dies (the
	 * leak check runs at exit) */
	static struct input in;
	size_t sbytes, frame, got, tsoff, idxoff;
	unsigned long missing = 0, restarts = 0, nonfinite = 0, unused = 0;
	long prev_seq = -1;
	unsigned long never_found = 0;
	double *y;
	int status = EXIT_OK;
	struct stat st;
	enum cs_input_kind kind;
	struct cs_input *reader = NULL;
	struct cs_iiodev *dev = NULL;
	char dev_name[512];

	tools_set_progname(argv[0]);
	parse_args(&o, argc, argv);
	tools_install_signals();
	if (o.iio.device[0])
		dev = from_device(&o);

	in.buf = malloc(IN_BUF);
	if (!in.buf)
		die_perror("malloc");
	in.fd = STDIN_FILENO;
	in.name = "stdin";
	in.before_block = out_flush;
	in.ctx = &out;
	if (o.run_input[0] || (optind < argc && strcmp(argv[optind], "-"))) {
		in.name = o.run_input[0] ? o.run_input : argv[optind];
		in.fd = open(in.name, O_RDONLY);
		if (in.fd < 0)
			die_perror("%s", in.name);
	}
	if (dev) {
		snprintf(dev_name, sizeof(dev_name), "%s on %s",
			 cs_iiodev_label(dev), cs_iiodev_uri(dev));
		in.name = dev_name;
		in.fd = tools_iio_start(dev, o.iio.scans);
		kind = CS_INPUT_RAW;	/* scans, whatever they look like */
	} else {
		read_head(&in, cs_scan_bytes(o.npix *
					     cs_sample_format_bytes(&o.fmt) +
					     (o.index ? 256 : 0), 1,
					     o.timestamps));
		kind = cs_input_sniff(in.buf, in.end);
	}
	if (kind != CS_INPUT_RAW && (o.index || o.timestamps))
		die("%s: %s, not raw scans: --index and -T are for what "
		    "iio_readdev writes", in.name, cs_input_kind_name(kind));
	if (kind != CS_INPUT_RAW)
		reader = open_reader(&o, &in, kind);
	check_gratings(&o);

	s.o = &o;
	s.out = &out;
	for (int k = 0; k < CS_FBG_STATUS_COUNT; k++)
		s.status_text[k] = cs_fbg_status_name((enum cs_fbg_status)k);
	s.ref = -1;
	s.calof = calloc(o.ngratings, sizeof(*s.calof));
	s.temp = calloc(o.ngratings, sizeof(*s.temp));
	s.utemp = calloc(o.ngratings, sizeof(*s.utemp));
	s.res = calloc(o.ngratings, sizeof(*s.res));
	s.gs = calloc(o.ngratings, sizeof(*s.gs));
	s.wl_stem = calloc(o.ngratings, sizeof(*s.wl_stem));
	s.cal_stem = calloc(o.ngratings, sizeof(*s.cal_stem));
	s.power_stem = calloc(o.ngratings, sizeof(*s.power_stem));
	s.fwhm_stem = calloc(o.ngratings, sizeof(*s.fwhm_stem));
	y = malloc(o.npix * sizeof(*y));
	if (!s.calof || !s.temp || !s.utemp || !s.res || !s.gs ||
	    !s.wl_stem || !s.cal_stem || !s.power_stem || !s.fwhm_stem ||
	    !y)
		die_perror("malloc");
	for (unsigned int i = 0; i < o.ngratings; i++) {
		set_stem(&s, i, &s.wl_stem[i], "wavelength", "nm");
		set_stem(&s, i, &s.power_stem[i], "peak_power", "counts");
		set_stem(&s, i, &s.fwhm_stem[i], "fwhm", "nm");
	}
	for (unsigned int i = 0; i < o.ngratings; i++)
		s.temp[i] = NAN;
	if (o.ref_name[0]) {
		for (unsigned int i = 0; i < o.ngratings; i++)
			if (!strcmp(o.g[i].name, o.ref_name))
				s.ref = (int)i;
		if (s.ref < 0)
			die_usage("reference %s is not a grating (-g %s:...)",
				  o.ref_name, o.ref_name);
	}
	if (o.cal_path[0])
		load_calibration(&s, o.cal_path);
	for (unsigned int i = 0; i < o.ngratings; i++)
		if (s.calof[i])
			set_stem(&s, i, &s.cal_stem[i],
				 cs_fbgcal_quantity(s.calof[i]->kind),
				 cs_fbgcal_unit(s.calof[i]->kind));

	memset(&tcfg, 0, sizeof(tcfg));
	tcfg.npix = o.npix;
	tcfg.scale = o.scale;
	/* text, exports and .npy floats: no full scale known */
	tcfg.saturation = reader ? INFINITY : cs_sample_format_max(&o.fmt);
	tcfg.min_snr = o.min_snr;
	tcfg.fwhm_px = o.fwhm_px;
	tcfg.learn_shape = o.learn;
	tcfg.source_known = o.source_known;
	tcfg.source_slope_db_nm = o.source_slope;
	tcfg.ngratings = o.ngratings;
	tcfg.gratings = o.g;
	s.tracker = cs_fbgtracker_create(&tcfg);
	if (!s.tracker)
		die_perror("tracker");

	sbytes = o.npix * cs_sample_format_bytes(&o.fmt);
	/* the index element is one 256-byte element after the pixels */
	idxoff = sbytes;
	frame = cs_scan_bytes(sbytes + (o.index ? 256 : 0),
			      (o.npix % o.block ? 1 : o.block) *
				      cs_sample_format_bytes(&o.fmt),
			      o.timestamps);
	tsoff = (sbytes + (o.index ? 256 : 0) + 7) / 8 * 8;
	if (dev) {
		size_t scan;

		cs_iiodev_elements(dev, NULL, &scan);
		if (scan != frame)
			die("%s: %zu bytes a scan, fbgtrack's layout %zu",
			    in.name, scan, frame);
	}
	/* a file that is no whole number of spectra: -n or -f is wrong */
	if (!reader && !fstat(in.fd, &st) && S_ISREG(st.st_mode) &&
	    st.st_size % (off_t)frame)
		warn("%s: %lld bytes is not a whole number of %zu-byte spectra "
		     "(-n %zu, -f %s%s): is the pixel count right?", in.name,
		     (long long)st.st_size, frame, o.npix, o.fmt_text,
		     o.timestamps ? ", -T" : "");

	out.len = strlen(cs_record_header());
	memcpy(out.buf, cs_record_header(), out.len);
	out.buf[out.len++] = '\n';
	if (reader)
		status = read_records(&s, reader, in.name, y);
	while (!reader && !tools_stop) {
		const unsigned char *raw = next_frame(&in, frame, &got);
		unsigned int fibre = (unsigned int)(s.spectra % o.fibres);
		int64_t t;

		if (!raw) {
			if (got > 0) {
				warn("%s: input ends inside spectrum %lu at "
				     "byte offset %llu (%zu of %zu bytes); "
				     "1 partial spectrum skipped", in.name,
				     s.spectra, in.offset, got, frame);
				status = EXIT_BADINPUT;
			}
			break;
		}
		if (o.timestamps) {
			t = (int64_t)tools_get_le64(raw + tsoff);
		} else {
			t = (int64_t)llround((double)s.spectra * 1e9 /
					     o.rate_hz);
		}
		if (o.index) {
			const unsigned char *w = raw + idxoff;
			long seq = w[4] | w[5] << 8;

			fibre = (unsigned int)(w[0] | w[1] << 8 | w[2] << 16 |
					       (unsigned long)w[3] << 24);
			/* the board numbers its spectra: a gap is an overrun,
			 * a count started again from 0 a board reset (the
			 * driver restores it; what its FIFO held is lost) */
			if (prev_seq >= 0 && seq == 0 && prev_seq != 0xffff)
				restarts++;
			else if (prev_seq >= 0)
				missing += (unsigned long)((seq - prev_seq - 1) &
							   0xffff);
			prev_seq = seq;
			/* a fibre no grating is on: its spectra give no
			 * records, which is said, never dropped silently */
			if (!fibre_used(&o, fibre)) {
				if (!unused++)
					warn("%s: spectrum %lu (byte offset "
					     "%llu) is from fibre %u, which no "
					     "-g grating is on: such spectra "
					     "are counted, not tracked",
					     in.name, s.spectra,
					     in.offset - frame, fibre);
				s.spectra++;
				continue;
			}
		}
		cs_sample_format_decode(&o.fmt, raw, o.npix, y);
		if (o.fmt.is_float &&
		    tools_nonfinite(y, o.npix, in.name, "spectrum", s.spectra,
				    in.offset - frame)) {
			nonfinite++;
			s.spectra++;
			continue;
		}
		process(&s, y, fibre, t);
		s.spectra++;
		/* nothing found anywhere in the first spectra: say why */
		if (s.spectra <= 64) {
			int any = 0;

			for (unsigned int i = 0; i < o.ngratings; i++)
				any |= !isnan(s.res[i].wavelength);
			never_found += !any;
			if (s.spectra == 64 && never_found == 64)
				warn("%s: no grating found in the first 64 "
				     "spectra: are -n, -f and -w right?",
				     in.name);
		}
	}
	out_flush(&out);
	summary(&s, in.name, o.verbose);
	if (dev && tools_iio_end(dev)) {
		/* the device failed mid-stream: said, with its scan count */
		warn("%s: %lu spectra read before that", in.name, s.spectra);
		status = EXIT_FAIL;
	}
	if (nonfinite) {
		warn("%s: %lu spectra with NaN or infinite pixels skipped (no "
		     "records for them)", in.name, nonfinite);
		status = EXIT_BADINPUT;
	}
	if (unused) {
		warn("%s: %lu spectra from fibres with no grating on them "
		     "(--index) gave no records", in.name, unused);
	}
	if (missing)
		warn("%s: %lu spectra missing before they reached us (gaps in "
		     "the board's sequence numbers: overruns)", in.name, missing);
	if (restarts)
		warn("%s: %lu board resets (its sequence numbers started "
		     "again from 0; the spectra lost then are not counted)",
		     in.name, restarts);
	cs_fbgtracker_destroy(s.tracker);
	cs_fbgcal_destroy(s.cal);
	free(s.calof);
	free(s.temp);
	free(s.utemp);
	free(s.res);
	free(s.gs);
	free(s.wl_stem);
	free(s.cal_stem);
	free(s.power_stem);
	free(s.fwhm_stem);
	free(y);
	free(in.buf);
	if (reader)
		cs_input_destroy(reader);	/* its FILE stays: exit closes */
	else if (in.fd != STDIN_FILENO && !dev)
		close(in.fd);
	return status;
}
