// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cellsense.h"

#ifndef CS_VERSION
#define CS_VERSION "0.0.0-unknown"
#endif

const char *cs_version(void)
{
	return CS_VERSION;
}
