/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every cellsense tool shares: messages, number parsing, exit codes. */
#ifndef CELLSENSE_TOOLS_COMMON_H
#define CELLSENSE_TOOLS_COMMON_H

#include <signal.h>
#include <stdint.h>
#include <stdnoreturn.h>

/* Exit codes scripts can rely on (see cellsense(7)). */
#define EXIT_OK 0
#define EXIT_FAIL 1		/* could not go on: I/O, device, bus */
#define EXIT_USAGE 2		/* bad options or arguments */
#define EXIT_BADINPUT 3		/* ran to the end but skipped bad input */

#define PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))

extern volatile sig_atomic_t tools_stop;

void tools_set_progname(const char *argv0);
const char *tools_progname(void);
noreturn void die(const char *fmt, ...) PRINTF(1, 2);
noreturn void die_perror(const char *fmt, ...) PRINTF(1, 2);
noreturn void die_usage(const char *fmt, ...) PRINTF(1, 2);
void warn(const char *fmt, ...) PRINTF(1, 2);
void print_version(void);

/* Strict number parsing: the whole string, in range, or die_usage()
 * naming @what. */
long parse_long(const char *s, const char *what, long min, long max);
double parse_double(const char *s, const char *what, double min, double max);

/* SIGINT/SIGTERM set tools_stop (no SA_RESTART: blocking reads return
 * EINTR); SIGPIPE is ignored so a closed pipe is an EPIPE we report. */
void tools_install_signals(void);

#endif
