/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcellsense, acquisition runs: the plan file csacq reads (an INI-like
 * text, see csacq(1)), the JSON-LD sidecar a run writes next to its data
 * and the tools read back (cellsense-run(5)), and SHA-256 of files.
 * Included by cellsense.h; same error convention. Nothing here prints:
 * errors are strings, with the line or the JSON member they are about.
 */
#ifndef CELLSENSE_RUN_H
#define CELLSENSE_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "cellsense.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- plan files ---------------------------------------------------- */

struct cs_plan_kv {
	const char *key;
	const char *value;	/* trimmed; "" allowed */
	unsigned int line;	/* 1-based */
};

struct cs_plan_section {
	const char *kind;	/* run, cell, frontend, sensor, calibration */
	const char *name;	/* "" for run and cell */
	unsigned int line;
	const struct cs_plan_kv *kv;
	size_t nkv;
};

struct cs_plan;

/*
 * Parse a plan of @len bytes at @text (need not be NUL-terminated). NULL
 * with errno EINVAL and the reason, naming the line, in @err (@errlen
 * bytes) when it is not a valid plan: a line that is no section, key or
 * comment, an unknown section or key, a key given twice, a section name
 * given twice, a reference (a sensor's frontend or calibration) to a
 * section that is not there, a number that is not one, no [cell] id, no
 * [frontend]. ENOMEM when out of memory.
 */
CS_API struct cs_plan *cs_plan_parse(const char *text, size_t len,
				     char *err, size_t errlen);
CS_API void cs_plan_destroy(struct cs_plan *plan);
CS_API size_t cs_plan_count(const struct cs_plan *plan);
/* Section @i in file order, NULL past the end. */
CS_API const struct cs_plan_section *cs_plan_at(const struct cs_plan *plan,
						 size_t i);
/* The section of @kind named @name ("" for run and cell), or NULL. */
CS_API const struct cs_plan_section *cs_plan_find(const struct cs_plan *plan,
						  const char *kind,
						  const char *name);
/* The value of @key in @sec, or NULL (also when @sec is NULL). */
CS_API const char *cs_plan_get(const struct cs_plan_section *sec,
			       const char *key);

/* ---- SHA-256 ------------------------------------------------------- */

/* Lower-case hex SHA-256 of the file at @path into @hex (65 bytes), its
 * size in *@bytes. 0, or -errno. */
CS_API int cs_sha256_file(const char *path, char hex[65], uint64_t *bytes);

/* ---- runs read back from their sidecar ------------------------------ */

#define CS_RUN_SIDECAR "run.jsonld"
#define CS_RUN_MAX_SCALES 16
#define CS_RUN_MAX_COEFFS 8
#define CS_RUN_MAX_GRATINGS 64

struct cs_run_grating {
	char name[32];
	double nm;		/* nominal Bragg wavelength */
};

/* One captured stream (a Bluesky "descriptor"), as the tools need it. */
struct cs_run_stream {
	char name[64];		/* the plan's frontend name */
	char kind[16];		/* fbg, re, us, other */
	char device[64];	/* IIO label (or name) */
	char path[4096];	/* the raw file, joined with the run dir */
	char sha256[65];	/* from the stop document, "" if none */
	uint64_t bytes;		/* file size from the stop document */
	char format[32];	/* sample format of the data channels */
	size_t samples;		/* data samples a scan (pixels, channels) */
	size_t block;		/* samples in one scan element (repeat) */
	size_t scan_bytes;	/* bytes a scan */
	int timestamps;		/* a timestamp element ends each scan */
	int index;		/* cellsense_fbg's index element */
	double rate_hz;		/* scans a second, 0 if not known */
	double scales[CS_RUN_MAX_SCALES];	/* per data channel */
	unsigned int nscales;
	double coeffs[CS_RUN_MAX_COEFFS];	/* wavelength polynomial */
	unsigned int ncoeffs;
	struct cs_run_grating gratings[CS_RUN_MAX_GRATINGS];
	unsigned int ngratings;
	char calibration[4096];	/* a calibration file, joined, "" none */
	uint64_t scans;		/* events counted by the stop document */
};

struct cs_run;

/*
 * Read the sidecar CS_RUN_SIDECAR in directory @dir. NULL with errno and
 * a reason in @err: ENOENT no sidecar, EFBIG larger than 16 MiB, EINVAL
 * not JSON or a member missing or of the wrong type (named).
 */
CS_API struct cs_run *cs_run_open(const char *dir, char *err, size_t errlen);
CS_API void cs_run_close(struct cs_run *run);
/* "success", "abort" (interrupted), "fail", or NULL: no stop document,
 * the run is going on or its writer died. */
CS_API const char *cs_run_exit_status(const struct cs_run *run);
/* Why it stopped ("SIGINT", "duration", ...), "" if not said. */
CS_API const char *cs_run_reason(const struct cs_run *run);
CS_API size_t cs_run_nstreams(const struct cs_run *run);
CS_API const struct cs_run_stream *cs_run_stream_at(const struct cs_run *run,
						    size_t i);
/* The first stream of @kind, or NULL. */
CS_API const struct cs_run_stream *cs_run_find(const struct cs_run *run,
					       const char *kind);
/* Check @s's file against the stop document's size and SHA-256: 0,
 * -ENODATA no checksum recorded, -EBADMSG mismatch (said in @err),
 * -errno reading it. */
CS_API int cs_run_verify(const struct cs_run_stream *s, char *err,
			 size_t errlen);

/*
 * What a tool's --run DIR does: open the run, take its first stream of
 * @kind into @out and check its file against the recorded SHA-256. 0,
 * with @note ("" or a warning to pass on: the run was interrupted, or
 * stopped without checksums); or -errno with the reason in @err
 * (-ENOENT no sidecar or no stream of @kind, -EBADMSG checksum mismatch,
 * -EINVAL a bad sidecar).
 */
CS_API int cs_run_load(const char *dir, const char *kind,
		       struct cs_run_stream *out, char *note, size_t notelen,
		       char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* CELLSENSE_RUN_H */
