// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fbgsim: synthetic raw spectra with known truth, in the layout iio_readdev
 * writes, so fbgtrack can be tested and demonstrated without hardware.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"
#include "tools-common.h"

#define MAX_GRATINGS 32

static const char usage_text[] =
"Usage: fbgsim [OPTIONS]\n"
"Write synthetic Bragg-grating spectra, as iio_readdev would, to standard\n"
"output; with --truth, the true wavelengths as records to a file.\n"
"\n"
"Options:\n"
"  -n, --pixels=N           pixels per spectrum (default 512)\n"
"  -f, --format=FMT         le:u16, be:u16, le:s16 ... (default le:u16)\n"
"  -w, --scale=A0,A1[,..]   pixel-to-nm polynomial\n"
"                           (default 1510,0.167,-0.000001, the sim board's)\n"
"  -g, --grating=NM[:R[:PMK[:PMUE]]]  a grating at NM nm at 25 degC and\n"
"                           no strain, reflectivity R (default 0.5), moving\n"
"                           PMK pm/K (default --sensitivity) and PMUE\n"
"                           pm/ustrain (default 0: strain-free); repeat\n"
"  -N, --count=N            spectra to write (default 100)\n"
"  -t, --temperature=C      temperature at the start (default 25)\n"
"      --ramp=K             temperature change per spectrum (default 0)\n"
"      --sensitivity=PM     pm per kelvin (default 10)\n"
"      --strain=UE          strain at the start, ustrain (default 0)\n"
"      --strain-ramp=UE     strain change per spectrum (default 0)\n"
"      --drop=K:FROM[:TO]   grating K (0 first) reflects nothing in\n"
"                           spectra FROM..TO (a broken fibre)\n"
"      --fwhm=NM            reflection width (default 0.5)\n"
"      --source=COUNTS      source envelope peak (default 40000)\n"
"      --dark=COUNTS        dark level (default 1000)\n"
"      --read-noise=COUNTS  read noise rms (default 20)\n"
"      --gain=E             electrons per count, shot noise (default 4;\n"
"                           0 for none)\n"
"      --shape=SHAPE        gaussian, sidelobes, asymmetric (the long side\n"
"                           wider by --asymmetry, centre the maximum) or\n"
"                           chirped (a flat top --chirp nm wide, edges of\n"
"                           --fwhm; centre its middle) (default gaussian)\n"
"      --asymmetry=X        asymmetric: the long side X wider (default 0.5)\n"
"      --chirp=NM           chirped: the band's width (default 0.5)\n"
"      --jump=NM            each spectrum, each grating lands anywhere\n"
"                           within +-NM of where it would be, independently\n"
"                           (a slow log, a switch, a shock)\n"
"      --seed=N             noise seed (default 1)\n"
"  -r, --rate=HZ            spectra per second for timestamps (default 1)\n"
"  -T, --timestamps         append a 64-bit LE ns timestamp to each spectrum,\n"
"                           padded as the IIO driver pads its scans\n"
"      --block=N            pixels per IIO channel element (default 128)\n"
"      --fibres=N           spectra from N fibres in turn (an optical\n"
"                           switch); fibre f's gratings sit 4 f nm lower\n"
"  -I, --index              add the cellsense_fbg index element (fibre,\n"
"                           sequence number) after the pixels\n"
"      --gap=AT:COUNT       sequence numbers jump by COUNT at spectrum AT,\n"
"                           as after an overrun\n"
"      --reset-at=N         sequence numbers start again from 0 at\n"
"                           spectrum N, as after a board reset\n"
"      --truth=FILE         write the true wavelengths, temperature and\n"
"                           strain there as records\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n";

