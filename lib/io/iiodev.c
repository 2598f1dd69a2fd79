// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A front-end through libiio (local, or a remote rig through iiod) as the
 * tools' usual input: a descriptor giving scans back to back, filled from
 * libiio buffers by a thread, so a tool reads a device as it reads a pipe
 * from iio_readdev.
 */
#include <errno.h>
#include <iio.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cellsense-iio.h"
#include "cs-iioattr.h"

#define ERR_MAX 1024
/* libiio's wait for a refill (and for a remote rig's answers), ms: a
 * device slower than this is taken as stopped */
#define IIO_TIMEOUT_MS 5000

struct cs_iiodev {
	char uri[256];
	char label[CS_IIO_ID_MAX];
	struct iio_context *ctx;
	struct iio_device *dev;
	struct cs_iio_element el[CS_IIO_MAX_ELEMENTS];
	size_t nel, scan_bytes;
	/* the stream */
	struct iio_buffer *buf;
	pthread_t thread;
	int running;
	int fd[2];		/* [0] the reader's, [1] the thread's */
	unsigned long long max_scans;
	pthread_mutex_t lock;	/* guards what follows */
	unsigned long long scans;
	int stopping;
	char error[ERR_MAX];	/* "" when none */
};

static void set_err(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static const char *dev_label(const struct iio_device *dev)
{
	const char *s = iio_device_get_label(dev);

	if (!s || !*s)
		s = iio_device_get_name(dev);
	if (!s || !*s)
		s = iio_device_get_id(dev);
	return s;
}

static struct iio_device *find_device(struct iio_context *ctx,
				      const char *want)
{
	unsigned int n = iio_context_get_devices_count(ctx);

	/* label first: it names the board; a name may be shared */
	for (int pass = 0; pass < 3; pass++)
		for (unsigned int i = 0; i < n; i++) {
			struct iio_device *dev = iio_context_get_device(ctx, i);
			const char *s = pass == 0 ? iio_device_get_label(dev) :
					pass == 1 ? iio_device_get_name(dev) :
						    iio_device_get_id(dev);

			if (s && !strcmp(s, want))
				return dev;
		}
	return NULL;
}

/* "fbg0 [fbg-interrogator], iio:device1 [re-adc]" */
static void list_devices(struct iio_context *ctx, char *out, size_t len)
{
	unsigned int n = iio_context_get_devices_count(ctx);
	size_t at = 0;

	out[0] = '\0';
	for (unsigned int i = 0; i < n && at < len; i++) {
		const struct iio_device *dev = iio_context_get_device(ctx, i);
		const char *name = iio_device_get_name(dev);
		int w = snprintf(out + at, len - at, "%s%s [%s]", i ? ", " : "",
				 dev_label(dev), name ? name : "?");

		if (w < 0)
			break;
		at += (size_t)w;
	}
	if (n == 0)
		snprintf(out, len, "no IIO device at all");
}

CS_API struct cs_iiodev *cs_iiodev_open(const char *uri, const char *device,
					char *err, size_t errlen)
{
	struct cs_iiodev *d;
	const char *why;
	char list[400], msg[128], copy[sizeof(d->uri)];
	int e;

	if (!device || !*device) {
		set_err(err, errlen, "no device named");
		errno = EINVAL;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		set_err(err, errlen, "%s", strerror(errno));
		return NULL;
	}
	d->fd[0] = d->fd[1] = -1;
	pthread_mutex_init(&d->lock, NULL);
	if (cs_iio_uri_normalise(uri, d->uri, sizeof(d->uri), &why)) {
		set_err(err, errlen, "URI '%s': %s", uri, why);
		free(d);
		errno = EINVAL;
		return NULL;
	}
	/* libiio 0.24 cuts an ip: URI at its port: give it a copy */
	snprintf(copy, sizeof(copy), "%s", d->uri);
	d->ctx = iio_create_context_from_uri(copy);
	if (!d->ctx) {
		e = errno ? errno : EIO;
		iio_strerror(e, msg, sizeof(msg));
		set_err(err, errlen, "cannot reach the IIO context '%s': %s%s",
			d->uri, msg,
			!strncmp(d->uri, "ip:", 3) ?
			" (is iiod running there, and the port right?)" : "");
		free(d);
		errno = e;
		return NULL;
	}
	iio_context_set_timeout(d->ctx, IIO_TIMEOUT_MS);
	d->dev = find_device(d->ctx, device);
	if (!d->dev) {
		list_devices(d->ctx, list, sizeof(list));
		set_err(err, errlen, "no device '%s' in %s (it has: %s)", device,
			d->uri, list);
		iio_context_destroy(d->ctx);
		free(d);
		errno = ENODEV;
		return NULL;
	}
	snprintf(d->label, sizeof(d->label), "%s", dev_label(d->dev));
	/* libiio's channel mask is ours alone: start from none */
	for (unsigned int i = 0; i < iio_device_get_channels_count(d->dev); i++)
		iio_channel_disable(iio_device_get_channel(d->dev, i));
	return d;
}

CS_API void cs_iiodev_destroy(struct cs_iiodev *d)
{
	if (!d)
		return;
	cs_iiodev_stop(d);
	if (d->fd[0] >= 0)
		close(d->fd[0]);
	iio_context_destroy(d->ctx);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

CS_API const char *cs_iiodev_uri(const struct cs_iiodev *d)
{
	return d->uri;
}

CS_API const char *cs_iiodev_label(const struct cs_iiodev *d)
{
	return d->label;
}

CS_API const char *cs_iiodev_name(const struct cs_iiodev *d)
{
	const char *s = iio_device_get_name(d->dev);

	return s ? s : "";
}

/*
 * libiio files sysfs names that start with in_ or out_ under a channel
 * (in_intensity_wavelength_coeffs is channel "intensity", attribute
 * "wavelength_coeffs"): find @attr as a device attribute, else as the
 * file name of a channel's. NULL when neither; *@ch NULL for a device's.
 */
static const char *find_attr(struct cs_iiodev *d, const char *attr,
			     struct iio_channel **ch)
{
	unsigned int n = iio_device_get_channels_count(d->dev);

	*ch = NULL;
	if (iio_device_find_attr(d->dev, attr))
		return attr;
	for (unsigned int i = 0; i < n; i++) {
		struct iio_channel *c = iio_device_get_channel(d->dev, i);

		for (unsigned int k = 0; k < iio_channel_get_attrs_count(c);
		     k++) {
			const char *a = iio_channel_get_attr(c, k);
			const char *f = iio_channel_attr_get_filename(c, a);

			if (f && !strcmp(f, attr)) {
				*ch = c;
				return a;
			}
		}
	}
	return NULL;
}

CS_API int cs_iiodev_attr_read(struct cs_iiodev *d, const char *attr,
			       char *buf, size_t len)
{
	struct iio_channel *ch;
	const char *name;
	ssize_t n;

	if (!attr || !buf || len < 2)
		return -EINVAL;
	name = find_attr(d, attr, &ch);
	if (!name)
		return -ENOENT;
	n = ch ? iio_channel_attr_read(ch, name, buf, len) :
		 iio_device_attr_read(d->dev, name, buf, len);
	if (n < 0)
		return (int)n;
	buf[len - 1] = '\0';
	n = (ssize_t)strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return (int)n;
}

CS_API int cs_iiodev_attr_double(struct cs_iiodev *d, const char *attr,
				 double *v)
{
	char buf[64], *end;
	int ret = cs_iiodev_attr_read(d, attr, buf, sizeof(buf));

	if (ret < 0)
		return ret;
	errno = 0;
	*v = strtod(buf, &end);
	if (errno || end == buf || *end)
		return -EINVAL;
	return 0;
}

CS_API int cs_iiodev_attr_write(struct cs_iiodev *d, const char *attr,
				const char *value)
{
	struct iio_channel *ch;
	const char *name;
	ssize_t n;

	if (!attr || !value)
		return -EINVAL;
	name = find_attr(d, attr, &ch);
	if (!name)
		return -ENOENT;
	n = ch ? iio_channel_attr_write(ch, name, value) :
		 iio_device_attr_write(d->dev, name, value);
	return n < 0 ? (int)n : 0;
}

static int numbered(const char *id, const char *prefix)
{
	size_t len = strlen(prefix);

	if (strncmp(id, prefix, len))
		return 0;
	return strspn(id + len, "0123456789") == strlen(id + len);
}

static int by_index(const void *a, const void *b)
{
	const struct cs_iio_element *x = a, *y = b;

	return (x->scan_index > y->scan_index) - (x->scan_index < y->scan_index);
}

CS_API int cs_iio_device_elements(struct iio_device *dev,
				  struct cs_iio_element *el, size_t max,
				  size_t *n, size_t *scan_bytes)
{
	unsigned int nch = iio_device_get_channels_count(dev);

	*n = 0;
	*scan_bytes = 0;
	for (unsigned int i = 0; i < nch; i++) {
		struct iio_channel *ch = iio_device_get_channel(dev, i);
		const struct iio_data_format *f;
		struct cs_iio_element *e;
		double scale;
		long idx;

		if (!iio_channel_is_scan_element(ch) ||
		    iio_channel_is_output(ch) || !iio_channel_is_enabled(ch))
			continue;
		if (*n >= max)
			return -E2BIG;
		f = iio_channel_get_data_format(ch);
		idx = iio_channel_get_index(ch);
		if (!f || idx < 0 || !f->length || f->length % 8 ||
		    f->length > 64 || !f->bits || f->bits > f->length)
			return -EPROTO;
		e = &el[*n];
		memset(e, 0, sizeof(*e));
		snprintf(e->id, sizeof(e->id), "%s", iio_channel_get_id(ch));
		e->fmt.big_endian = f->is_be;
		e->fmt.is_signed = f->is_signed;
		e->fmt.bits = f->bits;
		e->fmt.storage = f->length;
		e->fmt.shift = f->shift;
		e->repeat = f->repeat ? f->repeat : 1;
		e->scan_index = (unsigned int)idx;
		e->scale = 1.0;
		if (!iio_channel_attr_read_double(ch, "scale", &scale) &&
		    scale > 0)
			e->scale = scale;
		(*n)++;
	}
	qsort(el, *n, sizeof(el[0]), by_index);
	*scan_bytes = cs_iio_layout(el, *n);
	return 0;
}

/* The enabled scan elements, sorted, laid out. */
static int collect(struct cs_iiodev *d)
{
	return cs_iio_device_elements(d->dev, d->el, CS_IIO_MAX_ELEMENTS,
				      &d->nel, &d->scan_bytes);
}

/* Enable @prefix elements numbered below @below (0: any, and @prefix
 * itself); the count or -errno. */
static int enable(struct cs_iiodev *d, const char *prefix, unsigned int below)
{
	unsigned int n = iio_device_get_channels_count(d->dev);
	size_t len;
	int count = 0, ret;

	if (!prefix || !*prefix || d->running)
		return -EINVAL;
	len = strlen(prefix);
	for (unsigned int i = 0; i < n; i++) {
		struct iio_channel *ch = iio_device_get_channel(d->dev, i);
		const char *id = iio_channel_get_id(ch);

		if (!iio_channel_is_scan_element(ch) ||
		    iio_channel_is_output(ch) || !numbered(id, prefix))
			continue;
		if (below && (!id[len] || strlen(id + len) > 6 ||
			      strtoul(id + len, NULL, 10) >= below))
			continue;
		iio_channel_enable(ch);
		count++;
	}
	ret = collect(d);
	return ret ? ret : count;
}

CS_API int cs_iiodev_enable(struct cs_iiodev *d, const char *prefix)
{
	return enable(d, prefix, 0);
}

CS_API int cs_iiodev_enable_first(struct cs_iiodev *d, const char *prefix,
				  unsigned int count)
{
	if (!count)
		return -EINVAL;
	return enable(d, prefix, count);
}

CS_API size_t cs_iiodev_elements(struct cs_iiodev *d,
				 const struct cs_iio_element **el,
				 size_t *scan_bytes)
{
	if (el)
		*el = d->el;
	if (scan_bytes)
		*scan_bytes = d->scan_bytes;
	return d->nel;
}

static void stream_fail(struct cs_iiodev *d, const char *what, int err)
{
	char msg[128];

	iio_strerror(err, msg, sizeof(msg));
	pthread_mutex_lock(&d->lock);
	if (!d->stopping)
		snprintf(d->error, sizeof(d->error),
			 "%s on %s: %s after %llu scans: %s%s", d->label,
			 d->uri, what, d->scans, msg,
			 err == ENODEV || err == EBADF || err == ENOENT ||
			 err == EPIPE || err == ECONNRESET ?
			 " (the device or the rig went away)" :
			 err == ETIMEDOUT ? " (no scan for 5 s: the device "
			 "stopped or went away)" : "");
	pthread_mutex_unlock(&d->lock);
}

static int stopping(struct cs_iiodev *d)
{
	int s;

	pthread_mutex_lock(&d->lock);
	s = d->stopping;
	pthread_mutex_unlock(&d->lock);
	return s;
}

static void *pump(void *arg)
{
	struct cs_iiodev *d = arg;

	while (!stopping(d)) {
		ssize_t got = iio_buffer_refill(d->buf);
		const char *p = iio_buffer_start(d->buf);
		size_t len, done = 0;
		unsigned long long scans, left;

		if (got < 0) {
			stream_fail(d, "refilling the buffer failed",
				    (int)-got);
			break;
		}
		len = (size_t)got / d->scan_bytes * d->scan_bytes;
		scans = len / d->scan_bytes;
		pthread_mutex_lock(&d->lock);
		left = d->max_scans ? d->max_scans - d->scans : scans;
		pthread_mutex_unlock(&d->lock);
		if (scans > left) {
			scans = left;
			len = (size_t)scans * d->scan_bytes;
		}
		while (done < len) {
			ssize_t w = send(d->fd[1], p + done, len - done,
					 MSG_NOSIGNAL);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				goto out;	/* the reader is gone */
			done += (size_t)w;
		}
		pthread_mutex_lock(&d->lock);
		d->scans += scans;
		left = d->max_scans ? d->max_scans - d->scans : 1;
		pthread_mutex_unlock(&d->lock);
		if (!left)
			break;
	}
out:
	close(d->fd[1]);
	d->fd[1] = -1;
	return NULL;
}

CS_API int cs_iiodev_start(struct cs_iiodev *d, size_t buffer_scans,
			   unsigned long long max_scans)
{
	sigset_t all, old;
	double hz;
	int ret;

	if (d->running || d->fd[0] >= 0 || buffer_scans > 4096)
		return -EINVAL;
	if (!d->nel || !d->scan_bytes) {
		snprintf(d->error, sizeof(d->error), "%s: no scan element "
			 "enabled", d->label);
		return -EINVAL;
	}
	if (!buffer_scans) {
		buffer_scans = 16;
		if (!cs_iiodev_attr_double(d, "sampling_frequency", &hz) &&
		    hz > 0)
			buffer_scans = hz / 10 < 1 ? 1 :
				       hz / 10 > 4096 ? 4096 : (size_t)(hz / 10);
	}
	d->buf = iio_device_create_buffer(d->dev, buffer_scans, false);
	if (!d->buf) {
		char msg[128];

		ret = errno ? errno : EIO;
		iio_strerror(ret, msg, sizeof(msg));
		snprintf(d->error, sizeof(d->error), "%s on %s: cannot start "
			 "a buffer of %zu scans: %s", d->label, d->uri,
			 buffer_scans, msg);
		return -ret;
	}
	if ((size_t)iio_buffer_step(d->buf) != d->scan_bytes) {
		snprintf(d->error, sizeof(d->error), "%s: libiio says a scan "
			 "is %zd bytes, the kernel's layout %zu: not read",
			 d->label, iio_buffer_step(d->buf), d->scan_bytes);
		ret = -EPROTO;
		goto fail_buf;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, d->fd)) {
		ret = -errno;
		goto fail_buf;
	}
	d->max_scans = max_scans;
	d->scans = 0;
	d->stopping = 0;
	d->error[0] = '\0';
	/* signals are the tool's: the thread takes none */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = -pthread_create(&d->thread, NULL, pump, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		close(d->fd[0]);
		close(d->fd[1]);
		d->fd[0] = d->fd[1] = -1;
		goto fail_buf;
	}
	d->running = 1;
	return d->fd[0];
fail_buf:
	iio_buffer_destroy(d->buf);
	d->buf = NULL;
	return ret;
}

CS_API void cs_iiodev_stop(struct cs_iiodev *d)
{
	if (!d || !d->running)
		return;
	pthread_mutex_lock(&d->lock);
	d->stopping = 1;
	pthread_mutex_unlock(&d->lock);
	iio_buffer_cancel(d->buf);
	/* a thread blocked writing to a reader that stopped reading */
	shutdown(d->fd[0], SHUT_RDWR);
	pthread_join(d->thread, NULL);
	iio_buffer_destroy(d->buf);
	d->buf = NULL;
	d->running = 0;
}

CS_API unsigned long long cs_iiodev_scans(const struct cs_iiodev *d)
{
	unsigned long long n;

	pthread_mutex_lock((pthread_mutex_t *)&d->lock);
	n = d->scans;
	pthread_mutex_unlock((pthread_mutex_t *)&d->lock);
	return n;
}

CS_API const char *cs_iiodev_error(const struct cs_iiodev *d)
{
	const char *e;

	pthread_mutex_lock((pthread_mutex_t *)&d->lock);
	e = d->error[0] ? d->error : NULL;
	pthread_mutex_unlock((pthread_mutex_t *)&d->lock);
	return e;
}
