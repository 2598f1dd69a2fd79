/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal to the library (not installed, not exported): reading the text
 * files the CAN parsers take (DBC files, signal maps), shared by dbc.c and
 * canmap.c.
 */
#ifndef CS_CAN_TEXT_H
#define CS_CAN_TEXT_H

#include <stddef.h>

#include "cellsense-can.h"

/*
 * The whole of @path, NUL-terminated, its length in *@len: free() it. NULL
 * with errno set and, with @err not NULL, the reason in it (cleared on
 * success).
 */
char *cs_can_read_text(const char *path, size_t *len,
		       struct cs_can_error *err);

#endif
