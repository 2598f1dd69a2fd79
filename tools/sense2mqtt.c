// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sense2mqtt: measurement records in, batches published to an MQTT broker
 * (QoS 1, persistent session), kept in a bounded on-disk queue until the
 * store has confirmed them.
 *
 * Every batch is written to the queue before it is published, and leaves
 * it only when mqtt2pg says it committed it (--ack store, the default) or
 * when the broker has it (--ack broker). So a broker that is away, a
 * broker that lost what it had, a store that is away and a restart of
 * sense2mqtt itself all end the same way: the batch is sent again, in
 * order, and the store's idempotent insert drops what it already has.
 * One thread, one poll() loop over the input and the broker's socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#include "cellsense.h"
#include "tools-common.h"
#include "tools-mqtt.h"

static const char usage[] =
"Usage: sense2mqtt [OPTIONS] -Q DIR [FILE]\n"
"Publish measurement records from FILE (or standard input) to an MQTT\n"
"broker in batches, through a bounded on-disk queue that keeps them until\n"
"the store (mqtt2pg) has them.\n"
"\n"
"Options:\n"
"  -r, --rig=NAME        the rig, first level under the prefix (default: the\n"
"                        host name)\n"
"  -t, --topic-prefix=P  topic prefix (default cellsense): batches go to\n"
"                        P/RIG/records\n"
"  -Q, --queue=DIR       the on-disk queue (created; resumed when it holds\n"
"                        batches of an earlier run)\n"
"  -M, --queue-max=SIZE  bound of the queue in bytes, k/M/G suffixes\n"
"                        (default 256M)\n"
"  -D, --drop=POLICY     past the bound while the broker is away: drop the\n"
"                        oldest batches (oldest, default) or the new ones\n"
"                        (newest); counted and reported\n"
"  -b, --batch=N         records a batch at most (default 1000)\n"
"  -l, --linger=MS       a batch goes out after MS ms even when not full\n"
"                        (default 50)\n"
"  -w, --window=N        batches published and not yet acknowledged by the\n"
"                        broker at most (default 32)\n"
"  -a, --ack=WHO         a batch leaves the queue when the store confirms it\n"
"                        (store, default) or when the broker has it (broker)\n"
"  -R, --resend=SEC      send unconfirmed batches again after SEC s without a\n"
"                        confirmation (default 10; doubles while none come)\n"
"  -S, --sync            flush each batch to the disk before it is published\n"
"                        (survives a power cut; a disk flush a batch)\n"
"  -W, --wait=SEC        at the end of input, wait at most SEC s for the\n"
"                        queue to empty (default 30; the rest stays queued)\n"
"  -m, --meta=FILE       a run's metadata (JSON) published, retained, to\n"
"                        P/RIG/run/RUN when connected\n"
"  -n, --run=ID          the run's id (default: start time, UTC)\n"
"  -V, --version         show the version and exit\n"
"      --help            show this help and exit\n"
"\n"
MQTT_HELP
"\n"
"A summary goes to standard error at the end: records read, stored,\n"
"dropped (and by which policy), left in the queue.\n"
"\n"
"Exit status: 0 every record read is confirmed; 1 could not go on, or\n"
"records were dropped or are still queued; 2 usage error; 3 input lines were\n"
"skipped (and everything else confirmed).\n";

enum { ST_NEW = 0, ST_INFLIGHT, ST_ACKED };

struct options {
	struct mqtt_opts mq;
	const char *rig, *prefix, *queue, *file, *meta, *run;
	uint64_t queue_max;
	enum cs_fqueue_drop drop;
	long batch, linger_ms, window, resend_s, wait_s;
	int ack_store, sync;
};

struct gw {
	struct options o;
	struct mqtt_link link;
	struct cs_fqueue *q;
	char topic[256], stored_topic[256], meta_topic[256], run[64];
	char *meta;
	size_t meta_len;
	/* the batch being filled: room for its head line in front */
	char *buf;
	size_t len, cap;
	uint32_t count;
	int64_t first_at;
	/* in flight: the seq of each mid */
	int *mids;
	uint64_t *mid_seqs;
	long inflight;
	int64_t resend_ns, last_confirm;
	/* counts */
	uint64_t read, batches, published, resent, confirmed;
	uint64_t skipped, unknown_confirms, bad_confirms;
};

#define HEAD_ROOM 128

