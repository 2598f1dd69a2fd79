// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * refmon: raw scans of the reference-electrode front-end (what iio_readdev
 * writes for cellsense_re: cell voltage, cathode and anode vs reference,
 * current), or a potentiostat's EC-Lab text export, in; cell voltage,
 * electrode potentials vs Li/Li+, current and lithium-plating alarms out,
 * as records.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cellsense.h"
#include "cellsense-iio.h"
#include "tools-common.h"

/* The driver's defaults at PGA gain 1 (mV or mA per LSB, as in sysfs):
 * 1.2 V full scale over 2^23, dividers 4, 4 and 2, shunt 1 mOhm. */
#define DEF_SCALES "0.000572205,0.000572205,0.000286102,0.143051147"

enum drift_mode { DRIFT_OFF, DRIFT_HOLD, DRIFT_EXTRAPOLATE };
enum input_kind { IN_AUTO, IN_SCANS, IN_ECLAB, IN_RECORDS };

struct options {
	char run_input[4096];	/* --run: the run's raw file */
	struct cs_sample_format fmt;
	double scale[CS_RE_NCH];	/* V or A per LSB */
	char source[32];
	double rate_hz;
	int timestamps;
	double out_rate;
	struct cs_re_filter_config filt;
	struct cs_plating_config plating;
	double alarm_period;
	struct cs_re_drift_config drift;
	enum drift_mode drift_mode;
	const char *ocv_path;
	double capacity_ah;	/* 0: not given */
	double rest_rate;	/* C-rate below which the cell rests, 0: not
				 * given */
	const char *drift_only;	/* a drift option given, for the check */
	enum input_kind input;
	int we_anode;		/* EC-Lab: the anode is the working electrode */
	const char *scan_only;	/* an option only binary scans take */
	int filter_set;		/* --pass or --stop given */
	struct tools_iio_opts iio;	/* -u, -d, --scans */
	int source_set;
	int dvdq;		/* charge and dV/dQ records */
	int ir;			/* 0 off, 1 given resistances, 2 from steps */
	double ir_r[2];		/* ohm, cathode and anode, when given */
	double ir_step;		/* A, smallest current step used, 0: default */
	double ref_potential;	/* the reference vs Li/Li+, V */
	double ref_uncertainty;
	const char *ref_option;	/* the option that set it, or NULL */
	int relax;		/* the relaxation-after-charge indicator */
	double relax_charge;	/* A, a charge above this; 0: default */
	double relax_time;	/* s, the longest rest followed */
	double strip[2];	/* A: re-intercalation current of plated
				 * lithium at rest and its uncertainty;
				 * 0: not calibrated */
	int verbose;
};

static const char usage_text[] =
"Usage: refmon [OPTIONS] [FILE]\n"
"Turn raw scans of the reference-electrode front-end, or an EC-Lab text\n"
"export, into records: cell voltage, cathode and anode potentials vs\n"
"Li/Li+, current, and lithium-plating alarms (see cellsense-records(5)).\n"
"Reads FILE, or standard input when FILE is absent or '-': binary scans\n"
"in the layout iio_readdev writes for the channels voltage0 voltage1\n"
"voltage2 current3 [timestamp], or an EC-Lab export (recognised from its\n"
"first line; other text is refused).\n"
"\n"
"Options:\n"
"  -i, --input=KIND         auto, scans, eclab or records (default auto)\n"
"      --we=ELECTRODE       EC-Lab: the working electrode, cathode or\n"
"                           anode (default cathode; Ece is the other)\n"
"  -f, --format=FMT         sample format, libiio notation\n"
"                           (default le:s24/32>>0)\n"
"  -S, --scale=C,K,A,I      per-LSB scales as the driver's in_*_scale show\n"
"                           them: mV for cell, cathode, anode, mA for the\n"
"                           current (default: the driver's at gain 1)\n"
"  -r, --rate=HZ            samples per second (default 1000)\n"
"  -T, --timestamps         each scan ends with the IIO timestamp (ns)\n"
"  -s, --source=NAME        source prefix of the records (default re0)\n"
"      --run=DIR            read the re stream of a csacq run: file, format,\n"
"                           scales, rate, timestamps from its sidecar\n"
"                           (cellsense-run(5)); options after it override\n"
"  -o, --output-rate=HZ     records per second per channel (default 10)\n"
"      --pass=HZ            mains filter: pass band edge (default 10)\n"
"      --stop=HZ            mains filter: stop band edge (default 40)\n"
"      --atten=DB           mains filter: stop band attenuation (default 60)\n"
"      --threshold=V        plating threshold vs Li/Li+ (default 0)\n"
"      --margin=V           warning this far above it (default 0.010)\n"
"      --hysteresis=V       a level clears this far above its limit\n"
"                           (default 0.003)\n"
"      --hold=S             below the limit this long to alarm (default 1)\n"
"      --alarm-period=S     repeat an active alarm this often (default 1)\n"
"      --drift=MODE         reference drift correction: off, hold or\n"
"                           extrapolate (default off); needs --ocv and a\n"
"                           rest: --capacity (with --rest-rate) or\n"
"                           --rest-current\n"
"      --ocv=FILE           the cell's open-circuit curves, cellsense-ocv(5)\n"
"      --capacity=AH        the cell's capacity\n"
"      --rest-rate=C        rest: |current| below this C-rate\n"
"                           (default 0.002, with --capacity)\n"
"      --rest-current=A     rest: |current| below this\n"
"      --rest-time=S        rest this long before estimating (default 60)\n"
"      --drift-limit=V/S    largest reference drift rate assumed between\n"
"                           rests (default 1e-7)\n"
"      --dvdq               charge passed (Ah) and dV/dQ of each electrode\n"
"                           (V/Ah) as records\n"
"      --ir=RC,RA|auto      iR-drop correction: the cathode's and anode's\n"
"                           series resistance (ohm), or auto: estimated\n"
"                           from current steps (reported)\n"
"      --ir-step=A          smallest current step for --ir=auto (default\n"
"                           0.05 C with --capacity, else 0.05 A)\n"
"      --reference=TYPE[:U] the reference electrode: li (0 V vs Li/Li+),\n"
"                           li-au (0.31 +- 0.01 V), lto (1.55 +- 0.02 V),\n"
"                           lfp (3.42 +- 0.02 V) or a number of volts;\n"
"                           U its standard uncertainty (default li)\n"
"      --ref-potential=V    the same as --reference=V\n"
"      --relaxation=on|off  lithium plating from the relaxation after a\n"
"                           charge, of the anode and of the cell voltage\n"
"                           (default on)\n"
"      --relax-charge=A     a charge is a current above this for 30 s\n"
"                           (default C/50 with --capacity, else 0.05 A)\n"
"      --relax-time=S       follow a rest this long at most (default 3600)\n"
"      --strip-current=A,U  the current (and its standard uncertainty) at\n"
"                           which plated lithium re-intercalates at rest,\n"
"                           from a calibration of the cell type: the\n"
"                           stripped charge is it times the plateau's\n"
"                           length (without: uncalibrated, from a bound)\n"
"  -d, --device=DEV         read IIO device DEV (label, name or id) through\n"
"                           libiio instead of FILE: format, scales,\n"
"                           timestamps, rate and source from it\n"
"  -u, --uri=URI            its libiio context: local: (default),\n"
"                           ip:HOST[:PORT] for a rig running iiod\n"
"      --scans=N            with -d: stop after N scans (default: run\n"
"                           until interrupted)\n"
"  -v, --verbose            a summary on stderr at the end\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n"
"\n"
"Exit status: 0 success, 1 read/write error, 2 usage error,\n"
"3 input ended inside a scan (counted, reported).\n";

enum {
	OPT_PASS = 1, OPT_STOP, OPT_ATTEN, OPT_THRESHOLD, OPT_MARGIN,
	OPT_HYST, OPT_HOLD, OPT_ALARM_PERIOD, OPT_DRIFT, OPT_REST_CURRENT,
	OPT_REST_TIME, OPT_REF_POTENTIAL, OPT_REFERENCE, OPT_OCV, OPT_CAPACITY,
	OPT_REST_RATE, OPT_DRIFT_LIMIT, OPT_WE, OPT_IR, OPT_IR_STEP, OPT_DVDQ,
	OPT_RUN,
	OPT_RELAX, OPT_RELAX_CHARGE, OPT_RELAX_TIME, OPT_STRIP,
};

