// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * resim: synthetic raw scans of the reference-electrode front-end with
 * known truth, in the layout iio_readdev writes for cellsense_re, so that
 * refmon can be tested and demonstrated without hardware.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"
#include "tools-common.h"

#define MAX_STEPS 64
#define DEF_SCALES "0.000572205,0.000572205,0.000286102,0.143051147"

struct step {
	double t;		/* s */
	double amps;
	double temp_c;		/* NAN: unchanged */
};

static const char usage_text[] =
"Usage: resim [OPTIONS]\n"
"Write synthetic scans of the reference-electrode front-end (cell voltage,\n"
"cathode and anode vs a drifting reference, current), as iio_readdev would\n"
"for cellsense_re, to standard output; with --truth, the true values as\n"
"records to a file.\n"
"\n"
"Options:\n"
"  -N, --count=N            scans to write (default 1000)\n"
"  -r, --rate=HZ            samples per second (default 1000)\n"
"  -c, --current=A          charge current at the start, > 0 charging\n"
"                           (default 0)\n"
"  -t, --temperature=C      cell temperature at the start (default 25)\n"
"      --step=S:A[:C]       from S seconds on, current A (and temperature\n"
"                           C); repeat, in time order\n"
"      --soc=X              state of charge at the start, 0..1 (default 0.5)\n"
"      --capacity=AH        cell capacity (default 5)\n"
"      --r-anode=OHM        anode resistance at 25 degC (default 0.010)\n"
"      --r-cathode=OHM      cathode resistance at 25 degC (default 0.008)\n"
"      --drift=V/S          reference drift rate (default 0)\n"
"      --ref-potential=V    the reference vs Li/Li+: the electrodes are\n"
"                           measured against it (default 0, lithium)\n"
"      --tau=S              relaxation: each electrode's diffusion\n"
"                           overpotential lags the current by S seconds\n"
"                           (default 0: none)\n"
"      --r-diff=OHM         relaxation: its size, ohm (default 0.005 with\n"
"                           --tau)\n"
"      --plating            lithium plating: where the anode would go below\n"
"                           0 V the current plates lithium, which strips\n"
"                           back into the graphite at rest (a plateau in\n"
"                           the relaxation)\n"
"      --r-plate=OHM        plating's overpotential resistance (default\n"
"                           0.005)\n"
"      --r-strip=OHM        re-intercalation's resistance (default 1)\n"
"      --strip-knee=AH      plated lithium below which it covers less of\n"
"                           the surface (default 0.0005)\n"
"      --noise=V            rms noise on each voltage (default 0.0005)\n"
"      --mains=V            mains pickup amplitude (default 0.02)\n"
"      --mains-hz=HZ        mains frequency (default 50)\n"
"      --seed=N             noise seed (default 1)\n"
"  -S, --scale=C,K,A,I      per-LSB scales, mV and mA, as refmon's\n"
"  -T, --timestamps         append the 64-bit LE ns timestamp to each scan\n"
"      --eclab              write an EC-Lab text export instead of scans:\n"
"                           header block, decimal commas, the cathode as\n"
"                           working electrode (Ewe), the anode as Ece,\n"
"                           (Q-Qo)/mA.h the true current's integral\n"
"      --decimal-point      with --eclab, decimal points, no header block\n"
"      --truth=FILE         write the true values there as records (with\n"
"                           --plating, the plated lithium too, mAh)\n"
"      --ocv-out=FILE       write the model cell's open-circuit curves there\n"
"                           (cellsense-ocv(5), for refmon's drift correction)\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n";

enum {
	OPT_STEP = 1, OPT_SOC, OPT_CAP, OPT_RA, OPT_RC, OPT_DRIFT, OPT_NOISE,
	OPT_MAINS, OPT_MAINS_HZ, OPT_SEED, OPT_TRUTH, OPT_REF, OPT_OCV_OUT, OPT_ECLAB, OPT_POINT,
	OPT_TAU, OPT_RDIFF, OPT_PLATING, OPT_RPLATE, OPT_RSTRIP, OPT_KNEE,
};

