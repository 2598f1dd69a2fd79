// SPDX-License-Identifier: GPL-2.0-or-later
/* can2sense: CAN frames (a candump log, or live) back to records. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cellsense-can.h"
#include "tools-common.h"

static const char usage[] =
"Usage: can2sense [OPTIONS] [FILE]\n"
"Decode CAN frames into measurement records on standard output, using a\n"
"DBC file and the map sense2can uses. Frames come from a candump log in\n"
"FILE (or standard input): candump -L lines '(SEC.USEC) IFACE ID#DATA' or\n"
"candump's screen lines 'IFACE ID [N] XX XX ...'; or, with -i, live from\n"
"a SocketCAN interface.\n"
"\n"
"Options:\n"
"  -i, --interface=IFACE  read frames live from IFACE until interrupted\n"
"  -d, --dbc=FILE         DBC database (default: cellsense.dbc in the data\n"
"                         directory)\n"
"  -m, --map=FILE         map (default: cellsense.map there)\n"
"  -v, --verbose          report every frame that gives no record\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"Frames whose identifier is not in the DBC, and frames that no map line\n"
"names, are counted; remote requests and error frames (by class) are\n"
"counted, never decoded; a summary goes to standard error at the end.\n"
"Lines without a timestamp get the time they were read.\n"
"\n"
"Exit status: 0 success; 1 could not read or write; 2 usage error;\n"
"3 input lines were skipped, or candump said it dropped frames.\n";

static const struct option longopts[] = {
	{ "interface", required_argument, NULL, 'i' },
	{ "dbc", required_argument, NULL, 'd' },
	{ "map", required_argument, NULL, 'm' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

struct options {
	const char *dbc, *map, *iface, *file;
	int verbose;
};

/* Error frame classes, as <linux/can/error.h> numbers them (id bits). */
static const char *const err_classes[] = {
	"tx-timeout", "lost-arbitration", "controller", "protocol",
	"transceiver", "no-ack", "bus-off", "bus-error", "restarted",
	"counters",
};
/* a candump line is under 200 bytes; far longer is no candump log */
#define CANDUMP_LINE_MAX 4096u
#define NCLASSES (sizeof(err_classes) / sizeof(*err_classes))

struct stats {
	unsigned long frames, records, unknown_id, unmapped, skipped;
	unsigned long remote, errors, dropped;
	unsigned long err_class[NCLASSES];
};

static void parse_args(int argc, char **argv, struct options *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "i:d:m:vhV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'i':
			o->iface = optarg;
			break;
		case 'd':
			o->dbc = optarg;
			break;
		case 'm':
			o->map = optarg;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			tools_help(usage);
		case 'V':
			tools_version();
		default:
			die_usage("unknown option");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1 || (argc == 1 && o->iface))
		die_usage("too many arguments");
	o->file = argc ? argv[0] : NULL;
}

static void frame_name(const struct cs_can_frame *f, char *buf, size_t size)
{
	snprintf(buf, size, f->extended ? "%08X" : "%03X", f->id);
}

/* Decode one frame and write its records. */
static void handle(const struct options *o, const struct cs_canmap *map,
		   const struct cs_can_frame *f, int64_t t, struct stats *st,
		   const char *where)
{
	struct cs_record recs[64];
	char id[16];
	int n, i;

	st->frames++;
	if (f->flags & CS_CAN_FLAG_ERR) {	/* never values: counted */
		st->errors++;
		for (i = 0; i < (int)NCLASSES; i++)
			if (f->id >> i & 1)
				st->err_class[i]++;
		if (o->verbose)
			warn("%s: error frame, class bits 0x%X (counted)",
			     where, f->id);
		return;
	}
	if (f->flags & CS_CAN_FLAG_RTR) {
		st->remote++;
		if (o->verbose)
			warn("%s: remote request (no data: counted)", where);
		return;
	}
	n = cs_canmap_decode(map, f, t, recs, 64);
	if (n == -ENOENT) {
		st->unknown_id++;
		if (o->verbose || st->unknown_id == 1) {
			frame_name(f, id, sizeof(id));
			warn("%s: id %s is not in the DBC (counted)", where,
			     id);
		}
		return;
	}
	if (n <= 0) {
		st->unmapped++;
		if (o->verbose || st->unmapped == 1) {
			frame_name(f, id, sizeof(id));
			warn("%s: no map line gives a record for frame %s "
			     "(counted)", where, id);
		}
		return;
	}
	for (i = 0; i < n; i++) {
		int ret = cs_record_write(stdout, &recs[i]);

		if (ret) {
			errno = -ret;
			die_perror("<stdout>");
		}
		st->records++;
	}
}

