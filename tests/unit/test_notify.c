/*
 * Tests for src/notify/text.c and email.c (what each medium is sent) and
 * for the notification commands' grammar in src/cmd/cmd_notify.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "notify/notify_int.h"

static struct notify_message
msg(const char *sev, const char *title, const char *body, const char *ref)
{
	struct notify_message	m;

	memset(&m, 0, sizeof m);
	m.id = 17;
	m.severity = sev;
	m.source = "rms";
	m.scope = "acct:a1";
	m.title = title;
	m.body = body;
	m.ref = ref;
	return m;
}

/* RFC 4231 test case 2. */
static void
test_signature(void **state)
{
	char	sig[72];

	notify_signature("Jefe", "what do ya want for nothing?", 28, sig);
	assert_string_equal(sig, "sha256=5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843");
}

static void
test_sms_fits(void **state)
{
	struct notify_message	 m = msg("critical", "MTM loss", "a1 down 2L",
				    "INC-7");
	char			*t = notify_text_sms(&m, 1);

	assert_string_equal(t, "CRIT: MTM loss - a1 down 2L [INC-7]");
	free(t);
}

/* A long GSM text is cut to 160 and the incident id survives. */
static void
test_sms_cut_keeps_ref(void **state)
{
	char			 body[600];
	struct notify_message	 m;
	char			*t;
	int			 ucs2;

	memset(body, 'x', sizeof body - 1);
	body[sizeof body - 1] = '\0';
	m = msg("warning", "Margin", body, "INC-12345");
	t = notify_text_sms(&m, 1);
	assert_int_equal(notify_sms_units(t, &ucs2), 160);
	assert_false(ucs2);
	assert_non_null(strstr(t, "... [INC-12345]"));
	assert_int_equal(strncmp(t, "WARN: Margin - xxx", 18), 0);
	free(t);
	/* Two segments: 2 x 153. */
	t = notify_text_sms(&m, 2);
	assert_int_equal(notify_sms_units(t, &ucs2), 306);
	free(t);
	/* No ref: the alert id is kept. */
	m.ref = NULL;
	t = notify_text_sms(&m, 1);
	assert_non_null(strstr(t, "[alert 17]"));
	free(t);
}

/* Hindi makes it UCS-2: 70 units; the cut lands on a character. */
static void
test_sms_ucs2(void **state)
{
	struct strbuf		 b;
	struct notify_message	 m;
	char			*t;
	int			 i, ucs2;

	strbuf_init(&b);
	for (i = 0; i < 60; i++)
		strbuf_puts(&b, "\xe0\xa4\xb9");	/* U+0939 */
	m = msg("critical", "\xe0\xa4\xb9\xe0\xa4\xbe", b.s, "INC-1");
	t = notify_text_sms(&m, 1);
	assert_true(notify_sms_units(t, &ucs2) <= 70);
	assert_true(ucs2);
	assert_non_null(strstr(t, "[INC-1]"));
	/* Valid UTF-8 all through: json accepts it. */
	{
		json_t *j = json_string(t);

		assert_non_null(j);
		json_decref(j);
	}
	free(t);
	strbuf_free(&b);
}

static void
test_sms_extension_chars_count_double(void **state)
{
	int	ucs2;

	assert_int_equal(notify_sms_units("a{b}", &ucs2), 6);
	assert_false(ucs2);
	assert_int_equal(notify_sms_units("a`b", &ucs2), 3);
	assert_true(ucs2);
}

/* Telegram HTML: what the user wrote is escaped, our markup is not. */
static void
test_telegram_escapes(void **state)
{
	struct notify_message	 m = msg("critical", "<b>x</b> & y", "1 < 2",
				    NULL);
	char			*t = notify_text_telegram(&m);

	assert_string_equal(t, "<b>CRITICAL</b> &lt;b&gt;x&lt;/b&gt; &amp; y\n"
	    "1 &lt; 2\n<i>rms \xc2\xb7 acct:a1 \xc2\xb7 alert 17</i>");
	free(t);
}