static uint64_t parse_size(const char *s)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end == s || errno || *s == '-')
		die_usage("queue-max: '%s' is not a size", s);
	if (*end == 'k' || *end == 'K')
		mul = 1ULL << 10;
	else if (*end == 'M')
		mul = 1ULL << 20;
	else if (*end == 'G')
		mul = 1ULL << 30;
	else if (*end)
		die_usage("queue-max: '%s': unknown suffix (k, M, G)", s);
	if (*end && end[1])
		die_usage("queue-max: '%s': unknown suffix (k, M, G)", s);
	if (v == 0 || v > (1ULL << 50) / mul)
		die_usage("queue-max: '%s' is out of range", s);
	return v * mul;
}

static void parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "rig", required_argument, NULL, 'r' },
		{ "topic-prefix", required_argument, NULL, 't' },
		{ "queue", required_argument, NULL, 'Q' },
		{ "queue-max", required_argument, NULL, 'M' },
		{ "drop", required_argument, NULL, 'D' },
		{ "batch", required_argument, NULL, 'b' },
		{ "linger", required_argument, NULL, 'l' },
		{ "window", required_argument, NULL, 'w' },
		{ "ack", required_argument, NULL, 'a' },
		{ "resend", required_argument, NULL, 'R' },
		{ "wait", required_argument, NULL, 'W' },
		{ "sync", no_argument, NULL, 'S' },
		{ "meta", required_argument, NULL, 'm' },
		{ "run", required_argument, NULL, 'n' },
		{ "version", no_argument, NULL, 'V' },
		MQTT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	static char host[HOST_NAME_MAX + 1], id[CS_FLEET_ID_MAX + 16];
	int c;

	memset(o, 0, sizeof(*o));
	mqtt_opts_init(&o->mq);
	o->prefix = "cellsense";
	o->queue_max = 256ULL << 20;
	o->batch = 1000;
	o->linger_ms = 50;
	o->window = 32;
	o->ack_store = 1;
	o->resend_s = 10;
	o->wait_s = 30;
	while ((c = getopt_long(argc, argv,
				"r:t:Q:M:D:b:l:w:a:R:W:Sm:n:V" MQTT_SHORTOPTS,
				longopts, NULL)) != -1) {
		if (mqtt_opts_take(&o->mq, c, optarg))
			continue;
		switch (c) {
		case 'r':
			o->rig = optarg;
			break;
		case 't':
			o->prefix = optarg;
			break;
		case 'Q':
			o->queue = optarg;
			break;
		case 'M':
			o->queue_max = parse_size(optarg);
			break;
		case 'D':
			if (!strcmp(optarg, "oldest"))
				o->drop = CS_FQUEUE_DROP_OLDEST;
			else if (!strcmp(optarg, "newest"))
				o->drop = CS_FQUEUE_DROP_NEWEST;
			else
				die_usage("drop: '%s' is not oldest or newest",
					  optarg);
			break;
		case 'b':
			o->batch = parse_long(optarg, "batch", 1, 100000);
			break;
		case 'l':
			o->linger_ms = parse_long(optarg, "linger", 0, 60000);
			break;
		case 'w':
			o->window = parse_long(optarg, "window", 1, 1024);
			break;
		case 'a':
			if (!strcmp(optarg, "store"))
				o->ack_store = 1;
			else if (!strcmp(optarg, "broker"))
				o->ack_store = 0;
			else
				die_usage("ack: '%s' is not store or broker",
					  optarg);
			break;
		case 'R':
			o->resend_s = parse_long(optarg, "resend", 1, 86400);
			break;
		case 'W':
			o->wait_s = parse_long(optarg, "wait", 0, 864000);
			break;
		case 'S':
			o->sync = 1;
			break;
		case 'm':
			o->meta = optarg;
			break;
		case 'n':
			o->run = optarg;
			break;
		case MQTT_OPT_HELP:
			tools_help(usage);
		case 'V':
			tools_version();
		default:
			die_usage("unknown option");	/* getopt said which */
		}
	}
	if (argc - optind > 1)
		die_usage("too many arguments");
	o->file = optind < argc ? argv[optind] : NULL;
	if (!o->queue)
		die_usage("no queue directory given (-Q DIR)");
	if (!o->rig) {
		if (gethostname(host, sizeof(host)))
			die_perror("gethostname");
		host[sizeof(host) - 1] = '\0';
		host[strcspn(host, ".")] = '\0';
		o->rig = host;
	}
	if (!cs_fleet_id_valid(o->rig))
		die_usage("rig: '%s' is not 1 to 63 of A-Z a-z 0-9 _ . -",
			  o->rig);
	if (!*o->prefix || strpbrk(o->prefix, "+#") ||
	    strlen(o->prefix) > 100)
		die_usage("topic-prefix: '%s' is empty, too long or has a "
			  "wildcard", o->prefix);
	if (o->run && !cs_fleet_id_valid(o->run))
		die_usage("run: '%s' is not 1 to 63 of A-Z a-z 0-9 _ . -",
			  o->run);
	snprintf(id, sizeof(id), "sense2mqtt-%s", o->rig);
	mqtt_opts_finish(&o->mq, id);
	if (!cs_fleet_id_valid(o->mq.id))
		die_usage("id: '%s' is not 1 to 63 of A-Z a-z 0-9 _ . - (it "
			  "names the gateway in batches)", o->mq.id);
}

