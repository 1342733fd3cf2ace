/*
 * View 5, the book of the selected account: its positions above, its
 * latest orders below.  Tab moves the cursor between the two tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/tui.h"

enum { PC_EXCH, PC_SYMBOL, PC_PRODUCT, PC_QTY, PC_AVG, PC_LTP, PC_REAL,
	PC_UNREAL, PC__N };
enum { OC_TIME, OC_ID, OC_SIDE, OC_SYMBOL, OC_QTY, OC_FILLED, OC_TYPE,
	OC_PRICE, OC_AVG, OC_STATE, OC_MSG, OC__N };

static const struct wtable_col pos_cols[PC__N] = {
	{ "Exch", 3, 5, WALIGN_LEFT, WCOL_DROP, 1 },
	{ "Symbol", 10, 28, WALIGN_LEFT, WCOL_PIN, 10 },
	{ "Prod", 3, 4, WALIGN_LEFT, WCOL_DROP, 2 },
	{ "Qty", 3, 8, WALIGN_RIGHT, WCOL_NUM, 9 },
	{ "Avg", 6, 12, WALIGN_RIGHT, WCOL_NUM | WCOL_MONEY, 7 },
	{ "LTP", 6, 12, WALIGN_RIGHT, WCOL_NUM | WCOL_MONEY, 6 },
	{ "Realised", 7, 14, WALIGN_RIGHT, WCOL_NUM | WCOL_MONEY, 5 },
	{ "Unrealised", 7, 14, WALIGN_RIGHT, WCOL_NUM | WCOL_MONEY, 8 },
};

static const struct wtable_col ord_cols[OC__N] = {
	{ "Time", 8, 8, WALIGN_LEFT, WCOL_DROP, 4 },
	{ "Order", 4, 10, WALIGN_RIGHT, WCOL_NUM, 5 },
	{ "Side", 4, 4, WALIGN_LEFT, 0, 9 },
	{ "Symbol", 10, 28, WALIGN_LEFT, WCOL_PIN, 10 },
	{ "Qty", 3, 8, WALIGN_RIGHT, WCOL_NUM, 8 },
	{ "Filled", 4, 8, WALIGN_RIGHT, WCOL_NUM, 7 },
	{ "Type", 4, 6, WALIGN_LEFT, WCOL_DROP, 2 },
	{ "Price", 5, 12, WALIGN_RIGHT, WCOL_NUM | WCOL_MONEY, 3 },
	{ "Avg", 5, 12, WALIGN_RIGHT, WCOL_NUM | WCOL_MONEY, 6 },
	{ "State", 9, 16, WALIGN_LEFT, 0, 9 },
	{ "Message", 4, 0, WALIGN_LEFT, WCOL_DROP, 0 },
};

struct book {
	struct wtable	*pos;
	struct wtable	*ord;
	int		 focus;		/* 0 positions, 1 orders */
};

static void *
book_create(struct tui *tui)
{
	struct book	*b;

	b = xcalloc(1, sizeof *b);
	b->pos = wtable_new(pos_cols, PC__N);
	b->ord = wtable_new(ord_cols, OC__N);
	wtable_set_empty(b->pos, "Select an account on the matrix (1) first.");
	wtable_set_empty(b->ord, "");
	return b;
}

static void
book_destroy(void *v)
{
	struct book	*b = v;

	widget_free(&b->pos->w);
	widget_free(&b->ord->w);
	free(b);
}

static void
book_show(void *v, struct tui *tui)
{
	struct book	*b = v;

	if (tui->account == NULL)
		return;
	if (tui_data_book_account(tui->data) == NULL ||
	    strcmp(tui_data_book_account(tui->data), tui->account) != 0) {
		wtable_clear(b->pos);
		wtable_commit(b->pos);
		wtable_clear(b->ord);
		wtable_commit(b->ord);
		wtable_set_empty(b->pos, "loading...");
	}
	tui_data_book(tui->data, tui->account);
}

static void
book_money(struct wtable *t, size_t r, int col, json_t *row, const char *key)
{
	char	buf[48];

	tui_fmt_money(row, key, buf, sizeof buf);
	wtable_set(t, r, col, buf);
}

