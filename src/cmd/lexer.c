/*
 * The command language's lexer: a script becomes logical lines ("\" at the
 * end of a line joins it to the next), a logical line becomes tokens (bare
 * words and "quoted strings"), "#" at the start of a word ends the line.
 * Control bytes are refused wherever they stand: a NUL that ends a C string
 * early, or a CR that hides the rest of a line on a terminal, must never
 * change which order goes out.  Each value's lexical form (numbers, names,
 * dates, cron specs) is checked here too; what a value means in its
 * command is parser.c's business.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <time.h>

#include "auto/cron.h"
#include "cmd/cmd_int.h"
#include "util/utf8.h"

static int
lex_space(char c)
{
	return c == ' ' || c == '\t';
}

/* A "#" starts a comment only where a word could start. */
static int
lex_comment_at(const char *s, size_t i)
{
	return s[i] == '#' && (i == 0 || lex_space(s[i - 1]));
}

/*
 * The first byte of s[0..n) that no command may hold, or n: C0 controls
 * but tab, DEL, the C1 controls and the bidirectional overrides in UTF-8
 * (they make a terminal show other text than what runs).  Line breaks are
 * the caller's business: lf allows "\n" and "\r\n".  A description goes
 * to what.
 */
size_t
cmd_bad_byte(const char *s, size_t n, int lf, char *what, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, k;
	unsigned		 c;

	for (i = 0; i < n; i++) {
		if (u[i] == '\t' || (lf && u[i] == '\n') || (lf &&
		    u[i] == '\r' && i + 1 < n && u[i + 1] == '\n'))
			continue;
		if (u[i] < 0x20 || u[i] == 0x7f) {
			snprintf(what, len, "a control byte 0x%02X%s", u[i],
			    u[i] == 0 ? " (NUL)" : u[i] == '\r' ? " (CR)" :
			    u[i] == 0x1b ? " (ESC)" : "");
			return i;
		}
		if (u[i] < 0x80 || (k = utf8_seq(u + i, n - i)) == 0)
			continue;
		c = utf8_code(u + i, k);
		if ((c >= 0x80 && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
		    (c >= 0x2066 && c <= 0x2069)) {
			snprintf(what, len, "the %s character U+%04X",
			    c <= 0x9f ? "control" : "bidirectional control", c);
			return i;
		}
		i += k - 1;
	}
	return n;
}

/* Errors are built without their position prefix; the caller adds it. */
int
cmd_perr_set(struct cmd_perr *e, int col, const char *fmt, ...)
{
	va_list	ap;

	e->col = col;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * A token as it goes into an error message: quotes and backslashes escaped,
 * anything that is not printable ASCII shown as "?", long values cut, so a
 * message stays one readable line and valid UTF-8 in --json output.
 */
void
cmd_tok_show(const char *s, char *buf, size_t len)
{
	size_t	o = 0, i;

	if (len == 0)
		return;
	for (i = 0; s[i] != '\0' && o + 5 < len; i++) {
		if (i == 40) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (s[i] == '"' || s[i] == '\\') {
			buf[o++] = '\\';
			buf[o++] = s[i];
		} else if ((unsigned char)s[i] < 0x20 ||
		    (unsigned char)s[i] > 0x7e)
			buf[o++] = '?';
		else
			buf[o++] = s[i];
	}
	buf[o] = '\0';
}

static void
toks_push(struct cmd_toks *t, char *s, int col, int end, int quoted)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		t->v = xreallocarray(t->v, t->cap, sizeof *t->v);
	}
	t->v[t->n].s = s;
	t->v[t->n].col = col;
	t->v[t->n].end = end;
	t->v[t->n].quoted = quoted;
	t->n++;
}

void
cmd_toks_free(struct cmd_toks *t)
{
	size_t	i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].s);
	free(t->v);
	memset(t, 0, sizeof *t);
}