/* ---------------------------------------------------------------------
 * Publishing from the queue.
 */
static void forget_mid(struct gw *g, int mid)
{
	for (long i = 0; i < g->o.window; i++)
		if (g->mids[i] == mid) {
			g->mids[i] = 0;
			g->inflight--;
			return;
		}
}

static void publish_one(struct gw *g, size_t i, int64_t now)
{
	struct cs_fqueue_entry *e = cs_fqueue_at(g->q, i);
	void *data;
	size_t len;
	long slot;
	int mid = 0, rc, err;

	err = cs_fqueue_read(g->q, i, &data, &len);
	if (err) {
		errno = -err;
		die_perror("%s: cannot read batch %" PRIu64, g->o.queue,
			   e->seq);
	}
	rc = mosquitto_publish(g->link.m, &mid, g->topic, (int)len, data, 1,
			       false);
	free(data);
	if (rc == MOSQ_ERR_NO_CONN || rc == MOSQ_ERR_CONN_LOST)
		return;		/* stays new; sent when connected again */
	if (rc != MOSQ_ERR_SUCCESS)
		die("publish to %s: %s", g->topic, mosquitto_strerror(rc));
	for (slot = 0; g->mids[slot]; slot++)
		;
	g->mids[slot] = mid;
	g->mid_seqs[slot] = e->seq;
	g->inflight++;
	if (e->mid)
		g->resent++;
	e->state = ST_INFLIGHT;
	e->mid = mid;
	e->when = now;
	g->published++;
}

/* Publish new batches in order while the window has room. */
static void pump(struct gw *g, int64_t now)
{
	size_t i, n = cs_fqueue_count(g->q);

	for (i = 0; i < n && g->link.connected && g->inflight < g->o.window;
	     i++)
		if (cs_fqueue_at(g->q, i)->state == ST_NEW)
			publish_one(g, i, now);
}

/* Batches the broker or the store should have answered by now go back
 * to new, in their place: sent again in order. */
static void check_resend(struct gw *g, int64_t now)
{
	size_t i, n = cs_fqueue_count(g->q);
	int any = 0;

	if (!g->link.connected)
		return;
	for (i = 0; i < n; i++) {
		struct cs_fqueue_entry *e = cs_fqueue_at(g->q, i);

		if (e->state == ST_NEW || now - e->when < g->resend_ns ||
		    now - g->last_confirm < g->resend_ns)
			continue;
		if (e->state == ST_INFLIGHT)
			forget_mid(g, e->mid);
		e->state = ST_NEW;
		any = 1;
	}
	if (any) {
		warn("no confirmation for %.0f s: sending the unconfirmed "
		     "batches again", g->resend_ns * 1e-9);
		if (g->resend_ns < 8 * g->o.resend_s * 1000000000LL)
			g->resend_ns *= 2;
	}
}

