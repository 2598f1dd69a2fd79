// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mqtt2pg: batches of records from an MQTT broker into PostgreSQL, with
 * COPY, exactly once in the store.
 *
 * libmosquitto acknowledges a QoS 1 message (PUBACK) as it reads it, before
 * the program sees it, and no call of the Debian 12 library defers that.
 * So the acknowledgement that counts is the store's own: after COMMIT,
 * mqtt2pg publishes the batches it committed to P/RIG/stored/GATEWAY, and
 * the gateway keeps each batch on its disk until then, sending it again
 * when no confirmation comes. Delivery is at least once end to end; the
 * insert is idempotent on (rig, source, quantity, time_ns) (COPY into a
 * staging table, then INSERT ... ON CONFLICT DO NOTHING), so a batch sent
 * twice is stored once. A mqtt2pg killed mid-batch loses only what it had
 * not committed, and so had not confirmed. The rows go straight into the
 * table when none is there yet (the usual case, as fast as psql's \copy);
 * the staging table only serves a batch delivered again.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <mosquitto.h>

#include "cellsense.h"
#include "tools-common.h"
#include "tools-mqtt.h"

static const char usage[] =
"Usage: mqtt2pg [OPTIONS]\n"
"Store the record batches that sense2mqtt publishes in PostgreSQL (COPY,\n"
"in batches, idempotent), and confirm to each gateway what was committed.\n"
"\n"
"Options:\n"
"  -c, --db=CONNINFO     libpq connection string (default: the PG*\n"
"                        environment variables; never put a password here,\n"
"                        use PGPASSFILE)\n"
"  -t, --topic-prefix=P  topic prefix (default cellsense): subscribes to\n"
"                        P/+/records and P/+/run/+\n"
"  -g, --group=NAME      share the load with the other mqtt2pg of group\n"
"                        NAME ($share/NAME/... subscriptions)\n"
"  -b, --batch=ROWS      rows a COPY at most (default 20000)\n"
"  -l, --linger=MS       commit what came within MS ms (default 200)\n"
"  -s, --span=SEC        time span of a partition of the records table\n"
"                        (default 86400: a day)\n"
"  -q, --quiet           no summary line every minute\n"
"  -V, --version         show the version and exit\n"
"      --help            show this help and exit\n"
"\n"
MQTT_HELP
"\n"
"Runs until SIGINT or SIGTERM, then commits what it holds and exits.\n"
"Exit status: 0 stopped by a signal; 1 could not go on; 2 usage error.\n";

struct options {
	struct mqtt_opts mq;
	const char *db, *prefix, *group;
	long batch, linger_ms;
	int64_t span_ns;
	int quiet;
};

/* A batch taken and not yet committed: whom to confirm it to. */
struct taken {
	char rig[CS_FLEET_ID_MAX], gateway[CS_FLEET_ID_MAX];
	uint64_t seq;
};

struct meta {
	char rig[CS_FLEET_ID_MAX], run[CS_FLEET_ID_MAX];
	char *json;
};

struct store {
	struct options o;
	struct mqtt_link link;
	PGconn *pg;
	int64_t pg_retry_at, pg_backoff;
	char records_filter[256], run_filter[256];
	/* rows for COPY, text format */
	char *copy;
	size_t len, cap;
	size_t rows;
	int64_t tmin, tmax, first_at;
	struct taken *taken;
	size_t ntaken, captaken;
	struct meta *metas;
	size_t nmetas;
	/* partitions known to exist: span index */
	int64_t *parts;
	size_t nparts, capparts;
	/* counts */
	uint64_t batches, records, inserted, duplicates, bad_lines,
		 bad_batches, commits, failed_commits, redelivered, runs;
};

static void parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'c' },
		{ "topic-prefix", required_argument, NULL, 't' },
		{ "group", required_argument, NULL, 'g' },
		{ "batch", required_argument, NULL, 'b' },
		{ "linger", required_argument, NULL, 'l' },
		{ "span", required_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, 'V' },
		MQTT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	static char id[HOST_NAME_MAX + 16];
	char host[HOST_NAME_MAX + 1];
	int c;

	memset(o, 0, sizeof(*o));
	mqtt_opts_init(&o->mq);
	o->db = "";
	o->prefix = "cellsense";
	o->batch = 20000;
	o->linger_ms = 200;
	o->span_ns = 86400LL * 1000000000;
	while ((c = getopt_long(argc, argv, "c:t:g:b:l:s:qV" MQTT_SHORTOPTS,
				longopts, NULL)) != -1) {
		if (mqtt_opts_take(&o->mq, c, optarg))
			continue;
		switch (c) {
		case 'c':
			o->db = optarg;
			break;
		case 't':
			o->prefix = optarg;
			break;
		case 'g':
			o->group = optarg;
			break;
		case 'b':
			o->batch = parse_long(optarg, "batch", 1, 10000000);
			break;
		case 'l':
			o->linger_ms = parse_long(optarg, "linger", 0, 600000);
			break;
		case 's':
			o->span_ns = parse_long(optarg, "span", 1,
						366L * 86400) * 1000000000LL;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case MQTT_OPT_HELP:
			tools_help(usage);
		case 'V':
			tools_version();
		default:
			die_usage("unknown option");	/* getopt said which */
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (strstr(o->db, "password="))
		die_usage("--db: no password on the command line (use "
			  "PGPASSFILE or ~/.pgpass)");
	if (!*o->prefix || strpbrk(o->prefix, "+#") ||
	    strlen(o->prefix) > 100)
		die_usage("topic-prefix: '%s' is empty, too long or has a "
			  "wildcard", o->prefix);
	if (o->group && !cs_fleet_id_valid(o->group))
		die_usage("group: '%s' is not 1 to 63 of A-Z a-z 0-9 _ . -",
			  o->group);
	if (gethostname(host, sizeof(host)))
		die_perror("gethostname");
	host[sizeof(host) - 1] = '\0';
	host[strcspn(host, ".")] = '\0';
	snprintf(id, sizeof(id), "mqtt2pg-%s", host);
	mqtt_opts_finish(&o->mq, id);
}

/* ---------------------------------------------------------------------
 * PostgreSQL.
 */
static const char schema_sql[] =
"SELECT pg_advisory_xact_lock(7134021);\n"
"CREATE TABLE IF NOT EXISTS records (\n"
"  rig text NOT NULL, source text NOT NULL, quantity text NOT NULL,\n"
"  time_ns bigint NOT NULL, value double precision, unit text NOT NULL,\n"
"  status text NOT NULL, uncertainty double precision,\n"
"  PRIMARY KEY (rig, source, quantity, time_ns)\n"
") PARTITION BY RANGE (time_ns);\n"
"CREATE TABLE IF NOT EXISTS records_default PARTITION OF records DEFAULT;\n"
"CREATE TABLE IF NOT EXISTS runs (\n"
"  rig text NOT NULL, run text NOT NULL, metadata jsonb NOT NULL,\n"
"  received timestamptz NOT NULL DEFAULT now(),\n"
"  PRIMARY KEY (rig, run));\n"
"CREATE OR REPLACE VIEW records_time AS\n"
"  SELECT to_timestamp(time_ns / 1e9) AS time, * FROM records;\n";

/* The columns and the partitioning a table made elsewhere must have. */
static const char check_sql[] =
"SELECT rig, source, quantity, time_ns, value, unit, status, uncertainty\n"
"  FROM records LIMIT 0;\n"
"SELECT rig, run, metadata FROM runs LIMIT 0;\n";

static int pg_ok(PGresult *r, ExecStatusType want, const char *what)
{
	int ok = PQresultStatus(r) == want;

	if (!ok)
		warn("PostgreSQL: %s: %s", what, PQresultErrorMessage(r));
	PQclear(r);
	return ok;
}

static int pg_exec(struct store *s, const char *sql, const char *what)
{
	return pg_ok(PQexec(s->pg, sql), PGRES_COMMAND_OK, what);
}

static int pg_tuples_ok(struct store *s, const char *sql, const char *what)
{
	PGresult *r = PQexec(s->pg, sql);

	return pg_ok(r, PQresultStatus(r) == PGRES_COMMAND_OK ?
		     PGRES_COMMAND_OK : PGRES_TUPLES_OK, what);
}

static void pg_drop(struct store *s)
{
	if (s->pg)
		PQfinish(s->pg);
	s->pg = NULL;
	s->nparts = 0;
	s->pg_retry_at = tools_clock_ns(CLOCK_MONOTONIC) + s->pg_backoff;
	if (s->pg_backoff < 2000000000)
		s->pg_backoff *= 2;
}

/* Connected and set up, or 0 (and retried later). @first dies instead. */
static int pg_connect(struct store *s, int first)
{
	PGresult *r;
	int partitioned;

	if (s->pg)
		return 1;
	if (!first && tools_clock_ns(CLOCK_MONOTONIC) < s->pg_retry_at)
		return 0;
	s->pg = PQconnectdb(s->o.db);
	if (PQstatus(s->pg) != CONNECTION_OK) {
		if (first)
			die("PostgreSQL: %s", PQerrorMessage(s->pg));
		pg_drop(s);
		return 0;
	}
	if (!pg_exec(s, "SET client_min_messages = warning", "settings") ||
	    !pg_exec(s, "BEGIN", "schema") ||
	    !pg_tuples_ok(s, schema_sql, "creating the schema") ||
	    !pg_exec(s, "COMMIT", "schema") ||
	    !pg_tuples_ok(s, check_sql, "checking the schema"))
		goto fail;
	r = PQexec(s->pg, "SELECT count(*) FROM pg_partitioned_table "
		   "WHERE partrelid = 'records'::regclass AND partstrat = 'r'");
	partitioned = PQresultStatus(r) == PGRES_TUPLES_OK &&
		      !strcmp(PQgetvalue(r, 0, 0), "1");
	PQclear(r);
	if (!partitioned) {
		warn("PostgreSQL: table records is not partitioned by range");
		goto fail;
	}
	if (!pg_exec(s, "CREATE TEMP TABLE staging (LIKE records) "
		     "ON COMMIT DELETE ROWS", "staging table"))
		goto fail;
	s->pg_backoff = 100000000;
	warn("PostgreSQL: connected, schema ready");
	return 1;
fail:
	if (first && PQstatus(s->pg) == CONNECTION_OK)
		die("PostgreSQL: cannot use the schema (see above)");
	pg_drop(s);
	return 0;
}

static int known_part(struct store *s, int64_t k)
{
	for (size_t i = 0; i < s->nparts; i++)
		if (s->parts[i] == k)
			return 1;
	return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* A partition for each span of the rows (from tmin to tmax, at most 16
 * new ones a commit; the rest goes to records_default). */
static int ensure_partitions(struct store *s)
{
	int64_t k0 = floor_div(s->tmin, s->o.span_ns);
	int64_t k1 = floor_div(s->tmax, s->o.span_ns), k;
	int made = 0, locked = 0;
	char sql[256];

	for (k = k0; k <= k1 && made < 16; k++) {
		if (known_part(s, k))
			continue;
		if (!locked && !pg_tuples_ok(s, "SELECT pg_advisory_xact_lock("
					     "7134021)", "partition lock"))
			return -1;
		locked = 1;
		snprintf(sql, sizeof(sql), "CREATE TABLE IF NOT EXISTS "
			 "records_%s%" PRId64 " PARTITION OF records FOR VALUES"
			 " FROM (%" PRId64 ") TO (%" PRId64 ")", k < 0 ? "m" :
			 "p", k < 0 ? -k : k, k * s->o.span_ns,
			 (k + 1) * s->o.span_ns);
		if (!pg_exec(s, sql, "creating a partition"))
			return -1;
		if (s->nparts == s->capparts) {
			s->capparts = s->capparts ? 2 * s->capparts : 64;
			s->parts = realloc(s->parts, s->capparts *
					   sizeof(*s->parts));
			if (!s->parts)
				die_perror("realloc");
		}
		s->parts[s->nparts++] = k;
		made++;
	}
	return 0;
}

static void store_metas(struct store *s)
{
	while (s->nmetas) {
		struct meta *m = &s->metas[s->nmetas - 1];
		const char *v[3] = { m->rig, m->run, m->json };
		PGresult *r = PQexecParams(s->pg,
			"INSERT INTO runs (rig, run, metadata) VALUES "
			"($1, $2, $3::jsonb) ON CONFLICT (rig, run) DO UPDATE "
			"SET metadata = EXCLUDED.metadata, received = now()",
			3, NULL, v, NULL, NULL, 0);

		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			if (PQstatus(s->pg) != CONNECTION_OK) {
				PQclear(r);
				return;		/* kept for the next time */
			}
			warn("run %s/%s: metadata refused: %s", m->rig, m->run,
			     PQresultErrorMessage(r));
		} else {
			s->runs++;
		}
		PQclear(r);
		free(m->json);
		s->nmetas--;
	}
}

static int cmp_taken(const void *a, const void *b)
{
	const struct taken *x = a, *y = b;
	int c = strcmp(x->rig, y->rig);

	if (!c)
		c = strcmp(x->gateway, y->gateway);
	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* Tell each gateway which of its batches are committed. */
static void confirm(struct store *s)
{
	char topic[512], *buf;
	size_t i = 0, j, cap = 256 + s->ntaken * 21, len;
	int rc;

	if (!s->ntaken)
		return;
	buf = malloc(cap);
	if (!buf)
		die_perror("malloc");
	qsort(s->taken, s->ntaken, sizeof(*s->taken), cmp_taken);
	while (i < s->ntaken) {
		len = (size_t)cs_stored_head_format(buf, cap,
						    s->taken[i].gateway);
		for (j = i; j < s->ntaken &&
		     !strcmp(s->taken[j].rig, s->taken[i].rig) &&
		     !strcmp(s->taken[j].gateway, s->taken[i].gateway); j++)
			len += (size_t)snprintf(buf + len, cap - len,
						"%" PRIu64 "\n",
						s->taken[j].seq);
		snprintf(topic, sizeof(topic), "%s/%s/stored/%s", s->o.prefix,
			 s->taken[i].rig, s->taken[i].gateway);
		rc = mosquitto_publish(s->link.m, NULL, topic, (int)len, buf,
				       1, false);
		/* lost, the gateway sends the batches again: stored once */
		if (rc != MOSQ_ERR_SUCCESS)
			warn("confirmation to %s not sent (%s); the gateway "
			     "will send again", topic, mosquitto_strerror(rc));
		i = j;
	}
	free(buf);
	s->ntaken = 0;
}

/* The rows held into @table by COPY: 1, 0 when a row's key is there
 * already (SQLSTATE 23505; the transaction then needs a ROLLBACK TO),
 * -1 on any other failure. */
static int copy_rows(struct store *s, const char *table)
{
	char sql[64];
	PGresult *r;
	int ret;

	snprintf(sql, sizeof(sql), "COPY %s FROM STDIN", table);
	r = PQexec(s->pg, sql);
	if (!pg_ok(r, PGRES_COPY_IN, "COPY"))
		return -1;
	if (PQputCopyData(s->pg, s->copy, (int)s->len) != 1 ||
	    PQputCopyEnd(s->pg, NULL) != 1) {
		warn("PostgreSQL: COPY: %s", PQerrorMessage(s->pg));
		return -1;
	}
	r = PQgetResult(s->pg);
	if (PQresultStatus(r) == PGRES_COMMAND_OK) {
		ret = 1;
	} else {
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

		ret = state && !strcmp(state, "23505") ? 0 : -1;
		if (ret < 0)
			warn("PostgreSQL: COPY: %s", PQresultErrorMessage(r));
	}
	PQclear(r);
	while ((r = PQgetResult(s->pg)))
		PQclear(r);
	return ret;
}

/*
 * COPY what is held, insert what is new, commit, confirm. 0 when done (or
 * nothing to do), -1 when it must be tried again later. The rows go
 * straight into records first: that writes each once, as psql's \copy
 * does. Only when a key is there already (a batch delivered again) is
 * that undone and the slower way taken: COPY into the staging table, then
 * INSERT ... ON CONFLICT DO NOTHING.
 */
static int commit(struct store *s)
{
	PGresult *r;
	uint64_t inserted;
	int ret;

	if (!s->rows && !s->ntaken && !s->nmetas)
		return 0;
	if (!pg_connect(s, 0))
		return -1;
	store_metas(s);
	if (!s->rows) {
		confirm(s);	/* batches that held only bad lines */
		return 0;
	}
	if (!pg_exec(s, "BEGIN", "BEGIN") || ensure_partitions(s) ||
	    !pg_exec(s, "SAVEPOINT direct", "SAVEPOINT"))
		goto fail;
	ret = copy_rows(s, "records");
	if (ret < 0)
		goto fail;
	inserted = s->rows;
	if (ret == 0) {
		s->redelivered++;
		if (!pg_exec(s, "ROLLBACK TO SAVEPOINT direct", "ROLLBACK TO") ||
		    copy_rows(s, "staging") != 1)
			goto fail;
		r = PQexec(s->pg, "INSERT INTO records SELECT * FROM staging "
			   "ON CONFLICT DO NOTHING");
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			pg_ok(r, PGRES_COMMAND_OK, "INSERT");
			goto fail;
		}
		inserted = strtoull(PQcmdTuples(r), NULL, 10);
		PQclear(r);
	}
	if (!pg_exec(s, "COMMIT", "COMMIT"))
		goto fail;
	s->commits++;
	s->inserted += inserted;
	s->duplicates += s->rows - inserted;
	s->rows = 0;
	s->len = 0;
	confirm(s);
	return 0;
fail:
	s->failed_commits++;
	if (PQstatus(s->pg) == CONNECTION_OK)
		pg_exec(s, "ROLLBACK", "ROLLBACK");
	else
		warn("PostgreSQL: connection lost; holding %zu rows, "
		     "retrying", s->rows);
	pg_drop(s);	/* anew: staging table, partitions known */
	return -1;
}

/* ---------------------------------------------------------------------
 * Messages.
 */

/* @s valid UTF-8 (the database's encoding; the record format allows any
 * byte but TAB and newlines) */
static int utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = *p < 0x80 ? 0 : (*p >> 5) == 6 ? 1 : (*p >> 4) == 14 ?
			2 : (*p >> 3) == 30 ? 3 : -1;

		if (n < 0 || (n == 1 && *p < 0xc2))
			return 0;
		for (p++; n > 0; n--, p++)
			if ((*p >> 6) != 2)
				return 0;
	}
	return 1;
}

