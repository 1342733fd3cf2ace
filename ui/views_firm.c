/*
 * View 6, the firm's book: one row per instrument with the net position
 * across every account (quantity, average, LTP, MTM, realised, how many
 * accounts hold it), Enter opens the accounts behind a row.  Sorted by the
 * view itself, so that an instrument's accounts stay under it; filtered by
 * group (t) and text (/).  s squares the instrument off in every account
 * holding it, behind the confirmation that names accounts and quantities.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/tui.h"

enum { FC_SYMBOL, FC_EXCH, FC_ACCTS, FC_QTY, FC_AVG, FC_LTP, FC_MTM,
	FC_REAL, FC__N };

static const struct wtable_col firm_cols[FC__N] = {
	{ "Instrument", 10, 30, WALIGN_LEFT, WCOL_PIN, 10 },
	{ "Exch", 3, 5, WALIGN_LEFT, WCOL_DROP, 1 },
	{ "Accts", 3, 5, WALIGN_RIGHT, WCOL_NUM, 7 },
	{ "Net qty", 4, 10, WALIGN_RIGHT, WCOL_NUM, 9 },
	{ "Avg", 6, 12, WALIGN_RIGHT, WCOL_NUM | WCOL_MONEY, 6 },
	{ "LTP", 6, 12, WALIGN_RIGHT, WCOL_NUM | WCOL_MONEY, 5 },
	{ "MTM", 6, 16, WALIGN_RIGHT, WCOL_NUM | WCOL_MONEY, 8 },
	{ "Realised", 6, 16, WALIGN_RIGHT, WCOL_NUM | WCOL_MONEY, 4 },
};

/* One instrument, summed over the accounts (and products) that hold it. */
struct firm_inst {
	const char	*exch, *sym;
	int64_t		 qty, cost, ltp, mtm, real;
	int		 have_ltp;
	int		 accounts;	/* holding a non-zero quantity */
	json_t		*rows;		/* the account rows (borrowed) */
};

struct firm {
	struct wtable	 *table;
	char		 *tag;		/* group filter; NULL: all */
	char		**open;		/* expanded instruments, "EXCH:SYM" */
	size_t		  nopen;
	int		  all_open;
	int		  sort_col;	/* -1: by instrument */
	int		  sort_desc;
	struct firm_inst *inst;
	size_t		  ninst;
};

static char *
firm_key(const char *exch, const char *sym)
{
	return xasprintf("%s:%s", exch, sym);
}

static int
firm_is_open(const struct firm *f, const char *key)
{
	size_t	i;

	if (f->all_open)
		return 1;
	for (i = 0; i < f->nopen; i++) {
		if (strcmp(f->open[i], key) == 0)
			return 1;
	}
	return 0;
}

static void
firm_toggle(struct firm *f, const char *key)
{
	size_t	i;

	for (i = 0; i < f->nopen; i++) {
		if (strcmp(f->open[i], key) == 0) {
			free(f->open[i]);
			f->open[i] = f->open[--f->nopen];
			return;
		}
	}
	f->open = xreallocarray(f->open, f->nopen + 1, sizeof *f->open);
	f->open[f->nopen++] = xstrdup(key);
}

static int
firm_has_tag(json_t *row, const char *tag)
{
	json_t	*t;
	size_t	 i;

	json_array_foreach(json_object_get(row, "tags"), i, t) {
		if (json_is_string(t) && strcmp(json_string_value(t), tag) == 0)
			return 1;
	}
	return 0;
}

static void
firm_free_inst(struct firm *f)
{
	size_t	i;

	for (i = 0; i < f->ninst; i++)
		json_decref(f->inst[i].rows);
	free(f->inst);
	f->inst = NULL;
	f->ninst = 0;
}

static void
firm_add_row(struct firm_inst *in, json_t *row, const char **last_acct)
{
	int64_t	q = tui_int(row, "qty"), p;

	json_array_append(in->rows, row);
	in->qty += q;
	if (q != 0 && tui_paise(row, "avg_price", &p) == 0)
		in->cost += q * p;
	if (tui_paise(row, "last_price", &p) == 0) {
		in->ltp = p;
		in->have_ltp = 1;
	}
	if (tui_paise(row, "unrealised_pnl", &p) == 0)
		in->mtm += p;
	if (tui_paise(row, "realised_pnl", &p) == 0)
		in->real += p;
	if (q != 0 && (*last_acct == NULL ||
	    strcmp(*last_acct, tui_str(row, "account")) != 0)) {
		in->accounts++;
		*last_acct = tui_str(row, "account");
	}
}

