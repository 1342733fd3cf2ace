/*
 * View 1, the broker/account matrix: every account with its broker, tags,
 * RMS state, open positions, MTM, day PnL, margin and last ack latency.
 * Sortable, filterable by text and by tag; Space marks accounts so that
 * s, K and c act on several at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/tui.h"

enum {
	MC_ACCOUNT, MC_BROKER, MC_TAGS, MC_ON, MC_RMS, MC_POS, MC_MTM,
	MC_DAY, MC_MARGIN, MC_ACK, MC__N
};

static const struct wtable_col matrix_cols[MC__N] = {
	{ "Account", 7, 24, WALIGN_LEFT, WCOL_PIN, 10 },
	{ "Broker", 6, 16, WALIGN_LEFT, WCOL_DROP, 1 },
	{ "Tags", 4, 24, WALIGN_LEFT, WCOL_DROP, 0 },
	{ "On", 3, 3, WALIGN_LEFT, WCOL_DROP, 2 },
	{ "RMS  loss used", 14, 14, WALIGN_LEFT, 0, 8 },
	{ "Pos", 3, 5, WALIGN_RIGHT, WCOL_NUM, 7 },
	{ "MTM", 6, 16, WALIGN_RIGHT, WCOL_NUM | WCOL_MONEY, 9 },
	{ "Day PnL", 6, 16, WALIGN_RIGHT, WCOL_NUM | WCOL_MONEY, 6 },
	{ "Margin~", 6, 16, WALIGN_RIGHT, WCOL_NUM | WCOL_MONEY, 4 },
	{ "Ack ms", 5, 9, WALIGN_RIGHT, WCOL_NUM, 5 },
};

struct matrix {
	struct wtable	 *table;
	char		 *tag;		/* tag filter, NULL: all */
	char		**marked;
	size_t		  nmarked;
	int		  loaded;
};

static int
matrix_is_marked(const struct matrix *m, const char *name)
{
	size_t	i;

	for (i = 0; i < m->nmarked; i++) {
		if (strcmp(m->marked[i], name) == 0)
			return 1;
	}
	return 0;
}

static void
matrix_toggle_mark(struct matrix *m, const char *name)
{
	size_t	i;

	for (i = 0; i < m->nmarked; i++) {
		if (strcmp(m->marked[i], name) == 0) {
			free(m->marked[i]);
			m->marked[i] = m->marked[--m->nmarked];
			return;
		}
	}
	m->marked = xreallocarray(m->marked, m->nmarked + 1,
	    sizeof *m->marked);
	m->marked[m->nmarked++] = xstrdup(name);
}

static int
matrix_has_tag(json_t *row, const char *tag)
{
	json_t	*t;
	size_t	 i;

	json_array_foreach(json_object_get(row, "tags"), i, t) {
		if (json_is_string(t) && strcmp(json_string_value(t), tag) == 0)
			return 1;
	}
	return 0;
}

/*
 * The RMS cell: the effective state, then how much of the MTM loss limit
 * the day's loss uses, as a bar of five cells in eighths and a percent:
 * "ACT ███▌  71%".  No loss limit bound: the state alone.
 */
static void
matrix_rms_cell(json_t *rms, const char *state, char *buf, size_t len)
{
	static const char *const eighth[] = { "", "\u258f", "\u258e",
	    "\u258d", "\u258c", "\u258b", "\u258a", "\u2589" };
	json_t		*bp = json_object_get(rms, "loss_bp");
	struct strbuf	 b;
	int64_t		 v, fill;
	int		 i, cells;

	strbuf_init(&b);
	strbuf_printf(&b, "%.3s", state);
	if (json_is_integer(bp)) {
		v = json_integer_value(bp);
		fill = v >= 10000 ? 40 : v * 40 / 10000;
		strbuf_putc(&b, ' ');
		for (i = 0, cells = 0; i < (int)(fill / 8); i++, cells++)
			strbuf_puts(&b, widget_ascii ? "#" : "\u2588");
		if (fill % 8 != 0 && cells < 5) {
			strbuf_puts(&b, widget_ascii ? "+" : eighth[fill % 8]);
			cells++;
		}
		for (; cells < 5; cells++)
			strbuf_putc(&b, widget_ascii ? '.' : ' ');
		strbuf_printf(&b, "%4lld%%", (long long)(v > 99900 ? 999 :
		    v / 100));
	}
	snprintf(buf, len, "%s", b.s != NULL ? b.s : state);
	strbuf_free(&b);
}

