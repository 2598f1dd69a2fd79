/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcellsense, many rigs: the payloads sense2mqtt(1) publishes and
 * mqtt2pg(1) reads (a batch of records, a store's confirmation), and the
 * bounded on-disk queue a gateway keeps its batches in until the store has
 * them. Same error convention as cellsense.h. Nothing here talks to a
 * broker or a database: the tools do, with libmosquitto and libpq.
 */
#ifndef CELLSENSE_FLEET_H
#define CELLSENSE_FLEET_H

#include "cellsense.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A gateway's name (its MQTT client id): 1..63 of [A-Za-z0-9_.-]. */
#define CS_FLEET_ID_MAX 64

/*
 * A batch (sense2mqtt.1, PAYLOAD): one head line
 *	"cellsense-batch 1 GATEWAY SEQ COUNT\n"
 * then COUNT record lines of cellsense-records(5), each ending in "\n",
 * without the header line. SEQ (1..2^63-1) numbers the gateway's batches.
 */
struct cs_batch_head {
	char gateway[CS_FLEET_ID_MAX];
	uint64_t seq;
	uint32_t count;
};

/* 1 when @id is a valid gateway name, else 0. */
CS_API int cs_fleet_id_valid(const char *id);
/* The head line into @buf: its length, -EINVAL for a bad gateway, seq or
 * count, -ENOSPC when @size is too small. */
CS_API int cs_batch_head_format(char *buf, size_t size, const char *gateway,
				uint64_t seq, uint32_t count);
/* The head of @payload (@len bytes, no NUL needed): 0 with *@body at the
 * offset of the first record line, or -EBADMSG with *@why set. */
CS_API int cs_batch_head_parse(const void *payload, size_t len,
			       struct cs_batch_head *head, size_t *body,
			       const char **why);
/*
 * The record line at *@off of @payload into @rec, *@off moved past it:
 * 1 for a record, 0 at the end, -EBADMSG for a line that is not a record
 * (*@why says why; *@off is past it, so reading may go on). A last line
 * without its newline is refused as truncated.
 */
CS_API int cs_batch_next(const void *payload, size_t len, size_t *off,
			 struct cs_record *rec, const char **why);

/*
 * A store's confirmation (mqtt2pg.1): one head line
 *	"cellsense-stored 1 GATEWAY\n"
 * then one line a stored batch: "SEQ\n".
 */
CS_API int cs_stored_head_format(char *buf, size_t size, const char *gateway);
/* The gateway named in @payload's head: 0 and *@body, or -EBADMSG. */
CS_API int cs_stored_head_parse(const void *payload, size_t len,
				char gateway[CS_FLEET_ID_MAX], size_t *body,
				const char **why);
/* The next SEQ at *@off: 1, 0 at the end, -EBADMSG (past the bad line). */
CS_API int cs_stored_next(const void *payload, size_t len, size_t *off,
			  uint64_t *seq, const char **why);

/* ---------------------------------------------------------------------
 * The on-disk queue: one file a batch in a directory of its own, named
 * by its sequence number and record count, written to a temporary name and
 * renamed (a batch is there whole or not at all); a restart finds them
 * again in order. Bounded in payload bytes; past the bound the oldest
 * batches are dropped to make room, or the newest refused, as configured.
 */
enum cs_fqueue_drop {
	CS_FQUEUE_DROP_OLDEST = 0,
	CS_FQUEUE_DROP_NEWEST = 1,
};

/* One batch in the queue. seq, records and bytes are the queue's; state,
 * mid and when are the caller's to keep its own bookkeeping in (0 when
 * the batch is pushed or found at open). */
struct cs_fqueue_entry {
	uint64_t seq;
	uint32_t records;
	uint32_t bytes;
	int state;
	int mid;
	int64_t when;
};

struct cs_fqueue_stats {
	uint64_t dropped_batches, dropped_records;	/* by the policy */
	uint64_t found_batches, found_records;	/* there at open */
};

struct cs_fqueue;
/* Open (creating) directory @dir holding at most @max_bytes of payloads
 * (>= 1). NULL with errno: EINVAL, or what the file system said. */
CS_API struct cs_fqueue *cs_fqueue_open(const char *dir, uint64_t max_bytes,
					enum cs_fqueue_drop drop);
CS_API void cs_fqueue_close(struct cs_fqueue *q);
/* With @on, each push flushes its file and the directory to the disk
 * (fdatasync, fsync) before it returns: a batch pushed survives a power
 * cut, at the cost of a disk flush a push. Off by default: a batch then
 * survives a crash or a restart of the program, not of the machine. */
CS_API void cs_fqueue_set_sync(struct cs_fqueue *q, int on);
/* The sequence number the next push will get. */
CS_API uint64_t cs_fqueue_next_seq(const struct cs_fqueue *q);
/*
 * Store @len bytes of @data holding @records records as batch number
 * cs_fqueue_next_seq(). 0 when stored (oldest batches may have been dropped
 * for it: counted), -ENOSPC when the policy refused it (counted: the caller
 * drops it) or it is larger than the whole bound, -errno on a write error.
 */
CS_API int cs_fqueue_push(struct cs_fqueue *q, const void *data, size_t len,
			  uint32_t records);
CS_API size_t cs_fqueue_count(const struct cs_fqueue *q);
CS_API uint64_t cs_fqueue_bytes(const struct cs_fqueue *q);
CS_API uint64_t cs_fqueue_records(const struct cs_fqueue *q);
/* The @i-th oldest batch (i < count), valid until the next push/remove. */
CS_API struct cs_fqueue_entry *cs_fqueue_at(struct cs_fqueue *q, size_t i);
/* Index of batch @seq, or -ENOENT. */
CS_API long cs_fqueue_find(const struct cs_fqueue *q, uint64_t seq);
/* The payload of the @i-th batch into a malloc()ed buffer (free() it):
 * 0 and *@data, *@len, or -errno. */
CS_API int cs_fqueue_read(const struct cs_fqueue *q, size_t i, void **data,
			  size_t *len);
/* Forget batch @seq and delete its file: 0, or -ENOENT. */
CS_API int cs_fqueue_remove(struct cs_fqueue *q, uint64_t seq);
CS_API void cs_fqueue_stats(const struct cs_fqueue *q,
			    struct cs_fqueue_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* CELLSENSE_FLEET_H */
