// SPDX-License-Identifier: LGPL-2.1-or-later
/* SocketCAN raw sockets: open, send, receive with kernel timestamps. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <linux/can.h>
#include <linux/can/error.h>
#include <linux/can/raw.h>

#include "cellsense-can.h"

#ifndef ARPHRD_CAN
#define ARPHRD_CAN 280
#endif

/* Interface flags and hardware type through an ordinary socket, which
 * works even where the kernel has no CAN: an IP one, or where the kernel
 * has no IP (a small gateway's, the debug kernel's) a local one, which
 * the kernel answers the same interface ioctls on. */
static int iface_info(const char *iface, short *flags, int *type)
{
	struct ifreq ifr;
	int s, ret = 0;

	if (strlen(iface) >= sizeof(ifr.ifr_name))
		return -ENODEV;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 && errno == EAFNOSUPPORT)
		s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, iface);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		ret = -errno;
		goto out;
	}
	*flags = ifr.ifr_flags;
	if (type) {
		if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0) {
			ret = -errno;
			goto out;
		}
		*type = ifr.ifr_hwaddr.sa_family;
	}
out:
	close(s);
	return ret;
}

int cs_can_iface_up(const char *iface)
{
	short flags = 0;	/* set when ret is 0; -O3 cannot tell */
	int ret;

	if (!iface)
		return -EINVAL;
	ret = iface_info(iface, &flags, NULL);
	if (ret)
		return ret;
	return !!(flags & IFF_UP);
}

int cs_can_open(const char *iface, unsigned int flags)
{
	struct sockaddr_can addr;
	unsigned int ifindex;
	short ifflags;
	int s, type = 0, on = 1, ret;	/* type: as flags above */

	if (!iface || !*iface)
		return -EINVAL;
	ifindex = if_nametoindex(iface);
	if (!ifindex)
		return -ENODEV;
	ret = iface_info(iface, &ifflags, &type);
	if (ret == 0 && type != ARPHRD_CAN)
		return -EMEDIUMTYPE;
	s = socket(PF_CAN, SOCK_RAW | SOCK_CLOEXEC |
		   ((flags & CS_CAN_OPEN_NONBLOCK) ? SOCK_NONBLOCK : 0),
		   CAN_RAW);
	if (s < 0)
		return -errno;
	if (!(flags & CS_CAN_OPEN_RECV) &&
	    setsockopt(s, SOL_CAN_RAW, CAN_RAW_FILTER, NULL, 0) < 0)
		goto fail;
	if (flags & CS_CAN_OPEN_ERRORS) {
		can_err_mask_t mask = CAN_ERR_MASK;

		if (setsockopt(s, SOL_CAN_RAW, CAN_RAW_ERR_FILTER, &mask,
			       sizeof(mask)) < 0)
			goto fail;
	}
	if ((flags & CS_CAN_OPEN_FD) &&
	    setsockopt(s, SOL_CAN_RAW, CAN_RAW_FD_FRAMES, &on,
		       sizeof(on)) < 0)
		goto fail;
	if ((flags & (CS_CAN_OPEN_RECV | CS_CAN_OPEN_ERRORS)) &&
	    setsockopt(s, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) < 0)
		goto fail;
	memset(&addr, 0, sizeof(addr));
	addr.can_family = AF_CAN;
	addr.can_ifindex = (int)ifindex;
	if (bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		goto fail;
	return s;
fail:
	ret = -errno;
	close(s);
	return ret;
}

int cs_can_send(int fd, const struct cs_can_frame *f)
{
	struct canfd_frame cf;
	size_t size;
	ssize_t n;

	if (!f || f->len > CS_CAN_MAX_DLEN ||
	    (!(f->flags & CS_CAN_FLAG_FD) && f->len > 8))
		return -EINVAL;
	memset(&cf, 0, sizeof(cf));
	cf.can_id = f->id | (f->extended ? CAN_EFF_FLAG : 0) |
		    ((f->flags & CS_CAN_FLAG_RTR) ? CAN_RTR_FLAG : 0);
	cf.len = f->len;
	if (f->flags & CS_CAN_FLAG_FD) {
		/* FD lengths come in steps: pad up to the next one. */
		static const uint8_t steps[] = { 12, 16, 20, 24, 32, 48, 64 };

		for (size_t i = 0; cf.len > 8 && i < sizeof(steps); i++)
			if (cf.len <= steps[i]) {
				cf.len = steps[i];
				break;
			}
		cf.flags = (uint8_t)f->fd_flags;
		size = CANFD_MTU;
	} else {
		size = CAN_MTU;
	}
	memcpy(cf.data, f->data, f->len);
	n = write(fd, &cf, size);
	if (n < 0)
		return -errno;
	return (size_t)n == size ? 0 : -EIO;
}

int cs_can_recv(int fd, struct cs_can_frame *f, int64_t *time_ns)
{
	struct canfd_frame cf;
	char ctrl[CMSG_SPACE(sizeof(struct timespec))];
	struct iovec iov = { .iov_base = &cf, .iov_len = sizeof(cf) };
	struct msghdr msg;
	struct cmsghdr *c;
	struct timespec ts;
	ssize_t n;

	if (!f || !time_ns)
		return -EINVAL;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctrl;
	msg.msg_controllen = sizeof(ctrl);
	n = recvmsg(fd, &msg, 0);
	if (n < 0)
		return -errno;
	if (n != CAN_MTU && n != CANFD_MTU)
		return -EBADMSG;
	clock_gettime(CLOCK_REALTIME, &ts);
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SO_TIMESTAMPNS)
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
	*time_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	memset(f, 0, sizeof(*f));
	if (cf.can_id & CAN_ERR_FLAG) {
		f->flags = CS_CAN_FLAG_ERR;
		f->id = cf.can_id & CAN_ERR_MASK;
		f->len = cf.len > 8 ? 8 : cf.len;
		memcpy(f->data, cf.data, f->len);
		return 0;
	}
	f->extended = !!(cf.can_id & CAN_EFF_FLAG);
	f->id = cf.can_id & (f->extended ? CAN_EFF_MASK : CAN_SFF_MASK);
	if (cf.can_id & CAN_RTR_FLAG)
		f->flags |= CS_CAN_FLAG_RTR;
	if (n == CANFD_MTU) {
		f->flags |= CS_CAN_FLAG_FD;
		f->fd_flags = cf.flags & 0xf;
	}
	f->len = cf.len > CS_CAN_MAX_DLEN ? CS_CAN_MAX_DLEN : cf.len;
	if (!(f->flags & CS_CAN_FLAG_FD) && f->len > 8)
		f->len = 8;
	memcpy(f->data, cf.data, f->len);
	return 0;
}