static const struct option longopts[] = {
	{ "input", required_argument, NULL, 'i' },
	{ "we", required_argument, NULL, OPT_WE },
	{ "ir", required_argument, NULL, OPT_IR },
	{ "dvdq", no_argument, NULL, OPT_DVDQ },
	{ "relaxation", required_argument, NULL, OPT_RELAX },
	{ "relax-charge", required_argument, NULL, OPT_RELAX_CHARGE },
	{ "relax-time", required_argument, NULL, OPT_RELAX_TIME },
	{ "strip-current", required_argument, NULL, OPT_STRIP },
	{ "ir-step", required_argument, NULL, OPT_IR_STEP },
	{ "format", required_argument, NULL, 'f' },
	{ "scale", required_argument, NULL, 'S' },
	{ "rate", required_argument, NULL, 'r' },
	{ "timestamps", no_argument, NULL, 'T' },
	{ "source", required_argument, NULL, 's' },
	{ "run", required_argument, NULL, OPT_RUN },
	{ "output-rate", required_argument, NULL, 'o' },
	{ "pass", required_argument, NULL, OPT_PASS },
	{ "stop", required_argument, NULL, OPT_STOP },
	{ "atten", required_argument, NULL, OPT_ATTEN },
	{ "threshold", required_argument, NULL, OPT_THRESHOLD },
	{ "margin", required_argument, NULL, OPT_MARGIN },
	{ "hysteresis", required_argument, NULL, OPT_HYST },
	{ "hold", required_argument, NULL, OPT_HOLD },
	{ "alarm-period", required_argument, NULL, OPT_ALARM_PERIOD },
	{ "drift", required_argument, NULL, OPT_DRIFT },
	{ "rest-current", required_argument, NULL, OPT_REST_CURRENT },
	{ "rest-time", required_argument, NULL, OPT_REST_TIME },
	{ "ocv", required_argument, NULL, OPT_OCV },
	{ "capacity", required_argument, NULL, OPT_CAPACITY },
	{ "rest-rate", required_argument, NULL, OPT_REST_RATE },
	{ "drift-limit", required_argument, NULL, OPT_DRIFT_LIMIT },
	{ "ref-potential", required_argument, NULL, OPT_REF_POTENTIAL },
	{ "reference", required_argument, NULL, OPT_REFERENCE },
	{ "uri", required_argument, NULL, 'u' },
	{ "device", required_argument, NULL, 'd' },
	{ "scans", required_argument, NULL, TOOLS_OPT_SCANS },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const char shortopts[] = "i:f:S:r:Ts:o:u:d:vhV";

static void set_scales(struct options *o, const char *arg)
{
	parse_doubles(arg, "scale", "C,K,A,I", 1e-12, 1e6, o->scale, CS_RE_NCH);
	/* sysfs units (mV, mA) to V, A */
	for (int ch = 0; ch < CS_RE_NCH; ch++)
		o->scale[ch] /= 1000.0;
}

/* --reference and --ref-potential say the same thing: one of them, once
 * (two different answers to one question are refused, not resolved) */
static void set_reference(struct options *o, const char *opt, const char *arg)
{
	if (o->ref_option)
		die_usage("--%s=%s: the reference's potential was already set "
			  "by --%s; give it once", opt, arg, o->ref_option);
	o->ref_option = opt;
	if (!strcmp(opt, "ref-potential")) {
		o->ref_potential = parse_double(arg, opt, -5, 5);
		o->ref_uncertainty = 0.0;
	} else if (cs_re_reference_parse(arg, &o->ref_potential,
					 &o->ref_uncertainty)) {
		die_usage("reference '%s': expected li, li-au, lto, lfp or "
			  "volts vs Li/Li+ (-5..5), optionally :U (0..1 V)",
			  arg);
	}
}

/* Drift correction only against the user's curves, with a rest the user
 * defined: relative to the cell or an explicit threshold, not both. */
static void check_drift(struct options *o)
{
	if (o->drift_mode == DRIFT_OFF) {
		if (o->drift_only)
			die_usage("--%s is for the drift correction, which is "
				  "off: give --drift=hold or extrapolate",
				  o->drift_only);
		return;
	}
	if (!o->ocv_path)
		die_usage("--drift needs the cell's open-circuit curves "
			  "(--ocv=FILE, see cellsense-ocv(5))");
	if (o->drift.rest_current > 0.0 && o->rest_rate > 0.0)
		die_usage("--rest-current and --rest-rate both define a rest; "
			  "give one");
	if (o->drift.rest_current > 0.0)
		return;
	if (!(o->capacity_ah > 0.0))
		die_usage("--drift needs a rest: --capacity=AH (rest below "
			  "--rest-rate, default C/500) or --rest-current=A");
	if (!(o->rest_rate > 0.0))
		o->rest_rate = 0.002;
	o->drift.rest_current = o->rest_rate * o->capacity_ah;
}

/* --run DIR: what the run's sidecar says, as if given as options. */
static void apply_run(struct options *o, const char *dir)
{
	struct cs_run_stream s;
	char err[512], note[512], buf[256];
	size_t pos;

	if (cs_run_load(dir, "re", &s, note, sizeof(note), err, sizeof(err)))
		die("--run: %s", err);
	if (note[0])
		warn("%s", note);
	if (s.nscales != CS_RE_NCH)
		die("--run %s: %u data channels, not the %d of voltage0 "
		    "voltage1 voltage2 current3", dir, s.nscales, CS_RE_NCH);
	if (cs_sample_format_parse(s.format, &o->fmt, &pos))
		die("--run %s: format '%s' not understood", dir, s.format);
	snprintf(buf, sizeof(buf), "%.17g,%.17g,%.17g,%.17g", s.scales[0],
		 s.scales[1], s.scales[2], s.scales[3]);
	set_scales(o, buf);
	if (s.rate_hz > 0)
		o->rate_hz = s.rate_hz;
	o->timestamps = s.timestamps;
	if (strlen(s.device) < sizeof(o->source))
		strcpy(o->source, s.device);
	o->input = IN_SCANS;
	strcpy(o->run_input, s.path);
}

static void parse_args(struct options *o, int argc, char **argv)
{
	size_t pos;
	int c;

	memset(o, 0, sizeof(*o));
	cs_sample_format_parse("le:s24/32>>0", &o->fmt, NULL);
	set_scales(o, DEF_SCALES);
	strcpy(o->source, "re0");
	o->rate_hz = 1000.0;
	o->out_rate = 10.0;
	o->filt.pass_hz = 10.0;
	o->filt.stop_hz = 40.0;
	o->filt.atten_db = 60.0;
	o->plating.threshold = 0.0;
	o->plating.margin = 0.010;
	o->plating.hysteresis = 0.003;
	o->plating.hold_s = 1.0;
	o->alarm_period = 1.0;
	o->drift.rest_s = 60.0;
	o->drift.rate_limit = 1e-7;
	o->drift_mode = DRIFT_OFF;
	o->relax = 1;
	o->relax_time = 3600.0;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (!strcmp(optarg, "auto"))
				o->input = IN_AUTO;
			else if (!strcmp(optarg, "scans"))
				o->input = IN_SCANS;
			else if (!strcmp(optarg, "eclab"))
				o->input = IN_ECLAB;
			else if (!strcmp(optarg, "records"))
				o->input = IN_RECORDS;
			else
				die_usage("input '%s': expected auto, scans, "
					  "eclab or records", optarg);
			break;
		case OPT_IR:
			if (!strcmp(optarg, "auto")) {
				o->ir = 2;
			} else {
				parse_doubles(optarg, "ir", "RC,RA", 0, 1e6,
					      o->ir_r, 2);
				o->ir = 1;
			}
			break;
		case OPT_DVDQ:
			o->dvdq = 1;
			break;
		case OPT_RELAX:
			if (strcmp(optarg, "on") && strcmp(optarg, "off"))
				die_usage("relaxation '%s': expected on or off",
					  optarg);
			o->relax = !strcmp(optarg, "on");
			break;
		case OPT_RELAX_CHARGE:
			o->relax_charge = parse_double(optarg, "relax-charge",
						       1e-12, 1e6);
			break;
		case OPT_RELAX_TIME:
			o->relax_time = parse_double(optarg, "relax-time", 60,
						     1e7);
			break;
		case OPT_STRIP:
			parse_doubles(optarg, "strip-current", "A,U", 0, 1e6,
				      o->strip, 2);
			if (!(o->strip[0] > 0.0))
				die_usage("strip-current '%s': the current must "
					  "be > 0", optarg);
			break;
		case OPT_IR_STEP:
			o->ir_step = parse_double(optarg, "ir-step", 1e-12, 1e6);
			break;
		case OPT_WE:
			if (strcmp(optarg, "cathode") && strcmp(optarg, "anode"))
				die_usage("we '%s': expected cathode or anode",
					  optarg);
			o->we_anode = !strcmp(optarg, "anode");
			break;
		case 'f':
			o->scan_only = "format";
			if (cs_sample_format_parse(optarg, &o->fmt, &pos))
				die_usage("format '%s': not understood at "
					  "character %zu (expected e.g. "
					  "le:s24/32>>0)", optarg, pos + 1);
			break;
		case 'S':
			set_scales(o, optarg);
			o->scan_only = "scale";
			break;
		case 'r':
			o->rate_hz = parse_double(optarg, "rate", 1e-6, 1e6);
			o->scan_only = "rate";
			break;
		case 'T':
			o->timestamps = 1;
			o->scan_only = "timestamps";
			break;
		case OPT_RUN:
			apply_run(o, optarg);
			break;
		case 's':
			if (!optarg[0] || strlen(optarg) >= sizeof(o->source) ||
			    strpbrk(optarg, "\t\n /"))
				die_usage("source '%s': empty, too long or has "
					  "a blank or '/'", optarg);
			strcpy(o->source, optarg);
			o->source_set = 1;
			break;
		case 'u':
		case 'd':
		case TOOLS_OPT_SCANS:
			tools_iio_take(&o->iio, c, optarg, NULL);
			break;
		case 'o':
			o->out_rate = parse_double(optarg, "output-rate", 1e-3,
						   1e6);
			break;
		case OPT_PASS:
			o->filt.pass_hz = parse_double(optarg, "pass", 1e-6, 1e6);
			o->filter_set = 1;
			break;
		case OPT_STOP:
			o->filt.stop_hz = parse_double(optarg, "stop", 1e-6, 1e6);
			o->filter_set = 1;
			break;
		case OPT_ATTEN:
			o->filt.atten_db = parse_double(optarg, "atten", 20, 120);
			break;
		case OPT_THRESHOLD:
			o->plating.threshold = parse_double(optarg, "threshold",
							    -1, 1);
			break;
		case OPT_MARGIN:
			o->plating.margin = parse_double(optarg, "margin", 0, 1);
			break;
		case OPT_HYST:
			o->plating.hysteresis = parse_double(optarg,
							     "hysteresis", 0, 1);
			break;
		case OPT_HOLD:
			o->plating.hold_s = parse_double(optarg, "hold", 0, 1e6);
			break;
		case OPT_ALARM_PERIOD:
			o->alarm_period = parse_double(optarg, "alarm-period",
						       1e-3, 1e6);
			break;
		case OPT_DRIFT:
			if (!strcmp(optarg, "off"))
				o->drift_mode = DRIFT_OFF;
			else if (!strcmp(optarg, "hold"))
				o->drift_mode = DRIFT_HOLD;
			else if (!strcmp(optarg, "extrapolate"))
				o->drift_mode = DRIFT_EXTRAPOLATE;
			else
				die_usage("drift '%s': expected off, hold or "
					  "extrapolate", optarg);
			break;
		case OPT_REST_CURRENT:
			o->drift.rest_current = parse_double(optarg,
							     "rest-current",
							     1e-9, 1e6);
			o->drift_only = "rest-current";
			break;
		case OPT_REST_TIME:
			o->drift.rest_s = parse_double(optarg, "rest-time",
						       1e-3, 1e7);
			o->drift_only = "rest-time";
			break;
		case OPT_OCV:
			o->ocv_path = optarg;
			o->drift_only = "ocv";
			break;
		case OPT_CAPACITY:
			o->capacity_ah = parse_double(optarg, "capacity", 1e-9,
						      1e6);
			break;
		case OPT_REST_RATE:
			o->rest_rate = parse_double(optarg, "rest-rate", 1e-9,
						    10);
			o->drift_only = "rest-rate";
			break;
		case OPT_DRIFT_LIMIT:
			o->drift.rate_limit = parse_double(optarg,
							   "drift-limit",
							   1e-12, 1);
			o->drift_only = "drift-limit";
			break;
		case OPT_REF_POTENTIAL:
		case OPT_REFERENCE:
			set_reference(o, c == OPT_REFERENCE ? "reference" :
				      "ref-potential", optarg);
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
	if (o->iio.device[0] && (o->scan_only || o->input == IN_ECLAB))
		die_usage("-d %s: -f, -S, -r, -T and -i come from the device",
			  o->iio.device);
	o->drift.extrapolate = o->drift_mode == DRIFT_EXTRAPOLATE;
	check_drift(o);
	if (o->ir_step > 0.0 && o->ir != 2)
		die_usage("--ir-step is for --ir=auto");
	if (!o->relax && (o->relax_charge > 0.0 || o->relax_time != 3600.0 ||
			  o->strip[0] > 0.0))
		die_usage("--relax-charge, --relax-time and --strip-current "
			  "are for --relaxation=on");
	if (o->input == IN_RECORDS && o->scan_only)
		die_usage("--%s is for binary scans; records have their own "
			  "times and units", o->scan_only);
	if (o->input == IN_RECORDS && o->ref_option)
		die_usage("--%s: records carry potentials vs Li/Li+ already",
			  o->ref_option);
	if (o->input == IN_ECLAB && o->scan_only)
		die_usage("--%s is for binary scans; an EC-Lab export has its "
			  "own times and units", o->scan_only);
	if (!(o->filt.stop_hz > o->filt.pass_hz))
		die_usage("mains filter: need pass (%g Hz) < stop (%g Hz)",
			  o->filt.pass_hz, o->filt.stop_hz);
}

/* The user's open-circuit curves, or die naming the file and line. */
static struct cs_re_ocvtab *load_ocv(const char *path)
{
	size_t len;
	char *text = tools_read_file(path, "ocv", &len);
	unsigned long line = 0;
	const char *why = "?";
	struct cs_re_ocvtab *q = cs_re_ocvtab_create(text, &line, &why);

	if (!q && errno == EINVAL)
		die("%s:%lu: %s", path, line, why);
	if (!q)
		die_perror("%s", path);
	free(text);
	return q;
}

struct stats {
	unsigned long scans, records, alarms, saturated, gaps, missing;
	unsigned long repeated;	/* readings at or before the previous time */
	unsigned long jumps;	/* times more than MAX_GAP_NS ahead */
	unsigned long bad;	/* text lines refused */
	unsigned long step;	/* outputs whose filter spans a current step */
	unsigned long relax[3];	/* relaxation verdicts: none, plating, unsure */
};

static void emit(const struct options *o, int64_t t, const char *chan,
		 const char *quantity, double v, const char *unit,
		 const char *status, double u, struct stats *st)
{
	struct cs_record rec;
	char source[CS_RECORD_SOURCE_MAX];
	int ret;

	snprintf(source, sizeof(source), "%s/%s", o->source, chan);
	if (cs_record_set(&rec, t, source, quantity, v, unit, status, u))
		die("record for %s could not be formed", source);
	ret = cs_record_write(stdout, &rec);
	if (ret)
		die("stdout: %s", strerror(-ret));
	st->records++;
}

/* The alarm: time_ns is the onset, value how long it has lasted. */
static void emit_alarm(const struct options *o, enum cs_plating_level level,
		       int64_t onset, int64_t now, struct stats *st)
{
	emit(o, onset, "anode", "plating", (double)(now - onset) * 1e-9, "s",
	     cs_plating_level_name(level), NAN, st);
	st->alarms++;
}

/* The relaxation-after-charge indicators of the anode (near 0 V vs Li/Li+
 * when plated) and of the cell voltage. */
static struct cs_relax *relax_create(const struct options *o, double rate,
				     double corr, int anode)
{
	struct cs_relax_config c = {
		.charge_a = o->relax_charge > 0.0 ? o->relax_charge :
			    o->capacity_ah > 0.0 ? o->capacity_ah / 50.0 : 0.05,
		.charge_s = 30.0, .rest_fraction = 0.02,
		/* past the filter's blend of the step, and one reading */
		.skip_s = fmax(1.0, 1.5 / rate), .max_rest_s = o->relax_time,
		.corr_samples = corr, .floor_v = 5e-6, .z_plating = 6.0,
		.z_unsure = 3.0, .plateau_max = anode ? 0.05 : NAN,
		.min_bins = 8,
		.strip_a = anode ? o->strip[0] : 0.0,
		.strip_u = anode ? o->strip[1] : 0.0,
	};
	struct cs_relax *q;

	if (!o->relax)
		return NULL;
	if (c.max_rest_s <= c.skip_s)
		c.max_rest_s = 2.0 * c.skip_s;
	q = cs_relax_create(&c);
	if (!q)
		die_perror("relaxation indicator");
	return q;
}

/* Its verdict: time_ns the rest's start; value the plateau's end (s after
 * it) for plating, the longest plateau that could have gone unseen for
 * none, nan for unsure. */
static void emit_relax(const struct options *o, const char *chan,
		       const struct cs_relax_result *r, struct stats *st)
{
	double v = r->verdict == CS_RELAX_PLATING ? r->end_s :
		   r->verdict == CS_RELAX_NONE ? r->limit_s : NAN;

	emit(o, r->rest_ns, chan, "relaxation", v, "s",
	     cs_relax_verdict_name(r->verdict), r->end_u, st);
	st->relax[r->verdict]++;
	/* the stripped charge: the anode's (near 0 V vs Li/Li+, where the
	 * bound of the charge passed below 50 mV holds) */
	if (!strcmp(chan, "anode"))
		emit(o, r->rest_ns, chan, "stripped_charge",
		     r->stripped_ah * 1e3, "mAh",
		     cs_relax_strip_status_name(r->strip_status),
		     r->stripped_u * 1e3, st);
	if (r->verdict == CS_RELAX_PLATING && r->ongoing)
		warn("%s/%s: lithium plating indicated by the relaxation after "
		     "the charge (%.3g A) that stopped at %.3f s: a plateau at "
		     "%.4f V, steepening (%.1f sigma) but still going when the "
		     "rest ended %.0f s later", o->source, chan, r->charge_a,
		     (double)r->rest_ns * 1e-9, r->plateau_v, r->z, r->end_s);
	else if (r->verdict == CS_RELAX_PLATING)
		warn("%s/%s: lithium plating indicated by the relaxation after "
		     "the charge (%.3g A) that stopped at %.3f s: a plateau at "
		     "%.4f V ended %.0f s into the rest (steepening %.1f "
		     "sigma)", o->source, chan, r->charge_a,
		     (double)r->rest_ns * 1e-9, r->plateau_v, r->end_s, r->z);
	else if (o->verbose)
		warn("%s/%s: relaxation after the charge stopped at %.3f s "
		     "(%.0f s followed): %s, %s (z %.1f)", o->source, chan,
		     (double)r->rest_ns * 1e-9, r->rest_s,
		     cs_relax_verdict_name(r->verdict), r->why, r->z);
}

/* Sensor health at the end of each rest: the reference's drift (the
 * correction) and its rate since the previous rest, as records; a rate
 * beyond --drift-limit is flagged (status "drifting") and said on stderr. */
static void drift_health(const struct options *o, struct cs_re_drift *d,
			 int64_t t, struct stats *st)
{
	double u, rate = cs_re_drift_rate(d, &u);
	int over = fabs(rate) > o->drift.rate_limit;

	emit(o, t, "reference", "drift", cs_re_drift_offset(d), "V", "ok",
	     cs_re_drift_uncertainty(d, t), st);
	if (isnan(rate))
		return;
	emit(o, t, "reference", "drift_rate", rate, "V/s",
	     over ? "drifting" : "ok", u, st);
	if (over)
		warn("reference drifting at %.3g V/s (+- %.2g) between the "
		     "last two rests, beyond --drift-limit %.3g V/s: check the "
		     "reference electrode", rate, u, o->drift.rate_limit);
}

/* The electrodes with the ohmic drop of their series resistance taken
 * out (given, or the steps' estimate once there is one; without the
 * filter, at a low rate, estimated across a whole interval between
 * readings, status low_rate: the uncertainty leaves out what the cell
 * did in that interval). */
static void emit_ir_free(const struct options *o,
			 const struct cs_re_irstep *q, int ok, int64_t t,
			 const double *y, const double *u, struct stats *st)
{
	for (int e = 0; e < 2; e++) {
		int ch = e ? CS_RE_ANODE : CS_RE_CATHODE;
		double r = o->ir_r[e], ur = 0.0, i = y[CS_RE_CURRENT];
		/* a charge current raises the cathode, lowers the anode */
		double sign = e ? 1.0 : -1.0;

		if (q)
			r = cs_re_irstep_resistance(q, e, &ur);
		if (isnan(r) || isnan(y[ch]))
			continue;
		emit(o, t, cs_re_channel_name((unsigned int)ch),
		     "potential_ir_free", y[ch] + sign * i * r, "V",
		     ok ? "ok" : "low_rate",
		     hypot(u[ch], hypot(i * ur, r * u[CS_RE_CURRENT])), st);
	}
}

/* ---- input: binary scans or an EC-Lab export, told apart by the first
 * bytes (a scan's worth, so that binary scans lose nothing) ---- */

struct input {
	enum input_kind kind;
	FILE *in;
	const char *name;
	size_t frame, sbytes, tsoff;
	unsigned char *head;	/* the first bytes read */
	size_t hlen, hpos;
	double fmax;
	/* text */
	char *line;
	size_t cap;
	unsigned long lineno;
	struct cs_eclab *eclab;
	struct cs_re_records *records;
	int records_done;
	double res[CS_RE_NCH];	/* each channel's quantisation step */
	double charge;		/* the export's charge into the cell, Ah,
				 * at the last reading; NAN: none */
	struct cs_iiodev *dev;	/* -d, else NULL */
	char dev_name[512];
	unsigned long bad_times;	/* scans skipped: their time is none */
};

/* -d: format, scales (sysfs mV, mA per LSB), timestamp, rate and source
 * from the device, said on stderr; its four channels and timestamp
 * enabled. */
static struct cs_iiodev *from_device(struct options *o)
{
	struct cs_iiodev *d = tools_iio_open(o->iio.uri, o->iio.device);
	const char *label = cs_iiodev_label(d);
	const struct cs_iio_element *el, *ts;
	size_t nel, scan, step;
	double hz;

	tools_iio_enable(d, "voltage", 1);
	tools_iio_enable(d, "current", 1);
	o->timestamps = tools_iio_enable(d, "timestamp", 0) > 0;
	nel = cs_iiodev_elements(d, &el, &scan);
	ts = cs_iio_element_find(el, nel, "timestamp");
	step = el[0].fmt.storage / 8;
	if (nel != (size_t)CS_RE_NCH + (ts != NULL) ||
	    (ts && ts != &el[CS_RE_NCH]))
		die("%s: %zu scan elements; refmon reads cell, cathode, anode "
		    "and current, then a timestamp", label, nel);
	for (int ch = 0; ch < CS_RE_NCH; ch++)
		if (el[ch].repeat != 1 || el[ch].offset != ch * step ||
		    memcmp(&el[ch].fmt, &el[0].fmt, sizeof(el[0].fmt)))
			die("%s: its element %s is not one sample like the "
			    "first's right after it", label, el[ch].id);
	if (ts && ts->offset != (CS_RE_NCH * step + 7) / 8 * 8)
		die("%s: its timestamp is at byte %zu, not where refmon reads "
		    "it", label, ts->offset);
	o->fmt = el[0].fmt;
	for (int ch = 0; ch < CS_RE_NCH; ch++)
		o->scale[ch] = el[ch].scale / 1000.0;
	if (!cs_iiodev_attr_double(d, "sampling_frequency", &hz) && hz > 0)
		o->rate_hz = hz;
	if (!o->source_set) {
		if (strlen(label) >= sizeof(o->source) ||
		    strpbrk(label, "\t\n /"))
			die("%s: label unfit for a source: give -s", label);
		strcpy(o->source, label);
	}
	warn("%s on %s: %s:%c%u/%u>>%u %s %s %s %s, scales %g %g %g %g "
	     "(V, A per LSB)%s, %zu bytes a scan, %g scans/s", label,
	     cs_iiodev_uri(d), o->fmt.big_endian ? "be" : "le",
	     o->fmt.is_signed ? 's' : 'u', o->fmt.bits, o->fmt.storage,
	     o->fmt.shift, el[0].id, el[1].id, el[2].id, el[3].id,
	     o->scale[0], o->scale[1], o->scale[2], o->scale[3],
	     ts ? ", timestamp" : "", scan, o->rate_hz);
	return d;
}

/* Text, not samples: printable bytes, TABs and line ends only (a 24-bit
 * sample in 32 bits always has a 0x00 or 0xff byte). */
static int looks_like_text(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' &&
		     p[i] != '\r') || p[i] == 0x7f || p[i] == 0xff)
			return 0;
	return n > 0;
}

