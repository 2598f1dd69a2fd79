// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * canactuate: the loop back. End-to-end protected BMS commands drive
 * actuator GPIO lines through libgpiod, with a safety timeout on its own
 * timer and an acknowledgment; local rules over measurement records do the
 * same on rigs with no BMS logic. Every way out releases every line it
 * drove (fail safe).
 */
#define _GNU_SOURCE	/* ppoll */
#include <errno.h>
#include <getopt.h>
#include <gpiod.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "cellsense-act.h"
#include "tools-common.h"

static const char usage[] =
"Usage: canactuate [OPTIONS] IFACE\n"
"Drive actuator GPIO lines on end-to-end protected command frames from the\n"
"BMS on the SocketCAN interface IFACE (CS_ActuatorCmd), acknowledge each\n"
"(CS_ActuatorAck), and release a line after the safety timeout; with\n"
"--rule, also act on measurement records read from standard input (passed\n"
"on to standard output unchanged). Every exit releases every line.\n"
"\n"
"Options:\n"
"  -d, --dbc=FILE          DBC database (default: cellsense.dbc in the\n"
"                          data directory)\n"
"  -a, --actuator=N=LINE   actuator N (0..254) is the GPIO line LINE: a line\n"
"                          name, or CHIP:OFFSET; repeatable; the table\n"
"                          (default: actuator0..3 on the lines of those\n"
"                          names)\n"
"  -t, --safety-timeout=MS release a line this long after it was switched\n"
"                          on (default 10000, 1..3600000); pulses are cut\n"
"                          to it\n"
"  -c, --command=MSG[,ROLE=SIGNAL...]  the command message and its signals\n"
"                          (roles actuator action sequence pulse counter\n"
"                          crc, fixed=N for a message without actuator;\n"
"                          default CS_ActuatorCmd)\n"
"  -k, --ack=MSG[,ROLE=SIGNAL...]|none  the acknowledgment (roles actuator\n"
"                          action result sequence level counter crc;\n"
"                          default CS_ActuatorAck)\n"
"  -i, --accept-id=ID[,ID...]  take commands only on these CAN ids (default:\n"
"                          the command message's id); 0x for hex\n"
"  -F, --freshness=MS      a command more than this after its sender's\n"
"                          previous frame is stale (default 1000, 1..60000)\n"
"      --no-e2e            take a command message that has no counter and\n"
"                          CRC (unprotected: only for a BMS frame without)\n"
"  -r, --rule=RULE         a local rule (see canactuate(1)), repeatable:\n"
"                          COND [for TIME] -> ACTION[, ACTION...]\n"
"  -v, --verbose           report every command and rule firing\n"
"  -h, --help              show this help and exit\n"
"  -V, --version           show the version and exit\n"
"\n"
"Exit status: 0 on end of input (rules) or a signal; 1 could not start,\n"
"the bus or a GPIO line failed (lines released); 2 usage error; 3 records\n"
"or corrupt frames were skipped.\n";

enum { OPT_NO_E2E = 256 };

