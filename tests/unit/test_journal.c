/* The local append-only journal (src/util/journal.c). */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/journal.h"

static char	home[256];

static int
setup(void **state)
{
	const char	*tmp = getenv("TMPDIR");

	snprintf(home, sizeof home, "%s/journal-test.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(home) == NULL)
		return -1;
	setenv("PHALANX_HOME", home, 1);
	return 0;
}

static int
teardown(void **state)
{
	char	*cmd = xasprintf("rm -rf '%s'", home);
	int	 rc = system(cmd);

	free(cmd);
	return rc == 0 ? 0 : -1;
}

static struct journal *
open_j(const char *name)
{
	struct journal	*j;
	struct err	 e;

	err_clear(&e);
	if ((j = journal_open(name, &e)) == NULL)
		fail_msg("journal_open: %s", e.msg);
	return j;
}

static void
append_n(struct journal *j, int from, int n)
{
	json_t		**v = xcalloc((size_t)n, sizeof *v);
	struct err	  e;
	int		  i;

	for (i = 0; i < n; i++)
		v[i] = json_pack("{s:i, s:s}", "k", from + i, "what", "event");
	assert_int_equal(journal_append(j, v, (size_t)n, &e), 0);
	for (i = 0; i < n; i++)
		json_decref(v[i]);
	free(v);
}

struct got {
	int64_t	 seq[512];
	int	 k[512];
	char	 id[512][JOURNAL_UID_LEN];
	int	 n;
	int	 stop_at;
};

static int
collect(json_t *o, int64_t seq, void *arg)
{
	struct got	*g = arg;

	assert_true(g->n < 512);
	g->seq[g->n] = seq;
	g->k[g->n] = (int)json_integer_value(json_object_get(o, "k"));
	snprintf(g->id[g->n], JOURNAL_UID_LEN, "%s",
	    json_string_value(json_object_get(o, "id")));
	g->n++;
	return g->stop_at > 0 && g->n == g->stop_at ? -1 : 0;
}

static void
replay(struct journal *j, struct got *g)
{
	struct err	e;

	memset(g, 0, sizeof *g);
	assert_int_equal(journal_replay(j, collect, g, &e), 0);
}

static void
test_append_reopen_replay(void **state)
{
	struct journal	*j;
	struct got	 g;
	char		*path;
	int		 i, k;

	j = open_j("events");
	path = xasprintf("%s/journal/events.jsonl", home);
	assert_string_equal(journal_path(j), path);
	append_n(j, 0, 3);
	append_n(j, 3, 4);
	assert_int_equal(journal_count(j), 7);
	assert_int_equal(journal_last_seq(j), 7);
	journal_close(j);

	j = open_j("events");
	assert_int_equal(journal_count(j), 7);
	assert_int_equal(journal_last_seq(j), 7);
	assert_int_equal(journal_torn(j), 0);
	append_n(j, 7, 1);
	replay(j, &g);
	assert_int_equal(g.n, 8);
	for (i = 0; i < 8; i++) {
		assert_int_equal(g.seq[i], i + 1);
		assert_int_equal(g.k[i], i);
		assert_int_equal(strlen(g.id[i]), 36);
		for (k = 0; k < i; k++)
			assert_string_not_equal(g.id[i], g.id[k]);
	}
	/* A callback may stop the replay. */
	memset(&g, 0, sizeof g);
	g.stop_at = 3;
	assert_int_equal(journal_replay(j, collect, &g, NULL), 1);
	assert_int_equal(g.n, 3);
	journal_close(j);
	free(path);
}

/* An id already present is kept (the events writer brings its own). */
static void
test_keeps_given_id(void **state)
{
	struct journal	*j = open_j("ids");
	json_t		*o = json_pack("{s:s}", "id", "given");
	struct got	 g;

	assert_int_equal(journal_append(j, &o, 1, NULL), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "seq")), 1);
	json_decref(o);
	replay(j, &g);
	assert_string_equal(g.id[0], "given");
	journal_close(j);
}

static char *
slurp(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	*buf;
	long	 n;

	if (f == NULL)
		return xstrdup("");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = xmalloc((size_t)n + 1);
	buf[fread(buf, 1, (size_t)n, f)] = '\0';
	fclose(f);
	return buf;
}

/*
 * A crash mid-write: the torn line is cut and kept in NAME.corrupt,
 * earlier entries survive.
 */
static void
test_torn_tail(void **state)
{
	struct journal	*j = open_j("torn");
	struct got	 g;
	char		*path = xstrdup(journal_path(j)), *bad, *s;
	const char	 torn[] = "{\"k\":99,\"seq\":4,\"id\":\"abc";
	int		 fd;

	append_n(j, 0, 3);
	journal_close(j);
	fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, torn, sizeof torn - 1), sizeof torn - 1);
	close(fd);

	j = open_j("torn");
	assert_int_equal(journal_torn(j), sizeof torn - 1);
	assert_int_equal(journal_count(j), 3);
	assert_int_equal(journal_last_seq(j), 3);
	bad = xasprintf("%s.corrupt", path);
	s = slurp(bad);
	assert_non_null(strstr(s, torn));
	free(s);
	/* The next append starts a clean line, not glued to the fragment. */
	append_n(j, 3, 1);
	journal_close(j);
	j = open_j("torn");
	assert_int_equal(journal_torn(j), 0);
	replay(j, &g);
	assert_int_equal(g.n, 4);
	assert_int_equal(g.k[3], 3);
	assert_int_equal(g.seq[3], 4);
	journal_close(j);
	free(bad);
	free(path);
}

