// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * candump log lines: the `candump -L` form canplayer reads back, and
 * candump's default screen form, so that a terminal capture can be decoded
 * too. Also: where the shipped data files (DBC, map) are.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cellsense-can.h"

#ifndef CS_DATADIR
#define CS_DATADIR "/usr/local/share/cellsense"
#endif

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int is_blank(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

#define BAD(at, text)                                                   \
	do {                                                            \
		*column = (unsigned int)((at) - line) + 1;              \
		*why = (text);                                          \
		return -EBADMSG;                                        \
	} while (0)

/* "(2026-12-02 04:30:00.123456)" (candump -t A, local time) -> ns; @p at
 * '('. Returns the end, or NULL if it is not that form. */
static const char *parse_date(const char *p, int64_t *time_ns)
{
	struct tm tm;
	int64_t frac = 0;
	int fdigits = 0, n = 0;
	time_t sec;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(p, "(%4d-%2d-%2d %2d:%2d:%2d.%n", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    !n)
		return NULL;
	p += n;
	while (*p >= '0' && *p <= '9') {
		if (fdigits < 9) {
			frac = frac * 10 + (*p - '0');
			fdigits++;
		}
		p++;
	}
	if (!fdigits || *p != ')' || tm.tm_mon < 1 || tm.tm_mon > 12 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60)
		return NULL;
	while (fdigits++ < 9)
		frac *= 10;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	sec = mktime(&tm);
	/* a date before 1970 or past 2262 (nanoseconds in int64_t) is no time */
	if (sec == (time_t)-1 || sec < 0 ||
	    sec > INT64_MAX / 1000000000 - 1)
		return NULL;
	*time_ns = (int64_t)sec * 1000000000 + frac;
	return p + 1;
}

/* "(1700000000.123456)" -> ns; @p at '('. Returns the end or NULL. Also
 * candump -t d and -t z: "(000.001234)", seconds since the previous or
 * the first frame, taken as they are. */
static const char *parse_time(const char *p, int64_t *time_ns)
{
	int64_t sec = 0, frac = 0;
	int digits = 0, fdigits = 0, neg = 0;

	p++;
	if (*p == '-') {
		neg = 1;
		p++;
	}
	while (*p >= '0' && *p <= '9') {
		if (sec > (INT64_MAX / 1000000000 - 9) / 10)
			return NULL;
		sec = sec * 10 + (*p++ - '0');
		digits++;
	}
	if (!digits || *p != '.')
		return NULL;
	p++;
	while (*p >= '0' && *p <= '9') {
		if (fdigits < 9) {
			frac = frac * 10 + (*p - '0');
			fdigits++;
		}
		p++;
	}
	if (!fdigits || *p != ')')
		return NULL;
	while (fdigits++ < 9)
		frac *= 10;
	*time_ns = sec * 1000000000 + frac;
	if (neg)
		*time_ns = -*time_ns;
	return p + 1;
}

/* CAN FD carries 0-8, 12, 16, 20, 24, 32, 48 or 64 bytes. */
static int fd_len_valid(size_t n)
{
	return n <= 8 || n == 12 || n == 16 || n == 20 || n == 24 ||
	       n == 32 || n == 48 || n == 64;
}

int cs_candump_drops(const char *line, unsigned long *dropped)
{
	unsigned long n;
	int used = 0;

	if (!line || !dropped)
		return -EINVAL;
	while (is_blank(*line))
		line++;
	if (strncmp(line, "DROPCOUNT:", 10))
		return 0;
	/* "frames on" or, for one, "frame on" */
	if (sscanf(line, "DROPCOUNT: dropped %lu CAN frames on%n", &n,
		   &used) < 1 || !used)
		if (sscanf(line, "DROPCOUNT: dropped %lu CAN frame on%n", &n,
			   &used) < 1 || !used)
			return -EBADMSG;
	*dropped = n;
	return 1;
}

static int parse_id(const char *p, const char **end, struct cs_can_frame *f)
{
	uint32_t id = 0;
	int n = 0, v;

	while ((v = hexval(p[n])) >= 0) {
		if (n >= 8)
			return -1;
		id = id << 4 | (uint32_t)v;
		n++;
	}
	if (n == 0 || (n > 3 && n != 8))
		return -1;
	if (n == 8 && (id & 0x20000000u)) {
		/* an error frame: CAN_ERR_FLAG and the class bits */
		if (id & 0xc0000000u)
			return -1;
		f->flags |= CS_CAN_FLAG_ERR;
		f->id = id & 0x1fffffff;
		*end = p + n;
		return 0;
	}
	f->extended = n == 8;
	if (f->extended ? id > 0x1fffffff : id > 0x7ff)
		return -1;
	f->id = id;
	*end = p + n;
	return 0;
}

int cs_candump_parse(const char *line, struct cs_can_frame *frame,
		     int64_t *time_ns, char *iface, size_t iface_size,
		     unsigned int *column, const char **why)
{
	const char *p = line, *q;
	size_t n;

	if (!line || !frame || !time_ns || !iface || !iface_size ||
	    !column || !why)
		return -EINVAL;
	memset(frame, 0, sizeof(*frame));
	*time_ns = -1;
	*column = 1;
	while (is_blank(*p))
		p++;
	if (!*p || *p == '#')
		return -ENOMSG;
	if (!strncmp(p, "DROPCOUNT:", 10)) {
		unsigned long drops;

		if (cs_candump_drops(p, &drops) != 1)
			BAD(p, "DROPCOUNT line without 'dropped N CAN "
			    "frames on'");
		*why = "frames dropped by the socket (candump DROPCOUNT)";
		return -EOVERFLOW;
	}
	if (*p == '(') {
		q = parse_date(p, time_ns);
		if (!q)
			q = parse_time(p, time_ns);
		if (!q)
			BAD(p, "timestamp is not (SECONDS.FRACTION) nor "
			    "(YYYY-MM-DD HH:MM:SS.FRACTION)");
		p = q;
		if (!is_blank(*p))
			BAD(p, "expected a blank after the timestamp");
		while (is_blank(*p))
			p++;
	}
	/* Interface name. */
	for (q = p; *q && !is_blank(*q); q++)
		;
	n = (size_t)(q - p);
	if (!n)
		BAD(p, "missing interface name");
	if (n >= iface_size)
		BAD(p, "interface name too long");
	memcpy(iface, p, n);
	iface[n] = '\0';
	p = q;
	while (is_blank(*p))
		p++;
	/* candump -x on screen: direction and the BRS / ESI marks */
	if ((p[0] == 'R' || p[0] == 'T') && p[1] == 'X' && is_blank(p[2])) {
		p += 2;
		for (int k = 0; k < 2; k++) {
			while (is_blank(*p))
				p++;
			if (!(*p == '-' || *p == 'B' || *p == 'E') ||
			    !is_blank(p[1]))
				BAD(p, "expected '-', 'B' or 'E' after RX/TX "
				    "(candump -x)");
			p++;
		}
		while (is_blank(*p))
			p++;
	}
	if (parse_id(p, &q, frame))
		BAD(p, "identifier is not 3 (11-bit) or 8 (29-bit) hex digits");
	p = q;
	if (*p == '#') {
		/* candump -L: ID#DATA, ID#R[len], ID##<flags><data> */
		unsigned int max = 8;

		p++;
		if (*p == 'R' || *p == 'r') {
			frame->flags |= CS_CAN_FLAG_RTR;
			p++;
			if (*p >= '0' && *p <= '8')
				frame->len = (uint8_t)(*p++ - '0');
		} else {
			if (*p == '#') {
				int v = hexval(p[1]);

				if (v < 0)
					BAD(p + 1, "expected a CAN FD flags "
					    "hex digit after '##'");
				frame->flags |= CS_CAN_FLAG_FD;
				frame->fd_flags = (unsigned int)v;
				max = CS_CAN_MAX_DLEN;
				p += 2;
			}
			while (hexval(*p) >= 0 || *p == '.') {
				int hi, lo;

				if (*p == '.') {	/* cansend's separator */
					p++;
					continue;
				}
				hi = hexval(p[0]);
				lo = hexval(p[1]);
				if (lo < 0)
					BAD(p, "odd number of hex digits");
				if (frame->len >= max)
					BAD(p, max == 8 ? "more than 8 data "
					    "bytes in a classical CAN frame" :
					    "more than 64 data bytes");
				frame->data[frame->len++] =
					(uint8_t)(hi << 4 | lo);
				p += 2;
			}
			/* len8_dlc suffix of candump -8: _<dlc> */
			if (*p == '_' && hexval(p[1]) >= 0)
				p += 2;
			if ((frame->flags & CS_CAN_FLAG_FD) &&
			    !fd_len_valid(frame->len))
				BAD(p, "not a CAN FD length (0-8, 12, 16, 20, "
				    "24, 32, 48, 64 bytes)");
			if ((frame->flags & CS_CAN_FLAG_ERR) &&
			    (frame->flags & CS_CAN_FLAG_FD))
				BAD(p, "an error frame is not CAN FD");
		}
		while (is_blank(*p))
			p++;
		/* candump -L -x adds a direction flag (T or R), alone */
		if (*p == 'T' || *p == 'R') {
			q = p + 1;
			while (is_blank(*q))
				q++;
			if (!*q && is_blank(p[1]))
				p = q;
			else if (!p[1])
				p++;
		}
		if (*p)
			BAD(p, "unexpected text after the data");
		return 0;
	}
	/* Screen form: ID  [N]  XX XX ... (and maybe ascii after). */
	if (!is_blank(*p))
		BAD(p, "expected '#' or a blank after the identifier");
	while (is_blank(*p))
		p++;
	if (*p != '[')
		BAD(p, "expected '#DATA' or '[LEN]' after the identifier");
	q = p++;
	n = 0;
	while (*p >= '0' && *p <= '9' && n <= CS_CAN_MAX_DLEN)
		n = n * 10 + (size_t)(*p++ - '0');
	if (*p != ']' || p == q + 1 || n > CS_CAN_MAX_DLEN)
		BAD(q, "length is not [0] to [64]");
	if (p - q > 2 || n > 8)	/* candump writes [NN] for CAN FD */
		frame->flags |= CS_CAN_FLAG_FD;
	if (!fd_len_valid(n))
		BAD(q, "not a CAN FD length (0-8, 12, 16, 20, 24, 32, 48, 64 "
		    "bytes)");
	if ((frame->flags & CS_CAN_FLAG_ERR) && n > 8)
		BAD(q, "an error frame has at most 8 bytes");
	p++;
	while (is_blank(*p))
		p++;
	if (!strncmp(p, "remote request", 14)) {
		if (n > 8)
			BAD(q, "a remote request has at most 8 bytes");
		frame->flags = CS_CAN_FLAG_RTR;
		frame->len = (uint8_t)n;
		return 0;
	}
	frame->len = (uint8_t)n;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(p[0]), lo = hi < 0 ? -1 : hexval(p[1]);

		if (!*p)
			BAD(p, "fewer data bytes than [LEN] says");
		if (hi < 0 || lo < 0)
			BAD(p, "expected a data byte (two hex digits)");
		frame->data[i] = (uint8_t)(hi << 4 | lo);
		p += 2;
		if (i + 1 < n && *p && !is_blank(*p))
			BAD(p, "expected a blank between data bytes");
		while (is_blank(*p))
			p++;
	}
	/* Whatever follows (candump -a's ascii) is not ours to check. */
	return 0;
}