/* Rows come ordered by instrument, then account: one pass sums them. */
static void
firm_aggregate(struct firm *f, json_t *rows)
{
	struct firm_inst	*in = NULL;
	const char		*last_acct = NULL;
	json_t			*row;
	size_t			 i;

	firm_free_inst(f);
	json_array_foreach(rows, i, row) {
		if (f->tag != NULL && !firm_has_tag(row, f->tag))
			continue;
		if (in == NULL || strcmp(in->sym, tui_str(row, "symbol")) != 0 ||
		    strcmp(in->exch, tui_str(row, "exchange")) != 0) {
			f->inst = xreallocarray(f->inst, f->ninst + 1,
			    sizeof *f->inst);
			in = &f->inst[f->ninst++];
			memset(in, 0, sizeof *in);
			in->exch = tui_str(row, "exchange");
			in->sym = tui_str(row, "symbol");
			in->rows = json_array();
			last_acct = NULL;
		}
		firm_add_row(in, row, &last_acct);
	}
}

static int64_t
firm_avg(const struct firm_inst *in)
{
	return in->qty != 0 ? in->cost / in->qty : 0;
}

/* qsort has no context argument: the sort of the view being drawn. */
static const struct firm	*firm_sorting;

static int
firm_cmp(const void *pa, const void *pb)
{
	const struct firm_inst	*a = pa, *b = pb;
	int64_t			 x, y;
	int			 r;

	switch (firm_sorting->sort_col) {
	case FC_ACCTS:
		x = a->accounts, y = b->accounts;
		break;
	case FC_QTY:
		x = a->qty, y = b->qty;
		break;
	case FC_AVG:
		x = firm_avg(a), y = firm_avg(b);
		break;
	case FC_LTP:
		x = a->ltp, y = b->ltp;
		break;
	case FC_MTM:
		x = a->mtm, y = b->mtm;
		break;
	case FC_REAL:
		x = a->real, y = b->real;
		break;
	case FC_EXCH:
		r = strcmp(a->exch, b->exch);
		x = r, y = 0;
		break;
	default:
		x = y = 0;
		break;
	}
	r = x < y ? -1 : x > y;
	if (firm_sorting->sort_desc)
		r = -r;
	return r != 0 ? r : strcmp(a->sym, b->sym);
}

static void
firm_money(struct wtable *t, size_t r, int col, int64_t p)
{
	char	buf[48];

	wfmt_inr(p, 2, buf, sizeof buf);
	wtable_set(t, r, col, buf);
}

static void
firm_inst_row(struct firm *f, struct firm_inst *in)
{
	struct wtable	*t = f->table;
	char		*key = firm_key(in->exch, in->sym);
	size_t		 r;

	r = wtable_add(t, key, in->qty == 0 ? WR_DIM : in->qty > 0 ? WR_GOOD :
	    WR_BAD);
	wtable_setf(t, r, FC_SYMBOL, "%s %s", firm_is_open(f, key) ?
	    (widget_ascii ? "-" : "\u25be") : (widget_ascii ? "+" : "\u25b8"),
	    in->sym);
	wtable_set(t, r, FC_EXCH, in->exch);
	wtable_setf(t, r, FC_ACCTS, "%d", in->accounts);
	wtable_setf(t, r, FC_QTY, "%lld", (long long)in->qty);
	if (in->qty != 0)
		firm_money(t, r, FC_AVG, firm_avg(in));
	else
		wtable_set(t, r, FC_AVG, "-");
	if (in->have_ltp)
		firm_money(t, r, FC_LTP, in->ltp);
	else
		wtable_set(t, r, FC_LTP, "-");
	firm_money(t, r, FC_MTM, in->mtm);
	firm_money(t, r, FC_REAL, in->real);
	free(key);
}