/*
 * A garbage line in the middle is skipped, the rest replays; dropping the
 * replayed entries moves it to NAME.corrupt rather than deleting it.
 */
static void
test_bad_line_skipped(void **state)
{
	struct journal	*j = open_j("bad");
	struct got	 g;
	char		*path = xstrdup(journal_path(j)), *bad, *s;
	int		 fd;

	append_n(j, 0, 1);
	journal_close(j);
	fd = open(path, O_WRONLY | O_APPEND);
	assert_int_equal(write(fd, "not json\n", 9), 9);
	close(fd);
	j = open_j("bad");
	append_n(j, 1, 1);
	replay(j, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.k[1], 1);
	assert_int_equal(g.seq[1], 2);
	assert_int_equal(journal_drop_upto(j, 2, NULL), 0);
	assert_int_equal(journal_count(j), 0);
	assert_int_equal(journal_quarantined(j), 1);
	bad = xasprintf("%s.corrupt", path);
	s = slurp(bad);
	assert_string_equal(s, "not json\n");
	free(s);
	/* An entry its reader cannot use is set aside the same way. */
	{
		json_t	*o = json_pack("{s:s,s:i}", "odd", "x", "seq", 3);

		assert_int_equal(journal_set_aside(j, o, "test", NULL), 0);
		json_decref(o);
	}
	assert_int_equal(journal_quarantined(j), 2);
	s = slurp(bad);
	assert_non_null(strstr(s, "not json\n{\"odd\""));
	free(s);
	free(bad);
	journal_close(j);
	free(path);
}

/*
 * Dropping removes the replayed prefix only; sequence numbers keep rising
 * after the file was emptied, in this process and in the next.
 */
static void
test_drop_upto(void **state)
{
	struct journal	*j = open_j("trunc");
	struct got	 g;
	struct stat	 st;

	append_n(j, 0, 5);
	assert_int_equal(journal_drop_upto(j, 3, NULL), 0);
	assert_int_equal(journal_count(j), 2);
	replay(j, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.seq[0], 4);
	assert_int_equal(g.k[0], 3);
	assert_int_equal(journal_drop_upto(j, 5, NULL), 0);
	assert_int_equal(journal_count(j), 0);
	assert_int_equal(stat(journal_path(j), &st), 0);
	assert_int_equal(st.st_size, 0);
	replay(j, &g);
	assert_int_equal(g.n, 0);
	append_n(j, 5, 2);
	replay(j, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.seq[0], 6);
	journal_close(j);
	j = open_j("trunc");
	assert_int_equal(journal_count(j), 2);
	assert_int_equal(journal_drop_upto(j, 7, NULL), 0);
	journal_close(j);
	j = open_j("trunc");
	append_n(j, 7, 1);
	replay(j, &g);
	assert_int_equal(g.seq[0], 8);
	journal_close(j);
}

/*
 * Two handles (two processes' view) on one journal: the one that did not
 * append sees the other's entries, sequence numbers never repeat, and a
 * drop by one keeps what the other appended after the replay was read.
 */
static void
test_two_handles(void **state)
{
	struct journal	*a = open_j("two"), *b = open_j("two");
	struct got	 g;

	append_n(a, 0, 3);
	assert_int_equal(journal_count(b), 3);
	append_n(b, 3, 2);
	assert_int_equal(journal_count(a), 5);
	replay(a, &g);
	assert_int_equal(g.n, 5);
	assert_int_equal(g.seq[4], 5);
	assert_int_equal(g.k[4], 4);
	append_n(b, 5, 1);	/* after a's replay was read */
	assert_int_equal(journal_drop_upto(a, g.seq[4], NULL), 0);
	assert_int_equal(journal_count(b), 1);
	append_n(b, 6, 1);
	append_n(a, 7, 1);
	replay(b, &g);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.k[0], 5);
	assert_int_equal(g.seq[0], 6);
	assert_int_equal(g.seq[1], 7);
	assert_int_equal(g.seq[2], 8);
	journal_close(a);
	journal_close(b);
}

#define NWRITERS	4
#define NBATCHES	150
#define PERBATCH	3

struct seen {
	int	count[NWRITERS][NBATCHES * PERBATCH];
	int64_t	last_seq;
	int	out_of_order;
	int	n;
};

