/*
 * Every key of the console in one table: lookups and the help overlay
 * both read it, so the help can never miss a key.
 */
#include <stdio.h>
#include <string.h>

#include "ui/tui.h"

struct binding {
	int		 key;		/* 0: documentation only */
	int		 ctx;		/* enum tui_ctx */
	enum tui_action	 action;
	const char	*name;
	const char	*help;
};

static const struct binding keymap[] = {
	{ '1', TC_GLOBAL, TA_VIEW1, "1, F1", "matrix: brokers and accounts" },
	{ KEY_F(1), TC_GLOBAL, TA_VIEW1, NULL, NULL },
	{ '2', TC_GLOBAL, TA_VIEW2, "2, F2", "execution feed" },
	{ KEY_F(2), TC_GLOBAL, TA_VIEW2, NULL, NULL },
	{ '3', TC_GLOBAL, TA_VIEW3, "3, F3", "equity curve and PnL by broker" },
	{ KEY_F(3), TC_GLOBAL, TA_VIEW3, NULL, NULL },
	{ '4', TC_GLOBAL, TA_VIEW4, "4, F4", "RMS incident timeline" },
	{ KEY_F(4), TC_GLOBAL, TA_VIEW4, NULL, NULL },
	{ '5', TC_GLOBAL, TA_VIEW5, "5, F5",
	    "positions and orders of the selected account" },
	{ KEY_F(5), TC_GLOBAL, TA_VIEW5, NULL, NULL },
	{ '6', TC_GLOBAL, TA_VIEW6, "6, F6",
	    "the firm's book: net position per instrument across accounts" },
	{ KEY_F(6), TC_GLOBAL, TA_VIEW6, NULL, NULL },
	{ '7', TC_GLOBAL, TA_VIEW7, "7, F7",
	  "analytics: PnL, exposure heatmap, options, SLA" },
	{ KEY_F(7), TC_GLOBAL, TA_VIEW7, NULL, NULL },
	{ '8', TC_GLOBAL, TA_VIEW8, "8, F8",
	    "runs: schedules with their next fire, connectors and strategies "
	    "with their last signal, the run timeline and the selected run's "
	    "log, live" },
	{ KEY_F(8), TC_GLOBAL, TA_VIEW8, NULL, NULL },
	{ ':', TC_GLOBAL, TA_CMDBAR, ":",
	    "command bar (Enter runs, Esc leaves, Tab completes, Ctrl-R "
	    "searches history)" },
	{ '/', TC_GLOBAL, TA_FILTER, "/",
	    "filter the view as you type (Enter keeps, Esc clears)" },
	{ '?', TC_GLOBAL, TA_HELP, "?", "this help" },
	{ WIDGET_KEY_CTRL('l'), TC_GLOBAL, TA_REDRAW, "Ctrl-L",
	    "redraw the screen" },
	{ 'r', TC_GLOBAL, TA_REFRESH, "r", "fetch everything again now" },
	{ 'q', TC_GLOBAL, TA_QUIT, "q", "quit (Ctrl-C too)" },
	{ 'T', TC_GLOBAL, TA_TOUR, "T",
	    "the tour of how an execution works (also :tour); in it > next, "
	    "< back, x closes, other keys act as usual" },
	{ 0, TC_DOC, TA_NONE, "j k, Up Down",
	    "move (PgUp PgDn, g G or Home End)" },
	{ 0, TC_DOC, TA_NONE, "h l, Left Right",
	    "more columns: a table too wide for the terminal shows an "
	    "arrow on the side where columns are hidden" },

	{ 's', TC_MATRIX, TA_SQUAREOFF, "s",
	    "square off the selected (or marked) accounts" },
	{ 'S', TC_MATRIX, TA_SQUAREOFF_GROUP, "S",
	    "square off the group: the tag filter, else the account's tag" },
	{ 'K', TC_MATRIX, TA_KILL, "K",
	    "kill switch for the selected (or marked) accounts" },
	{ 'c', TC_MATRIX, TA_CANCEL, "c",
	    "cancel the open orders of the selected (or marked) accounts" },
	{ ' ', TC_MATRIX, TA_MARK, "Space", "mark or unmark an account" },
	{ 't', TC_MATRIX, TA_TAG_FILTER, "t", "next tag filter (then none)" },
	{ 'o', TC_MATRIX, TA_SORT, "o", "sort by the next column" },
	{ 'O', TC_MATRIX, TA_SORT_REVERSE, "O", "reverse the sort" },
	{ '\r', TC_MATRIX, TA_OPEN_BOOK, "Enter",
	    "positions and orders of the account" },
	{ '\n', TC_MATRIX, TA_OPEN_BOOK, NULL, NULL },
	{ KEY_ENTER, TC_MATRIX, TA_OPEN_BOOK, NULL, NULL },

	{ 0, TC_FEED, TA_NONE, "G, End", "follow the newest events again" },
	{ 0, TC_RMS, TA_NONE, "j k", "choose an incident: its timeline and "
	    "the alerts sent about it show below" },
	{ 0, TC_RMS, TA_NONE, "a", "acknowledge the incident (stops the "
	    "header's BREACH flashing)" },
	{ 0, TC_RMS, TA_NONE, "n", "add a note (typed in the bottom line)" },
	{ 0, TC_RMS, TA_NONE, "R", "resolve the incident" },
	{ 0, TC_RMS, TA_NONE, "S", "sign off a resolved incident, with a "
	    "note (another operator, one in rms.signoff_users)" },
	{ 0, TC_RMS, TA_NONE, "Tab", "move between the list and the "
	    "timeline" },
	{ 'a', TC_EQUITY, TA_EQUITY_SCOPE, "a",
	    "equity of all accounts / of the selected account" },
	{ '\t', TC_BOOK, TA_BOOK_FOCUS, "Tab",
	    "move between positions and orders" },
	{ KEY_LEFT, TC_EQUITY, TA_CURSOR_LEFT, "Left Right",
	  "move the crosshair; its values show under the chart" },
	{ KEY_RIGHT, TC_EQUITY, TA_CURSOR_RIGHT, NULL, NULL },
	{ 'p', TC_ANALYTICS, TA_AN_PNL, "p", "PnL by account, today" },
	{ 'x', TC_ANALYTICS, TA_AN_HEAT, "x",
	  "exposure heatmap, account x underlying" },
	{ 'g', TC_ANALYTICS, TA_AN_OPTIONS, "g",
	  "options: PCR, max pain, zero gamma, GEX by strike" },
	{ 's', TC_ANALYTICS, TA_AN_SLA, "s", "execution SLA, today" },
	{ '\t', TC_ANALYTICS, TA_AN_NEXT, "Tab", "next panel" },
	{ 'm', TC_ANALYTICS, TA_AN_MEASURE, "m",
	  "heatmap measure: lots, notional, delta" },
	{ 'o', TC_ANALYTICS, TA_SORT, "o", "heatmap sort: next key" },
	{ 'u', TC_ANALYTICS, TA_AN_UNDERLYING, "u",
	  "options: next underlying" },
	{ '\r', TC_FIRM, TA_EXPAND, "Enter",
	    "show or hide the accounts holding the instrument" },
	{ '\n', TC_FIRM, TA_EXPAND, NULL, NULL },
	{ KEY_ENTER, TC_FIRM, TA_EXPAND, NULL, NULL },
	{ 'e', TC_FIRM, TA_EXPAND_ALL, "e", "show or hide every account row" },
	{ 's', TC_FIRM, TA_SQUAREOFF_SYMBOL, "s",
	    "square off the instrument in every account that holds it (or "
	    "in the account of the row)" },
	{ 't', TC_FIRM, TA_TAG_FILTER, "t", "next group filter (then none)" },
	{ 'o', TC_FIRM, TA_SORT, "o", "sort by the next column" },
	{ 'O', TC_FIRM, TA_SORT_REVERSE, "O", "reverse the sort" },
	{ 0, TC_DOC, TA_NONE, "result box",
	    "a command's result: Esc or Enter closes it, j k h l scroll "
	    "it, q still quits" },
	{ 0, TC_DOC, TA_NONE, "dialog",
	    "Y, or y then Enter, confirms; n, Esc or Enter cancels" },
};

