// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * refmon: raw scans of the reference-electrode front-end (what iio_readdev
 * writes for cellsense_re: cell voltage, cathode and anode vs reference,
 * current) in; cell voltage, electrode potentials vs Li/Li+, current and
 * lithium-plating alarms out, as records.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"
#include "tools-common.h"

/* The driver's defaults at PGA gain 1 (mV or mA per LSB, as in sysfs):
 * 1.2 V full scale over 2^23, dividers 4, 4 and 2, shunt 1 mOhm. */
#define DEF_SCALES "0.000572205,0.000572205,0.000286102,0.143051147"

enum drift_mode { DRIFT_OFF, DRIFT_HOLD, DRIFT_EXTRAPOLATE };

struct options {
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
	double ref_potential;	/* the reference vs Li/Li+, V */
	double ref_uncertainty;
	const char *ref_option;	/* the option that set it, or NULL */
	int verbose;
};

static const char usage_text[] =
"Usage: refmon [OPTIONS] [FILE]\n"
"Turn raw scans of the reference-electrode front-end into records: cell\n"
"voltage, cathode and anode potentials vs Li/Li+, current, and lithium-\n"
"plating alarms (see cellsense-records(5)). Reads FILE, or standard input\n"
"when FILE is absent or '-', in the layout iio_readdev writes for the\n"
"channels voltage0 voltage1 voltage2 current3 [timestamp].\n"
"\n"
"Options:\n"
"  -f, --format=FMT         sample format, libiio notation\n"
"                           (default le:s24/32>>0)\n"
"  -S, --scale=C,K,A,I      per-LSB scales as the driver's in_*_scale show\n"
"                           them: mV for cell, cathode, anode, mA for the\n"
"                           current (default: the driver's at gain 1)\n"
"  -r, --rate=HZ            samples per second (default 1000)\n"
"  -T, --timestamps         each scan ends with the IIO timestamp (ns)\n"
"  -s, --source=NAME        source prefix of the records (default re0)\n"
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
"      --reference=TYPE[:U] the reference electrode: li (0 V vs Li/Li+),\n"
"                           li-au (0.31 +- 0.01 V), lto (1.55 +- 0.02 V),\n"
"                           lfp (3.42 +- 0.02 V) or a number of volts;\n"
"                           U its standard uncertainty (default li)\n"
"      --ref-potential=V    the same as --reference=V\n"
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
	OPT_REST_RATE, OPT_DRIFT_LIMIT,
};

static const struct option longopts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "scale", required_argument, NULL, 'S' },
	{ "rate", required_argument, NULL, 'r' },
	{ "timestamps", no_argument, NULL, 'T' },
	{ "source", required_argument, NULL, 's' },
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
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const char shortopts[] = "f:S:r:Ts:o:vhV";

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

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (cs_sample_format_parse(optarg, &o->fmt, &pos))
				die_usage("format '%s': not understood at "
					  "character %zu (expected e.g. "
					  "le:s24/32>>0)", optarg, pos + 1);
			break;
		case 'S':
			set_scales(o, optarg);
			break;
		case 'r':
			o->rate_hz = parse_double(optarg, "rate", 1.0, 1e6);
			break;
		case 'T':
			o->timestamps = 1;
			break;
		case 's':
			if (!optarg[0] || strlen(optarg) >= sizeof(o->source) ||
			    strpbrk(optarg, "\t\n /"))
				die_usage("source '%s': empty, too long or has "
					  "a blank or '/'", optarg);
			strcpy(o->source, optarg);
			break;
		case 'o':
			o->out_rate = parse_double(optarg, "output-rate", 1e-3,
						   1e6);
			break;
		case OPT_PASS:
			o->filt.pass_hz = parse_double(optarg, "pass", 1e-3, 1e6);
			break;
		case OPT_STOP:
			o->filt.stop_hz = parse_double(optarg, "stop", 1e-3, 1e6);
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
	o->drift.extrapolate = o->drift_mode == DRIFT_EXTRAPOLATE;
	check_drift(o);
	o->filt.fs = o->rate_hz;
	if (!(o->filt.stop_hz > o->filt.pass_hz) ||
	    !(o->filt.stop_hz < o->rate_hz / 2))
		die_usage("mains filter: need pass (%g Hz) < stop (%g Hz) < "
			  "rate/2 (%g Hz)", o->filt.pass_hz, o->filt.stop_hz,
			  o->rate_hz / 2);
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

