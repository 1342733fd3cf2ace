/*
 * Tests for src/cmd/redact.c: a secret typed on a command line never
 * survives redaction, whatever shape the line has -- valid, refused by the
 * parser, continued, quoted, nested in "run" -- and never appears in a
 * parse error.  Lines without secrets are left alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd/cmd_int.h"

#define SECRET	"SECRETVALUE"
/* Any 9 characters of the secret in a row would be a leak. */
#define LEAK	"SECRETVAL"

static void
same(const char *in, const char *want)
{
	char	*r = cmd_redact(in);

	if (strcmp(r, want) != 0)
		fail_msg("redact(\"%s\"): got \"%s\", wanted \"%s\"", in, r,
		    want);
	free(r);
}

static void
test_lines(void **state)
{
	same("account set x access-token " SECRET,
	    "account set x access-token ***");
	same("account set x ACCESS-TOKEN " SECRET " lots 2",
	    "account set x ACCESS-TOKEN *** lots 2");
	same("account set x access-token \"" SECRET " b\" lots 2",
	    "account set x access-token *** lots 2");
	same("broker add b kind kite api-secret s1 access-token t2",
	    "broker add b kind kite api-secret *** access-token ***");
	/* Shapes the parser refuses: = and :, dashes, underscores, typos. */
	same("account set x access-token=" SECRET,
	    "account set x access-token=***");
	same("account set x access-token:" SECRET,
	    "account set x access-token:***");
	same("account set x --access-token " SECRET,
	    "account set x --access-token ***");
	same("account set x access_token " SECRET,
	    "account set x access_token ***");
	same("account set x acess-tokn " SECRET,
	    "account set x acess-tokn ***");
	same("account set x api-secre " SECRET, "account set x api-secre ***");
	/* Unclosed quote: the rest of the text is the value. */
	same("account set x access-token \"" SECRET " lots 2",
	    "account set x access-token ***");
	/* A quote inside a word does not end it. */
	same("account set x access-token ab\"c " SECRET "\" lots 2",
	    "account set x access-token *** lots 2");
	/* A "\" continuation, as in a script. */
	same("account set x access-token \\\n  " SECRET "\n",
	    "account set x access-token \\\n  ***\n");
	/* Options that are not in the grammar yet. */
	same("channel add t kind telegram bot-token " SECRET,
	    "channel add t kind telegram bot-token ***");
	same("channel add m kind email password " SECRET,
	    "channel add m kind email password ***");
	same("connector add c dialect tradingview token " SECRET,
	    "connector add c dialect tradingview token ***");
	same("channel add w kind webhook secret " SECRET,
	    "channel add w kind webhook secret ***");
	/* A reference names where the secret is: shown as typed. */
	same("account set x access-token @env:KITE_TOKEN",
	    "account set x access-token @env:KITE_TOKEN");
	same("account set x access-token @file:/run/kite", "account set x "
	    "access-token @file:/run/kite");
	same("account set x access-token -", "account set x access-token -");
	/* An API key is no secret (Kite: it names the app). */
	same("account set x api-key k1", "account set x api-key k1");
	/* Nothing to hide: byte for byte the same. */
	same("buy NIFTY25DECFUT 2 lots to group:scalpers  # fast",
	    "buy NIFTY25DECFUT 2 lots to group:scalpers  # fast");
	same("orders all status open --json", "orders all status open --json");
	same("kill all reason \"fat finger\"", "kill all reason \"fat finger\"");
	same("", "");
}

static void
test_nested(void **state)
{
	same("schedule add s cron \"* * * * *\" run \"account set x "
	    "access-token " SECRET "\"", "schedule add s cron \"* * * * *\" "
	    "run \"account set x access-token ***\"");
	same("schedule add s cron \"0 9 * * 1\" run \"broker add p kind paper "
	    "api-secret \\\"" SECRET " x\\\"\"", "schedule add s cron "
	    "\"0 9 * * 1\" run \"broker add p kind paper api-secret ***\"");
}

static void
test_mask(void **state)
{
	char	s[] = "account set x access-token " SECRET " lots 2";
	char	q[] = "run \"account set x access-token \\\"" SECRET "\\\"\"";
	char	n[] = "buy X 1 to vip";

	cmd_redact_mask(s);
	assert_string_equal(s, "account set x access-token *********** "
	    "lots 2");
	cmd_redact_mask(q);
	assert_null(strstr(q, LEAK));
	assert_int_equal(q[4], '"');
	assert_int_equal(q[strlen(q) - 1], '"');
	cmd_redact_mask(n);
	assert_string_equal(n, "buy X 1 to vip");
}

/*
 * Every combination of a command, a way of writing the secret and what
 * follows it: whether it parses or not, neither the redacted text nor the
 * parse error holds the secret.
 */