static void input_open(struct input *q, const struct options *o,
		       const char *path, struct cs_iiodev *dev)
{
	memset(q, 0, sizeof(*q));
	q->dev = dev;
	if (dev) {
		/* a copy: the FILE's close must not close the device's */
		int fd = dup(tools_iio_start(dev, o->iio.scans));

		snprintf(q->dev_name, sizeof(q->dev_name), "%s on %s",
			 cs_iiodev_label(dev), cs_iiodev_uri(dev));
		q->name = q->dev_name;
		q->in = fd < 0 ? NULL : fdopen(fd, "rb");
		if (!q->in)
			die_perror("%s", q->name);
	} else {
		q->in = tools_open_input(path, &q->name);
	}
	q->sbytes = CS_RE_NCH * cs_sample_format_bytes(&o->fmt);
	q->frame = cs_scan_bytes(q->sbytes, cs_sample_format_bytes(&o->fmt),
				 o->timestamps);
	q->tsoff = (q->sbytes + 7) / 8 * 8;
	q->fmax = cs_sample_format_max(&o->fmt);
	q->head = malloc(q->frame);
	if (!q->head)
		die_perror("malloc");
	q->hlen = fread(q->head, 1, q->frame, q->in);
	if (q->hlen < q->frame && ferror(q->in))
		die_perror("%s: read error at byte %zu", q->name, q->hlen);
	q->kind = dev ? IN_SCANS : o->input;
	if (q->kind == IN_AUTO) {
		q->kind = IN_SCANS;
		if (cs_re_records_detect(q->head, q->hlen))
			q->kind = IN_RECORDS;
		else if (cs_eclab_detect(q->head, q->hlen))
			q->kind = IN_ECLAB;
		else if (looks_like_text(q->head, q->hlen))
			q->kind = IN_ECLAB;	/* the header will say */
	}
	if (q->kind == IN_RECORDS) {
		if (o->scan_only)
			die_usage("%s is records: --%s is for binary scans",
				  q->name, o->scan_only);
		if (o->ref_option)
			die_usage("%s is records, whose potentials are vs "
				  "Li/Li+ already: --%s does not apply",
				  q->name, o->ref_option);
		q->records = cs_re_records_create();
		if (!q->records)
			die_perror("records reader");
		q->charge = NAN;
	} else if (q->kind == IN_ECLAB) {
		if (o->scan_only)
			die_usage("%s is an EC-Lab export: --%s is for binary "
				  "scans", q->name, o->scan_only);
		q->eclab = cs_eclab_create();
		if (!q->eclab)
			die_perror("EC-Lab reader");
	} else {
		for (int ch = 0; ch < CS_RE_NCH; ch++)
			q->res[ch] = o->scale[ch];
	}
}