int main(int argc, char **argv)
{
	static const char *const quantity[CS_RE_NCH] = {
		"voltage", "potential", "potential", "current",
	};
	static const char *const unit[CS_RE_NCH] = { "V", "V", "V", "A" };
	struct options o;
	struct stats st = { 0 };
	struct cs_re_filter *filt;
	struct cs_re_drift *drift = NULL;
	struct cs_re_ocvtab *ocv = NULL;
	struct cs_re_noise *noise;
	struct cs_plating *plating;
	const char *name;
	FILE *in;
	size_t sbytes, frame, tsoff;
	int got;
	unsigned char *raw;
	double v[CS_RE_NCH], y[CS_RE_NCH], fmax, noise_gain;
	int64_t delay_ns, period_ns, last_t = 0, last_alarm = 0;
	unsigned long every, since_out = 0;
	int sat[CS_RE_NCH] = { 0 }, status = EXIT_OK;

	tools_set_progname(argv[0]);
	parse_args(&o, argc, argv);
	tools_install_signals();

	in = tools_open_input(optind < argc ? argv[optind] : NULL, &name);
	filt = cs_re_filter_create(&o.filt);
	if (!filt)
		die_perror("mains filter");
	if (o.drift_mode != DRIFT_OFF) {
		ocv = load_ocv(o.ocv_path);
		o.drift.ocv = ocv;
		o.drift.corr_samples = 1.0 / pow(cs_re_filter_noise_gain(filt),
						 2);
		drift = cs_re_drift_create(&o.drift);
		if (!drift)
			die_perror("drift correction");
	}
	plating = cs_plating_create(&o.plating);
	if (!plating)
		die_perror("plating detector");
	/* the raw noise over about 2 s, through the filter's noise gain */
	noise = cs_re_noise_create(2.0 * o.rate_hz > 10.0 ? 2.0 * o.rate_hz : 10.0);
	if (!noise)
		die_perror("noise estimate");
	noise_gain = cs_re_filter_noise_gain(filt);
	period_ns = (int64_t)llround(1e9 / o.rate_hz);
	delay_ns = (int64_t)cs_re_filter_delay(filt) * period_ns;
	every = (unsigned long)llround(o.rate_hz / o.out_rate);
	if (every < 1)
		every = 1;
	sbytes = CS_RE_NCH * cs_sample_format_bytes(&o.fmt);
	frame = cs_scan_bytes(sbytes, cs_sample_format_bytes(&o.fmt),
			      o.timestamps);
	tsoff = (sbytes + 7) / 8 * 8;
	fmax = cs_sample_format_max(&o.fmt);
	raw = malloc(frame);
	if (!raw)
		die_perror("malloc");

	if (fputs(cs_record_header(), stdout) < 0 || fputc('\n', stdout) < 0)
		die_perror("stdout");
	while (!tools_stop) {
		struct cs_plating_event ev;
		double codes[CS_RE_NCH];
		int64_t t, tr;

		got = tools_read_frame(in, name, "scan", st.scans, raw, frame);
		if (got <= 0) {
			if (got < 0)
				status = EXIT_BADINPUT;
			break;
		}
		if (o.timestamps) {
			t = (int64_t)tools_get_le64(raw + tsoff);
			/* samples the driver dropped (CRC errors, overruns)
			 * show as gaps; counted, reported */
			if (st.scans && t - last_t > period_ns * 3 / 2) {
				st.gaps++;
				st.missing += (unsigned long)
					((t - last_t + period_ns / 2) /
					 period_ns - 1);
			}
		} else {
			t = (int64_t)st.scans * period_ns;
		}
		last_t = t;
		cs_sample_format_decode(&o.fmt, raw, CS_RE_NCH, codes);
		for (int ch = 0; ch < CS_RE_NCH; ch++) {
			if (fabs(codes[ch]) >= fmax)
				sat[ch] = 1;
			v[ch] = codes[ch] * o.scale[ch];
		}
		st.scans++;
		cs_re_noise_execute(noise, v);
		if (!cs_re_filter_execute(filt, v, y))
			continue;
		/* the filter's output stands for the input delay_ns ago */
		tr = t - delay_ns;
		/* vs the reference -> vs Li/Li+, whatever else is on */
		y[CS_RE_CATHODE] += o.ref_potential;
		y[CS_RE_ANODE] += o.ref_potential;
		if (drift)
			cs_re_drift_execute(drift, tr, y);
		if (cs_plating_execute(plating, tr, y[CS_RE_ANODE], &ev) == 1) {
			if (ev.level != CS_PLATING_NONE)
				emit_alarm(&o, ev.level, ev.onset_ns, tr, &st);
			else
				emit_alarm(&o, CS_PLATING_NONE, ev.onset_ns,
					   tr, &st);
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
		if (++since_out >= every) {
			since_out = 0;
			for (int ch = 0; ch < CS_RE_NCH; ch++) {
				double u = cs_re_noise_rms(noise, ch) *
					   noise_gain;

				/* the reference's stated offset uncertainty */
				if (ch == CS_RE_CATHODE || ch == CS_RE_ANODE)
					u = hypot(u, o.ref_uncertainty);

				/* corrected against a drift not yet seen:
				 * of unknown uncertainty (nan) */
				if (drift && (ch == CS_RE_CATHODE ||
					      ch == CS_RE_ANODE))
					u = hypot(u, cs_re_drift_uncertainty(
							     drift, tr));
				emit(&o, tr, cs_re_channel_name(ch),
				     quantity[ch], y[ch], unit[ch],
				     sat[ch] ? "saturated" : "ok", u, &st);
				st.saturated += sat[ch] ? 1 : 0;
				sat[ch] = 0;
			}
			if (fflush(stdout))
				die_perror("stdout");
		}
	}
	if (fflush(stdout))
		die_perror("stdout");
	if (o.verbose || st.gaps || status) {
		char dr[128] = "drift off";

		if (drift)
			snprintf(dr, sizeof(dr), "drift %.6f V from %lu rests "
				 "(%lu rest samples outside the curves)",
				 cs_re_drift_offset(drift),
				 cs_re_drift_rests(drift),
				 cs_re_drift_outside(drift));
		fprintf(stderr, "%s: %s: %lu scans, %lu records, %lu alarm "
			"records, %lu saturated, %lu gaps (%lu scans missing), "
			"filter %u taps (%.3f s delay), %s\n", tools_progname(),
			name, st.scans, st.records, st.alarms, st.saturated,
			st.gaps, st.missing, cs_re_filter_taps(filt),
			(double)delay_ns * 1e-9, dr);
	}
	cs_plating_destroy(plating);
	cs_re_noise_destroy(noise);
	cs_re_drift_destroy(drift);
	cs_re_ocvtab_destroy(ocv);
	cs_re_filter_destroy(filt);
	free(raw);
	if (in != stdin)
		fclose(in);
	return status;
}
