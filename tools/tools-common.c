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
#include <sys/stat.h>
#include <unistd.h>

#include "cellsense.h"
#include "cellsense-iio.h"
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
	char *buf = cs_file_read(path, TOOLS_FILE_MAX, len);

	if (!buf && errno == EFBIG)
		die("%s%s%s: larger than %u MiB: not a file this tool reads",
		    what ? what : "", what ? " " : "", path,
		    TOOLS_FILE_MAX >> 20);
	if (!buf)
		die_perror("%s%s%s", what ? what : "", what ? " " : "", path);
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

void tools_source_open(struct tools_source *s, const char *path,
		       size_t record_bytes, size_t n, const char *raw_only)
{
	struct cs_input_config cfg = { 0 };
	size_t want = record_bytes < sizeof(s->head) ? record_bytes :
		      sizeof(s->head);
	enum cs_input_kind kind;
	int ret;

	memset(s, 0, sizeof(*s));
	s->in = tools_open_input(path, &s->name);
	s->head_len = fread(s->head, 1, want, s->in);
	if (s->head_len < want && ferror(s->in))
		die_perror("%s: read error", s->name);
	kind = cs_input_sniff(s->head, s->head_len < 4096 ? s->head_len : 4096);
	if (kind == CS_INPUT_RAW)
		return;
	/* text with a header is no record of samples: read as text, so its
	 * first line is named as the one that is not numbers */
	if (kind == CS_INPUT_EXPORT)
		kind = CS_INPUT_TEXT;
	if (raw_only)
		die("%s: %s, not raw samples: %s is for what iio_readdev "
		    "writes", s->name, cs_input_kind_name(kind), raw_only);
	cfg.n = n;
	s->kind = kind == CS_INPUT_TEXT ? TOOLS_TEXT : TOOLS_NPY;
	s->reader = cs_input_create(s->in, s->head, s->head_len, kind, &cfg);
	if (!s->reader)
		die_perror("%s", s->name);
	ret = cs_input_start(s->reader);
	if (ret == -EBADMSG || ret == -EIO)
		die("%s: read as %s: %s", s->name, cs_input_kind_name(kind),
		    cs_input_error(s->reader));
	if (ret)
		die("%s: %s", s->name, strerror(-ret));
	warn("%s: %s", s->name, cs_input_describe(s->reader));
	if (cs_input_format(s->reader) && !cs_input_format(s->reader)->is_signed)
		s->npy_unsigned_bits = cs_input_format(s->reader)->bits;
}

void tools_source_check_raw(struct tools_source *s, size_t frame,
			    const char *what, const char *options,
			    size_t header_at)
{
	struct stat st;
	const char *why;

	if (s->kind != TOOLS_RAW)
		return;
	if (!fstat(fileno(s->in), &st) && S_ISREG(st.st_mode) &&
	    st.st_size % (off_t)frame)
		warn("%s: %lld bytes is not a whole number of %zu-byte %ss "
		     "(%s): is the sample count right?", s->name,
		     (long long)st.st_size, frame, what, options);
	if (header_at == (size_t)-1 || s->head_len < header_at + 256)
		return;
	why = tools_shot_header_fault(s->head + header_at, 1, 0);
	if (why) {
		tools_shot_header_warn(s->name, what, 0, 0, header_at, why,
				       options);
		exit(EXIT_BADINPUT);
	}
}

/* a larger jump between shot numbers is no overrun: no header */
#define MAX_SHOT_GAP 1000000

const char *tools_shot_header_fault(const unsigned char *h, int first,
				    uint64_t prev)
{
	uint64_t shot = tools_get_le64(h);

	if (tools_get_le64(h + 16) > 255)
		return "its flags word is over 255";
	for (size_t i = 32; i < 256; i++)
		if (h[i])
			return "its bytes 32-255 are not zero";
	if (!first && shot <= prev)
		return "its shot number does not increase";
	if (!first && shot - prev > MAX_SHOT_GAP)
		return "its shot number jumps by more than 1000000";
	return NULL;
}

