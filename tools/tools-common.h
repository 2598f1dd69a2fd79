/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the cellsense tools share: messages, number parsing, exit codes,
 * raw IIO output, truth files, the CAN data files. */
#ifndef CELLSENSE_TOOLS_COMMON_H
#define CELLSENSE_TOOLS_COMMON_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdnoreturn.h>
#include <time.h>

struct cs_sample_format;
struct cs_dbc;
struct cs_canmap;

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
/* The end of every tool's getopt switch: -h prints @usage, -V the version
 * (both exit 0); after getopt's own message about a bad option, the hint
 * to try --help (exit 2). */
noreturn void tools_help(const char *usage);
noreturn void tools_version(void);
noreturn void tools_try_help(void);

/* Strict number parsing: the whole string, in range, or die_usage()
 * naming @what. */
long parse_long(const char *s, const char *what, long min, long max);
double parse_double(const char *s, const char *what, double min, double max);
/* Exactly @n comma-separated numbers in [min, max] into @v, or die_usage()
 * naming @what and the expected @names ("C,K,A,I"). */
void parse_doubles(const char *s, const char *what, const char *names,
		   double min, double max, double *v, int n);

/* SIGINT/SIGTERM set tools_stop (no SA_RESTART: blocking reads return
 * EINTR); SIGPIPE is ignored so a closed pipe is an EPIPE we report. */
void tools_install_signals(void);

/* Nanoseconds on clock @id. */
int64_t tools_clock_ns(clockid_t id);

/* ---- raw IIO data, as iio_readdev writes it ---- */

/* @v rounded and clamped to format @f (a float: as it is), stored at @p. */
void tools_put_sample(const struct cs_sample_format *f, double v,
		      unsigned char *p);
void tools_put_le64(unsigned char *p, uint64_t v);
uint64_t tools_get_le64(const unsigned char *p);
/*
 * The @index-th frame of @len bytes from @in (named @name in messages; a
 * frame is a "scan", "record"...: @what) into @buf. 1 when read, 0 at the
 * end of the input, -1 when the input ended inside the frame (reported
 * with its byte offset; the caller counts it as bad input). Dies on a read
 * error.
 */
int tools_read_frame(FILE *in, const char *name, const char *what,
		     unsigned long index, void *buf, size_t len);
/*
 * 0 when the @n decoded samples at @x are all finite; otherwise 1, and
 * the first NaN or infinity is reported (the first 5 times a run, then
 * once that more follow) as in @what @index at byte offset @offset of
 * @name, where the caller skips it and counts it as bad input.
 */
int tools_nonfinite(const double *x, size_t n, const char *name,
		    const char *what, unsigned long index,
		    unsigned long long offset);
/* The input file @path, or standard input for NULL or "-"; its name for
 * messages ("stdin" for standard input) in *@name. Dies naming @path if it
 * cannot be opened. */
FILE *tools_open_input(const char *path, const char **name);
/* All of @path, NUL-terminated, in a buffer to free(); *@len its bytes
 * without the NUL. Dies naming the file (after @what, if not NULL) on a
 * read error (a directory: EISDIR) and past TOOLS_FILE_MAX bytes. */
#define TOOLS_FILE_MAX (256u << 20)
char *tools_read_file(const char *path, const char *what, size_t *len);
/* @len bytes at @buf to standard output: 0, or 1 when the reader went
 * away (EPIPE); dies on any other error. */
int tools_write_frame(const void *buf, size_t len);
/* Flush standard output at the end; a reader gone away is no error. */
void tools_flush_stdout(void);

/* ---- records of samples from raw data, text or .npy (ustof, aehits) -- */

struct cs_input;