static void on_publish(struct mosquitto *m, void *obj, int mid)
{
	struct mqtt_link *l = obj;
	struct gw *g = l->ctx;
	uint64_t seq = 0;
	long i;

	(void)m;
	for (i = 0; i < g->o.window; i++)
		if (g->mids[i] == mid) {
			seq = g->mid_seqs[i];
			break;
		}
	if (!seq)
		return;		/* a batch resent since: the new mid counts */
	forget_mid(g, mid);
	i = cs_fqueue_find(g->q, seq);
	if (i < 0)
		return;		/* dropped by the policy meanwhile */
	if (!g->o.ack_store) {
		g->confirmed += cs_fqueue_at(g->q, (size_t)i)->records;
		cs_fqueue_remove(g->q, seq);
		return;
	}
	cs_fqueue_at(g->q, (size_t)i)->state = ST_ACKED;
	cs_fqueue_at(g->q, (size_t)i)->when = tools_clock_ns(CLOCK_MONOTONIC);
}

/* The store's list of batches it committed. */
static void on_message(struct mosquitto *m, void *obj,
		       const struct mosquitto_message *msg)
{
	struct mqtt_link *l = obj;
	struct gw *g = l->ctx;
	char gwid[CS_FLEET_ID_MAX];
	const char *why;
	uint64_t seq;
	size_t off;
	int ret;

	(void)m;
	if (strcmp(msg->topic, g->stored_topic))
		return;
	if (cs_stored_head_parse(msg->payload, (size_t)msg->payloadlen, gwid,
				 &off, &why) || strcmp(gwid, g->o.mq.id)) {
		g->bad_confirms++;
		warn("%s: not a confirmation for %s (%s); ignored", msg->topic,
		     g->o.mq.id, strcmp(gwid, g->o.mq.id) ? "other gateway" :
		     why);
		return;
	}
	while ((ret = cs_stored_next(msg->payload, (size_t)msg->payloadlen,
				     &off, &seq, &why))) {
		long i;

		if (ret < 0) {
			g->bad_confirms++;
			warn("%s: %s; ignored", msg->topic, why);
			continue;
		}
		i = cs_fqueue_find(g->q, seq);
		if (i < 0) {
			g->unknown_confirms++;	/* confirmed twice */
			continue;
		}
		if (cs_fqueue_at(g->q, (size_t)i)->state == ST_INFLIGHT)
			forget_mid(g, cs_fqueue_at(g->q, (size_t)i)->mid);
		g->confirmed += cs_fqueue_at(g->q, (size_t)i)->records;
		cs_fqueue_remove(g->q, seq);
	}
	g->last_confirm = tools_clock_ns(CLOCK_MONOTONIC);
	g->resend_ns = g->o.resend_s * 1000000000LL;
}

static void on_up(struct mqtt_link *l, void *ctx)
{
	struct gw *g = ctx;
	int rc;

	if (g->o.ack_store) {
		rc = mosquitto_subscribe(l->m, NULL, g->stored_topic, 1);
		if (rc != MOSQ_ERR_SUCCESS)
			warn("subscribe %s: %s", g->stored_topic,
			     mosquitto_strerror(rc));
	}
	if (g->meta) {
		rc = mosquitto_publish(l->m, NULL, g->meta_topic,
				       (int)g->meta_len, g->meta, 1, true);
		if (rc != MOSQ_ERR_SUCCESS)
			warn("publish %s: %s", g->meta_topic,
			     mosquitto_strerror(rc));
	}
	/* what the confirmations might have said while away: wait anew */
	g->last_confirm = tools_clock_ns(CLOCK_MONOTONIC);
}

/* ---------------------------------------------------------------------
 * Batches from the input.
 */
static void flush_batch(struct gw *g)
{
	char head[HEAD_ROOM];
	int n, err;

	if (!g->count)
		return;
	n = cs_batch_head_format(head, sizeof(head), g->o.mq.id,
				 cs_fqueue_next_seq(g->q), g->count);
	if (n < 0)
		die("cannot make a batch head: %s", strerror(-n));
	memcpy(g->buf + HEAD_ROOM - n, head, (size_t)n);
	err = cs_fqueue_push(g->q, g->buf + HEAD_ROOM - n,
			     (size_t)n + g->len - HEAD_ROOM, g->count);
	if (err && err != -ENOSPC) {
		errno = -err;
		die_perror("%s: cannot queue a batch", g->o.queue);
	}
	g->batches++;
	g->len = HEAD_ROOM;
	g->count = 0;
}

