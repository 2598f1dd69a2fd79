// SPDX-License-Identifier: GPL-2.0-or-later
/* What the cellsense tools share: messages, number parsing, signals, raw
 * IIO output, truth files, the CAN data files. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"
#include "tools-common.h"

volatile sig_atomic_t tools_stop;
static const char *progname = "cellsense";

void tools_set_progname(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');

	progname = slash ? slash + 1 : argv0;
}

const char *tools_progname(void)
{
	return progname;
}

static void vmessage(const char *fmt, va_list ap, const char *suffix)
{
	fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	if (suffix)
		fprintf(stderr, ": %s", suffix);
	fputc('\n', stderr);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap, NULL);
	va_end(ap);
	exit(EXIT_FAIL);
}

void die_perror(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap, strerror(err));
	va_end(ap);
	exit(EXIT_FAIL);
}

void die_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap, NULL);
	va_end(ap);
	tools_try_help();
}

void tools_try_help(void)
{
	fprintf(stderr, "Try '%s --help' for more information.\n", progname);
	exit(EXIT_USAGE);
}

void tools_help(const char *usage)
{
	fputs(usage, stdout);
	exit(EXIT_OK);
}

void tools_version(void)
{
	print_version();
	exit(EXIT_OK);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmessage(fmt, ap, NULL);
	va_end(ap);
}

void print_version(void)
{
	printf("%s (cellsense) %s\n", progname, cs_version());
}

long parse_long(const char *s, const char *what, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (end == s || *end || errno)
		die_usage("%s: '%s' is not an integer", what, s);
	if (v < min || v > max)
		die_usage("%s: %ld is out of range [%ld, %ld]", what, v, min,
			  max);
	return v;
}

double parse_double(const char *s, const char *what, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v))
		die_usage("%s: '%s' is not a number", what, s);
	if (v < min || v > max)
		die_usage("%s: %g is out of range [%g, %g]", what, v, min, max);
	return v;
}

void parse_doubles(const char *s, const char *what, const char *names,
		   double min, double max, double *v, int n)
{
	char buf[256], *p, *save = NULL;
	int got = 0;

	if (strlen(s) >= sizeof(buf))
		die_usage("%s '%s' too long", what, s);
	strcpy(buf, s);
	for (p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (got >= n)
			die_usage("%s '%s': more than %d values", what, s, n);
		v[got++] = parse_double(p, what, min, max);
	}
	if (got != n)
		die_usage("%s '%s': expected %d values %s", what, s, n, names);
}

static void on_signal(int sig)
{
	(void)sig;
	tools_stop = 1;
}

void tools_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int64_t tools_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The bits of @v in format @f: rounded and clamped, or a float's own */
static uint64_t sample_bits(const struct cs_sample_format *f, double v)
{
	double max = cs_sample_format_max(f);
	double min = f->is_signed ? -max - 1.0 : 0.0;
	uint64_t u;

	if (f->is_float && f->bits == 32) {
		float fv = (float)v;
		uint32_t u32;

		memcpy(&u32, &fv, sizeof(u32));
		return u32;
	}
	if (f->is_float) {
		memcpy(&u, &v, sizeof(u));
		return u;
	}
	v = fmin(fmax(round(v), min), max);
	return (uint64_t)(int64_t)v << f->shift;
}

void tools_put_sample(const struct cs_sample_format *f, double v,
		      unsigned char *p)
{
	size_t n = f->storage / 8;
	uint64_t u = sample_bits(f, v);

	for (size_t b = 0; b < n; b++) {
		size_t k = f->big_endian ? n - 1 - b : b;

		p[k] = (unsigned char)(u >> (8 * b));
	}
}

void tools_put_le64(unsigned char *p, uint64_t v)
{
	for (int b = 0; b < 8; b++)
		p[b] = (unsigned char)(v >> (8 * b));
}

uint64_t tools_get_le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int b = 7; b >= 0; b--)
		v = (v << 8) | p[b];
	return v;
}

