// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sense2can: measurement records in, CAN frames out (SocketCAN), within a
 * bus-load budget, through the bus's faults.
 *
 * One thread, one poll() loop: records are read as they come and folded
 * into the planner's slots (cs_canplan), which releases frames at their
 * periods and within the budget; frames go out on a non-blocking socket.
 * A full queue holds one frame (retried with back-off, dropped and counted
 * after --wait); a downed, bus-off or vanished interface stops the
 * draining (records keep folding, the gap is timed and counted) until it
 * is back. Nothing here ever blocks the pipeline upstream.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/can/error.h>
#include <linux/can/netlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <libsocketcan.h>

#include "cellsense-can.h"
#include "tools-common.h"

static const char usage[] =
"Usage: sense2can [OPTIONS] IFACE [FILE]\n"
"Send measurement records from FILE (or standard input) as CAN frames on\n"
"the SocketCAN interface IFACE, laid out by a DBC file and a map, within a\n"
"bus-load ceiling.\n"
"\n"
"Options:\n"
"  -d, --dbc=FILE        DBC database (default: cellsense.dbc in the data\n"
"                        directory)\n"
"  -m, --map=FILE        record-to-frame map (default: cellsense.map there)\n"
"  -b, --bitrate=BPS     nominal bit rate for the budget (default: the\n"
"                        interface's, else 500000); with --setup, set it\n"
"  -D, --data-bitrate=BPS  CAN FD data-phase bit rate: FD frames are sent\n"
"                        with bit-rate switch (BRS); with --setup, set it\n"
"  -L, --load-max=PCT    bus-load ceiling in percent (default 30, 0.1..100;\n"
"                        0: none, for benchmarks on vcan)\n"
"  -p, --period=MS       default period of each kind of record; 0 (default)\n"
"                        sends records as they come while within budget\n"
"  -P, --policy=NAME     default policy: last, mean, min, max or change\n"
"                        (default last)\n"
"      --max-slots=N     kinds of record kept at most (default 4096)\n"
"  -s, --setup           configure the interface through netlink: stop it,\n"
"                        set --bitrate, --data-bitrate and --restart-ms,\n"
"                        start it (needs CAP_NET_ADMIN)\n"
"  -r, --restart-ms=MS   with --setup: the kernel restarts the controller MS\n"
"                        ms after bus-off (0: sense2can restarts it itself,\n"
"                        with back-off)\n"
"  -n, --dry-run         write the frames to standard output as a candump\n"
"                        log instead of sending them, timed by the records;\n"
"                        IFACE is then only a name and may be left out\n"
"                        (one argument that is a file is the input)\n"
"  -l, --log=FILE        also write a candump log of the frames sent\n"
"  -w, --wait=MS         how long a frame may wait for room in a full\n"
"                        transmit queue, or for the interface at the end of\n"
"                        input, before it is dropped (default 100, 0..10000)\n"
"  -S, --stats=MS        print the counters every MS ms (0: only at the end)\n"
"  -v, --verbose         report every unmapped record and dropped frame\n"
"  -h, --help            show this help and exit\n"
"  -V, --version         show the version and exit\n"
"\n"
"The plan (periods) goes to standard error at start; a summary with what\n"
"was sent, aggregated, dropped, the bus faults seen and the load planned\n"
"(a map line counts from its first record), at the end.\n"
"\n"
"Exit status: 0 all sent; 1 could not start, or frames were dropped;\n"
"2 usage error; 3 input lines were skipped or records not sent.\n";

enum { OPT_MAX_SLOTS = 256 };

