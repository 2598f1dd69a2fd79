// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A run's sidecar (cellsense-run(5)) in the shape of the Bluesky event
 * model: a start document (plan, cell, sensors, calibrations, software,
 * host), one descriptor per stream (device, channels, raw layout, the
 * settings read back) and a stop document (exit status, reason, counts,
 * files with SHA-256). JSON-LD: terms from schema.org and BattINFO/EMMO
 * where they exist, cellsense's own vocabulary for the rest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cellsense.h"
#include "tools-runmeta.h"

#define VOCAB "https://w3id.org/cellsense/run#"

void runmeta_uid(char uid[40])
{
	FILE *f = fopen("/proc/sys/kernel/random/uuid", "r");

	if (!f || !fgets(uid, 40, f))
		snprintf(uid, 40, "%08lx-0000-4000-8000-%012lx",
			 (unsigned long)time(NULL), (unsigned long)getpid());
	if (f)
		fclose(f);
	uid[strcspn(uid, "\n")] = '\0';
}

static void add(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

static void add_str(json_object *o, const char *key, const char *v)
{
	if (v)
		add(o, key, json_object_new_string(v));
}

static void iso_time(const struct timespec *t, char *buf, size_t len)
{
	struct tm tm;
	char s[32];

	gmtime_r(&t->tv_sec, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06ldZ", s, t->tv_nsec / 1000);
}

static json_object *epoch(const struct timespec *t)
{
	return json_object_new_double((double)t->tv_sec + t->tv_nsec * 1e-9);
}

static json_object *context(void)
{
	json_object *c = json_object_new_object();
	json_object *t;
	static const char *const schema_terms[] = {
		"name", "identifier", "description", "softwareVersion",
		"contentUrl", "contentSize", "sha256", "encodingFormat",
		"manufacturer", "creator", NULL };

	add_str(c, "@vocab", VOCAB);
	add_str(c, "schema", "https://schema.org/");
	add_str(c, "emmo", "https://w3id.org/emmo#");
	add_str(c, "battery", "https://w3id.org/emmo/domain/battery#");
	add_str(c, "xsd", "http://www.w3.org/2001/XMLSchema#");
	for (const char *const *s = schema_terms; *s; s++) {
		char iri[64];

		snprintf(iri, sizeof(iri), "schema:%s", *s);
		add_str(c, *s, iri);
	}
	for (int i = 0; i < 2; i++) {
		t = json_object_new_object();
		add_str(t, "@id", i ? "schema:endTime" : "schema:startTime");
		add_str(t, "@type", "xsd:dateTime");
		add(c, i ? "endTime" : "startTime", t);
	}
	add_str(c, "hasNumericalValue", "emmo:hasNumericalValue");
	add_str(c, "hasMeasurementUnit", "emmo:hasMeasurementUnit");
	return c;
}

/* BattINFO's cell classes by the plan's format word. */
static const char *cell_class(const char *format)
{
	static const char *const map[][2] = {
		{ "pouch", "battery:PouchCell" },
		{ "cylindrical", "battery:CylindricalCell" },
		{ "prismatic", "battery:PrismaticCell" },
		{ "coin", "battery:CoinCell" },
	};

	for (size_t i = 0; format && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(format, map[i][0]))
			return map[i][1];
	return NULL;
}

static json_object *words(const char *s)
{
	json_object *a = json_object_new_array();
	char buf[1024], *save = NULL;

	if (!s)
		return a;
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *w = strtok_r(buf, " \t,", &save); w;
	     w = strtok_r(NULL, " \t,", &save))
		json_object_array_add(a, json_object_new_string(w));
	return a;
}

static json_object *cell(const struct cs_plan_section *c)
{
	json_object *o = json_object_new_object();
	json_object *type = json_object_new_array();
	const char *cls = cell_class(cs_plan_get(c, "format"));
	const char *cap = cs_plan_get(c, "capacity_ah");

	json_object_array_add(type, json_object_new_string("battery:BatteryCell"));
	if (cls)
		json_object_array_add(type, json_object_new_string(cls));
	add(o, "@type", type);
	add_str(o, "identifier", cs_plan_get(c, "id"));
	add_str(o, "chemistry", cs_plan_get(c, "chemistry"));
	add_str(o, "format", cs_plan_get(c, "format"));
	add_str(o, "manufacturer", cs_plan_get(c, "manufacturer"));
	add_str(o, "description", cs_plan_get(c, "description"));
	if (cap) {
		json_object *q = json_object_new_object();

		add_str(q, "@type", "battery:NominalCapacity");
		add(q, "hasNumericalValue", json_object_new_double(atof(cap)));
		add_str(q, "hasMeasurementUnit", "emmo:AmpereHour");
		add(o, "nominalCapacity", q);
	}
	return o;
}

static json_object *sensor(const struct cs_plan_section *s)
{
	json_object *o = json_object_new_object();
	const char *nm = cs_plan_get(s, "bragg_nm");

	add_str(o, "@type", "Sensor");
	add_str(o, "name", s->name);
	add_str(o, "kind", cs_plan_get(s, "kind"));
	add_str(o, "frontend", cs_plan_get(s, "frontend"));
	add(o, "channels", words(cs_plan_get(s, "channels")));
	add_str(o, "position", cs_plan_get(s, "position"));
	add_str(o, "calibration", cs_plan_get(s, "calibration"));
	add_str(o, "description", cs_plan_get(s, "description"));
	if (nm)
		add(o, "bragg_nm", json_object_new_double(atof(nm)));
	return o;
}

static json_object *calibration(const struct cs_plan_section *s)
{
	json_object *o = json_object_new_object();
	const char *u = cs_plan_get(s, "uncertainty");
	const char *file = cs_plan_get(s, "file");

	add_str(o, "@type", "Calibration");
	add_str(o, "name", s->name);
	/* the copy in the run directory */
	if (file)
		add_str(o, "file", strrchr(file, '/') ? strrchr(file, '/') + 1
						      : file);
	add_str(o, "quantity", cs_plan_get(s, "quantity"));
	add_str(o, "sensitivity", cs_plan_get(s, "sensitivity"));
	if (u)
		add(o, "uncertainty", json_object_new_double(atof(u)));
	add_str(o, "unit", cs_plan_get(s, "unit"));
	add_str(o, "origin", cs_plan_get(s, "origin"));
	add_str(o, "date", cs_plan_get(s, "date"));
	return o;
}

static json_object *start_doc(const struct runmeta *m)
{
	json_object *o = json_object_new_object();
	json_object *sensors = json_object_new_array();
	json_object *cals = json_object_new_array();
	json_object *sw = json_object_new_object();
	json_object *host = json_object_new_object();
	json_object *plan = json_object_new_object();
	json_object *settings = json_object_new_object();
	const struct cs_plan_section *run = cs_plan_find(m->plan, "run", "");
	struct utsname u;
	char t[64], name[256];

	add_str(o, "@type", "RunStart");
	add_str(o, "uid", m->uid);
	add(o, "time", epoch(&m->start));
	iso_time(&m->start, t, sizeof(t));
	add_str(o, "startTime", t);
	add_str(o, "description", cs_plan_get(run, "description"));
	add_str(o, "creator", cs_plan_get(run, "operator"));
	add_str(plan, "@type", "Plan");
	add_str(plan, "name", "csacq");
	add_str(plan, "contentUrl", m->plan_file);
	add(o, "plan", plan);
	add(o, "cell", cell(cs_plan_find(m->plan, "cell", "")));
	for (size_t i = 0; i < cs_plan_count(m->plan); i++) {
		const struct cs_plan_section *s = cs_plan_at(m->plan, i);

		if (!strcmp(s->kind, "sensor"))
			json_object_array_add(sensors, sensor(s));
		else if (!strcmp(s->kind, "calibration"))
			json_object_array_add(cals, calibration(s));
	}
	add(o, "sensors", sensors);
	add(o, "calibrations", cals);
	add_str(settings, "uri", m->uri);
	if (m->duration_s > 0)
		add(settings, "duration_s", json_object_new_double(m->duration_s));
	if (m->scans_limit)
		add(settings, "scans", json_object_new_int64((int64_t)m->scans_limit));
	add(o, "settings", settings);
	add_str(sw, "@type", "schema:SoftwareApplication");
	add_str(sw, "name", "cellsense csacq");
	add_str(sw, "softwareVersion", cs_version());
	add(o, "software", sw);
	if (!gethostname(name, sizeof(name))) {
		name[sizeof(name) - 1] = '\0';
		add_str(host, "name", name);
	}
	if (!uname(&u)) {
		add_str(host, "kernel", u.release);
		add_str(host, "machine", u.machine);
	}
	add(o, "host", host);
	return o;
}

static json_object *layout(const struct cs_run_stream *s)
{
	json_object *l = json_object_new_object();
	json_object *a = json_object_new_array();

	add_str(l, "format", s->format);
	add(l, "samples", json_object_new_int64((int64_t)s->samples));
	add(l, "block", json_object_new_int64((int64_t)s->block));
	add(l, "scan_bytes", json_object_new_int64((int64_t)s->scan_bytes));
	add(l, "timestamps", json_object_new_boolean(s->timestamps));
	add(l, "index", json_object_new_boolean(s->index));
	add(l, "rate_hz", json_object_new_double(s->rate_hz));
	for (unsigned int i = 0; i < s->nscales; i++)
		json_object_array_add(a, json_object_new_double(s->scales[i]));
	add(l, "scales", a);
	if (s->ncoeffs) {
		a = json_object_new_array();
		for (unsigned int i = 0; i < s->ncoeffs; i++)
			json_object_array_add(a, json_object_new_double(s->coeffs[i]));
		add(l, "wavelength_coeffs", a);
	}
	return l;
}

static json_object *descriptor(const struct runmeta *m,
			       const struct runmeta_stream *st)
{
	json_object *o = json_object_new_object();

	add_str(o, "@type", "EventDescriptor");
	add_str(o, "run_start", m->uid);
	add_str(o, "name", st->s.name);
	add_str(o, "kind", st->s.kind);
	add_str(o, "device", st->s.device);
	add_str(o, "file", st->file);
	add_str(o, "encodingFormat", "application/octet-stream");
	add(o, "layout", layout(&st->s));
	add(o, "data_keys", json_object_get(st->data_keys));
	add(o, "configuration", json_object_get(st->config));
	if (st->trigger[0]) {
		add_str(o, "trigger", st->trigger);
		add(o, "shot_rate", json_object_new_double(st->shot_rate));
	}
	if (st->process[0]) {
		add_str(o, "process", st->process);
		add_str(o, "records", st->records);
	}
	return o;
}

static int stop_doc(const struct runmeta *m, const char *dir,
		    json_object **out, char *err, size_t errlen)
{
	json_object *o = json_object_new_object();
	json_object *events = json_object_new_object();
	json_object *files = json_object_new_array();
	char t[96], path[4096], hex[65];

	*out = o;
	add_str(o, "@type", "RunStop");
	add_str(o, "run_start", m->uid);
	add(o, "time", epoch(&m->end));
	iso_time(&m->end, t, sizeof(t));
	add_str(o, "endTime", t);
	add_str(o, "exit_status", m->exit_status);
	add_str(o, "reason", m->reason);
	for (size_t i = 0; i < m->n; i++) {
		const struct runmeta_stream *st = &m->st[i];

		add(events, st->s.name, json_object_new_int64((int64_t)st->s.scans));
		if (st->trigger[0]) {
			snprintf(t, sizeof(t), "%s.shots", st->s.name);
			add(events, t, json_object_new_int64((int64_t)st->shots));
		}
		if (st->process[0]) {
			snprintf(t, sizeof(t), "%s.process_status", st->s.name);
			add(o, t, json_object_new_int(st->process_status));
		}
	}
	add(o, "num_events", events);
	for (size_t i = 0; i < m->nfiles; i++) {
		json_object *f = json_object_new_object();
		uint64_t bytes;
		int ret;

		snprintf(path, sizeof(path), "%s/%s", dir, m->files[i]);
		ret = cs_sha256_file(path, hex, &bytes);
		if (ret) {
			snprintf(err, errlen, "%s: %s", path, strerror(-ret));
			json_object_put(f);
			return -1;
		}
		add_str(f, "@type", "schema:MediaObject");
		add_str(f, "contentUrl", m->files[i]);
		add(f, "contentSize", json_object_new_int64((int64_t)bytes));
		add_str(f, "sha256", hex);
		json_object_array_add(files, f);
	}
	add(o, "files", files);
	return 0;
}

int runmeta_write(const struct runmeta *m, const char *dir, char *err,
		  size_t errlen)
{
	json_object *root = json_object_new_object();
	json_object *descs = json_object_new_array();
	json_object *stop;
	char tmp[4096], path[4096];
	int ret = 0;

	add(root, "@context", context());
	snprintf(tmp, sizeof(tmp), "urn:uuid:%s", m->uid);
	add_str(root, "@id", tmp);
	add_str(root, "@type", "schema:Dataset");
	add(root, "start", start_doc(m));
	for (size_t i = 0; i < m->n; i++)
		json_object_array_add(descs, descriptor(m, &m->st[i]));
	add(root, "descriptors", descs);
	if (m->exit_status) {
		ret = stop_doc(m, dir, &stop, err, errlen);
		add(root, "stop", stop);
	}
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, CS_RUN_SIDECAR);
	snprintf(path, sizeof(path), "%s/%s", dir, CS_RUN_SIDECAR);
	if (!ret && json_object_to_file_ext(tmp, root, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE)) {
		snprintf(err, errlen, "%s: %s", tmp, json_util_get_last_err());
		ret = -1;
	}
	if (!ret && rename(tmp, path)) {
		snprintf(err, errlen, "rename %s: %s", path, strerror(errno));
		ret = -1;
	}
	json_object_put(root);
	return ret;
}
