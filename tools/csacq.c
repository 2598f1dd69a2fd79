// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * csacq: an acquisition run from a plan file (csacq(1)): configure each
 * front-end through libiio attributes, capture its raw scans through
 * libiio buffers into the run directory (and, where the plan says, into a
 * processing tool), fire shots on GPIO lines (libgpiod), for a duration,
 * a number of scans or until SIGINT/SIGTERM, and write the run's JSON-LD
 * sidecar (cellsense-run(5)) at the start and again at the stop.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <gpiod.h>
#include <iio.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cellsense.h"
#include "cs-iioattr.h"
#include "tools-common.h"
#include "tools-runmeta.h"

#define MAX_FRONTENDS 16

static const char usage_text[] =
"Usage: csacq [OPTIONS] PLAN\n"
"Run the acquisition the plan file PLAN describes (see csacq(1)): set the\n"
"front-ends' IIO attributes, capture their raw scans into the run\n"
"directory, and write the run's sidecar run.jsonld (cellsense-run(5)).\n"
"\n"
"Options:\n"
"  -o, --output=DIR         run directory, created (default: run-<UTC time>)\n"
"  -u, --uri=URI            libiio context (default: the plan's, or local:)\n"
"  -t, --duration=S         stop after S seconds (overrides the plan)\n"
"  -N, --scans=N            stop when every front-end has N scans\n"
"                           (overrides the plan)\n"
"  -q, --quiet              no progress line, even on a terminal\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n"
"\n"
"Without a duration or a scan count the run goes on until SIGINT or\n"
"SIGTERM. Either stops it cleanly: files complete and closed, the sidecar's\n"
"stop document says exit_status \"abort\" and which signal.\n"
"\n"
"Exit status: 0 the run stopped as planned or on a signal (the sidecar\n"
"says which), 1 a device, file or process failed (exit_status \"fail\"),\n"
"2 usage error or a bad plan.\n";

static const struct option longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "uri", required_argument, NULL, 'u' },
	{ "duration", required_argument, NULL, 't' },
	{ "scans", required_argument, NULL, 'N' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

struct frontend {
	const struct cs_plan_section *sec;
	struct runmeta_stream *meta;
	struct iio_device *dev;
	struct iio_buffer *buf;
	int fd;			/* the buffer's poll fd */
	FILE *raw;
	int pipe_fd;		/* into the processing tool, -1 if none */
	pid_t pid;
	struct gpiod_line *trigger;
	int64_t next_shot_ns;
	int done;		/* its scans are all in */
};

struct acq {
	const char *dir;
	struct runmeta m;
	struct iio_context *ctx;
	struct frontend fe[MAX_FRONTENDS];
	size_t n;
	int progress;
};

/* A die() after a buffer was created must not leave the device streaming
 * with its buffer enabled: exit() runs this. */
static struct acq *cleanup_acq;

static void destroy_buffers(void)
{
	for (size_t i = 0; cleanup_acq && i < cleanup_acq->n; i++)
		if (cleanup_acq->fe[i].buf) {
			iio_buffer_destroy(cleanup_acq->fe[i].buf);
			cleanup_acq->fe[i].buf = NULL;
		}
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		die_perror("%s", path);
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			if (cap > (1 << 20))
				die("%s: larger than 1 MiB: not a plan", path);
			buf = realloc(buf, cap);
			if (!buf)
				die_perror("malloc");
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	if (ferror(f))
		die_perror("%s", path);
	fclose(f);
	*len = n;
	return buf;
}

static void add_file(struct acq *a, const char *name)
{
	if (a->m.nfiles == RUNMETA_MAX_FILES)
		die("more than %d files in a run", RUNMETA_MAX_FILES);
	snprintf(a->m.files[a->m.nfiles++], sizeof(a->m.files[0]), "%s", name);
}

/* Copy @src into the run directory under its base name. */
static void copy_in(struct acq *a, const char *src, const char *base)
{
	char dst[4096], buf[65536];
	FILE *in, *out;
	size_t n;

	snprintf(dst, sizeof(dst), "%s/%s", a->dir, base);
	in = fopen(src, "rb");
	if (!in)
		die_perror("%s", src);
	out = fopen(dst, "wbx");
	if (!out)
		die_perror("%s", dst);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			die_perror("%s", dst);
	if (ferror(in) || fclose(out))
		die_perror("%s", ferror(in) ? src : dst);
	fclose(in);
	add_file(a, base);
}

static const char *base_name(const char *p)
{
	return strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
}

static struct iio_device *find_device(struct iio_context *ctx,
				      const char *want)
{
	for (unsigned int i = 0; i < iio_context_get_devices_count(ctx); i++) {
		struct iio_device *d = iio_context_get_device(ctx, i);
		const char *label = iio_device_get_label(d);
		const char *name = iio_device_get_name(d);

		if ((label && !strcmp(label, want)) ||
		    (name && !strcmp(name, want)))
			return d;
	}
	return NULL;
}

static void enable_channels(struct frontend *f)
{
	const char *list = cs_plan_get(f->sec, "channels");
	unsigned int nch = iio_device_get_channels_count(f->dev);
	char buf[1024], *save = NULL;

	if (!list) {
		for (unsigned int i = 0; i < nch; i++) {
			struct iio_channel *ch = iio_device_get_channel(f->dev, i);

			if (iio_channel_is_scan_element(ch))
				iio_channel_enable(ch);
		}
		return;
	}
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *w = strtok_r(buf, " \t,", &save); w;
	     w = strtok_r(NULL, " \t,", &save)) {
		struct iio_channel *ch = iio_device_find_channel(f->dev, w, false);

		if (!ch || !iio_channel_is_scan_element(ch))
			die_usage("[frontend %s] line %u: %s has no scan "
				  "element '%s'", f->sec->name, f->sec->line,
				  f->meta->s.device, w);
		iio_channel_enable(ch);
	}
}

