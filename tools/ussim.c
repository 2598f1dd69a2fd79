// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ussim: synthetic ultrasonic A-scans or acoustic-emission streams with
 * known truth, in the layout iio_readdev writes from cellsense_us, so that
 * ustof and aehits can be tested and demonstrated without hardware.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"
#include "tools-common.h"

#define HEADER_BYTES 256

static const char usage_text[] =
"Usage: ussim [OPTIONS]\n"
"Write synthetic ultrasonic A-scans (one record per shot) or, with --ae, a\n"
"continuous acoustic-emission stream, as iio_readdev would, to standard\n"
"output; with --truth, the true echo delays or burst times as records.\n"
"\n"
"Options:\n"
"  -n, --samples=N          samples per record (default 1024)\n"
"  -f, --format=FMT         le:s16, be:s16, le:s32 ... (default le:s16)\n"
"  -F, --fs=HZ              sampling frequency (default 20000000)\n"
"      --f0=HZ              pulse or burst carrier (default 5000000;\n"
"                           150000 with --ae)\n"
"      --bandwidth=B        pulse -6 dB fractional bandwidth (default 0.6)\n"
"  -e, --echo=US:AMP[:BAND] an echo at US microseconds, AMP counts, of\n"
"                           -6 dB fractional band BAND (default the\n"
"                           pulse's, same centre); repeat for each\n"
"                           (default 10:8000)\n"
"      --drift=NS           every echo moves by NS per shot (default 0)\n"
"      --fade=DB            every echo's amplitude changes by DB per shot\n"
"                           (default 0; a transducer debonding)\n"
"      --atten=DB           loss in dB per microsecond of delay (default 0)\n"
"      --noise=COUNTS       noise rms (default 20)\n"
"  -N, --count=N            shots (records) to write (default 10)\n"
"  -r, --rate=HZ            shots per second, for timestamps (default 1)\n"
"      --pulse-out=FILE     write the reference pulse there (peak 10000)\n"
"      --ae                 acoustic emission: a continuous stream\n"
"      --duration=S         ... of S seconds (default 1)\n"
"      --burst-rate=HZ      ... with bursts at HZ on average (default 20)\n"
"      --amp=MIN:MAX        ... of peak amplitude MIN to MAX counts,\n"
"                           log-uniform (default 300:10000)\n"
"      --transients         ... or a waveform set: each record one\n"
"                           triggered transient (-N of them, at --rate),\n"
"                           its burst after a pre-trigger of 1/8 record\n"
"  -H, --header             follow each record with the driver's shot header\n"
"                           (shot number, first-sample index)\n"
"  -T, --timestamps         and/or its 64-bit LE ns timestamp element\n"
"      --block=N            samples per IIO channel element (default 128)\n"
"      --truth=FILE         write the truth there as records\n"
"      --seed=N             noise seed (default 1)\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n";