static const struct option longopts[] = {
	{ "dbc", required_argument, NULL, 'd' },
	{ "actuator", required_argument, NULL, 'a' },
	{ "safety-timeout", required_argument, NULL, 't' },
	{ "command", required_argument, NULL, 'c' },
	{ "ack", required_argument, NULL, 'k' },
	{ "accept-id", required_argument, NULL, 'i' },
	{ "freshness", required_argument, NULL, 'F' },
	{ "no-e2e", no_argument, NULL, OPT_NO_E2E },
	{ "rule", required_argument, NULL, 'r' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

#define MAX_RULES 16
#define MAX_IDS 8
#define RELEASE_ATTEMPTS 5
#define RETRY_NS 100000000ll	/* between release attempts */
#define BURST 64		/* frames read before timers get a look */

/* A configured line: where it is, resolved at start. */
struct gpio_line {
	int actuator;
	char spec[64];		/* as given: name or CHIP:OFFSET */
	char chip[64];
	unsigned int offset;
};

static struct gpio_line lines[CS_ACTLINES_MAX];
static size_t nlines;
static struct cs_actrule rules[MAX_RULES];
static size_t nrules;
static int64_t safety_ns = 10000000000ll;
static int verbose;
static const char *iface;
static struct cs_dbc *dbc;
static struct cs_actcmd *cmdspec;
static struct cs_actlines *table;
static int canfd = -1;
static unsigned int ack_counter;
static uint32_t accept_id[MAX_IDS];
static int accept_ext[MAX_IDS];
static struct cs_e2e_state sender[MAX_IDS];
static size_t naccept;
static unsigned long skipped, gpio_errors, left_high;
static unsigned long results[CS_ACT_RESULTS];
static unsigned long send_errors, acks_suppressed;
static int64_t last_refusal_ack;

/* ---------------------------------------------------------------------
 * GPIO lines through libgpiod: each action requests the line, drives it,
 * reads it back and releases the request (the chip keeps the level, so
 * other tools can read it meanwhile).
 */
static int resolve(struct gpio_line *g)
{
	const char *colon = strchr(g->spec, ':');
	struct gpiod_chip *chip;
	struct gpiod_line *line;
	int ret = 0;

	if (colon) {
		char *end;
		long off;

		snprintf(g->chip, sizeof(g->chip), "%.*s",
			 (int)(colon - g->spec), g->spec);
		errno = 0;
		off = strtol(colon + 1, &end, 10);
		if (end == colon + 1 || *end || errno || off < 0 ||
		    off > INT_MAX)
			return -EINVAL;
		chip = gpiod_chip_open_lookup(g->chip);
		if (!chip)
			return -errno;
		if ((unsigned long)off >= gpiod_chip_num_lines(chip))
			ret = -ENOENT;
		g->offset = (unsigned int)off;
		gpiod_chip_close(chip);
		return ret;
	}
	errno = 0;
	line = gpiod_line_find(g->spec);
	if (!line)
		return errno ? -errno : -ENOENT;
	chip = gpiod_line_get_chip(line);
	snprintf(g->chip, sizeof(g->chip), "%s", gpiod_chip_name(chip));
	g->offset = gpiod_line_offset(line);
	gpiod_chip_close(chip);
	return 0;
}

static int gpio_drive(void *ctx, size_t i, int value, int *level)
{
	struct gpio_line *g = &lines[i];
	struct gpiod_chip *chip;
	struct gpiod_line *line;
	int ret = 0;

	(void)ctx;
	*level = -EIO;
	chip = gpiod_chip_open_lookup(g->chip);
	if (!chip)
		return errno ? -errno : -ENODEV;
	line = gpiod_chip_get_line(chip, g->offset);
	if (!line || gpiod_line_request_output(line, "canactuate",
					       value) < 0) {
		ret = errno ? -errno : -EIO;
		goto out;
	}
	*level = gpiod_line_get_value(line);
	if (*level < 0)
		*level = errno ? -errno : -EIO;
	gpiod_line_release(line);
out:
	gpiod_chip_close(chip);
	return ret;
}

/* ---------------------------------------------------------------------
 * Frames out.
 */
/* Warn about the first ten of something and then every power of ten. */
static int worth_saying(unsigned long n)
{
	while (n >= 100 && n % 10 == 0)
		n /= 10;
	return n <= 10;
}

static void send_frame(const struct cs_can_frame *f, const char *what)
{
	int ret;

	if (canfd < 0)
		return;
	ret = cs_can_send(canfd, f);
	if (ret && worth_saying(++send_errors))
		warn("%s: cannot send %s: %s (%lu send error%s)", iface, what,
		     strerror(-ret), send_errors, send_errors == 1 ? "" : "s");
}

static void ack(int actuator, int action, int result, int sequence,
		int level)
{
	struct cs_act_ack a = { actuator, action, result, sequence, level };
	struct cs_can_frame f;

	if (cs_actcmd_ack(cmdspec, &a, &ack_counter, &f) == 0)
		send_frame(&f, cs_actcmd_ack_message(cmdspec)->name);
}

/* A release, or a release that failed, from the table. */
static void on_release(void *ctx, const struct cs_actline_event *ev)
{
	const struct gpio_line *g = NULL;
	size_t i;

	(void)ctx;
	for (i = 0; i < nlines; i++)
		if (lines[i].actuator == ev->actuator)
			g = &lines[i];
	if (ev->result == CS_ACT_RELEASED) {
		warn("actuator%d (%s) released (%s), reads back %d",
		     ev->actuator, g ? g->spec : "?", ev->cause, ev->level);
	} else {
		gpio_errors++;
		/* retried every 100 ms: said (and acked) the first ten
		 * times, then every power of ten */
		if (strcmp(ev->cause, "stop") && !worth_saying(ev->attempts))
			return;
		warn("actuator%d (%s): release (%s) failed (attempt %u), line "
		     "reads back %s%s", ev->actuator, g ? g->spec : "?",
		     ev->cause, ev->attempts,
		     ev->level < 0 ? "nothing (unknown)" :
		     ev->level ? "1 (still on)" : "0",
		     strcmp(ev->cause, "stop") ? "; retrying" : "");
	}
	/* unknown is reported as 1: it may be on */
	ack(ev->actuator, ev->action, ev->result, ev->sequence,
	    ev->level < 0 ? 1 : ev->level);
}

/* Every line that may be on, off: at every exit, normal or not. */
static void release_all(void)
{
	static int done;

	if (done || !table)
		return;
	done = 1;
	left_high = (unsigned long)cs_actlines_release_all(table,
							  RELEASE_ATTEMPTS);
	if (left_high)
		warn("%lu line%s could not be released", left_high,
		     left_high == 1 ? "" : "s");
}

/* ---------------------------------------------------------------------
 * Commands in.
 */
static const char *action_name(int a)
{
	return a == CS_ACT_OFF ? "off" : a == CS_ACT_ON ? "on" :
	       a == CS_ACT_PULSE ? "pulse" : "?";
}

static void command(const struct cs_can_frame *f, size_t who, int64_t now)
{
	struct cs_act_command c;
	int res, level = -1;

	res = cs_actcmd_decode(cmdspec, &sender[who], f, now, &c);
	if (res < 0)
		return;
	if (res == CS_ACT_DONE) {
		res = cs_actlines_command(table, c.actuator, c.action,
					  c.pulse_ns, c.sequence, now, &level);
		if (res == CS_ACT_GPIO)
			gpio_errors++;
	} else if (c.actuator >= 0) {
		level = cs_actlines_level(table, c.actuator);
	}
	results[res]++;
	if (res == CS_ACT_CORRUPT || res == CS_ACT_NOT_AVAILABLE)
		skipped++;
	if (res != CS_ACT_DONE ? worth_saying(results[res]) : verbose)
		warn("%s: command from 0x%X: actuator %d %s (%d) sequence %d "
		     "counter %d: %s%s", iface, f->id, c.actuator,
		     action_name(c.action), c.action, c.sequence, c.counter,
		     cs_act_result_name(res),
		     res == CS_ACT_DONE ? "" : " (refused)");
	/* refusals are acked at most one per 10 ms: a flood of bad frames
	 * is not doubled on the bus */
	if (res >= CS_ACT_REPEATED) {
		if (last_refusal_ack && now - last_refusal_ack < 10000000) {
			acks_suppressed++;
			return;
		}
		last_refusal_ack = now;
	}
	ack(c.actuator, c.action, res, c.sequence, level < 0 ? 0 : level);
}

/* Which accepted sender a frame is from: its index, or -1. */
static int sender_of(const struct cs_can_frame *f)
{
	size_t i;

	if (f->flags & (CS_CAN_FLAG_ERR | CS_CAN_FLAG_RTR))
		return -1;
	for (i = 0; i < naccept; i++)
		if (f->id == accept_id[i] && f->extended == accept_ext[i])
			return (int)i;
	return -1;
}

/* ---------------------------------------------------------------------
 * Rules and records in (rule mode), passed through.
 */
static void fire(struct cs_actrule *r, int64_t now)
{
	size_t i;

	warn("rule fired: %s", r->text);
	for (i = 0; i < r->nactions; i++) {
		struct cs_actrule_action *a = &r->actions[i];
		int res, level;

		if (a->kind == CS_ACTRULE_SEND) {
			struct cs_can_frame f;
			size_t k;

			memset(&f, 0, sizeof(f));
			f.id = a->msg->id;
			f.extended = a->msg->extended;
			f.len = (uint8_t)a->msg->dlc;
			if (f.len > 8)
				f.flags = CS_CAN_FLAG_FD;
			for (k = 0; k < a->nsets; k++)
				cs_dbc_signal_encode(a->sig[k], f.data, f.len,
						     a->val[k]);
			send_frame(&f, a->msg->name);
			continue;
		}
		res = cs_actlines_command(table, a->actuator, a->kind,
					  a->pulse_ns, 0, now, &level);
		if (res == CS_ACT_GPIO)
			gpio_errors++;
		ack(a->actuator, a->kind, res, 0, level < 0 ? 0 : level);
	}
}

static char inbuf[65536];
static size_t inlen;
static unsigned long inline_no;

static void take_line(char *line)
{
	struct cs_record rec;
	const char *why;
	unsigned int col;
	size_t i;
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
	for (i = 0; i < nrules; i++)
		if (cs_actrule_push(&rules[i], &rec))
			fire(&rules[i], tools_clock_ns(CLOCK_MONOTONIC));
}

/* 1 while input is open, 0 at its end; dies on a read error. */
static int read_records(void)
{
	ssize_t n = read(0, inbuf + inlen, sizeof(inbuf) - 1 - inlen);
	char *p = inbuf, *nl;

	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return 1;
		die_perror("<stdin>");
	}
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
	if (fflush(stdout) == EOF)
		die_perror("<stdout>");
	return 1;
}

/* ---------------------------------------------------------------------
 * Configuration.
 */
static void add_line(int actuator, const char *spec)
{
	int ret = cs_actlines_add(table, actuator);

	if (ret == -EEXIST)
		die_usage("actuator %d given twice", actuator);
	if (ret < 0)
		die_usage("more than %d actuators", CS_ACTLINES_MAX);
	lines[ret].actuator = actuator;
	snprintf(lines[ret].spec, sizeof(lines[ret].spec), "%s", spec);
	nlines = (size_t)ret + 1;
}

/* "MSG,role=SIGNAL,..." into @msg and @names[role] (@roles names them). */
static void parse_spec(char *s, const char *opt, const char **msg,
		       const char **names, const char *const *roles,
		       int nroles, int *fixed)
{
	char *save = NULL, *p;
	int first = 1;

	for (p = strtok_r(s, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(p, '=');
		int i;

		if (first) {
			if (eq || !*p)
				die_usage("%s: expected the message name first, "
					  "not '%s'", opt, p);
			*msg = p;
			first = 0;
			continue;
		}
		if (!eq || !eq[1])
			die_usage("%s: expected ROLE=SIGNAL, not '%s'", opt, p);
		*eq = '\0';
		if (fixed && !strcmp(p, "fixed")) {
			*fixed = (int)parse_long(eq + 1, "fixed actuator", 0,
						 254);
			continue;
		}
		for (i = 0; i < nroles; i++)
			if (!strcmp(p, roles[i]))
				break;
		if (i == nroles)
			die_usage("%s: no role '%s'", opt, p);
		names[i] = eq + 1;
	}
	if (first)
		die_usage("%s: no message given", opt);
}

static void parse_ids(char *s)
{
	char *save = NULL, *p;

	for (p = strtok_r(s, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long v;

		if (naccept == MAX_IDS)
			die_usage("accept-id: more than %d ids", MAX_IDS);
		errno = 0;
		v = strtoul(p, &end, 0);
		if (end == p || *end || errno || v > 0x1fffffff || *p == '-')
			die_usage("accept-id: '%s' is no CAN id", p);
		accept_id[naccept] = (uint32_t)v;
		accept_ext[naccept++] = v > 0x7ff;
	}
}

static int stop_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1,
			      SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU,
			      SIGXFSZ };

static void on_stop(int sig)
{
	(void)sig;
	tools_stop = 1;
}

/* Every signal that would end us sets tools_stop instead, blocked outside
 * ppoll() (so none is lost between a check and the wait); *@open gets the
 * mask to wait with. A closed pipe is an EPIPE we handle. */
static void stop_on_signals(sigset_t *open)
{
	struct sigaction sa;
	sigset_t block;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++) {
		sigaction(stop_signals[i], &sa, NULL);
		sigaddset(&block, stop_signals[i]);
	}
	signal(SIGPIPE, SIG_IGN);
	sigprocmask(SIG_BLOCK, &block, open);
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigdelset(open, stop_signals[i]);
}

static void arm(int tfd, int64_t at)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	if (at != INT64_MAX) {
		its.it_value.tv_sec = at / 1000000000;
		its.it_value.tv_nsec = at % 1000000000;
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1;
	}
	if (timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		die_perror("timerfd_settime");
}

/* Releases due now, and the timer set for the next. */
static void run_timers(int tfd)
{
	cs_actlines_due(table, tools_clock_ns(CLOCK_MONOTONIC));
	arm(tfd, cs_actlines_next(table));
}

static void summary(void)
{
	size_t i;
	unsigned long refused = 0;

	for (i = CS_ACT_REPEATED; i < CS_ACT_RESULTS; i++)
		refused += results[i];
	if (refused || results[CS_ACT_DONE])
		warn("commands: %lu done, %lu unknown actuator, %lu refused "
		     "action, %lu GPIO error; refused by E2E: %lu repeated, "
		     "%lu stale, %lu out-of-order, %lu corrupt, %lu "
		     "not-available", results[CS_ACT_DONE],
		     results[CS_ACT_UNKNOWN], results[CS_ACT_REFUSED],
		     results[CS_ACT_GPIO], results[CS_ACT_REPEATED],
		     results[CS_ACT_STALE], results[CS_ACT_OUT_OF_ORDER],
		     results[CS_ACT_CORRUPT], results[CS_ACT_NOT_AVAILABLE]);
	if (acks_suppressed)
		warn("%lu refusal%s not acknowledged (over 100 a second)",
		     acks_suppressed, acks_suppressed == 1 ? "" : "s");
	for (i = 0; i < nrules; i++)
		warn("rule fired %lu time%s: %s", rules[i].count,
		     rules[i].count == 1 ? "" : "s", rules[i].text);
}

int main(int argc, char **argv)
{
	static const char *const cmd_roles[] = { "actuator", "action",
		"sequence", "pulse", "counter", "crc" };
	static const char *const ack_roles[] = { "actuator", "action",
		"result", "sequence", "level", "counter", "crc" };
	static const struct cs_actlines_ops ops = { gpio_drive, on_release };
	struct cs_actcmd_names names = { 0 };
	char dpath[PATH_MAX];
	const char *dp = NULL, *why = NULL;
	const char *rule_text[MAX_RULES];
	struct { int id; const char *spec; } given[CS_ACTLINES_MAX];
	size_t ngiven = 0, nrule_text = 0, i, k;
	const struct cs_dbc_message *cm;
	int64_t freshness_ns = 1000000000ll;
	sigset_t waitmask;
	int c, input_open, tfd, ret;

	tools_set_progname(argv[0]);
	names.fixed_actuator = -1;
	while ((c = getopt_long(argc, argv, "d:a:t:c:k:i:F:r:vhV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'd':
			dp = optarg;
			break;
		case 'a': {
			char *eq = strchr(optarg, '=');

			if (!eq || !eq[1] || strlen(eq + 1) >= 64)
				die_usage("actuator: expected N=LINE, not '%s'",
					  optarg);
			if (ngiven == CS_ACTLINES_MAX)
				die_usage("more than %d actuators",
					  CS_ACTLINES_MAX);
			*eq = '\0';
			given[ngiven].id = (int)parse_long(optarg, "actuator",
							   0, 254);
			given[ngiven++].spec = eq + 1;
			break;
		}
		case 't':
			safety_ns = parse_long(optarg, "safety-timeout", 1,
					       3600000) * 1000000ll;
			break;
		case 'c':
			parse_spec(optarg, "command", &names.command,
				   names.cmd_signal, cmd_roles,
				   CS_ACTCMD_ROLES, &names.fixed_actuator);
			break;
		case 'k':
			if (!strcmp(optarg, "none"))
				names.ack = "-";
			else
				parse_spec(optarg, "ack", &names.ack,
					   names.ack_signal, ack_roles,
					   CS_ACTACK_ROLES, NULL);
			break;
		case 'i':
			parse_ids(optarg);
			break;
		case 'F':
			freshness_ns = parse_long(optarg, "freshness", 1,
						  60000) * 1000000ll;
			break;
		case OPT_NO_E2E:
			names.no_e2e = 1;
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
			tools_try_help();
		}
	}
	if (argc - optind != 1)
		die_usage(argc == optind ? "no interface given" :
			  "too many arguments");
	iface = argv[optind];
	dp = tools_data_file(dp, "cellsense.dbc", "dbc", dpath, sizeof(dpath));
	dbc = tools_dbc_load(dp);
	names.e2e.window_ns = freshness_ns;
	names.e2e.max_delta = 1;
	cmdspec = cs_actcmd_create(dbc, &names, &why);
	if (!cmdspec)
		die_usage("%s: %s", dp, why);
	cm = cs_actcmd_command_message(cmdspec);
	if (!naccept) {
		accept_id[0] = cm->id;
		accept_ext[0] = cm->extended;
		naccept = 1;
	}

	table = cs_actlines_create(&ops, NULL, safety_ns, RETRY_NS);
	if (!table)
		die_perror("actuator table");
	for (i = 0; i < ngiven; i++)
		add_line(given[i].id, given[i].spec);
	if (!ngiven)
		for (i = 0; i < 4; i++) {
			char name[16];

			snprintf(name, sizeof(name), "actuator%zu", i);
			add_line((int)i, name);
		}
	for (i = 0; i < nrule_text; i++) {
		unsigned int col = 0;

		if (cs_actrule_parse(rule_text[i], dbc, &rules[nrules], &col,
				     &why))
			die_usage("rule '%s': column %u: %s", rule_text[i],
				  col, why);
		for (k = 0; k < rules[nrules].nactions; k++) {
			const struct cs_actrule_action *a =
				&rules[nrules].actions[k];

			if (a->kind != CS_ACTRULE_SEND &&
			    cs_actlines_find(table, a->actuator) < 0)
				die_usage("rule '%s': actuator%d is not in the "
					  "table (give it with -a)",
					  rule_text[i], a->actuator);
		}
		nrules++;
	}
	/* a line that is not there is refused now, not at the first command */
	for (i = 0; i < nlines; i++) {
		ret = resolve(&lines[i]);
		if (ret)
			die("actuator%d: GPIO line '%s': %s", lines[i].actuator,
			    lines[i].spec, ret == -ENOENT ? "no such line" :
			    strerror(-ret));
	}
	/* from here on, whatever way we leave, the lines are released */
	atexit(release_all);
	stop_on_signals(&waitmask);

	canfd = cs_can_open(iface, CS_CAN_OPEN_RECV | CS_CAN_OPEN_NONBLOCK |
			    (cm->dlc > 8 ? CS_CAN_OPEN_FD : 0));
	if (canfd == -ENODEV)
		die("%s: no such network interface", iface);
	if (canfd == -EMEDIUMTYPE)
		die("%s: not a CAN interface", iface);
	if (canfd < 0) {
		errno = -canfd;
		die_perror("%s: cannot open a CAN_RAW socket", iface);
	}
	ret = cs_can_accept_ids(canfd, accept_id, accept_ext, naccept);
	if (ret) {
		errno = -ret;
		die_perror("%s: CAN_RAW_FILTER", iface);
	}
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (tfd < 0)
		die_perror("timerfd_create");
	{
		char ids[MAX_IDS * 32] = "";
		size_t len = 0;

		for (i = 0; i < naccept; i++)
			len += (size_t)snprintf(ids + len, sizeof(ids) - len,
						"%s0x%X%s", i ? "," : "",
						accept_id[i],
						accept_ext[i] ? " (29-bit)" : "");
		warn("listening on %s for %s on %s", iface, cm->name, ids);
	}
	warn("%s; %zu actuator%s, safety timeout %.3f s, freshness %.3f s, "
	     "%zu rule%s", cs_actcmd_protected(cmdspec) ?
	     "E2E-8 protected (CRC-8 SAE J1850, counter)" :
	     "UNPROTECTED (--no-e2e)", nlines, nlines == 1 ? "" : "s",
	     safety_ns * 1e-9, freshness_ns * 1e-9, nrules,
	     nrules == 1 ? "" : "s");
	input_open = nrules > 0;
	while (!tools_stop) {
		struct pollfd pfd[3];
		nfds_t n = 0;

		run_timers(tfd);
		if (nrules && !input_open &&
		    cs_actlines_next(table) == INT64_MAX)
			break;	/* rules: end of input, nothing pending */
		pfd[n].fd = tfd;
		pfd[n++].events = POLLIN;
		pfd[n].fd = canfd;
		pfd[n++].events = POLLIN;
		if (input_open) {
			pfd[n].fd = 0;
			pfd[n++].events = POLLIN;
		}
		if (ppoll(pfd, n, NULL, &waitmask) < 0) {
			if (errno == EINTR)
				continue;
			die_perror("poll");
		}
		if (pfd[0].revents) {
			uint64_t expirations;

			if (read(tfd, &expirations, sizeof(expirations)) < 0 &&
			    errno != EAGAIN)
				die_perror("timerfd");
			run_timers(tfd);
		}
		if (pfd[1].revents) {
			/* a burst is read in slices, with the clock looked at
			 * after every frame: no flood delays a release */
			for (k = 0; k < BURST && !tools_stop; k++) {
				struct cs_can_frame f;
				int64_t t, now;
				int who;

				ret = cs_can_recv(canfd, &f, &t);
				if (ret)
					break;
				now = tools_clock_ns(CLOCK_MONOTONIC);
				if (now >= cs_actlines_next(table))
					run_timers(tfd);
				who = sender_of(&f);
				if (who >= 0)
					command(&f, (size_t)who, now);
			}
			if (k < BURST && ret && ret != -EAGAIN &&
			    ret != -EINTR) {
				errno = -ret;
				die_perror("%s: read", iface);
			}
		}
		if (n > 2 && pfd[2].revents) {
			input_open = read_records();
			run_timers(tfd);
		}
	}
	if (tools_stop)
		warn("stopped by a signal");
	release_all();
	summary();
	cs_actlines_destroy(table);
	table = NULL;
	cs_actcmd_destroy(cmdspec);
	cs_dbc_destroy(dbc);
	close(tfd);
	close(canfd);
	return gpio_errors || left_high ? EXIT_FAIL :
	       skipped ? EXIT_BADINPUT : EXIT_OK;
}