/* @src escaped for COPY's text format, then a tab */
static char *put_text(char *p, const char *src)
{
	for (; *src; src++) {
		if (*src == '\\')
			*p++ = '\\';
		*p++ = *src;
	}
	*p++ = '\t';
	return p;
}

static void add_row(struct store *s, const char *rig,
		    const struct cs_record *rec)
{
	char line[CS_RECORD_LINE_MAX], *p, *col[7], *q;
	int n, i;

	/* room for the rig and every byte escaped */
	if (s->cap - s->len < 2 * (CS_FLEET_ID_MAX + CS_RECORD_LINE_MAX)) {
		s->cap = s->cap ? 2 * s->cap : 1 << 20;
		s->copy = realloc(s->copy, s->cap);
		if (!s->copy)
			die_perror("realloc");
	}
	n = cs_record_format(line, sizeof(line), rec);
	if (n < 0)
		die("cannot format a record");
	line[n - 1] = '\0';
	/* the record's columns: time source quantity value unit status unc;
	 * the table's: rig source quantity time_ns value unit status unc */
	for (p = line, i = 0; i < 7; i++) {
		col[i] = p;
		p += strcspn(p, "\t");
		if (*p)
			*p++ = '\0';
	}
	q = s->copy + s->len;
	q = put_text(q, rig);
	q = put_text(q, col[1]);
	q = put_text(q, col[2]);
	q = put_text(q, col[0]);
	q = put_text(q, col[3]);
	q = put_text(q, col[4]);
	q = put_text(q, col[5]);
	q = put_text(q, col[6]);
	q[-1] = '\n';
	s->len = (size_t)(q - s->copy);
	if (!s->rows || rec->time_ns < s->tmin)
		s->tmin = rec->time_ns;
	if (!s->rows || rec->time_ns > s->tmax)
		s->tmax = rec->time_ns;
	s->rows++;
}

