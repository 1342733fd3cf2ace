/*
 * paper internals shared by paper.c (the adapter's operations) and
 * paper_book.c (the books and last prices they work on).
 */
#ifndef PX_PAPER_INT_H
#define PX_PAPER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "broker/broker_lib.h"

struct paper_price {
	char		key[64];	/* "NFO:NIFTY25DECFUT" */
	int64_t		paise;
};

struct paper_pos {
	char			 exchange[8];
	char			 symbol[48];
	enum broker_product	 product;
	int64_t			 buy_qty, buy_value;
	int64_t			 sell_qty, sell_value;
};

struct paper;

struct paper_acct {
	char			 name[64];
	int64_t			 cash;
	struct broker_order	*orders;
	size_t			 norders;
	struct broker_trade	*trades;
	size_t			 ntrades;
	struct paper_pos	*pos;
	size_t			 npos;
	int			 seeded;	/* open positions read back */
	int			 seeding;
	/*
	 * Where its resting orders are kept; owner is the adapter it is
	 * borrowed from, the newest of those with a store (keepers).  When
	 * the owner is freed the next keeper lends it: a reconciler's
	 * adapter, made and freed while the router's lives, leaves the book
	 * still kept.
	 */
	struct paper_store	 store;
	const void		*store_owner;
	struct paper		*keepers;
	struct paper_acct	*next;
};

int64_t			 paper_next_seq(void);
struct paper_price	*paper_price_find(const char *);
struct paper_acct	*paper_acct_get(const char *, int64_t);
struct broker_order	*paper_order_find(struct paper_acct *, const char *);
void	paper_fill(struct paper_acct *, struct broker_order *, int64_t);
void	paper_order_tick(struct paper_acct *, struct broker_order *, int64_t,
	    int);
void	paper_position_of(const struct paper_pos *, struct broker_position *);
void	paper_seeded(const struct broker_position *, size_t, void *);

/* paper_store.c */
#include <jansson.h>
int	 paper_resting(const struct broker_order *);
json_t	*paper_order_json(const struct broker_order *);
int	 paper_order_of_json(json_t *, struct broker_order *);
struct broker_order *paper_order_adopt(struct paper_acct *,
	    const struct broker_order *);
void	 paper_order_changed(struct paper_acct *, const struct broker_order *);

#endif