int tools_read_frame(FILE *in, const char *name, const char *what,
		     unsigned long index, void *buf, size_t len)
{
	size_t got = fread(buf, 1, len, in);
	unsigned long at = index * (unsigned long)len;

	if (got == len)
		return 1;
	if (ferror(in) && errno != EINTR)
		die_perror("%s: read error at byte %lu", name,
			   at + (unsigned long)got);
	if (!got)
		return 0;
	warn("%s: input ends inside %s %lu at byte offset %lu (%zu of %zu "
	     "bytes); 1 partial %s skipped", name, what, index, at, got, len,
	     what);
	return -1;
}

int tools_nonfinite(const double *x, size_t n, const char *name,
		    const char *what, unsigned long index,
		    unsigned long long offset)
{
	static unsigned long reported;
	size_t i = cs_samples_first_nonfinite(x, n);

	if (i == n)
		return 0;
	if (reported < 5)
		warn("%s: %s %lu (byte offset %llu) has %s at sample %zu: "
		     "skipped", name, what, index, offset,
		     isnan(x[i]) ? "a NaN" : "an infinity", i);
	else if (reported == 5)
		warn("%s: more %ss with NaN or infinite samples follow, "
		     "skipped and counted but not shown", name, what);
	reported++;
	return 1;
}

FILE *tools_open_input(const char *path, const char **name)
{
	FILE *f;

	if (!path || !strcmp(path, "-")) {
		*name = "stdin";
		return stdin;
	}
	f = fopen(path, "rb");
	if (!f)
		die_perror("%s", path);
	*name = path;
	return f;
}

char *tools_read_file(const char *path, const char *what, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0, got;
	char *buf = malloc(cap);

	if (!buf)
		die_perror("malloc");
	if (!f)
		die_perror("%s%s%s", what ? what : "", what ? " " : "", path);
	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (n + 1 == cap) {
			buf = realloc(buf, cap *= 2);
			if (!buf)
				die_perror("malloc");
		}
	}
	if (ferror(f))
		die_perror("%s%s%s", what ? what : "", what ? " " : "", path);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

int tools_write_frame(const void *buf, size_t len)
{
	if (fwrite(buf, 1, len, stdout) != len) {
		if (errno == EPIPE)
			return 1;	/* the reader had enough */
		die_perror("stdout");
	}
	return 0;
}

void tools_flush_stdout(void)
{
	if (fflush(stdout) && errno != EPIPE)
		die_perror("stdout");
}

FILE *tools_truth_open(const char *path)
{
	FILE *f;

	if (!path)
		return NULL;
	f = fopen(path, "w");
	if (!f)
		die_perror("%s", path);
	fprintf(f, "%s\n", cs_record_header());
	return f;
}

void tools_truth_close(FILE *f, const char *path)
{
	int failed;

	if (!f)
		return;
	failed = ferror(f);	/* a write that failed earlier, too */
	if (fclose(f) || failed)
		die_perror("%s", path);
}

const char *tools_data_file(const char *path, const char *name,
			    const char *option, char *buf, size_t size)
{
	if (path)
		return path;
	if (cs_can_find_data(name, buf, size))
		die("%s not found in the data directory (give one with --%s)",
		    name, option);
	return buf;
}

static noreturn void die_can_error(const char *path,
				   const struct cs_can_error *err)
{
	if (err->line)
		die("%s:%lu:%u: %s", path, err->line, err->column, err->why);
	die_perror("%s", path);
}

struct cs_dbc *tools_dbc_load(const char *path)
{
	struct cs_can_error err;
	struct cs_dbc *dbc = cs_dbc_create_from_file(path, &err);

	if (!dbc)
		die_can_error(path, &err);
	return dbc;
}

struct cs_canmap *tools_canmap_load(const char *path,
				    const struct cs_dbc *dbc)
{
	struct cs_can_error err;
	struct cs_canmap *map = cs_canmap_create_from_file(path, dbc, &err);

	if (!map)
		die_can_error(path, &err);
	return map;
}

void tools_can_load(const char *dbc_path, const char *map_path,
		    struct cs_dbc **dbc, struct cs_canmap **map)
{
	char dbuf[PATH_MAX], mbuf[PATH_MAX];

	dbc_path = tools_data_file(dbc_path, "cellsense.dbc", "dbc", dbuf,
				   sizeof(dbuf));
	map_path = tools_data_file(map_path, "cellsense.map", "map", mbuf,
				   sizeof(mbuf));
	*dbc = tools_dbc_load(dbc_path);
	*map = tools_canmap_load(map_path, *dbc);
}
