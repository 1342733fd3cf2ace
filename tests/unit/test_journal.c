/* The local append-only journal (src/util/journal.c). */
#include <sys/stat.h>

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

/* A crash mid-write: the torn line is cut, earlier entries survive. */
static void
test_torn_tail(void **state)
{
	struct journal	*j = open_j("torn");
	struct got	 g;
	char		*path = xstrdup(journal_path(j));
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
	free(path);
}

/* A garbage line in the middle is skipped, the rest replays. */
static void
test_bad_line_skipped(void **state)
{
	struct journal	*j = open_j("bad");
	struct got	 g;
	char		*path = xstrdup(journal_path(j));
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
	journal_close(j);
	free(path);
}

static void
test_truncate(void **state)
{
	struct journal	*j = open_j("trunc");
	struct got	 g;
	struct stat	 st;

	append_n(j, 0, 5);
	assert_int_equal(journal_truncate(j, NULL), 0);
	assert_int_equal(journal_count(j), 0);
	assert_int_equal(stat(journal_path(j), &st), 0);
	assert_int_equal(st.st_size, 0);
	replay(j, &g);
	assert_int_equal(g.n, 0);
	/* Sequence numbers keep rising within the process. */
	append_n(j, 5, 2);
	replay(j, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.seq[0], 6);
	journal_close(j);
	j = open_j("trunc");
	assert_int_equal(journal_count(j), 2);
	journal_close(j);
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
		cmocka_unit_test(test_truncate),
		cmocka_unit_test(test_open_errors_and_uid),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
