/*
 * Runs in this process (run.h).  The store holds the truth; a handle
 * here only remembers what to write and whether a cancel or the timeout
 * has ended the run, so the work stops at its next step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auto/run.h"
#include "util/metrics.h"

struct run {
	struct store	*st;
	int64_t		 id;
	char		*kind, *ref, *command, *batch_file;
	const char	*stopped;	/* end state a cancel/timeout gave */
	struct event	*timeout;
	struct run	*next;		/* live runs of this process */
};

static struct run	*live;
static struct store	*listening;

static char *
dup_field(json_t *row, const char *k)
{
	const char	*s = json_string_value(json_object_get(row, k));

	return s != NULL ? xstrdup(s) : NULL;
}

const char *
run_owner(void)
{
	static char	owner[300];
	char		host[256];

	if (owner[0] == '\0') {
		if (gethostname(host, sizeof host) != 0)
			snprintf(host, sizeof host, "localhost");
		host[sizeof host - 1] = '\0';
		snprintf(owner, sizeof owner, "%s:%ld", host, (long)getpid());
	}
	return owner;
}

int64_t
run_id(const struct run *r)
{
	return r->id;
}

const char *
run_kind(const struct run *r)
{
	return r->kind;
}

const char *
run_ref(const struct run *r)
{
	return r->ref;
}

const char *
run_command(const struct run *r)
{
	return r->command;
}

const char *
run_batch_file(const struct run *r)
{
	return r->batch_file;
}

const char *
run_stopping(const struct run *r)
{
	return r->stopped;
}

struct created {
	run_created_cb	 cb;
	void		*arg;
};

static void
run_created(json_t *rows, const struct err *err, void *arg)
{
	struct created	*c = arg;
	struct err	 e;

	if (err != NULL)
		c->cb(0, err, c->arg);
	else if (json_array_size(rows) == 0) {
		err_set(&e, "run", "the run was not created");
		c->cb(0, &e, c->arg);
	} else
		c->cb(json_integer_value(json_object_get(json_array_get(rows,
		    0), "id")), NULL, c->arg);
	free(c);
}

void
run_create(struct store *st, const struct store_run_spec *spec,
    const char *created_by, run_created_cb cb, void *arg)
{
	struct created	*c = xcalloc(1, sizeof *c);

	c->cb = cb;
	c->arg = arg;
	store_run_create(st, spec, created_by, run_created, c);
}

static void
run_unlink(struct run *r)
{
	struct run	**p;

	for (p = &live; *p != NULL; p = &(*p)->next) {
		if (*p == r) {
			*p = r->next;
			break;
		}
	}
}

static void
run_free(struct run *r)
{
	run_unlink(r);
	if (r->timeout != NULL)
		event_free(r->timeout);
	free(r->kind);
	free(r->ref);
	free(r->command);
	free(r->batch_file);
	free(r);
}

static void
run_moved(json_t *rows, const struct err *err, void *arg)
{
	int64_t	id = (int64_t)(intptr_t)arg;

	if (err != NULL)
		log_warn("run", "run %lld: cannot record its state: %s",
		    (long long)id, err->msg);
}

/* A cancel or the timeout ends the run now; the work stops after. */
static void
run_stop(struct run *r, const char *state, const char *msg)
{
	if (r->stopped != NULL)
		return;
	r->stopped = state;
	metric_inc(pxm.runs, run_kind(r), state);
	log_info("run", "run %lld %s: %s", (long long)r->id, state, msg);
	store_run_move(r->st, r->id, state, msg, run_moved,
	    (void *)(intptr_t)r->id);
}

static void
run_timed_out(evutil_socket_t fd, short what, void *arg)
{
	run_stop(arg, "TIMED_OUT", "timed out");
}

static void
run_notified(const char *channel, const char *payload, void *arg)
{
	struct run	*r;
	long long	 id;
	char		 word[16];

	if (sscanf(payload, "%lld %15s", &id, word) != 2 ||
	    strcmp(word, "cancel") != 0)
		return;
	for (r = live; r != NULL; r = r->next) {
		if (r->id == id)
			run_stop(r, "CANCELLED", "cancelled on request");
	}
}

struct begin {
	struct store	*st;
	int64_t		 id;
	run_begun_cb	 cb;
	void		*arg;
};

