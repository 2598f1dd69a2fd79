// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fbgtrack: raw spectra (what iio_readdev writes) in, one record per Bragg
 * grating per spectrum out.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"
#include "tools-common.h"

#define MAX_GRATINGS 64
#define DEFAULT_HALFWIDTH_NM 2.0

struct grating {
	char name[32];
	double centre_nm;
	double halfwidth_nm;
	size_t lo, hi;		/* search window, pixels */
};

struct options {
	size_t npix;
	struct cs_sample_format fmt;
	struct cs_wavescale scale;
	int have_scale;
	struct grating g[MAX_GRATINGS];
	unsigned int ngratings;
	char source[32];
	double rate_hz;
	int timestamps;
	size_t block;		/* pixels per IIO channel element */
	double min_snr;
	double fwhm_px;
	int verbose;
};

static const char usage_text[] =
"Usage: fbgtrack [OPTIONS] [FILE]\n"
"Locate Bragg-grating reflection peaks in raw spectra and write one record\n"
"per grating per spectrum (see cellsense-records(5)). Reads FILE, or standard\n"
"input when FILE is absent or '-', in the layout iio_readdev writes.\n"
"\n"
"Options:\n"
"  -n, --pixels=N           pixels per spectrum (default 512)\n"
"  -f, --format=FMT         sample format, libiio notation (default le:u16)\n"
"  -w, --scale=A0,A1[,..]   pixel-to-nm polynomial, lowest order first\n"
"                           (default 1510,0.167,-0.000001, the sim board's)\n"
"  -g, --grating=NAME:NM[:HALF]  a grating near NM nm, searched within\n"
"                           +-HALF nm (default 2); repeat for each grating\n"
"  -c, --config=FILE        read options from FILE ('key = value' lines)\n"
"  -s, --source=NAME        source prefix of the records (default fbg0)\n"
"  -r, --rate=HZ            spectra per second, for time_ns without\n"
"                           timestamps (default 1)\n"
"  -T, --timestamps         each spectrum is followed by a 64-bit LE\n"
"                           timestamp in ns (IIO timestamp channel)\n"
"      --block=N            pixels per IIO channel element, for the\n"
"                           padding of scans with timestamps (default 128)\n"
"      --min-snr=X          reject peaks below X times the noise (default 8)\n"
"      --fwhm=PX            expected peak width in pixels (default 3)\n"
"  -v, --verbose            a summary on stderr at the end\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n"
"\n"
"Exit status: 0 success, 1 read/write error, 2 usage error,\n"
"3 input ended inside a spectrum (counted, reported).\n";

