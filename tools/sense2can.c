// SPDX-License-Identifier: GPL-2.0-or-later
/* sense2can: measurement records in, CAN frames out (SocketCAN). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cellsense-can.h"
#include "tools-common.h"

static const char usage[] =
"Usage: sense2can [OPTIONS] IFACE [FILE]\n"
"Send measurement records from FILE (or standard input) as CAN frames on\n"
"the SocketCAN interface IFACE, laid out by a DBC file and a map.\n"
"\n"
"Options:\n"
"  -d, --dbc=FILE      DBC database (default: cellsense.dbc in the data\n"
"                      directory)\n"
"  -m, --map=FILE      record-to-frame map (default: cellsense.map there)\n"
"  -n, --dry-run       write the frames to standard output as a candump log\n"
"                      instead of sending them; IFACE is only a name in the\n"
"                      log then, and may be left out (can0)\n"
"  -l, --log=FILE      also write a candump log of the frames sent\n"
"  -w, --wait=MS       wait at most MS ms for room in a full transmit queue\n"
"                      before dropping a frame (default 100, 0..10000)\n"
"  -v, --verbose       report every unmapped record and dropped frame\n"
"  -h, --help          show this help and exit\n"
"  -V, --version       show the version and exit\n"
"\n"
"Frames that cannot be sent (interface down, queue still full) are\n"
"dropped and counted, so the pipeline upstream never stalls. Records that\n"
"no map line matches are counted and named. A summary goes to standard\n"
"error at the end.\n"
"\n"
"Exit status: 0 all sent; 1 could not start, or frames were dropped;\n"
"2 usage error; 3 input lines were skipped or records not sent.\n";

static const struct option longopts[] = {
	{ "dbc", required_argument, NULL, 'd' },
	{ "map", required_argument, NULL, 'm' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "log", required_argument, NULL, 'l' },
	{ "wait", required_argument, NULL, 'w' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

struct options {
	const char *dbc, *map, *log, *iface, *file;
	int dry_run, verbose;
	int wait_ms;
};

#define MAX_UNMAPPED_KINDS 32

struct unmapped_kind {
	char source[CS_RECORD_SOURCE_MAX];
	char quantity[CS_RECORD_QUANTITY_MAX];
	unsigned long count;
};

struct stats {
	unsigned long records, sent, unmapped, rejected, clamped;
	unsigned long down, full;
	size_t nkinds;
	struct unmapped_kind kinds[MAX_UNMAPPED_KINDS];
	unsigned long other_kinds;
};

static void parse_args(int argc, char **argv, struct options *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->wait_ms = 100;
	while ((c = getopt_long(argc, argv, "d:m:nl:w:vhV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'd':
			o->dbc = optarg;
			break;
		case 'm':
			o->map = optarg;
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
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(EXIT_OK);
		case 'V':
			print_version();
			exit(EXIT_OK);
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
	if (strlen(o->iface) >= 16 || !*o->iface)
		die_usage("interface name '%s' is not 1 to 15 characters",
			  o->iface);
}

/* The DBC and map, from the options or the data directory. */
static void load(const struct options *o, struct cs_dbc **dbc,
		 struct cs_canmap **map)
{
	char dpath[PATH_MAX], mpath[PATH_MAX];
	const char *dp = o->dbc, *mp = o->map;
	struct cs_can_error err;

