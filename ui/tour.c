/*
 * The walkthrough: a few steps over the live console showing how an
 * execution works -- the matrix, a dry run with its allocation and slices,
 * the failure policies, square-off and kill behind their confirmations,
 * the feed and the RMS.  It starts by itself once (until it is finished or
 * dismissed, remembered in $PHALANX_HOME/tour-done), again with T or the
 * console word "tour".  It never takes a key a trader acts with: only >,
 * <, x (and d on the dry-run step) are its own; everything else goes on
 * to the console as if it were not there.  PHALANX_TOUR=off keeps it from
 * starting by itself (tests), =on starts it on every start.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui/tui.h"

struct tour_step {
	int		 view;		/* switched to; -1: stay */
	const char	*title;
	const char	*text;		/* %s: an instrument */
};

static const struct tour_step tour_steps[] = {
	{ TV_MATRIX, "The matrix",
	  "Every account at once: RMS state, open positions, MTM, day PnL, "
	  "margin and the last order's ack latency. The header sums the "
	  "firm's MTM and today's realised PnL. j/k move, Space marks "
	  "accounts, t filters a group, h/l show more columns." },
	{ TV_MATRIX, "One signal, many accounts",
	  "Press d now for a dry run that sends nothing: "
	  ":buy %s 100 lots to all policy capital --dry-run. It shows each "
	  "account's lots and quantity and the slices above the freeze "
	  "quantity. Policies: fixed (each account its lots), multiplier, "
	  "equal, capital, ratio." },
	{ TV_MATRIX, "When a leg fails",
	  "on-fail best-effort (default) lets the other accounts go on; "
	  "retry retries transient errors with backoff; all-or-none cancels "
	  "open legs and reverses filled ones on a definitive failure. "
	  "mode sync sends one account at a time, by priority." },
	{ TV_MATRIX, "Square-off and kill",
	  "s squares off the account under the cursor (or the marked ones), "
	  "S a group, K is the kill switch (HALTED, working orders "
	  "cancelled, positions closed), c cancels working orders. Each "
	  "first shows a dialog naming accounts and quantities: only Y, or y "
	  "then Enter, sends; Enter alone cancels." },
	{ TV_FEED, "The feed",
	  "Every order's lifecycle as it is stored, by any process: state, "
	  "fill, latency, the broker's message. The console's own commands "
	  "and the engine's warnings show here too." },
	{ TV_RMS, "The RMS",
	  "Breaches of the risk limits open incidents here, with what the "
	  "RMS did about them. See the rms and incident commands in "
	  "phalanx-commands(7)." },
	{ TV_FIRM, "The book",
	  "Net position per instrument across every account; Enter shows "
	  "the accounts, s squares the instrument off in all of them, "
	  "behind the same confirmation." },
	{ -1, "That is all",
	  "T, or the word tour on the command bar, shows this again; ? "
	  "lists every key. x closes." },
};

#define TOUR_NSTEPS	((int)nitems(tour_steps))
#define TOUR_DRY_STEP	1

struct tour {
	int	step;
};

static char *
tour_marker(const struct tui *tui)
{
	return xasprintf("%s/tour-done", tui->env.home);
}

/* Done or dismissed: the next start does not begin with it. */
static void
tour_remember(struct tui *tui)
{
	char	*path = tour_marker(tui);
	int	 fd;

	path_mkdirs(tui->env.home, 0700);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) == -1)
		log_warn("tui", "cannot write %s: %s", path, strerror(errno));
	else
		close(fd);
	free(path);
}

static void
tour_show_step(struct tui *tui)
{
	int	v = tour_steps[tui->tour->step].view;

	if (v >= 0 && v != tui->view)
		tui_switch(tui, v);
	tui_dirty(tui);
}

void
tui_tour_start(struct tui *tui)
{
	if (tui->tour == NULL)
		tui->tour = xcalloc(1, sizeof *tui->tour);
	tui->tour->step = 0;
	tour_show_step(tui);
}

void
tui_tour_stop(struct tui *tui)
{
	if (tui->tour == NULL)
		return;
	free(tui->tour);
	tui->tour = NULL;
	tour_remember(tui);
	tui_message(tui, WR_INFO, "tour closed: T or :tour shows it again");
}

void
tui_tour_first(struct tui *tui)
{
	const char	*env = getenv("PHALANX_TOUR");
	char		*path;

	if (env != NULL && strcmp(env, "off") == 0)
		return;
	path = tour_marker(tui);
	if ((env != NULL && strcmp(env, "on") == 0) || access(path, F_OK) != 0)
		tui_tour_start(tui);
	free(path);
}