static void
test_never_leaks(void **state)
{
	static const char *const heads[] = {
		"", "account set x ", "account set ", "account add x broker b ",
		"broker add b kind kite url http://x api-key k ", "buy X 1 ",
		"help ", "account tag x ", "positions ", "account set x lots ",
	};
	static const char *const forms[] = {
		"access-token %s", "access-token=%s", "ACCESS_TOKEN %s",
		"--access-token %s", "acess-token %s", "access-token \"%s x\"",
		"access-token %s\"", "access-token \"%s", "access-token \\\n %s",
		"api-secret %s", "access-token %sxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxx", "access-token=%sxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "access-token \"%s\\\\\"",
		"access-token %s\001", "password %s", "token %s",
	};
	static const char *const tails[] = {
		"", " lots x", " junk", " --bogus", " \"", " lots 1 lots 2",
		" access-token again",
	};
	struct cmd_list	 l;
	struct cmd_pos	 pos;
	struct err	 e;
	char		 form[256], line[512], *r;
	size_t		 h, f, t, fails = 0;
	int		 nested;

	for (nested = 0; nested < 2; nested++)
	for (h = 0; h < nitems(heads); h++)
	for (f = 0; f < nitems(forms); f++)
	for (t = 0; t < nitems(tails); t++) {
		snprintf(form, sizeof form, forms[f], SECRET);
		if (nested)
			snprintf(line, sizeof line, "schedule add s cron "
			    "\"* * * * *\" run \"%s%s%s\"", heads[h], form,
			    tails[t]);
		else
			snprintf(line, sizeof line, "%s%s%s", heads[h], form,
			    tails[t]);
		r = cmd_redact(line);
		if (strstr(r, LEAK) != NULL)
			fail_msg("redact(\"%s\") = \"%s\"", line, r);
		free(r);
		err_clear(&e);
		if (cmd_parse_script(line, &l, &pos, &e) == 0) {
			cmd_list_free(&l);
			continue;
		}
		fails++;
		if (strstr(e.msg, LEAK) != NULL)
			fail_msg("parse error for \"%s\" shows the secret: %s",
			    line, e.msg);
	}
	/* Most of these are refused: the error paths did run. */
	assert_true(fails > 100);
}

/* An error message from the executor, for a secret from a reference. */
static void
test_msg_cmd(void **state)
{
	struct cmd	c;
	struct cmd_pos	pos;
	struct err	e;
	char		msg[256];

	err_clear(&e);
	assert_int_equal(cmd_parse_line("account set x access-token tok-123456 "
	    "lots 2", 1, &c, &pos, &e), 0);
	snprintf(msg, sizeof msg, "broker said: bad token tok-123456 for x");
	cmd_redact_msg_cmd(&c, msg, sizeof msg);
	assert_string_equal(msg, "broker said: bad token *** for x");
	cmd_free(&c);

	/* A parse error quotes "word=VALUE" as "word=***", even cut short. */
	err_clear(&e);
	assert_int_equal(cmd_parse_line("account set x access-token=" SECRET
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 1, &c, &pos, &e), -1);
	assert_non_null(strstr(e.msg, "unknown option \"access-token=***...\""));
	err_clear(&e);
	assert_int_equal(cmd_parse_line("account set x access-token=" SECRET,
	    1, &c, &pos, &e), -1);
	assert_non_null(strstr(e.msg, "unknown option \"access-token=***\""));
}

/*
 * The one table and the grammar agree: every option the grammar reads as
 * a key or secret is in the table, and every table word the grammar
 * knows is read as one (not, say, as free text that would be echoed).
 */
static void
test_table_matches_grammar(void **state)
{
	const struct cmd_opt	*o;
	size_t			 i, secrets = 0;

	for (i = 0; i < cmd_ndefs; i++) {
		for (o = cmd_defs[i].opts; o != NULL && o->word != NULL; o++) {
			if (o->type == V_SECRET && !cmd_credential_word(o->word))
				fail_msg("%s: option %s reads a secret but is "
				    "not in redact.c's table", cmd_defs[i].name,
				    o->word);
			if (cmd_credential_word(o->word) && o->type != V_SECRET)
				fail_msg("%s: option %s is in redact.c's table "
				    "but is not read as a secret",
				    cmd_defs[i].name, o->word);
			secrets += cmd_secret_word(o->word);
		}
	}
	assert_true(secrets >= 4);
	assert_true(cmd_secret_word("access-token"));
	assert_true(cmd_secret_word("API-SECRET"));
	assert_false(cmd_secret_word("api-key"));
	assert_true(cmd_credential_word("api-key"));
	assert_false(cmd_secret_word("lots"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_never_leaks),
		cmocka_unit_test(test_msg_cmd),
		cmocka_unit_test(test_table_matches_grammar),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