/* A "..." string starting at s[*ip]; \" and \\ are the only escapes. */
static int
lex_quoted(const char *s, size_t *ip, struct strbuf *b, struct cmd_perr *e)
{
	size_t	i = *ip + 1;

	for (;;) {
		if (s[i] == '\0' || s[i] == '\n')
			return cmd_perr_set(e, (int)*ip + 1, "expected a "
			    "closing '\"' for the string that starts here, "
			    "got end of line");
		if (s[i] == '"')
			break;
		if (s[i] == '\\' && (s[i + 1] == '"' || s[i + 1] == '\\'))
			i++;
		strbuf_putc(b, s[i]);
		i++;
	}
	i++;
	if (s[i] != '\0' && s[i] != '\n' && !lex_space(s[i]))
		return cmd_perr_set(e, (int)i + 1, "expected a space after "
		    "the closing '\"', got \"%c\"",
		    s[i] > 0x20 && s[i] < 0x7f ? s[i] : '?');
	*ip = i;
	return 0;
}

static int
lex_word(const char *s, size_t *ip, struct strbuf *b, struct cmd_perr *e)
{
	size_t	i = *ip;

	while (s[i] != '\0' && s[i] != '\n' && !lex_space(s[i])) {
		if (s[i] == '"')
			return cmd_perr_set(e, (int)i + 1, "expected a space "
			    "before '\"' (quote the whole value), got a quote "
			    "inside a word");
		strbuf_putc(b, s[i]);
		i++;
	}
	*ip = i;
	return 0;
}

/*
 * Split one logical line into tokens.  Columns are byte offsets, so they
 * match what an editor shows for ASCII input, which commands are.
 */
int
cmd_lex(const char *s, struct cmd_toks *t, struct cmd_perr *e)
{
	struct strbuf	 b;
	size_t		 i = 0, start, n = strlen(s);
	int		 quoted;
	char		 what[64];

	memset(t, 0, sizeof *t);
	t->textend = 1;
	if ((i = cmd_bad_byte(s, n, 0, what, sizeof what)) < n &&
	    s[i] != '\n')
		return cmd_perr_set(e, (int)i + 1, "expected printable text, "
		    "got %s", what);
	i = 0;
	strbuf_init(&b);
	for (;;) {
		while (lex_space(s[i]))
			i++;
		if (s[i] == '\0' || lex_comment_at(s, i))
			break;
		if (s[i] == '\n') {
			cmd_perr_set(e, (int)i + 1, "expected one command on "
			    "one line, got a line break");
			goto fail;
		}
		if (i >= (size_t)1 << 30) {
			cmd_perr_set(e, (int)i + 1, "expected a shorter line");
			goto fail;
		}
		start = i;
		strbuf_reset(&b);
		quoted = s[i] == '"';
		if ((quoted ? lex_quoted(s, &i, &b, e) :
		    lex_word(s, &i, &b, e)) != 0)
			goto fail;
		if (b.len > CMD_MAX_VALUE) {
			cmd_perr_set(e, (int)start + 1, "expected a value of "
			    "at most %d bytes, got %zu", CMD_MAX_VALUE, b.len);
			goto fail;
		}
		toks_push(t, b.s != NULL ? xstrndup(b.s, b.len) : xstrdup(""),
		    (int)start + 1, (int)i + 1, quoted);
		t->textend = (int)i + 1;
	}
	strbuf_free(&b);
	return 0;
fail:
	strbuf_free(&b);
	cmd_toks_free(t);
	return -1;
}

/*
 * The lexical form of values: what a name, a tag, a price, a date or a
 * cron spec may look like, and the canonical string each is stored as.
 */
static int
ascii_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/*
 * ASCII letters, digits and the bytes of extra, 1 to max of them; ASCII
 * whatever the locale, so a name means the same to every process and to
 * the store's CHECK constraints.
 */
int
cmd_chars_ok(const char *s, const char *extra, size_t max)
{
	size_t	n;

	for (n = 0; s[n] != '\0'; n++) {
		if (!ascii_alnum(s[n]) && strchr(extra, s[n]) == NULL)
			return 0;
	}
	return n >= 1 && n <= max;
}

