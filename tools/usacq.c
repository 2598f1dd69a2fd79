// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * usacq: fire N ultrasonic shots at a rate on the pulser's trigger line
 * (libgpiod) and record each shot's scan from the cellsense_us IIO device,
 * in the layout iio_readdev writes (blocks, shot header, timestamp), for
 * ustof. With --continuous, no trigger: N blocks of the acoustic-emission
 * stream, for aehits.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <gpiod.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cellsense.h"
#include "tools-common.h"

#define BLOCK 128
#define HEADER_BYTES 256

static const char usage_text[] =
"Usage: usacq [OPTIONS]\n"
"Fire shots on the ultrasonic front-end's trigger line and write each\n"
"shot's scan, as iio_readdev would with the shot header and timestamp\n"
"enabled, to standard output (ustof -H -T reads it).\n"
"\n"
"Options:\n"
"  -d, --device=NAME        IIO device label or name (default us0)\n"
"  -c, --chip=CHIP          GPIO chip of the trigger line (name, label,\n"
"                           path or number; default: search all chips)\n"
"  -l, --line=NAME          trigger line name (default us-trigger)\n"
"  -N, --count=N            shots, or blocks with --continuous (default 10)\n"
"  -r, --rate=HZ            shots per second (default 10)\n"
"  -n, --samples=N          record length to set, a multiple of 128\n"
"                           (default: the device's record_length)\n"
"  -m, --mode=MODE          pulse-echo or through (default: the device's\n"
"                           pulse mode, pulse-echo after continuous)\n"
"      --continuous         no trigger: record N blocks of the continuous\n"
"                           (acoustic-emission) stream\n"
"  -t, --timeout=MS         wait at most MS for a shot (default 1000)\n"
"  -h, --help               show this help and exit\n"
"  -V, --version            show the version and exit\n"
"\n"
"Exit status: 0 success, 1 device or line error, 2 usage error,\n"
"3 some shots did not arrive (counted, reported).\n";

static const struct option longopts[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "chip", required_argument, NULL, 'c' },
	{ "line", required_argument, NULL, 'l' },
	{ "count", required_argument, NULL, 'N' },
	{ "rate", required_argument, NULL, 'r' },
	{ "samples", required_argument, NULL, 'n' },
	{ "mode", required_argument, NULL, 'm' },
	{ "continuous", no_argument, NULL, 1 },
	{ "timeout", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static char devdir[600];
static char devnode[300];

static int read_attr(const char *attr, char *buf, size_t len)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", devdir, attr);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static void write_attr(const char *attr, const char *val)
{
	char path[1024];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", devdir, attr);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		die_perror("%s", path);
	if (write(fd, val, strlen(val)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		die_perror("%s = %s", path, val);
	}
	close(fd);
}

static void find_device(const char *want)
{
	const char *base = "/sys/bus/iio/devices";
	DIR *d = opendir(base);
	struct dirent *e;
	char buf[128];

	if (!d)
		die_perror("%s", base);
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "iio:device", 10))
			continue;
		snprintf(devdir, sizeof(devdir), "%s/%s", base, e->d_name);
		if ((!read_attr("label", buf, sizeof(buf)) &&
		     !strcmp(buf, want)) ||
		    (!read_attr("name", buf, sizeof(buf)) &&
		     !strcmp(buf, want))) {
			snprintf(devnode, sizeof(devnode), "/dev/%s",
				 e->d_name);
			closedir(d);
			return;
		}
	}
	closedir(d);
	die("no IIO device with label or name '%s'", want);
}

/* Enable blocks 0..k-1, the shot header and the timestamp; the rest off. */
static void setup_scan(size_t k)
{
	char name[64];

	write_attr("buffer/enable", "0");
	for (size_t i = 0;; i++) {
		snprintf(name, sizeof(name), "scan_elements/in_voltage%zu_en",
			 i);
		if (read_attr(name, (char[8]){ 0 }, 8))
			break;
		write_attr(name, i < k ? "1" : "0");
	}
	write_attr("scan_elements/in_index_en", "1");
	write_attr("scan_elements/in_timestamp_en", "1");
	write_attr("buffer/length", "64");
}

static void sleep_until(struct timespec *next, double period)
{
	long ns = (long)(period * 1e9);

	next->tv_sec += ns / 1000000000L;
	next->tv_nsec += ns % 1000000000L;
	if (next->tv_nsec >= 1000000000L) {
		next->tv_nsec -= 1000000000L;
		next->tv_sec++;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL) ==
	       EINTR && !tools_stop)
		;
}