/* "P/RIG/WHAT[/ID]": RIG into @rig, the rest after it */
static const char *topic_rig(const struct store *s, const char *topic,
			     char rig[CS_FLEET_ID_MAX])
{
	size_t plen = strlen(s->o.prefix), n;
	const char *p;

	if (strncmp(topic, s->o.prefix, plen) || topic[plen] != '/')
		return NULL;
	p = topic + plen + 1;
	n = strcspn(p, "/");
	if (!n || n >= CS_FLEET_ID_MAX || p[n] != '/')
		return NULL;
	memcpy(rig, p, n);
	rig[n] = '\0';
	return cs_fleet_id_valid(rig) ? p + n + 1 : NULL;
}

static void take_run(struct store *s, const char *rig, const char *run,
		     const struct mosquitto_message *msg)
{
	struct meta *m;

	if (!cs_fleet_id_valid(run) || !msg->payloadlen ||
	    memchr(msg->payload, '\0', (size_t)msg->payloadlen)) {
		warn("%s: not a run's metadata; ignored", msg->topic);
		return;
	}
	s->metas = realloc(s->metas, (s->nmetas + 1) * sizeof(*s->metas));
	if (!s->metas)
		die_perror("realloc");
	m = &s->metas[s->nmetas++];
	snprintf(m->rig, sizeof(m->rig), "%s", rig);
	snprintf(m->run, sizeof(m->run), "%s", run);
	m->json = strndup(msg->payload, (size_t)msg->payloadlen);
	if (!m->json)
		die_perror("strndup");
}

