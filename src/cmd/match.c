/*
 * Which command the first words of a line name, and what to say when they
 * name none: the words that may come next, or the nearest real one.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd_int.h"

/* Levenshtein distance, for "did you mean"; b is a short table word. */
size_t
cmd_edit_distance(const char *a, const char *b)
{
	size_t	row[64], i, j, diag, up, best;
	size_t	la = strlen(a), lb = strlen(b);

	if (lb >= nitems(row) || la > 64)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			best = diag + (tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]));
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* Pick the closest of words to w if it is close enough to be a typo. */
const char *
cmd_suggest(const char *w, const char *const *words, size_t n)
{
	const char	*best = NULL;
	size_t		 i, d, bestd = 3;

	for (i = 0; i < n; i++) {
		d = cmd_edit_distance(w, words[i]);
		if (d < bestd && d < strlen(words[i])) {
			bestd = d;
			best = words[i];
		}
	}
	return best;
}

/* The n-th word of a command name ("rms template list") into buf. */
static int
def_word(const struct cmd_def *d, size_t n, char *buf, size_t len)
{
	const char	*p = d->name, *sp;

	for (;;) {
		sp = strchr(p, ' ');
		if (n == 0) {
			snprintf(buf, len, "%.*s", (int)(sp != NULL ?
			    (size_t)(sp - p) : strlen(p)), p);
			return 0;
		}
		if (sp == NULL)
			return -1;
		p = sp + 1;
		n--;
	}
}

static size_t
def_nwords(const struct cmd_def *d)
{
	size_t	n = 1;
	const char *p;

	for (p = d->name; *p != '\0'; p++)
		n += *p == ' ';
	return n;
}

/* Does d's name start with the words w[0..n-1]? */
int
cmd_def_prefix(const struct cmd_def *d, const struct cmd_tok *w, size_t n)
{
	char	word[32];
	size_t	i;

	if (def_nwords(d) < n)
		return 0;
	for (i = 0; i < n; i++) {
		if (w[i].quoted || def_word(d, i, word, sizeof word) != 0 ||
		    strcasecmp(word, w[i].s) != 0)
			return 0;
	}
	return 1;
}

/* Word d of the commands matching w[0..d-1]: what may come next. */
static size_t
next_words(const struct cmd_tok *w, size_t d, char list[][32], size_t max)
{
	size_t	i, j, n = 0;
	char	word[32];

	for (i = 0; i < cmd_def_count(); i++) {
		if (!cmd_def_prefix(cmd_def_at(i), w, d) ||
		    def_word(cmd_def_at(i), d, word, sizeof word) != 0)
			continue;
		for (j = 0; j < n && strcmp(list[j], word) != 0; j++)
			;
		if (j == n && n < max)
			memcpy(list[n++], word, sizeof word);
	}
	return n;
}

/*
 * What is wrong with the command words w[d]: an unknown word with the
 * nearest real one, or the choices when the words stop too early.
 */
int
cmd_bad_command_word(const struct cmd_tok *w, size_t d, const struct cmd_tok *t,
    int endcol, struct cmd_perr *e)
{
	char		 list[64][32], choices[512], shown[64], prefix[128];
	const char	*ptrs[64], *best;
	size_t		 n, i, o = 0;

	n = next_words(w, d, list, nitems(list));
	choices[0] = prefix[0] = '\0';
	for (i = 0; i < n; i++) {
		ptrs[i] = list[i];
		o += (size_t)snprintf(choices + o, sizeof choices - o, "%s%s",
		    i ? ", " : "", list[i]);
		if (o >= sizeof choices)
			break;
	}
	for (i = 0, o = 0; i < d && o < sizeof prefix; i++)
		o += (size_t)snprintf(prefix + o, sizeof prefix - o, "%s%s",
		    i ? " " : "", w[i].s);
	if (t == NULL)
		return cmd_perr_set(e, endcol, "expected one of %s after "
		    "\"%s\", got end of line", choices, prefix);
	cmd_tok_show(t->s, shown, sizeof shown);
	if (n == 0)
		return cmd_perr_set(e, t->col, "expected end of line after "
		    "\"%s\", got \"%s\"", prefix, shown);
	if (t->quoted)
		return cmd_perr_set(e, t->col, "expected an unquoted command "
		    "word, got \"%s\"", shown);
	best = cmd_suggest(t->s, ptrs, n);
	if (d == 0) {
		if (best != NULL)
			return cmd_perr_set(e, t->col, "unknown command \"%s\" "
			    "(did you mean \"%s\"?)", shown, best);
		return cmd_perr_set(e, t->col, "unknown command \"%s\"; "
		    "commands are %s", shown, choices);
	}
	if (best != NULL)
		return cmd_perr_set(e, t->col, "unknown %s command \"%s\" "
		    "(did you mean \"%s\"?)", prefix, shown, best);
	return cmd_perr_set(e, t->col, "expected one of %s after \"%s\", "
	    "got \"%s\"", choices, prefix, shown);
}

/*
 * Find the command the first words name, longest match first, so that
 * "cancel order 7" is CMD_CANCEL_ORDER and "cancel all" CMD_CANCEL.
 */
const struct cmd_def *
cmd_match_command(const struct cmd_toks *t, size_t *used, struct cmd_perr *e)
{
	const struct cmd_def	*exact;
	const struct cmd_tok	*tok;
	size_t			 d, i, longer, next;

	for (d = 0;; d++) {
		exact = NULL;
		longer = next = 0;
		tok = d < t->n ? &t->v[d] : NULL;
		for (i = 0; i < cmd_def_count(); i++) {
			if (!cmd_def_prefix(cmd_def_at(i), t->v, d))
				continue;
			if (def_nwords(cmd_def_at(i)) == d)
				exact = cmd_def_at(i);
			else {
				longer++;
				if (tok != NULL &&
				    cmd_def_prefix(cmd_def_at(i), t->v, d + 1))
					next++;
			}
		}
		if (next > 0)
			continue;
		if (exact != NULL) {
			*used = d;
			return exact;
		}
		cmd_bad_command_word(t->v, d, tok, t->textend, e);
		return NULL;
	}
}