static void
book_positions(struct book *b, json_t *rows)
{
	json_t	*row;
	size_t	 i, r;
	int64_t	 q;
	char	*key;

	wtable_clear(b->pos);
	json_array_foreach(rows, i, row) {
		key = xasprintf("%s:%s:%s", tui_str(row, "exchange"),
		    tui_str(row, "symbol"), tui_str(row, "product"));
		q = tui_int(row, "qty");
		r = wtable_add(b->pos, key, q == 0 ? WR_DIM : q > 0 ? WR_GOOD :
		    WR_BAD);
		free(key);
		wtable_set(b->pos, r, PC_EXCH, tui_str(row, "exchange"));
		wtable_set(b->pos, r, PC_SYMBOL, tui_str(row, "symbol"));
		wtable_set(b->pos, r, PC_PRODUCT, tui_str(row, "product"));
		wtable_setf(b->pos, r, PC_QTY, "%lld", (long long)q);
		book_money(b->pos, r, PC_AVG, row, "avg_price");
		book_money(b->pos, r, PC_LTP, row, "last_price");
		book_money(b->pos, r, PC_REAL, row, "realised_pnl");
		book_money(b->pos, r, PC_UNREAL, row, "unrealised_pnl");
	}
	wtable_set_empty(b->pos, "No positions.");
	wtable_commit(b->pos);
}

static void
book_orders(struct book *b, json_t *rows)
{
	json_t	*row;
	size_t	 i, r;
	char	 clock[24];

	wtable_clear(b->ord);
	json_array_foreach(rows, i, row) {
		r = wtable_add(b->ord, tui_str(row, "broker_order_id"),
		    theme_state_role(tui_str(row, "state")));
		free(b->ord->rows[r].key);
		b->ord->rows[r].key = xasprintf("%lld",
		    (long long)tui_int(row, "id"));
		tui_fmt_clock(tui_int(row, "ts_us"), 0, clock, sizeof clock);
		wtable_set(b->ord, r, OC_TIME, clock);
		wtable_setf(b->ord, r, OC_ID, "%lld",
		    (long long)tui_int(row, "id"));
		wtable_set(b->ord, r, OC_SIDE, tui_str(row, "side"));
		wtable_set(b->ord, r, OC_SYMBOL, tui_str(row, "symbol"));
		wtable_setf(b->ord, r, OC_QTY, "%lld",
		    (long long)tui_int(row, "qty"));
		wtable_setf(b->ord, r, OC_FILLED, "%lld",
		    (long long)tui_int(row, "filled_qty"));
		wtable_set(b->ord, r, OC_TYPE, tui_str(row, "order_type"));
		book_money(b->ord, r, OC_PRICE, row, "price");
		book_money(b->ord, r, OC_AVG, row, "avg_price");
		wtable_set(b->ord, r, OC_STATE, tui_str(row, "state"));
		wtable_set(b->ord, r, OC_MSG, tui_str(row, "message"));
	}
	wtable_set_empty(b->ord, "No orders.");
	wtable_commit(b->ord);
}

static void
book_data(void *v, struct tui *tui, int what)
{
	struct book	*b = v;

	if (!(what & TUI_D_BOOK))
		return;
	book_positions(b, tui_data_positions(tui->data));
	book_orders(b, tui_data_orders(tui->data));
}

/* The table without focus shows no cursor. */
static void
book_table(struct wtable *t, int focused, WINDOW *win, int y, int x, int h,
    int w)
{
	t->hide_cursor = !focused;
	widget_move(&t->w, y, x, h, w);
	widget_draw(&t->w, win);
}

static void
book_draw(void *v, struct tui *tui, WINDOW *win, int y, int x, int h, int w)
{
	struct book	*b = v;
	const char	*acct = tui_data_book_account(tui->data);
	char		*title;
	int		 ph;

	title = xasprintf("%s  positions %zu  orders %zu (latest 200)",
	    acct != NULL ? acct : "no account selected", b->pos->nvis,
	    b->ord->nvis);
	wtext_put(win, y, x, w, WALIGN_LEFT, widget_attr[WR_DIM], title);
	free(title);
	ph = (h - 1) / 2;
	if (ph > (int)b->pos->nvis + 2)
		ph = (int)b->pos->nvis + 2;
	if (ph < 3)
		ph = 3;
	book_table(b->pos, b->focus == 0, win, y + 1, x, ph, w);
	book_table(b->ord, b->focus == 1, win, y + 1 + ph, x, h - 1 - ph, w);
}

static int
book_key(void *v, struct tui *tui, int key)
{
	struct book	*b = v;

	if (keymap_lookup(TC_BOOK, key) == TA_BOOK_FOCUS) {
		b->focus = !b->focus;
		return WIDGET_HANDLED | WIDGET_REDRAW;
	}
	return widget_key(b->focus ? &b->ord->w : &b->pos->w, key);
}

static void
book_filter(void *v, struct tui *tui, const char *text)
{
	struct book	*b = v;

	wtable_set_filter(b->pos, text);
	wtable_set_filter(b->ord, text);
}

const struct tui_view_ops view_book_ops = {
	"Positions", book_create, book_destroy, book_show, book_data,
	book_draw, book_key, book_filter, TUI_D_BOOK
};
