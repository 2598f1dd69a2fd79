// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * canactuate: the loop back. BMS commands (CS_ActuatorCmd) drive actuator
 * GPIO lines through libgpiod, with a safety timeout and an acknowledgment
 * (CS_ActuatorAck); local rules over measurement records do the same on
 * rigs with no BMS logic.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <gpiod.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cellsense-can.h"
#include "tools-common.h"

static const char usage[] =
"Usage: canactuate [OPTIONS] IFACE\n"
"Drive actuator GPIO lines on CS_ActuatorCmd frames from the BMS on the\n"
"SocketCAN interface IFACE, acknowledge each with CS_ActuatorAck, and\n"
"release a line after the safety timeout; with --rule, also act on\n"
"measurement records read from standard input (passed on to standard\n"
"output unchanged).\n"
"\n"
"Options:\n"
"  -d, --dbc=FILE          DBC database (default: cellsense.dbc in the\n"
"                          data directory)\n"
"  -a, --actuator=N=LINE   actuator N (0..254) is the GPIO line LINE: a line\n"
"                          name, or CHIP:OFFSET (default: the line named\n"
"                          actuatorN)\n"
"  -t, --safety-timeout=MS release a line this long after it was switched\n"
"                          on (default 10000, 1..3600000); pulses are cut\n"
"                          to it\n"
"  -r, --rule=RULE         a local rule (see canactuate(1)), repeatable:\n"
"                          COND [for TIME] -> ACTION[, ACTION...]\n"
"  -v, --verbose           report every command and rule firing\n"
"  -h, --help              show this help and exit\n"
"  -V, --version           show the version and exit\n"
"\n"
"Exit status: 0 on end of input (rules) or a signal; 1 could not start or\n"
"the bus failed; 2 usage error; 3 records or frames were skipped.\n";