static void input_close(struct input *q)
{
	cs_re_records_destroy(q->records);
	cs_eclab_destroy(q->eclab);
	free(q->line);
	free(q->head);
	if (q->in != stdin)
		fclose(q->in);
}

/* an EC-Lab row is a few hundred bytes: far longer is no export */
#define LINE_MAX_BYTES 65536u

/* The next line of text (the peeked bytes first), NUL-terminated in
 * q->line: its length, or -1 at the end. */
static long next_line(struct input *q)
{
	size_t n = 0;
	int c;

	for (;;) {
		if (q->hpos < q->hlen)
			c = q->head[q->hpos++];
		else if ((c = getc(q->in)) == EOF)
			break;
		if (n + 2 > q->cap) {
			char *p = realloc(q->line, q->cap ? 2 * q->cap : 256);

			if (!p)
				die_perror("malloc");
			q->line = p;
			q->cap = q->cap ? 2 * q->cap : 256;
		}
		q->line[n++] = (char)c;
		if (c == '\n')
			break;
		if (n >= LINE_MAX_BYTES)
			die("%s: line %lu is longer than %u bytes: not an "
			    "EC-Lab export", q->name, q->lineno + 1,
			    LINE_MAX_BYTES);
	}
	if (ferror(q->in))
		die_perror("%s: read error at line %lu", q->name,
			   q->lineno + 1);
	if (!n)
		return -1;
	q->line[n] = '\0';
	q->lineno++;
	return (long)n;
}