static enum wrole
matrix_role(json_t *row, json_t *rms)
{
	const char	*st = rms != NULL ? tui_str(rms, "state") :
			    tui_str(row, "state");
	json_t		*bp = json_object_get(rms, "loss_bp");

	if (strcmp(st, "HALTED") == 0 || (json_is_integer(bp) &&
	    json_integer_value(bp) >= 10000))
		return WR_BAD;
	if (strcmp(st, "REDUCING") == 0 || (json_is_integer(bp) &&
	    json_integer_value(bp) >= 7500))
		return WR_WARN;

	if (strcmp(st, "HALTED") == 0)
		return WR_BAD;
	if (strcmp(st, "REDUCING") == 0)
		return WR_WARN;
	if (!json_is_true(json_object_get(row, "enabled")))
		return WR_DIM;
	return WR_NORMAL;
}

static void
matrix_row(struct matrix *m, struct tui *tui, json_t *row)
{
	struct wtable	*t = m->table;
	char		 buf[64];
	json_t		*tag, *lat, *rms;
	size_t		 r, i;
	struct strbuf	 tags;

	rms = tui_rms_account(tui->rms, tui_str(row, "name"));
	r = wtable_add(t, tui_str(row, "name"), matrix_role(row, rms));
	t->rows[r].marked = matrix_is_marked(m, tui_str(row, "name"));
	wtable_set(t, r, MC_ACCOUNT, tui_str(row, "name"));
	wtable_set(t, r, MC_BROKER, tui_str(row, "broker"));
	strbuf_init(&tags);
	json_array_foreach(json_object_get(row, "tags"), i, tag)
		strbuf_printf(&tags, "%s%s", i ? "," : "",
		    json_string_value(tag));
	wtable_set(t, r, MC_TAGS, tags.s != NULL ? tags.s : "");
	strbuf_free(&tags);
	wtable_set(t, r, MC_ON, json_is_true(json_object_get(row, "enabled")) ?
	    "yes" : "no");
	matrix_rms_cell(rms, rms != NULL ? tui_str(rms, "state") :
	    tui_str(row, "state"), buf, sizeof buf);
	wtable_set(t, r, MC_RMS, buf);
	wtable_setf(t, r, MC_POS, "%lld", (long long)tui_int(row, "positions"));
	tui_fmt_money(row, "mtm", buf, sizeof buf);
	wtable_set(t, r, MC_MTM, buf);
	tui_fmt_money(row, "day_pnl", buf, sizeof buf);
	wtable_set(t, r, MC_DAY, buf);
	tui_fmt_money(row, "margin_used", buf, sizeof buf);
	wtable_set(t, r, MC_MARGIN, buf);
	lat = json_object_get(row, "last_latency_us");
	if (json_is_integer(lat))
		wtable_setf(t, r, MC_ACK, "%.1f",
		    (double)json_integer_value(lat) / 1000.0);
	else
		wtable_set(t, r, MC_ACK, "-");
}

static void
matrix_rebuild(struct matrix *m, struct tui *tui)
{
	json_t		*rows = tui_data_accounts(tui->data), *row;
	struct wtable_row *cur;
	size_t		 i;

	wtable_clear(m->table);
	json_array_foreach(rows, i, row) {
		if (m->tag == NULL || matrix_has_tag(row, m->tag))
			matrix_row(m, tui, row);
	}
	wtable_commit(m->table);
	if ((cur = wtable_current(m->table)) != NULL)
		tui_set_account(tui, cur->key);
	m->loaded = 1;
}

static void *
matrix_create(struct tui *tui)
{
	struct matrix	*m;

	m = xcalloc(1, sizeof *m);
	m->table = wtable_new(matrix_cols, MC__N);
	wtable_set_empty(m->table, "loading accounts...");
	return m;
}

static void
matrix_destroy(void *v)
{
	struct matrix	*m = v;
	size_t		 i;

	widget_free(&m->table->w);
	for (i = 0; i < m->nmarked; i++)
		free(m->marked[i]);
	free(m->marked);
	free(m->tag);
	free(m);
}

static void
matrix_show(void *v, struct tui *tui)
{
	tui_data_refresh(tui->data, TUI_D_ACCOUNTS);
}

static void
matrix_data(void *v, struct tui *tui, int what)
{
	struct matrix	*m = v;

	if (!(what & TUI_D_ACCOUNTS))
		return;
	wtable_set_empty(m->table, json_array_size(tui_data_accounts(
	    tui->data)) == 0 ? "No accounts yet. Add one with :broker add "
	    "and :account add (see ? and phalanx-commands(7))." :
	    "No account matches the filter.");
	matrix_rebuild(m, tui);
}

static void
matrix_draw(void *v, struct tui *tui, WINDOW *win, int y, int x, int h,
    int w)
{
	struct matrix	*m = v;
	char		*title;

	title = xasprintf("Accounts %zu of %zu%s%s%s%s%s  marked %zu",
	    m->table->nvis, json_array_size(tui_data_accounts(tui->data)),
	    m->tag ? "  tag " : "", m->tag ? m->tag : "",
	    m->table->filter ? "  filter \"" : "",
	    m->table->filter ? m->table->filter : "",
	    m->table->filter ? "\"" : "", m->nmarked);
	wtext_put(win, y, x, w, WALIGN_LEFT, widget_attr[WR_DIM], title);
	free(title);
	widget_move(&m->table->w, y + 1, x, h - 1, w);
	widget_draw(&m->table->w, win);
}

