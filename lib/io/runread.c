// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A run read back from its JSON-LD sidecar (cellsense-run(5)), through
 * json-c: for each stream (descriptor) the raw file and its layout, the
 * gratings and calibration its sensors name, and the stop document's
 * counts and checksums, so that a tool configures itself from the run.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cellsense.h"
#include "cellsense-run.h"

struct cs_run {
	struct cs_run_stream *s;
	size_t n;
	char exit_status[16];	/* "" when there is no stop document */
	char reason[64];
};

static void say(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static json_object *member(json_object *o, const char *key, json_type type)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

/* Copy string member @key of @o into @dst; -EINVAL (named) if missing,
 * not a string or too long; 0 when absent and @optional. */
static int get_str(json_object *o, const char *where, const char *key,
		   char *dst, size_t len, int optional, char *err,
		   size_t errlen)
{
	json_object *v = member(o, key, json_type_string);

	if (!v) {
		if (optional && (!o || !json_object_object_get_ex(o, key, NULL)))
			return 0;
		say(err, errlen, "%s.%s: missing or not a string", where, key);
		return -EINVAL;
	}
	if ((size_t)json_object_get_string_len(v) >= len) {
		say(err, errlen, "%s.%s: longer than %zu bytes", where, key,
		    len - 1);
		return -EINVAL;
	}
	strcpy(dst, json_object_get_string(v));
	return 0;
}

static int get_uint(json_object *o, const char *where, const char *key,
		    uint64_t max, uint64_t *dst, char *err, size_t errlen)
{
	json_object *v = member(o, key, json_type_int);
	int64_t x;

	x = v ? json_object_get_int64(v) : -1;
	if (x < 0 || (uint64_t)x > max) {
		say(err, errlen, "%s.%s: missing or not an integer in 0..%" PRIu64,
		    where, key, max);
		return -EINVAL;
	}
	*dst = (uint64_t)x;
	return 0;
}

static int get_numbers(json_object *o, const char *where, const char *key,
		       double *dst, unsigned int max, unsigned int *n,
		       char *err, size_t errlen)
{
	json_object *a = member(o, key, json_type_array);
	size_t len;

	*n = 0;
	if (!a) {
		if (!json_object_object_get_ex(o, key, NULL))
			return 0;
		say(err, errlen, "%s.%s: not an array", where, key);
		return -EINVAL;
	}
	len = json_object_array_length(a);
	if (len > max) {
		say(err, errlen, "%s.%s: more than %u numbers", where, key, max);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		json_object *v = json_object_array_get_idx(a, i);

		if (!json_object_is_type(v, json_type_double) &&
		    !json_object_is_type(v, json_type_int)) {
			say(err, errlen, "%s.%s[%zu]: not a number", where, key,
			    i);
			return -EINVAL;
		}
		dst[i] = json_object_get_double(v);
	}
	*n = (unsigned int)len;
	return 0;
}

/* @rel joined to @dir; a path that leaves the run directory is refused:
 * a sidecar names files of its own run only. */
static int join(const char *dir, const char *rel, char *dst, size_t len,
		const char *where, char *err, size_t errlen)
{
	if (!*rel || rel[0] == '/' || strstr(rel, "..")) {
		say(err, errlen, "%s: '%s' is not a file name inside the run",
		    where, rel);
		return -EINVAL;
	}
	if ((size_t)snprintf(dst, len, "%s/%s", dir, rel) >= len) {
		say(err, errlen, "%s: path too long", where);
		return -EINVAL;
	}
	return 0;
}

static int read_layout(json_object *d, struct cs_run_stream *s,
		       const char *where, char *err, size_t errlen)
{
	json_object *l = member(d, "layout", json_type_object);
	json_object *v;
	uint64_t x;
	char w[96];

	snprintf(w, sizeof(w), "%s.layout", where);
	if (!l) {
		say(err, errlen, "%s: missing or not an object", w);
		return -EINVAL;
	}
	if (get_str(l, w, "format", s->format, sizeof(s->format), 0, err,
		    errlen))
		return -EINVAL;
	if (get_uint(l, w, "samples", 1 << 20, &x, err, errlen))
		return -EINVAL;
	s->samples = (size_t)x;
	if (get_uint(l, w, "block", 1 << 20, &x, err, errlen))
		return -EINVAL;
	s->block = (size_t)x;
	if (get_uint(l, w, "scan_bytes", 1 << 24, &x, err, errlen))
		return -EINVAL;
	s->scan_bytes = (size_t)x;
	v = member(l, "timestamps", json_type_boolean);
	s->timestamps = v && json_object_get_boolean(v);
	v = member(l, "index", json_type_boolean);
	s->index = v && json_object_get_boolean(v);
	v = member(l, "rate_hz", json_type_double);
	if (!v)
		v = member(l, "rate_hz", json_type_int);
	s->rate_hz = v ? json_object_get_double(v) : 0.0;
	if (get_numbers(l, w, "scales", s->scales, CS_RUN_MAX_SCALES,
			&s->nscales, err, errlen) ||
	    get_numbers(l, w, "wavelength_coeffs", s->coeffs,
			CS_RUN_MAX_COEFFS, &s->ncoeffs, err, errlen))
		return -EINVAL;
	return 0;
}

/* The gratings (sensors with bragg_nm) on @s's front-end, and the first
 * calibration file one of them names. */
static int read_sensors(json_object *start, const char *dir,
			struct cs_run_stream *s, char *err, size_t errlen)
{
	json_object *sensors = member(start, "sensors", json_type_array);
	json_object *cals = member(start, "calibrations", json_type_array);

	for (size_t i = 0; sensors && i < json_object_array_length(sensors);
	     i++) {
		json_object *o = json_object_array_get_idx(sensors, i);
		json_object *fe = member(o, "frontend", json_type_string);
		json_object *nm = member(o, "bragg_nm", json_type_double);
		json_object *cal = member(o, "calibration", json_type_string);
		json_object *name = member(o, "name", json_type_string);

		if (!fe || strcmp(json_object_get_string(fe), s->name))
			continue;
		if (!nm)
			nm = member(o, "bragg_nm", json_type_int);
		if (nm && name) {
			struct cs_run_grating *g;

			if (s->ngratings == CS_RUN_MAX_GRATINGS ||
			    json_object_get_string_len(name) >= 32) {
				say(err, errlen, "start.sensors[%zu]: more than "
				    "%d gratings or a name over 31 bytes", i,
				    CS_RUN_MAX_GRATINGS);
				return -EINVAL;
			}
			g = &s->gratings[s->ngratings++];
			strcpy(g->name, json_object_get_string(name));
			g->nm = json_object_get_double(nm);
		}
		for (size_t k = 0; cal && !s->calibration[0] && cals &&
				   k < json_object_array_length(cals); k++) {
			json_object *c = json_object_array_get_idx(cals, k);
			json_object *cn = member(c, "name", json_type_string);
			json_object *file = member(c, "file", json_type_string);

			if (cn && file && !strcmp(json_object_get_string(cn),
						  json_object_get_string(cal)) &&
			    join(dir, json_object_get_string(file),
				 s->calibration, sizeof(s->calibration),
				 "start.calibrations.file", err, errlen))
				return -EINVAL;
		}
	}
	return 0;
}

/* Counts and checksums from the stop document, matched by file name. */
static int read_stop(struct cs_run *run, json_object *stop, char *err,
		     size_t errlen)
{
	json_object *files = member(stop, "files", json_type_array);
	json_object *events = member(stop, "num_events", json_type_object);

	if (get_str(stop, "stop", "exit_status", run->exit_status,
		    sizeof(run->exit_status), 0, err, errlen) ||
	    get_str(stop, "stop", "reason", run->reason, sizeof(run->reason),
		    1, err, errlen))
		return -EINVAL;
	if (strcmp(run->exit_status, "success") &&
	    strcmp(run->exit_status, "abort") &&
	    strcmp(run->exit_status, "fail")) {
		say(err, errlen, "stop.exit_status: '%s' is none of success, "
		    "abort, fail", run->exit_status);
		return -EINVAL;
	}
	for (size_t i = 0; i < run->n; i++) {
		struct cs_run_stream *s = &run->s[i];
		const char *base = strrchr(s->path, '/') + 1;
		json_object *n = member(events, s->name, json_type_int);

		if (n && json_object_get_int64(n) >= 0)
			s->scans = (uint64_t)json_object_get_int64(n);
		for (size_t k = 0; files && k < json_object_array_length(files);
		     k++) {
			json_object *f = json_object_array_get_idx(files, k);
			json_object *url = member(f, "contentUrl",
						  json_type_string);
			uint64_t size;

			if (!url || strcmp(json_object_get_string(url), base))
				continue;
			if (get_str(f, "stop.files", "sha256", s->sha256,
				    sizeof(s->sha256), 0, err, errlen) ||
			    get_uint(f, "stop.files", "contentSize", UINT64_MAX / 2,
				     &size, err, errlen))
				return -EINVAL;
			s->bytes = size;
		}
	}
	return 0;
}

static int read_run(struct cs_run *run, json_object *root, const char *dir,
		    char *err, size_t errlen)
{
	json_object *start = member(root, "start", json_type_object);
	json_object *descs = member(root, "descriptors", json_type_array);
	json_object *stop = member(root, "stop", json_type_object);
	char where[64], file[256];

	if (!start || !descs) {
		say(err, errlen, "%s: missing or not %s", !start ? "start" :
		    "descriptors", !start ? "an object" : "an array");
		return -EINVAL;
	}
	run->n = json_object_array_length(descs);
	run->s = calloc(run->n ? run->n : 1, sizeof(*run->s));
	if (!run->s)
		return -ENOMEM;
	for (size_t i = 0; i < run->n; i++) {
		json_object *d = json_object_array_get_idx(descs, i);
		struct cs_run_stream *s = &run->s[i];

		snprintf(where, sizeof(where), "descriptors[%zu]", i);
		if (!json_object_is_type(d, json_type_object)) {
			say(err, errlen, "%s: not an object", where);
			return -EINVAL;
		}
		if (get_str(d, where, "name", s->name, sizeof(s->name), 0, err,
			    errlen) ||
		    get_str(d, where, "kind", s->kind, sizeof(s->kind), 0, err,
			    errlen) ||
		    get_str(d, where, "device", s->device, sizeof(s->device), 0,
			    err, errlen) ||
		    get_str(d, where, "file", file, sizeof(file), 0, err,
			    errlen) ||
		    join(dir, file, s->path, sizeof(s->path), where, err,
			 errlen) ||
		    read_layout(d, s, where, err, errlen) ||
		    read_sensors(start, dir, s, err, errlen))
			return -EINVAL;
	}
	return stop ? read_stop(run, stop, err, errlen) : 0;
}

/* csacq's sidecars are a few KiB; far more is no sidecar */
#define RUN_SIDECAR_MAX (16u << 20)

/* The sidecar at @path parsed, or NULL with errno and @err set. */
static json_object *parse_sidecar(const char *path, char *err, size_t errlen)
{
	struct json_tokener *tok;
	enum json_tokener_error why;
	json_object *root;
	size_t len;
	char *text = cs_file_read(path, RUN_SIDECAR_MAX, &len);
	int e = errno;

	if (!text) {
		if (e == EFBIG)
			say(err, errlen, "%s: larger than %u MiB: not a run's "
			    "sidecar", path, RUN_SIDECAR_MAX >> 20);
		else
			say(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return NULL;
	}
	tok = json_tokener_new();
	if (!tok) {
		free(text);
		say(err, errlen, "%s: %s", path, strerror(ENOMEM));
		errno = ENOMEM;
		return NULL;
	}
	root = json_tokener_parse_ex(tok, text, (int)len);
	why = json_tokener_get_error(tok);
	json_tokener_free(tok);
	free(text);
	if (!root) {
		say(err, errlen, "%s: not JSON: %s", path,
		    why == json_tokener_continue ? "it ends inside a value" :
		    json_tokener_error_desc(why));
		errno = EINVAL;
	}
	return root;
}

struct cs_run *cs_run_open(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct cs_run *run;
	json_object *root;
	int ret;

	say(err, errlen, "%s", "");
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, CS_RUN_SIDECAR) >=
	    sizeof(path)) {
		say(err, errlen, "%s: path too long", dir);
		errno = ENAMETOOLONG;
		return NULL;
	}
	root = parse_sidecar(path, err, errlen);
	if (!root)
		return NULL;
	run = calloc(1, sizeof(*run));
	ret = run ? read_run(run, root, dir, err, errlen) : -ENOMEM;
	json_object_put(root);
	if (ret) {
		cs_run_close(run);
		errno = -ret;
		return NULL;
	}
	return run;
}