static const struct option longopts[] = {
	{ "pixels", required_argument, NULL, 'n' },
	{ "format", required_argument, NULL, 'f' },
	{ "scale", required_argument, NULL, 'w' },
	{ "grating", required_argument, NULL, 'g' },
	{ "config", required_argument, NULL, 'c' },
	{ "source", required_argument, NULL, 's' },
	{ "rate", required_argument, NULL, 'r' },
	{ "timestamps", no_argument, NULL, 'T' },
	{ "min-snr", required_argument, NULL, 1 },
	{ "fwhm", required_argument, NULL, 2 },
	{ "block", required_argument, NULL, 3 },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const char shortopts[] = "n:f:w:g:c:s:r:TvhV";

static void add_grating(struct options *o, const char *arg, const char *where)
{
	struct grating *g;
	char buf[128], *name, *nm, *half;

	if (o->ngratings >= MAX_GRATINGS)
		die_usage("%s: more than %d gratings", where, MAX_GRATINGS);
	if (strlen(arg) >= sizeof(buf))
		die_usage("%s: grating '%s' too long", where, arg);
	strcpy(buf, arg);
	name = buf;
	nm = strchr(name, ':');
	if (!nm || nm == name)
		die_usage("%s: grating '%s': expected NAME:NM[:HALFWIDTH]",
			  where, arg);
	*nm++ = '\0';
	half = strchr(nm, ':');
	if (half)
		*half++ = '\0';
	g = &o->g[o->ngratings];
	if (strlen(name) >= sizeof(g->name) || strpbrk(name, "\t /"))
		die_usage("%s: grating name '%s' too long or has a blank or '/'",
			  where, name);
	strcpy(g->name, name);
	g->centre_nm = parse_double(nm, "grating wavelength", 100, 10000);
	g->halfwidth_nm = half ? parse_double(half, "grating half-width",
					      0.01, 1000)
			       : DEFAULT_HALFWIDTH_NM;
	o->ngratings++;
}

static void set_format(struct options *o, const char *arg)
{
	size_t pos;

	if (cs_sample_format_parse(arg, &o->fmt, &pos))
		die_usage("format '%s': not understood at character %zu "
			  "(expected e.g. le:u16 or le:U16/16>>0)", arg,
			  pos + 1);
}

static void set_scale(struct options *o, const char *arg)
{
	size_t pos;

	if (cs_wavescale_parse(arg, &o->scale, &pos))
		die_usage("scale '%s': not understood at character %zu "
			  "(expected A0,A1[,A2...] with A1 != 0)", arg, pos + 1);
	o->have_scale = 1;
}

static void set_source(struct options *o, const char *arg)
{
	if (!arg[0] || strlen(arg) >= sizeof(o->source) ||
	    strpbrk(arg, "\t\n "))
		die_usage("source '%s': empty, too long or has a blank", arg);
	strcpy(o->source, arg);
}

/* One option, from the command line or a config file. */
static void apply_option(struct options *o, int c, const char *arg,
			 const char *where);

static void read_config(struct options *o, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, where[512];
	size_t cap = 0;
	unsigned long lineno = 0;

	if (!f)
		die_perror("config %s", path);
	while (getline(&line, &cap, f) >= 0) {
		char *key = line, *val, *end;
		const struct option *opt;

		lineno++;
		snprintf(where, sizeof(where), "%s:%lu", path, lineno);
		key += strspn(key, " \t");
		end = key + strcspn(key, "#\r\n");
		*end = '\0';
		while (end > key && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (!*key)
			continue;
		val = strchr(key, '=');
		if (val) {
			char *k = val;

			*val++ = '\0';
			while (k > key && (k[-1] == ' ' || k[-1] == '\t'))
				*--k = '\0';
			val += strspn(val, " \t");
		}
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
		o->npix = (size_t)parse_long(arg, "pixels", 8, 65536);
		break;
	case 'f':
		set_format(o, arg);
		break;
	case 'w':
		set_scale(o, arg);
		break;
	case 'g':
		add_grating(o, arg, where);
		break;
	case 'c':
		read_config(o, arg);
		break;
	case 's':
		set_source(o, arg);
		break;
	case 'r':
		o->rate_hz = parse_double(arg, "rate", 1e-6, 1e9);
		break;
	case 'T':
		o->timestamps = 1;
		break;
	case 1:
		o->min_snr = parse_double(arg, "min-snr", 0.1, 1e6);
		break;
	case 2:
		o->fwhm_px = parse_double(arg, "fwhm", 1.0, 32.0);
		break;
	case 3:
		o->block = (size_t)parse_long(arg, "block", 1, 65536);
		break;
	case 'v':
		o->verbose = 1;
		break;
	default:
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
	o->fwhm_px = 3.0;
	o->block = 128;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_text, stdout);
			exit(EXIT_OK);
		case 'V':
			print_version();
			exit(EXIT_OK);
		case '?':
			fprintf(stderr, "Try '%s --help' for more information.\n",
				tools_progname());
			exit(EXIT_USAGE);
		default:
			apply_option(o, c, optarg, "option");
		}
	}
	if (argc - optind > 1)
		die_usage("more than one input file");
	if (o->ngratings == 0)
		die_usage("no grating given: use -g NAME:NM, e.g. -g g0:1530");
}

/* Pixel windows from wavelength windows, checked against the sensor. */
static void place_windows(struct options *o)
{
	for (unsigned int i = 0; i < o->ngratings; i++) {
		struct grating *g = &o->g[i];
		double a = cs_wavescale_pixel(&o->scale,
					      g->centre_nm - g->halfwidth_nm,
					      o->npix);
		double b = cs_wavescale_pixel(&o->scale,
					      g->centre_nm + g->halfwidth_nm,
					      o->npix);
		double lo = fmin(a, b), hi = fmax(a, b);

		if (isnan(a) || isnan(b))
			die_usage("grating %s: the scale is not monotonic over "
				  "the sensor", g->name);
		if (hi < 0.0 || lo > (double)(o->npix - 1))
			die_usage("grating %s at %g nm is outside the sensor "
				  "(%.3f..%.3f nm)", g->name, g->centre_nm,
				  cs_wavescale_eval(&o->scale, 0),
				  cs_wavescale_eval(&o->scale,
						    (double)(o->npix - 1)));
		g->lo = lo < 1.0 ? 1 : (size_t)ceil(lo);
		g->hi = hi > (double)(o->npix - 2) ? o->npix - 2 : (size_t)hi;
		if (g->hi < g->lo)
			die_usage("grating %s: window narrower than a pixel",
				  g->name);
	}
}

struct stats {
	unsigned long spectra, records, lost, saturated;
};