int cs_candump_format(char *buf, size_t size, int64_t time_ns,
		      const char *iface, const struct cs_can_frame *frame)
{
	size_t n;
	int ret;

	if (!buf || !iface || !frame || time_ns < 0 ||
	    frame->len > CS_CAN_MAX_DLEN ||
	    (!(frame->flags & CS_CAN_FLAG_FD) && frame->len > 8))
		return -EINVAL;
	ret = snprintf(buf, size, "(%" PRId64 ".%06" PRId64 ") %s %0*" PRIX32
		       "#", time_ns / 1000000000,
		       time_ns % 1000000000 / 1000, iface,
		       frame->extended || (frame->flags & CS_CAN_FLAG_ERR) ?
		       8 : 3, (frame->flags & CS_CAN_FLAG_ERR) ?
		       (frame->id & 0x1fffffff) | 0x20000000u : frame->id);
	if (ret < 0 || (size_t)ret >= size)
		return -ENOSPC;
	n = (size_t)ret;
	if (frame->flags & CS_CAN_FLAG_RTR) {
		ret = frame->len ?
		      snprintf(buf + n, size - n, "R%u", frame->len) :
		      snprintf(buf + n, size - n, "R");
		if (ret < 0 || (size_t)ret >= size - n)
			return -ENOSPC;
		return (int)(n + (size_t)ret);
	}
	if (frame->flags & CS_CAN_FLAG_FD) {
		if (n + 3 > size)
			return -ENOSPC;
		buf[n++] = '#';
		buf[n++] = "0123456789ABCDEF"[frame->fd_flags & 0xf];
		buf[n] = '\0';
	}
	for (unsigned int i = 0; i < frame->len; i++) {
		if (n + 3 > size)
			return -ENOSPC;
		snprintf(buf + n, 3, "%02X", frame->data[i]);
		n += 2;
	}
	return (int)n;
}

static int try_path(char *path, size_t size, const char *dir,
		    const char *rel, const char *name)
{
	int ret = snprintf(path, size, "%s%s/%s", dir, rel, name);

	if (ret < 0 || (size_t)ret >= size)
		return -ENAMETOOLONG;
	return access(path, R_OK) == 0 ? 0 : -ENOENT;
}

int cs_can_find_data(const char *name, char *path, size_t size)
{
	char exe[PATH_MAX], *slash = NULL;
	const char *env = getenv("CELLSENSE_DATADIR");
	ssize_t n;

	if (!name || !path || !size || strchr(name, '/'))
		return -EINVAL;
	if (env && *env && !try_path(path, size, env, "", name))
		return 0;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			if (!try_path(path, size, exe, "/../share/cellsense",
				      name))
				return 0;
		}
	}
	if (!try_path(path, size, CS_DATADIR, "", name))
		return 0;
	if (n > 0 && slash) {
		/* build/bin or build/san/bin inside the source tree */
		if (!try_path(path, size, exe, "/../../dbc", name) ||
		    !try_path(path, size, exe, "/../../../dbc", name))
			return 0;
	}
	return -ENOENT;
}