void tools_shot_header_warn(const char *name, const char *what,
			    unsigned long index, unsigned long long offset,
			    size_t header_at, const char *why,
			    const char *options)
{
	warn("%s: %s %lu (byte offset %llu): the 256 bytes after its samples "
	     "are not a shot header (%s; it would be at byte offset %llu): "
	     "does the data have shot headers (-H), and are %s right? "
	     "Stopped there", name, what, index, offset, why,
	     offset + header_at, options);
}

size_t tools_source_read(struct tools_source *s, void *buf, size_t len)
{
	size_t from_head = s->head_len - s->head_used, got;

	if (from_head > len)
		from_head = len;
	memcpy(buf, s->head + s->head_used, from_head);
	s->head_used += from_head;
	if (from_head == len)
		return len;
	got = fread((unsigned char *)buf + from_head, 1, len - from_head,
		    s->in);
	return from_head + got;
}

size_t tools_source_samples(const struct tools_source *s)
{
	return cs_input_samples(s->reader);
}

int tools_source_next(struct tools_source *s, double *x)
{
	int ret = cs_input_next(s->reader, x);

	if (ret == -EBADMSG) {
		warn("%s: %s", s->name, cs_input_error(s->reader));
		return -1;
	}
	if (ret < 0)
		die("%s: %s", s->name, ret == -EIO ?
		    cs_input_error(s->reader) : strerror(-ret));
	return ret;
}

void tools_source_close(struct tools_source *s)
{
	cs_input_destroy(s->reader);
	if (s->in != stdin)
		fclose(s->in);
}

void tools_offset_parse(struct tools_offset *o, const char *arg)
{
	memset(o, 0, sizeof(*o));
	if (!strcmp(arg, "auto")) {
		o->mode = OFFSET_MEAN;
		o->is_auto = 1;
		return;
	}
	o->mode = OFFSET_VALUE;
	o->value = parse_double(arg, "offset", -1e300, 1e300);
}

void tools_offset_resolve(struct tools_offset *o, unsigned int bits,
			  const char *name)
{
	if (!o->is_auto)
		return;
	if (bits) {
		o->mode = OFFSET_VALUE;
		o->value = ldexp(1.0, (int)bits - 1);
		warn("%s: offset %.0f taken off every sample (--offset auto: "
		     "mid-scale of %u-bit unsigned samples)", name, o->value,
		     bits);
	} else {
		warn("%s: each record's mean taken off its samples (--offset "
		     "auto on samples that are not unsigned integers)", name);
	}
}