/*
 * A name, tag or user id: what the store's CHECK constraints accept
 * (db/migrations/0001_registry.sql), so a bad one is a parse error, never
 * a server message: a letter or digit first, then letters, digits and
 * extra.
 */
int
cmd_name_ok(const char *s, const char *extra, size_t max)
{
	return ascii_alnum(s[0]) && cmd_chars_ok(s, extra, max);
}

/* Free text: valid UTF-8 (the store refuses anything else), no controls. */
static int
text_ok(const char *s, int spaces, size_t max)
{
	size_t	n;

	for (n = 0; s[n] != '\0'; n++) {
		if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f ||
		    (!spaces && s[n] == ' '))
			return 0;
	}
	return n >= 1 && n <= max && utf8_valid(s);
}

/*
 * A reason on a safety action (kill, squareoff): a bad byte in it must
 * never stop the action, so invalid UTF-8 is replaced, not refused.
 */
static char *
check_reason(const char *s)
{
	size_t	n;

	for (n = 0; s[n] != '\0'; n++) {
		if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f)
			return NULL;
	}
	if (n == 0 || n > CMD_MAX_VALUE)
		return NULL;
	return utf8_repair(s);
}

/* Why a number was refused, for the message. */
enum num_why { NUM_NOT, NUM_LOW, NUM_HIGH };

/* A whole number in [min, max]; leading zeros dropped. */
static char *
check_int(const char *s, int64_t min, int64_t max, enum num_why *why)
{
	int64_t	v = 0;
	size_t	i;

	*why = NUM_NOT;
	if (s[0] == '-' && isdigit((unsigned char)s[1]) &&
	    strspn(s + 1, "0123456789") == strlen(s + 1)) {
		*why = strspn(s + 1, "0") == strlen(s + 1) && min <= 0 ?
		    NUM_NOT : NUM_LOW;
		return NULL;
	}
	for (i = 0; s[i] != '\0'; i++) {
		if (!isdigit((unsigned char)s[i]))
			return NULL;
	}
	if (i == 0)
		return NULL;
	for (i = 0; s[i] != '\0'; i++) {
		if (v > (max - (s[i] - '0')) / 10) {
			*why = NUM_HIGH;
			return NULL;
		}
		v = v * 10 + (s[i] - '0');
	}
	if (v < min) {
		*why = NUM_LOW;
		return NULL;
	}
	return xasprintf("%lld", (long long)v);
}

/* [0-9]+(\.[0-9]+)?: a number, whatever its size. */
static int
decimal_form(const char *s)
{
	size_t	n = strspn(s, "0123456789");

	if (n == 0)
		return 0;
	if (s[n] == '.')
		return s[n + 1] != '\0' &&
		    strspn(s + n + 1, "0123456789") == strlen(s + n + 1);
	return s[n] == '\0';
}

/*
 * [0-9]+(\.[0-9]+)? with at most places decimals (trailing zeros do not
 * count) and 12 integer digits, so paise fit int64 with room to spare.
 * Canonical form drops leading zeros and trailing fractional zeros.
 */
static char *
check_decimal(const char *s, int places, int positive, int64_t max,
    enum num_why *why)
{
	size_t		 ni = 0, nf = 0, lead = 0, i;
	const char	*frac = "";
	int		 nonzero = 0, fnonzero = 0;
	int64_t		 whole = 0;

