// SPDX-License-Identifier: GPL-2.0-or-later
/* Plans parsed and refused; sidecars read back, checked and refused. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cellsense.h"

static const char good_plan[] =
	"# a comment\n"
	"[run]\n"
	"duration = 10   # seconds\n"
	"[cell]\n"
	"id = C1\n"
	"format = pouch\n"
	"[frontend fibre]\n"
	"device = fbg0\n"
	"attr.sampling_frequency = 100\n"
	"channels = intensity0 intensity1\n"
	"[sensor g1]\n"
	"frontend = fibre\n"
	"bragg_nm = 1530\n"
	"calibration = cal\n"
	"position = a#b ; kept: no blank before them\n"
	"[calibration cal]\n"
	"uncertainty = 0.2\n";

static void plan_parses(void **state)
{
	char err[256];
	struct cs_plan *p = cs_plan_parse(good_plan, strlen(good_plan), err,
					  sizeof(err));
	const struct cs_plan_section *s;

	(void)state;
	assert_non_null(p);
	assert_int_equal(cs_plan_count(p), 5);
	s = cs_plan_find(p, "frontend", "fibre");
	assert_non_null(s);
	assert_int_equal(s->line, 7);
	assert_string_equal(cs_plan_get(s, "attr.sampling_frequency"), "100");
	assert_string_equal(cs_plan_get(s, "channels"), "intensity0 intensity1");
	assert_null(cs_plan_get(s, "buffer"));
	assert_string_equal(cs_plan_get(cs_plan_find(p, "run", ""), "duration"),
			    "10");
	assert_string_equal(cs_plan_get(cs_plan_find(p, "sensor", "g1"),
					 "position"), "a#b");
	assert_null(cs_plan_find(p, "sensor", "g2"));
	cs_plan_destroy(p);
}

/* Each bad plan is refused with errno EINVAL and a reason naming where. */
static void plan_refused(void **state)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "[cell]\nid = a\n[frontend f]\ndevice = d\nbuffer = x\n",
		  "line 5: buffer = 'x' is not a number > 0" },
		{ "[cell]\nid = a\n[frontend f]\ndevice = d\nbufer = 1\n",
		  "line 5: [frontend] has no key 'bufer'" },
		{ "[cell]\nid = a\n[frontend f]\ndevice = d\ndevice = e\n",
		  "line 5: 'device' given twice" },
		{ "[cell]\nid = a\n[frontend f]\ndevice = d\n[frontend f]\n",
		  "line 5: [frontend f] given twice" },
		{ "[cell]\nid = a\n[frontend]\n", "line 3: [frontend] needs a name" },
		{ "[cell]\nid = a\n[frontend f]\n", "line 3: [frontend f] has no device" },
		{ "[cell]\nid = a\n[frontend f]\ndevice = d\n[sensor s]\n"
		  "frontend = g\n", "frontend 'g' is no [frontend]" },
		{ "[cell]\nid = a\n[frontend f]\ndevice = d\n[sensor s]\n"
		  "frontend = f\ncalibration = c\n", "calibration 'c' is no" },
		{ "[frontend f]\ndevice = d\n", "no [cell] section" },
		{ "[cell]\nid = a\n", "no [frontend NAME] section" },
		{ "[cell]\nchemistry = x\n[frontend f]\ndevice = d\n",
		  "line 1: [cell] has no id" },
		{ "id = a\n", "line 1: 'id' before any [section]" },
		{ "[cell\n", "line 1: a section header ends in ']'" },
		{ "[cell]\njust words\n", "line 2: not a [section]" },
		{ "[cells]\n", "unknown section [cells]" },
		{ "[run x]\n", "[run] takes no name" },
		{ "[cell]\nid = a\n[frontend f]\ndevice = d\nattr.a.b = 1\n",
		  "[frontend] has no key 'attr.a.b'" },
		{ "[run]\nduration = -1\n", "duration = '-1' is not a number" },
		{ "[run]\nduration = nan\n", "duration = 'nan' is not a number" },
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_null(cs_plan_parse(bad[i].text, strlen(bad[i].text), err,
					  sizeof(err)));
		assert_int_equal(errno, EINVAL);
		if (!strstr(err, bad[i].why))
			fail_msg("plan %zu: '%s' does not say '%s'", i, err,
				 bad[i].why);
	}
	/* a NUL byte inside */
	assert_null(cs_plan_parse("[cell]\0id = a\n", 13, err, sizeof(err)));
	assert_non_null(strstr(err, "NUL"));
}

