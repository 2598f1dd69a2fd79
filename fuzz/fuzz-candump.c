// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the whole candump reader, line by line as can2sense
 * reads a log (-L and screen forms, remote and error frames, -x marks,
 * DROPCOUNT, -t A/d/z timestamps); a parsed frame must format and parse
 * back to the same frame, an error frame never comes out as data of an
 * id, and a frame is never longer than its kind allows.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib \
 *       -D_DEFAULT_SOURCE fuzz/fuzz-candump.c lib/can/candump.c -o \
 *       build/fuzz-candump
 *   build/fuzz-candump -max_total_time=60
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense-can.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one_line(const char *line, size_t size)
{
	struct cs_can_frame f, g;
	char iface[32], iface2[32], buf[512];
	const char *why;
	unsigned int col;
	unsigned long drops;
	int64_t t, t2;
	int ret;

	ret = cs_candump_parse(line, &f, &t, iface, sizeof(iface), &col,
			       &why);
	if (ret == -EOVERFLOW && cs_candump_drops(line, &drops) != 1)
		abort();
	if (ret == 0) {
		if (f.len > CS_CAN_MAX_DLEN ||
		    (!(f.flags & CS_CAN_FLAG_FD) && f.len > 8))
			abort();
		if ((f.flags & CS_CAN_FLAG_ERR) &&
		    (f.extended || f.id > 0x1fffffff))
			abort();
	}
	if (ret == 0 && t >= 0 && !strchr(iface, '#') &&
	    cs_candump_format(buf, sizeof(buf), t, iface, &f) > 0) {
		if (cs_candump_parse(buf, &g, &t2, iface2, sizeof(iface2),
				     &col, &why))
			abort();
		if (g.id != f.id || g.extended != f.extended ||
		    g.flags != f.flags || g.len != f.len ||
		    memcmp(g.data, f.data, f.len) ||
		    t2 / 1000 != t / 1000 || strcmp(iface, iface2))
			abort();
	} else if (ret == -EBADMSG && col > size + 1) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *p, *nl;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* a log: every line, as can2sense reads them */
	for (p = text; p < text + size; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(text + size - p));
		if (!nl)
			nl = text + size;
		*nl = '\0';
		one_line(p, (size_t)(nl - p));
	}
	free(text);
	return 0;
}
