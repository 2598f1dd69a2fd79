// SPDX-License-Identifier: LGPL-2.1-or-later
/* A CAN_RAW socket's receive filter narrowed to a list of identifiers, so
 * that frames on other ids (a flood, another node) never wake the reader. */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <linux/can.h>
#include <linux/can/raw.h>

#include "cellsense-act.h"

int cs_can_accept_ids(int fd, const uint32_t *ids, const int *extended,
		      size_t n)
{
	struct can_filter *f;
	size_t i;
	int ret = 0;

	if (fd < 0 || !ids || !extended || !n || n > 64)
		return -EINVAL;
	f = calloc(n, sizeof(*f));
	if (!f)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		f[i].can_id = extended[i] ? (ids[i] & CAN_EFF_MASK) |
					    CAN_EFF_FLAG : ids[i] & CAN_SFF_MASK;
		/* the id, the frame format and no remote frames */
		f[i].can_mask = (extended[i] ? CAN_EFF_MASK : CAN_SFF_MASK) |
				CAN_EFF_FLAG | CAN_RTR_FLAG;
	}
	if (setsockopt(fd, SOL_CAN_RAW, CAN_RAW_FILTER, f,
		       (socklen_t)(n * sizeof(*f))) < 0)
		ret = -errno;
	free(f);
	return ret;
}
