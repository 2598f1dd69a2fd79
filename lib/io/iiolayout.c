// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The parts of reading a device through libiio that need no device: where
 * each scan element sits, what that makes of a run's stream, which URI the
 * user meant, the FBG board's wavelength coefficients.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense-iio.h"
#include "cs-iioattr.h"

static size_t element_bytes(const struct cs_iio_element *e)
{
	return (size_t)e->fmt.storage / 8 * (e->repeat ? e->repeat : 1);
}

CS_API size_t cs_iio_layout(struct cs_iio_element *el, size_t n)
{
	size_t at = 0, largest = 0;

	if (!el || n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		size_t len = element_bytes(&el[i]);

		if (len == 0)
			return 0;
		/* the kernel aligns an element to its whole size (repeat
		 * included), as iio_compute_scan_bytes() does */
		at = (at + len - 1) / len * len;
		el[i].offset = at;
		at += len;
		if (len > largest)
			largest = len;
	}
	return (at + largest - 1) / largest * largest;
}

CS_API const struct cs_iio_element *
cs_iio_element_find(const struct cs_iio_element *el, size_t n, const char *id)
{
	for (size_t i = 0; el && id && i < n; i++)
		if (!strcmp(el[i].id, id))
			return &el[i];
	return NULL;
}

/* @id is @prefix then one or more digits only */
static int is_numbered(const char *id, const char *prefix)
{
	size_t len = strlen(prefix);

	if (strncmp(id, prefix, len) || !id[len])
		return 0;
	return strspn(id + len, "0123456789") == strlen(id + len);
}

CS_API size_t cs_iio_elements_prefix(const struct cs_iio_element *el,
				     size_t n, const char *prefix,
				     size_t *samples, int *contiguous)
{
	const struct cs_iio_element *prev = NULL;
	size_t count = 0, total = 0;
	int contig = 1;

	for (size_t i = 0; el && prefix && i < n; i++) {
		const struct cs_iio_element *e = &el[i];

		if (!is_numbered(e->id, prefix))
			continue;
		if (prev && (prev->offset + element_bytes(prev) != e->offset ||
			     memcmp(&prev->fmt, &e->fmt, sizeof(e->fmt))))
			contig = 0;
		prev = e;
		count++;
		total += e->repeat ? e->repeat : 1;
	}
	if (samples)
		*samples = total;
	if (contiguous)
		*contiguous = count > 0 && contig;
	return count;
}

CS_API int cs_iio_element_is_data(const struct cs_iio_element *e)
{
	return strcmp(e->id, "timestamp") && strcmp(e->id, "index");
}

/* A run's format text of @f: "le:u16/16>>0" (no repeat: one per stream) */
static void format_text(const struct cs_sample_format *f, char *dst,
			size_t len)
{
	snprintf(dst, len, "%s:%c%u/%u>>%u", f->big_endian ? "be" : "le",
		 f->is_signed ? 's' : 'u', f->bits, f->storage, f->shift);
}

CS_API int cs_iio_run_layout(const struct cs_iio_element *el, size_t n,
			     size_t scan_bytes, struct cs_run_stream *s,
			     char *err, size_t errlen)
{
	char fmt[sizeof(s->format)];

	s->samples = 0;
	s->block = 0;
	s->nscales = 0;
	s->format[0] = '\0';
	s->timestamps = 0;
	s->index = 0;
	for (size_t i = 0; i < n; i++) {
		const struct cs_iio_element *e = &el[i];
		unsigned int repeat = e->repeat ? e->repeat : 1;

		if (!strcmp(e->id, "timestamp")) {
			s->timestamps = 1;
			continue;
		}
		if (!cs_iio_element_is_data(e)) {
			s->index = 1;
			continue;
		}
		format_text(&e->fmt, fmt, sizeof(fmt));
		if (s->format[0] && strcmp(fmt, s->format)) {
			snprintf(err, errlen, "channel %s is %s, the others %s: "
				 "one format a stream", e->id, fmt, s->format);
			return -EINVAL;
		}
		strcpy(s->format, fmt);
		if (!s->samples)
			s->block = repeat;
		s->samples += repeat;
		if (s->nscales < CS_RUN_MAX_SCALES)
			s->scales[s->nscales++] = e->scale;
	}
	if (!s->samples) {
		snprintf(err, errlen, "no data channel enabled");
		return -EINVAL;
	}
	if (!scan_bytes) {
		snprintf(err, errlen, "no scan size: an element of 0 bytes");
		return -EINVAL;
	}
	s->scan_bytes = scan_bytes;
	return 0;
}