	*why = NUM_NOT;
	if (s[0] == '-' && decimal_form(s + 1)) {
		*why = NUM_LOW;
		return NULL;
	}
	while (isdigit((unsigned char)s[ni]))
		nonzero |= s[ni++] != '0';
	if (ni == 0)
		return NULL;
	if (s[ni] == '.') {
		frac = s + ni + 1;
		while (isdigit((unsigned char)frac[nf]))
			nonzero |= frac[nf++] != '0';
		if (nf == 0 || frac[nf] != '\0')
			return NULL;
	} else if (s[ni] != '\0')
		return NULL;
	while (lead + 1 < ni && s[lead] == '0')
		lead++;
	while (nf > 0 && frac[nf - 1] == '0')
		nf--;
	if (nf > (size_t)places)
		return NULL;
	for (i = 0; i < nf; i++)
		fnonzero |= frac[i] != '0';
	if (positive && !nonzero) {
		*why = NUM_LOW;
		return NULL;
	}
	if (ni - lead > 12) {
		*why = NUM_HIGH;
		return NULL;
	}
	for (i = lead; i < ni; i++)
		whole = whole * 10 + (s[i] - '0');
	if (whole > max || (whole == max && fnonzero)) {
		*why = NUM_HIGH;
		return NULL;
	}
	if (nf == 0)
		return xstrndup(s + lead, ni - lead);
	return xasprintf("%.*s.%.*s", (int)(ni - lead), s + lead, (int)nf,
	    frac);
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
digits(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

static int
date_ok(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	int	y, m, d;

	if (strlen(s) < 10 || !digits(s, 4) || s[4] != '-' ||
	    !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
		return 0;
	y = atoi(s);
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	return m != 2 || d != 29 || leap(y);
}

/*
 * A day relative to today in IST, as YYYY-MM-DD: "today", "yesterday" or
 * "today-N" (N up to 3660 days).  Resolved when the command is parsed,
 * so a schedule's stored command names a new day at each run.
 */
static char *
relative_day(const char *s)
{
	struct tm	tm;
	time_t		t;
	long		back;
	char		*end, buf[16];

	if (strcmp(s, "today") == 0)
		back = 0;
	else if (strcmp(s, "yesterday") == 0)
		back = 1;
	else if (strncmp(s, "today-", 6) == 0 && isdigit((unsigned char)s[6])) {
		errno = 0;
		back = strtol(s + 6, &end, 10);
		if (*end != '\0' || errno != 0 || back > 3660 ||
		    strlen(s + 6) > 4)
			return NULL;
	} else
		return NULL;
	t = (time_t)(time_wall_us() / 1000000) + 19800;	/* IST, +05:30 */
	t = (t / 86400 - back) * 86400;
	if (gmtime_r(&t, &tm) == NULL)
		return NULL;
	strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
	return xstrdup(buf);
}

/* HH:MM or HH:MM:SS. */
static int
clock_ok(const char *s)
{
	size_t	n = strlen(s);

	if ((n != 5 && n != 8) || !digits(s, 2) || s[2] != ':' ||
	    !digits(s + 3, 2) || atoi(s) > 23 || atoi(s + 3) > 59)
		return 0;
	return n == 5 || (s[5] == ':' && digits(s + 6, 2) &&
	    atoi(s + 6) <= 59);
}

/* until TIME: HH:MM[:SS] today, YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS]. */
static char *
check_time(const char *s)
{
	char	*v;

	if (clock_ok(s))
		return xstrdup(s);
	if (!date_ok(s))
		return NULL;
	if (s[10] == '\0')
		return xstrdup(s);
	if ((s[10] != 'T' && s[10] != 't') || !clock_ok(s + 11))
		return NULL;
	v = xstrdup(s);
	v[10] = 'T';
	return v;
}

/* A schedule (auto/cron.c decides), single-spaced; NULL and why if bad. */
static char *
check_cron(const char *s, char *why, size_t len)
{
	struct cron	 c;
	struct err	 err;
	struct strbuf	 b;
	const char	*p = s;
	size_t		 n;

	err_clear(&err);
	if (cron_parse(s, &c, &err) != 0) {
		snprintf(why, len, ": %s", err.msg);
		return NULL;
	}
	strbuf_init(&b);
	while (*p != '\0') {
		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (n == 0)
			break;
		if (b.len > 0)
			strbuf_putc(&b, ' ');
		strbuf_add(&b, p, n);
		p += n;
	}
	strbuf_add(&b, "", 0);
	return strbuf_steal(&b);
}

/* A comma list of tags; "" (quoted) means no tags. */
static char *
check_tags(const char *s)
{
	const char	*p = s, *c;
	char		 one[64];

	if (*s == '\0')
		return xstrdup("");
	for (;;) {
		c = strchr(p, ',');
		if ((c != NULL ? (size_t)(c - p) : strlen(p)) >= sizeof one)
			return NULL;
		snprintf(one, sizeof one, "%.*s", (int)(c != NULL ?
		    (size_t)(c - p) : strlen(p)), p);
		if (!cmd_name_ok(one, "_-", 32))
			return NULL;
		if (c == NULL)
			return xstrdup(s);
		p = c + 1;
	}
}

static char *
check_enum(const char *s, const char *const *e)
{
	for (; e != NULL && *e != NULL; e++) {
		if (strcasecmp(s, *e) == 0)
			return xstrdup(*e);
	}
	return NULL;
}

/* A value for an RMS limit: a decimal, or a word like "on" or "mis,nrml". */
static char *
check_limit_value(const char *s)
{
	/* A number, a time (09:15-15:15) or a word (NSE,NFO; squareoff):
	 * the limit it goes with checks what it means. */
	if (!isalnum((unsigned char)s[0]) || !cmd_chars_ok(s, "_.,:-", 64))
		return NULL;
	return xstrdup(s);
}

static char *
check_url(const char *s)
{
	if (strncasecmp(s, "http://", 7) != 0 &&
	    strncasecmp(s, "https://", 8) != 0)
		return NULL;
	if (s[strncasecmp(s, "http://", 7) == 0 ? 7 : 8] == '\0' ||
	    !text_ok(s, 0, 2048))
		return NULL;
	return xstrdup(s);
}

/* [EXCH:]SYMBOL; the symbol keeps its case, the exchange goes upper. */
char *
cmd_check_symbol(const char *s, char **exch)
{
	const char	*colon = strchr(s, ':');
	char		 ex[8];

	*exch = NULL;
	if (colon != NULL) {
		if ((size_t)(colon - s) >= sizeof ex)
			return NULL;
		snprintf(ex, sizeof ex, "%.*s", (int)(colon - s), s);
		if ((*exch = check_enum(ex, cmd_exchanges)) == NULL)
			return NULL;
		s = colon + 1;
	}
	if (!cmd_name_ok(s, "&_.-", 64)) {
		free(*exch);
		*exch = NULL;
		return NULL;
	}
	return xstrdup(s);
}

/* Keys and tokens: printable ASCII without spaces, at most 1 KiB. */
static int
secret_ok(const char *s)
{
	size_t	n;

	for (n = 0; s[n] != '\0'; n++) {
		if (s[n] <= 0x20 || s[n] >= 0x7f)
			return 0;
	}
	return n >= 1 && n <= 1024;
}

const char *
cmd_type_what(enum cmd_vtype type, const char *const *enums, char *buf,
    size_t len)
{
	char	list[256];

	switch (type) {
	case V_NAME:
		return "a name (" CMD_NAME_RULE ")";
	case V_TAG:
		return "a tag (" CMD_TAG_RULE ")";
	case V_TAGS:
		return "a comma list of tags (each " CMD_TAG_RULE ")";
	case V_TEXT:
		return "some text (one word or a quoted string, valid UTF-8)";
	case V_REASON:
		return "a reason (one word or a quoted string)";
	case V_ORDER_TAG:
		return "an order tag (" CMD_ORDER_TAG_RULE ")";
	case V_SECRET:
		return "a key (printable, no spaces)";
	case V_URL:
		return "a URL starting with http:// or https://";
	case V_PATH:
		return "a file path";
	case V_INT:
		return "a whole number";
	case V_ID:
		return "a numeric id";
	case V_ORDER_ID:
		return "an order id (phalanx's or the broker's)";
	case V_QTY:
		return "a quantity (a whole number above 0)";
	case V_DEC2:
		return "a number with at most 2 decimals";
	case V_DEC4:
		return "a number with at most 4 decimals";
	case V_PRICE:
		return "a price above 0 with at most 2 decimals";
	case V_ENUM:
	case V_ENUM_UPPER:
		cmd_enum_list(enums, list, sizeof list, "|");
		snprintf(buf, len, "one of %s", list);
		return buf;
	case V_SYMBOL:
		return "a symbol like NIFTY25DECFUT or NFO:NIFTY25DECFUT";
	case V_TARGET:
		return "a target (all, group:TAG, acct:NAME[,acct:NAME...] or "
		    "TAG)";
	case V_DATE:
		return "a date YYYY-MM-DD, today, yesterday or today-N";
	case V_TIME:
		return "a time HH:MM, a date YYYY-MM-DD or YYYY-MM-DDTHH:MM";
	case V_CRON:
		return "a 5-field cron spec \"M H DOM MON DOW\"";
	case V_LIMIT_VALUE:
		return "a limit value (a number or a word)";
	case V_COMMAND:
		return "a command";
	case V_HELP:
		return "a command name";
	case V_NONE:
		break;
	}
	return "a value";
}

/* The range a number of this type must fall in, for the message. */
static void
num_range(enum cmd_vtype type, int64_t max, enum num_why why, char *buf,
    size_t len)
{
	if (why == NUM_HIGH)
		snprintf(buf, len, " (at most %lld)", (long long)max);
	else if (why == NUM_LOW)
		snprintf(buf, len, " (%s)", type == V_QTY || type == V_PRICE ?
		    "must be above 0" : "must not be negative");
	else
		buf[0] = '\0';
}

static int
bad_value(struct cmd_pstate *ps, enum cmd_vtype type,
    const char *const *enums, const char *what, const char *label,
    const struct cmd_tok *t, const char *why)
{
	char	buf[320], shown[256];

	if (what == NULL)
		what = cmd_type_what(type, enums, buf, sizeof buf);
	if (type == V_SECRET)
		return cmd_perr_set(ps->err, t->col, "expected %s (printable "
		    "ASCII, no spaces, at most 1024 bytes) for \"%s\", got "
		    "something else (not shown)", what, label);
	cmd_tok_show(t->s, shown, sizeof shown);
	if (label != NULL)
		return cmd_perr_set(ps->err, t->col, "expected %s for \"%s\", "
		    "got \"%s\"%s", what, label, shown, why);
	return cmd_perr_set(ps->err, t->col, "expected %s, got \"%s\"%s",
	    what, shown, why);
}

/* The largest value a number of this type takes when the row sets none. */
static int64_t
num_max(enum cmd_vtype type, int64_t max)
{
	if (max > 0)
		return max;
	switch (type) {
	case V_QTY:
		return CMD_MAX_QTY;
	case V_ID:
		return INT64_MAX;
	case V_INT:
		return INT32_MAX;
	default:
		return 999999999999;	/* 12 digits: paise fit int64 */
	}
}

/*
 * Check one value against its type and return its canonical form in *out
 * (owned).  label names the option in the message; NULL for positionals.
 */
int
cmd_check_value(struct cmd_pstate *ps, enum cmd_vtype type,
    const char *const *enums, const char *what, const char *label,
    int64_t max, const struct cmd_tok *t, char **out)
{
	const char	*s = t->s;
	char		*v = NULL, *exch = NULL, shown[256], why[64];
	char		 cwhy[560];
	enum num_why	 nw = NUM_NOT;

	max = num_max(type, max);
	switch (type) {
	case V_NAME:
		v = cmd_name_ok(s, "_.-", 64) ? xstrdup(s) : NULL;
		break;
	case V_TAG:
		v = cmd_name_ok(s, "_-", 32) ? xstrdup(s) : NULL;
		break;
	case V_TAGS:
		v = check_tags(s);
		break;
	case V_TEXT:
	case V_PATH:
		v = text_ok(s, 1, CMD_MAX_VALUE) ? xstrdup(s) : NULL;
		break;
	case V_REASON:
		v = check_reason(s);
		break;
	case V_ORDER_TAG:
		if (strlen(s) > 20) {
			cmd_tok_show(s, shown, sizeof shown);
			return cmd_perr_set(ps->err, t->col, "expected an "
			    "order tag of at most 20 characters (Kite's "
			    "limit) for \"%s\", got \"%s\" (%zu characters)",
			    label != NULL ? label : "tag", shown, strlen(s));
		}
		v = cmd_name_ok(s, " _.:/-", 20) ? xstrdup(s) : NULL;
		break;
	case V_SECRET:
		v = secret_ok(s) ? xstrdup(s) : NULL;
		break;
	case V_ORDER_ID:
		v = cmd_name_ok(s, "_.:-", 64) ? xstrdup(s) : NULL;
		break;
	case V_URL:
		v = check_url(s);
		break;
	case V_INT:
	case V_QTY:
	case V_ID:
		v = check_int(s, type == V_INT ? 0 : 1, max, &nw);
		break;
	case V_DEC2:
	case V_DEC4:
	case V_PRICE:
		v = check_decimal(s, type == V_DEC4 ? 4 : 2, type == V_PRICE,
		    max, &nw);
		break;
	case V_ENUM:
	case V_ENUM_UPPER:
		v = check_enum(s, enums);
		break;
	case V_SYMBOL:
		v = cmd_check_symbol(s, &exch);
		free(exch);
		break;
	case V_DATE:
		v = date_ok(s) && s[10] == '\0' ? xstrdup(s) :
		    relative_day(s);
		break;
	case V_TIME:
		v = check_time(s);
		break;
	case V_CRON:
		if ((v = check_cron(s, cwhy, sizeof cwhy)) == NULL)
			return bad_value(ps, type, enums, what, label, t, cwhy);
		break;
	case V_LIMIT_VALUE:
		v = check_limit_value(s);
		break;
	case V_TARGET:
	case V_COMMAND:
	case V_HELP:
	case V_NONE:
		v = xstrdup(s);
		break;
	}
	if (v == NULL) {
		num_range(type, max, nw, why, sizeof why);
		return bad_value(ps, type, enums, what, label, t, why);
	}
	*out = v;
	return 0;
}

static int
rest_blank(const char *s, size_t from, size_t n)
{
	while (from < n && (s[from] == ' ' || s[from] == '\t'))
		from++;
	return from == n;
}

/*
 * Where a physical line continues: the offset of a "\\" followed only by
 * blanks, outside a comment, or -1.  *inq carries an open quote across
 * joined lines so that a "#" inside a string is not taken for a comment.
 */
static ssize_t
find_continuation(const char *s, size_t n, int *inq)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && rest_blank(s, i + 1, n))
			return (ssize_t)i;
		if (*inq) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				*inq = 0;
			continue;
		}
		if (lex_comment_at(s, i))
			return -1;
		if (s[i] == '"')
			*inq = 1;
	}
	return -1;
}

/*
 * The next logical line of the script [*pp, end) into out, physical lines
 * joined with one space where they ended in "\\".  *lineno counts physical
 * lines read; *first gets the number of the logical line's first one.
 * Returns 1 for a line, 0 at the end of the script, -1 when the last line
 * ends in "\\": a command cut off there (a truncated file) must not run
 * as if it were whole.
 */
int
cmd_script_next(const char **pp, const char *end, int *lineno, int *first,
    struct strbuf *out)
{
	const char	*p = *pp, *nl;
	size_t		 n;
	ssize_t		 cont;
	int		 inq = 0;

	if (p >= end)
		return 0;
	strbuf_reset(out);
	strbuf_add(out, "", 0);
	*first = *lineno + 1;
	for (;;) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		(*lineno)++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		cont = find_continuation(p, n, &inq);
		if (cont < 0) {
			strbuf_add(out, p, n);
			p = nl != NULL ? nl + 1 : end;
			break;
		}
		strbuf_add(out, p, (size_t)cont);
		strbuf_putc(out, ' ');
		p = nl != NULL ? nl + 1 : end;
		if (p >= end) {
			*pp = p;
			return -1;
		}
	}
	*pp = p;
	return 1;
}
