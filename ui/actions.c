/*
 * Square-off, kill and cancel from the matrix.  Before anything is sent
 * the console reads what the action would touch (open positions, working
 * orders) and shows it in a dialog that defaults to No; only a deliberate
 * yes runs the command, through the same executor as any other front.
 * The reads are asynchronous: a slow store delays the dialog, never the
 * screen.
 */
#include <stdlib.h>
#include <string.h>

#include "db/store_console.h"
#include "ui/tui.h"

struct action {
	struct tui	*tui;
	enum tui_action	 what;
	char		*names_json;
	char		*names_text;	/* "alice, bob" */
	size_t		 n;
	char		*tag;
	char		*symbol;	/* one instrument only; NULL: all */
	char		*cmd;
	json_t		*positions;
	char		*pos_err;
};

static struct action	*action_pending;

static void action_start(struct tui *, enum tui_action, const char *const *,
    size_t, const char *, const char *);

static void
action_free(struct action *a)
{
	if (action_pending == a)
		action_pending = NULL;
	json_decref(a->positions);
	free(a->names_json);
	free(a->names_text);
	free(a->tag);
	free(a->symbol);
	free(a->cmd);
	free(a->pos_err);
	free(a);
}

static char *
action_target(const char *const *names, size_t n)
{
	struct strbuf	b;
	size_t		i;

	strbuf_init(&b);
	for (i = 0; i < n; i++)
		strbuf_printf(&b, "%sacct:%s", i ? "," : "", names[i]);
	return strbuf_steal(&b);
}

static char *
action_command(enum tui_action what, const char *target)
{
	switch (what) {
	case TA_SQUAREOFF:
	case TA_SQUAREOFF_GROUP:
	case TA_SQUAREOFF_SYMBOL:
		return xasprintf("squareoff %s", target);
	case TA_KILL:
		return xasprintf("kill %s reason \"console\"", target);
	default:
		return xasprintf("cancel %s", target);
	}
}

static const char *
action_title(enum tui_action what)
{
	switch (what) {
	case TA_SQUAREOFF:
		return "Square off";
	case TA_SQUAREOFF_GROUP:
		return "Square off group";
	case TA_SQUAREOFF_SYMBOL:
		return "Square off instrument";
	case TA_KILL:
		return "KILL SWITCH";
	default:
		return "Cancel open orders";
	}
}

/* "SELL 75 NIFTY25DECFUT" closes a long 75; a short closes with a BUY. */
static void
action_position_lines(struct action *a, struct wdialog *d)
{
	json_t	*row, *mine;
	size_t	 i;
	int64_t	 q, total = 0;

	/* One instrument: the other positions of these accounts stay. */
	if (a->symbol != NULL && a->positions != NULL) {
		mine = json_array();
		json_array_foreach(a->positions, i, row) {
			if (strcmp(tui_str(row, "symbol"), a->symbol) == 0)
				json_array_append(mine, row);
		}
		json_decref(a->positions);
		a->positions = mine;
	}
	if (a->pos_err != NULL) {
		wdialog_line(d, "Open positions could not be read (%s); the "
		    "command decides from the broker.", a->pos_err);
		return;
	}
	if (json_array_size(a->positions) == 0) {
		wdialog_line(d, "No open positions are recorded for %s.",
		    a->n == 1 ? "this account" : "these accounts");
		return;
	}
	wdialog_line(d, "%zu open position%s, closed at market:",
	    json_array_size(a->positions),
	    json_array_size(a->positions) == 1 ? "" : "s");
	json_array_foreach(a->positions, i, row) {
		q = tui_int(row, "qty");
		total += q < 0 ? -q : q;
		wdialog_line(d, "  %-14s %s %lld %s  (%s %s, %s %lld)",
		    tui_str(row, "account"), q > 0 ? "SELL" : "BUY",
		    (long long)(q < 0 ? -q : q), tui_str(row, "symbol"),
		    tui_str(row, "exchange"), tui_str(row, "product"),
		    q > 0 ? "long" : "short", (long long)(q < 0 ? -q : q));
	}
	wdialog_keep_from_here(d);
	wdialog_line(d, "Total quantity to close: %lld", (long long)total);
}

static void
action_order_lines(struct wdialog *d, json_t *orders, const char *err)
{
	json_t	*row;
	size_t	 i;

	if (err != NULL) {
		wdialog_line(d, "Working orders could not be read (%s).", err);
		return;
	}
	if (json_array_size(orders) == 0) {
		wdialog_line(d, "No working orders are recorded.");
		return;
	}
	wdialog_line(d, "%zu working order%s cancelled:",
	    json_array_size(orders), json_array_size(orders) == 1 ? "" : "s");
	json_array_foreach(orders, i, row) {
		wdialog_line(d, "  %-14s #%lld %s %lld %s  (%s)",
		    tui_str(row, "account"), (long long)tui_int(row, "id"),
		    tui_str(row, "side"), (long long)tui_int(row, "remaining"),
		    tui_str(row, "symbol"), tui_str(row, "state"));
	}
}