/* EC-Lab's columns as the cell's channels: Ewe is the working electrode
 * vs the reference, Ece the counter electrode; I > 0 is anodic at the
 * working electrode, which charges the cell when it is the cathode. */
static void eclab_channels(const struct input *q, int we_anode,
			   const double *row, double *v)
{
	double we = row[CS_ECLAB_EWE], ce = row[CS_ECLAB_ECE];
	double cell = row[CS_ECLAB_EWE_ECE], sign = we_anode ? -1.0 : 1.0;

	if (isnan(ce) && !isnan(cell))
		ce = we - cell;
	if (isnan(cell))
		cell = we - ce;
	v[CS_RE_CATHODE] = we_anode ? ce : we;
	v[CS_RE_ANODE] = we_anode ? we : ce;
	v[CS_RE_CELL] = sign * cell;
	v[CS_RE_CURRENT] = sign * row[CS_ECLAB_CURRENT];
	(void)q;
}

static void eclab_resolution(struct input *q, int we_anode)
{
	double we = cs_eclab_resolution(q->eclab, CS_ECLAB_EWE);
	double ce = cs_eclab_resolution(q->eclab, CS_ECLAB_ECE);
	double cell = cs_eclab_resolution(q->eclab, CS_ECLAB_EWE_ECE);

	if (!cs_eclab_has(q->eclab, CS_ECLAB_ECE))
		ce = we + cell;
	if (!cs_eclab_has(q->eclab, CS_ECLAB_EWE_ECE))
		cell = we + ce;
	q->res[CS_RE_CATHODE] = we_anode ? ce : we;
	q->res[CS_RE_ANODE] = we_anode ? we : ce;
	q->res[CS_RE_CELL] = cell;
	q->res[CS_RE_CURRENT] = cs_eclab_resolution(q->eclab, CS_ECLAB_CURRENT);
}

/* The next reading: 1, 0 at the end, -1 when the input ended inside a
 * scan (reported). Text lines that are not readings are reported with
 * their line number and counted; an unusable header is fatal. */
