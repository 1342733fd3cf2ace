/* The listener's view of a connector (hook_conn.c); src/auto only. */
#ifndef PX_AUTO_HOOK_CONN_H
#define PX_AUTO_HOOK_CONN_H

#include "auto/hook.h"

struct hook_net {
	int		family;
	unsigned char	addr[16];
	int		bits;
};

struct hook_conn {
	int64_t			 id;
	char			 name[72];
	char			 version[40];
	char			*token;
	struct hook_net		*allow;
	size_t			 nallow;
	int			 rate;
	double			 tokens;
	int64_t			 refill_us;
	size_t			 body_limit;
	int			 win_from;	/* minutes IST, -1 none */
	int			 win_to;
	int			 enabled;
	struct hook_conn_cfg	 cfg;		/* points into row */
	json_t			*row;
};

const char *const *hook_tradingview_ips(void);
int hook_net_parse(const char *, struct hook_net *);
int hook_conn_allows(const struct hook_conn *, const char *addr);
int hook_conn_take(struct hook_conn *, int64_t now_us);
int hook_ist_minute(int64_t wall_us);
int hook_conn_in_window(const struct hook_conn *, int minute);
int hook_conn_from_row(struct hook_conn *, json_t *row, const char *home,
    struct err *);
void hook_conn_clear(struct hook_conn *);

#endif
