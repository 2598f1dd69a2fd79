/* SPDX-License-Identifier: GPL-2.0-or-later */
/* csacq's sidecar writer: a run's JSON-LD (cellsense-run(5)) through
 * json-c, written whole to a temporary file and renamed over the last. */
#ifndef CELLSENSE_TOOLS_RUNMETA_H
#define CELLSENSE_TOOLS_RUNMETA_H

#include <stdint.h>
#include <time.h>

#include "cellsense.h"

struct json_object;

#define RUNMETA_MAX_FILES 64

struct runmeta_stream {
	struct cs_run_stream s;	/* name, kind, device, layout */
	char file[128];		/* raw data, relative to the run dir */
	char records[128];	/* what `process` wrote, "" if none */
	char process[512];	/* the processing command, "" if none */
	int process_status;	/* its exit status, -1 if none/killed */
	char trigger[64];	/* GPIO line fired, "" if none */
	double shot_rate;
	uint64_t shots;
	struct json_object *config;	/* attributes as read back */
	struct json_object *data_keys;	/* per channel: format, scale */
};

struct runmeta {
	const struct cs_plan *plan;
	char plan_file[128];	/* the plan's copy in the run dir */
	char uid[40];
	char uri[256];
	struct timespec start, end;	/* CLOCK_REALTIME */
	double duration_s;	/* 0: none */
	uint64_t scans_limit;	/* 0: none */
	struct runmeta_stream *st;
	size_t n;
	char files[RUNMETA_MAX_FILES][128];	/* every file, for checksums */
	size_t nfiles;
	const char *exit_status;	/* NULL while running */
	const char *reason;
};

/* A random UUID (the kernel's) into @uid. */
void runmeta_uid(char uid[40]);
/* Write @m's sidecar into @dir: start and descriptors, and the stop
 * document (with checksums of every file) once @m->exit_status is set.
 * 0, or -1 with the reason in @err. */
int runmeta_write(const struct runmeta *m, const char *dir, char *err,
		  size_t errlen);

#endif