static char dir[64];

static void write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* sha256 of "abc" (FIPS 180-2, appendix B.1) */
#define ABC_SHA256 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static void sha256_known(void **state)
{
	char path[128], hex[65];
	uint64_t n = 0;

	(void)state;
	write_file("abc", "abc");
	snprintf(path, sizeof(path), "%s/abc", dir);
	assert_int_equal(cs_sha256_file(path, hex, &n), 0);
	assert_string_equal(hex, ABC_SHA256);
	assert_int_equal(n, 3);
	snprintf(path, sizeof(path), "%s/none", dir);
	assert_int_equal(cs_sha256_file(path, hex, &n), -ENOENT);
}

#define SIDECAR_HEAD \
	"{\"@context\": {}, \"start\": {\"sensors\": [" \
	"{\"name\": \"g1\", \"frontend\": \"fibre\", \"bragg_nm\": 1530.5," \
	" \"calibration\": \"k\"}," \
	"{\"name\": \"g2\", \"frontend\": \"fibre\", \"bragg_nm\": 1545}," \
	"{\"name\": \"r\", \"frontend\": \"el\"}]," \
	"\"calibrations\": [{\"name\": \"k\", \"file\": \"cal.txt\"}]}," \
	"\"descriptors\": [{\"name\": \"fibre\", \"kind\": \"fbg\"," \
	" \"device\": \"fbg0\", \"file\": \"abc\", \"layout\": {" \
	"\"format\": \"le:u16/16>>0\", \"samples\": 512, \"block\": 128," \
	" \"scan_bytes\": 1280, \"timestamps\": true, \"index\": false," \
	" \"rate_hz\": 100.0, \"scales\": [1, 1, 1, 1]," \
	" \"wavelength_coeffs\": [1510, 0.167, -1e-6, 0]}}]"

static void sidecar_reads(void **state)
{
	char err[256], note[256];
	struct cs_run_stream s;
	struct cs_run *run;
	const struct cs_run_stream *p;

	(void)state;
	write_file("abc", "abc");
	write_file("run.jsonld", SIDECAR_HEAD ", \"stop\": {\"exit_status\":"
		   " \"abort\", \"reason\": \"SIGINT\", \"num_events\":"
		   " {\"fibre\": 7}, \"files\": [{\"contentUrl\": \"abc\","
		   " \"contentSize\": 3, \"sha256\": \"" ABC_SHA256 "\"}]}}");
	run = cs_run_open(dir, err, sizeof(err));
	if (!run)
		fail_msg("%s", err);
	assert_string_equal(cs_run_exit_status(run), "abort");
	assert_string_equal(cs_run_reason(run), "SIGINT");
	assert_int_equal(cs_run_nstreams(run), 1);
	assert_null(cs_run_find(run, "re"));
	p = cs_run_find(run, "fbg");
	assert_non_null(p);
	assert_string_equal(p->device, "fbg0");
	assert_int_equal(p->samples, 512);
	assert_int_equal(p->block, 128);
	assert_int_equal(p->scan_bytes, 1280);
	assert_true(p->timestamps);
	assert_false(p->index);
	assert_int_equal(p->ncoeffs, 4);
	assert_true(p->coeffs[2] == -1e-6);
	assert_int_equal(p->nscales, 4);
	assert_int_equal(p->ngratings, 2);
	assert_string_equal(p->gratings[0].name, "g1");
	assert_true(p->gratings[0].nm == 1530.5);
	assert_true(p->gratings[1].nm == 1545.0);
	assert_non_null(strstr(p->calibration, "/cal.txt"));
	assert_int_equal(p->scans, 7);
	assert_int_equal(cs_run_verify(p, err, sizeof(err)), 0);
	cs_run_close(run);

	/* what --run does: interrupted said, file checked */
	assert_int_equal(cs_run_load(dir, "fbg", &s, note, sizeof(note), err,
				     sizeof(err)), 0);
	assert_non_null(strstr(note, "ended with abort (SIGINT)"));
	assert_int_equal(cs_run_load(dir, "us", &s, note, sizeof(note), err,
				     sizeof(err)), -ENOENT);
	/* the file changed after the run */
	write_file("abc", "abd");
	assert_int_equal(cs_run_load(dir, "fbg", &s, note, sizeof(note), err,
				     sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "the sidecar says 3 bytes"));
	write_file("abc", "abc");

	/* no stop document: still running or died; said, not checked */
	write_file("run.jsonld", SIDECAR_HEAD "}");
	assert_int_equal(cs_run_load(dir, "fbg", &s, note, sizeof(note), err,
				     sizeof(err)), 0);
	assert_non_null(strstr(note, "no stop document"));
}