void cs_run_close(struct cs_run *run)
{
	if (!run)
		return;
	free(run->s);
	free(run);
}

const char *cs_run_exit_status(const struct cs_run *run)
{
	return run->exit_status[0] ? run->exit_status : NULL;
}

const char *cs_run_reason(const struct cs_run *run)
{
	return run->reason;
}

size_t cs_run_nstreams(const struct cs_run *run)
{
	return run->n;
}

const struct cs_run_stream *cs_run_stream_at(const struct cs_run *run,
					     size_t i)
{
	return i < run->n ? &run->s[i] : NULL;
}

const struct cs_run_stream *cs_run_find(const struct cs_run *run,
					const char *kind)
{
	for (size_t i = 0; i < run->n; i++)
		if (!strcmp(run->s[i].kind, kind))
			return &run->s[i];
	return NULL;
}

int cs_run_verify(const struct cs_run_stream *s, char *err, size_t errlen)
{
	char hex[65];
	uint64_t bytes;
	int ret;

	if (!s->sha256[0]) {
		say(err, errlen, "%s: no checksum recorded (the run did not "
		    "stop cleanly)", s->path);
		return -ENODATA;
	}
	ret = cs_sha256_file(s->path, hex, &bytes);
	if (ret) {
		say(err, errlen, "%s: %s", s->path, strerror(-ret));
		return ret;
	}
	if (bytes != s->bytes || strcmp(hex, s->sha256)) {
		say(err, errlen, "%s: %" PRIu64 " bytes, SHA-256 %.16s..., but "
		    "the sidecar says %" PRIu64 " bytes, %.16s...", s->path,
		    bytes, hex, s->bytes, s->sha256);
		return -EBADMSG;
	}
	return 0;
}

int cs_run_load(const char *dir, const char *kind, struct cs_run_stream *out,
		char *note, size_t notelen, char *err, size_t errlen)
{
	struct cs_run *run = cs_run_open(dir, err, errlen);
	const struct cs_run_stream *s;
	const char *status;
	int ret;

	say(note, notelen, "%s", "");
	if (!run)
		return -errno;
	s = cs_run_find(run, kind);
	if (!s) {
		say(err, errlen, "%s: the run has no %s stream", dir, kind);
		cs_run_close(run);
		return -ENOENT;
	}
	*out = *s;
	status = cs_run_exit_status(run);
	if (!status)
		say(note, notelen, "%s: the run has no stop document (still "
		    "running, or its writer died): %s not checked", dir,
		    out->path);
	else if (strcmp(status, "success"))
		say(note, notelen, "%s: the run ended with %s (%s): its data "
		    "ends there", dir, status, cs_run_reason(run));
	cs_run_close(run);
	if (!status)
		return 0;
	ret = cs_run_verify(out, err, errlen);
	return ret == -ENODATA ? 0 : ret;
}