static const char *const keymap_ctx_names[] = {
	[TC_GLOBAL] = "Everywhere",
	[TC_MATRIX] = "Matrix (1)",
	[TC_FEED] = "Feed (2)",
	[TC_EQUITY] = "Equity (3)",
	[TC_RMS] = "RMS (4)",
	[TC_BOOK] = "Positions and orders (5)",
	[TC_FIRM] = "Book across accounts (6)",
	[TC_ANALYTICS] = "Analytics (7)",
	[TC_DOC] = "Also",
};

/* ctx: TC_GLOBAL, or a view's context (TC_MATRIX + view index). */
enum tui_action
keymap_lookup(int ctx, int key)
{
	size_t	i;

	for (i = 0; i < nitems(keymap); i++) {
		if (keymap[i].key != 0 && keymap[i].key == key &&
		    keymap[i].ctx == ctx)
			return keymap[i].action;
	}
	return TA_NONE;
}

static int
keymap_has_ctx(int ctx)
{
	size_t	i;

	for (i = 0; i < nitems(keymap); i++) {
		if (keymap[i].ctx == ctx && keymap[i].name != NULL)
			return 1;
	}
	return 0;
}

/* A description in lines of at most 56 columns, under its column. */
static void
keymap_wrap(struct strbuf *b, const char *s)
{
	const char	*sp, *end;
	int		 col = 0, n;

	while (*s != '\0') {
		end = strchr(s, ' ');
		n = end != NULL ? (int)(end - s) : (int)strlen(s);
		if (col > 0 && col + 1 + n > 56) {
			strbuf_printf(b, "\n%17s", "");
			col = 0;
		} else if (col > 0) {
			strbuf_putc(b, ' ');
			col++;
		}
		strbuf_add(b, s, (size_t)n);
		col += n;
		sp = s + n;
		s = sp + strspn(sp, " ");
	}
	strbuf_putc(b, '\n');
}