/* The accounts an action applies to: the marked ones, else the cursor's. */
static size_t
matrix_selection(struct matrix *m, const char ***out)
{
	struct wtable_row	*cur = wtable_current(m->table);
	size_t			 i, n = 0;

	*out = xcalloc(m->nmarked + 1, sizeof **out);
	if (m->nmarked > 0) {
		for (i = 0; i < m->nmarked; i++)
			(*out)[n++] = m->marked[i];
		return n;
	}
	if (cur != NULL)
		(*out)[n++] = cur->key;
	return n;
}

static void
matrix_group(struct matrix *m, struct tui *tui)
{
	json_t		 *rows = tui_data_accounts(tui->data), *row;
	struct wtable_row *cur = wtable_current(m->table);
	const char	 *tag = m->tag, **names;
	size_t		  i, n = 0;

	if (tag == NULL && cur != NULL && cur->cells[MC_TAGS][0] != '\0') {
		json_array_foreach(rows, i, row) {
			if (strcmp(tui_str(row, "name"), cur->key) == 0) {
				tag = json_string_value(json_array_get(
				    json_object_get(row, "tags"), 0));
				break;
			}
		}
	}
	if (tag == NULL) {
		tui_message(tui, WR_WARN, "no group: the account has no tag "
		    "and no tag filter is set (t)");
		return;
	}
	names = xcalloc(json_array_size(rows) + 1, sizeof *names);
	json_array_foreach(rows, i, row) {
		if (matrix_has_tag(row, tag))
			names[n++] = tui_str(row, "name");
	}
	tui_action(tui, TA_SQUAREOFF_GROUP, names, n, tag);
	free(names);
}

/* Cycle through the tags present: none, a, b, ..., none. */
static void
matrix_next_tag(struct matrix *m, struct tui *tui)
{
	const char	*next = tui_data_next_tag(tui->data, m->tag);

	free(m->tag);
	m->tag = next != NULL ? xstrdup(next) : NULL;
	matrix_rebuild(m, tui);
	tui_message(tui, WR_INFO, "tag filter: %s", m->tag ? m->tag : "none");
}

static int
matrix_key(void *v, struct tui *tui, int key)
{
	struct matrix		 *m = v;
	struct wtable_row	 *cur = wtable_current(m->table);
	const char		**names;
	size_t			  n;
	enum tui_action		  a = keymap_lookup(TC_MATRIX, key);

	switch (a) {
	case TA_SQUAREOFF:
	case TA_KILL:
	case TA_CANCEL:
		n = matrix_selection(m, &names);
		tui_action(tui, a, names, n, NULL);
		free(names);
		return WIDGET_HANDLED;
	case TA_SQUAREOFF_GROUP:
		matrix_group(m, tui);
		return WIDGET_HANDLED;
	case TA_MARK:
		if (cur == NULL)
			return WIDGET_HANDLED;
		matrix_toggle_mark(m, cur->key);
		cur->marked = !cur->marked;
		widget_key(&m->table->w, KEY_DOWN);
		break;
	case TA_TAG_FILTER:
		matrix_next_tag(m, tui);
		break;
	case TA_SORT:
		wtable_sort(m->table, m->table->sort_col + 1 >= MC__N ? -1 :
		    m->table->sort_col + 1, m->table->sort_desc);
		tui_message(tui, WR_INFO, "sorted by %s",
		    m->table->sort_col < 0 ? "priority" :
		    matrix_cols[m->table->sort_col].title);
		break;
	case TA_SORT_REVERSE:
		wtable_sort(m->table, m->table->sort_col, !m->table->sort_desc);
		break;
	case TA_OPEN_BOOK:
		if (cur != NULL) {
			tui_set_account(tui, cur->key);
			tui_switch(tui, TV_BOOK);
		}
		return WIDGET_HANDLED;
	default:
		if (!(widget_key(&m->table->w, key) & WIDGET_HANDLED))
			return WIDGET_IGNORED;
		break;
	}
	if ((cur = wtable_current(m->table)) != NULL)
		tui_set_account(tui, cur->key);
	return WIDGET_HANDLED | WIDGET_REDRAW;
}

static void
matrix_filter(void *v, struct tui *tui, const char *text)
{
	struct matrix	*m = v;

	wtable_set_filter(m->table, text);
}

const struct tui_view_ops view_matrix_ops = {
	"Matrix", matrix_create, matrix_destroy, matrix_show, matrix_data,
	matrix_draw, matrix_key, matrix_filter, TUI_D_ACCOUNTS
};