static void sidecar_refused(void **state)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "{\"start\": {}, \"descriptors\": [", "not JSON" },
		{ "[]", "start: missing" },
		{ "{\"start\": {}}", "descriptors: missing" },
		{ "{\"start\": {}, \"descriptors\": [1]}", "descriptors[0]: not an object" },
		{ "{\"start\": {}, \"descriptors\": [{\"name\": \"f\"}]}",
		  "descriptors[0].kind: missing" },
		{ "{\"start\": {}, \"descriptors\": [{\"name\": \"f\", \"kind\":"
		  " \"fbg\", \"device\": \"d\", \"file\": \"../etc/passwd\"}]}",
		  "not a file name inside the run" },
		{ "{\"start\": {}, \"descriptors\": [{\"name\": \"f\", \"kind\":"
		  " \"fbg\", \"device\": \"d\", \"file\": \"x\"}]}",
		  "descriptors[0].layout: missing" },
		{ "{\"start\": {}, \"descriptors\": [{\"name\": \"f\", \"kind\":"
		  " \"fbg\", \"device\": \"d\", \"file\": \"x\", \"layout\":"
		  " {\"format\": \"le:u16\", \"samples\": -1}}]}",
		  "layout.samples: missing or not an integer" },
		{ "{\"start\": {}, \"descriptors\": [], \"stop\": "
		  "{\"exit_status\": \"done\"}}", "'done' is none of" },
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file("run.jsonld", bad[i].text);
		errno = 0;
		assert_null(cs_run_open(dir, err, sizeof(err)));
		assert_int_equal(errno, EINVAL);
		if (!strstr(err, bad[i].why))
			fail_msg("sidecar %zu: '%s' does not say '%s'", i, err,
				 bad[i].why);
	}
	assert_null(cs_run_open("/nonexistent-run", err, sizeof(err)));
	assert_int_equal(errno, ENOENT);
}

/* a file far larger than any sidecar (a run's data named run.jsonld) is
 * refused at its size, the limit named, before json-c sees it */
static void sidecar_too_large(void **state)
{
	char path[128], err[256];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/run.jsonld", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"start\": {}, \"descriptors\": [], \"pad\": \"", f);
	for (int i = 0; i < (16 << 20) / 64; i++)
		fputs("0123456789abcdef0123456789abcdef"
		      "0123456789abcdef0123456789abcdef", f);
	fputs("\"}", f);
	assert_int_equal(fclose(f), 0);
	errno = 0;
	assert_null(cs_run_open(dir, err, sizeof(err)));
	assert_int_equal(errno, EFBIG);
	assert_non_null(strstr(err, "run.jsonld: larger than 16 MiB"));
	/* a directory named like the sidecar is said as one */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_null(cs_run_open(dir, err, sizeof(err)));
	assert_int_equal(errno, EISDIR);
	assert_int_equal(rmdir(path), 0);
}

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test-run-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char path[128];

	(void)state;
	for (const char *const *n = (const char *const[]){ "abc", "run.jsonld",
							     NULL }; *n; n++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *n);
		unlink(path);
	}
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plan_parses),
		cmocka_unit_test(plan_refused),
		cmocka_unit_test(sha256_known),
		cmocka_unit_test(sidecar_reads),
		cmocka_unit_test(sidecar_refused),
		cmocka_unit_test(sidecar_too_large),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