CS_API int cs_iio_uri_normalise(const char *in, char *out, size_t size,
				const char **why)
{
	const char *host, *colon;
	static const char *const schemes[] = { "local:", "ip:", "usb:",
					       "serial:", "xml:" };
	int n;

	*why = NULL;
	if (!in || !*in)
		in = "local:";
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t len = strlen(schemes[i]);

		if (strncmp(in, schemes[i], len))
			continue;
		if (strcmp(schemes[i], "ip:")) {
			host = NULL;
			goto copy;
		}
		host = in + len;
		goto check_host;
	}
	if (strchr(in, ':') && strchr(in, ':') == strrchr(in, ':') &&
	    !strspn(strchr(in, ':') + 1, "0123456789")) {
		*why = "unknown scheme (expected local:, ip:HOST[:PORT], usb:, "
		       "serial:)";
		return -EINVAL;
	}
	host = in;	/* a bare HOST[:PORT] */
check_host:
	if (!*host) {
		*why = "no host after ip: (mDNS discovery is not used: name "
		       "the rig)";
		return -EINVAL;
	}
	colon = strrchr(host, ':');
	/* HOST:PORT, but not an IPv6 address without brackets */
	if (colon && (strchr(host, ':') == colon || host[0] == '[')) {
		char *end;
		long port;

		if (colon == host) {
			*why = "empty host before the port";
			return -EINVAL;
		}
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (errno || *end || end == colon + 1 || port < 1 ||
		    port > 65535) {
			*why = "port is not a number 1..65535";
			return -EINVAL;
		}
	}
	if (strpbrk(host, " \t\n")) {
		*why = "host has a blank";
		return -EINVAL;
	}
copy:
	n = snprintf(out, size, "%s%s", host == in ? "ip:" : "", in);
	if (n < 0 || (size_t)n >= size) {
		*why = "too long";
		return -EINVAL;
	}
	return 0;
}

CS_API int cs_iio_wavescale_parse(const char *attr, struct cs_wavescale *ws,
				  size_t *err_pos)
{
	char buf[256];
	size_t len, j = 0, pos = 0;
	int ret;

	if (!attr) {
		if (err_pos)
			*err_pos = 0;
		return -EINVAL;
	}
	len = strlen(attr);
	while (len && strchr(" \t\r\n", attr[len - 1]))
		len--;
	if (len >= sizeof(buf)) {
		if (err_pos)
			*err_pos = sizeof(buf) - 1;
		return -EINVAL;
	}
	/* blanks between numbers become commas, the form cs_wavescale_parse
	 * reads (a run of blanks one comma) */
	for (size_t i = 0; i < len; i++) {
		char c = attr[i];
		int blank = c == ' ' || c == '\t';

		if (blank && (j == 0 || buf[j - 1] == ','))
			continue;
		buf[j++] = blank ? ',' : c;
	}
	buf[j] = '\0';
	ret = cs_wavescale_parse(buf, ws, &pos);
	if (ret) {
		if (err_pos)
			*err_pos = pos;
		return ret;
	}
	/* the board gives every coefficient; trailing zeros are no order */
	while (ws->ncoeffs > 2 && ws->c[ws->ncoeffs - 1] == 0.0)
		ws->ncoeffs--;
	return 0;
}