static void
run_begun(json_t *rows, const struct err *err, void *arg)
{
	struct begin	*b = arg;
	json_t		*row = json_array_get(rows, 0);
	struct run	*r;
	struct err	 e;
	struct timeval	 tv;
	json_int_t	 to;

	if (err != NULL) {
		b->cb(NULL, err, b->arg);
		free(b);
		return;
	}
	if (row == NULL) {
		err_set(&e, "run-state", "run %lld is not waiting to start",
		    (long long)b->id);
		b->cb(NULL, &e, b->arg);
		free(b);
		return;
	}
	r = xcalloc(1, sizeof *r);
	r->st = b->st;
	r->id = b->id;
	r->kind = dup_field(row, "kind");
	r->ref = dup_field(row, "ref");
	r->command = dup_field(row, "command");
	r->batch_file = dup_field(row, "batch_file");
	r->next = live;
	live = r;
	to = json_integer_value(json_object_get(row, "timeout_s"));
	if (to > 0) {
		r->timeout = evtimer_new(loop_base(), run_timed_out, r);
		tv.tv_sec = (time_t)to;
		tv.tv_usec = 0;
		evtimer_add(r->timeout, &tv);
	}
	b->cb(r, NULL, b->arg);
	free(b);
}

void
run_begin(struct store *st, int64_t id, const char *owner, run_begun_cb cb,
    void *arg)
{
	struct begin	*b = xcalloc(1, sizeof *b);

	if (listening != st) {
		/* One listener per store: cancels of any run of ours. */
		pg_listen(store_conn(st), STORE_RUNS_CHANNEL, run_notified,
		    NULL);
		listening = st;
	}
	b->st = st;
	b->id = id;
	b->cb = cb;
	b->arg = arg;
	store_run_begin(st, id, owner, run_begun, b);
}

struct logged {
	struct store	*st;
	int64_t		 id;
};

static void
run_logged(json_t *rows, const struct err *err, void *arg)
{
	struct logged	*l = arg;
	struct run	*r;

	if (err != NULL)
		log_warn("run", "run %lld: log lines lost: %s",
		    (long long)l->id, err->msg);
	else if (json_is_true(json_object_get(json_array_get(rows, 0),
	    "cancel_requested"))) {
		/* A cancel whose NOTIFY this process missed. */
		for (r = live; r != NULL; r = r->next) {
			if (r->id == l->id)
				run_stop(r, "CANCELLED", "cancelled on request");
		}
	}
	free(l);
}

void
run_log(struct run *r, const char *stream, const char *text)
{
	json_t		*lines = json_array();
	const char	*p, *nl;
	struct logged	*l;
	char		*j;

	for (p = text; p != NULL && *p != '\0'; p = nl != NULL ? nl + 1 :
	    NULL) {
		nl = strchr(p, '\n');
		json_array_append_new(lines, json_stringn(p, nl != NULL ?
		    (size_t)(nl - p) : strlen(p)));
	}
	if (json_array_size(lines) == 0) {
		json_decref(lines);
		return;
	}
	j = json_dumps(lines, JSON_COMPACT);
	json_decref(lines);
	l = xcalloc(1, sizeof *l);
	l->st = r->st;
	l->id = r->id;
	store_run_log(r->st, r->id, stream, j != NULL ? j : "[]", run_logged,
	    l);
	free(j);
}

struct finish {
	int64_t	  id;
	void	(*done)(void *);
	void	 *arg;
};

static void
run_finished(json_t *rows, const struct err *err, void *arg)
{
	struct finish	*f = arg;

	if (err != NULL)
		log_warn("run", "run %lld: cannot record its outcome: %s",
		    (long long)f->id, err->msg);
	if (f->done != NULL)
		f->done(f->arg);
	free(f);
}

void
run_finish(struct run *r, const char *state, const char *msg,
    void (*done)(void *), void *arg)
{
	struct finish	*f = xcalloc(1, sizeof *f);

	if (r->stopped == NULL)	/* a stopped run was counted then */
		metric_inc(pxm.runs, run_kind(r), state);
	f->id = r->id;
	f->done = done;
	f->arg = arg;
	/*
	 * Also after a cancel or timeout: the move is refused then, but the
	 * statement drops the run's lock all the same.
	 */
	store_run_move(r->st, r->id, state, msg, run_finished, f);
	run_free(r);
}