char *
keymap_help(void)
{
	struct strbuf	b;
	size_t		i;
	int		ctx;

	strbuf_init(&b);
	for (ctx = TC_GLOBAL; ctx <= TC_DOC; ctx++) {
		if (!keymap_has_ctx(ctx))
			continue;
		if (ctx != TC_GLOBAL)
			strbuf_putc(&b, '\n');
		strbuf_printf(&b, "%s\n", keymap_ctx_names[ctx]);
		for (i = 0; i < nitems(keymap); i++) {
			if (keymap[i].ctx != ctx || keymap[i].name == NULL)
				continue;
			strbuf_printf(&b, "  %-14s ", keymap[i].name);
			keymap_wrap(&b, keymap[i].help);
		}
	}
	strbuf_puts(&b, "\nSquare-off, kill and cancel always ask first and"
	    " name the accounts,\npositions and quantities; so do the "
	    "incident keys. Results show in\nthe message line and the feed.");
	return strbuf_steal(&b);
}

/* Most used first: the line is cut between keys from the right. */
const char *
keymap_hint(int view)
{
	switch (view) {
	case TV_MATRIX:
		return "s square off  K kill  c cancel  ? help  q quit  "
		    ": command  Space mark  S group  t tag  o sort  / filter  "
		    "h/l columns";
	case TV_RMS:
		return "a ack  n note  R resolve  S sign off  ? help  q quit  "
		    "Tab list/timeline  : command  / filter  1-8 views";
	case TV_EQUITY:
		return "Left/Right crosshair  a all/account  ? help  q quit  "
		    ": command  1-8 views";
	case TV_ANALYTICS:
		return "p PnL  x exposure  g options  s SLA  m measure  o sort  "
		    "u underlying  ? help  q quit  : command";
	case TV_BOOK:
		return "Tab positions/orders  ? help  q quit  : command  "
		    "/ filter  h/l columns  1-8 views";
	case TV_RUNS:
		return "j/k run  Tab log  G follow  c cancel run  ? help  "
		    "q quit  : command  / filter  1-8 views";
	case TV_FIRM:
		return "Enter accounts  s square off  ? help  q quit  e all  "
		    "t group  o sort  / filter  h/l columns  : command";
	default:
		return "G follow  ? help  q quit  : command  / filter  "
		    "j/k scroll  h/l columns  1-8 views";
	}
}