struct tools_source {
	FILE *in;
	const char *name;
	enum { TOOLS_RAW, TOOLS_TEXT, TOOLS_NPY } kind;
	struct cs_input *reader;	/* text and .npy */
	/* raw: bytes read to tell the kind (a record's, to check its
	 * header too) */
	unsigned char head[65536 + 512];
	size_t head_len, head_used;
	unsigned int npy_unsigned_bits;	/* .npy of unsigned integers: bits */
	char dev_name[320];		/* -d: "us0 on local:" */
};
/*
 * Open @path (NULL or "-": standard input), read its first record (at
 * most @record_bytes and 64.5 KiB) and tell what it is from its first
 * 4096 bytes. Raw samples are left to the
 * caller (tools_source_read() gives the bytes read first back); text and
 * .npy get a reader of records of @n samples (0: as the file says), and
 * what was found is said on stderr (text with a header is read as text:
 * its first line is reported as not numbers). Text or .npy with @raw_only
 * set (an option that only raw data has, named in
 * @raw_only), dies naming the file and its kind.
 */
void tools_source_open(struct tools_source *s, const char *path,
		       size_t record_bytes, size_t n, const char *raw_only);
/*
 * Raw: warn when a regular file is no whole number of @frame-byte
 * records (a wrong -n, -f, -H or -T, named in @options), and when
 * @header_at is not (size_t)-1, check the first record's 256-byte shot
 * header there (tools_shot_header_fault()): if it cannot be one (data
 * without headers read with -H, or a wrong -n), say so and exit 3.
 */
void tools_source_check_raw(struct tools_source *s, size_t frame,
			    const char *what, const char *options,
			    size_t header_at);
/*
 * -H: why the 256 bytes at @h, after a record's samples, cannot be the
 * driver's shot header (u64 shot number, u64 first-sample index, u64
 * flags of at most 255, u64 overruns, then zeros), after @prev, the
 * previous record's shot number, unless @first; NULL when they can be.
 */
const char *tools_shot_header_fault(const unsigned char *h, int first,
				    uint64_t prev);
/* Say @why on stderr for @what @index at byte @offset of @name, its header
 * at @header_at in it, and that @options ("-n 1024, -f le:s16") are to
 * be checked; the caller stops there (exit 3). */
void tools_shot_header_warn(const char *name, const char *what,
			    unsigned long index, unsigned long long offset,
			    size_t header_at, const char *why,
			    const char *options);
/* Raw: fread() of @len bytes, the bytes read to sniff first. */
size_t tools_source_read(struct tools_source *s, void *buf, size_t len);
/* Samples a record of text or .npy. */
size_t tools_source_samples(const struct tools_source *s);
/* Text or .npy: the next record into @x: 1, 0 at the end, -1 for a bad
 * record (reported with its line or byte offset, skipped). */
int tools_source_next(struct tools_source *s, double *x);
void tools_source_close(struct tools_source *s);

/*
 * --offset auto|VALUE: what is taken off every sample. VALUE as given;
 * auto is mid-scale (2^(bits-1)) for unsigned integer samples, else each
 * record's own mean. Without --offset, a first record whose mean sits far
 * from zero against its swing gets one warning.
 */
struct tools_offset {
	enum { OFFSET_NONE, OFFSET_VALUE, OFFSET_MEAN } mode;
	int is_auto;
	double value;
	int checked;
};
void tools_offset_parse(struct tools_offset *o, const char *arg);
/* Resolve auto for samples of @bits unsigned bits (0: not unsigned
 * integers); said on stderr for @name. */
void tools_offset_resolve(struct tools_offset *o, unsigned int bits,
			  const char *name);
void tools_offset_apply(struct tools_offset *o, double *x, size_t n,
			const char *name, const char *what);

/* ---- truth files of the simulators ---- */

/* @path opened for writing with the record header line, or NULL when
 * @path is NULL; dies when it cannot be opened. */
FILE *tools_truth_open(const char *path);
/* Close @f (NULL: nothing), dying on a write error naming @path. */
void tools_truth_close(FILE *f, const char *path);

/* ---- CAN data files ---- */

/* @path, or when it is NULL @name (cellsense.dbc...) found in the data
 * directory into @buf; dies when not found, pointing at --@option. */