/* Read exactly @len bytes of one scan, waiting at most @ms; 1 on timeout */
static int read_scan(int fd, unsigned char *buf, size_t len, int ms)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;
		int pr = poll(&p, 1, ms);

		if (pr < 0 && errno == EINTR) {
			if (tools_stop)
				return -1;
			continue;
		}
		if (pr < 0)
			die_perror("poll %s", devnode);
		if (pr == 0)
			return 1;
		r = read(fd, buf + got, len - got);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r < 0)
			die_perror("read %s", devnode);
		if (r == 0)
			die("%s: end of file (device gone?)", devnode);
		got += (size_t)r;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *device = "us0", *chipname = NULL, *linename = "us-trigger";
	const char *mode = NULL;
	long count = 10, samples = 0, timeout = 1000;
	double rate = 10.0;
	int continuous = 0, c, fd, status = EXIT_OK;
	struct gpiod_chip *chip = NULL;
	struct gpiod_line *line = NULL;
	unsigned long missing = 0;
	struct timespec next;
	size_t k, frame;
	unsigned char *buf;
	char val[64];

	tools_set_progname(argv[0]);
	while ((c = getopt_long(argc, argv, "d:c:l:N:r:n:m:t:hV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'd':
			device = optarg;
			break;
		case 'c':
			chipname = optarg;
			break;
		case 'l':
			linename = optarg;
			break;
		case 'N':
			count = parse_long(optarg, "count", 0, 1000000000);
			break;
		case 'r':
			rate = parse_double(optarg, "rate", 1e-3, 10000);
			break;
		case 'n':
			samples = parse_long(optarg, "samples", BLOCK, 65536);
			if (samples % BLOCK)
				die_usage("samples %ld: not a multiple of %d",
					  samples, BLOCK);
			break;
		case 'm':
			if (strcmp(optarg, "pulse-echo") && strcmp(optarg, "through"))
				die_usage("mode '%s': expected pulse-echo or "
					  "through", optarg);
			mode = optarg;
			break;
		case 1:
			continuous = 1;
			break;
		case 't':
			timeout = parse_long(optarg, "timeout", 1, 3600000);
			break;
		case 'h':
			tools_help(usage_text);
		case 'V':
			tools_version();
		default:
			tools_try_help();
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	tools_install_signals();

	find_device(device);
	if (samples) {
		snprintf(val, sizeof(val), "%ld", samples);
		write_attr("buffer/enable", "0");
		write_attr("record_length", val);
	}
	if (read_attr("record_length", val, sizeof(val)))
		die_perror("%s/record_length", devdir);
	k = (size_t)strtoul(val, NULL, 10) / BLOCK;
	if (!k)
		die("%s: record_length '%s' is not usable", devdir, val);
	write_attr("buffer/enable", "0");
	if (continuous)
		mode = "continuous";
	else if (!mode && (read_attr("mode", val, sizeof(val)) ||
			   !strcmp(val, "continuous")))
		mode = "pulse-echo";
	if (mode)
		write_attr("mode", mode);
	setup_scan(k);
	/* blocks, header, then the 256-byte timestamp element */
	frame = cs_scan_bytes(k * BLOCK * 2 + HEADER_BYTES, BLOCK * 2, 1);

	if (!continuous) {
		chip = chipname ? gpiod_chip_open_lookup(chipname) : NULL;
		if (chipname && !chip)
			die_perror("GPIO chip %s", chipname);
		line = chip ? gpiod_chip_find_line(chip, linename)
			    : gpiod_line_find(linename);
		if (!line)
			die("GPIO line '%s' not found%s%s", linename,
			    chipname ? " on " : "", chipname ? chipname : "");
		if (!chip)
			chip = gpiod_line_get_chip(line);
		if (gpiod_line_request_output(line, "usacq", 0))
			die_perror("GPIO line %s: request", linename);
	}
	buf = malloc(frame);
	if (!buf)
		die_perror("malloc");
	fd = open(devnode, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		die_perror("%s", devnode);
	write_attr("buffer/enable", "1");

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long s = 0; s < count && !tools_stop; s++) {
		int r;

		if (line) {
			if (gpiod_line_set_value(line, 1) ||
			    gpiod_line_set_value(line, 0))
				die_perror("GPIO line %s: set", linename);
		}
		r = read_scan(fd, buf, frame, (int)timeout);
		if (r < 0)
			break;
		if (r) {
			warn("%s: shot %ld did not arrive within %ld ms", devnode,
			     s, timeout);
			missing++;
			status = EXIT_BADINPUT;
		} else if (tools_write_frame(buf, frame)) {
			break;
		}
		if (line && s + 1 < count)
			sleep_until(&next, 1.0 / rate);
	}
	tools_flush_stdout();
	write_attr("buffer/enable", "0");
	close(fd);
	if (chip)
		gpiod_chip_close(chip);
	if (missing)
		warn("%lu of %ld shots missing", missing, count);
	free(buf);
	return status;
}