/* What each enabled channel is, as Bluesky's data_keys, from the scan
 * elements as cs_iio_stream_layout() read them. */
static json_object *data_keys(const struct frontend *f)
{
	struct cs_iio_element el[CS_IIO_MAX_ELEMENTS];
	json_object *o = json_object_new_object();
	size_t n, scan_bytes;

	if (cs_iio_device_elements(f->dev, el, CS_IIO_MAX_ELEMENTS, &n,
				   &scan_bytes))
		n = 0;	/* not reached: cs_iio_stream_layout() died first */
	for (size_t i = 0; i < n; i++) {
		const struct cs_sample_format *sf = &el[i].fmt;
		json_object *k;
		char fmt[48];

		snprintf(fmt, sizeof(fmt), "%s:%c%u/%uX%u>>%u",
			 sf->big_endian ? "be" : "le", sf->is_signed ? 's' : 'u',
			 sf->bits, sf->storage, el[i].repeat, sf->shift);
		k = json_object_new_object();
		json_object_object_add(k, "format", json_object_new_string(fmt));
		json_object_object_add(k, "index",
				       json_object_new_int((int)el[i].scan_index));
		json_object_object_add(k, "scale",
				       json_object_new_double(el[i].scale));
		json_object_object_add(o, el[i].id, k);
	}
	return o;
}

/* The processing command reads the raw stream on stdin; its records go
 * to NAME.tsv, its messages to NAME.log, in the run directory. */
