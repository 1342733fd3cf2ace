/*
 * journal: an append-only local file of JSON objects, one per line, for
 * what must not be lost while PostgreSQL is unreachable (lifecycle events,
 * the router's other writes).  Each entry carries "seq" and "id" (a UUID)
 * so a replay that repeats rows the store already has can be made a
 * no-op there.
 *
 * Several processes may share one journal (they share $PHALANX_HOME):
 * every change happens under an flock(2) on NAME.lock beside the file,
 * sequence numbers come from a high-water mark kept in that lock file, so
 * they rise across processes and never repeat while any process runs,
 * and a replayer removes only the entries it replayed (seq <= what it
 * read), never what another process appended meanwhile.
 *
 * Crash safety: a batch is written with one write() and made durable with
 * one fdatasync() before journal_append returns.  A crash mid-write can
 * only leave a torn last line; the next process to take the lock moves it
 * to NAME.corrupt (with a warning) and cuts it off, so it is never
 * replayed and never glued to the next append.  A line that is not an
 * entry is skipped by replays and moved to NAME.corrupt by the next
 * journal_drop_upto: nothing is silently deleted.  Removing a prefix
 * writes the rest to a new file and renames it over the old one, so a
 * kill at any point leaves either the old journal or the new one.
 * Blocking file I/O: it is the fallback path, a few milliseconds at most
 * on a local disk.
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
 * created (0700).  NULL and err "journal" on failure, naming the path and
 * the reason (a directory that is not writable fails here, not later).
 */
struct journal *journal_open(const char *name, struct err *);
struct journal *journal_open_path(const char *path, struct err *);
void journal_close(struct journal *);
const char *journal_path(const struct journal *);

/*
 * Append n objects as one durable batch.  Each object gets "seq" (above
 * any seq any process gave before), and "id" unless it has one already
 * (the objects are modified).  On failure nothing of the batch stays in
 * the file.
 */
int journal_append(struct journal *, json_t *const *objs, size_t n,
    struct err *);

/*
 * Every entry in the file now, in append order (entries other processes
 * appended included); obj is borrowed for the call.  The callback returns
 * 0 to go on, -1 to stop (journal_replay then returns 1).  Lines that are
 * not entries are skipped and logged.
 */
typedef int (*journal_cb)(json_t *obj, int64_t seq, void *arg);
int journal_replay(struct journal *, journal_cb, void *arg, struct err *);

/*
 * Remove the entries with seq <= upto (the store acknowledged them) and
 * keep every later one, whoever appended it; durable.
 */
int journal_drop_upto(struct journal *, int64_t upto, struct err *);

/*
 * Keep an entry the caller cannot use (an unknown kind, a bad field) in
 * NAME.corrupt before a drop removes it; logged with why.
 */
int journal_set_aside(struct journal *, json_t *obj, const char *why,
    struct err *);

/* Entries in the file now (re-read when another process changed it). */
size_t journal_count(struct journal *);
int64_t journal_last_seq(struct journal *);
/* Bytes of torn lines this handle moved to NAME.corrupt (0 normally). */
size_t journal_torn(const struct journal *);
/* Lines that were not entries, moved to NAME.corrupt by this handle. */
size_t journal_quarantined(const struct journal *);

/* A fresh random-prefixed UUID (version 4 layout) into out. */
void journal_uid(char out[JOURNAL_UID_LEN]);

#endif
