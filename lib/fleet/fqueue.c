// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A gateway's bounded on-disk queue of batches: one file a batch,
 * "SEQ-RECORDS.batch" (SEQ in 20 digits, so names sort as numbers), written
 * under a temporary name and renamed, so a batch is there whole or not at
 * all. Sequence numbers never go back, even across restarts with an empty
 * queue: a confirmation of an old batch must not delete a new one. They are
 * reserved ahead in blocks in the file "seq", so that a push does not
 * rewrite it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cellsense.h"

#define SEQ_BLOCK 4096

struct cs_fqueue {
	char *dir;
	uint64_t max_bytes, bytes, records;
	enum cs_fqueue_drop drop;
	int sync;
	uint64_t next_seq, reserved;	/* seqs below reserved are ours */
	struct cs_fqueue_entry *e;
	size_t n, cap;
	struct cs_fqueue_stats st;
};

static int entry_path(const struct cs_fqueue *q, const struct cs_fqueue_entry *e,
		      char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%020" PRIu64 "-%" PRIu32 ".batch",
			 q->dir, e->seq, e->records);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* @dir's entries to the disk: a rename done is done for good */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd))
		err = -errno;
	close(fd);
	return err;
}

/* Write @len bytes of @data to @path through a temporary name; with
 * @sync, to the disk. */
static int write_file(const char *dir, const char *path, const void *data,
		      size_t len, int sync)
{
	char tmp[PATH_MAX];
	const char *p = data;
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s/.tmp", dir) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			err = w < 0 ? -errno : -EIO;
			break;
		}
		p += w;
		len -= (size_t)w;
	}
	if (!err && sync && fdatasync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	else if (sync)
		err = sync_dir(dir);
	return err;
}

static int save_reserved(struct cs_fqueue *q, uint64_t upto)
{
	char path[PATH_MAX], text[32];
	int n = snprintf(text, sizeof(text), "%" PRIu64 "\n", upto), err;

	if (snprintf(path, sizeof(path), "%s/seq", q->dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	err = write_file(q->dir, path, text, (size_t)n, q->sync);
	if (!err)
		q->reserved = upto;
	return err;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct cs_fqueue_entry *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int add_entry(struct cs_fqueue *q, uint64_t seq, uint32_t records,
		     uint64_t bytes)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		void *p = realloc(q->e, cap * sizeof(*q->e));

		if (!p)
			return -ENOMEM;
		q->e = p;
		q->cap = cap;
	}
	memset(&q->e[q->n], 0, sizeof(q->e[q->n]));
	q->e[q->n].seq = seq;
	q->e[q->n].records = records;
	q->e[q->n].bytes = (uint32_t)bytes;
	q->n++;
	q->bytes += bytes;
	q->records += records;
	return 0;
}

/* What is in the directory: batches, the reservation; a left-over
 * temporary file is a push that did not finish, removed. */
static int scan(struct cs_fqueue *q)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dir = opendir(q->dir);
	uint64_t top = 0;
	FILE *f;
	int err = 0;

	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		uint64_t seq;
		uint32_t records;
		struct stat sb;
		int used = 0;

		if (!strcmp(d->d_name, ".tmp")) {
			snprintf(path, sizeof(path), "%s/.tmp", q->dir);
			unlink(path);
			continue;
		}
		if (sscanf(d->d_name, "%20" SCNu64 "-%" SCNu32 ".batch%n",
			   &seq, &records, &used) != 2 ||
		    used != (int)strlen(d->d_name) || !seq)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", q->dir,
			     d->d_name) >= (int)sizeof(path) ||
		    stat(path, &sb)) {
			err = -errno;
			break;
		}
		err = add_entry(q, seq, records, (uint64_t)sb.st_size);
		if (err)
			break;
		if (seq > top)
			top = seq;
	}
	closedir(dir);
	if (err)
		return err;
	if (q->n)
		qsort(q->e, q->n, sizeof(*q->e), cmp_entry);
	q->next_seq = top + 1;
	snprintf(path, sizeof(path), "%s/seq", q->dir);
	f = fopen(path, "r");
	if (f) {
		uint64_t r;

		if (fscanf(f, "%" SCNu64, &r) == 1 && r > q->next_seq)
			q->next_seq = r;
		fclose(f);
	}
	q->st.found_batches = q->n;
	q->st.found_records = q->records;
	return save_reserved(q, q->next_seq + SEQ_BLOCK);
}

struct cs_fqueue *cs_fqueue_open(const char *dir, uint64_t max_bytes,
				 enum cs_fqueue_drop drop)
{
	struct cs_fqueue *q;
	int err;