static void
test_telegram_long_body_cut(void **state)
{
	char			*body = xmalloc(20001);
	struct notify_message	 m;
	char			*t;

	memset(body, '&', 20000);
	body[20000] = '\0';
	m = msg("info", "t", body, NULL);
	t = notify_text_telegram(&m);
	assert_true(strlen(t) <= NOTIFY_TELEGRAM_MAX);
	free(t);
	free(body);
}

static void
test_mail(void **state)
{
	const char *const		to[] = { "ops@x.in", "risk@x.in", NULL };
	struct notify_attachment	att = { "pnl.csv", "text/csv",
					    "a,b\n1,2\n", 8 };
	struct notify_mail		m;
	struct strbuf			b;
	struct err			err;

	memset(&m, 0, sizeof m);
	m.from = "alerts@x.in";
	m.to = to;
	m.subject = "[critical] MTM";
	m.text = "hello";
	m.att = &att;
	m.natt = 1;
	m.date_us = 1764566073000000LL;	/* 2025-12-01 05:14:33 UTC */
	m.message_id = "phalanx.1.ab@x.in";
	m.alert_id = 1;
	strbuf_init(&b);
	err_clear(&err);
	assert_int_equal(notify_mail_build(&m, &b, &err), 0);
	{
		static const char want[] =
		    "Date: Mon, 01 Dec 2025 05:14:33 +0000\r\n"
		    "From: alerts@x.in\r\nTo: ops@x.in,\r\n risk@x.in\r\n"
		    "Subject: [critical] MTM\r\n"
		    "Message-ID: <phalanx.1.ab@x.in>\r\n"
		    "X-Phalanx-Alert: 1\r\nMIME-Version: 1.0\r\n"
		    "Content-Type: multipart/mixed; boundary=\"";

		assert_memory_equal(b.s, want, sizeof want - 1);
	}
	assert_non_null(strstr(b.s, "aGVsbG8=\r\n"));		/* hello */
	assert_non_null(strstr(b.s, "filename=\"pnl.csv\""));
	assert_non_null(strstr(b.s, "YSxiCjEsMgo=\r\n"));	/* the CSV */
	/* Every line ends in CRLF: no bare LF. */
	{
		const char *p;

		for (p = b.s; (p = strchr(p, '\n')) != NULL; p++)
			assert_int_equal(p[-1], '\r');
	}
	strbuf_free(&b);
}

static void
test_mail_injection_refused(void **state)
{
	const char *const	to[] = { "ops@x.in\r\nBcc: evil@y.z", NULL };
	struct notify_mail	m;
	struct strbuf		b;
	struct err		err;

	memset(&m, 0, sizeof m);
	m.from = "alerts@x.in";
	m.to = to;
	m.subject = "s\r\nBcc: evil@y.z";
	strbuf_init(&b);
	err_clear(&err);
	assert_int_equal(notify_mail_build(&m, &b, &err), -1);
	assert_string_equal(err.code, "bad-value");
	strbuf_free(&b);
	/* A subject's line break becomes a space, never a header. */
	{
		const char *const	ok[] = { "ops@x.in", NULL };

		m.to = ok;
		strbuf_init(&b);
		assert_int_equal(notify_mail_build(&m, &b, &err), 0);
		assert_null(strstr(b.s, "\r\nBcc:"));
		assert_non_null(strstr(b.s, "Subject: s  Bcc: evil@y.z\r\n"));
		strbuf_free(&b);
	}
}

static void
test_mail_subject_utf8(void **state)
{
	const char *const	to[] = { "ops@x.in", NULL };
	struct notify_mail	m;
	struct strbuf		b;
	struct err		err;

	memset(&m, 0, sizeof m);
	m.from = "alerts@x.in";
	m.to = to;
	m.subject = "\xe2\x82\xb9 2L loss";	/* ₹ */
	strbuf_init(&b);
	assert_int_equal(notify_mail_build(&m, &b, &err), 0);
	assert_non_null(strstr(b.s, "Subject: =?UTF-8?B?4oK5IDJMIGxvc3M=?=\r\n"));
	strbuf_free(&b);
}