static void
firm_account_rows(struct firm *f, struct firm_inst *in)
{
	struct wtable	*t = f->table;
	json_t		*row;
	size_t		 i, r;
	int64_t		 q;
	char		*key, buf[48];

	json_array_foreach(in->rows, i, row) {
		q = tui_int(row, "qty");
		key = xasprintf("%s:%s:%s:%s", in->exch, in->sym,
		    tui_str(row, "account"), tui_str(row, "product"));
		r = wtable_add(t, key, q == 0 ? WR_DIM : WR_NORMAL);
		free(key);
		wtable_setf(t, r, FC_SYMBOL, "   %s %s", tui_str(row, "account"),
		    tui_str(row, "product"));
		wtable_setf(t, r, FC_QTY, "%lld", (long long)q);
		tui_fmt_money(row, "avg_price", buf, sizeof buf);
		wtable_set(t, r, FC_AVG, buf);
		tui_fmt_money(row, "last_price", buf, sizeof buf);
		wtable_set(t, r, FC_LTP, buf);
		tui_fmt_money(row, "unrealised_pnl", buf, sizeof buf);
		wtable_set(t, r, FC_MTM, buf);
		tui_fmt_money(row, "realised_pnl", buf, sizeof buf);
		wtable_set(t, r, FC_REAL, buf);
	}
}

static void
firm_rebuild(struct firm *f, struct tui *tui)
{
	size_t	i;
	char	*key;

	firm_aggregate(f, tui_data_firm(tui->data));
	if (f->sort_col >= 0 && f->ninst > 1) {
		firm_sorting = f;
		qsort(f->inst, f->ninst, sizeof *f->inst, firm_cmp);
		firm_sorting = NULL;
	}
	wtable_clear(f->table);
	for (i = 0; i < f->ninst; i++) {
		firm_inst_row(f, &f->inst[i]);
		key = firm_key(f->inst[i].exch, f->inst[i].sym);
		if (firm_is_open(f, key))
			firm_account_rows(f, &f->inst[i]);
		free(key);
	}
	wtable_set_empty(f->table, tui_data_firm(tui->data) == NULL ?
	    "loading positions..." : f->tag != NULL ?
	    "No position in this group today." : "No position today.");
	wtable_commit(f->table);
}

static void *
firm_create(struct tui *tui)
{
	struct firm	*f;

	f = xcalloc(1, sizeof *f);
	f->table = wtable_new(firm_cols, FC__N);
	f->sort_col = -1;
	wtable_set_empty(f->table, "loading positions...");
	return f;
}

static void
firm_destroy(void *v)
{
	struct firm	*f = v;
	size_t		 i;

	widget_free(&f->table->w);
	firm_free_inst(f);
	for (i = 0; i < f->nopen; i++)
		free(f->open[i]);
	free(f->open);
	free(f->tag);
	free(f);
}

static void
firm_show(void *v, struct tui *tui)
{
	tui_data_refresh(tui->data, TUI_D_FIRM);
}

static void
firm_data(void *v, struct tui *tui, int what)
{
	if (what & TUI_D_FIRM)
		firm_rebuild(v, tui);
}

static void
firm_draw(void *v, struct tui *tui, WINDOW *win, int y, int x, int h, int w)
{
	struct firm	*f = v;
	int64_t		 mtm = 0, real = 0;
	char		 m[48], r[48], *title;
	size_t		 i;

	for (i = 0; i < f->ninst; i++) {
		mtm += f->inst[i].mtm;
		real += f->inst[i].real;
	}
	wfmt_inr_compact(mtm, m, sizeof m);
	wfmt_inr_compact(real, r, sizeof r);
	title = xasprintf("Book: %zu instruments  MTM %s  realised %s%s%s",
	    f->ninst, m, r, f->tag ? "  group " : "", f->tag ? f->tag : "");
	wtext_put_words(win, y, x, w, widget_attr[WR_DIM], title);
	free(title);
	widget_move(&f->table->w, y + 1, x, h - 1, w);
	widget_draw(&f->table->w, win);
}

