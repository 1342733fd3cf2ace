/*
 * journal: an append-only local file of JSON objects, one per line, for
 * what must not be lost while PostgreSQL is unreachable (lifecycle events,
 * audit entries).  Each entry carries "seq" (1, 2, ... in append order)
 * and "id" (a UUID, unique across processes) so a replay that repeats
 * rows the store already has can be made a no-op there.
 *
 * Crash safety: a batch is written with one write() and made durable with
 * one fdatasync() before journal_append returns.  A crash mid-write can
 * only leave a torn last line; journal_open cuts it off, so it is never
 * replayed and never glued to the next append.  Blocking file I/O: it is
 * the fallback path, a few milliseconds at most on a local disk.
 */
#ifndef PX_JOURNAL_H
#define PX_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "util/util.h"

#define JOURNAL_UID_LEN	37	/* 36 characters of UUID and a NUL */

struct journal;

/*
 * $PHALANX_HOME/journal/NAME.jsonl, or any path; missing directories are
 * created (0700).  NULL and err "journal" on failure.
 */
struct journal *journal_open(const char *name, struct err *);
struct journal *journal_open_path(const char *path, struct err *);
void journal_close(struct journal *);
const char *journal_path(const struct journal *);

/*
 * Append n objects as one durable batch.  Each object gets "seq", and "id"
 * unless it has one already (the objects are modified).  On failure
 * nothing of the batch stays in the file.
 */
int journal_append(struct journal *, json_t *const *objs, size_t n,
    struct err *);

/*
 * Every entry in append order; obj is borrowed for the call.  The callback
 * returns 0 to go on, -1 to stop (journal_replay then returns 1).  Lines
 * that are not JSON objects are skipped and logged.
 */
typedef int (*journal_cb)(json_t *obj, int64_t seq, void *arg);
int journal_replay(struct journal *, journal_cb, void *arg, struct err *);

/* Drop every entry (after the store acknowledged them); durable. */
int journal_truncate(struct journal *, struct err *);
size_t journal_count(const struct journal *);
int64_t journal_last_seq(const struct journal *);
/* Bytes of the last torn line cut off by journal_open (0 normally). */
size_t journal_torn(const struct journal *);

/* A fresh random-prefixed UUID (version 4 layout) into out. */
void journal_uid(char out[JOURNAL_UID_LEN]);

#endif