static const struct option longopts[] = {
	{ "dbc", required_argument, NULL, 'd' },
	{ "actuator", required_argument, NULL, 'a' },
	{ "safety-timeout", required_argument, NULL, 't' },
	{ "rule", required_argument, NULL, 'r' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

#define MAX_ACTUATORS 16
#define MAX_RULES 16
#define MAX_ACTIONS 4
#define MAX_SETS 8

enum { ACT_OFF = 0, ACT_ON = 1, ACT_PULSE = 2, ACT_SEND = 3 };
enum { RES_DONE = 0, RES_RELEASED, RES_UNKNOWN, RES_REFUSED, RES_GPIO };

struct actuator {
	int id;
	char line[64];
	int level;
	int64_t release_at;	/* 0: nothing scheduled */
	int action;		/* what the release ends */
	int seq;
};

struct action {
	int kind;
	int actuator;
	int64_t pulse_ns;
	const struct cs_dbc_message *msg;
	size_t nsets;
	const struct cs_dbc_signal *sig[MAX_SETS];
	double val[MAX_SETS];
};

struct rule {
	char text[256];
	int is_status;
	char quantity[CS_RECORD_QUANTITY_MAX];
	char source[CS_RECORD_SOURCE_MAX];
	char op[3];
	double value;
	char word[CS_RECORD_STATUS_MAX];
	int64_t hold_ns;
	size_t nactions;
	struct action actions[MAX_ACTIONS];
	int64_t since;		/* condition true since (record time), -1 */
	int fired;
	unsigned long count;
};

static struct actuator acts[MAX_ACTUATORS];
static size_t nacts;
static struct rule rules[MAX_RULES];
static size_t nrules;
static int64_t safety_ns = 10000000000ll;
static int verbose;
static const char *iface;
static struct cs_dbc *dbc;
static int canfd = -1;
static unsigned long skipped, gpio_errors;

static struct actuator *actuator(int id, int create)
{
	size_t i;

	for (i = 0; i < nacts; i++)
		if (acts[i].id == id)
			return &acts[i];
	if (!create || nacts == MAX_ACTUATORS)
		return NULL;
	acts[nacts].id = id;
	snprintf(acts[nacts].line, sizeof(acts[nacts].line), "actuator%d",
		 id);
	return &acts[nacts++];
}

/* Drive a line: request it, set it, read it back, release it (the chip
 * keeps the level, so other tools can read it back). 0 or -errno. */
static int drive(struct actuator *a, int value)
{
	struct gpiod_chip *chip = NULL;
	struct gpiod_line *line;
	const char *colon = strchr(a->line, ':');
	int ret = 0;

	if (colon) {
		char name[64];
		char *end;
		long off;

		snprintf(name, sizeof(name), "%.*s", (int)(colon - a->line),
			 a->line);
		errno = 0;
		off = strtol(colon + 1, &end, 10);
		if (*end || errno || off < 0)
			return -EINVAL;
		chip = gpiod_chip_open_lookup(name);
		if (!chip)
			return -errno;
		line = gpiod_chip_get_line(chip, (unsigned int)off);
	} else {
		line = gpiod_line_find(a->line);
		if (line)
			chip = gpiod_line_get_chip(line);
	}
	if (!line) {
		ret = errno ? -errno : -ENOENT;
		goto out;
	}
	if (gpiod_line_request_output(line, "canactuate", value) < 0) {
		ret = -errno;
		goto out;
	}
	ret = gpiod_line_get_value(line);
	a->level = ret < 0 ? value : ret;
	ret = ret < 0 ? -errno : 0;
	gpiod_line_release(line);
out:
	if (chip)
		gpiod_chip_close(chip);
	return ret;
}

static void send_frame(const struct cs_dbc_message *msg, size_t n,
		       const struct cs_dbc_signal *const *sig,
		       const double *val)
{
	struct cs_can_frame f;
	size_t i;
	int ret;

	if (canfd < 0 || !msg)
		return;
	memset(&f, 0, sizeof(f));
	f.id = msg->id;
	f.extended = msg->extended;
	f.len = (uint8_t)msg->dlc;
	if (f.len > 8)
		f.flags = CS_CAN_FLAG_FD;
	for (i = 0; i < n; i++)
		cs_dbc_signal_encode(sig[i], f.data, f.len, val[i]);
	ret = cs_can_send(canfd, &f);
	if (ret)
		warn("%s: cannot send %s: %s", iface, msg->name,
		     strerror(-ret));
}

static void ack(const struct actuator *a, int id, int action, int result,
		int seq)
{
	const struct cs_dbc_message *m =
		cs_dbc_message_by_name(dbc, "CS_ActuatorAck");
	const struct cs_dbc_signal *s[5];
	double v[5] = { id, action, result, seq, a ? a->level : 0 };
	static const char *const names[] = { "Actuator", "Action", "Result",
					     "Sequence", "Level" };

	if (!m)
		return;
	for (size_t i = 0; i < 5; i++) {
		s[i] = cs_dbc_signal_by_name(m, names[i]);
		if (!s[i])
			return;
	}
	send_frame(m, 5, s, v);
}

/* Carry out one action on actuator @id: the result code. */
static int actuate(int id, int action, int64_t pulse_ns, int seq,
		   const char *why)
{
	struct actuator *a = actuator(id, 0);
	int64_t now = tools_clock_ns(CLOCK_MONOTONIC);
	int ret;

	if (!a)
		return RES_UNKNOWN;
	if (action < ACT_OFF || action > ACT_PULSE)
		return RES_REFUSED;
	ret = drive(a, action != ACT_OFF);
	if (ret) {
		gpio_errors++;
		warn("actuator%d (%s): %s", id, a->line, strerror(-ret));
		return RES_GPIO;
	}
	a->seq = seq;
	a->action = action;
	a->release_at = 0;
	if (action == ACT_ON)
		a->release_at = now + safety_ns;
	if (action == ACT_PULSE)
		a->release_at = now + (pulse_ns < safety_ns ? pulse_ns :
				       safety_ns);
	if (verbose)
		warn("actuator%d (%s) %s%s (%s)", id, a->line,
		     action == ACT_OFF ? "off" : action == ACT_ON ? "on" :
		     "pulse", action == ACT_PULSE ? "" : "", why);
	return RES_DONE;
}

static void release_due(int64_t now)
{
	size_t i;

	for (i = 0; i < nacts; i++) {
		struct actuator *a = &acts[i];
		int ret;

		if (!a->release_at || now < a->release_at)
			continue;
		a->release_at = 0;
		ret = drive(a, 0);
		if (ret) {
			gpio_errors++;
			warn("actuator%d (%s): cannot release: %s", a->id,
			     a->line, strerror(-ret));
		}
		warn("actuator%d (%s) released (%s)", a->id, a->line,
		     a->action == ACT_PULSE ? "end of pulse" :
		     "safety timeout");
		ack(a, a->id, a->action, ret ? RES_GPIO : RES_RELEASED,
		    a->seq);
	}
}

static int64_t next_release(void)
{
	int64_t t = INT64_MAX;
	size_t i;

	for (i = 0; i < nacts; i++)
		if (acts[i].release_at && acts[i].release_at < t)
			t = acts[i].release_at;
	return t;
}

static void command(const struct cs_can_frame *f)
{
	const struct cs_dbc_message *m =
		cs_dbc_message_by_name(dbc, "CS_ActuatorCmd");
	const struct cs_dbc_signal *sa, *sc, *ss, *sp;
	double id, action, seq, pulse;
	int res;

	if (!m || f->id != m->id || f->extended != m->extended ||
	    (f->flags & (CS_CAN_FLAG_ERR | CS_CAN_FLAG_RTR)))
		return;
	sa = cs_dbc_signal_by_name(m, "Actuator");
	sc = cs_dbc_signal_by_name(m, "Action");
	ss = cs_dbc_signal_by_name(m, "Sequence");
	sp = cs_dbc_signal_by_name(m, "PulseTime");
	if (!sa || !sc || !ss || !sp ||
	    cs_dbc_signal_decode(sa, f->data, f->len, &id) ||
	    cs_dbc_signal_decode(sc, f->data, f->len, &action) ||
	    cs_dbc_signal_decode(ss, f->data, f->len, &seq) ||
	    cs_dbc_signal_decode(sp, f->data, f->len, &pulse)) {
		skipped++;
		warn("%s: CS_ActuatorCmd of %u bytes cannot be read (skipped)",
		     iface, f->len);
		return;
	}
	res = actuate((int)id, (int)action, (int64_t)llround(pulse * 1e9),
		      (int)seq, "BMS command");
	if (res != RES_DONE)
		warn("%s: CS_ActuatorCmd actuator %d action %d: %s", iface,
		     (int)id, (int)action, res == RES_UNKNOWN ?
		     "no such actuator" : res == RES_REFUSED ?
		     "no such action" : "GPIO error");
	ack(actuator((int)id, 0), (int)id, (int)action, res, (int)seq);
}

/* ---------------------------------------------------------------------
 * Rules: COND [for TIME] -> ACTION[, ACTION...]
 *   COND   FIELD(SOURCE) OP VALUE; FIELD is "status" (OP = == !=, VALUE a
 *          word) or a quantity (OP < <= > >= == != =, VALUE a number)
 *   TIME   NUMBER followed by ms or s
 *   ACTION on|off actuatorN | pulse actuatorN TIME |
 *          send MESSAGE [SIGNAL=NUMBER ...]
 */
static int parse_time(const char *s, int64_t *ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !(v >= 0) || v > 3600 * 1000.0)
		return -1;
	if (!strcmp(end, "ms"))
		*ns = (int64_t)llround(v * 1e6);
	else if (!strcmp(end, "s"))
		*ns = (int64_t)llround(v * 1e9);
	else
		return -1;
	return 0;
}

static int parse_actuator(const char *s)
{
	char *end;
	long v;

	if (strncmp(s, "actuator", 8))
		return -1;
	errno = 0;
	v = strtol(s + 8, &end, 10);
	if (end == s + 8 || *end || errno || v < 0 || v > 254)
		return -1;
	return (int)v;
}

static void rule_error(const char *text, const char *at, const char *why)
{
	die_usage("rule '%s': column %d: %s", text, (int)(at - text) + 1, why);
}

/* Next blank-separated word of @p (advanced); NULL at the end. */
static char *word(char **p)
{
	char *w;

	while (**p == ' ' || **p == '\t')
		(*p)++;
	if (!**p)
		return NULL;
	w = *p;
	while (**p && **p != ' ' && **p != '\t')
		(*p)++;
	if (**p)
		*(*p)++ = '\0';
	return w;
}

static void parse_rule(const char *text)
{
	struct rule *r;
	char buf[256], *arrow, *p, *open, *close, *cond, *acts_text;
	char *w;

	if (nrules == MAX_RULES)
		die_usage("more than %d rules", MAX_RULES);
	if (strlen(text) >= sizeof(buf))
		die_usage("rule '%s' is longer than %zu bytes", text,
			  sizeof(buf) - 1);
	r = &rules[nrules];
	memset(r, 0, sizeof(*r));
	strcpy(r->text, text);
	strcpy(buf, text);
	r->since = -1;
	arrow = strstr(buf, "->");
	if (!arrow)
		rule_error(text, text + strlen(text), "no '->'");
	*arrow = '\0';
	acts_text = arrow + 2;
	cond = buf;
	while (*cond == ' ')
		cond++;
	open = strchr(cond, '(');
	close = open ? strchr(open, ')') : NULL;
	if (!open || !close || open == cond)
		rule_error(text, text + (cond - buf), "expected FIELD(SOURCE)");
	*open = '\0';
	*close = '\0';
	if (strlen(cond) >= sizeof(r->quantity) ||
	    strlen(open + 1) >= sizeof(r->source) || !open[1])
		rule_error(text, text + (cond - buf), "field or source too long");
	r->is_status = !strcmp(cond, "status");
	strcpy(r->quantity, cond);
	strcpy(r->source, open + 1);
	p = close + 1;
	while (*p == ' ')
		p++;
	{
		static const char *const ops[] = { "<=", ">=", "==", "!=",
						    "<", ">", "=" };
		size_t i;

		for (i = 0; i < 7; i++)
			if (!strncmp(p, ops[i], strlen(ops[i])))
				break;
		if (i == 7)
			rule_error(text, text + (p - buf),
				   "expected < <= > >= == != or =");
		strcpy(r->op, !strcmp(ops[i], "=") ? "==" : ops[i]);
		p += strlen(ops[i]);
	}
	w = word(&p);
	if (!w)
		rule_error(text, text + (p - buf), "expected a value");
	if (r->is_status) {
		if (strcmp(r->op, "==") && strcmp(r->op, "!="))
			rule_error(text, text + (w - buf),
				   "status compares with = or != only");
		if (strlen(w) >= sizeof(r->word))
			rule_error(text, text + (w - buf), "status too long");
		strcpy(r->word, w);
	} else {
		char *end;

		errno = 0;
		r->value = strtod(w, &end);
		if (*end || errno || end == w)
			rule_error(text, text + (w - buf), "not a number");
	}
	w = word(&p);
	if (w) {
		char *t;

		if (strcmp(w, "for"))
			rule_error(text, text + (w - buf), "expected 'for'");
		t = word(&p);
		if (!t || parse_time(t, &r->hold_ns))
			rule_error(text, text + (t ? t - buf : p - buf),
				   "expected a time such as 2s or 500ms");
		if (word(&p))
			rule_error(text, text + (p - buf), "junk before '->'");
	}
	p = acts_text;
	for (;;) {
		char *comma = strchr(p, ',');
		struct action *a;
		char *k;

		if (comma)
			*comma = '\0';
		if (r->nactions == MAX_ACTIONS)
			rule_error(text, text + (p - buf), "too many actions");
		a = &r->actions[r->nactions++];
		k = word(&p);
		if (!k)
			rule_error(text, text + (p - buf), "expected an action");
		if (!strcmp(k, "on") || !strcmp(k, "off") ||
		    !strcmp(k, "pulse")) {
			char *n = word(&p);

			a->kind = !strcmp(k, "on") ? ACT_ON :
				  !strcmp(k, "off") ? ACT_OFF : ACT_PULSE;
			if (!n || (a->actuator = parse_actuator(n)) < 0)
				rule_error(text, text + (n ? n - buf : p - buf),
					   "expected actuatorN");
			actuator(a->actuator, 1);
			if (a->kind == ACT_PULSE) {
				char *t = word(&p);

				if (!t || parse_time(t, &a->pulse_ns))
					rule_error(text, text + (t ? t - buf :
								 p - buf),
						   "expected the pulse's time");
			}
		} else if (!strcmp(k, "send")) {
			char *m = word(&p), *kv;

			a->kind = ACT_SEND;
			a->msg = m ? cs_dbc_message_by_name(dbc, m) : NULL;
			if (!a->msg)
				rule_error(text, text + (m ? m - buf : p - buf),
					   "no such message in the DBC");
			while ((kv = word(&p))) {
				char *eq = strchr(kv, '='), *end;

				if (!eq || a->nsets == MAX_SETS)
					rule_error(text, text + (kv - buf),
						   "expected SIGNAL=NUMBER");
				*eq = '\0';
				a->sig[a->nsets] =
					cs_dbc_signal_by_name(a->msg, kv);
				if (!a->sig[a->nsets])
					rule_error(text, text + (kv - buf),
						   "no such signal");
				errno = 0;
				a->val[a->nsets] = strtod(eq + 1, &end);
				if (*end || errno || end == eq + 1)
					rule_error(text, text + (eq + 1 - buf),
						   "not a number");
				a->nsets++;
			}
		} else {
			rule_error(text, text + (k - buf),
				   "expected on, off, pulse or send");
		}
		if (word(&p))
			rule_error(text, text + (p - buf), "junk after action");
		if (!comma)
			break;
		p = comma + 1;
	}
	nrules++;
}

static int holds(const struct rule *r, const struct cs_record *rec)
{
	double v = rec->value;
	int eq;

	if (r->is_status) {
		eq = !strcmp(rec->status, r->word);
		return !strcmp(r->op, "==") ? eq : !eq;
	}
	if (isnan(v))
		return 0;
	if (!strcmp(r->op, "<"))
		return v < r->value;
	if (!strcmp(r->op, "<="))
		return v <= r->value;
	if (!strcmp(r->op, ">"))
		return v > r->value;
	if (!strcmp(r->op, ">="))
		return v >= r->value;
	if (!strcmp(r->op, "=="))
		return v == r->value;
	return v != r->value;
}

static void fire(struct rule *r)
{
	size_t i;

	r->count++;
	warn("rule fired: %s", r->text);
	for (i = 0; i < r->nactions; i++) {
		struct action *a = &r->actions[i];

		if (a->kind == ACT_SEND) {
			send_frame(a->msg, a->nsets, a->sig, a->val);
			continue;
		}
		if (actuate(a->actuator, a->kind, a->pulse_ns, 0, "rule") ==
		    RES_DONE)
			ack(actuator(a->actuator, 0), a->actuator, a->kind,
			    RES_DONE, 0);
	}
}

static void apply_rules(const struct cs_record *rec)
{
	size_t i;

	for (i = 0; i < nrules; i++) {
		struct rule *r = &rules[i];

		if (strcmp(r->source, rec->source) ||
		    (!r->is_status && strcmp(r->quantity, rec->quantity)))
			continue;
		if (!holds(r, rec)) {
			r->since = -1;
			r->fired = 0;
			continue;
		}
		if (r->since < 0)
			r->since = rec->time_ns;
		if (!r->fired && rec->time_ns - r->since >= r->hold_ns) {
			r->fired = 1;
			fire(r);
		}
	}
}

/* ---------------------------------------------------------------------
 * Records in (rule mode), passed through.
 */
static char inbuf[65536];
static size_t inlen;
static unsigned long inline_no;

static void take_line(char *line)
{
	struct cs_record rec;
	const char *why;
	unsigned int col;
	int ret;

	inline_no++;
	if (fputs(line, stdout) == EOF || putchar('\n') == EOF)
		die_perror("<stdout>");
	ret = cs_record_parse(line, &rec, &col, &why);
	if (ret == -ENOMSG || !*line)
		return;
	if (ret) {
		skipped++;
		warn("<stdin>:%lu:%u: %s", inline_no, col, why);
		return;
	}
	apply_rules(&rec);
}

static int read_records(void)
{
	ssize_t n = read(0, inbuf + inlen, sizeof(inbuf) - 1 - inlen);
	char *p = inbuf, *nl;

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : -errno;
	if (n == 0) {
		if (inlen) {
			inbuf[inlen] = '\0';
			take_line(inbuf);
			inlen = 0;
		}
		return 0;
	}
	inlen += (size_t)n;
	while ((nl = memchr(p, '\n', inlen - (size_t)(p - inbuf)))) {
		*nl = '\0';
		take_line(p);
		p = nl + 1;
	}
	inlen -= (size_t)(p - inbuf);
	memmove(inbuf, p, inlen);
	if (inlen == sizeof(inbuf) - 1) {
		skipped++;
		warn("<stdin>:%lu: line too long, skipped", inline_no + 1);
		inlen = 0;
	}
	fflush(stdout);
	return 1;
}

int main(int argc, char **argv)
{
	char dpath[PATH_MAX];
	const char *dp = NULL;
	const char *rule_text[MAX_RULES];
	size_t nrule_text = 0, i;
	int c, input_open;

	tools_set_progname(argv[0]);
	while ((c = getopt_long(argc, argv, "d:a:t:r:vhV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'd':
			dp = optarg;
			break;
		case 'a': {
			char *eq = strchr(optarg, '=');
			struct actuator *a;
			long id;

			if (!eq || !eq[1] || strlen(eq + 1) >= 64)
				die_usage("actuator: expected N=LINE, not '%s'",
					  optarg);
			*eq = '\0';
			id = parse_long(optarg, "actuator", 0, 254);
			a = actuator((int)id, 1);
			if (!a)
				die_usage("more than %d actuators",
					  MAX_ACTUATORS);
			strcpy(a->line, eq + 1);
			break;
		}
		case 't':
			safety_ns = parse_long(optarg, "safety-timeout", 1,
					       3600000) * 1000000ll;
			break;
		case 'r':
			if (nrule_text == MAX_RULES)
				die_usage("more than %d rules", MAX_RULES);
			rule_text[nrule_text++] = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			tools_help(usage);
		case 'V':
			tools_version();
		default:
			die_usage("unknown option");
		}
	}
	if (argc - optind != 1)
		die_usage(argc == optind ? "no interface given" :
			  "too many arguments");
	iface = argv[optind];
	dp = tools_data_file(dp, "cellsense.dbc", "dbc", dpath, sizeof(dpath));
	dbc = tools_dbc_load(dp);
	if (!cs_dbc_message_by_name(dbc, "CS_ActuatorCmd") ||
	    !cs_dbc_message_by_name(dbc, "CS_ActuatorAck"))
		die("%s: no CS_ActuatorCmd or CS_ActuatorAck message", dp);
	for (i = 0; i < nrule_text; i++)
		parse_rule(rule_text[i]);
	for (i = 0; i < 4 && nacts < MAX_ACTUATORS; i++)
		actuator((int)i, 1);	/* actuator0..3 by default */
	tools_install_signals();
	canfd = cs_can_open(iface, CS_CAN_OPEN_RECV | CS_CAN_OPEN_NONBLOCK);
	if (canfd == -ENODEV)
		die("%s: no such network interface", iface);
	if (canfd == -EMEDIUMTYPE)
		die("%s: not a CAN interface", iface);
	if (canfd < 0) {
		errno = -canfd;
		die_perror("%s: cannot open a CAN_RAW socket", iface);
	}
	warn("listening on %s for CS_ActuatorCmd; %zu actuator%s, safety "
	     "timeout %.3f s, %zu rule%s", iface, nacts, nacts == 1 ? "" : "s",
	     safety_ns * 1e-9, nrules, nrules == 1 ? "" : "s");
	input_open = nrules > 0;
	while (!tools_stop) {
		struct pollfd pfd[2];
		int64_t now = tools_clock_ns(CLOCK_MONOTONIC), next;
		nfds_t n = 0;
		int timeout = -1, ret;

		release_due(now);
		next = next_release();
		if (next != INT64_MAX)
			timeout = (int)((next - now + 999999) / 1000000);
		if (nrules && !input_open && next == INT64_MAX)
			break;	/* rules: end of input, nothing pending */
		pfd[n].fd = canfd;
		pfd[n++].events = POLLIN;
		if (input_open) {
			pfd[n].fd = 0;
			pfd[n++].events = POLLIN;
		}
		if (poll(pfd, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			die_perror("poll");
		}
		if (pfd[0].revents) {
			struct cs_can_frame f;
			int64_t t;

			while ((ret = cs_can_recv(canfd, &f, &t)) == 0)
				command(&f);
			if (ret != -EAGAIN && ret != -EINTR) {
				errno = -ret;
				die_perror("%s: read", iface);
			}
		}
		if (n > 1 && pfd[1].revents) {
			ret = read_records();
			if (ret < 0) {
				errno = -ret;
				die_perror("<stdin>");
			}
			input_open = ret > 0;
		}
	}
	/* a line left on when we stop is released: fail safe */
	for (i = 0; i < nacts; i++)
		if (acts[i].release_at) {
			acts[i].release_at = 1;
			release_due(INT64_MAX);
		}
	for (i = 0; i < nrules; i++)
		warn("rule fired %lu time%s: %s", rules[i].count,
		     rules[i].count == 1 ? "" : "s", rules[i].text);
	cs_dbc_destroy(dbc);
	close(canfd);
	return gpio_errors ? EXIT_FAIL : skipped ? EXIT_BADINPUT : EXIT_OK;
}