	if (!dp) {
		if (cs_can_find_data("cellsense.dbc", dpath, sizeof(dpath)))
			die("cellsense.dbc not found in the data directory "
			    "(give one with --dbc)");
		dp = dpath;
	}
	if (!mp) {
		if (cs_can_find_data("cellsense.map", mpath, sizeof(mpath)))
			die("cellsense.map not found in the data directory "
			    "(give one with --map)");
		mp = mpath;
	}
	*dbc = cs_dbc_create_from_file(dp, &err);
	if (!*dbc) {
		if (err.line)
			die("%s:%lu:%u: %s", dp, err.line, err.column,
			    err.why);
		die_perror("%s", dp);
	}
	*map = cs_canmap_create_from_file(mp, *dbc, &err);
	if (!*map) {
		if (err.line)
			die("%s:%lu:%u: %s", mp, err.line, err.column,
			    err.why);
		die_perror("%s", mp);
	}
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

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

/* Send one frame: 1 if sent, 0 if dropped (and counted). */
static int send_frame(const struct options *o, int fd,
		      const struct cs_can_frame *frame, struct stats *st,
		      int *down)
{
	int ret, tries = 0;

	for (;;) {
		ret = cs_can_send(fd, frame);
		if (ret == 0) {
			if (*down)
				warn("%s: sending again", o->iface);
			*down = 0;
			return 1;
		}
		if (ret == -EINTR && !tools_stop)
			continue;
		if ((ret == -ENOBUFS || ret == -EAGAIN) && tries++ == 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			/* The queue is full: wait a little for room. */
			if (poll(&pfd, 1, o->wait_ms) < 0 && errno != EINTR)
				die_perror("poll");
			continue;
		}
		break;
	}
	switch (ret) {
	case -ENOBUFS:
	case -EAGAIN:
		st->full++;
		if (st->full == 1 || o->verbose)
			warn("%s: transmit queue full for %d ms, dropping "
			     "frames (counted)", o->iface, o->wait_ms);
		return 0;
	case -ENETDOWN:
		st->down++;
		if (!*down || o->verbose)
			warn("%s: interface is down (%s), dropping frames "
			     "until it is up (counted)", o->iface,
			     strerror(-ret));
		*down = 1;
		return 0;
	case -EINTR:
		return 0;
	default:
		errno = -ret;
		die_perror("write to %s", o->iface);
	}
}

static void count_unmapped(const struct options *o, struct stats *st,
			   const struct cs_record *rec, const char *name,
			   unsigned long line)
{
	size_t i;

	st->unmapped++;
	for (i = 0; i < st->nkinds; i++)
		if (!strcmp(st->kinds[i].source, rec->source) &&
		    !strcmp(st->kinds[i].quantity, rec->quantity)) {
			st->kinds[i].count++;
			if (o->verbose)
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

static void summary(const struct options *o, const struct stats *st,
		    unsigned long skipped)
{
	size_t i;

	for (i = 0; i < st->nkinds; i++)
		warn("unmapped: %s %s: %lu record%s", st->kinds[i].source,
		     st->kinds[i].quantity, st->kinds[i].count,
		     st->kinds[i].count == 1 ? "" : "s");
	if (st->other_kinds)
		warn("unmapped: %lu more records of other kinds",
		     st->other_kinds);
	warn("%s %lu frame%s on %s; %lu record%s read, %lu unmapped, "
	     "%lu rejected, %lu clamped, %lu bad line%s skipped; dropped "
	     "%lu (interface down) + %lu (queue full)",
	     o->dry_run ? "dry run: wrote" : "sent", st->sent,
	     st->sent == 1 ? "" : "s", o->iface, st->records,
	     st->records == 1 ? "" : "s", st->unmapped, st->rejected,
	     st->clamped, skipped, skipped == 1 ? "" : "s", st->down,
	     st->full);
}

int main(int argc, char **argv)
{
	struct cs_record_reader *reader;
	struct cs_canmap *map;
	struct cs_dbc *dbc;
	struct options o;
	struct stats st;
	const char *name;
	FILE *in = stdin, *logf = NULL;
	unsigned long skipped;
	int fd = -1, down = 0, ret, status;

	tools_set_progname(argv[0]);
	parse_args(argc, argv, &o);
	tools_install_signals();
	memset(&st, 0, sizeof(st));
	load(&o, &dbc, &map);

	if (!o.dry_run) {
		unsigned int flags = CS_CAN_OPEN_NONBLOCK;

		for (size_t i = 0; i < cs_dbc_message_count(dbc); i++)
			if (cs_dbc_message_at(dbc, i)->dlc > 8)
				flags |= CS_CAN_OPEN_FD;
		fd = cs_can_open(o.iface, flags);
		if (fd == -ENODEV)
			die("%s: no such network interface", o.iface);
		if (fd == -EMEDIUMTYPE)
			die("%s: not a CAN interface", o.iface);
		if (fd < 0) {
			errno = -fd;
			die_perror("%s: cannot open a CAN_RAW socket",
				   o.iface);
		}
		if (cs_can_iface_up(o.iface) == 0) {
			warn("%s: interface is down; frames will be dropped "
			     "(counted) until it is up", o.iface);
			down = 1;
		}
	}
	name = o.file ? o.file : "<stdin>";
	if (o.file) {
		in = fopen(o.file, "r");
		if (!in)
			die_perror("%s", o.file);
	}
	if (o.log) {
		logf = fopen(o.log, "w");
		if (!logf)
			die_perror("%s", o.log);
		setvbuf(logf, NULL, _IOLBF, 0);
	}
	reader = cs_record_reader_create(in);
	if (!reader)
		die_perror("cs_record_reader_create");

	while (!tools_stop) {
		struct cs_record rec;
		struct cs_can_frame frame;
		const char *why = NULL;
		unsigned long line;
		unsigned int col;

		ret = cs_record_reader_next(reader, &rec);
		line = cs_record_reader_line(reader);
		if (ret == 0)
			break;
		if (ret == -EBADMSG) {
			why = cs_record_reader_error(reader, &col);
			warn("%s:%lu:%u: %s", name, line, col, why);
			continue;
		}
		if (ret == -EINTR)
			continue;
		if (ret < 0)
			die("%s: %s", name, strerror(-ret));
		st.records++;
		ret = cs_canmap_encode(map, &rec, &frame, &why);
		if (ret == -ENOENT) {
			count_unmapped(&o, &st, &rec, name, line);
			continue;
		}
		if (ret < 0) {
			st.rejected++;
			warn("%s:%lu: %s %s %s: %s (not sent)", name, line,
			     rec.source, rec.quantity, rec.unit,
			     why ? why : strerror(-ret));
			continue;
		}
		if (ret & CS_CAN_CLAMPED) {
			st.clamped++;
			if (st.clamped <= 10 || o.verbose)
				warn("%s:%lu: %s %s: a value is outside its "
				     "DBC signal's range, clamped", name,
				     line, rec.source, rec.quantity);
		}
		if (o.dry_run) {
			log_frame(stdout, "<stdout>", rec.time_ns, o.iface,
				  &frame);
			st.sent++;
		} else if (send_frame(&o, fd, &frame, &st, &down)) {
			st.sent++;
			if (logf)
				log_frame(logf, o.log, now_ns(), o.iface,
					  &frame);
			continue;
		} else {
			continue;
		}
		if (logf)
			log_frame(logf, o.log, rec.time_ns, o.iface, &frame);
	}
	skipped = cs_record_reader_skipped(reader);
	if (fflush(stdout) || ferror(stdout))
		die_perror("<stdout>");
	if (logf && fclose(logf))
		die_perror("%s", o.log);
	summary(&o, &st, skipped);

	status = EXIT_OK;
	if (skipped || st.rejected)
		status = EXIT_BADINPUT;
	if (st.down || st.full)
		status = EXIT_FAIL;
	cs_record_reader_destroy(reader);
	if (in != stdin)
		fclose(in);
	cs_canmap_destroy(map);
	cs_dbc_destroy(dbc);
	return status;
}