static void
parse_ok(const char *line, struct cmd *c)
{
	struct err	err;
	struct cmd_pos	pos;

	err_clear(&err);
	if (cmd_parse_line(line, 1, c, &pos, &err) != 0)
		fail_msg("%s: %s", line, err.msg);
}

static void
parse_bad(const char *line, const char *want)
{
	struct cmd	c;
	struct err	err;
	struct cmd_pos	pos;

	err_clear(&err);
	assert_int_equal(cmd_parse_line(line, 1, &c, &pos, &err), -1);
	if (strstr(err.msg, want) == NULL)
		fail_msg("%s: \"%s\" lacks \"%s\"", line, err.msg, want);
}

static void
test_grammar(void **state)
{
	struct cmd	 c;
	char		*red;

	parse_ok("channel add tg kind telegram bot-token 1:AB chat-id "
	    "-1001", &c);
	assert_int_equal(c.kind, CMD_CHANNEL_ADD);
	assert_string_equal(cmd_get(&c, "chat-id"), "-1001");
	red = cmd_text_redacted(&c);
	assert_null(strstr(red, "1:AB"));
	free(red);
	cmd_free(&c);
	parse_ok("notify rule add r when warning source rms scope group:desk "
	    "to tg,wh quiet 22:00-07:00", &c);
	assert_int_equal(c.kind, CMD_NOTIFY_RULE_ADD);
	assert_string_equal(cmd_get(&c, "severity"), "warning");
	cmd_free(&c);
	parse_ok("alerts last 5 failed --json", &c);
	assert_int_equal(c.kind, CMD_ALERTS);
	assert_true(cmd_has(&c, "failed"));
	cmd_free(&c);
	parse_ok("channel add m kind email smtp smtps://mx:465 from a@b.in "
	    "to c@d.in user u password hunter2", &c);
	red = cmd_text_redacted(&c);
	assert_null(strstr(red, "hunter2"));
	free(red);
	cmd_free(&c);
	parse_ok("notify send critical \"MTM breach\" ref INC-1 to tg", &c);
	assert_int_equal(c.kind, CMD_NOTIFY_SEND);
	cmd_free(&c);
	parse_ok("alert retry 12", &c);
	assert_int_equal(c.kind, CMD_ALERT_RETRY);
	cmd_free(&c);

	parse_bad("channel add t kind telegram chat-id 5", "needs \"bot-token\"");
	parse_bad("channel add t kind pigeon", "kind");
	parse_bad("channel add w kind webhook url http://x secret s rate 0",
	    "rate");
	parse_bad("channel add w kind webhook url http://x smtp smtp://y",
	    "does not apply");
	parse_bad("channel add s kind sms url http://x to 12 user a "
	    "auth-token b from X", "to");
	parse_bad("channel add w kind webhook url https://a:b@x.in/h",
	    "without user:password@");
	parse_bad("channel add m kind email smtp smtp://u:p@mx from a@b.in "
	    "to c@d.in", "without user:password@");
	parse_bad("channel add m kind email smtp smtp://mx from a@b.in "
	    "to c@d.in password p", "needs \"user\"");
	parse_bad("notify rule add r when urgent to tg", "when");
	parse_bad("notify rule add r when info to tg,,wh", "channels");
	parse_bad("notify rule add r when info to tg quiet 07:00-07:00",
	    "quiet");
	parse_bad("notify rule add r when info", "to");
	parse_bad("alert show x", "alert id");
	parse_bad("notify send loud hi", "info|warning|critical");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature),
		cmocka_unit_test(test_sms_fits),
		cmocka_unit_test(test_sms_cut_keeps_ref),
		cmocka_unit_test(test_sms_ucs2),
		cmocka_unit_test(test_sms_extension_chars_count_double),
		cmocka_unit_test(test_telegram_escapes),
		cmocka_unit_test(test_telegram_long_body_cut),
		cmocka_unit_test(test_mail),
		cmocka_unit_test(test_mail_injection_refused),
		cmocka_unit_test(test_mail_subject_utf8),
		cmocka_unit_test(test_grammar),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