static const struct option longopts[] = {
	{ "pixels", required_argument, NULL, 'n' },
	{ "format", required_argument, NULL, 'f' },
	{ "scale", required_argument, NULL, 'w' },
	{ "grating", required_argument, NULL, 'g' },
	{ "count", required_argument, NULL, 'N' },
	{ "temperature", required_argument, NULL, 't' },
	{ "ramp", required_argument, NULL, 1 },
	{ "sensitivity", required_argument, NULL, 2 },
	{ "fwhm", required_argument, NULL, 3 },
	{ "source", required_argument, NULL, 4 },
	{ "dark", required_argument, NULL, 5 },
	{ "read-noise", required_argument, NULL, 6 },
	{ "gain", required_argument, NULL, 7 },
	{ "shape", required_argument, NULL, 8 },
	{ "asymmetry", required_argument, NULL, 18 },
	{ "chirp", required_argument, NULL, 19 },
	{ "jump", required_argument, NULL, 20 },
	{ "seed", required_argument, NULL, 9 },
	{ "truth", required_argument, NULL, 10 },
	{ "strain", required_argument, NULL, 12 },
	{ "strain-ramp", required_argument, NULL, 13 },
	{ "drop", required_argument, NULL, 14 },
	{ "block", required_argument, NULL, 11 },
	{ "fibres", required_argument, NULL, 15 },
	{ "index", no_argument, NULL, 'I' },
	{ "gap", required_argument, NULL, 16 },
	{ "reset-at", required_argument, NULL, 17 },
	{ "rate", required_argument, NULL, 'r' },
	{ "timestamps", no_argument, NULL, 'T' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

int main(int argc, char **argv)
{
	struct cs_fbgsynth_config cfg = { 0 };
	struct cs_sample_format fmt;
	double centre[MAX_GRATINGS], refl[MAX_GRATINGS];
	double pmk[MAX_GRATINGS], pmue[MAX_GRATINGS];
	double strain = 0.0, strain_ramp = 0.0, jump_nm = 0.0;
	long drop_k = -1, drop_from = 0, drop_to = 0;
	unsigned int ng = 0;
	long count = 100;
	double temp = 25.0, ramp = 0.0, sens_pm = 10.0, rate = 1.0;
	int timestamps = 0, c;
	size_t block = 128, frame;
	unsigned int fibres = 1;
	int index = 0;
	long gap_at = 0x7fffffffL, gap = 0, reset_at = 0x7fffffffL;
	const char *truth_path = NULL;
	FILE *truth = NULL;
	struct cs_fbgsynth *q;
	unsigned char *raw;
	double *y;
	size_t pos, bps;

	tools_set_progname(argv[0]);
	cfg.npix = 512;
	cs_wavescale_parse("1510,0.167,-0.000001", &cfg.scale, NULL);
	cs_sample_format_parse("le:u16", &fmt, NULL);
	cfg.fwhm_nm = 0.5;
	cfg.asymmetry = 0.5;
	cfg.chirp_nm = 0.5;
	cfg.source = 40000;
	cfg.source_slope = -0.3;
	cfg.background = 0.02;
	cfg.dark = 1000;
	cfg.read_noise = 20;
	cfg.gain = 4;
	cfg.seed = 1;

	while ((c = getopt_long(argc, argv, "n:f:w:g:N:t:r:TIhV", longopts,
				NULL)) != -1) {
		char *colon;

		switch (c) {
		case 'n':
			cfg.npix = (size_t)parse_long(optarg, "pixels", 8, 65536);
			break;
		case 'f':
			if (cs_sample_format_parse(optarg, &fmt, &pos))
				die_usage("format '%s': not understood at "
					  "character %zu", optarg, pos + 1);
			break;
		case 'w':
			if (cs_wavescale_parse(optarg, &cfg.scale, &pos))
				die_usage("scale '%s': not understood at "
					  "character %zu", optarg, pos + 1);
			break;
		case 'g': {
			char *f[4] = { optarg, NULL, NULL, NULL };

			if (ng >= MAX_GRATINGS)
				die_usage("more than %d gratings", MAX_GRATINGS);
			for (int k = 1; k < 4; k++) {
				colon = strchr(f[k - 1], ':');
				if (!colon)
					break;
				*colon = '\0';
				f[k] = colon + 1;
			}
			refl[ng] = f[1] ? parse_double(f[1], "reflectivity",
						       0, 1) : 0.5;
			pmk[ng] = f[2] ? parse_double(f[2], "pm/K", -1e3,
						      1e3) : NAN;
			pmue[ng] = f[3] ? parse_double(f[3], "pm/ustrain",
						       -1e3, 1e3) : 0.0;
			centre[ng++] = parse_double(f[0], "grating", 100,
						    10000);
			break;
		}
		case 12:
			strain = parse_double(optarg, "strain", -1e6, 1e6);
			break;
		case 13:
			strain_ramp = parse_double(optarg, "strain-ramp", -1e6,
						   1e6);
			break;
		case 14: {
			char *a = strchr(optarg, ':'), *b;

			if (!a)
				die_usage("drop '%s': expected K:FROM[:TO]",
					  optarg);
			*a++ = '\0';
			b = strchr(a, ':');
			if (b)
				*b++ = '\0';
			drop_k = parse_long(optarg, "drop grating", 0,
					    MAX_GRATINGS - 1);
			drop_from = parse_long(a, "drop from", 0, 2000000000);
			drop_to = b ? parse_long(b, "drop to", drop_from,
						 2000000000) : 2000000000;
			break;
		}
		case 'N':
			count = parse_long(optarg, "count", 0, 1000000000);
			break;
		case 't':
			temp = parse_double(optarg, "temperature", -273, 2000);
			break;
		case 1:
			ramp = parse_double(optarg, "ramp", -1000, 1000);
			break;
		case 2:
			sens_pm = parse_double(optarg, "sensitivity", -1e3, 1e3);
			break;
		case 3:
			cfg.fwhm_nm = parse_double(optarg, "fwhm", 1e-3, 100);
			break;
		case 4:
			cfg.source = parse_double(optarg, "source", 0, 1e12);
			break;
		case 5:
			cfg.dark = parse_double(optarg, "dark", -1e12, 1e12);
			break;
		case 6:
			cfg.read_noise = parse_double(optarg, "read-noise", 0,
						      1e9);
			break;
		case 7:
			cfg.gain = parse_double(optarg, "gain", 0, 1e9);
			break;
		case 8:
			if (!strcmp(optarg, "gaussian"))
				cfg.shape = CS_FBGSYNTH_GAUSSIAN;
			else if (!strcmp(optarg, "sidelobes"))
				cfg.shape = CS_FBGSYNTH_SIDELOBES;
			else if (!strcmp(optarg, "asymmetric"))
				cfg.shape = CS_FBGSYNTH_ASYMMETRIC;
			else if (!strcmp(optarg, "chirped"))
				cfg.shape = CS_FBGSYNTH_CHIRPED;
			else
				die_usage("shape '%s': expected gaussian, "
					  "sidelobes, asymmetric or chirped",
					  optarg);
			break;
		case 18:
			cfg.asymmetry = parse_double(optarg, "asymmetry", 0,
						     10);
			break;
		case 19:
			cfg.chirp_nm = parse_double(optarg, "chirp", 0, 100);
			break;
		case 20:
			jump_nm = parse_double(optarg, "jump", 0, 1000);
			break;
		case 9:
			cfg.seed = (uint64_t)parse_long(optarg, "seed", 0,
							 0x7fffffffL);
			break;
		case 10:
			truth_path = optarg;
			break;
		case 11:
			block = (size_t)parse_long(optarg, "block", 1, 65536);
			break;
		case 15:
			fibres = (unsigned int)parse_long(optarg, "fibres", 1,
							  256);
			break;
		case 'I':
			index = 1;
			break;
		case 16: {
			char *c2 = strchr(optarg, ':');

			if (!c2)
				die_usage("gap '%s': expected AT:COUNT", optarg);
			*c2++ = '\0';
			gap_at = parse_long(optarg, "gap at", 0, 2000000000);
			gap = parse_long(c2, "gap count", 1, 65535);
			break;
		}
		case 17:
			reset_at = parse_long(optarg, "reset at", 1, 2000000000);
			break;
		case 'r':
			rate = parse_double(optarg, "rate", 1e-6, 1e9);
			break;
		case 'T':
			timestamps = 1;
			break;
		case 'h':
			tools_help(usage_text);
		case 'V':
			tools_version();
		default:
			tools_try_help();
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (ng == 0)
		die_usage("no grating given: use -g NM, e.g. -g 1530");
	cfg.full_scale = cs_sample_format_max(&fmt);
	q = cs_fbgsynth_create(&cfg);
	if (!q)
		die_perror("synthesiser");
	truth = tools_truth_open(truth_path);
	bps = cs_sample_format_bytes(&fmt);
	if (index && (cfg.npix % 128 || bps != 2))
		die_usage("--index is the cellsense_fbg layout: 16-bit pixels "
			  "in blocks of 128");
	frame = cs_scan_bytes(cfg.npix * bps + (index ? 256 : 0),
			      (cfg.npix % block ? 1 : block) * bps, timestamps);
	raw = calloc(1, frame);
	y = malloc(cfg.npix * sizeof(*y));
	if (!raw || !y)
		die_perror("malloc");
	tools_install_signals();

	for (unsigned int k = 0; k < ng; k++)
		if (isnan(pmk[k]))
			pmk[k] = sens_pm;
	for (long s = 0; s < count && !tools_stop; s++) {
		double t = temp + ramp * (double)s;
		double e = strain + strain_ramp * (double)s;
		int64_t tns = (int64_t)llround((double)s * 1e9 / rate);
		unsigned int fibre = (unsigned int)(s % fibres);
		size_t len = cfg.npix * bps + (index ? 256 : 0);
		size_t tsoff = (len + 7) / 8 * 8;

		for (unsigned int k = 0; k < ng; k++) {
			/* fibre f's gratings sit 4 f nm lower, as on the
			 * simulated board */
			double nm = centre[k] - 4.0 * fibre +
				    pmk[k] * 1e-3 * (t - 25.0) +
				    pmue[k] * 1e-3 * e;
			int dropped = (long)k == drop_k && s >= drop_from &&
				      s <= drop_to;

			if (jump_nm > 0.0)	/* uniform in +-jump_nm */
				nm += jump_nm * (2.0 * cs_fbgsynth_uniform(q) -
						 1.0);

			cs_fbgsynth_set_grating(q, k, nm,
						dropped ? 0.0 : refl[k]);
			if (truth) {
				struct cs_record rec;
				char src[32];

				if (fibres > 1)
					snprintf(src, sizeof(src), "fbg0/f%ug%u",
						 fibre, k);
				else
					snprintf(src, sizeof(src), "fbg0/g%u", k);
				cs_record_set(&rec, tns, src, "wavelength",
					      dropped ? NAN : nm, "nm",
					      dropped ? "lost" : "ok", 0.0);
				if (cs_record_write(truth, &rec))
					die_perror("%s", truth_path);
			}
		}
		if (truth) {
			struct cs_record rec;

			cs_record_set(&rec, tns, "cell", "temperature", t,
				      "degC", "ok", 0.0);
			if (cs_record_write(truth, &rec))
				die_perror("%s", truth_path);
			cs_record_set(&rec, tns, "cell", "strain", e,
				      "ustrain", "ok", 0.0);
			if (cs_record_write(truth, &rec))
				die_perror("%s", truth_path);
		}
		cs_fbgsynth_execute(q, 1, y);
		for (size_t i = 0; i < cfg.npix; i++)
			tools_put_sample(&fmt, y[i], raw + i * bps);
		if (index) {
			unsigned char *w = raw + cfg.npix * bps;
			/* numbered since the last reset, a gap after it */
			long n = s >= reset_at ? s - reset_at : s;
			unsigned long seq;

			if (s >= gap_at && (gap_at >= reset_at || s < reset_at))
				n += gap;
			seq = (unsigned long)n & 0xffff;

			memset(w, 0, 256);
			w[0] = (unsigned char)fibre;
			w[4] = (unsigned char)seq;
			w[5] = (unsigned char)(seq >> 8);
		}
		if (timestamps) {
			tools_put_le64(raw + tsoff, (uint64_t)tns);
			len = frame;
		}
		if (tools_write_frame(raw, len))
			break;	/* the reader had enough */
	}
	tools_flush_stdout();
	tools_truth_close(truth, truth_path);
	cs_fbgsynth_destroy(q);
	free(raw);
	free(y);
	return EXIT_OK;
}