static void take_line(struct gw *g, const char *name, unsigned long lineno,
		      const char *line, int64_t now)
{
	struct cs_record rec;
	unsigned int col;
	const char *why;
	int ret, n;

	ret = cs_record_parse(line, &rec, &col, &why);
	if (ret == -ENOMSG)
		return;
	if (ret) {
		g->skipped++;
		warn("%s:%lu:%u: %s (skipped)", name, lineno, col, why);
		return;
	}
	if (g->cap - g->len < CS_RECORD_LINE_MAX) {
		g->cap *= 2;
		g->buf = realloc(g->buf, g->cap);
		if (!g->buf)
			die_perror("realloc");
	}
	/* the same bytes any tool writes: the record formatted anew */
	n = cs_record_format(g->buf + g->len, g->cap - g->len, &rec);
	if (n < 0)
		die("cannot format a record");
	if (!g->count)
		g->first_at = now;
	g->len += (size_t)n;
	g->count++;
	g->read++;
	if (g->count >= (uint32_t)g->o.batch)
		flush_batch(g);
}

struct input {
	int fd, eof;
	const char *name;
	char buf[65536];
	size_t len;
	unsigned long line;
};

static void read_input(struct gw *g, struct input *in, int64_t now)
{
	ssize_t n = read(in->fd, in->buf + in->len, sizeof(in->buf) - 1 -
			 in->len);
	char *p, *nl;

	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		die_perror("%s", in->name);
	}
	if (n == 0) {
		in->eof = 1;
		if (in->len) {
			in->buf[in->len] = '\0';
			take_line(g, in->name, ++in->line, in->buf, now);
			in->len = 0;
		}
		return;
	}
	in->len += (size_t)n;
	p = in->buf;
	while ((nl = memchr(p, '\n', in->len - (size_t)(p - in->buf)))) {
		*nl = '\0';
		in->line++;
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		if (strlen(p) != (size_t)(nl - p) && nl[-1] != '\0') {
			g->skipped++;
			warn("%s:%lu:1: NUL byte in line (skipped)", in->name,
			     in->line);
		} else if (*p) {
			take_line(g, in->name, in->line, p, now);
		}
		p = nl + 1;
	}
	in->len -= (size_t)(p - in->buf);
	memmove(in->buf, p, in->len);
	if (in->len == sizeof(in->buf) - 1) {
		g->skipped++;
		warn("%s:%lu:1: line longer than %zu bytes (skipped)",
		     in->name, in->line + 1, sizeof(in->buf) - 1);
		in->len = 0;	/* the rest of it is skipped as a bad line */
	}
}

static void default_run(char *buf, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y%m%dT%H%M%SZ", &tm);
}