static void start_process(struct acq *a, struct frontend *f, const char *cmd)
{
	struct runmeta_stream *m = f->meta;
	char path[4096], log[128];
	int p[2], out, err;

	snprintf(m->process, sizeof(m->process), "%s", cmd);
	snprintf(m->records, sizeof(m->records), "%s.tsv", m->s.name);
	snprintf(log, sizeof(log), "%s.log", m->s.name);
	snprintf(path, sizeof(path), "%s/%s", a->dir, m->records);
	out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0)
		die_perror("%s", path);
	snprintf(path, sizeof(path), "%s/%s", a->dir, log);
	err = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (err < 0 || pipe(p) || fcntl(p[1], F_SETFD, FD_CLOEXEC))
		die_perror("%s", err < 0 ? path : "pipe");
	f->pid = fork();
	if (f->pid < 0)
		die_perror("fork");
	if (f->pid == 0) {
		/* a terminal's ^C is csacq's to handle: the tool ends at
		 * the end of its input, with all of it processed */
		signal(SIGINT, SIG_IGN);
		signal(SIGPIPE, SIG_DFL);
		if (chdir(a->dir) || dup2(p[0], 0) < 0 || dup2(out, 1) < 0 ||
		    dup2(err, 2) < 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	close(out);
	close(err);
	f->pipe_fd = p[1];
	add_file(a, m->records);
	add_file(a, log);
}

static void open_trigger(struct frontend *f, const char *line, double rate)
{
	struct runmeta_stream *m = f->meta;

	f->trigger = gpiod_line_find(line);
	if (!f->trigger)
		die("[frontend %s]: GPIO line '%s': %s", f->sec->name, line,
		    errno ? strerror(errno) : "not found");
	if (gpiod_line_request_output(f->trigger, "csacq", 0))
		die_perror("[frontend %s]: request GPIO line %s", f->sec->name,
			   line);
	snprintf(m->trigger, sizeof(m->trigger), "%s", line);
	m->shot_rate = rate;
}

static void setup_frontend(struct acq *a, struct frontend *f)
{
	struct runmeta_stream *m = f->meta;
	const struct cs_plan_section *s = f->sec;
	const char *v;
	unsigned long bufsize = 16;
	char err[256], rb[256], path[4096];
	int ret;

	snprintf(m->s.name, sizeof(m->s.name), "%s", s->name);
	snprintf(m->s.kind, sizeof(m->s.kind), "%s",
		 cs_plan_get(s, "kind") ? cs_plan_get(s, "kind") : "other");
	snprintf(m->s.device, sizeof(m->s.device), "%s", cs_plan_get(s, "device"));
	m->process_status = -1;
	f->pipe_fd = -1;
	f->dev = find_device(a->ctx, m->s.device);
	if (!f->dev)
		die("[frontend %s] line %u: no IIO device labelled or named "
		    "'%s' in %s", s->name, s->line, m->s.device, a->m.uri);
	m->config = json_object_new_object();
	for (size_t i = 0; i < s->nkv; i++) {
		const struct cs_plan_kv *kv = &s->kv[i];

		if (strncmp(kv->key, "attr.", 5))
			continue;
		ret = cs_iio_attr_write(f->dev, kv->key + 5, kv->value, rb,
					sizeof(rb));
		if (ret)
			die("line %u: %s: attribute %s = %s: %s", kv->line,
			    m->s.device, kv->key + 5, kv->value,
			    ret == -ENOENT ? "no such attribute" : strerror(-ret));
		json_object_object_add(m->config, kv->key + 5,
				       json_object_new_string(rb));
	}
	enable_channels(f);
	if (cs_iio_stream_layout(f->dev, &m->s, err, sizeof(err)))
		die("[frontend %s]: %s: %s", s->name, m->s.device, err);
	m->data_keys = data_keys(f);
	if ((v = cs_plan_get(s, "buffer")))
		bufsize = (unsigned long)parse_long(v, "buffer", 1, 1 << 20);
	f->buf = iio_device_create_buffer(f->dev, bufsize, false);
	if (!f->buf)
		die_perror("[frontend %s]: %s: buffer of %lu scans", s->name,
			   m->s.device, bufsize);
	ret = iio_buffer_set_blocking_mode(f->buf, false);
	f->fd = iio_buffer_get_poll_fd(f->buf);
	if (ret || f->fd < 0)
		die("[frontend %s]: %s: no non-blocking buffer: %s", s->name,
		    m->s.device, strerror(-(ret ? ret : f->fd)));
	snprintf(m->file, sizeof(m->file), "%s.raw", s->name);
	snprintf(path, sizeof(path), "%s/%s", a->dir, m->file);
	f->raw = fopen(path, "wbx");
	if (!f->raw)
		die_perror("%s", path);
	add_file(a, m->file);
	if ((v = cs_plan_get(s, "process")))
		start_process(a, f, v);
	if ((v = cs_plan_get(s, "trigger"))) {
		const char *r = cs_plan_get(s, "shot_rate");

		open_trigger(f, v, r ? parse_double(r, "shot_rate", 1e-3, 1e5)
				     : 10.0);
	}
}

/* Whole scans only: a write cut short by the scan limit ends on a scan. */
static int drain(struct acq *a, struct frontend *f)
{
	struct runmeta_stream *m = f->meta;
	ssize_t got = iio_buffer_refill(f->buf);
	const char *p;
	size_t len, want;

	if (got == -EAGAIN || got == -EINTR)
		return 0;
	if (got < 0) {
		warn("%s: refill: %s", m->s.device, strerror((int)-got));
		return -1;
	}
	p = iio_buffer_start(f->buf);
	len = (size_t)((const char *)iio_buffer_end(f->buf) - p);
	if (a->m.scans_limit) {
		want = (size_t)(a->m.scans_limit - m->s.scans) * m->s.scan_bytes;
		if (len >= want) {
			len = want;
			f->done = 1;
		}
	}
	if (fwrite(p, 1, len, f->raw) != len) {
		warn("%s/%s: %s", a->dir, m->file, strerror(errno));
		return -1;
	}
	m->s.scans += len / m->s.scan_bytes;
	if (f->pipe_fd >= 0) {
		for (size_t off = 0; off < len;) {
			ssize_t w = write(f->pipe_fd, p + off, len - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				warn("%s: process '%s': %s", m->s.name,
				     m->process, strerror(errno));
				close(f->pipe_fd);
				f->pipe_fd = -1;
				return -1;
			}
			off += (size_t)w;
		}
	}
	if (f->done) {
		/* stop the device now: a buffer left enabled would overrun
		 * while the other front-ends finish */
		iio_buffer_destroy(f->buf);
		f->buf = NULL;
	}
	return 0;
}

static void fire(struct frontend *f, int64_t now)
{
	if (!f->trigger || now < f->next_shot_ns || f->done)
		return;
	if (gpiod_line_set_value(f->trigger, 1) ||
	    gpiod_line_set_value(f->trigger, 0))
		warn("%s: shot on %s: %s", f->meta->s.name, f->meta->trigger,
		     strerror(errno));
	else
		f->meta->shots++;
	f->next_shot_ns = (f->next_shot_ns ? f->next_shot_ns : now) +
			  (int64_t)(1e9 / f->meta->shot_rate);
}

static void progress(const struct acq *a, double t, int last)
{
	if (!a->progress)
		return;
	fprintf(stderr, "\r%7.1f s", t);
	for (size_t i = 0; i < a->n; i++)
		fprintf(stderr, "  %s %llu scans", a->fe[i].meta->s.name,
			(unsigned long long)a->fe[i].meta->s.scans);
	fprintf(stderr, last ? "\n" : "  ");
	fflush(stderr);
}

/* The capture loop: 0 as planned or on a signal, -1 on a failure. */
static int capture(struct acq *a)
{
	struct pollfd pfd[MAX_FRONTENDS];
	int64_t t0 = tools_clock_ns(CLOCK_MONOTONIC), now = t0, shown = 0;
	int64_t end = a->m.duration_s > 0 ?
		t0 + (int64_t)(a->m.duration_s * 1e9) : INT64_MAX;

	a->m.reason = "duration";
	while (!stop_signal) {
		size_t done = 0;

		for (size_t i = 0; i < a->n; i++) {
			pfd[i].fd = a->fe[i].done ? -1 : a->fe[i].fd;
			pfd[i].events = POLLIN;
			fire(&a->fe[i], now);
			done += (size_t)a->fe[i].done;
		}
		if (done == a->n) {
			a->m.reason = "scans";
			break;
		}
		if (now >= end)
			break;
		if (poll(pfd, a->n, 50) < 0 && errno != EINTR) {
			warn("poll: %s", strerror(errno));
			a->m.reason = "poll failed";
			return -1;
		}
		for (size_t i = 0; i < a->n; i++)
			if (pfd[i].revents & (POLLIN | POLLERR | POLLHUP) &&
			    drain(a, &a->fe[i])) {
				a->m.reason = "device or file error";
				return -1;
			}
		now = tools_clock_ns(CLOCK_MONOTONIC);
		if (now - shown > 250000000) {
			progress(a, (double)(now - t0) * 1e-9, 0);
			shown = now;
		}
	}
	if (stop_signal)
		a->m.reason = stop_signal == SIGINT ? "SIGINT" : "SIGTERM";
	progress(a, (double)(tools_clock_ns(CLOCK_MONOTONIC) - t0) * 1e-9, 1);
	return 0;
}

/* Buffers down, files closed, processes waited for: 0 if all is well. */
static int finish(struct acq *a)
{
	int ret = 0;

	for (size_t i = 0; i < a->n; i++) {
		struct frontend *f = &a->fe[i];
		int st;

		if (f->buf)
			iio_buffer_destroy(f->buf);
		f->buf = NULL;
		if (f->raw && fclose(f->raw)) {
			warn("%s/%s: %s", a->dir, f->meta->file, strerror(errno));
			ret = -1;
		}
		if (f->pipe_fd >= 0)
			close(f->pipe_fd);
		if (f->pid > 0) {
			while (waitpid(f->pid, &st, 0) < 0 && errno == EINTR)
				;
			f->meta->process_status = WIFEXITED(st) ?
				WEXITSTATUS(st) : -1;
			if (f->meta->process_status)
				ret = -1;
			if (f->meta->process_status)
				warn("%s: process '%s' exited %d (see %s.log)",
				     f->meta->s.name, f->meta->process,
				     f->meta->process_status, f->meta->s.name);
		}
		if (f->trigger)
			gpiod_line_close_chip(f->trigger);
	}
	return ret;
}

static void parse_args(int argc, char **argv, struct acq *a,
		       const char **plan_path)
{
	int c;

	while ((c = getopt_long(argc, argv, "o:u:t:N:qhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			a->dir = optarg;
			break;
		case 'u':
			snprintf(a->m.uri, sizeof(a->m.uri), "%s", optarg);
			break;
		case 't':
			a->m.duration_s = parse_double(optarg, "duration", 1e-3, 1e7);
			break;
		case 'N':
			a->m.scans_limit = (uint64_t)parse_long(optarg, "scans", 1,
								 1L << 40);
			break;
		case 'q':
			a->progress = -1;
			break;
		case 'h':
			tools_help(usage_text);
		case 'V':
			tools_version();
		default:
			tools_try_help();
		}
	}
	if (argc - optind != 1)
		die_usage("one plan file expected, got %d", argc - optind);
	*plan_path = argv[optind];
}

/* The plan's [run] settings where no option overrode them. */
static void run_settings(struct acq *a)
{
	const struct cs_plan_section *run = cs_plan_find(a->m.plan, "run", "");
	const char *v;

	if (!a->m.uri[0])
		snprintf(a->m.uri, sizeof(a->m.uri), "%s",
			 (v = cs_plan_get(run, "uri")) ? v : "local:");
	if (a->m.duration_s == 0 && (v = cs_plan_get(run, "duration")))
		a->m.duration_s = parse_double(v, "duration", 1e-3, 1e7);
	if (!a->m.scans_limit && (v = cs_plan_get(run, "scans")))
		a->m.scans_limit = (uint64_t)parse_long(v, "scans", 1, 1L << 40);
}

int main(int argc, char **argv)
{
	static struct acq a;
	static struct runmeta_stream st[MAX_FRONTENDS];
	static char dirbuf[64];
	const char *plan_path;
	struct sigaction sa;
	char *text, err[512];
	size_t len;
	int failed;

	tools_set_progname(argv[0]);
	parse_args(argc, argv, &a, &plan_path);
	text = read_file(plan_path, &len);
	a.m.plan = cs_plan_parse(text, len, err, sizeof(err));
	if (!a.m.plan) {
		if (errno == ENOMEM)
			die_perror("%s", plan_path);
		die_usage("%s: %s", plan_path, err);
	}
	run_settings(&a);
	a.progress = a.progress == 0 && isatty(STDERR_FILENO);
	clock_gettime(CLOCK_REALTIME, &a.m.start);
	if (!a.dir) {
		struct tm tm;

		gmtime_r(&a.m.start.tv_sec, &tm);
		strftime(dirbuf, sizeof(dirbuf), "run-%Y%m%dT%H%M%SZ", &tm);
		a.dir = dirbuf;
	}
	if (mkdir(a.dir, 0755))
		die_perror("%s: run directory", a.dir);
	runmeta_uid(a.m.uid);
	snprintf(a.m.plan_file, sizeof(a.m.plan_file), "plan.ini");
	copy_in(&a, plan_path, a.m.plan_file);
	for (size_t i = 0; i < cs_plan_count(a.m.plan); i++) {
		const struct cs_plan_section *s = cs_plan_at(a.m.plan, i);
		const char *file = cs_plan_get(s, "file");

		if (!strcmp(s->kind, "calibration") && file)
			copy_in(&a, file, base_name(file));
	}

	a.ctx = iio_create_context_from_uri(a.m.uri);
	if (!a.ctx)
		die_perror("libiio context %s", a.m.uri);
	a.m.st = st;
	cleanup_acq = &a;
	atexit(destroy_buffers);
	for (size_t i = 0; i < cs_plan_count(a.m.plan); i++) {
		const struct cs_plan_section *s = cs_plan_at(a.m.plan, i);

		if (strcmp(s->kind, "frontend"))
			continue;
		if (a.n == MAX_FRONTENDS)
			die_usage("%s: more than %d front-ends", plan_path,
				  MAX_FRONTENDS);
		a.fe[a.n].sec = s;
		a.fe[a.n].meta = &st[a.n];
		a.m.n = ++a.n;
		setup_frontend(&a, &a.fe[a.n - 1]);
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (runmeta_write(&a.m, a.dir, err, sizeof(err)))
		die("sidecar: %s", err);

	failed = capture(&a);
	failed |= finish(&a);
	clock_gettime(CLOCK_REALTIME, &a.m.end);
	a.m.exit_status = failed ? "fail" : stop_signal ? "abort" : "success";
	if (runmeta_write(&a.m, a.dir, err, sizeof(err)))
		die("sidecar: %s", err);
	for (size_t i = 0; i < a.n; i++)
		fprintf(stderr, "%s: %llu scans (%llu bytes) in %s/%s\n",
			st[i].s.name, (unsigned long long)st[i].s.scans,
			(unsigned long long)(st[i].s.scans * st[i].s.scan_bytes),
			a.dir, st[i].file);
	fprintf(stderr, "run %s: %s (%s), sidecar %s/%s\n", a.m.uid,
		a.m.exit_status, a.m.reason, a.dir, CS_RUN_SIDECAR);
	for (size_t i = 0; i < a.n; i++) {
		json_object_put(st[i].config);
		json_object_put(st[i].data_keys);
	}
	iio_context_destroy(a.ctx);
	cs_plan_destroy((struct cs_plan *)a.m.plan);
	free(text);
	return failed ? EXIT_FAIL : EXIT_OK;
}
