// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: candump log lines (both forms); a parsed frame must
 * format and parse back to the same frame.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib \
 *       -D_DEFAULT_SOURCE fuzz/fuzz-candump.c lib/can/candump.c -o \
 *       build/fuzz-candump
 *   build/fuzz-candump -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cellsense-can.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cs_can_frame f, g;
	char iface[32], iface2[32], buf[512];
	const char *why;
	unsigned int col;
	int64_t t, t2;
	char *line;

	line = malloc(size + 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (cs_candump_parse(line, &f, &t, iface, sizeof(iface), &col,
			     &why) == 0 && t >= 0 && !strchr(iface, '#') &&
	    cs_candump_format(buf, sizeof(buf), t, iface, &f) > 0) {
		if (cs_candump_parse(buf, &g, &t2, iface2, sizeof(iface2),
				     &col, &why))
			abort();
		if (g.id != f.id || g.extended != f.extended ||
		    g.len != f.len || memcmp(g.data, f.data, f.len) ||
		    t2 / 1000 != t / 1000 || strcmp(iface, iface2))
			abort();
	} else if (col > size + 1) {
		abort();
	}
	free(line);
	return 0;
}