static void emit(const struct options *o, int64_t t, const struct grating *g,
		 const char *status, double nm, double u)
{
	struct cs_record rec;
	char source[CS_RECORD_SOURCE_MAX];
	int ret;

	snprintf(source, sizeof(source), "%s/%s", o->source, g->name);
	if (cs_record_set(&rec, t, source, "wavelength", nm, "nm", status, u))
		die("record for %s could not be formed", source);
	ret = cs_record_write(stdout, &rec);
	if (ret)
		die("stdout: %s", strerror(-ret));
}

static void process(const struct options *o, struct cs_fbgpeak_finder *pf,
		    const double *y, int64_t t, struct stats *st)
{
	double noise = cs_spectrum_noise(y, o->npix);

	for (unsigned int i = 0; i < o->ngratings; i++) {
		const struct grating *g = &o->g[i];
		struct cs_fbgpeak pk;
		double nm, u;

		if (cs_fbgpeak_finder_execute(pf, y, o->npix, g->lo, g->hi,
					      noise, &pk)) {
			/* Never a made-up value: no peak, no number. */
			emit(o, t, g, "lost", NAN, NAN);
			st->lost++;
		} else {
			nm = cs_wavescale_eval(&o->scale, pk.position);
			u = fabs(cs_wavescale_slope(&o->scale, pk.position)) *
			    pk.sigma_position;
			emit(o, t, g, pk.saturated ? "saturated" : "ok", nm, u);
			st->saturated += pk.saturated ? 1 : 0;
		}
		st->records++;
	}
	if (fflush(stdout))
		die_perror("stdout");
}

int main(int argc, char **argv)
{
	struct options o;
	struct cs_fbgpeak_config pcfg;
	struct cs_fbgpeak_finder *pf;
	struct stats st = { 0 };
	const char *name = "stdin";
	size_t sbytes, frame, got;
	size_t tsoff;
	unsigned char *raw;
	double *y;
	FILE *in = stdin;
	int status = EXIT_OK;

	tools_set_progname(argv[0]);
	parse_args(&o, argc, argv);
	place_windows(&o);
	tools_install_signals();

	if (optind < argc && strcmp(argv[optind], "-")) {
		name = argv[optind];
		in = fopen(name, "rb");
		if (!in)
			die_perror("%s", name);
	}
	pcfg.min_snr = o.min_snr;
	pcfg.fwhm_guess = o.fwhm_px;
	pcfg.saturation = cs_sample_format_max(&o.fmt);
	pf = cs_fbgpeak_finder_create(&pcfg);
	if (!pf)
		die_perror("peak finder");
	sbytes = o.npix * cs_sample_format_bytes(&o.fmt);
	frame = cs_scan_bytes(sbytes, (o.npix % o.block ? 1 : o.block) *
			      cs_sample_format_bytes(&o.fmt), o.timestamps);
	tsoff = (sbytes + 7) / 8 * 8;
	raw = malloc(frame);
	y = malloc(o.npix * sizeof(*y));
	if (!raw || !y)
		die_perror("malloc");

	if (fputs(cs_record_header(), stdout) < 0 || fputc('\n', stdout) < 0)
		die_perror("stdout");
	while (!tools_stop) {
		int64_t t;

		got = fread(raw, 1, frame, in);
		if (got < frame) {
			if (ferror(in) && errno != EINTR)
				die_perror("%s: read error at byte %lu", name,
					   st.spectra * (unsigned long)frame +
					   (unsigned long)got);
			if (got > 0) {
				warn("%s: input ends inside spectrum %lu at "
				     "byte offset %lu (%zu of %zu bytes); "
				     "1 partial spectrum skipped", name,
				     st.spectra, st.spectra *
				     (unsigned long)frame, got, frame);
				status = EXIT_BADINPUT;
			}
			break;
		}
		if (o.timestamps) {
			uint64_t v = 0;

			for (int b = 7; b >= 0; b--)
				v = (v << 8) | raw[tsoff + (size_t)b];
			t = (int64_t)v;
		} else {
			t = (int64_t)llround((double)st.spectra * 1e9 /
					     o.rate_hz);
		}
		cs_sample_format_decode(&o.fmt, raw, o.npix, y);
		process(&o, pf, y, t, &st);
		st.spectra++;
	}
	if (o.verbose || st.lost || status)
		fprintf(stderr, "%s: %s: %lu spectra, %lu records, %lu lost, "
			"%lu saturated\n", tools_progname(), name, st.spectra,
			st.records, st.lost, st.saturated);
	cs_fbgpeak_finder_destroy(pf);
	free(raw);
	free(y);
	if (in != stdin)
		fclose(in);
	return status;
}