static const struct option longopts[] = {
	{ "dbc", required_argument, NULL, 'd' },
	{ "map", required_argument, NULL, 'm' },
	{ "bitrate", required_argument, NULL, 'b' },
	{ "data-bitrate", required_argument, NULL, 'D' },
	{ "load-max", required_argument, NULL, 'L' },
	{ "period", required_argument, NULL, 'p' },
	{ "policy", required_argument, NULL, 'P' },
	{ "max-slots", required_argument, NULL, OPT_MAX_SLOTS },
	{ "setup", no_argument, NULL, 's' },
	{ "restart-ms", required_argument, NULL, 'r' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "log", required_argument, NULL, 'l' },
	{ "wait", required_argument, NULL, 'w' },
	{ "stats", required_argument, NULL, 'S' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

struct options {
	const char *dbc, *map, *log, *iface, *file;
	int dry_run, verbose, setup;
	long bitrate, data_bitrate, restart_ms;	/* -1: not given */
	double load_max;
	long period_ms, max_slots, stats_ms;
	int policy;
	int wait_ms;
};

#define MAX_UNMAPPED_KINDS 32

struct unmapped_kind {
	char source[CS_RECORD_SOURCE_MAX];
	char quantity[CS_RECORD_QUANTITY_MAX];
	unsigned long count;
};

enum link_state { LINK_UP, LINK_DOWN, LINK_BUSOFF, LINK_GONE };

static const char *const link_names[] = {
	[LINK_UP] = "up", [LINK_DOWN] = "down", [LINK_BUSOFF] = "bus-off",
	[LINK_GONE] = "gone",
};

struct stats {
	unsigned long records, sent, unmapped, rejected, over_slots, clamped;
	unsigned long down, full, gone;		/* frames dropped */
	unsigned long outages, vanished, reopened;
	unsigned long busoff, passive, warning, restarts, restart_fail;
	unsigned long errframes;
	int64_t gap_ns;
	size_t nkinds;
	struct unmapped_kind kinds[MAX_UNMAPPED_KINDS];
	unsigned long other_kinds;
};

/* Everything the loop works on. */
struct gw {
	struct options o;
	struct cs_canplan *plan;
	struct stats st;
	FILE *logf;
	int fd;				/* CAN socket, -1 when gone */
	unsigned int open_flags;
	enum link_state link;
	int64_t outage_ns;		/* when the link went, or -1 */
	int passive_now;
	int kernel_restarts;		/* restart-ms > 0 on the interface */
	int64_t restart_at, restart_backoff, last_busoff;
	int64_t check_at;		/* next look at a down/gone link */
	struct cs_can_frame held;	/* a frame the queue had no room for */
	int has_held;
	int64_t held_since, retry_at, retry_backoff;
	int64_t stats_at;
	int64_t last_rec_ns;		/* dry run: the latest record time */
	int64_t last_time;		/* time_ns of the last record */
	int has_time;
	/* the planner's stats after the last record: what a record changed
	 * (one copy a record, not two) */
	uint64_t replans;
	const char *unfilled_signal;
};

/* A path that exists and is not a directory (a file, a pipe, a device). */
static int is_file(const char *path)
{
	struct stat sb;

	return strcmp(path, "-") && !stat(path, &sb) && !S_ISDIR(sb.st_mode);
}

static void parse_args(int argc, char **argv, struct options *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->wait_ms = 100;
	o->bitrate = o->data_bitrate = o->restart_ms = -1;
	o->load_max = 30;
	o->policy = CS_CANPLAN_LAST;
	o->max_slots = 4096;
	while ((c = getopt_long(argc, argv, "d:m:b:D:L:p:P:sr:nl:w:S:vhV",
				longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->dbc = optarg;
			break;
		case 'm':
			o->map = optarg;
			break;
		case 'b':
			o->bitrate = parse_long(optarg, "bitrate", 1000,
						1000000);
			break;
		case 'D':
			o->data_bitrate = parse_long(optarg, "data-bitrate",
						     1000, 16000000);
			break;
		case 'L':
			o->load_max = parse_double(optarg, "load-max", 0,
						   100);
			if (o->load_max > 0 && o->load_max < 0.1)
				die_usage("load-max: 0 (no ceiling), or 0.1 "
					  "to 100");
			break;
		case 'p':
			o->period_ms = parse_long(optarg, "period", 0,
						  3600000);
			break;
		case 'P':
			o->policy = cs_canplan_policy_parse(optarg);
			if (o->policy < 0)
				die_usage("policy: '%s' is not one of last, "
					  "mean, min, max, change", optarg);
			break;
		case OPT_MAX_SLOTS:
			o->max_slots = parse_long(optarg, "max-slots", 1,
						  65536);
			break;
		case 's':
			o->setup = 1;
			break;
		case 'r':
			o->restart_ms = parse_long(optarg, "restart-ms", 0,
						   60000);
			break;
		case 'n':
			o->dry_run = 1;
			break;
		case 'l':
			o->log = optarg;
			break;
		case 'w':
			o->wait_ms = (int)parse_long(optarg, "wait", 0, 10000);
			break;
		case 'S':
			o->stats_ms = parse_long(optarg, "stats", 0, 3600000);
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			tools_help(usage);
		case 'V':
			tools_version();
		default:
			die_usage("unknown option");	/* getopt said which */
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 2)
		die_usage("too many arguments");
	if (argc == 0 && !o->dry_run)
		die_usage("no interface given");
	o->iface = argc > 0 ? argv[0] : "can0";
	o->file = argc > 1 ? argv[1] : NULL;
	/* One argument that names a file (and no interface): in a dry run
	 * it is the input; else it is a mistake, said as such. */
	if (argc == 1 && !if_nametoindex(argv[0]) && is_file(argv[0])) {
		if (!o->dry_run)
			die_usage("'%s' is a file, not a CAN interface: give "
				  "the interface first (sense2can IFACE %s)",
				  argv[0], argv[0]);
		o->file = argv[0];
		o->iface = "can0";
		warn("dry run: %s is a file: read as the input (interface "
		     "can0)", argv[0]);
	}
	if (strlen(o->iface) >= IFNAMSIZ || !*o->iface)
		die_usage("interface name '%s' is not 1 to 15 characters",
			  o->iface);
	if (o->data_bitrate > 0 && o->bitrate > o->data_bitrate)
		die_usage("data-bitrate is below bitrate");
	if (o->setup && o->dry_run)
		die_usage("--setup and --dry-run exclude each other");
	if (o->restart_ms >= 0 && !o->setup)
		die_usage("--restart-ms needs --setup");
}

/* ---------------------------------------------------------------------
 * Interface control.
 */

/*
 * libsocketcan 0.0.12 has no call for the CAN FD data bit timing, so that
 * one setting goes through rtnetlink: one RTM_NEWLINK carrying the FD
 * control mode and both bit timings (the kernel wants them together).
 */
static int nl_put(struct nlmsghdr *n, size_t max, unsigned short type,
		  const void *data, size_t len)
{
	struct rtattr *rta;
	size_t need = NLMSG_ALIGN(n->nlmsg_len) + RTA_SPACE(len);

	if (need > max)
		return -1;
	rta = (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));
	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	n->nlmsg_len = (unsigned int)need;
	return 0;
}

static struct rtattr *nl_nest(struct nlmsghdr *n, size_t max,
			      unsigned short type)
{
	struct rtattr *rta = (struct rtattr *)((char *)n +
					       NLMSG_ALIGN(n->nlmsg_len));

	return nl_put(n, max, type, NULL, 0) ? NULL : rta;
}

static void nl_end(struct nlmsghdr *n, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((char *)n + n->nlmsg_len -
					 (char *)nest);
}

static int set_fd_bittiming(const char *iface, __u32 bitrate, __u32 dbitrate)
{
	struct {
		struct nlmsghdr n;
		struct ifinfomsg i;
		char buf[512];
	} req;
	struct can_ctrlmode cm = { CAN_CTRLMODE_FD, CAN_CTRLMODE_FD };
	struct can_bittiming bt = { .bitrate = bitrate };
	struct can_bittiming dbt = { .bitrate = dbitrate };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct rtattr *li, *data;
	/* the message as the whole buffer, not its 16-byte header: the
	 * attributes go past the header, which -O3's bounds checks see */
	struct nlmsghdr *nh = (struct nlmsghdr *)(void *)&req;
	char ans[1024];
	int s, ret = -EIO;
	ssize_t n;

	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	req.n.nlmsg_type = RTM_NEWLINK;
	req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.n.nlmsg_seq = 1;
	req.i.ifi_family = AF_UNSPEC;
	req.i.ifi_index = (int)if_nametoindex(iface);
	if (!req.i.ifi_index)
		return -ENODEV;
	li = nl_nest(nh, sizeof(req), IFLA_LINKINFO);
	if (!li || nl_put(nh, sizeof(req), IFLA_INFO_KIND, "can", 3))
		return -ENOSPC;
	data = nl_nest(nh, sizeof(req), IFLA_INFO_DATA);
	if (!data ||
	    nl_put(nh, sizeof(req), IFLA_CAN_CTRLMODE, &cm, sizeof(cm)) ||
	    nl_put(nh, sizeof(req), IFLA_CAN_BITTIMING, &bt, sizeof(bt)) ||
	    nl_put(nh, sizeof(req), IFLA_CAN_DATA_BITTIMING, &dbt,
		   sizeof(dbt)))
		return -ENOSPC;
	nl_end(nh, data);
	nl_end(nh, li);
	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0)
		return -errno;
	if (sendto(s, &req, req.n.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0) {
		ret = -errno;
		goto out;
	}
	n = recv(s, ans, sizeof(ans), 0);
	if (n < 0) {
		ret = -errno;
		goto out;
	}
	if ((size_t)n >= NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
		struct nlmsghdr *h = (struct nlmsghdr *)ans;

		if (h->nlmsg_type == NLMSG_ERROR)
			ret = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
	}
out:
	close(s);
	return ret;
}

static void setup_iface(const struct options *o)
{
	const char *i = o->iface;

	if (!if_nametoindex(i))
		die("%s: no such network interface", i);
	if (can_do_stop(i))
		die_perror("%s: --setup: cannot stop the interface", i);
	if (o->data_bitrate > 0) {
		int ret = set_fd_bittiming(i, (__u32)(o->bitrate > 0 ?
						      o->bitrate : 500000),
					   (__u32)o->data_bitrate);

		if (ret) {
			errno = -ret;
			die_perror("%s: --setup: cannot set CAN FD bit "
				   "timing", i);
		}
	} else if (o->bitrate > 0 && can_set_bitrate(i, (__u32)o->bitrate)) {
		die_perror("%s: --setup: cannot set the bitrate to %ld "
			   "(not a CAN controller, e.g. vcan?)", i,
			   o->bitrate);
	}
	if (o->restart_ms >= 0 && can_set_restart_ms(i, (__u32)o->restart_ms))
		die_perror("%s: --setup: cannot set restart-ms", i);
	if (can_do_start(i))
		die_perror("%s: --setup: cannot start the interface", i);
}

/* ---------------------------------------------------------------------
 * Reporting.
 */
static void log_frame(FILE *f, const char *what, int64_t t,
		      const char *iface, const struct cs_can_frame *frame)
{
	char line[256];

	if (cs_candump_format(line, sizeof(line), t < 0 ? 0 : t, iface,
			      frame) < 0)
		die("cannot format a frame for %s", what);
	if (fprintf(f, "%s\n", line) < 0)
		die_perror("%s", what);
}

static void count_unmapped(struct gw *g, const struct cs_record *rec,
			   const char *name, unsigned long line)
{
	struct stats *st = &g->st;
	size_t i;

	st->unmapped++;
	for (i = 0; i < st->nkinds; i++)
		if (!strcmp(st->kinds[i].source, rec->source) &&
		    !strcmp(st->kinds[i].quantity, rec->quantity)) {
			st->kinds[i].count++;
			if (g->o.verbose)
				warn("%s:%lu: no map line for %s %s", name,
				     line, rec->source, rec->quantity);
			return;
		}
	if (st->nkinds == MAX_UNMAPPED_KINDS) {
		st->other_kinds++;
		return;
	}
	warn("%s:%lu: no map line for %s %s (not sent; counted)", name, line,
	     rec->source, rec->quantity);
	strcpy(st->kinds[st->nkinds].source, rec->source);
	strcpy(st->kinds[st->nkinds].quantity, rec->quantity);
	st->kinds[st->nkinds++].count = 1;
}

static void print_plan(const struct gw *g, const struct cs_canmap *map,
		       double bitrate, double dbitrate)
{
	struct cs_canplan_stats ps;
	size_t i, asthey = 0, periodic = 0;

	cs_canplan_stats(g->plan, &ps);
	for (i = 0; i < cs_canmap_count(map); i++) {
		struct cs_canmap_policy pol;

		cs_canmap_line(map, i, NULL, &pol, NULL);
		periodic += pol.period_ns || g->o.period_ms;
	}
	if (dbitrate > 0)
		warn("plan: %.0f bit/s, FD data phase (BRS) %.0f bit/s, "
		     "ceiling %.1f%%", bitrate, dbitrate, g->o.load_max);
	else
		warn("plan: %.0f bit/s, ceiling %.1f%% (%.0f bit/s)", bitrate,
		     g->o.load_max, bitrate * g->o.load_max / 100);
	for (i = 0; i < cs_canmap_count(map); i++) {
		const struct cs_dbc_message *msg;
		struct cs_canmap_policy pol;
		unsigned long lineno;
		int64_t period;
		int policy;

		cs_canmap_line(map, i, &msg, &pol, &lineno);
		period = pol.period_ns ? pol.period_ns :
			 (int64_t)g->o.period_ms * 1000000;
		policy = pol.policy >= 0 ? pol.policy : g->o.policy;
		if (!period) {
			asthey++;
			continue;
		}
		if (g->o.verbose || periodic <= 16)
			warn("plan: map line %lu %s: %u source%s in %u "
			     "frame%s every %.0f ms (%s)", lineno, msg->name,
			     pol.sources ? pol.sources : 1,
			     pol.sources > 1 ? "s" : "",
			     cs_canplan_line_frames(g->plan, i),
			     cs_canplan_line_frames(g->plan, i) == 1 ? "" :
			     "s", period * 1e-6 * ps.stretch,
			     cs_canplan_policy_name(policy));
	}
	if (asthey)
		warn("plan: %zu map line%s as the records come, folded (%s) "
		     "when over the ceiling", asthey, asthey == 1 ? "" : "s",
		     cs_canplan_policy_name(g->o.policy));
	warn("plan: a map line takes its share of the bus from its first "
	     "record (lines no record comes for take none), under a ceiling "
	     "of %.1f%% for all frames", g->o.load_max);
}

static void print_counts(const struct gw *g, const char *head,
			 unsigned long skipped)
{
	const struct stats *st = &g->st;
	struct cs_canplan_stats ps;

	cs_canplan_stats(g->plan, &ps);
	warn("%s %lu frame%s on %s; %lu record%s read, %lu unmapped, "
	     "%lu rejected, %lu clamped, %lu bad line%s skipped; dropped "
	     "%lu (interface down) + %lu (queue full) + %lu (interface "
	     "gone); %llu aggregated, %llu unchanged, %lu over max-slots; "
	     "bus %.3f s",
	     head, st->sent, st->sent == 1 ? "" : "s", g->o.iface,
	     st->records, st->records == 1 ? "" : "s", st->unmapped,
	     st->rejected, st->clamped, skipped,
	     skipped == 1 ? "" : "s", st->down, st->full, st->gone,
	     (unsigned long long)ps.aggregated,
	     (unsigned long long)ps.unchanged, st->over_slots,
	     ps.bus_seconds);
	warn("frames: %zu kinds of frame from %zu kinds of record; signals "
	     "without a fresh value: %llu sent with their last (hold=), %llu "
	     "as not available; %llu frames with a signal that cannot say so",
	     ps.groups, ps.slots, (unsigned long long)ps.held,
	     (unsigned long long)ps.absent, (unsigned long long)ps.unfilled);
	if (g->o.dry_run)
		return;
	warn("faults: %lu outage%s (%.3f s without sending), %lu vanished, "
	     "%lu reopened; %lu bus-off, %lu restart%s (%lu failed), %lu "
	     "error-passive, %lu error-warning, %lu other error frames; "
	     "%llu replans; link %s",
	     st->outages, st->outages == 1 ? "" : "s", st->gap_ns * 1e-9,
	     st->vanished, st->reopened, st->busoff, st->restarts,
	     st->restarts == 1 ? "" : "s", st->restart_fail, st->passive,
	     st->warning, st->errframes, (unsigned long long)ps.replans,
	     link_names[g->link]);
}

/* The plan as the records made it: the lines that had records. */
static void print_load(const struct gw *g)
{
	struct cs_canplan_stats ps;

	cs_canplan_stats(g->plan, &ps);
	warn("plan: planned load %.2f%% (lines with a period that had "
	     "records)%s", ps.planned_load * 100, ps.stretch > 1 ?
	     "; over the ceiling: periods stretched" : "");
	if (ps.stretch > 1)
		warn("plan: periods stretched x%.2f to fit", ps.stretch);
}

static void summary(const struct gw *g, unsigned long skipped)
{
	const struct stats *st = &g->st;
	size_t i;

	for (i = 0; i < st->nkinds; i++)
		warn("unmapped: %s %s: %lu record%s", st->kinds[i].source,
		     st->kinds[i].quantity, st->kinds[i].count,
		     st->kinds[i].count == 1 ? "" : "s");
	if (st->other_kinds)
		warn("unmapped: %lu more records of other kinds",
		     st->other_kinds);
	print_counts(g, g->o.dry_run ? "dry run: wrote" : "sent", skipped);
	print_load(g);
}

/* ---------------------------------------------------------------------
 * The link.
 */
static void link_lost(struct gw *g, enum link_state how, int64_t now,
		      const char *why)
{
	if (g->link == LINK_UP) {
		g->outage_ns = now;
		g->st.outages++;
	}
	if (g->link != how)
		warn("%s: %s (%s): records are folded, not sent, until it is "
		     "back", g->o.iface, link_names[how], why);
	g->link = how;
	g->check_at = now + 100000000;
	if (how == LINK_GONE && g->fd >= 0) {
		close(g->fd);
		g->fd = -1;
		g->st.vanished++;
	}
}

static void link_back(struct gw *g, int64_t now, const char *how)
{
	if (g->link == LINK_UP)
		return;
	g->st.gap_ns += now - g->outage_ns;
	warn("%s: %s after %.3f s; sending again", g->o.iface, how,
	     (now - g->outage_ns) * 1e-9);
	g->link = LINK_UP;
	g->outage_ns = -1;
}

static int open_socket(struct gw *g)
{
	g->fd = cs_can_open(g->o.iface, g->open_flags);
	return g->fd;
}

/* A down or vanished link: is it back? */
static void check_link(struct gw *g, int64_t now)
{
	int up;

	if (now < g->check_at)
		return;
	g->check_at = now + 100000000;
	if (g->link == LINK_GONE) {
		if (open_socket(g) < 0)
			return;
		g->st.reopened++;
		warn("%s: is back (index %u), socket reopened", g->o.iface,
		     if_nametoindex(g->o.iface));
		g->link = LINK_DOWN;
	}
	if (g->link == LINK_DOWN) {
		up = cs_can_iface_up(g->o.iface);
		if (up == 1) {
			link_back(g, now, "up again");
		} else if (up == -ENODEV) {
			link_lost(g, LINK_GONE, now, "no such interface");
		}
	}
}

static void do_restart(struct gw *g, int64_t now)
{
	if (g->link != LINK_BUSOFF || g->kernel_restarts || !g->restart_at ||
	    now < g->restart_at)
		return;
	g->restart_at = 0;
	if (can_do_restart(g->o.iface)) {
		g->st.restart_fail++;
		warn("%s: restart after bus-off failed: %s; retrying in %.1f "
		     "s", g->o.iface, strerror(errno),
		     g->restart_backoff * 2e-9);
		if (g->restart_backoff < 5000000000)
			g->restart_backoff *= 2;
		g->restart_at = now + g->restart_backoff;
		return;
	}
	g->st.restarts++;
	/* CAN_ERR_RESTARTED confirms; the state check covers a controller
	 * that does not send it. */
	link_back(g, now, "restarted after bus-off");
}

static void error_frame(struct gw *g, const struct cs_can_frame *f,
			int64_t now)
{
	uint32_t cls = f->id;

	if (cls & CAN_ERR_BUSOFF) {
		g->st.busoff++;
		/* back-off: restarts come slower while bus-offs repeat */
		if (g->last_busoff && now - g->last_busoff < 10000000000ll &&
		    g->restart_backoff < 5000000000)
			g->restart_backoff *= 2;
		else if (!g->last_busoff ||
			 now - g->last_busoff >= 10000000000ll)
			g->restart_backoff = 100000000;
		g->last_busoff = now;
		link_lost(g, LINK_BUSOFF, now, g->kernel_restarts ?
			  "the kernel restarts it" : "restart scheduled");
		g->restart_at = now + g->restart_backoff;
		return;
	}
	if (cls & CAN_ERR_RESTARTED) {
		if (g->link == LINK_BUSOFF)
			link_back(g, now, "restarted after bus-off");
		return;
	}
	if ((cls & CAN_ERR_CRTL) && f->len > 1) {
		uint8_t c = f->data[1];

		if (c & (CAN_ERR_CRTL_TX_PASSIVE | CAN_ERR_CRTL_RX_PASSIVE)) {
			g->st.passive++;
			if (!g->passive_now)
				warn("%s: error-passive (frames still sent)",
				     g->o.iface);
			g->passive_now = 1;
		} else if (c & (CAN_ERR_CRTL_TX_WARNING |
				CAN_ERR_CRTL_RX_WARNING)) {
			g->st.warning++;
			if (g->o.verbose)
				warn("%s: error-warning", g->o.iface);
		} else if (c & CAN_ERR_CRTL_ACTIVE) {
			if (g->passive_now)
				warn("%s: error-active again", g->o.iface);
			g->passive_now = 0;
		} else {
			g->st.errframes++;
		}
		return;
	}
	g->st.errframes++;
}

/* Read what the socket has: error frames, and errors of the link. */
static void read_socket(struct gw *g, int64_t now)
{
	struct cs_can_frame f;
	int64_t t;
	int ret, n;

	for (n = 0; g->fd >= 0 && n < 64; n++) {
		ret = cs_can_recv(g->fd, &f, &t);
		if (ret == -EAGAIN || ret == -EINTR)
			return;
		if (ret == -ENETDOWN) {
			link_lost(g, LINK_DOWN, now, "interface down");
			continue;
		}
		if (ret == -ENODEV || ret == -ENXIO) {
			link_lost(g, LINK_GONE, now, "interface removed");
			return;
		}
		if (ret < 0) {
			errno = -ret;
			die_perror("%s: read", g->o.iface);
		}
		if (f.flags & CS_CAN_FLAG_ERR)
			error_frame(g, &f, now);
	}
}

/* ---------------------------------------------------------------------
 * Sending.
 */

/* Send what is due. Returns when nothing more can go now. */
static void drain(struct gw *g, int64_t now)
{
	int ret;

	while (g->link == LINK_UP && !tools_stop) {
		if (!g->has_held) {
			if (cs_canplan_next(g->plan, now, &g->held, NULL) != 1)
				return;
			g->has_held = 1;
			g->held_since = now;
			g->retry_backoff = 1000000;
		} else if (now < g->retry_at) {
			return;
		}
		ret = cs_can_send(g->fd, &g->held);
		if (ret == 0) {
			g->st.sent++;
			g->has_held = 0;
			if (g->logf)
				log_frame(g->logf, g->o.log,
					  tools_clock_ns(CLOCK_REALTIME),
					  g->o.iface, &g->held);
			continue;
		}
		if (ret == -EINTR)
			continue;
		if (ret == -ENOBUFS || ret == -EAGAIN) {
			if (now - g->held_since >= g->o.wait_ms * 1000000ll) {
				g->st.full++;
				g->has_held = 0;
				if (g->st.full == 1 || g->o.verbose)
					warn("%s: transmit queue full for %d "
					     "ms, dropping a frame (counted)",
					     g->o.iface, g->o.wait_ms);
				return;
			}
			g->retry_at = now + g->retry_backoff;
			if (g->retry_backoff < 50000000)
				g->retry_backoff *= 2;
			return;
		}
		if (ret == -ENETDOWN) {
			g->st.down++;
			g->has_held = 0;
			link_lost(g, LINK_DOWN, now, "interface down");
			return;
		}
		if (ret == -ENODEV || ret == -ENXIO) {
			g->st.gone++;
			g->has_held = 0;
			link_lost(g, LINK_GONE, now, "interface removed");
			return;
		}
		errno = -ret;
		die_perror("write to %s", g->o.iface);
	}
}

/* ---------------------------------------------------------------------
 * Input: lines from a descriptor, read as they come.
 */
struct input {
	int fd;
	const char *name;
	char buf[65536];
	size_t len;
	unsigned long line, skipped;
	int eof, overlong;
};

static void dry_run_until(struct gw *g, int64_t until);
static void drain(struct gw *g, int64_t now);

static void take_record(struct gw *g, struct input *in, const char *line,
			size_t len, int64_t now)
{
	struct cs_canplan_stats after;
	struct cs_record rec;
	const char *why = NULL;
	unsigned int col;
	int ret;

	if (len == 0)
		return;
	/* a NUL byte is refused here, "NUL byte in line" at column 1 */
	ret = cs_record_parse_len(line, len, &rec, &col, &why);
	if (ret == -ENOMSG)
		return;
	if (ret) {
		in->skipped++;
		warn("%s:%lu:%u: %s", in->name, in->line, col, why);
		return;
	}
	g->st.records++;
	/* A record of a new time: the frames of the time before are
	 * complete, send them (live; a dry run does so below). */
	if (!g->o.dry_run && g->has_time && rec.time_ns != g->last_time)
		drain(g, now);
	g->last_time = rec.time_ns;
	g->has_time = 1;
	if (g->o.dry_run) {
		now = rec.time_ns;
		if (now > g->last_rec_ns) {
			dry_run_until(g, now - 1);
			g->last_rec_ns = now;
		}
	}
	ret = cs_canplan_push(g->plan, &rec, now, &why);
	cs_canplan_stats(g->plan, &after);
	if (after.replans != g->replans)
		warn("plan: %zu kinds of record now (%s %s is new): periods "
		     "stretched x%.2f to fit, planned load %.2f%%", after.slots,
		     rec.source, rec.quantity, after.stretch,
		     after.planned_load * 100);
	if (ret == -ENOENT) {
		count_unmapped(g, &rec, in->name, in->line);
	} else if (ret == -ENOSPC) {
		g->st.over_slots++;
		if (g->st.over_slots == 1 || g->o.verbose)
			warn("%s:%lu: %s %s: more than %ld kinds of record, "
			     "not sent (counted)", in->name, in->line,
			     rec.source, rec.quantity, g->o.max_slots);
	} else if (ret & CS_CAN_CLAMPED) {
		g->st.clamped++;
		if (g->st.clamped <= 10 || g->o.verbose)
			warn("%s:%lu: %s %s: a value is outside its DBC "
			     "signal's range, clamped", in->name, in->line,
			     rec.source, rec.quantity);
	} else if (ret < 0) {
		g->st.rejected++;
		warn("%s:%lu: %s %s %s: %s (not sent)", in->name, in->line,
		     rec.source, rec.quantity, rec.unit,
		     why ? why : strerror(-ret));
	}
	if (after.unfilled_signal && !g->unfilled_signal)
		warn("%s:%lu: %s %s: its frame has signal %s, which can say "
		     "neither a value nor 'not available' (no free code): "
		     "sent as raw 0 while no record fills it (counted)",
		     in->name, in->line, rec.source, rec.quantity,
		     after.unfilled_signal);
	g->replans = after.replans;
	g->unfilled_signal = after.unfilled_signal;
	/* Frames go when the records of their time are all in (a record of
	 * another time came, or live, the read is done): a frame gathers
	 * its signals. */
}

/* Read once (the descriptor was readable) and take the whole lines. */
static void read_input(struct gw *g, struct input *in, int64_t now)
{
	ssize_t n;
	char *p, *nl;

	n = read(in->fd, in->buf + in->len, sizeof(in->buf) - 1 - in->len);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		die_perror("%s", in->name);
	}
	if (n == 0) {
		in->eof = 1;
		if (in->len) {		/* a last line without newline */
			in->buf[in->len] = '\0';
			in->line++;
			if (!in->overlong)
				take_record(g, in, in->buf, strlen(in->buf),
					    now);
			in->len = 0;
		}
		if (!g->o.dry_run)
			drain(g, now);
		return;
	}
	in->len += (size_t)n;
	p = in->buf;
	while ((nl = memchr(p, '\n', in->len - (size_t)(p - in->buf)))) {
		size_t len = (size_t)(nl - p);

		in->line++;
		if (len && p[len - 1] == '\r')
			len--;
		if (in->overlong)
			in->overlong = 0;
		else
			take_record(g, in, p, len, now);
		p = nl + 1;
	}
	if (!g->o.dry_run)
		drain(g, now);	/* as soon as it may go: least latency */
	in->len -= (size_t)(p - in->buf);
	memmove(in->buf, p, in->len);
	if (in->len == sizeof(in->buf) - 1) {
		/* a line longer than the buffer: skip it to its end */
		in->skipped++;
		warn("%s:%lu:1: line longer than %zu bytes", in->name,
		     in->line + 1, sizeof(in->buf) - 1);
		in->overlong = 1;
		in->len = 0;
	}
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* Dry run: let record time run on to @until, writing the frames that
 * fall due on the way, each at its time. */
static void dry_run_until(struct gw *g, int64_t until)
{
	struct cs_can_frame f;
	int64_t now = g->last_rec_ns, next;

	for (;;) {
		if (cs_canplan_next(g->plan, now, &f, &next) == 1) {
			log_frame(stdout, "<stdout>", now, g->o.iface, &f);
			if (g->logf)
				log_frame(g->logf, g->o.log, now, g->o.iface,
					  &f);
			g->st.sent++;
			continue;
		}
		if (next == INT64_MAX || next > until)
			break;
		now = next > now ? next : now;
	}
}

int main(int argc, char **argv)
{
	struct cs_canplan_config pc;
	struct cs_canmap *map;
	struct cs_dbc *dbc;
	struct input *in;
	struct gw g;
	int64_t end_by = -1;
	double bitrate;
	int status;

	tools_set_progname(argv[0]);
	memset(&g, 0, sizeof(g));
	parse_args(argc, argv, &g.o);
	tools_install_signals();
	tools_can_load(g.o.dbc, g.o.map, &dbc, &map);
	g.fd = -1;
	g.outage_ns = -1;
	g.restart_backoff = 100000000;

	if (g.o.setup)
		setup_iface(&g.o);
	bitrate = g.o.bitrate > 0 ? (double)g.o.bitrate : 0;
	if (!g.o.dry_run) {
		struct can_bittiming bt;
		__u32 rms = 0;
		int state;

		g.open_flags = CS_CAN_OPEN_NONBLOCK | CS_CAN_OPEN_ERRORS;
		for (size_t i = 0; i < cs_dbc_message_count(dbc); i++)
			if (cs_dbc_message_at(dbc, i)->dlc > 8)
				g.open_flags |= CS_CAN_OPEN_FD;
		if (open_socket(&g) == -ENODEV)
			die("%s: no such network interface", g.o.iface);
		if (g.fd == -EMEDIUMTYPE)
			die("%s: not a CAN interface", g.o.iface);
		if (g.fd < 0) {
			errno = -g.fd;
			die_perror("%s: cannot open a CAN_RAW socket",
				   g.o.iface);
		}
		memset(&bt, 0, sizeof(bt));
		if (!bitrate && !can_get_bittiming(g.o.iface, &bt) &&
		    bt.bitrate)
			bitrate = bt.bitrate;
		if (!can_get_restart_ms(g.o.iface, &rms))
			g.kernel_restarts = rms > 0;
		if (cs_can_iface_up(g.o.iface) == 0)
			link_lost(&g, LINK_DOWN, 0, "at start");
		else if (!can_get_state(g.o.iface, &state) &&
			 state == CAN_STATE_BUS_OFF)
			link_lost(&g, LINK_BUSOFF, 0, "at start");
		if (g.link != LINK_UP)
			g.outage_ns = tools_clock_ns(CLOCK_MONOTONIC);
	}
	if (!bitrate) {
		bitrate = 500000;
		warn("plan: bit rate of %s unknown%s, assuming %.0f bit/s "
		     "(give --bitrate)", g.o.iface, g.o.dry_run ? " (dry run)" :
		     " (vcan?)", bitrate);
	}
	memset(&pc, 0, sizeof(pc));
	pc.bitrate = bitrate;
	pc.data_bitrate = g.o.data_bitrate > 0 ? (double)g.o.data_bitrate : 0;
	pc.load_max = g.o.load_max / 100;
	pc.period_ns = (int64_t)g.o.period_ms * 1000000;
	pc.policy = g.o.policy;
	pc.max_slots = (size_t)g.o.max_slots;
	g.plan = cs_canplan_create(map, &pc);
	if (!g.plan)
		die_perror("cs_canplan_create");
	print_plan(&g, map, bitrate, pc.data_bitrate);

	in = calloc(1, sizeof(*in));
	if (!in)
		die_perror("calloc");
	in->name = g.o.file ? g.o.file : "<stdin>";
	in->fd = 0;
	if (g.o.file) {
		in->fd = open(g.o.file, O_RDONLY | O_CLOEXEC);
		if (in->fd < 0)
			die_perror("%s", g.o.file);
	}
	if (g.o.log) {
		g.logf = fopen(g.o.log, "w");
		if (!g.logf)
			die_perror("%s", g.o.log);
		setvbuf(g.logf, NULL, _IOLBF, 0);
	}
	if (g.o.stats_ms)
		g.stats_at = tools_clock_ns(CLOCK_MONOTONIC) +
			     g.o.stats_ms * 1000000;

	while (!tools_stop) {
		struct pollfd pfd[2];
		int64_t now = tools_clock_ns(CLOCK_MONOTONIC), wake = INT64_MAX;
		int64_t next = INT64_MAX;
		nfds_t n = 0;
		int timeout;

		if (!g.o.dry_run) {
			check_link(&g, now);
			do_restart(&g, now);
			drain(&g, now);
			if (g.link == LINK_UP && !g.has_held) {
				if (cs_canplan_next(g.plan, now, &g.held,
						    &next) == 1) {
					g.has_held = 1;
					g.held_since = now;
					g.retry_backoff = 1000000;
					g.retry_at = now;
					continue;
				}
				/* the end: go when all is out */
				if (in->eof && next == INT64_MAX)
					break;
				wake = min64(wake, next);
			}
			if (in->eof && g.link != LINK_UP) {
				/* or when the link has kept it too long */
				if (end_by < 0)
					end_by = now + g.o.wait_ms * 1000000ll;
				if (now >= end_by) {
					warn("%s: still %s at the end of "
					     "input; records not sent",
					     g.o.iface, link_names[g.link]);
					break;
				}
				wake = min64(wake, end_by);
			}
			if (g.has_held)
				wake = min64(wake, g.retry_at);
			if (g.link == LINK_DOWN || g.link == LINK_GONE)
				wake = min64(wake, g.check_at);
			if (g.link == LINK_BUSOFF && g.restart_at &&
			    !g.kernel_restarts)
				wake = min64(wake, g.restart_at);
			if (g.o.stats_ms) {
				if (now >= g.stats_at) {
					print_counts(&g, "status: sent",
						     in->skipped);
					g.stats_at = now + g.o.stats_ms *
						     1000000;
				}
				wake = min64(wake, g.stats_at);
			}
			if (g.fd >= 0) {
				pfd[n].fd = g.fd;
				pfd[n++].events = POLLIN;
			}
		} else if (in->eof) {
			break;
		}
		if (!in->eof) {
			pfd[n].fd = in->fd;
			pfd[n++].events = POLLIN;
		}
		timeout = -1;
		if (wake != INT64_MAX)
			timeout = wake <= now ? 0 :
				  (int)min64((wake - now + 999999) / 1000000,
					     1000);
		if (poll(pfd, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			die_perror("poll");
		}
		now = tools_clock_ns(CLOCK_MONOTONIC);
		for (nfds_t k = 0; k < n; k++) {
			if (!pfd[k].revents)
				continue;
			if (pfd[k].fd == in->fd && !in->eof)
				read_input(&g, in, now);
			else if (pfd[k].fd == g.fd)
				read_socket(&g, now);
		}
	}
	if (g.o.dry_run)
		dry_run_until(&g, INT64_MAX);
	if (g.link != LINK_UP && g.outage_ns >= 0)
		g.st.gap_ns += tools_clock_ns(CLOCK_MONOTONIC) - g.outage_ns;
	if (g.has_held)
		g.st.full++;
	if (fflush(stdout) || ferror(stdout))
		die_perror("<stdout>");
	if (g.logf && fclose(g.logf))
		die_perror("%s", g.o.log);
	summary(&g, in->skipped);

	status = EXIT_OK;
	if (in->skipped || g.st.rejected || g.st.over_slots)
		status = EXIT_BADINPUT;
	if (g.st.down || g.st.full || g.st.gone)
		status = EXIT_FAIL;
	{
		struct cs_canplan_stats ps;

		/* records still folded in slots at the end: not sent */
		cs_canplan_stats(g.plan, &ps);
		if (!g.o.dry_run && ps.waiting) {
			warn("%llu records folded but not sent",
			     (unsigned long long)ps.waiting);
			status = EXIT_FAIL;
		}
	}
	if (in->fd > 0)
		close(in->fd);
	free(in);
	cs_canplan_destroy(g.plan);
	cs_canmap_destroy(map);
	cs_dbc_destroy(dbc);
	if (g.fd >= 0)
		close(g.fd);
	return status;
}