static int
seen_one(json_t *o, int64_t seq, void *arg)
{
	struct seen	*s = arg;
	int		 w, k;

	w = (int)json_integer_value(json_object_get(o, "w"));
	k = (int)json_integer_value(json_object_get(o, "k"));
	if (w < 0 || w >= NWRITERS || k < 0 || k >= NBATCHES * PERBATCH)
		fail_msg("entry w %d k %d", w, k);
	s->count[w][k]++;
	if (seq <= s->last_seq)
		s->out_of_order++;
	s->last_seq = seq;
	s->n++;
	return 0;
}

/* A child process: NBATCHES appends of PERBATCH entries. */
static void
writer(int w)
{
	struct journal	*j;
	json_t		*v[PERBATCH];
	struct err	 e;
	int		 b, i;

	err_clear(&e);
	if ((j = journal_open("shared", &e)) == NULL)
		_exit(2);
	for (b = 0; b < NBATCHES; b++) {
		for (i = 0; i < PERBATCH; i++)
			v[i] = json_pack("{s:i,s:i}", "w", w,
			    "k", b * PERBATCH + i);
		if (journal_append(j, v, PERBATCH, &e) != 0)
			_exit(3);
		for (i = 0; i < PERBATCH; i++)
			json_decref(v[i]);
		if (b % 16 == 0)
			usleep(200);
	}
	journal_close(j);
	_exit(0);
}

/*
 * Several processes append while this one replays and drops what it
 * replayed, over and over: every entry is replayed exactly once, in
 * rising seq order.  (Each process keeping its own size and seq, and a
 * replayer truncating the file, lost about a quarter of them.)
 */
static void
test_concurrent_writers_and_replayer(void **state)
{
	struct journal	*j = open_j("shared");
	struct seen	*s = xcalloc(1, sizeof *s);
	pid_t		 pids[NWRITERS];
	int		 w, k, status, running = NWRITERS, rounds = 0;
	struct err	 e;

	for (w = 0; w < NWRITERS; w++) {
		if ((pids[w] = fork()) == 0)
			writer(w);
		assert_true(pids[w] > 0);
	}
	for (;;) {
		int64_t	before = s->last_seq;

		err_clear(&e);
		assert_true(journal_replay(j, seen_one, s, &e) >= 0);
		if (s->last_seq > before)
			assert_int_equal(journal_drop_upto(j, s->last_seq, &e),
			    0);
		rounds++;
		if (running == 0 && journal_count(j) == 0)
			break;
		for (w = 0; w < NWRITERS; w++) {
			if (pids[w] > 0 && waitpid(pids[w], &status,
			    WNOHANG) == pids[w]) {
				assert_true(WIFEXITED(status));
				assert_int_equal(WEXITSTATUS(status), 0);
				pids[w] = 0;
				running--;
			}
		}
		usleep(500);
	}
	assert_int_equal(s->out_of_order, 0);
	assert_int_equal(s->n, NWRITERS * NBATCHES * PERBATCH);
	for (w = 0; w < NWRITERS; w++)
		for (k = 0; k < NBATCHES * PERBATCH; k++)
			if (s->count[w][k] != 1)
				fail_msg("writer %d entry %d replayed %d times",
				    w, k, s->count[w][k]);
	assert_int_equal(journal_last_seq(j), NWRITERS * NBATCHES * PERBATCH);
	assert_true(rounds > 1);
	journal_close(j);
	free(s);
}

/* A journal directory that cannot be written fails at open, clearly. */
static void
test_unwritable_dir(void **state)
{
	struct err	 e;
	char		*file, *path;
	FILE		*f;

	/* root may write anywhere: a file where the directory should be. */
	file = xasprintf("%s/notadir", home);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	path = xasprintf("%s/journal.jsonl", file);
	err_clear(&e);
	assert_null(journal_open_path(path, &e));
	assert_string_equal(e.code, "journal");
	assert_non_null(strstr(e.msg, path));
	free(path);
	free(file);
}

static void
test_open_errors_and_uid(void **state)
{
	struct err	e;
	char		a[JOURNAL_UID_LEN], b[JOURNAL_UID_LEN];

	err_clear(&e);
	struct journal	*j;
	char		*deep;

	assert_null(journal_open_path("/dev/null/x/y.jsonl", &e));
	assert_string_equal(e.code, "journal");
	assert_non_null(strstr(e.msg, "/dev/null/x/y.jsonl"));
	/* Missing directories are made. */
	deep = xasprintf("%s/a/b/c.jsonl", home);
	j = journal_open_path(deep, &e);
	assert_non_null(j);
	journal_close(j);
	free(deep);
	journal_uid(a);
	journal_uid(b);
	assert_int_equal(strlen(a), 36);
	assert_string_not_equal(a, b);
	assert_int_equal(a[14], '4');
	assert_true(strchr("89ab", a[19]) != NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_reopen_replay),
		cmocka_unit_test(test_keeps_given_id),
		cmocka_unit_test(test_torn_tail),
		cmocka_unit_test(test_bad_line_skipped),
		cmocka_unit_test(test_drop_upto),
		cmocka_unit_test(test_two_handles),
		cmocka_unit_test(test_concurrent_writers_and_replayer),
		cmocka_unit_test(test_unwritable_dir),
		cmocka_unit_test(test_open_errors_and_uid),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
