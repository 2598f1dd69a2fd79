// SPDX-License-Identifier: GPL-2.0-or-later
/* What every cellsense tool shares: messages, number parsing, signals. */
#include <errno.h>
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
	fprintf(stderr, "Try '%s --help' for more information.\n", progname);
	exit(EXIT_USAGE);
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
