/*
 * Where a secret comes from when it must not be typed on a command line,
 * where ps(1), a shell history or a terminal's scrollback would keep it:
 *
 *	access-token @env:KITE_TOKEN	an environment variable
 *	access-token @file:PATH		the first line of a file
 *	access-token -			one line of standard input, not echoed
 *					when it is a terminal
 *
 * Read while the line is parsed, so that a missing file fails a whole
 * batch before anything runs.  A value that merely starts with "@" and a
 * word and ":" is refused rather than stored: "@flie:x" is a typo, not a
 * token.  Nothing here ever puts the value it read in a message.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include "cmd/cmd_int.h"

#define SRC_MAX		CMD_MAX_VALUE

static unsigned	src_allowed;

void
cmd_secret_sources(unsigned allowed)
{
	src_allowed = allowed;
}

/* "@word:" at the start of v, for a scheme that is not ours. */
static int
src_scheme_like(const char *v)
{
	size_t	i;

	if (v[0] != '@')
		return 0;
	for (i = 1; isalpha((unsigned char)v[i]); i++)
		;
	return i > 1 && v[i] == ':';
}

static int
src_env_name_ok(const char *s)
{
	size_t	i;

	if (!isalpha((unsigned char)s[0]) && s[0] != '_')
		return 0;
	for (i = 1; s[i] != '\0'; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	}
	return i <= 128;
}

/* Drop one trailing line break (and blanks before it): a file's last line. */
static void
src_chomp(struct strbuf *b)
{
	while (b->len > 0 && (b->s[b->len - 1] == '\n' ||
	    b->s[b->len - 1] == '\r' || b->s[b->len - 1] == ' ' ||
	    b->s[b->len - 1] == '\t'))
		b->s[--b->len] = '\0';
}

/*
 * A path or name as an error shows it: whole (a path cut after 40
 * characters names no file), escaped like any token, one line.
 */
