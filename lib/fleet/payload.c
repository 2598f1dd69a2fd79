// SPDX-License-Identifier: LGPL-2.1-or-later
/* The payloads between gateways and the store: a batch of record lines
 * behind a head line, and the store's list of the batches it committed.
 * Text, so that mosquitto_sub shows them as they are. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense.h"

static const char batch_magic[] = "cellsense-batch 1 ";
static const char stored_magic[] = "cellsense-stored 1 ";

int cs_fleet_id_valid(const char *id)
{
	size_t n;

	if (!id)
		return 0;
	for (n = 0; id[n]; n++) {
		char c = id[n];

		if (n >= CS_FLEET_ID_MAX - 1 ||
		    !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			return 0;
	}
	return n > 0;
}

int cs_batch_head_format(char *buf, size_t size, const char *gateway,
			 uint64_t seq, uint32_t count)
{
	int n;

	if (!buf || !cs_fleet_id_valid(gateway) || !seq || seq > INT64_MAX)
		return -EINVAL;
	n = snprintf(buf, size, "%s%s %" PRIu64 " %" PRIu32 "\n", batch_magic,
		     gateway, seq, count);
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}

int cs_stored_head_format(char *buf, size_t size, const char *gateway)
{
	int n;

	if (!buf || !cs_fleet_id_valid(gateway))
		return -EINVAL;
	n = snprintf(buf, size, "%s%s\n", stored_magic, gateway);
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}

/* The line at *@off of @p (@len bytes) copied NUL-terminated into @line
 * (@size bytes), *@off past its newline: its length, -ENOENT at the end,
 * -EBADMSG when it has no newline, is too long or holds a NUL. */
static int take_line(const char *p, size_t len, size_t *off, char *line,
		     size_t size, const char **why)
{
	const char *start = p + *off, *nl;
	size_t n;

	if (*off >= len)
		return -ENOENT;
	nl = memchr(start, '\n', len - *off);
	if (!nl) {
		*off = len;
		*why = "last line without newline (truncated payload?)";
		return -EBADMSG;
	}
	n = (size_t)(nl - start);
	*off += n + 1;
	if (n >= size) {
		*why = "line too long";
		return -EBADMSG;
	}
	if (memchr(start, '\0', n)) {
		*why = "NUL byte in line";
		return -EBADMSG;
	}
	memcpy(line, start, n);
	line[n] = '\0';
	return (int)n;
}

/* A decimal number without sign or leading zero, from @s to its end or a
 * space (*@end), at most @max: 0, or -1. */
static int parse_u64(const char *s, char **end, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;
	const char *p = s;

	/* one digit at least, no leading zero */
	if (*p < '0' || *p > '9' || (*p == '0' && p[1] >= '0' && p[1] <= '9'))
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (x > (max - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*end = (char *)p;
	*v = x;
	return 0;
}

/* "GATEWAY" up to a space or the end of @s into @id: 0, or -1. */
static int take_id(const char *s, char **end, char id[CS_FLEET_ID_MAX])
{
	size_t n = strcspn(s, " ");

	if (n == 0 || n >= CS_FLEET_ID_MAX)
		return -1;
	memcpy(id, s, n);
	id[n] = '\0';
	*end = (char *)s + n;
	return cs_fleet_id_valid(id) ? 0 : -1;
}

int cs_batch_head_parse(const void *payload, size_t len,
			struct cs_batch_head *head, size_t *body,
			const char **why)
{
	char line[160], *p;
	uint64_t count;
	size_t off = 0;
	int n;

	n = take_line(payload, len, &off, line, sizeof(line), why);
	if (n == -ENOENT)
		*why = "empty payload";
	if (n < 0)
		return -EBADMSG;
	if (strncmp(line, batch_magic, sizeof(batch_magic) - 1)) {
		*why = "not a cellsense-batch 1 payload";
		return -EBADMSG;
	}
	p = line + sizeof(batch_magic) - 1;
	if (take_id(p, &p, head->gateway) || *p++ != ' ') {
		*why = "bad gateway name";
		return -EBADMSG;
	}
	if (parse_u64(p, &p, INT64_MAX, &head->seq) || !head->seq ||
	    *p++ != ' ') {
		*why = "bad batch sequence number";
		return -EBADMSG;
	}
	if (parse_u64(p, &p, UINT32_MAX, &count) || *p) {
		*why = "bad record count";
		return -EBADMSG;
	}
	head->count = (uint32_t)count;
	*body = off;
	return 0;
}

int cs_batch_next(const void *payload, size_t len, size_t *off,
		  struct cs_record *rec, const char **why)
{
	char line[512];
	unsigned int col;
	int n, ret;

	for (;;) {
		n = take_line(payload, len, off, line, sizeof(line), why);
		if (n == -ENOENT)
			return 0;
		if (n < 0)
			return n;
		ret = cs_record_parse(line, rec, &col, why);
		if (ret == -ENOMSG) {
			*why = "header or comment line in a batch";
			return -EBADMSG;
		}
		return ret ? -EBADMSG : 1;
	}
}

int cs_stored_head_parse(const void *payload, size_t len,
			 char gateway[CS_FLEET_ID_MAX], size_t *body,
			 const char **why)
{
	char line[128], *p;
	size_t off = 0;
	int n;

	n = take_line(payload, len, &off, line, sizeof(line), why);
	if (n == -ENOENT)
		*why = "empty payload";
	if (n < 0)
		return -EBADMSG;
	if (strncmp(line, stored_magic, sizeof(stored_magic) - 1)) {
		*why = "not a cellsense-stored 1 payload";
		return -EBADMSG;
	}
	p = line + sizeof(stored_magic) - 1;
	if (take_id(p, &p, gateway) || *p) {
		*why = "bad gateway name";
		return -EBADMSG;
	}
	*body = off;
	return 0;
}

int cs_stored_next(const void *payload, size_t len, size_t *off,
		   uint64_t *seq, const char **why)
{
	char line[32], *end;
	int n;

	n = take_line(payload, len, off, line, sizeof(line), why);
	if (n == -ENOENT)
		return 0;
	if (n < 0)
		return n;
	if (parse_u64(line, &end, INT64_MAX, seq) || *end || !*seq) {
		*why = "bad batch sequence number";
		return -EBADMSG;
	}
	return 1;
}