static const struct option longopts[] = {
	{ "count", required_argument, NULL, 'N' },
	{ "rate", required_argument, NULL, 'r' },
	{ "current", required_argument, NULL, 'c' },
	{ "temperature", required_argument, NULL, 't' },
	{ "step", required_argument, NULL, OPT_STEP },
	{ "soc", required_argument, NULL, OPT_SOC },
	{ "capacity", required_argument, NULL, OPT_CAP },
	{ "r-anode", required_argument, NULL, OPT_RA },
	{ "r-cathode", required_argument, NULL, OPT_RC },
	{ "drift", required_argument, NULL, OPT_DRIFT },
	{ "ref-potential", required_argument, NULL, OPT_REF },
	{ "noise", required_argument, NULL, OPT_NOISE },
	{ "tau", required_argument, NULL, OPT_TAU },
	{ "r-diff", required_argument, NULL, OPT_RDIFF },
	{ "plating", no_argument, NULL, OPT_PLATING },
	{ "r-plate", required_argument, NULL, OPT_RPLATE },
	{ "r-strip", required_argument, NULL, OPT_RSTRIP },
	{ "strip-knee", required_argument, NULL, OPT_KNEE },
	{ "mains", required_argument, NULL, OPT_MAINS },
	{ "mains-hz", required_argument, NULL, OPT_MAINS_HZ },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "scale", required_argument, NULL, 'S' },
	{ "timestamps", no_argument, NULL, 'T' },
	{ "truth", required_argument, NULL, OPT_TRUTH },
	{ "ocv-out", required_argument, NULL, OPT_OCV_OUT },
	{ "eclab", no_argument, NULL, OPT_ECLAB },
	{ "decimal-point", no_argument, NULL, OPT_POINT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void parse_scales(const char *arg, double *scale)
{
	parse_doubles(arg, "scale", "C,K,A,I", 1e-12, 1e6, scale, CS_RE_NCH);
	for (int ch = 0; ch < CS_RE_NCH; ch++)	/* mV, mA to V, A */
		scale[ch] /= 1000.0;
}

static void parse_step(const char *arg, struct step *s)
{
	char buf[128], *a, *c;

	if (strlen(arg) >= sizeof(buf))
		die_usage("step '%s' too long", arg);
	strcpy(buf, arg);
	a = strchr(buf, ':');
	if (!a)
		die_usage("step '%s': expected S:A[:C]", arg);
	*a++ = '\0';
	c = strchr(a, ':');
	if (c)
		*c++ = '\0';
	s->t = parse_double(buf, "step time", 0, 1e9);
	s->amps = parse_double(a, "step current", -1e4, 1e4);
	s->temp_c = c ? parse_double(c, "step temperature", -40, 80) : NAN;
}

static void put_le32(unsigned char *p, int32_t v)
{
	uint32_t u = (uint32_t)v;

	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(u >> (8 * i));
}

/* The model's curves at 1001 points: linear interpolation between them is
 * within 25 uV of the curves (the anode's steep start the worst). */
static void write_ocv(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		die_perror("%s", path);
	fprintf(f, "# open-circuit curves of resim's model cell (NMC, graphite)"
		"\nsoc\tcathode\tanode\n");
	for (int i = 0; i <= 1000; i++) {
		double soc = i / 1000.0;

		fprintf(f, "%.3f\t%.7f\t%.7f\n", soc, cs_re_ocv_cathode(soc),
			cs_re_ocv_anode(soc));
	}
	if (fclose(f))
		die_perror("%s", path);
}

/* @v as EC-Lab writes it: @digits after the point of a mantissa, a
 * three-digit exponent, a comma unless @point. */
static void eclab_number(char *buf, size_t size, double v, int digits,
			 int point)
{
	int ex = v == 0.0 ? 0 : (int)floor(log10(fabs(v)));
	double m = v / pow(10.0, ex);
	char *c;

	if (fabs(m) >= 10.0 - 0.5 * pow(10.0, -digits)) {
		m /= 10.0;	/* 9.99999995 rounds to 10 */
		ex++;
	}
	snprintf(buf, size, "%.*fE%c%03d", digits, m, ex < 0 ? '-' : '+',
		 abs(ex));
	if (!point && (c = strchr(buf, '.')))
		*c = ',';
}

static void eclab_header(int point)
{
	static const char names[] = "mode\tox/red\terror\ttime/s\tEwe/V\t"
				    "I/mA\tEce/V\tCapacity/mA.h\tEwe-Ece/V\t"
				    "(Q-Qo)/mA.h\t";

	if (!point)
		printf("EC-Lab ASCII FILE\r\nNb header lines : 6\r\n\r\n"
		       "Galvanostatic Cycling with Potential Limitation "
		       "(resim: synthetic)\r\nElectrode connection : "
		       "standard\r\n");
	printf("%s\r\n", names);
}

/* One reading; 1 when the reader went away. */
static int eclab_line(int point, int64_t t, const double *mv, double qmah,
		      double q_qo_mah)
{
	char f[5][32];
	double i_ma = mv[CS_RE_CURRENT] * 1e3;

	eclab_number(f[0], sizeof(f[0]), (double)t * 1e-9, 15, point);
	eclab_number(f[1], sizeof(f[1]), mv[CS_RE_CATHODE], 7, point);
	eclab_number(f[2], sizeof(f[2]), i_ma, 7, point);
	eclab_number(f[3], sizeof(f[3]), mv[CS_RE_ANODE], 7, point);
	eclab_number(f[4], sizeof(f[4]), qmah, 7, point);
	if (printf("%d\t%d\t0\t%s\t%s\t%s\t%s\t%s\t", fabs(i_ma) > 0 ? 1 : 3,
		   i_ma > 0, f[0], f[1], f[2], f[3], f[4]) < 0)
		return errno == EPIPE ? 1 : (die_perror("stdout"), 1);
	/* EC-Lab's Ewe-Ece is the difference of the two it measured */
	eclab_number(f[0], sizeof(f[0]), mv[CS_RE_CATHODE] - mv[CS_RE_ANODE],
		     7, point);
	eclab_number(f[1], sizeof(f[1]), q_qo_mah, 7, point);
	if (printf("%s\t%s\t\r\n", f[0], f[1]) < 0)
		return errno == EPIPE ? 1 : (die_perror("stdout"), 1);
	return 0;
}

int main(int argc, char **argv)
{
	struct cs_resynth_config cfg = {
		.fs = 1000.0, .capacity_ah = 5.0, .soc = 0.5, .temp_c = 25.0,
		.r_anode = 0.010, .r_cathode = 0.008, .act_k = 4000.0,
		.noise_v = 0.5e-3, .noise_a = 2e-3, .mains_v = 0.02,
		.mains_hz = 50.0, .seed = 1, .r_diff = 0.005, .r_plate = 0.005,
		.r_strip = 1.0, .strip_knee_ah = 0.0005,
	};
	static const char *const quantity[CS_RE_NCH] = {
		"voltage", "potential", "potential", "current",
	};
	static const char *const unit[CS_RE_NCH] = { "V", "V", "V", "A" };
	struct step steps[MAX_STEPS];
	unsigned int nsteps = 0, next = 0;
	double scale[CS_RE_NCH], amps = 0.0;
	unsigned long count = 1000;
	int timestamps = 0, c, eclab = 0, point = 0;
	double charge_mah = 0.0, q_qo_mah = 0.0;
	const char *truth_path = NULL;
	FILE *truth = NULL;
	struct cs_resynth *q;
	unsigned char scan[24];
	size_t frame;

	tools_set_progname(argv[0]);
	parse_scales(DEF_SCALES, scale);
	while ((c = getopt_long(argc, argv, "N:r:c:t:S:ThV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'N':
			count = (unsigned long)parse_long(optarg, "count", 0,
							  1000000000L);
			break;
		case 'r':
			cfg.fs = parse_double(optarg, "rate", 1e-6, 1e6);
			break;
		case 'c':
			amps = parse_double(optarg, "current", -1e4, 1e4);
			break;
		case 't':
			cfg.temp_c = parse_double(optarg, "temperature", -40, 80);
			break;
		case OPT_STEP:
			if (nsteps >= MAX_STEPS)
				die_usage("more than %d steps", MAX_STEPS);
			parse_step(optarg, &steps[nsteps]);
			if (nsteps && steps[nsteps].t < steps[nsteps - 1].t)
				die_usage("step '%s' before the previous one",
					  optarg);
			nsteps++;
			break;
		case OPT_SOC:
			cfg.soc = parse_double(optarg, "soc", 0, 1);
			break;
		case OPT_CAP:
			cfg.capacity_ah = parse_double(optarg, "capacity", 1e-3,
						       1e6);
			break;
		case OPT_RA:
			cfg.r_anode = parse_double(optarg, "r-anode", 0, 10);
			break;
		case OPT_RC:
			cfg.r_cathode = parse_double(optarg, "r-cathode", 0, 10);
			break;
		case OPT_DRIFT:
			cfg.drift_v_per_s = parse_double(optarg, "drift", -1, 1);
			break;
		case OPT_REF:
			cfg.ref_potential = parse_double(optarg, "ref-potential",
							 -5, 5);
			break;
		case OPT_TAU:
			cfg.tau_s = parse_double(optarg, "tau", 0, 1e7);
			break;
		case OPT_RDIFF:
			cfg.r_diff = parse_double(optarg, "r-diff", 0, 10);
			break;
		case OPT_PLATING:
			cfg.plating = 1;
			break;
		case OPT_RPLATE:
			cfg.r_plate = parse_double(optarg, "r-plate", 1e-6, 10);
			break;
		case OPT_RSTRIP:
			cfg.r_strip = parse_double(optarg, "r-strip", 1e-6, 1e4);
			break;
		case OPT_KNEE:
			cfg.strip_knee_ah = parse_double(optarg, "strip-knee",
							 1e-9, 1e3);
			break;
		case OPT_NOISE:
			cfg.noise_v = parse_double(optarg, "noise", 0, 1);
			break;
		case OPT_MAINS:
			cfg.mains_v = parse_double(optarg, "mains", 0, 1);
			break;
		case OPT_MAINS_HZ:
			cfg.mains_hz = parse_double(optarg, "mains-hz", 1, 1e5);
			break;
		case OPT_SEED:
			cfg.seed = (uint64_t)parse_long(optarg, "seed", 0,
							 0x7fffffffL);
			break;
		case 'S':
			parse_scales(optarg, scale);
			break;
		case 'T':
			timestamps = 1;
			break;
		case OPT_TRUTH:
			truth_path = optarg;
			break;
		case OPT_ECLAB:
			eclab = 1;
			break;
		case OPT_POINT:
			point = 1;
			break;
		case OPT_OCV_OUT:
			write_ocv(optarg);
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
	if (point && !eclab)
		die_usage("--decimal-point is for --eclab");
	if (eclab && timestamps)
		die_usage("--timestamps is for scans; --eclab has time/s");
	tools_install_signals();
	q = cs_resynth_create(&cfg);
	if (!q)
		die_perror("synthetic cell");
	cs_resynth_set_current(q, amps);
	truth = tools_truth_open(truth_path);
	frame = cs_scan_bytes(CS_RE_NCH * 4, 4, timestamps);
	if (eclab)
		eclab_header(point);
	for (unsigned long i = 0; i < count && !tools_stop; i++) {
		double tv[CS_RE_NCH], mv[CS_RE_NCH];
		int64_t t;

		while (next < nsteps && (double)i / cfg.fs >= steps[next].t) {
			cs_resynth_set_current(q, steps[next].amps);
			if (!isnan(steps[next].temp_c))
				cs_resynth_set_temperature(q,
							   steps[next].temp_c);
			next++;
		}
		t = cs_resynth_execute(q, tv, mv);
		if (eclab) {
			charge_mah += fabs(mv[CS_RE_CURRENT]) * 1e3 / 3600.0 /
				      cfg.fs;
			/* EC-Lab integrates its own finer samples: the
			 * charge to this reading, of the true current */
			if (eclab_line(point, t, mv, charge_mah, q_qo_mah))
				break;
			q_qo_mah += tv[CS_RE_CURRENT] * 1e3 / 3600.0 / cfg.fs;
			goto truth;
		}
		memset(scan, 0, sizeof(scan));
		for (int ch = 0; ch < CS_RE_NCH; ch++) {
			double code = round(mv[ch] / scale[ch]);

			/* the ADC's 24-bit two's complement range */
			if (code > 8388607.0)
				code = 8388607.0;
			if (code < -8388608.0)
				code = -8388608.0;
			put_le32(scan + 4 * ch, (int32_t)code);
		}
		if (timestamps)
			tools_put_le64(scan + 16, (uint64_t)t);
		if (tools_write_frame(scan, frame))
			break;	/* the reader had enough */
truth:
		if (truth) {
			for (int ch = 0; ch < CS_RE_NCH; ch++) {
				struct cs_record rec;
				char src[32];

				snprintf(src, sizeof(src), "re0/%s",
					 cs_re_channel_name(ch));
				cs_record_set(&rec, t, src, quantity[ch], tv[ch],
					      unit[ch], "ok", NAN);
				if (cs_record_write(truth, &rec))
					die_perror("%s", truth_path);
			}
			/* the lithium plated now: what a rest will strip */
			if (cfg.plating) {
				struct cs_record rec;

				cs_record_set(&rec, t, "re0/anode",
					      "plated_lithium",
					      cs_resynth_plated(q) * 1e3, "mAh",
					      "ok", NAN);
				if (cs_record_write(truth, &rec))
					die_perror("%s", truth_path);
			}
		}
	}
	tools_flush_stdout();
	tools_truth_close(truth, truth_path);
	cs_resynth_destroy(q);
	return EXIT_OK;
}
