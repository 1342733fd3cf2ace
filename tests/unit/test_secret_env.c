/*
 * Tests for src/util/secret.c's process side: the master key taken out of
 * the environment (no child inherits it, the key still works) and a
 * process holding it leaving no core dump.  Each test forks, since both
 * change the process for good.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/secret.h"

#define KEY_HEX	"000102030405060708090a0b0c0d0e0f" \
		"101112131415161718191a1b1c1d1e1f"
#define KEY2	"ff0102030405060708090a0b0c0d0e0f" \
		"101112131415161718191a1b1c1d1e1f"

/* Run fn in a child; its exit status (0: every check held). */
static int
in_child(int (*fn)(void))
{
	pid_t	pid;
	int	ws;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn());
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 100 + WTERMSIG(ws);
}

/* What a child process of ours sees of PHALANX_MASTER_KEY. */
static int
child_sees_key(void)
{
	FILE	*p;
	char	 buf[256];
	int	 seen = 0;

	if ((p = popen("env", "r")) == NULL)
		return -1;
	while (fgets(buf, sizeof buf, p) != NULL)
		seen |= strncmp(buf, "PHALANX_MASTER_KEY=", 19) == 0;
	pclose(p);
	return seen;
}

static int
take(void)
{
	struct err	 e;
	char		*ct, *pt = NULL;

	setenv("PHALANX_MASTER_KEY", KEY_HEX, 1);
	if (child_sees_key() != 1)
		return 1;		/* the check itself must see it */
	err_clear(&e);
	if (secret_encrypt(NULL, "tok-1", &ct, &e) != 0)
		return 2;
	secret_env_take();
	if (getenv("PHALANX_MASTER_KEY") != NULL)
		return 3;
	if (child_sees_key() != 0)
		return 4;
	/* The key taken is the one used, whatever the environment says now. */
	setenv("PHALANX_MASTER_KEY", KEY2, 1);
	if (secret_decrypt(NULL, ct, &pt, &e) != 0 ||
	    strcmp(pt, "tok-1") != 0)
		return 5;
	secret_free(pt);
	free(ct);
	return 0;
}

static void
test_env_take(void **state)
{
	assert_int_equal(in_child(take), 0);
}

static int
take_bad(void)
{
	struct err	 e;
	char		*ct;

	setenv("PHALANX_MASTER_KEY", "not-a-key", 1);
	secret_env_take();
	if (getenv("PHALANX_MASTER_KEY") != NULL)
		return 1;
	err_clear(&e);
	if (secret_encrypt("/nonexistent", "x", &ct, &e) != -1)
		return 2;
	/* Reported when needed, without the value. */
	if (strstr(e.msg, "PHALANX_MASTER_KEY: expected 64 hex digits") ==
	    NULL || strstr(e.msg, "not-a-key") != NULL)
		return 3;
	return 0;
}

static void
test_env_take_bad(void **state)
{
	assert_int_equal(in_child(take_bad), 0);
}

static int
protect(void)
{
	struct rlimit	rl;
	struct err	e;

	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1)
		return 1;		/* the check itself must see a change */
	err_clear(&e);
	if (secret_protect_process(&e) != 0)
		return 2;
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		return 3;
	if (getrlimit(RLIMIT_CORE, &rl) != 0 || rl.rlim_cur != 0 ||
	    rl.rlim_max != 0)
		return 4;
	/* Nor can it be raised again. */
	rl.rlim_cur = rl.rlim_max = RLIM_INFINITY;
	if (setrlimit(RLIMIT_CORE, &rl) == 0 && geteuid() != 0)
		return 5;
	return 0;
}

static void
test_protect(void **state)
{
	assert_int_equal(in_child(protect), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_take),
		cmocka_unit_test(test_env_take_bad),
		cmocka_unit_test(test_protect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