static void on_message(struct mosquitto *mosq, void *obj,
		       const struct mosquitto_message *msg)
{
	struct mqtt_link *l = obj;
	struct store *s = l->ctx;
	char rig[CS_FLEET_ID_MAX];
	struct cs_batch_head head;
	struct cs_record rec;
	const char *why, *rest;
	size_t off, len = (size_t)msg->payloadlen;
	uint32_t got = 0, bad = 0;
	int ret;

	(void)mosq;
	rest = topic_rig(s, msg->topic, rig);
	if (rest && !strncmp(rest, "run/", 4)) {
		take_run(s, rig, rest + 4, msg);
		return;
	}
	if (!rest || strcmp(rest, "records")) {
		warn("%s: unexpected topic; ignored", msg->topic);
		return;
	}
	if (cs_batch_head_parse(msg->payload, len, &head, &off, &why)) {
		s->bad_batches++;
		warn("%s: %s; batch ignored", msg->topic, why);
		return;
	}
	while ((ret = cs_batch_next(msg->payload, len, &off, &rec, &why))) {
		if (ret > 0 && !(utf8_valid(rec.source) &&
				 utf8_valid(rec.quantity) &&
				 utf8_valid(rec.unit) &&
				 utf8_valid(rec.status))) {
			ret = -EBADMSG;
			why = "text that is not UTF-8";
		}
		if (ret < 0) {
			bad++;
			if (s->bad_lines + bad <= 20)
				warn("%s: batch %s %" PRIu64 ", record line "
				     "%u: %s (skipped)", msg->topic,
				     head.gateway, head.seq, got + bad, why);
			continue;
		}
		add_row(s, rig, &rec);
		got++;
	}
	if (got + bad != head.count) {
		bad++;
		warn("%s: batch %s %" PRIu64 ": %u lines for a count of %u",
		     msg->topic, head.gateway, head.seq, got + bad - 1,
		     head.count);
	}
	s->bad_lines += bad;
	s->batches++;
	s->records += got;
	if (s->ntaken == 0)	/* the first since the last commit */
		s->first_at = tools_clock_ns(CLOCK_MONOTONIC);
	if (s->ntaken == s->captaken) {
		s->captaken = s->captaken ? 2 * s->captaken : 256;
		s->taken = realloc(s->taken, s->captaken * sizeof(*s->taken));
		if (!s->taken)
			die_perror("realloc");
	}
	snprintf(s->taken[s->ntaken].rig, CS_FLEET_ID_MAX, "%s", rig);
	snprintf(s->taken[s->ntaken].gateway, CS_FLEET_ID_MAX, "%s",
		 head.gateway);
	s->taken[s->ntaken++].seq = head.seq;
	s->link.pause = s->rows >= (size_t)s->o.batch;
}