static void read_log(const struct options *o, const struct cs_canmap *map,
		     FILE *in, const char *name, struct stats *st)
{
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	long len;

	while (!tools_stop) {
		struct cs_can_frame f;
		char iface[64], where[PATH_MAX + 32];
		const char *why;
		unsigned int col;
		int64_t t;
		int ret;

		len = cs_line_read(in, &line, &cap, CANDUMP_LINE_MAX);
		if (len == -EINTR) {
			clearerr(in);
			continue;
		}
		if (len == -EFBIG)
			die("%s:%lu: line longer than %u bytes: not a candump "
			    "log", name, lineno + 1, CANDUMP_LINE_MAX);
		if (len < 0) {
			errno = (int)-len;
			die_perror("%s: line %lu", name, lineno + 1);
		}
		if (!len)
			break;
		lineno++;
		if ((size_t)len != strlen(line)) {
			warn("%s:%lu:%zu: NUL byte in line", name, lineno,
			     strlen(line) + 1);
			st->skipped++;
			continue;
		}
		ret = cs_candump_parse(line, &f, &t, iface, sizeof(iface),
				       &col, &why);
		if (ret == -ENOMSG)
			continue;
		if (ret == -EOVERFLOW) {
			unsigned long n = 0;

			cs_candump_drops(line, &n);
			st->dropped += n;
			warn("%s:%lu: candump says %lu frame%s dropped before "
			     "it (counted)", name, lineno, n,
			     n == 1 ? " was" : "s were");
			continue;
		}
		if (ret) {
			warn("%s:%lu:%u: %s", name, lineno, col, why);
			st->skipped++;
			continue;
		}
		snprintf(where, sizeof(where), "%s:%lu", name, lineno);
		handle(o, map, &f, t < 0 ? tools_clock_ns(CLOCK_REALTIME) : t,
		       st, where);
	}
	free(line);
}

static void read_live(const struct options *o, const struct cs_canmap *map,
		      const struct cs_dbc *dbc, struct stats *st)
{
	unsigned int flags = CS_CAN_OPEN_RECV;
	int fd;

	for (size_t i = 0; i < cs_dbc_message_count(dbc); i++)
		if (cs_dbc_message_at(dbc, i)->dlc > 8)
			flags |= CS_CAN_OPEN_FD;
	fd = cs_can_open(o->iface, flags);
	if (fd == -ENODEV)
		die("%s: no such network interface", o->iface);
	if (fd == -EMEDIUMTYPE)
		die("%s: not a CAN interface", o->iface);
	if (fd < 0) {
		errno = -fd;
		die_perror("%s: cannot open a CAN_RAW socket", o->iface);
	}
	if (cs_can_iface_up(o->iface) == 0)
		warn("%s: interface is down; waiting for frames anyway",
		     o->iface);
	while (!tools_stop) {
		struct cs_can_frame f;
		int64_t t;
		int ret = cs_can_recv(fd, &f, &t);

		if (ret == -EINTR || ret == -EAGAIN)
			continue;
		if (ret == -ENETDOWN) {
			warn("%s: interface went down", o->iface);
			continue;
		}
		if (ret) {
			errno = -ret;
			die_perror("read from %s", o->iface);
		}
		handle(o, map, &f, t, st, o->iface);
		/* Live: records as they come, not when a buffer fills. */
		if (fflush(stdout))
			die_perror("<stdout>");
	}
	close(fd);
}

int main(int argc, char **argv)
{
	struct cs_canmap *map;
	struct cs_dbc *dbc;
	struct options o;
	struct stats st;
	FILE *in = stdin;
	const char *name;

	tools_set_progname(argv[0]);
	parse_args(argc, argv, &o);
	tools_install_signals();
	memset(&st, 0, sizeof(st));
	tools_can_load(o.dbc, o.map, &dbc, &map);
	name = o.file ? o.file : "<stdin>";
	if (o.file) {
		in = fopen(o.file, "r");
		if (!in)
			die_perror("%s", o.file);
	}
	if (printf("%s\n", cs_record_header()) < 0)
		die_perror("<stdout>");
	if (o.iface)
		read_live(&o, map, dbc, &st);
	else
		read_log(&o, map, in, name, &st);
	if (fflush(stdout) || ferror(stdout))
		die_perror("<stdout>");
	warn("%lu frame%s read, %lu record%s written; %lu with an id not in "
	     "the DBC, %lu unmapped, %lu bad line%s skipped", st.frames,
	     st.frames == 1 ? "" : "s", st.records,
	     st.records == 1 ? "" : "s", st.unknown_id, st.unmapped,
	     st.skipped, st.skipped == 1 ? "" : "s");
	if (st.remote || st.errors || st.dropped) {
		char classes[256] = "";
		size_t used = 0;

		for (size_t k = 0; k < NCLASSES; k++)
			if (st.err_class[k] && used < sizeof(classes))
				used += (size_t)snprintf(classes + used,
					sizeof(classes) - used, "%s%s %lu",
					used ? ", " : " (", err_classes[k],
					st.err_class[k]);
		if (used && used < sizeof(classes) - 1)
			strcat(classes, ")");
		warn("%lu remote request%s, %lu error frame%s%s; %lu frame%s "
		     "dropped by candump (DROPCOUNT)", st.remote,
		     st.remote == 1 ? "" : "s", st.errors,
		     st.errors == 1 ? "" : "s", classes, st.dropped,
		     st.dropped == 1 ? "" : "s");
	}
	if (in != stdin)
		fclose(in);
	cs_canmap_destroy(map);
	cs_dbc_destroy(dbc);
	return st.skipped || st.dropped ? EXIT_BADINPUT : EXIT_OK;
}