static void
action_show(struct action *a, json_t *orders, const char *oerr)
{
	struct wdialog	*d;

	d = wdialog_new(action_title(a->what));
	if (a->what == TA_SQUAREOFF_GROUP)
		wdialog_line(d, "Square off group \"%s\": %zu account%s: %s",
		    a->tag, a->n, a->n == 1 ? "" : "s", a->names_text);
	else if (a->what == TA_SQUAREOFF_SYMBOL)
		wdialog_line(d, "Square off %s in %zu account%s: %s",
		    a->symbol, a->n, a->n == 1 ? "" : "s", a->names_text);
	else
		wdialog_line(d, "%s %zu account%s: %s",
		    a->what == TA_KILL ? "Kill switch for" :
		    a->what == TA_CANCEL ? "Cancel the open orders of" :
		    "Square off", a->n, a->n == 1 ? "" : "s", a->names_text);
	if (a->what == TA_KILL)
		wdialog_line(d, "Trading becomes HALTED: no new orders until "
		    "unkill (with a reason).");
	if (a->what != TA_CANCEL)
		action_position_lines(a, d);
	if (a->what == TA_KILL || a->what == TA_CANCEL)
		action_order_lines(d, orders, oerr);
	if (!d->has_tail)
		wdialog_keep_from_here(d);
	wdialog_line(d, " ");
	wdialog_line(d, "Runs: %s", a->cmd);
	tui_dialog(a->tui, d, a->cmd);
	tui_message(a->tui, WR_WARN, "confirm or cancel: %s", a->cmd);
}

static void
action_orders_done(json_t *rows, const struct err *err, void *arg)
{
	struct action	*a = arg;

	if (!a->tui->quit)
		action_show(a, rows, err != NULL ? err->msg : NULL);
	action_free(a);
}

static void
action_positions_done(json_t *rows, const struct err *err, void *arg)
{
	struct action	*a = arg;

	if (a->tui->quit) {
		action_free(a);
		return;
	}
	if (err != NULL)
		a->pos_err = xstrdup(err->msg);
	else
		a->positions = json_incref(rows);
	store_console_working_orders(tui_data_store(a->tui->data),
	    a->names_json, action_orders_done, a);
}

static char *
action_names_json(const char *const *names, size_t n, char **text)
{
	json_t		*arr = json_array();
	struct strbuf	 b;
	char		*s;
	size_t		 i;

	strbuf_init(&b);
	for (i = 0; i < n; i++) {
		json_array_append_new(arr, json_string(names[i]));
		if (i < 6)
			strbuf_printf(&b, "%s%s", i ? ", " : "", names[i]);
	}
	if (n > 6)
		strbuf_printf(&b, " and %zu more", n - 6);
	*text = strbuf_steal(&b);
	s = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return s;
}

void
tui_action(struct tui *tui, enum tui_action what, const char *const *names,
    size_t n, const char *tag)
{
	action_start(tui, what, names, n, tag, NULL);
}

void
tui_action_symbol(struct tui *tui, const char *const *names, size_t n,
    const char *symbol)
{
	action_start(tui, TA_SQUAREOFF_SYMBOL, names, n, NULL, symbol);
}

static void
action_start(struct tui *tui, enum tui_action what, const char *const *names,
    size_t n, const char *tag, const char *symbol)
{
	struct action	*a;
	char		*target;

	if (n == 0) {
		tui_message(tui, WR_WARN, "no account selected");
		return;
	}
	if (action_pending != NULL) {
		tui_message(tui, WR_WARN, "still reading the last action's "
		    "positions");
		return;
	}
	a = xcalloc(1, sizeof *a);
	a->tui = tui;
	a->what = what;
	a->n = n;
	a->tag = tag != NULL ? xstrdup(tag) : NULL;
	a->names_json = action_names_json(names, n, &a->names_text);
	if (what == TA_SQUAREOFF_GROUP)
		target = xasprintf("group:%s", tag);
	else
		target = action_target(names, n);
	a->cmd = action_command(what, target);
	if (symbol != NULL) {
		a->symbol = xstrdup(symbol);
		free(target);
		target = a->cmd;
		a->cmd = xasprintf("%s symbol %s", target, symbol);
	}
	free(target);
	action_pending = a;
	tui_message(tui, WR_INFO, "reading positions for: %s", a->cmd);
	store_console_open_positions(tui_data_store(tui->data), a->names_json,
	    action_positions_done, a);
}
