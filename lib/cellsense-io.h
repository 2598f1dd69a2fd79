/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcellsense, input layer: what the tools read besides raw IIO samples.
 * Text (one record a line), interrogator exports (wavelength/power columns
 * with a header, Luna/Micron Optics ENLIGHT's layout among them), NumPy
 * .npy arrays; and telling them apart from raw samples. Included by
 * cellsense.h; same error convention. Nothing here prints: errors are
 * strings the caller puts in its messages, with line and column or byte
 * offset.
 */
#ifndef CELLSENSE_IO_H
#define CELLSENSE_IO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cellsense.h"

#ifdef __cplusplus
extern "C" {
#endif

enum cs_input_kind {
	CS_INPUT_RAW = 0,	/* samples back to back, a cs_sample_format */
	CS_INPUT_TEXT,		/* one record a line: numbers */
	CS_INPUT_EXPORT,	/* wavelength and power columns, a header */
	CS_INPUT_NPY,		/* NumPy .npy, 1-D or 2-D (records x samples) */
};

/* "raw samples", "text", "wavelength/power export", "NumPy .npy". */
CS_API const char *cs_input_kind_name(enum cs_input_kind kind);

/*
 * What the first @len bytes of an input look like. Text is bytes that are
 * printable ASCII, UTF-8 or blanks, no NUL or other control character;
 * a text whose first line that is not a comment or empty holds numbers
 * only is TEXT, otherwise (a header) EXPORT. NPY by its magic. Anything
 * else is RAW. Give at least the first record or 4096 bytes, whichever
 * is less (fewer only at the end of the input).
 */
CS_API enum cs_input_kind cs_input_sniff(const void *head, size_t len);
/* Why @head is not text: the offset of its first byte that no text holds,
 * or @len when it is text. */
CS_API size_t cs_input_first_binary(const void *head, size_t len);

/*
 * The numbers of one text line (NUL-terminated; a trailing CR or LF is a
 * blank) into @out, at most @max: separated by blanks (spaces, tabs), or
 * by one comma or semicolon with blanks around it allowed; a separator at
 * the end is allowed. Numbers as strtod() reads them in the C locale
 * (decimal point; "nan" and "inf" are numbers, for the caller to refuse).
 * The count (0 for a blank line), or -EBADMSG with *@column (1-based byte)
 * and *@why set: a token that is not a number, an empty field, more than
 * @max numbers, or a decimal comma (a comma between digits on a line
 * separated by semicolons).
 */
CS_API long cs_text_row_parse(const char *line, double *out, size_t max,
			      size_t *column, const char **why);

/*
 * A stream's own sequence numbers (a block's first sample index, a shot
 * number), checked before they drive a count or a loop. cs_seq_init():
 * @max_gap the largest gap taken as lost data. cs_seq_check(): a block
 * numbered @first holding @len numbers; *@gap set for CS_SEQ_GAP.
 * IN_STEP: as expected (the first block is). GAP: *@gap numbers lost
 * before it. BEHIND (before the expected number) and JUMP (more than
 * max_gap past it): the number is not believed, skip the block. RESTART:
 * this block continues the one skipped just before it: the counter
 * started again (a reset); take the block, what was lost is unknown.
 */
struct cs_seq {
	uint64_t next, pending, max_gap;
	unsigned long restarts;
	int started, pending_set;
};

enum cs_seq_verdict {
	CS_SEQ_IN_STEP = 0,
	CS_SEQ_GAP,
	CS_SEQ_BEHIND,
	CS_SEQ_JUMP,
	CS_SEQ_RESTART,
};

CS_API int cs_seq_init(struct cs_seq *s, uint64_t max_gap);
CS_API enum cs_seq_verdict cs_seq_check(struct cs_seq *s, uint64_t first,
					uint64_t len, uint64_t *gap);

/*
 * One line of a "key = value" config file (NUL-terminated, changed in
 * place): '#' starts a comment, blanks around key and value go. 0 for a
 * line with no key (blank, comment), else 1 with *@key set and *@val the
 * value, or NULL when the line has no '='.
 */
CS_API int cs_config_line_split(char *line, char **key, char **val);

/*
 * Bounded reading, for every loader and line reader of outside input.
 * cs_line_read(): the next line of @in into *@buf (grown with realloc as
 * needed, *@cap its size; NUL-terminated, the newline kept), at most @max
 * bytes (1..). The length, 0 at the end of the input, -EFBIG when the line
 * is longer than @max (its first @max bytes in *@buf, the rest unread),
 * -ENOMEM, or -errno of a read error (-EIO where the C library set none:
 * a directory, a failing disk): never an error taken for the end.
 * cs_file_read(): the whole file at @path, NUL-terminated, its length in
 * *@len; NULL with errno set: fopen()'s, a read error's (EISDIR, EIO),
 * EFBIG when it holds more than @max bytes (/dev/zero), ENOMEM. Free it.
 */
CS_API long cs_line_read(FILE *in, char **buf, size_t *cap, size_t max);
CS_API char *cs_file_read(const char *path, size_t max, size_t *len);

/* ---------------------------------------------------------------------
 * Wavelength/power exports, fed a line at a time. A header (a block of
 * "Key: value" lines, then a line naming the columns, the first of them
 * the wavelength: "Wvl (nm)<TAB>CH 1<TAB>CH 2...", "Wavelength (nm),Power
 * (dBm)", ...), then rows of wavelength and one power per channel, as
 * numbers that cs_text_row_parse() reads. Several spectra may follow each
 * other: a spectrum ends at a line that is not a row, or where the
 * wavelength goes back. Every spectrum must have the first one's axis.
 */
enum cs_power_scale {
	CS_POWER_AUTO = 0,	/* dBm if the header says so, or if the
				 * spectrum's median is below 0 */
	CS_POWER_DBM,
	CS_POWER_LINEAR,
};

struct cs_export_config {
	unsigned int channel;	/* power column, 1 the first; 0: 1 */
	enum cs_power_scale power;
	size_t max_points;	/* rows a spectrum at most; 0: 65536 */
};

struct cs_export;

CS_API struct cs_export *cs_export_create(const struct cs_export_config *cfg);
CS_API void cs_export_destroy(struct cs_export *e);
/*
 * Feed the next line (NUL-terminated). 0 when taken, -EBADMSG when it is
 * wrong (cs_export_error() says why; the spectrum it is in is dropped and
 * counted, and reading may go on), -ENOMEM. Then cs_export_take().
 */
CS_API int cs_export_line(struct cs_export *e, const char *line);
/* End of input: the last spectrum ends. 0, or -EBADMSG when it is short
 * of the first one's rows (dropped, counted). Then cs_export_take(). */
CS_API int cs_export_finish(struct cs_export *e);
/* A spectrum that the last line (or the end) completed: linear power of
 * the chosen channel (mW when the file had dBm), *@n points; NULL when
 * none did. Valid until the next call. */
CS_API const double *cs_export_take(struct cs_export *e, size_t *n);
/* The wavelength axis (nm) of the first spectrum, or NULL before. */
CS_API const double *cs_export_axis(const struct cs_export *e, size_t *n);
/* Line (1-based, of those fed) and column of the last -EBADMSG, and why. */
CS_API const char *cs_export_error(const struct cs_export *e,
				   unsigned long *line, size_t *column);
/* Power columns of the rows, 0 before the first row. */
CS_API unsigned int cs_export_channels(const struct cs_export *e);
/* Whether the power is dBm (1) or linear (0), and the reason ("the header
 * says dBm", "median below 0", "--dbm", ...); -1 before the first
 * spectrum. */
CS_API int cs_export_dbm(const struct cs_export *e, const char **why);
/* 1 when the header had a block of "Key: value" lines (ENLIGHT's). */
CS_API int cs_export_has_keys(const struct cs_export *e);
/* Spectra given, and spectra dropped for a bad line. */
CS_API unsigned long cs_export_spectra(const struct cs_export *e);
CS_API unsigned long cs_export_dropped(const struct cs_export *e);

/*
 * The wavelength axis @nm (n points, increasing or decreasing) as a pixel
 * polynomial for cs_wavescale_eval(): the lowest order (1 to 3) whose
 * largest error is below 1% of the mean spacing, or half the last decimal
 * the values were written with if that is more (a file's rounding, which
 * the least-squares fit averages out). 0, or -EDOM when none
 * is (*@max_err then says by how much the cubic missed, nm), -EINVAL for
 * fewer than 4 points or a non-finite one.
 */
CS_API int cs_wavescale_fit(const double *nm, size_t n, struct cs_wavescale *ws,
			    double *max_err);

/* ---------------------------------------------------------------------
 * NumPy .npy: the magic "\x93NUMPY", version 1.0, 2.0 or 3.0, a header
 * length (2 bytes LE in 1.0, 4 in 2.0 and 3.0), a Python dict literal with
 * 'descr', 'fortran_order' and 'shape', then the data, C order.
 */
struct cs_npy_header {
	struct cs_sample_format fmt;	/* from descr: <f4 <f8 <i2 <u2 ... */
	char descr[16];
	size_t rows, cols;		/* (n,) is 1 x n */
	size_t data_offset;		/* bytes before the data */
};

/*
 * Parse the header at @buf, @len bytes of the file's start. 0 and *@h;
 * -EAGAIN when the header is longer than @len (*@need: the bytes it
 * takes); -EBADMSG with *@why: not .npy, an unknown version, a broken
 * dict, fortran_order True, a dtype that is not an integer or float of
 * 1 to 8 bytes (named), a shape that is not 1-D or 2-D.
 */
CS_API int cs_npy_header_parse(const void *buf, size_t len,
			       struct cs_npy_header *h, size_t *need,
			       const char **why);

/* ---------------------------------------------------------------------
 * A reader of records (spectra, shots) of doubles from text, an export or
 * .npy, whichever @kind the caller sniffed: it reads @head (the bytes the
 * caller already read to sniff), then @in (NULL: nothing more).
 */
struct cs_input_config {
	size_t n;		/* samples a record; 0: from the input */
	int whole;		/* the whole input is one record (a pulse):
				 * text numbers of every line, any count */
	struct cs_export_config exp;
	size_t max_samples;	/* a record's samples at most; 0: 1 << 20 */
};

struct cs_input;

CS_API struct cs_input *cs_input_create(FILE *in, const void *head,
					size_t head_len,
					enum cs_input_kind kind,
					const struct cs_input_config *cfg);
CS_API void cs_input_destroy(struct cs_input *q);
/*
 * Read up to the first record, so that its size (and an export's axis)
 * is known. 0, -EBADMSG when there is none or the header is wrong
 * (cs_input_error()), -errno on a read error.
 */
CS_API int cs_input_start(struct cs_input *q);
/* Samples a record (after cs_input_start()). */
CS_API size_t cs_input_samples(const struct cs_input *q);
/*
 * Next record into @out (cs_input_samples() values). 1 when read, 0 at the
 * end, -EBADMSG for a bad record (skipped and counted; cs_input_error()
 * says what and where; reading may go on), -errno on a read error (EIO).
 */
CS_API int cs_input_next(struct cs_input *q, double *out);
/* The last error: "line 12, column 7: 'x1' is not a number", "byte offset
 * 8192: input ends inside row 3 (100 of 4000 bytes)"... */
CS_API const char *cs_input_error(const struct cs_input *q);
/* What was detected, one line: "text, 512 numbers a line", "ENLIGHT
 * export, 20001 points 1460..1620 nm, channel 1 of 4, dBm (the header
 * says dBm) converted to mW", "NumPy .npy v1.0 <f4, 291 x 4000". */
CS_API const char *cs_input_describe(const struct cs_input *q);
/* An export's wavelength axis (cs_input_samples() values), else NULL. */
CS_API const double *cs_input_axis(const struct cs_input *q);
/* The sample format of a .npy file's data (from its dtype), else NULL. */
CS_API const struct cs_sample_format *
cs_input_format(const struct cs_input *q);
/* Records skipped as bad, and comment or empty lines passed over. */
CS_API unsigned long cs_input_bad(const struct cs_input *q);
CS_API unsigned long cs_input_comments(const struct cs_input *q);

/* ---- waterfall: A-scans stacked over time, bounded for a picture ---- */

/*
 * An image of at most @max_rows x @max_cols values from shots of @samples
 * samples, however many shots come: each column holds the sample of
 * largest magnitude (its sign kept) of ceil(@samples / @max_cols)
 * neighbours, each row that of a run of shots; when the rows are full,
 * neighbouring rows are merged the same way and a row takes twice the
 * shots. Echoes of one sample or one shot so stay visible. Memory:
 * @max_rows x @max_cols doubles, allocated here. NULL on a zero size or
 * no memory.
 */
struct cs_waterfall;
CS_API struct cs_waterfall *cs_waterfall_create(size_t samples,
						size_t max_cols,
						size_t max_rows);
CS_API void cs_waterfall_destroy(struct cs_waterfall *w);
/* Add a shot of @time_ns: 0, or -EINVAL when a sample is not finite
 * (the shot is not added). */
CS_API int cs_waterfall_add(struct cs_waterfall *w, const double *x,
			    int64_t time_ns);
/* The image, row after row (*@rows x *@cols values). */
CS_API const double *cs_waterfall_image(const struct cs_waterfall *w,
					size_t *cols, size_t *rows);
/* Samples per column, shots per row (the last row may hold fewer), and
 * the shots added. */
CS_API size_t cs_waterfall_col_samples(const struct cs_waterfall *w);
CS_API size_t cs_waterfall_row_shots(const struct cs_waterfall *w);
CS_API unsigned long cs_waterfall_shots(const struct cs_waterfall *w);
/* The time of row @r's first shot. */
CS_API int64_t cs_waterfall_row_time(const struct cs_waterfall *w, size_t r);

#ifdef __cplusplus
}
#endif

#endif /* CELLSENSE_IO_H */
