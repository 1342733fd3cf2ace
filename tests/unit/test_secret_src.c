/*
 * Tests for src/cmd/secret_src.c: a secret option's value from @env:NAME,
 * @file:PATH or "-" (standard input) is what the command carries, the line
 * keeps only the reference, and every way it can go wrong is a parse error
 * that names the source and never the value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd/cmd.h"

struct fixture {
	char	dir[64];
	char	path[128];
};

static int
setup(void **state)
{
	struct fixture	*f = xcalloc(1, sizeof *f);

	strcpy(f->dir, "/tmp/px-src-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof f->path, "%s/token", f->dir);
	cmd_secret_sources(CMD_SRC_ENV | CMD_SRC_FILE | CMD_SRC_STDIN);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	unlink(f->path);
	rmdir(f->dir);
	free(f);
	unsetenv("PX_TEST_TOKEN");
	cmd_secret_sources(0);
	return 0;
}

static void
put(const char *path, const char *text)
{
	FILE	*fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* Parse a line that must be valid; the access token it carries. */
static char *
token_of(const char *line)
{
	struct cmd	 c;
	struct cmd_pos	 pos;
	struct err	 e;
	char		*v, *r;

	err_clear(&e);
	if (cmd_parse_line(line, 1, &c, &pos, &e) != 0)
		fail_msg("\"%s\" did not parse: %s", line, e.msg);
	v = xstrdup(cmd_get(&c, "access-token"));
	/* The text keeps the reference, never what it named. */
	r = cmd_text_redacted(&c);
	assert_string_equal(r, c.text);
	free(r);
	cmd_free(&c);
	return v;
}

/* Parse a line that must fail; its message in msg. */
static void
refused(const char *line, char *msg, size_t len)
{
	struct cmd	c;
	struct cmd_pos	pos;
	struct err	e;

	err_clear(&e);
	if (cmd_parse_line(line, 1, &c, &pos, &e) == 0)
		fail_msg("\"%s\" parsed", line);
	assert_string_equal(e.code, "parse");
	snprintf(msg, len, "%s", e.msg);
}

static void
test_env(void **state)
{
	char	*v, msg[512];

	setenv("PX_TEST_TOKEN", "tok-from-env", 1);
	v = token_of("account set a access-token @env:PX_TEST_TOKEN");
	assert_string_equal(v, "tok-from-env");
	free(v);
	v = token_of("account set a ACCESS-TOKEN @ENV:PX_TEST_TOKEN");
	assert_string_equal(v, "tok-from-env");
	free(v);

	unsetenv("PX_TEST_TOKEN");
	refused("account set a access-token @env:PX_TEST_TOKEN", msg,
	    sizeof msg);
	assert_non_null(strstr(msg, "environment variable PX_TEST_TOKEN "
	    "(for \"access-token\") is not set"));
	setenv("PX_TEST_TOKEN", "", 1);
	refused("account set a access-token @env:PX_TEST_TOKEN", msg,
	    sizeof msg);
	assert_non_null(strstr(msg, "is empty"));
	refused("account set a access-token @env:1BAD", msg, sizeof msg);
	assert_non_null(strstr(msg, "expected @env:NAME"));
	/* Not a key: refused, without showing it. */
	setenv("PX_TEST_TOKEN", "has space", 1);
	refused("account set a access-token @env:PX_TEST_TOKEN", msg,
	    sizeof msg);
	assert_null(strstr(msg, "has space"));
	assert_non_null(strstr(msg, "(read from @env:PX_TEST_TOKEN)"));
}

static void
test_file(void **state)
{
	struct fixture	*f = *state;
	char		 line[256], msg[512], *v;

	snprintf(line, sizeof line, "broker add z kind kite url http://x "
	    "api-key k access-token @file:%s", f->path);
	put(f->path, "tok-from-file\n");
	v = token_of(line);
	assert_string_equal(v, "tok-from-file");
	free(v);
	put(f->path, "tok-crlf\r\nsecond line\n");
	v = token_of(line);
	assert_string_equal(v, "tok-crlf");
	free(v);

	put(f->path, "");
	refused(line, msg, sizeof msg);
	assert_non_null(strstr(msg, "is empty"));
	put(f->path, "not a key\n");
	refused(line, msg, sizeof msg);
	assert_null(strstr(msg, "not a key"));
	unlink(f->path);
	refused(line, msg, sizeof msg);
	assert_non_null(strstr(msg, "cannot read @file:"));
	assert_non_null(strstr(msg, "No such file or directory"));
	snprintf(line, sizeof line, "account set a access-token @file:%s",
	    f->dir);
	refused(line, msg, sizeof msg);
	assert_non_null(strstr(msg, "is a directory"));
	refused("account set a access-token @file:", msg, sizeof msg);
	assert_non_null(strstr(msg, "got no path"));
}

/* "-" reads exactly one line of fd 0 and leaves the rest to others. */
static void
test_stdin(void **state)
{
	int	 fds[2], saved;
	char	*v, rest[32], msg[512];
	ssize_t	 n;

	assert_int_equal(pipe(fds), 0);
	saved = dup(0);
	dup2(fds[0], 0);
	close(fds[0]);
	assert_int_equal(write(fds[1], "tok-from-stdin\nrest\n", 20), 20);
	close(fds[1]);
	v = token_of("account set a access-token -");
	assert_string_equal(v, "tok-from-stdin");
	free(v);
	n = read(0, rest, sizeof rest - 1);
	assert_int_equal(n, 5);
	rest[n] = '\0';
	assert_string_equal(rest, "rest\n");
	refused("account set a access-token -", msg, sizeof msg);
	assert_non_null(strstr(msg, "standard input ended"));
	dup2(saved, 0);
	close(saved);

	cmd_secret_sources(CMD_SRC_ENV | CMD_SRC_FILE);
	refused("account set a access-token -", msg, sizeof msg);
	assert_non_null(strstr(msg, "standard input is not available here"));
	cmd_secret_sources(0);
	refused("account set a access-token @env:HOME", msg, sizeof msg);
	assert_non_null(strstr(msg, "\"access-token @env:\": not available"));
}

static void
test_refused_values(void **state)
{
	char	msg[512];

	/* What a history shows instead of a secret is not a secret. */
	refused("account set a access-token ***", msg, sizeof msg);
	assert_non_null(strstr(msg, "stands for a hidden secret"));
	refused("account set a api-secret ******", msg, sizeof msg);
	assert_non_null(strstr(msg, "stands for a hidden secret"));
	/* A typo in the source is no token. */
	refused("account set a access-token @flie:/tmp/x", msg, sizeof msg);
	assert_non_null(strstr(msg, "unknown source \"@flie:\""));
}

/* Inside "run COMMAND", a reference is read when the command runs. */
static void
test_nested(void **state)
{
	struct cmd	c;
	struct cmd_pos	pos;
	struct err	e;
	char		msg[512];

	unsetenv("PX_TEST_TOKEN");
	err_clear(&e);
	assert_int_equal(cmd_parse_line("schedule add s cron \"* * * * *\" run "
	    "\"account set a access-token @env:PX_TEST_TOKEN\"", 1, &c, &pos,
	    &e), 0);
	cmd_free(&c);
	refused("schedule add s cron \"* * * * *\" run \"account set a "
	    "access-token -\"", msg, sizeof msg);
	assert_non_null(strstr(msg, "cannot read standard input"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stdin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_values, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_nested, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