	if (!dir || !*dir || !max_bytes ||
	    (drop != CS_FQUEUE_DROP_OLDEST && drop != CS_FQUEUE_DROP_NEWEST)) {
		errno = EINVAL;
		return NULL;
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		return NULL;
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->dir = strdup(dir);
	q->max_bytes = max_bytes;
	q->drop = drop;
	if (!q->dir) {
		free(q);
		errno = ENOMEM;
		return NULL;
	}
	err = scan(q);
	if (err) {
		cs_fqueue_close(q);
		errno = -err;
		return NULL;
	}
	return q;
}

void cs_fqueue_close(struct cs_fqueue *q)
{
	if (!q)
		return;
	free(q->e);
	free(q->dir);
	free(q);
}

void cs_fqueue_set_sync(struct cs_fqueue *q, int on)
{
	q->sync = !!on;
}

uint64_t cs_fqueue_next_seq(const struct cs_fqueue *q)
{
	return q->next_seq;
}

static void forget(struct cs_fqueue *q, size_t i)
{
	q->bytes -= q->e[i].bytes;
	q->records -= q->e[i].records;
	memmove(&q->e[i], &q->e[i + 1], (q->n - i - 1) * sizeof(*q->e));
	q->n--;
}

static int remove_at(struct cs_fqueue *q, size_t i)
{
	char path[PATH_MAX];
	int err = entry_path(q, &q->e[i], path, sizeof(path));

	if (!err && unlink(path) && errno != ENOENT)
		err = -errno;
	forget(q, i);
	return err;
}

int cs_fqueue_push(struct cs_fqueue *q, const void *data, size_t len,
		   uint32_t records)
{
	char path[PATH_MAX];
	struct cs_fqueue_entry e = { .seq = q->next_seq, .records = records };
	int err;

	if (!q || (!data && len) || len > UINT32_MAX)
		return -EINVAL;
	if (len > q->max_bytes) {
		q->st.dropped_batches++;
		q->st.dropped_records += records;
		return -ENOSPC;
	}
	if (q->bytes + len > q->max_bytes && q->drop == CS_FQUEUE_DROP_NEWEST) {
		q->st.dropped_batches++;
		q->st.dropped_records += records;
		return -ENOSPC;
	}
	while (q->bytes + len > q->max_bytes) {
		q->st.dropped_batches++;
		q->st.dropped_records += q->e[0].records;
		remove_at(q, 0);
	}
	if (q->next_seq >= q->reserved) {
		err = save_reserved(q, q->next_seq + SEQ_BLOCK);
		if (err)
			return err;
	}
	err = entry_path(q, &e, path, sizeof(path));
	if (!err)
		err = write_file(q->dir, path, data, len, q->sync);
	if (err)
		return err;
	err = add_entry(q, e.seq, records, len);
	if (err) {
		unlink(path);
		return err;
	}
	q->next_seq++;
	return 0;
}

size_t cs_fqueue_count(const struct cs_fqueue *q)
{
	return q->n;
}

uint64_t cs_fqueue_bytes(const struct cs_fqueue *q)
{
	return q->bytes;
}

uint64_t cs_fqueue_records(const struct cs_fqueue *q)
{
	return q->records;
}

struct cs_fqueue_entry *cs_fqueue_at(struct cs_fqueue *q, size_t i)
{
	return i < q->n ? &q->e[i] : NULL;
}

long cs_fqueue_find(const struct cs_fqueue *q, uint64_t seq)
{
	size_t lo = 0, hi = q->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (q->e[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < q->n && q->e[lo].seq == seq ? (long)lo : -ENOENT;
}

int cs_fqueue_read(const struct cs_fqueue *q, size_t i, void **data,
		   size_t *len)
{
	char path[PATH_MAX];
	size_t got = 0, want;
	char *buf;
	int fd, err;

	if (i >= q->n)
		return -EINVAL;
	err = entry_path(q, &q->e[i], path, sizeof(path));
	if (err)
		return err;
	want = q->e[i].bytes;
	buf = malloc(want ? want : 1);
	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	while (got < want) {
		ssize_t r = read(fd, buf + got, want - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			err = r < 0 ? -errno : -EIO;	/* shorter than it was */
			break;
		}
		got += (size_t)r;
	}
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	*data = buf;
	*len = got;
	return 0;
}

int cs_fqueue_remove(struct cs_fqueue *q, uint64_t seq)
{
	long i = cs_fqueue_find(q, seq);

	if (i < 0)
		return (int)i;
	return remove_at(q, (size_t)i);
}

void cs_fqueue_stats(const struct cs_fqueue *q, struct cs_fqueue_stats *st)
{
	*st = q->st;
}