int main(int argc, char **argv)
{
	struct cs_fqueue_stats qs;
	struct input *in;
	struct gw g;
	int64_t end_by = -1;
	int status;

	tools_set_progname(argv[0]);
	memset(&g, 0, sizeof(g));
	parse_args(argc, argv, &g.o);
	tools_install_signals();
	snprintf(g.topic, sizeof(g.topic), "%s/%s/records", g.o.prefix,
		 g.o.rig);
	snprintf(g.stored_topic, sizeof(g.stored_topic), "%s/%s/stored/%s",
		 g.o.prefix, g.o.rig, g.o.mq.id);
	if (g.o.run)
		snprintf(g.run, sizeof(g.run), "%s", g.o.run);
	else
		default_run(g.run, sizeof(g.run));
	snprintf(g.meta_topic, sizeof(g.meta_topic), "%s/%s/run/%s",
		 g.o.prefix, g.o.rig, g.run);
	if (g.o.meta)
		g.meta = tools_read_file(g.o.meta, "metadata", &g.meta_len);

	g.q = cs_fqueue_open(g.o.queue, g.o.queue_max, g.o.drop);
	if (!g.q)
		die_perror("%s: cannot open the queue", g.o.queue);
	cs_fqueue_set_sync(g.q, g.o.sync);
	cs_fqueue_stats(g.q, &qs);
	if (qs.found_batches)
		warn("%s: resuming %" PRIu64 " batches (%" PRIu64 " records) "
		     "of an earlier run", g.o.queue, qs.found_batches,
		     qs.found_records);
	g.cap = 1 << 16;
	g.buf = malloc(g.cap);
	g.mids = calloc((size_t)g.o.window, sizeof(*g.mids));
	g.mid_seqs = calloc((size_t)g.o.window, sizeof(*g.mid_seqs));
	in = calloc(1, sizeof(*in));
	if (!g.buf || !g.mids || !g.mid_seqs || !in)
		die_perror("malloc");
	g.len = HEAD_ROOM;
	g.resend_ns = g.o.resend_s * 1000000000LL;
	in->name = g.o.file ? g.o.file : "<stdin>";
	if (g.o.file) {
		in->fd = open(g.o.file, O_RDONLY | O_CLOEXEC);
		if (in->fd < 0)
			die_perror("%s", g.o.file);
	}

	g.link.on_up = on_up;
	mqtt_link_init(&g.link, &g.o.mq, &g);
	mosquitto_publish_callback_set(g.link.m, on_publish);
	mosquitto_message_callback_set(g.link.m, on_message);
	if (mosquitto_max_inflight_messages_set(g.link.m,
						(unsigned int)g.o.window))
		die("cannot set the window");

	while (!tools_stop) {
		int64_t now = tools_clock_ns(CLOCK_MONOTONIC);
		int64_t wake = now + 1000000000;
		struct pollfd pfd[2];
		nfds_t n = 1;
		int full, timeout;

		if (g.count && (in->eof || now - g.first_at >=
				g.o.linger_ms * 1000000LL))
			flush_batch(&g);
		else if (g.count && g.first_at + g.o.linger_ms * 1000000LL <
			 wake)
			wake = g.first_at + g.o.linger_ms * 1000000LL;
		check_resend(&g, now);
		pump(&g, now);
		if (in->eof && !g.count && cs_fqueue_count(g.q) == 0)
			break;
		if (in->eof) {
			if (end_by < 0)
				end_by = now + g.o.wait_s * 1000000000LL;
			if (now >= end_by)
				break;
			if (end_by < wake)
				wake = end_by;
		}
		mqtt_link_pollfd(&g.link, &pfd[0], &wake);
		/* a full queue holds the input while the broker takes
		 * batches; while it is away, the policy drops */
		full = cs_fqueue_bytes(g.q) + g.len >= g.o.queue_max;
		if (!in->eof && !(full && g.link.connected)) {
			pfd[n].fd = in->fd;
			pfd[n].events = POLLIN;
			pfd[n++].revents = 0;
		}
		timeout = wake <= now ? 0 : (int)((wake - now + 999999) /
						  1000000);
		if (poll(pfd[0].fd >= 0 ? pfd : pfd + 1, pfd[0].fd >= 0 ? n :
			 n - 1, timeout) < 0) {
			if (errno == EINTR)
				continue;
			die_perror("poll");
		}
		now = tools_clock_ns(CLOCK_MONOTONIC);
		mqtt_link_service(&g.link, now);
		if (n > 1 && pfd[1].revents)
			read_input(&g, in, now);
	}
	flush_batch(&g);

	cs_fqueue_stats(g.q, &qs);
	warn("%" PRIu64 " records read in %" PRIu64 " batches, %" PRIu64
	     " confirmed by the %s; %" PRIu64 " batches published (%" PRIu64
	     " sent again); %lu connection losses", g.read, g.batches,
	     g.confirmed, g.o.ack_store ? "store" : "broker", g.published,
	     g.resent, g.link.losses);
	status = EXIT_OK;
	if (qs.dropped_records) {
		warn("queue full: %" PRIu64 " records in %" PRIu64 " batches "
		     "dropped (policy %s)", qs.dropped_records,
		     qs.dropped_batches,
		     g.o.drop == CS_FQUEUE_DROP_OLDEST ? "oldest" : "newest");
		status = EXIT_FAIL;
	}
	if (cs_fqueue_count(g.q)) {
		warn("%" PRIu64 " records in %zu batches still queued in %s "
		     "(sent at the next start)", cs_fqueue_records(g.q),
		     cs_fqueue_count(g.q), g.o.queue);
		status = EXIT_FAIL;
	}
	if (g.skipped) {
		warn("%" PRIu64 " input lines skipped", g.skipped);
		if (status == EXIT_OK)
			status = EXIT_BADINPUT;
	}
	if (g.bad_confirms)
		warn("%" PRIu64 " bad confirmation lines ignored",
		     g.bad_confirms);
	mqtt_link_destroy(&g.link);
	cs_fqueue_close(g.q);
	if (in->fd > 0)
		close(in->fd);
	free(in);
	free(g.buf);
	free(g.mids);
	free(g.mid_seqs);
	free(g.meta);
	return status;
}