static const struct option longopts[] = {
	{ "samples", required_argument, NULL, 'n' },
	{ "format", required_argument, NULL, 'f' },
	{ "fs", required_argument, NULL, 'F' },
	{ "f0", required_argument, NULL, 1 },
	{ "bandwidth", required_argument, NULL, 2 },
	{ "echo", required_argument, NULL, 'e' },
	{ "drift", required_argument, NULL, 3 },
	{ "atten", required_argument, NULL, 4 },
	{ "noise", required_argument, NULL, 5 },
	{ "count", required_argument, NULL, 'N' },
	{ "rate", required_argument, NULL, 'r' },
	{ "pulse-out", required_argument, NULL, 6 },
	{ "ae", no_argument, NULL, 7 },
	{ "duration", required_argument, NULL, 8 },
	{ "burst-rate", required_argument, NULL, 9 },
	{ "amp", required_argument, NULL, 10 },
	{ "header", no_argument, NULL, 'H' },
	{ "timestamps", no_argument, NULL, 'T' },
	{ "block", required_argument, NULL, 11 },
	{ "truth", required_argument, NULL, 12 },
	{ "seed", required_argument, NULL, 13 },
	{ "transients", no_argument, NULL, 14 },
	{ "fade", required_argument, NULL, 15 },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const char *truth_path;	/* --truth, for the messages */

static void truth_record(FILE *f, int64_t t, const char *src,
			 const char *quantity, double v, const char *unit)
{
	struct cs_record rec;

	if (!f)
		return;
	cs_record_set(&rec, t, src, quantity, v, unit, "ok", 0.0);
	if (cs_record_write(f, &rec))
		die_perror("%s", truth_path);
}

struct layout {
	size_t sbytes, frame, hdr_off, ts_off;
	int header, timestamps;
};

/* write one record with its header/timestamp; 0, or 1 when the reader
 * went away */
static int put_frame(const struct layout *l, unsigned char *raw,
		     uint64_t shot, uint64_t first, int64_t tns)
{
	size_t len = l->header || l->timestamps ? l->frame : l->sbytes;

	if (l->header) {
		memset(raw + l->hdr_off, 0, HEADER_BYTES);
		tools_put_le64(raw + l->hdr_off, shot);
		tools_put_le64(raw + l->hdr_off + 8, first);
	}
	if (l->timestamps)
		tools_put_le64(raw + l->ts_off, (uint64_t)tns);
	return tools_write_frame(raw, len);
}

int main(int argc, char **argv)
{
	struct cs_ussynth_config cfg = { 0 };
	struct cs_sample_format fmt;
	double delay_us[CS_USSYNTH_MAX_ECHOES], amp[CS_USSYNTH_MAX_ECHOES];
	double band[CS_USSYNTH_MAX_ECHOES] = { 0 };
	unsigned int ne = 0;
	long count = 10;
	double rate = 1.0, drift_ns = 0.0, duration = 1.0, burst_rate = 20.0;
	double fade_db = 0.0;
	double amp_min = 300.0, amp_max = 10000.0;
	int ae = 0, f0_set = 0, transients = 0, c;
	struct layout l = { 0 };
	size_t block = 128, bps, pos;
	const char *pulse_path = NULL;
	FILE *truth = NULL;
	unsigned char *raw;
	double *y;

	tools_set_progname(argv[0]);
	cfg.n = 1024;
	cfg.rate_hz = 20e6;
	cfg.f0_hz = 5e6;
	cfg.bandwidth = 0.6;
	cfg.noise_rms = 20.0;
	cfg.seed = 1;
	cs_sample_format_parse("le:s16", &fmt, NULL);

	while ((c = getopt_long(argc, argv, "n:f:F:e:N:r:HThV", longopts,
				NULL)) != -1) {
		char *colon;

		switch (c) {
		case 'n':
			cfg.n = (size_t)parse_long(optarg, "samples", 16,
						   1048576);
			break;
		case 'f':
			if (cs_sample_format_parse(optarg, &fmt, &pos))
				die_usage("format '%s': not understood at "
					  "character %zu", optarg, pos + 1);
			break;
		case 'F':
			cfg.rate_hz = parse_double(optarg, "fs", 1.0, 1e12);
			break;
		case 1:
			cfg.f0_hz = parse_double(optarg, "f0", 1.0, 1e12);
			f0_set = 1;
			break;
		case 2:
			cfg.bandwidth = parse_double(optarg, "bandwidth", 0.05,
						     2.0);
			break;
		case 'e':
			if (ne >= CS_USSYNTH_MAX_ECHOES)
				die_usage("more than %d echoes",
					  CS_USSYNTH_MAX_ECHOES);
			colon = strchr(optarg, ':');
			if (!colon)
				die_usage("echo '%s': expected US:AMP[:BAND]",
					  optarg);
			*colon = '\0';
			delay_us[ne] = parse_double(optarg, "echo delay", -1e6,
						    1e6);
			optarg = colon + 1;
			colon = strchr(optarg, ':');
			if (colon) {
				*colon = '\0';
				band[ne] = parse_double(colon + 1, "echo band",
							0.05, 2.0);
			}
			amp[ne++] = parse_double(optarg, "echo amplitude",
						 -1e9, 1e9);
			break;
		case 3:
			drift_ns = parse_double(optarg, "drift", -1e6, 1e6);
			break;
		case 4:
			cfg.atten_db_per_us = parse_double(optarg, "atten", 0,
							   1e3);
			break;
		case 5:
			cfg.noise_rms = parse_double(optarg, "noise", 0, 1e9);
			break;
		case 'N':
			count = parse_long(optarg, "count", 0, 1000000000);
			break;
		case 'r':
			rate = parse_double(optarg, "rate", 1e-6, 1e9);
			break;
		case 6:
			pulse_path = optarg;
			break;
		case 7:
			ae = 1;
			break;
		case 8:
			duration = parse_double(optarg, "duration", 0, 1e6);
			break;
		case 9:
			burst_rate = parse_double(optarg, "burst-rate", 0, 1e6);
			break;
		case 10:
			colon = strchr(optarg, ':');
			if (!colon)
				die_usage("amp '%s': expected MIN:MAX", optarg);
			*colon = '\0';
			amp_min = parse_double(optarg, "amp min", 1e-3, 1e9);
			amp_max = parse_double(colon + 1, "amp max", amp_min,
					       1e9);
			break;
		case 'H':
			l.header = 1;
			break;
		case 'T':
			l.timestamps = 1;
			break;
		case 11:
			block = (size_t)parse_long(optarg, "block", 1, 65536);
			break;
		case 12:
			truth_path = optarg;
			break;
		case 13:
			cfg.seed = (uint64_t)parse_long(optarg, "seed", 0,
							 0x7fffffffL);
			break;
		case 14:
			transients = 1;
			break;
		case 15:
			fade_db = parse_double(optarg, "fade", -100, 100);
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
	if (ae && !f0_set)
		cfg.f0_hz = 150e3;
	if (!(cfg.f0_hz < cfg.rate_hz / 2))
		die_usage("f0 %g Hz is not below half of fs %g Hz", cfg.f0_hz,
			  cfg.rate_hz);
	if (!ne) {
		delay_us[0] = 10.0;
		amp[0] = 8000.0;
		ne = 1;
	}
	truth = tools_truth_open(truth_path);
	bps = cs_sample_format_bytes(&fmt);
	l.sbytes = cfg.n * bps;
	l.frame = cs_scan_bytes(l.sbytes + (l.header ? HEADER_BYTES : 0),
				(cfg.n % block ? 1 : block) * bps, l.timestamps);
	l.hdr_off = l.sbytes;
	l.ts_off = l.header ? l.sbytes + HEADER_BYTES : (l.sbytes + 7) / 8 * 8;
	raw = calloc(1, l.frame);
	y = malloc(cfg.n * sizeof(*y));
	if (!raw || !y)
		die_perror("malloc");
	tools_install_signals();

	if (ae) {
		struct cs_aesynth_config ac = {
			.rate_hz = cfg.rate_hz, .burst_rate_hz = burst_rate,
			.f0_hz = cfg.f0_hz, .rise_s = 20e-6,
			.decay_s = 100e-6, .amp_min = amp_min,
			.amp_max = amp_max, .noise_rms = cfg.noise_rms,
			.min_gap_s = 2e-3, .seed = cfg.seed,
		};
		struct cs_aesynth *g = cs_aesynth_create(&ac);
		struct cs_aeburst b[64];
		uint64_t total = (uint64_t)llround(duration * cfg.rate_hz);
		uint64_t nrec = (total + cfg.n - 1) / cfg.n;

		if (!g)
			die_perror("AE synthesiser");
		if (transients)
			nrec = 0;	/* the loop below instead */
		for (long s = 0; transients && s < count && !tools_stop; s++) {
			int64_t tns = llround((double)s * 1e9 / rate);
			size_t at = cfg.n / 8;
			double a = cs_aesynth_amplitude(g);

			cs_aesynth_transient(g, y, cfg.n, at, a);
			truth_record(truth, tns + llround((double)at * 1e9 /
							  cfg.rate_hz),
				     "ae0", "burst", a, "count");
			for (size_t i = 0; i < cfg.n; i++)
				tools_put_sample(&fmt, y[i], raw + i * bps);
			if (put_frame(&l, raw, (uint64_t)s,
				      (uint64_t)s * cfg.n, tns))
				break;
		}
		for (uint64_t s = 0; s < nrec && !tools_stop; s++) {
			uint64_t first = s * cfg.n;
			int64_t tns = llround((double)first * 1e9 /
					      cfg.rate_hz);
			int nb = cs_aesynth_execute_block(g, y, cfg.n, b, 64);

			for (int k = 0; k < nb; k++)
				truth_record(truth, llround((double)b[k].start *
						1e9 / cfg.rate_hz), "ae0",
					     "burst", b[k].amplitude, "count");
			for (size_t i = 0; i < cfg.n; i++)
				tools_put_sample(&fmt, y[i], raw + i * bps);
			if (put_frame(&l, raw, s, first, tns))
				break;
		}
		cs_aesynth_destroy(g);
	} else {
		struct cs_ussynth *q = cs_ussynth_create(&cfg);

		if (!q)
			die("synthesiser: bad parameters (pulse longer than "
			    "the record?)");
		if (pulse_path) {
			size_t len = cs_ussynth_pulse_length(q);
			unsigned char *pr = malloc(len * bps);
			double *p = malloc(len * sizeof(*p));
			FILE *f = fopen(pulse_path, "wb");

			if (!f)
				die_perror("%s", pulse_path);
			if (!pr || !p)
				die_perror("malloc");
			cs_ussynth_pulse(q, 10000.0, p);
			for (size_t i = 0; i < len; i++)
				tools_put_sample(&fmt, p[i], pr + i * bps);
			if (fwrite(pr, bps, len, f) != len || fclose(f))
				die_perror("%s", pulse_path);
			free(pr);
			free(p);
		}
		for (unsigned int k = 0; k < ne; k++)
			cs_ussynth_set_echo_band(q, k, band[k]);
		for (long s = 0; s < count && !tools_stop; s++) {
			int64_t tns = llround((double)s * 1e9 / rate);

			for (unsigned int k = 0; k < ne; k++) {
				double us = delay_us[k] +
					    drift_ns * 1e-3 * (double)s;
				char src[32];

				cs_ussynth_set_echo(q, k, us * 1e-6 *
						    cfg.rate_hz, amp[k] *
						    pow(10.0, fade_db *
							(double)s / 20.0));
				snprintf(src, sizeof(src), "us0/e%u", k);
				truth_record(truth, tns, src, "tof", us * 1e3,
					     "ns");
			}
			cs_ussynth_execute(q, 1, y);
			for (size_t i = 0; i < cfg.n; i++)
				tools_put_sample(&fmt, y[i], raw + i * bps);
			if (put_frame(&l, raw, (uint64_t)s,
				      (uint64_t)s * cfg.n, tns))
				break;
		}
		cs_ussynth_destroy(q);
	}
	tools_flush_stdout();
	tools_truth_close(truth, truth_path);
	free(raw);
	free(y);
	return EXIT_OK;
}
