/* Tests for src/util/config.c: layers, syntax and error messages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/config.h"

struct fixture {
	char		 dir[64];
	struct config	*cfg;
	struct err	 err;
};

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int
setup(void **state)
{
	struct fixture	*f;

	f = xcalloc(1, sizeof *f);
	strcpy(f->dir, "/tmp/px-config-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->cfg = config_new();
	err_clear(&f->err);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	config_free(f->cfg);
	nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* Write name under the fixture directory; the path is owned. */
static char *
write_file(struct fixture *f, const char *name, const char *text)
{
	char	*path;
	FILE	*fp;

	path = xasprintf("%s/%s", f->dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

/* Load text as a config file, expecting an error; returns the message. */
static const char *
load_fails(struct fixture *f, const char *text, char **pathp)
{
	char	*path;

	path = write_file(f, "phalanx.conf", text);
	assert_int_equal(config_load_file(f->cfg, path, 1, &f->err), -1);
	assert_true(err_isset(&f->err));
	assert_string_equal(f->err.code, "config");
	*pathp = path;
	return f->err.msg;
}

static void
expect_msg(struct fixture *f, const char *text, const char *fmt_after_path)
{
	char	*path, *want;

	load_fails(f, text, &path);
	want = xasprintf("%s%s", path, fmt_after_path);
	assert_string_equal(f->err.msg, want);
	free(want);
	free(path);
}

static void
test_defaults(void **state)
{
	struct fixture	*f = *state;
	char		*home;

	assert_int_equal(config_int(f->cfg, "ui.refresh_hz"), 15);
	assert_int_equal(config_int(f->cfg, "exec.rate_per_sec"), 10);
	assert_int_equal(config_int(f->cfg, "broker.timeout_ms"), 5000);
	assert_int_equal(config_int(f->cfg, "broker.market_protection"), -1);
	assert_string_equal(config_str(f->cfg, "store.dsn"), "");
	assert_string_equal(config_str(f->cfg, "log.level"), "info");
	assert_int_equal(config_enum(f->cfg, "log.level"), 1);
	assert_int_equal(config_bool(f->cfg, "ui.ascii"), -1);
	assert_string_equal(config_str(f->cfg, "ui.colors"), "auto");
	assert_string_equal(config_str(f->cfg, "serve.listen"),
	    "127.0.0.1:8787");
	assert_string_equal(config_str(f->cfg, "exec.default_on_fail"),
	    "best-effort");
	assert_string_equal(config_source(f->cfg, "ui.refresh_hz"), "default");
	home = path_phalanx_home();
	assert_string_equal(config_str(f->cfg, "store.home"), home);
	free(home);
}

static void
test_precedence(void **state)
{
	struct fixture	*f = *state;
	char		*path, *src;
	char		*env[] = {
		"PHALANX_UI_REFRESH_HZ=25",
		"PHALANX_EXEC_RATE_PER_SEC=5",
		"UNRELATED=1",
		NULL
	};

	path = write_file(f, "phalanx.conf",
	    "# layers\n"
	    "ui.refresh_hz = 20\n"
	    "exec.rate_per_sec = 8\n"
	    "log.level = debug\n");
	assert_int_equal(config_load_file(f->cfg, path, 1, &f->err), 0);
	assert_int_equal(config_int(f->cfg, "ui.refresh_hz"), 20);
	src = xasprintf("%s:2", path);
	assert_string_equal(config_source(f->cfg, "ui.refresh_hz"), src);
	free(src);

	assert_int_equal(config_load_env(f->cfg, env, &f->err), 0);
	assert_int_equal(config_int(f->cfg, "ui.refresh_hz"), 25);
	assert_string_equal(config_source(f->cfg, "ui.refresh_hz"),
	    "env PHALANX_UI_REFRESH_HZ");
	assert_int_equal(config_int(f->cfg, "exec.rate_per_sec"), 5);

	assert_int_equal(config_set_flag(f->cfg, "ui.refresh_hz=5", &f->err),
	    0);
	assert_int_equal(config_int(f->cfg, "ui.refresh_hz"), 5);
	assert_string_equal(config_source(f->cfg, "ui.refresh_hz"), "-o");

	/* Keys no higher layer touched keep the lower one. */
	assert_string_equal(config_str(f->cfg, "log.level"), "debug");
	src = xasprintf("%s:4", path);
	assert_string_equal(config_source(f->cfg, "log.level"), src);
	free(src);
	assert_string_equal(config_source(f->cfg, "store.dsn"), "default");
	free(path);
}

static void
test_env_aliases(void **state)
{
	struct fixture	*f = *state;
	char		*env[] = {
		"PHALANX_DSN=host=db1",
		"PHALANX_HOME=/srv/phalanx",
		"PHALANX_LOG_LEVEL=warn",
		"PHALANX_UI_COLORS=",
		NULL
	};
	char		*env2[] = {
		"PHALANX_DSN=host=db1",
		"PHALANX_STORE_DSN=host=db2",
		NULL
	};

	assert_int_equal(config_load_env(f->cfg, env, &f->err), 0);
	assert_string_equal(config_str(f->cfg, "store.dsn"), "host=db1");
	assert_string_equal(config_source(f->cfg, "store.dsn"),
	    "env PHALANX_DSN");
	assert_string_equal(config_str(f->cfg, "store.home"), "/srv/phalanx");
	assert_string_equal(config_str(f->cfg, "log.level"), "warn");
	/* An empty variable counts as unset. */
	assert_string_equal(config_source(f->cfg, "ui.colors"), "default");

	assert_int_equal(config_load_env(f->cfg, env2, &f->err), 0);
	assert_string_equal(config_str(f->cfg, "store.dsn"), "host=db2");
	assert_string_equal(config_source(f->cfg, "store.dsn"),
	    "env PHALANX_STORE_DSN");
}

static void
test_env_process(void **state)
{
	struct fixture	*f = *state;

	setenv("PHALANX_BROKER_ALGO_ID", "ALGO42", 1);
	assert_int_equal(config_load_env(f->cfg, NULL, &f->err), 0);
	unsetenv("PHALANX_BROKER_ALGO_ID");
	assert_string_equal(config_str(f->cfg, "broker.algo_id"), "ALGO42");
}

static void
test_env_bad_value(void **state)
{
	struct fixture	*f = *state;
	char		*env[] = {
		"PHALANX_LOG_LEVEL=debug",
		"PHALANX_EXEC_RATE_PER_SEC=ten",
		NULL
	};

	assert_int_equal(config_load_env(f->cfg, env, &f->err), -1);
	assert_string_equal(f->err.msg, "environment PHALANX_EXEC_RATE_PER_SEC: "
	    "expected a whole number 1..1000, got \"ten\"");
	/* Nothing of the failed layer was applied. */
	assert_string_equal(config_str(f->cfg, "log.level"), "info");
}

static void
test_sections(void **state)
{
	struct fixture	*f = *state;
	char		*path;

	path = write_file(f, "phalanx.conf",
	    "store.dsn = top\n"
	    "[store]\n"
	    "connect_timeout_ms = 2s\n"
	    "dsn = postgres://db/phalanx\n"
	    "\n"
	    "[ exec ]   # execution\n"
	    "default_mode = sync\n"
	    "default-policy-is-not-a-key-but = ignored? no\n");
	assert_int_equal(config_load_file(f->cfg, path, 1, &f->err), -1);
	assert_non_null(strstr(f->err.msg, ":8: unknown key "
	    "\"exec.default-policy-is-not-a-key-but\""));
	free(path);

	path = write_file(f, "phalanx.conf",
	    "store.dsn = top\n"
	    "[store]\n"
	    "connect_timeout_ms = 2s\n"
	    "dsn = postgres://db/phalanx\n"
	    "[ exec ]   # execution\n"
	    "default_mode = SYNC\n"
	    "[ui]\n"
	    "ascii = yes\n");
	assert_int_equal(config_load_file(f->cfg, path, 1, &f->err), 0);
	assert_string_equal(config_str(f->cfg, "store.dsn"),
	    "postgres://db/phalanx");
	assert_int_equal(config_int(f->cfg, "store.connect_timeout_ms"), 2000);
	assert_string_equal(config_str(f->cfg, "exec.default_mode"), "sync");
	assert_int_equal(config_bool(f->cfg, "ui.ascii"), 1);
	free(path);
}

static void
test_quotes_comments(void **state)
{
	struct fixture	*f = *state;
	char		*path;

	path = write_file(f, "phalanx.conf",
	    "\xef\xbb\xbf# leading comment\n"
	    "   # indented comment\n"
	    "\n"
	    "firm.name = \"Acme # Capital \\\"AC\\\"\"   # trailing\n"
	    "firm.algo_id = ALGO#7   # hash inside a bare value stays\n"
	    "broker.algo_id = \"  padded  \"\n"
	    "log.file = ~/phalanx.log\n"
	    "store.dsn =\n"
	    "sim.listen = [::1]:0\r\n");
	assert_int_equal(config_load_file(f->cfg, path, 1, &f->err), 0);
	assert_string_equal(config_str(f->cfg, "firm.name"),
	    "Acme # Capital \"AC\"");
	assert_string_equal(config_str(f->cfg, "firm.algo_id"), "ALGO#7");
	assert_string_equal(config_str(f->cfg, "broker.algo_id"),
	    "  padded  ");
	assert_int_equal(strncmp(config_str(f->cfg, "log.file"), "~", 1) != 0,
	    getenv("HOME") != NULL);
	assert_string_equal(config_str(f->cfg, "store.dsn"), "");
	assert_string_equal(config_str(f->cfg, "sim.listen"), "[::1]:0");
	free(path);
}

static void
test_syntax_errors(void **state)
{
	struct fixture	*f = *state;

	expect_msg(f, "\nfirm.name = \"unterminated\n",
	    ":2: unterminated quoted value");
	expect_msg(f, "firm.name = \"a\" b\n",
	    ":1: unexpected text after closing quote");
	expect_msg(f, "firm.name = \"a\\qb\"\n",
	    ":1: unknown escape \"\\q\" in quoted value "
	    "(write \\\\ for a backslash)");
	expect_msg(f, "# ok\njust words\n",
	    ":2: expected \"key = value\", got \"just words\"");
	expect_msg(f, "[store\n",
	    ":1: malformed section header, expected \"[name]\"");
	expect_msg(f, "= 3\n", ":1: missing key before \"=\"");
}

static void
test_unknown_key(void **state)
{
	struct fixture	*f = *state;

	expect_msg(f,
	    "# 1\n# 2\n# 3\n# 4\n# 5\n# 6\n# 7\n# 8\n# 9\n# 10\n"
	    "ui.refresh_hz = 10\n"
	    "store.dns = postgres://x\n",
	    ":12: unknown key \"store.dns\" (did you mean \"store.dsn\"?)");
	expect_msg(f, "[store]\ndns = x\n",
	    ":2: unknown key \"store.dns\" (did you mean \"store.dsn\"?)");
	expect_msg(f, "refresh_hz = 3\n",
	    ":1: unknown key \"refresh_hz\" (did you mean \"ui.refresh_hz\"?)");
	expect_msg(f, "completely.bogus = 1\n",
	    ":1: unknown key \"completely.bogus\"");
	/* The good first line was not applied either. */
	assert_int_equal(config_int(f->cfg, "ui.refresh_hz"), 15);
}

static void
test_bad_values(void **state)
{
	struct fixture	*f = *state;

	expect_msg(f, "# a\n# b\nlog.level = loud\n",
	    ":3: log.level: expected debug|info|warn|error, got \"loud\"");
	expect_msg(f, "ui.refresh_hz = fast\n",
	    ":1: ui.refresh_hz: expected a whole number 1..30, got \"fast\"");
	expect_msg(f, "ui.refresh_hz = 0\n", ":1: ui.refresh_hz: must be 1..30");
	expect_msg(f, "exec.rate_per_sec = 99999999999999999999\n",
	    ":1: exec.rate_per_sec: must be 1..1000");
	expect_msg(f, "broker.market_protection = 0\n",
	    ":1: broker.market_protection: must be -1 or 1..100");
	expect_msg(f, "ui.ascii = maybe\n",
	    ":1: ui.ascii: expected true|false|auto, got \"maybe\"");
	expect_msg(f, "broker.timeout_ms = 5 parsecs\n",
	    ":1: broker.timeout_ms: expected a duration such as 5000, 250ms, "
	    "5s or 2m, got \"5 parsecs\"");
	expect_msg(f, "broker.timeout_ms = 10m\n",
	    ":1: broker.timeout_ms: must be 100..120000 ms");
	expect_msg(f, "serve.listen = localhost\n",
	    ":1: serve.listen: expected host:port, got \"localhost\"");
	expect_msg(f, "serve.listen = localhost:70000\n",
	    ":1: serve.listen: port must be 0..65535, got \"70000\"");
	expect_msg(f, "exec.default_policy = proportional\n",
	    ":1: exec.default_policy: expected "
	    "fixed|multiplier|equal|capital|ratio, got \"proportional\"");
	expect_msg(f, "store.home = \"\"\n", ":1: store.home: must not be empty");
}

static void
test_valid_values(void **state)
{
	struct fixture	*f = *state;
	struct err	*e = &f->err;

	assert_int_equal(config_set_flag(f->cfg, "broker.timeout_ms=250ms",
	    e), 0);
	assert_int_equal(config_int(f->cfg, "broker.timeout_ms"), 250);
	assert_int_equal(config_set_flag(f->cfg, "store.connect_timeout_ms=1m",
	    e), 0);
	assert_int_equal(config_int(f->cfg, "store.connect_timeout_ms"), 60000);
	assert_int_equal(config_set_flag(f->cfg, "broker.market_protection=5",
	    e), 0);
	assert_int_equal(config_int(f->cfg, "broker.market_protection"), 5);
	assert_int_equal(config_set_flag(f->cfg, "ui.ascii=OFF", e), 0);
	assert_int_equal(config_bool(f->cfg, "ui.ascii"), 0);
	assert_int_equal(config_set_flag(f->cfg, "ui.colors=256", e), 0);
	assert_int_equal(config_enum(f->cfg, "ui.colors"), 1);
	assert_int_equal(config_set_flag(f->cfg, "exec.default_on_fail="
	    "All-Or-None", e), 0);
	assert_string_equal(config_str(f->cfg, "exec.default_on_fail"),
	    "all-or-none");
	assert_int_equal(config_set_flag(f->cfg, "store.dsn=a=b c=d", e), 0);
	assert_string_equal(config_str(f->cfg, "store.dsn"), "a=b c=d");
	assert_int_equal(config_set(f->cfg, "firm.name", "Acme", "api", e), 0);
	assert_string_equal(config_source(f->cfg, "firm.name"), "api");
	assert_int_equal(config_set(f->cfg, "ui.refresh_hz", "31", "api", e),
	    -1);
	assert_string_equal(e->msg, "api: ui.refresh_hz: must be 1..30");
}

static void
test_flag_errors(void **state)
{
	struct fixture	*f = *state;

	assert_int_equal(config_set_flag(f->cfg, "ui.refresh_hz=99", &f->err),
	    -1);
	assert_string_equal(f->err.msg, "-o ui.refresh_hz=99: must be 1..30");
	assert_int_equal(config_int(f->cfg, "ui.refresh_hz"), 15);
	assert_int_equal(config_set_flag(f->cfg, "store.dns=x", &f->err), -1);
	assert_string_equal(f->err.msg, "-o store.dns=x: unknown key "
	    "\"store.dns\" (did you mean \"store.dsn\"?)");
	assert_int_equal(config_set_flag(f->cfg, "ui.refresh_hz", &f->err), -1);
	assert_string_equal(f->err.msg, "-o ui.refresh_hz: expected key=value");
	assert_int_equal(config_set_flag(f->cfg, "=3", &f->err), -1);
}

static void
test_missing_files(void **state)
{
	struct fixture	*f = *state;
	char		*path, *want;
	char		*env[] = { NULL, NULL };

	path = xasprintf("%s/nope.conf", f->dir);
	assert_int_equal(config_load_file(f->cfg, path, 0, &f->err), 0);
	assert_false(err_isset(&f->err));
	assert_int_equal(config_load_file(f->cfg, path, 1, &f->err), -1);
	want = xasprintf("cannot read config file %s: No such file or "
	    "directory", path);
	assert_string_equal(f->err.msg, want);
	free(want);

	/* --config and PHALANX_CONFIG must exist. */
	err_clear(&f->err);
	assert_int_equal(config_load(f->cfg, path, env, &f->err), -1);
	assert_true(err_isset(&f->err));
	env[0] = xasprintf("PHALANX_CONFIG=%s", path);
	err_clear(&f->err);
	assert_int_equal(config_load(f->cfg, NULL, env, &f->err), -1);
	assert_true(err_isset(&f->err));
	free(env[0]);
	free(path);
}

static void
test_load_sequence(void **state)
{
	struct fixture	*f = *state;
	char		*path, *old, *xdg;
	char		*env[] = { NULL, "PHALANX_UI_REFRESH_HZ=7", NULL };

	/* The default file, under XDG_CONFIG_HOME, may be absent... */
	old = getenv("XDG_CONFIG_HOME") ? xstrdup(getenv("XDG_CONFIG_HOME")) :
	    NULL;
	setenv("XDG_CONFIG_HOME", f->dir, 1);
	assert_int_equal(config_load(f->cfg, NULL, env + 1, &f->err), 0);
	assert_int_equal(config_int(f->cfg, "ui.refresh_hz"), 7);

	/* ... and is read when present. */
	xdg = xasprintf("%s/phalanx", f->dir);
	assert_int_equal(path_mkdirs(xdg, 0700), 0);
	path = write_file(f, "phalanx/phalanx.conf", "firm.name = X\n");
	assert_int_equal(config_load(f->cfg, NULL, env + 1, &f->err), 0);
	assert_string_equal(config_str(f->cfg, "firm.name"), "X");
	free(path);

	/* PHALANX_CONFIG replaces the default file; env still wins. */
	path = write_file(f, "other.conf", "firm.name = Y\nui.refresh_hz=2\n");
	env[0] = xasprintf("PHALANX_CONFIG=%s", path);
	assert_int_equal(config_load(f->cfg, NULL, env, &f->err), 0);
	assert_string_equal(config_str(f->cfg, "firm.name"), "Y");
	assert_int_equal(config_int(f->cfg, "ui.refresh_hz"), 7);
	free(env[0]);
	free(path);
	free(xdg);
	if (old != NULL)
		setenv("XDG_CONFIG_HOME", old, 1);
	else
		unsetenv("XDG_CONFIG_HOME");
	free(old);
}

static void
test_display_masks(void **state)
{
	struct fixture	*f = *state;
	struct strbuf	 sb;
	char		*s;

	assert_int_equal(config_set(f->cfg, "store.dsn",
	    "postgres://trader:hunter2@db:5432/px?sslmode=require", "t",
	    &f->err), 0);
	s = config_display(f->cfg, "store.dsn");
	assert_string_equal(s,
	    "postgres://trader:****@db:5432/px?sslmode=require");
	free(s);

	assert_int_equal(config_set(f->cfg, "store.dsn",
	    "host=db password='s3 cret' user=px passfile=/x", "t", &f->err), 0);
	s = config_display(f->cfg, "store.dsn");
	assert_string_equal(s, "host=db password=**** user=px passfile=/x");
	free(s);

	assert_int_equal(config_set(f->cfg, "store.dsn",
	    "postgresql:///px?host=/run&password=abc&x=1", "t", &f->err), 0);
	s = config_display(f->cfg, "store.dsn");
	assert_string_equal(s, "postgresql:///px?host=/run&password=****&x=1");
	free(s);

	strbuf_init(&sb);
	config_dump(f->cfg, &sb);
	assert_null(strstr(sb.s, "abc"));
	assert_non_null(strstr(sb.s, "ui.refresh_hz"));
	assert_non_null(strstr(sb.s, "# default\n"));
	assert_non_null(strstr(sb.s, "# t\n"));
	strbuf_free(&sb);
}

static void
test_dump_reloads(void **state)
{
	struct fixture	*f = *state;
	struct config	*again;
	struct strbuf	 sb;
	char		*path;

	assert_int_equal(config_set(f->cfg, "firm.name", "A \"B\" # C", "t",
	    &f->err), 0);
	strbuf_init(&sb);
	config_dump(f->cfg, &sb);
	path = write_file(f, "dump.conf", sb.s);
	again = config_new();
	assert_int_equal(config_load_file(again, path, 1, &f->err), 0);
	assert_string_equal(config_str(again, "firm.name"), "A \"B\" # C");
	assert_string_equal(config_str(again, "serve.listen"),
	    config_str(f->cfg, "serve.listen"));
	config_free(again);
	strbuf_free(&sb);
	free(path);
}

static void
test_key_table(void **state)
{
	const struct config_key	*k;
	size_t			 n, i;
	char			*t;

	k = config_keys(&n);
	assert_true(n >= 20);
	for (i = 0; i < n; i++) {
		assert_non_null(strchr(k[i].name, '.'));
		assert_true(strlen(k[i].doc) > 10);
		assert_ptr_equal(config_key_find(k[i].name), &k[i]);
	}
	assert_null(config_key_find("store.dns"));
	t = config_key_type_text(config_key_find("ui.refresh_hz"));
	assert_string_equal(t, "int 1..30");
	free(t);
	t = config_key_type_text(config_key_find("broker.market_protection"));
	assert_string_equal(t, "int -1 or 1..100");
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_defaults),
		T(test_precedence),
		T(test_env_aliases),
		T(test_env_process),
		T(test_env_bad_value),
		T(test_sections),
		T(test_quotes_comments),
		T(test_syntax_errors),
		T(test_unknown_key),
		T(test_bad_values),
		T(test_valid_values),
		T(test_flag_errors),
		T(test_missing_files),
		T(test_load_sequence),
		T(test_display_masks),
		T(test_dump_reloads),
		T(test_key_table),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