const char *tools_data_file(const char *path, const char *name,
			    const char *option, char *buf, size_t size);
/* The DBC or map at @path; dies naming file:line:column or the error. */
struct cs_dbc *tools_dbc_load(const char *path);
struct cs_canmap *tools_canmap_load(const char *path,
				    const struct cs_dbc *dbc);
/* The DBC and map from --dbc and --map (NULL: the data directory's). */
void tools_can_load(const char *dbc_path, const char *map_path,
		    struct cs_dbc **dbc, struct cs_canmap **map);

/* ---- devices through libiio (-u URI -d DEVICE) ---- */

/* --scans in a tool's longopts[]: above every tool's own option values */
#define TOOLS_OPT_SCANS 1000

/* What -u URI, -d DEV and --scans N gave. */
struct tools_iio_opts {
	char uri[256];			/* -u; "" local: */
	char device[64];		/* -d; "" none: read FILE or stdin */
	unsigned long long scans;	/* --scans; 0 until stopped */
	long scans_max;			/* --scans' limit; 0 LONG_MAX */
};
/* Option @c ('u', 'd' or TOOLS_OPT_SCANS) with @arg into @io: 1 when it
 * was one of them, else 0. A bad value dies, prefixed "@where: " when
 * @where is not NULL (a config file's line). */
int tools_iio_take(struct tools_iio_opts *io, int c, const char *arg,
		   const char *where);
/* The pairings, with @file the input file (NULL: none) and @run set when
 * --run was given: -d and FILE, -d and --run, -u or --scans without -d
 * are refused (exit 2). A tool then checks its own layout options. */
void tools_iio_check(const struct tools_iio_opts *io, const char *file,
		     int run);

struct cs_iiodev;
/* Device @device (label, name or id) at @uri (NULL: local:); dies with
 * why (unreachable, or no such device: what there is). */
struct cs_iiodev *tools_iio_open(const char *uri, const char *device);
/* Enable its @prefix elements (intensity, index, timestamp...): how many;
 * with @required, none is fatal (named). */
int tools_iio_enable(struct cs_iiodev *d, const char *prefix, int required);
/* Start streaming @max_scans (0: until stopped): the descriptor to read
 * scans from, as from iio_readdev; dies naming why it cannot. */
int tools_iio_start(struct cs_iiodev *d, unsigned long long max_scans);
/* Its wavelength scale, from in_intensity_wavelength_coeffs, into @ws;
 * dies naming @label when it has none (give -w) or it is not understood. */
struct cs_wavescale;
void tools_iio_wavescale(struct cs_iiodev *d, const char *label,
			 struct cs_wavescale *ws);
/* After the end of the stream: if the device failed (vanished, stopped,
 * the rig went away), say so with the scans read: EXIT_FAIL, else
 * EXIT_OK. Frees @d. */
int tools_iio_end(struct cs_iiodev *d);

/*
 * -d: the cellsense_us board's layout as ustof and aehits read it: blocks
 * in_voltage0..(record_length / block - 1), the shot header (in_index)
 * and the timestamp when the device has them, each enabled; the sampling
 * frequency, label and mode. Dies naming what does not fit.
 */
struct tools_us_layout {
	size_t n;			/* samples a record */
	size_t block;			/* samples an element */
	struct cs_sample_format *fmt;	/* filled in */
	int header, timestamps;
	double fs_hz;
	size_t scan_bytes;
	char mode[32];			/* "pulse-echo", "continuous"... */
};
struct cs_iiodev *tools_us_open(const char *uri, const char *device,
				struct tools_us_layout *l);
/* -d: @s reads the device's stream of @max_scans (0: until stopped) as
 * raw records, named "LABEL on URI", through libiio buffers of
 * @buffer_scans (1 to 4096: a scan per shot is passed on as it comes). */
void tools_source_open_device(struct tools_source *s, struct cs_iiodev *d,
			      size_t buffer_scans,
			      unsigned long long max_scans);

#endif