static int input_read(struct input *q, const struct options *o,
		      unsigned long index, int64_t *t, double *v, int *sat)
{
	if (q->kind == IN_SCANS) {
		double codes[CS_RE_NCH];
		size_t have = q->hlen - q->hpos;

		if (have < q->frame) {
			/* what was peeked, then the rest from the file */
			memmove(q->head, q->head + q->hpos, have);
			q->hpos = 0;
			q->hlen = have;
			have += fread(q->head + have, 1, q->frame - have,
				      q->in);
			if (have < q->frame && ferror(q->in))
				die_perror("%s: read error at byte %lu",
					   q->name, index * q->frame + have);
			if (!have)
				return 0;
			if (have < q->frame) {
				warn("%s: input ends inside scan %lu at byte "
				     "offset %lu (%zu of %zu bytes); 1 partial "
				     "scan skipped", q->name, index,
				     index * (unsigned long)q->frame, have,
				     q->frame);
				return -1;
			}
			q->hlen = have;
		}
		cs_sample_format_decode(&o->fmt, q->head + q->hpos, CS_RE_NCH,
					codes);
		*t = o->timestamps ?
			(int64_t)tools_get_le64(q->head + q->hpos + q->tsoff) :
			(int64_t)llround((double)index * 1e9 / o->rate_hz);
		q->hpos += q->frame;
		for (int ch = 0; ch < CS_RE_NCH; ch++) {
			if (fabs(codes[ch]) >= q->fmax)
				sat[ch] = 1;
			v[ch] = codes[ch] * o->scale[ch];
		}
		return 1;
	}
	while (q->kind == IN_RECORDS) {
		long len;
		int ret;

		if (q->records_done)
			return 0;
		len = next_line(q);
		if (len < 0) {
			q->records_done = 1;
			return cs_re_records_finish(q->records, t, v, sat);
		}
		ret = cs_re_records_line(q->records, q->line, t, v, sat);
		if (ret == 1) {
			/* ten significant digits: the records' quantisation */
			for (int ch = 0; ch < CS_RE_NCH; ch++)
				if (isfinite(v[ch]))
					q->res[ch] = fmax(q->res[ch],
							  fabs(v[ch]) * 1e-9);
			return 1;
		}
		if (ret == -EBADMSG)
			warn("%s:%lu: not a record (%s); line skipped", q->name,
			     q->lineno, cs_re_records_error(q->records));
	}
	for (;;) {
		double row[CS_ECLAB_NCOL];
		long len = next_line(q);
		int ret;

		if (len < 0)
			return 0;
		ret = cs_eclab_line(q->eclab, q->line, row);
		if (ret == 1) {
			*t = (int64_t)llround(row[CS_ECLAB_TIME] * 1e9);
			eclab_channels(q, o->we_anode, row, v);
			/* through the working electrode -> into the cell */
			q->charge = (o->we_anode ? -1.0 : 1.0) *
				    cs_eclab_charge(q->eclab, row);
			eclab_resolution(q, o->we_anode);
			return 1;
		}
		if (ret == -EINVAL) {
			if (o->input == IN_AUTO && q->lineno == 1)
				die("%s: text, not binary scans nor an EC-Lab "
				    "export (line 1: %s); refmon reads scans "
				    "as iio_readdev writes them, EC-Lab "
				    "exports or records", q->name,
				    cs_eclab_error(q->eclab));
			die("%s:%lu: %s", q->name, q->lineno,
			    cs_eclab_error(q->eclab));
		}
		if (ret == -EBADMSG)
			warn("%s:%lu: %s; line skipped", q->name, q->lineno,
			     cs_eclab_error(q->eclab));
	}
}

/* A channel's noise through the filter (or its quantisation where finer):
 * nan while not known. */
static double noise_only(const struct cs_re_noise *noise,
			 const struct input *in, unsigned int ch, double gain)
{
	double n = cs_re_noise_rms(noise, ch);

	return isnan(n) ? NAN : fmax(n, in->res[ch] / sqrt(12.0)) * gain;
}

/* The export's charge at the reading of time @t among the last ones kept;
 * NAN when none. */
static double ring_charge(const int64_t *rt, const double *rq, size_t n,
			  int64_t t)
{
	for (size_t k = 0; k < n; k++)
		if (rt[k] == t)
			return rq[k];
	return NAN;
}

/* The export's charge @qe and the current's integral @qi disagree beyond
 * 1 % of the charge and two of the column's last digits; the largest
 * difference kept in *@max. */
static int charge_differ(double qe, double qi, double res, double *max)
{
	double d = fabs(qe - qi);

	if (d > *max)
		*max = d;
	return d > 0.01 * fabs(qe) + 2.0 * (isnan(res) ? 0.0 : res);
}

/* A jump of the raw current from @prev to @now: more than 6 sigma of the
 * noise of a difference (and 4 quantisation steps). While the noise is
 * not known yet (its warm-up, when the records' uncertainty is nan too)
 * nothing counts as a jump. */
static int current_jump(const struct cs_re_noise *noise, double res,
			double prev, double now)
{
	double n = cs_re_noise_rms(noise, CS_RE_CURRENT);

	if (isnan(n) || isnan(prev) || isnan(now))
		return 0;
	return fabs(now - prev) > fmax(6.0 * M_SQRT2 * n,
				       isnan(res) ? 0.0 : 4.0 * res);
}

/*
 * The next reading (as input_read()) whose time is a time: a device
 * timestamp or an export's time outside 0..TIME_MAX_NS is a corrupt scan,
 * skipped and counted; differences of times that are (gaps, rates) then
 * cannot overflow.
 */
#define TIME_MAX_NS (INT64_C(1) << 62)	/* 146 years */
/* a step in time longer than this is the clock's, not readings lost */
#define MAX_GAP_NS (INT64_C(3600) * 1000000000)

static int input_next(struct input *q, const struct options *o,
		      unsigned long index, int64_t *t, double *v, int *sat)
{
	int got;

	while ((got = input_read(q, o, index, t, v, sat)) == 1 &&
	       (*t < 0 || *t > TIME_MAX_NS) && !tools_stop) {
		/* @index counts the readings taken, not those skipped */
		if (q->bad_times < 10)
			warn("%s: reading %lu: time %lld ns is no time (before "
			     "0 or past 2^62): skipped%s", q->name,
			     index + q->bad_times, (long long)*t,
			     q->bad_times == 9 ?
			     "; more are counted, not shown" : "");
		q->bad_times++;
	}
	return got;
}

/* The mains filter for @rate readings a second: NULL (a note on stderr)
 * when the rate is too low for anything at the mains to be told from the
 * signal, unless the user set the bands, which must then fit. */
static struct cs_re_filter *design_filter(struct options *o, double rate,
					  const char *name)
{
	struct cs_re_filter *f;

	o->filt.fs = rate;
	if (!(o->filt.stop_hz < rate / 2)) {
		if (o->filter_set)
			die_usage("mains filter: need stop (%g Hz) < rate/2 "
				  "(%g Hz)", o->filt.stop_hz, rate / 2);
		warn("%s: %.4g readings a second: mains filter off (its stop "
		     "band, %g Hz, is above half the rate)", name, rate,
		     o->filt.stop_hz);
		return NULL;
	}
	f = cs_re_filter_create(&o->filt);
	if (!f)
		die_perror("mains filter");
	return f;
}

/* The median of @n intervals. */
static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

#define RATE_PROBE 33	/* readings buffered to learn a file's rate */