static void
src_show(const char *s, char *buf, size_t len)
{
	size_t	o = 0;

	for (; *s != '\0' && o + 5 < len; s++) {
		if (*s == '"' || *s == '\\')
			buf[o++] = '\\';
		buf[o++] = (unsigned char)*s < 0x20 ||
		    (unsigned char)*s > 0x7e ? '?' : *s;
	}
	if (*s != '\0') {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

static void
src_wipe(struct strbuf *b)
{
	if (b->s != NULL)
		explicit_bzero(b->s, b->cap);
	strbuf_free(b);
}

static int
src_env(struct cmd_pstate *ps, const char *label, const struct cmd_tok *t,
    const char *name, struct strbuf *out)
{
	const char	*v;
	char		 shown[256];

	if (!src_env_name_ok(name)) {
		src_show(name, shown, sizeof shown);
		return cmd_perr_set(ps->err, t->col, "expected @env:NAME with "
		    "NAME an environment variable ([A-Za-z_][A-Za-z0-9_]*) "
		    "for \"%s\", got \"@env:%s\"", label, shown);
	}
	if ((v = getenv(name)) == NULL)
		return cmd_perr_set(ps->err, t->col, "environment variable %s "
		    "(for \"%s\") is not set", name, label);
	if (*v == '\0')
		return cmd_perr_set(ps->err, t->col, "environment variable %s "
		    "(for \"%s\") is empty", name, label);
	strbuf_puts(out, v);
	return 0;
}

/*
 * The file's first line.  Any file the user can name: a pipe from a
 * password manager (@file:/dev/fd/3, @file:<(pass show kite)) as well as
 * a regular file; never more than SRC_MAX bytes of it.
 */
static int
src_file(struct cmd_pstate *ps, const char *label, const struct cmd_tok *t,
    const char *path, struct strbuf *out)
{
	struct stat	 st;
	char		 buf[512], shown[256];
	ssize_t		 n;
	int		 fd, saved;

	src_show(path, shown, sizeof shown);
	if (*path == '\0')
		return cmd_perr_set(ps->err, t->col, "expected @file:PATH for "
		    "\"%s\", got no path", label);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1)
		return cmd_perr_set(ps->err, t->col, "cannot read @file:%s "
		    "(for \"%s\"): %s", shown, label, strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return cmd_perr_set(ps->err, t->col, "cannot read @file:%s "
		    "(for \"%s\"): it is a directory", shown, label);
	}
	for (;;) {
		n = read(fd, buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		strbuf_add(out, buf, (size_t)n);
		if (memchr(buf, '\n', (size_t)n) != NULL || out->len > SRC_MAX)
			break;
	}
	saved = errno;
	explicit_bzero(buf, sizeof buf);
	close(fd);
	if (n == -1)
		return cmd_perr_set(ps->err, t->col, "cannot read @file:%s "
		    "(for \"%s\"): %s", shown, label, strerror(saved));
	/* The first line only: what follows is no part of it. */
	if (out->s != NULL && (n = (ssize_t)strcspn(out->s, "\n")) <
	    (ssize_t)out->len) {
		explicit_bzero(out->s + n, out->len - (size_t)n);
		out->len = (size_t)n;
	}
	if (out->len > SRC_MAX)
		return cmd_perr_set(ps->err, t->col, "@file:%s (for \"%s\") "
		    "has a first line longer than %d bytes", shown, label,
		    SRC_MAX);
	src_chomp(out);
	if (out->len == 0)
		return cmd_perr_set(ps->err, t->col, "@file:%s (for \"%s\") "
		    "is empty", shown, label);
	return 0;
}

static volatile sig_atomic_t	src_interrupted;

static void
src_on_signal(int sig)
{
	src_interrupted = sig;
}

/*
 * One line from file descriptor 0, a byte at a time so that nothing past
 * the line is taken from whoever reads standard input next (readline in
 * `phalanx shell`).  On a terminal: a prompt on stderr, echo off, and the
 * terminal restored even when a signal cuts the read short.
 */
static int
src_stdin(struct cmd_pstate *ps, const char *label, const struct cmd_tok *t,
    struct strbuf *out)
{
	struct sigaction	 sa, old[3];
	static const int	 sigs[3] = { SIGINT, SIGTERM, SIGHUP };
	struct termios		 tio, saved;
	int			 tty, i, rc = 0;
	ssize_t			 n;
	char			 c;

	tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
	if (tty) {
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = src_on_signal;
		sigemptyset(&sa.sa_mask);
		src_interrupted = 0;
		for (i = 0; i < 3; i++)
			sigaction(sigs[i], &sa, &old[i]);
		fprintf(stderr, "%s (not echoed): ", label);
		fflush(stderr);
		tio = saved;
		tio.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
		tio.c_lflag |= ECHONL;
		tcsetattr(STDIN_FILENO, TCSANOW, &tio);
	}
	for (;;) {
		n = read(STDIN_FILENO, &c, 1);
		if (n == -1 && errno == EINTR && !src_interrupted)
			continue;
		if (n != 1 || c == '\n')
			break;
		strbuf_putc(out, c);
		if (out->len > SRC_MAX)
			break;
	}
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		for (i = 0; i < 3; i++)
			sigaction(sigs[i], &old[i], NULL);
	}
	c = 0;
	if (tty && src_interrupted) {
		rc = cmd_perr_set(ps->err, t->col, "interrupted while reading "
		    "\"%s\" from standard input", label);
		raise(src_interrupted);
	} else if (n == -1)
		rc = cmd_perr_set(ps->err, t->col, "cannot read \"%s\" from "
		    "standard input: %s", label, strerror(errno));
	else if (out->len > SRC_MAX)
		rc = cmd_perr_set(ps->err, t->col, "the line read from "
		    "standard input for \"%s\" is longer than %d bytes", label,
		    SRC_MAX);
	else if (n == 0 && out->len == 0)
		rc = cmd_perr_set(ps->err, t->col, "standard input ended "
		    "before a value for \"%s\" was read", label);
	if (rc != 0)
		return rc;
	src_chomp(out);
	if (out->len == 0)
		return cmd_perr_set(ps->err, t->col, "the line read from "
		    "standard input for \"%s\" is empty", label);
	return 0;
}

static int
src_refused(struct cmd_pstate *ps, const char *label,
    const struct cmd_tok *t, const char *what, const char *why)
{
	return cmd_perr_set(ps->err, t->col, "\"%s %s\": %s", label, what, why);
}

/*
 * The value of a secret option: *out gets what a reference names (owned,
 * to be wiped), or NULL when the token is the value itself.  Inside a
 * command run later (schedule ... run "..."), references are only checked,
 * not read: they are read when the command runs.
 */
int
cmd_secret_resolve(struct cmd_pstate *ps, const char *label,
    const struct cmd_tok *t, char **out)
{
	struct strbuf	 b;
	const char	*v = t->s;
	unsigned	 need;
	int		 rc;

	*out = NULL;
	if (!cmd_secret_ref(v)) {
		if (src_scheme_like(v))
			return cmd_perr_set(ps->err, t->col, "expected a value "
			    "for \"%s\", or @env:NAME, @file:PATH or -, got "
			    "an unknown source \"%.*s\"", label,
			    (int)(strchr(v, ':') - v + 1), v);
		if (strspn(v, "*") == strlen(v) && strlen(v) >= 3)
			return cmd_perr_set(ps->err, t->col, "expected the "
			    "value of \"%s\", got \"%s\", which stands for a "
			    "hidden secret (histories keep no secrets): type "
			    "it again, or use @env:NAME, @file:PATH or -",
			    label, v);
		return 0;
	}
	need = v[0] == '-' ? CMD_SRC_STDIN : v[1] == 'e' || v[1] == 'E' ?
	    CMD_SRC_ENV : CMD_SRC_FILE;
	if (ps->depth > 0) {
		if (need == CMD_SRC_STDIN)
			return src_refused(ps, label, t, "-", "a command run "
			    "later cannot read standard input; use @env:NAME "
			    "or @file:PATH");
		return 0;
	}
	if (!(src_allowed & need)) {
		if (need == CMD_SRC_STDIN)
			return src_refused(ps, label, t, "-", "standard input "
			    "is not available here (the console owns the "
			    "terminal, or the script itself is read from "
			    "standard input); use @env:NAME or @file:PATH");
		return src_refused(ps, label, t, need == CMD_SRC_ENV ?
		    "@env:" : "@file:", "not available here");
	}
	strbuf_init(&b);
	if (need == CMD_SRC_ENV)
		rc = src_env(ps, label, t, v + 5, &b);
	else if (need == CMD_SRC_FILE)
		rc = src_file(ps, label, t, v + 6, &b);
	else
		rc = src_stdin(ps, label, t, &b);
	if (rc != 0) {
		src_wipe(&b);
		return -1;
	}
	*out = xstrndup(b.s, b.len);
	src_wipe(&b);
	return 0;
}