static void on_up(struct mqtt_link *l, void *ctx)
{
	struct store *s = ctx;
	const char *subs[2] = { s->records_filter, s->run_filter };

	for (int i = 0; i < 2; i++) {
		int rc = mosquitto_subscribe(l->m, NULL, subs[i], 1);

		if (rc != MOSQ_ERR_SUCCESS)
			warn("subscribe %s: %s", subs[i],
			     mosquitto_strerror(rc));
	}
}

static void summary(const struct store *s, const char *when)
{
	warn("%s: %" PRIu64 " batches, %" PRIu64 " records: %" PRIu64
	     " stored, %" PRIu64 " already there; %" PRIu64 " bad lines, %"
	     PRIu64 " bad batches; %" PRIu64 " commits (%" PRIu64
	     " failed, %" PRIu64 " met rows already there), %" PRIu64
	     " runs", when, s->batches, s->records, s->inserted,
	     s->duplicates, s->bad_lines, s->bad_batches, s->commits,
	     s->failed_commits, s->redelivered, s->runs);
}

int main(int argc, char **argv)
{
	struct store s;
	int64_t next_summary;

	tools_set_progname(argv[0]);
	memset(&s, 0, sizeof(s));
	parse_args(argc, argv, &s.o);
	tools_install_signals();
	s.pg_backoff = 100000000;
	snprintf(s.records_filter, sizeof(s.records_filter),
		 "%s%s%s%s/+/records", s.o.group ? "$share/" : "",
		 s.o.group ? s.o.group : "", s.o.group ? "/" : "", s.o.prefix);
	snprintf(s.run_filter, sizeof(s.run_filter), "%s/+/run/+",
		 s.o.prefix);
	pg_connect(&s, 1);

	s.link.on_up = on_up;
	mqtt_link_init(&s.link, &s.o.mq, &s);
	mosquitto_message_callback_set(s.link.m, on_message);
	next_summary = tools_clock_ns(CLOCK_MONOTONIC) + 60000000000LL;

	while (!tools_stop) {
		int64_t now = tools_clock_ns(CLOCK_MONOTONIC);
		int64_t wake = now + 1000000000, due;
		struct pollfd p;
		int hold;

		due = s.first_at + s.o.linger_ms * 1000000LL;
		if ((s.rows || s.ntaken || s.nmetas) &&
		    (s.rows >= (size_t)s.o.batch || now >= due))
			commit(&s);
		else if (s.rows || s.ntaken)
			wake = due < wake ? due : wake;
		if (!s.o.quiet && now >= next_summary) {
			summary(&s, "so far");
			next_summary = now + 60000000000LL;
		}
		/* the store is away: hold what came, read no more (the broker
		 * keeps it for the session) */
		hold = s.rows >= 4 * (size_t)s.o.batch;
		if (hold && !s.pg && s.pg_retry_at < wake)
			wake = s.pg_retry_at;
		mqtt_link_pollfd(&s.link, &p, &wake);
		if (hold)
			p.fd = -1;
		if (poll(&p, 1, wake <= now ? 0 :
			 (int)((wake - now + 999999) / 1000000)) < 0) {
			if (errno == EINTR)
				continue;
			die_perror("poll");
		}
		s.link.pause = 0;
		if (!hold)
			mqtt_link_service(&s.link,
					  tools_clock_ns(CLOCK_MONOTONIC));
	}
	/* a last commit, a few tries if the store is just back */
	for (int i = 0; i < 20 && commit(&s); i++) {
		struct timespec ts = { 0, 100000000 };

		nanosleep(&ts, NULL);	/* a back-off, not a wait for an event */
	}
	if (s.link.connected)
		mosquitto_loop(s.link.m, 100, 1);	/* the confirmations */
	summary(&s, "at exit");
	mqtt_link_destroy(&s.link);
	if (s.pg)
		PQfinish(s.pg);
	free(s.copy);
	free(s.taken);
	free(s.parts);
	for (size_t i = 0; i < s.nmetas; i++)
		free(s.metas[i].json);
	free(s.metas);
	return s.rows ? EXIT_FAIL : EXIT_OK;
}