int main(int argc, char **argv)
{
	static const char *const quantity[CS_RE_NCH] = {
		"voltage", "potential", "potential", "current",
	};
	static const char *const unit[CS_RE_NCH] = { "V", "V", "V", "A" };
	struct options o;
	struct stats st = { 0 };
	struct input in;
	struct cs_re_filter *filt = NULL;
	struct cs_re_drift *drift = NULL;
	struct cs_re_ocvtab *ocv = NULL;
	struct cs_re_noise *noise = NULL;
	struct cs_plating *plating;
	struct cs_re_irstep *irstep = NULL;
	struct cs_relax *relax_anode, *relax_cell;
	struct cs_relax_result rres;
	double probe_v[RATE_PROBE][CS_RE_NCH], rate, noise_gain = 1.0;
	double probe_q[RATE_PROBE];
	int64_t probe_t[RATE_PROBE], period_ns, last_t = 0, last_alarm = 0;
	int64_t next_out = INT64_MIN, delay_ns = 0, last_tr = INT64_MIN;
	double charge = 0.0, last_i = NAN, prev_q = NAN, raw_i = NAN;
	double *qring_q, q_exp0 = NAN, q_int0 = NAN, q_maxdiff = 0.0;
	int64_t *qring_t;
	size_t qring_n, qring_pos = 0;
	unsigned long q_compared = 0, q_differ = 0;
	unsigned long since_jump = ULONG_MAX;	/* raw readings since a jump
						 * of the current */
	double prev_e[CS_RE_NCH], prev_u[CS_RE_NCH];
	int nprobe = 0, iprobe = 0, sat[CS_RE_NCH] = { 0 };
	int status = EXIT_OK, started = 0, seen = 0, resting = 0;

	tools_set_progname(argv[0]);
	/* not read before the first record sets them (prev_q is NaN until
	 * then), but gcc -O3 cannot see it */
	for (int ch = 0; ch < CS_RE_NCH; ch++)
		prev_e[ch] = prev_u[ch] = NAN;
	parse_args(&o, argc, argv);
	tools_install_signals();

	input_open(&in, &o, o.run_input[0] ? o.run_input :
			    optind < argc ? argv[optind] : NULL,
		   o.iio.device[0] ? from_device(&o) : NULL);
	plating = cs_plating_create(&o.plating);
	if (!plating)
		die_perror("plating detector");
	/* the rate: the option's for scans, the readings' own (the median
	 * interval of the first ones) for an export */
	if (in.kind == IN_SCANS) {
		rate = o.rate_hz;
	} else {
		int got;

		while (nprobe < RATE_PROBE &&
		       (got = input_next(&in, &o, st.scans, &probe_t[nprobe],
					 probe_v[nprobe], sat)) == 1) {
			st.scans++;
			probe_q[nprobe] = in.charge;
			if (nprobe && probe_t[nprobe] <= probe_t[nprobe - 1]) {
				st.repeated++;
				continue;
			}
			nprobe++;
		}
		if (nprobe < 2) {
			rate = 1.0;
		} else {
			int64_t dt[RATE_PROBE];

			for (int i = 1; i < nprobe; i++)
				dt[i - 1] = probe_t[i] - probe_t[i - 1];
			qsort(dt, (size_t)nprobe - 1, sizeof(dt[0]), cmp_i64);
			rate = 1e9 / (double)dt[(nprobe - 1) / 2];
		}
		if (in.records)
			fprintf(stderr, "%s: %s: records of %s, %.4g readings "
				"a second%s\n", tools_progname(), in.name,
				cs_re_records_prefix(in.records)[0] ?
				cs_re_records_prefix(in.records) :
				"no cell (no PREFIX/cell voltage, cathode or "
				"anode potential, current)", rate,
				o.dvdq ? "; charge integrated from the "
				"current" : "");
		else
			fprintf(stderr, "%s: %s: EC-Lab export (%s), %.4g "
				"readings a second; working electrode the "
				"%s\n", tools_progname(), in.name,
				cs_eclab_decimal_comma(in.eclab) ?
				"decimal commas" : "decimal points", rate,
				o.we_anode ? "anode" : "cathode");
		if (in.records)
			;
		else if (o.dvdq && cs_eclab_charge_kind(in.eclab))
			fprintf(stderr, "%s: %s: charge from the export's "
				"%s, compared with the current's integral\n",
				tools_progname(), in.name,
				cs_eclab_charge_name(in.eclab));
		else if (o.dvdq)
			fprintf(stderr, "%s: %s: charge integrated from the "
				"current (the export has no charge column)\n",
				tools_progname(), in.name);
	}
	period_ns = (int64_t)llround(1e9 / rate);
	filt = design_filter(&o, rate, in.name);
	if (filt) {
		noise_gain = cs_re_filter_noise_gain(filt);
		delay_ns = (int64_t)cs_re_filter_delay(filt) * period_ns;
	}
	/* the export's charge at the filter's output times: the readings'
	 * (time, charge) of one filter length */
	qring_n = filt ? cs_re_filter_taps(filt) + 1 : 1;
	qring_t = calloc(qring_n, sizeof(*qring_t));
	qring_q = calloc(qring_n, sizeof(*qring_q));
	if (!qring_t || !qring_q)
		die_perror("malloc");
	for (size_t k = 0; k < qring_n; k++)
		qring_t[k] = INT64_MIN;
	if (o.drift_mode != DRIFT_OFF) {
		ocv = load_ocv(o.ocv_path);
		o.drift.ocv = ocv;
		o.drift.corr_samples = 1.0 / (noise_gain * noise_gain);
		drift = cs_re_drift_create(&o.drift);
		if (!drift)
			die_perror("drift correction");
	}
	if (o.ir == 2) {
		struct cs_re_irstep_config ic = {
			.min_step_a = o.ir_step > 0.0 ? o.ir_step :
				      o.capacity_ah > 0.0 ?
				      0.05 * o.capacity_ah : 0.05,
			/* the filter's smoothing over, one reading more */
			.settle_s = filt ? (double)cs_re_filter_taps(filt) /
					   rate : 0.0,
		};

		irstep = cs_re_irstep_create(&ic);
		if (!irstep)
			die_perror("iR steps");
	}
	relax_anode = relax_create(&o, rate, 1.0 / (noise_gain * noise_gain), 1);
	relax_cell = relax_create(&o, rate, 1.0 / (noise_gain * noise_gain), 0);
	if (fputs(cs_record_header(), stdout) < 0 || fputc('\n', stdout) < 0)
		die_perror("stdout");
	/* the raw noise over about 2 s, or 50 readings at a low rate */
	noise = cs_re_noise_create(2.0 * rate > 50.0 ? 2.0 * rate : 50.0);
	if (!noise)
		die_perror("noise estimate");

	while (!tools_stop) {
		struct cs_plating_event ev;
		double v[CS_RE_NCH], y[CS_RE_NCH], uy[CS_RE_NCH];
		int64_t t, tr;
		int got, step;

		if (iprobe < nprobe) {
			t = probe_t[iprobe];
			in.charge = probe_q[iprobe];
			memcpy(v, probe_v[iprobe++], sizeof(v));
		} else {
			got = input_next(&in, &o, st.scans, &t, v, sat);
			if (got <= 0) {
				if (got < 0)
					status = EXIT_BADINPUT;
				break;
			}
			st.scans++;
			/* a reading at or before the last: no time to put
			 * it at (EC-Lab repeats a time where a step ends) */
			if (seen && t <= last_t) {
				st.repeated++;
				continue;
			}
		}
		if (seen && t - last_t > MAX_GAP_NS) {
			/* the clock stepped (set, or a reset of the
			 * board): no readings to count as missing */
			st.jumps++;
			if (filt)
				cs_re_filter_reset(filt);
		} else if (seen && t - last_t > period_ns * 3 / 2) {
			/* readings missing (a CRC error, a pause): counted;
			 * after a long gap the filter starts again */
			st.gaps++;
			st.missing += (unsigned long)
				((t - last_t + period_ns / 2) / period_ns - 1);
			if (t - last_t > 4 * period_ns) {
				double none[CS_RE_NCH] = { NAN, NAN, NAN, NAN };

				if (filt)
					cs_re_filter_reset(filt);
				cs_re_noise_execute(noise, none);
			}
		}
		seen = 1;
		last_t = t;
		qring_t[qring_pos] = t;
		qring_q[qring_pos] = in.kind == IN_SCANS ? NAN : in.charge;
		qring_pos = (qring_pos + 1) % qring_n;
		cs_re_noise_execute(noise, v);
		if (current_jump(noise, in.res[CS_RE_CURRENT], raw_i,
				 v[CS_RE_CURRENT]))
			since_jump = 0;
		else if (since_jump < ULONG_MAX)
			since_jump++;
		raw_i = v[CS_RE_CURRENT];
		if (filt) {
			if (!cs_re_filter_execute_timed(filt, t, v, y, &tr))
				continue;
		} else {
			memcpy(y, v, sizeof(y));
			tr = t;
		}
		started = 1;
		/* vs the reference -> vs Li/Li+, whatever else is on */
		y[CS_RE_CATHODE] += o.ref_potential;
		y[CS_RE_ANODE] += o.ref_potential;
		if (drift) {
			int r = cs_re_drift_execute(drift, tr, y);

			if (resting && !r)
				drift_health(&o, drift, tr, &st);
			resting = r;
		}
		for (int ch = 0; ch < CS_RE_NCH; ch++) {
			/* the noise, or the quantisation where the noise
			 * is finer than the steps, through the filter; nan
			 * while the noise is not known yet */
			double n = cs_re_noise_rms(noise, ch);

			uy[ch] = isnan(n) ? NAN :
				 fmax(n, in.res[ch] / sqrt(12.0)) * noise_gain;
			if (ch == CS_RE_CATHODE || ch == CS_RE_ANODE) {
				/* the reference's stated offset
				 * uncertainty; corrected against a drift
				 * not yet seen: unknown (nan) */
				uy[ch] = hypot(uy[ch], o.ref_uncertainty);
				if (drift)
					uy[ch] = hypot(uy[ch],
						       cs_re_drift_uncertainty(
							       drift, tr));
			}
		}
		/* charge passed: the filtered current over the readings'
		 * times, trapezoids */
		if (last_tr != INT64_MIN && isfinite(last_i) &&
		    isfinite(y[CS_RE_CURRENT]))
			charge += 0.5 * (last_i + y[CS_RE_CURRENT]) *
				  (double)(tr - last_tr) * 1e-9 / 3600.0;
		last_tr = tr;
		last_i = y[CS_RE_CURRENT];
		if (irstep) {
			struct cs_re_irstep_result ir;

			if (cs_re_irstep_execute(irstep, tr, y, uy, &ir) == 1) {
				const char *why = filt ? "ok" : "low_rate";

				emit(&o, ir.onset_ns, "cathode", "resistance",
				     ir.r[0], "ohm", why, ir.u[0], &st);
				emit(&o, ir.onset_ns, "anode", "resistance",
				     ir.r[1], "ohm", why, ir.u[1], &st);
			}
		}
		/* the relaxation indicators take the noise alone: the
		 * reference's offset uncertainty does not change a shape */
		if (relax_anode &&
		    cs_relax_execute(relax_anode, tr, y[CS_RE_ANODE],
				     noise_only(noise, &in, CS_RE_ANODE,
						noise_gain),
				     y[CS_RE_CURRENT], &rres) == 1)
			emit_relax(&o, "anode", &rres, &st);
		if (relax_cell &&
		    cs_relax_execute(relax_cell, tr, y[CS_RE_CELL],
				     noise_only(noise, &in, CS_RE_CELL,
						noise_gain),
				     y[CS_RE_CURRENT], &rres) == 1)
			emit_relax(&o, "cell", &rres, &st);
		if (cs_plating_execute(plating, tr, y[CS_RE_ANODE], &ev) == 1) {
			emit_alarm(&o, ev.level, ev.onset_ns, tr, &st);
			last_alarm = tr;
		} else {
			int64_t onset;
			enum cs_plating_level lv =
				cs_plating_level(plating, &onset, NULL);

			if (lv != CS_PLATING_NONE &&
			    (double)(tr - last_alarm) >= o.alarm_period * 1e9) {
				emit_alarm(&o, lv, onset, tr, &st);
				last_alarm = tr;
			}
		}
		/* a record every 1/out_rate s from the first output on, by
		 * the readings' times (each reading at a lower rate) */
		if (next_out == INT64_MIN)
			next_out = tr + (int64_t)llround(1e9 / o.out_rate) -
				   period_ns / 2;
		if (tr < next_out)
			continue;
		next_out = tr + (int64_t)llround(1e9 / o.out_rate) -
			   period_ns / 2;
		/* the filter's window spans a step of the current: every
		 * channel is a blend of before and after, off by up to
		 * half the step's jump (the filter rings) */
		step = filt && since_jump < cs_re_filter_taps(filt) - 1;
		st.step += step ? 1 : 0;
		for (int ch = 0; ch < CS_RE_NCH; ch++) {
			if (isnan(y[ch]))
				continue;	/* a column the file lacks */
			emit(&o, tr, cs_re_channel_name(ch), quantity[ch],
			     y[ch], unit[ch], sat[ch] ? "saturated" :
			     step ? "step" : "ok", uy[ch], &st);
			st.saturated += sat[ch] ? 1 : 0;
			sat[ch] = 0;
		}
		if (o.dvdq) {
			double qe = ring_charge(qring_t, qring_q, qring_n, tr),
			       q = charge;

			if (!isnan(qe)) {
				/* both from the first record on */
				if (isnan(q_exp0)) {
					q_exp0 = qe;
					q_int0 = charge;
				}
				q = qe - q_exp0;
				q_compared++;
				if (charge_differ(q, charge - q_int0,
						  cs_eclab_resolution(
							  in.eclab,
							  CS_ECLAB_CHARGE),
						  &q_maxdiff))
					q_differ++;
			}
			emit(&o, tr, "cell", "charge", q, "Ah", "ok", NAN,
			     &st);
			for (int ch = CS_RE_CATHODE; ch <= CS_RE_ANODE; ch++) {
				double dq = q - prev_q;

				/* between this record and the last, where
				 * charge passed */
				if (fabs(dq) > 0.0 && isfinite(y[ch]))
					emit(&o, tr, cs_re_channel_name(
						     (unsigned int)ch), "dvdq",
					     (y[ch] - prev_e[ch]) / dq, "V/Ah",
					     "ok", hypot(uy[ch], prev_u[ch]) /
						   fabs(dq), &st);
				prev_e[ch] = y[ch];
				prev_u[ch] = uy[ch];
			}
			prev_q = q;
		}
		if (o.ir)
			emit_ir_free(&o, irstep, !irstep || filt, tr, y, uy,
				     &st);
		if (fflush(stdout))
			die_perror("stdout");
	}
	if (drift && resting)
		drift_health(&o, drift, last_t, &st);
	if (relax_anode && cs_relax_finish(relax_anode, &rres))
		emit_relax(&o, "anode", &rres, &st);
	if (relax_cell && cs_relax_finish(relax_cell, &rres))
		emit_relax(&o, "cell", &rres, &st);
	if (fflush(stdout))
		die_perror("stdout");
	if (in.eclab && cs_eclab_bad(in.eclab)) {
		st.bad = cs_eclab_bad(in.eclab);
		status = EXIT_BADINPUT;
	}
	if (in.records && cs_re_records_bad(in.records)) {
		st.bad = cs_re_records_bad(in.records);
		status = EXIT_BADINPUT;
	}
	if (in.records && cs_re_records_ignored(in.records))
		fprintf(stderr, "%s: %s: %lu records passed over (other cells' "
			"or quantities, or without a value)\n",
			tools_progname(), in.name,
			cs_re_records_ignored(in.records));
	if (in.bad_times)
		status = EXIT_BADINPUT;
	if (o.verbose || st.gaps || st.repeated || st.jumps || status ||
	    !started) {
		char dr[128] = "drift off", fl[64] = "filter off";

		if (drift)
			snprintf(dr, sizeof(dr), "drift %.6f V from %lu rests "
				 "(%lu rest samples outside the curves)",
				 cs_re_drift_offset(drift),
				 cs_re_drift_rests(drift),
				 cs_re_drift_outside(drift));
		if (filt)
			snprintf(fl, sizeof(fl), "filter %u taps (%.3f s "
				 "delay)", cs_re_filter_taps(filt),
				 (double)delay_ns * 1e-9);
		fprintf(stderr, "%s: %s: %lu %s, %lu records, %lu alarm "
			"records, %lu saturated, %lu gaps (%lu scans missing), "
			"%lu repeated times, %lu bad lines, %lu bad times, "
			"%lu clock steps, %lu outputs across a current step, "
			"relaxations after a charge: %lu none, %lu plating, "
			"%lu unsure, %s, %s\n",
			tools_progname(), in.name, st.scans,
			in.kind == IN_SCANS ? "scans" : "readings", st.records,
			st.alarms, st.saturated, st.gaps, st.missing,
			st.repeated, st.bad, in.bad_times, st.jumps, st.step,
			st.relax[CS_RELAX_NONE], st.relax[CS_RELAX_PLATING],
			st.relax[CS_RELAX_UNSURE], fl, dr);
	}
	if (q_compared)
		fprintf(stderr, "%s: %s: charge from the export's %s: %lu of "
			"%lu records differ from the current's integral by "
			"more than 1 %% + 2 digits (largest %.3g Ah)%s\n",
			tools_progname(), in.name,
			cs_eclab_charge_name(in.eclab), q_differ, q_compared,
			q_maxdiff, cs_eclab_charge_restarts(in.eclab) ?
			", across half-cycle restarts" : "");
	free(qring_t);
	free(qring_q);
	if (irstep) {
		double uc, ua, rc = cs_re_irstep_resistance(irstep, 0, &uc);
		double ra = cs_re_irstep_resistance(irstep, 1, &ua);

		fprintf(stderr, "%s: %s: iR from %lu current steps: cathode "
			"%.4g +- %.2g ohm, anode %.4g +- %.2g ohm\n",
			tools_progname(), in.name, cs_re_irstep_steps(irstep),
			rc, uc, ra, ua);
	}
	cs_re_irstep_destroy(irstep);
	cs_relax_destroy(relax_anode);
	cs_relax_destroy(relax_cell);
	cs_plating_destroy(plating);
	cs_re_noise_destroy(noise);
	cs_re_drift_destroy(drift);
	cs_re_ocvtab_destroy(ocv);
	cs_re_filter_destroy(filt);
	if (in.dev && tools_iio_end(in.dev)) {
		/* the device failed mid-stream: said, with its scan count */
		warn("%s: %lu scans read before that", in.name, st.scans);
		status = EXIT_FAIL;
	}
	input_close(&in);
	return status;
}