/* An instrument to show the dry run with: a NIFTY future if loaded. */
static const char *
tour_symbol(struct tui *tui)
{
	json_t		*rows = tui_data_words(tui->data), *row;
	const char	*w, *best = NULL;
	size_t		 i, n;

	json_array_foreach(rows, i, row) {
		if (strcmp(tui_str(row, "kind"), "symbol") != 0)
			continue;
		w = tui_str(row, "word");
		n = strlen(w);
		if (n > 3 && strcmp(w + n - 3, "FUT") == 0 &&
		    strncmp(w, "NIFTY", 5) == 0 && (best == NULL ||
		    strcmp(w, best) < 0))
			best = w;
	}
	return best != NULL ? best : "NIFTY26DECFUT";
}

int
tui_tour_key(struct tui *tui, int key)
{
	char	*cmd;

	if (tui->tour == NULL)
		return 0;
	switch (key) {
	case '>':
		if (tui->tour->step + 1 >= TOUR_NSTEPS) {
			tui_tour_stop(tui);
			return 1;
		}
		tui->tour->step++;
		tour_show_step(tui);
		return 1;
	case '<':
		if (tui->tour->step > 0)
			tui->tour->step--;
		tour_show_step(tui);
		return 1;
	case 'x':
		tui_tour_stop(tui);
		return 1;
	case 'd':
		if (tui->tour->step != TOUR_DRY_STEP)
			return 0;
		cmd = xasprintf("buy %s 100 lots to all policy capital --dry-run",
		    tour_symbol(tui));
		tui_run_line(tui, cmd);
		free(cmd);
		return 1;
	default:
		return 0;
	}
}

/* Words of text in lines of width columns; returns how many. */
static int
tour_wrap(const char *text, int width, char **out, int max)
{
	const char	*s = text, *sp;
	int		 n = 0;
	size_t		 len, best;

	while (*s != '\0' && n < max) {
		best = 0;
		for (len = 1; s[len - 1] != '\0'; len++) {
			if ((int)len > width)
				break;
			if (s[len] == ' ' || s[len] == '\0')
				best = len;
		}
		if (best == 0)
			best = strlen(s) < (size_t)width ? strlen(s) :
			    (size_t)width;
		out[n++] = xstrndup(s, best);
		sp = s + best;
		s = sp + strspn(sp, " ");
	}
	return n;
}

/* The step's text with its "%s" replaced by an instrument. */
static char *
tour_text(struct tui *tui, const char *text)
{
	const char	*at = strstr(text, "%s");

	if (at == NULL)
		return xstrdup(text);
	return xasprintf("%.*s%s%s", (int)(at - text), text, tour_symbol(tui),
	    at + 2);
}

/* A box at the bottom of the view, over whatever is there. */
void
tui_tour_draw(struct tui *tui, int top, int h)
{
	const struct tour_step	*st;
	char			*text, *lines[12], *title, *foot;
	int			 w, bw, bh, by, bx, n, i;

	if (tui->tour == NULL)
		return;
	st = &tour_steps[tui->tour->step];
	bw = tui->cols - 2 < 72 ? tui->cols - 2 : 72;
	if (bw < 30 || h < 6)
		return;
	w = bw - 4;
	text = tour_text(tui, st->text);
	n = tour_wrap(text, w, lines, (int)nitems(lines));
	free(text);
	bh = n + 4;
	if (bh > h)
		bh = h;
	by = top + h - bh;
	bx = (tui->cols - bw) / 2;
	title = xasprintf("Tour %d/%d: %s", tui->tour->step + 1, TOUR_NSTEPS,
	    st->title);
	widget_box(tui->win, by, bx, bh, bw, title, widget_attr[WR_ACCENT],
	    widget_attr[WR_NORMAL]);
	free(title);
	for (i = 0; i < n; i++) {
		if (i < bh - 4)
			wtext_put(tui->win, by + 1 + i, bx + 2, w, WALIGN_LEFT,
			    widget_attr[WR_NORMAL], lines[i]);
		free(lines[i]);
	}
	foot = xasprintf("> next  < back  x close%s  (other keys act as "
	    "usual)", tui->tour->step == TOUR_DRY_STEP ? "  d dry run" : "");
	wtext_put_words(tui->win, by + bh - 2, bx + 2, w,
	    widget_attr[WR_DIM], foot);
	free(foot);
}

int
tui_tour_command(struct tui *tui, const char *line)
{
	while (*line == ' ' || *line == '\t')
		line++;
	if (strncmp(line, "tour", 4) != 0 || strspn(line + 4, " \t") !=
	    strlen(line + 4))
		return 0;
	tui_tour_start(tui);
	return 1;
}