/* The instrument of the cursor's row, and the accounts s would touch. */
static const struct firm_inst *
firm_current(struct firm *f, const char **account)
{
	struct wtable_row	*cur = wtable_current(f->table);
	size_t			 i, n;
	char			*key;

	*account = NULL;
	if (cur == NULL)
		return NULL;
	for (i = 0; i < f->ninst; i++) {
		key = firm_key(f->inst[i].exch, f->inst[i].sym);
		n = strlen(key);
		if (strncmp(cur->key, key, n) == 0 && (cur->key[n] == '\0' ||
		    cur->key[n] == ':')) {
			free(key);
			if (cur->key[n] == ':')
				*account = cur->key + n + 1;
			return &f->inst[i];
		}
		free(key);
	}
	return NULL;
}

static void
firm_squareoff(struct firm *f, struct tui *tui)
{
	const struct firm_inst	 *in;
	const char		 *acct, **names, *last = NULL;
	char			 *one = NULL, *colon;
	json_t			 *row;
	size_t			  i, n = 0;

	if ((in = firm_current(f, &acct)) == NULL) {
		tui_message(tui, WR_WARN, "no instrument under the cursor");
		return;
	}
	names = xcalloc(json_array_size(in->rows) + 1, sizeof *names);
	if (acct != NULL) {
		/* An account row: "ACCOUNT:PRODUCT" after the instrument. */
		one = xstrdup(acct);
		if ((colon = strrchr(one, ':')) != NULL)
			*colon = '\0';
		names[n++] = one;
	} else {
		json_array_foreach(in->rows, i, row) {
			if (tui_int(row, "qty") == 0 || (last != NULL &&
			    strcmp(last, tui_str(row, "account")) == 0))
				continue;
			last = names[n++] = tui_str(row, "account");
		}
	}
	if (n == 0)
		tui_message(tui, WR_INFO, "%s: no account holds it", in->sym);
	else
		tui_action_symbol(tui, names, n, in->sym);
	free(names);
	free(one);
}

/* Cycle through the groups present: none, a, b, ..., none. */
static void
firm_next_tag(struct firm *f, struct tui *tui)
{
	const char	*next = tui_data_next_tag(tui->data, f->tag);

	free(f->tag);
	f->tag = next != NULL ? xstrdup(next) : NULL;
	firm_rebuild(f, tui);
	tui_message(tui, WR_INFO, "group filter: %s", f->tag ? f->tag : "none");
}

static int
firm_key_cb(void *v, struct tui *tui, int key)
{
	struct firm		*f = v;
	const struct firm_inst	*in;
	const char		*acct;
	char			*k;

	switch (keymap_lookup(TC_FIRM, key)) {
	case TA_EXPAND:
		if ((in = firm_current(f, &acct)) == NULL)
			return WIDGET_HANDLED;
		if (f->all_open) {
			/* Everything was open: Enter folds it all back. */
			f->all_open = 0;
			while (f->nopen > 0)
				free(f->open[--f->nopen]);
			break;
		}
		k = firm_key(in->exch, in->sym);
		firm_toggle(f, k);
		free(k);
		break;
	case TA_EXPAND_ALL:
		f->all_open = !f->all_open;
		break;
	case TA_SQUAREOFF_SYMBOL:
		firm_squareoff(f, tui);
		return WIDGET_HANDLED;
	case TA_TAG_FILTER:
		firm_next_tag(f, tui);
		return WIDGET_HANDLED | WIDGET_REDRAW;
	case TA_SORT:
		f->sort_col = f->sort_col + 1 >= FC__N ? -1 : f->sort_col + 1;
		if (f->sort_col == FC_SYMBOL)
			f->sort_col = FC_EXCH;
		tui_message(tui, WR_INFO, "sorted by %s", f->sort_col < 0 ?
		    "instrument" : firm_cols[f->sort_col].title);
		break;
	case TA_SORT_REVERSE:
		f->sort_desc = !f->sort_desc;
		break;
	default:
		return widget_key(&f->table->w, key);
	}
	firm_rebuild(f, tui);
	return WIDGET_HANDLED | WIDGET_REDRAW;
}

static void
firm_filter(void *v, struct tui *tui, const char *text)
{
	struct firm	*f = v;

	wtable_set_filter(f->table, text);
}

const struct tui_view_ops view_firm_ops = {
	"Book", firm_create, firm_destroy, firm_show, firm_data, firm_draw,
	firm_key_cb, firm_filter, TUI_D_FIRM
};