void tools_offset_apply(struct tools_offset *o, double *x, size_t n,
			const char *name, const char *what)
{
	double sum = 0.0, lo = INFINITY, hi = -INFINITY, off = o->value;

	if (o->mode == OFFSET_NONE && o->checked)
		return;
	for (size_t i = 0; i < n; i++) {
		sum += x[i];
		lo = fmin(lo, x[i]);
		hi = fmax(hi, x[i]);
	}
	if (o->mode == OFFSET_NONE) {
		double mean = sum / (double)n;

		/* a signed echo swings about zero; unsigned data about
		 * mid-scale, which then biases every correlation */
		o->checked = 1;
		if (fabs(mean) > 0.5 * (hi - lo) && hi > lo)
			warn("%s: the first %s's mean (%g) is far from zero "
			     "against its swing (%g..%g): unsigned samples "
			     "with an offset? try --offset auto", name, what,
			     mean, lo, hi);
		return;
	}
	if (o->mode == OFFSET_MEAN)
		off = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		x[i] -= off;
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

/* @kind: "DBC", "signal map" */
static noreturn void die_can_error(const char *path, const char *kind,
				   const struct cs_can_error *err)
{
	if (err->line)
		die("%s:%lu:%u: %s", path, err->line, err->column, err->why);
	/* a file past the library's limit: the limit, not "File too large" */
	if (errno == EFBIG && err->why[0])
		die("%s: %s: not a %s", path, err->why, kind);
	die_perror("%s", path);
}

struct cs_dbc *tools_dbc_load(const char *path)
{
	struct cs_can_error err;
	struct cs_dbc *dbc = cs_dbc_create_from_file(path, &err);

	if (!dbc)
		die_can_error(path, "DBC", &err);
	return dbc;
}

struct cs_canmap *tools_canmap_load(const char *path,
				    const struct cs_dbc *dbc)
{
	struct cs_can_error err;
	struct cs_canmap *map = cs_canmap_create_from_file(path, dbc, &err);

	if (!map)
		die_can_error(path, "signal map", &err);
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

/* ---- devices through libiio (-u, -d) ---- */

int tools_iio_take(struct tools_iio_opts *io, int c, const char *arg,
		   const char *where)
{
	const char *sep = where ? ": " : "";

	if (!where)
		where = "";
	switch (c) {
	case 'u':
		if (strlen(arg) >= sizeof(io->uri))
			die_usage("%s%sURI too long", where, sep);
		strcpy(io->uri, arg);
		return 1;
	case 'd':
		if (!arg[0] || strlen(arg) >= sizeof(io->device))
			die_usage("%s%sdevice '%s' empty or too long", where,
				  sep, arg);
		strcpy(io->device, arg);
		return 1;
	case TOOLS_OPT_SCANS:
		io->scans = (unsigned long long)parse_long(arg, "scans", 1,
				io->scans_max ? io->scans_max : LONG_MAX);
		return 1;
	}
	return 0;
}

void tools_iio_check(const struct tools_iio_opts *io, const char *file,
		     int run)
{
	if (run && io->device[0])
		die_usage("--run and -d %s: one input or the other",
			  io->device);
	if (io->device[0] && file)
		die_usage("-d %s and input file %s: one or the other",
			  io->device, file);
	if (!io->device[0] && io->uri[0])
		die_usage("-u %s without -d: which device?", io->uri);
	if (!io->device[0] && io->scans)
		die_usage("--scans is for -d");
}

struct cs_iiodev *tools_iio_open(const char *uri, const char *device)
{
	char err[1024];
	struct cs_iiodev *d = cs_iiodev_open(uri, device, err, sizeof(err));

	if (!d)
		die("%s", err);
	return d;
}

int tools_iio_enable(struct cs_iiodev *d, const char *prefix, int required)
{
	int n = cs_iiodev_enable(d, prefix);

	if (n < 0)
		die("%s on %s: enabling its %s elements: %s", cs_iiodev_label(d),
		    cs_iiodev_uri(d), prefix, strerror(-n));
	if (n == 0 && required)
		die("%s on %s (%s) has no %s scan element: not a front-end "
		    "this tool reads", cs_iiodev_label(d), cs_iiodev_uri(d),
		    cs_iiodev_name(d), prefix);
	return n;
}

int tools_iio_start(struct cs_iiodev *d, unsigned long long max_scans)
{
	int fd = cs_iiodev_start(d, 0, max_scans);

	if (fd < 0)
		die("%s", cs_iiodev_error(d) ? cs_iiodev_error(d) :
		    strerror(-fd));
	return fd;
}

int tools_iio_end(struct cs_iiodev *d)
{
	const char *why = cs_iiodev_error(d);
	int status = EXIT_OK;

	if (why && !tools_stop) {
		warn("%s", why);
		status = EXIT_FAIL;
	}
	cs_iiodev_destroy(d);
	return status;
}

struct cs_iiodev *tools_us_open(const char *uri, const char *device,
				struct tools_us_layout *l)
{
	struct cs_iiodev *d = tools_iio_open(uri, device);
	const char *label = cs_iiodev_label(d);
	const struct cs_iio_element *el, *e;
	size_t nel, samples, sbytes;
	double rec;
	int contig;

	if (cs_iiodev_attr_double(d, "record_length", &rec) || rec < 1 ||
	    rec > 1048576)
		die("%s on %s (%s) has no record_length: not the ultrasonic "
		    "board (cellsense_us)", label, cs_iiodev_uri(d),
		    cs_iiodev_name(d));
	/* one block first, to learn the samples an element holds */
	if (cs_iiodev_enable_first(d, "voltage", 1) < 1)
		die("%s on %s (%s) has no voltage scan element: not the "
		    "ultrasonic board", label, cs_iiodev_uri(d),
		    cs_iiodev_name(d));
	cs_iiodev_elements(d, &el, NULL);
	l->block = el[0].repeat;
	if ((size_t)rec % l->block)
		die("%s: record_length %g is not a whole number of %zu-sample "
		    "blocks", label, rec, l->block);
	if (cs_iiodev_enable_first(d, "voltage",
				   (unsigned int)((size_t)rec / l->block)) < 0)
		die("%s: enabling its voltage blocks failed", label);
	l->header = tools_iio_enable(d, "index", 0) > 0;
	l->timestamps = tools_iio_enable(d, "timestamp", 0) > 0;
	nel = cs_iiodev_elements(d, &el, &l->scan_bytes);
	cs_iio_elements_prefix(el, nel, "voltage", &samples, &contig);
	if (!contig || el[0].offset != 0 || samples != (size_t)rec)
		die("%s: its voltage blocks are not one run of record_length "
		    "(%g) samples at the start of a scan (%zu)", label, rec,
		    samples);
	*l->fmt = el[0].fmt;
	l->n = samples;
	sbytes = samples * cs_sample_format_bytes(l->fmt);
	e = cs_iio_element_find(el, nel, "index");
	if (l->header && (e->offset != sbytes ||
			  e->fmt.storage / 8 * e->repeat != 256))
		die("%s: its index element is not the 256-byte shot header "
		    "right after the samples", label);
	e = cs_iio_element_find(el, nel, "timestamp");
	if (l->timestamps && e->offset != (l->header ? sbytes + 256 :
					   (sbytes + 7) / 8 * 8))
		die("%s: its timestamp is at byte %zu of a scan, not where it "
		    "is read", label, e->offset);
	if (cs_iiodev_attr_double(d, "sampling_frequency", &l->fs_hz) ||
	    !(l->fs_hz > 0))
		die("%s has no sampling_frequency", label);
	if (cs_iiodev_attr_read(d, "mode", l->mode, sizeof(l->mode)) < 0)
		snprintf(l->mode, sizeof(l->mode), "?");
	warn("%s on %s: %zu samples %s:%c%u/%u>>%u in blocks of %zu%s%s, "
	     "%zu bytes a scan, %g samples/s, mode %s", label,
	     cs_iiodev_uri(d), l->n, l->fmt->big_endian ? "be" : "le",
	     l->fmt->is_signed ? 's' : 'u', l->fmt->bits, l->fmt->storage,
	     l->fmt->shift, l->block, l->header ? ", shot header" : "",
	     l->timestamps ? ", timestamp" : "", l->scan_bytes, l->fs_hz,
	     l->mode);
	return d;
}

void tools_source_open_device(struct tools_source *s, struct cs_iiodev *d,
			      size_t buffer_scans,
			      unsigned long long max_scans)
{
	int fd = cs_iiodev_start(d, buffer_scans, max_scans);

	if (fd < 0)
		die("%s", cs_iiodev_error(d) ? cs_iiodev_error(d) :
		    strerror(-fd));
	/* a copy: the FILE's close must not close the device's */
	fd = dup(fd);

	memset(s, 0, sizeof(*s));
	snprintf(s->dev_name, sizeof(s->dev_name), "%s on %s",
		 cs_iiodev_label(d), cs_iiodev_uri(d));
	s->name = s->dev_name;
	s->kind = TOOLS_RAW;
	s->in = fd < 0 ? NULL : fdopen(fd, "rb");
	if (!s->in)
		die_perror("%s", s->name);
}

void tools_iio_wavescale(struct cs_iiodev *d, const char *label,
			 struct cs_wavescale *ws)
{
	char attr[256];
	size_t pos;

	if (cs_iiodev_attr_read(d, "in_intensity_wavelength_coeffs", attr,
				sizeof(attr)) < 0)
		die("%s has no in_intensity_wavelength_coeffs: give its scale "
		    "with -w", label);
	if (cs_iio_wavescale_parse(attr, ws, &pos))
		die("%s: in_intensity_wavelength_coeffs '%s' not understood at "
		    "character %zu", label, attr, pos + 1);
}
