/*
 * A connector as the listener holds it: its token decrypted, its allow
 * list parsed into networks, its rate bucket and trading window.  Rows
 * come from store_connectors_load(); an entry whose row did not change
 * keeps its bucket across reloads.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auto/hook_conn.h"
#include "util/secret.h"

/*
 * The addresses TradingView sends webhook alerts from, as it publishes
 * them ("About webhooks", TradingView help centre).
 */
static const char *const tradingview_ips[] = { "52.89.214.238",
	"34.212.75.30", "54.218.53.128", "52.32.178.7", NULL };

const char *const *
hook_tradingview_ips(void)
{
	return tradingview_ips;
}

/* "1.2.3.4", "1.2.3.0/24", "::1", "fd00::/8"; 0 or -1. */
int
hook_net_parse(const char *s, struct hook_net *n)
{
	char	 buf[64], *slash, *end;
	long	 bits;

	if (strlen(s) >= sizeof buf)
		return -1;
	snprintf(buf, sizeof buf, "%s", s);
	memset(n, 0, sizeof *n);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, n->addr) == 1) {
		n->family = AF_INET;
		n->bits = 32;
	} else if (inet_pton(AF_INET6, buf, n->addr) == 1) {
		n->family = AF_INET6;
		n->bits = 128;
	} else
		return -1;
	if (slash != NULL) {
		bits = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || bits < 0 ||
		    bits > n->bits)
			return -1;
		n->bits = (int)bits;
	}
	return 0;
}

int
hook_net_valid(const char *s)
{
	struct hook_net	n;

	return hook_net_parse(s, &n) == 0;
}

static int
net_has(const struct hook_net *n, int family, const unsigned char *a)
{
	int	full = n->bits / 8, rest = n->bits % 8;

	if (n->family != family || memcmp(n->addr, a, (size_t)full) != 0)
		return 0;
	return rest == 0 || ((n->addr[full] ^ a[full]) &
	    (0xff << (8 - rest)) & 0xff) == 0;
}

int
hook_conn_allows(const struct hook_conn *c, const char *addr)
{
	unsigned char	a[16], m[16];
	size_t		i;
	int		family;

	if (c->nallow == 0)
		return 1;
	if (addr == NULL)
		return 0;
	if (inet_pton(AF_INET, addr, a) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, addr, a) == 1) {
		family = AF_INET6;
		/* ::ffff:1.2.3.4 is 1.2.3.4 */
		memset(m, 0, 10);
		m[10] = m[11] = 0xff;
		if (memcmp(a, m, 12) == 0) {
			memmove(a, a + 12, 4);
			family = AF_INET;
		}
	} else
		return 0;
	for (i = 0; i < c->nallow; i++) {
		if (net_has(&c->allow[i], family, a))
			return 1;
	}
	return 0;
}

/* Token bucket: rate per second, a burst of one second's worth. */
int
hook_conn_take(struct hook_conn *c, int64_t now_us)
{
	double	elapsed;

	if (c->rate <= 0)
		return 1;
	if (c->refill_us == 0) {
		c->tokens = c->rate;
		c->refill_us = now_us;
	}
	elapsed = (double)(now_us - c->refill_us) / 1e6;
	c->refill_us = now_us;
	c->tokens += elapsed * c->rate;
	if (c->tokens > c->rate)
		c->tokens = c->rate;
	if (c->tokens < 1.0)
		return 0;
	c->tokens -= 1.0;
	return 1;
}

/* Minutes after midnight IST of a wall clock in microseconds. */
int
hook_ist_minute(int64_t wall_us)
{
	int64_t	s = wall_us / 1000000 + 5 * 3600 + 1800;

	return (int)((s % 86400) / 60);
}

int
hook_conn_in_window(const struct hook_conn *c, int minute)
{
	if (c->win_from < 0)
		return 1;
	if (c->win_from <= c->win_to)
		return minute >= c->win_from && minute < c->win_to;
	return minute >= c->win_from || minute < c->win_to;
}

static int
hhmm(const char *s)
{
	int	h, m;

	if (s == NULL || sscanf(s, "%d:%d", &h, &m) != 2)
		return -1;
	return h * 60 + m;
}

void
hook_conn_clear(struct hook_conn *c)
{
	if (c->token != NULL)
		secret_free(c->token);
	free(c->allow);
	json_decref(c->row);
	memset(c, 0, sizeof *c);
}

/* 0, or -1 with err (a token that does not decrypt: wrong master key). */
int
hook_conn_from_row(struct hook_conn *c, json_t *row, const char *home,
    struct err *e)
{
	json_t		*allow, *v, *opts;
	size_t		 i;
	const char	*s;

	memset(c, 0, sizeof *c);
	c->row = json_incref(row);
	c->id = json_integer_value(json_object_get(row, "id"));
	snprintf(c->name, sizeof c->name, "%s",
	    json_string_value(json_object_get(row, "name")));
	snprintf(c->version, sizeof c->version, "%s",
	    json_string_value(json_object_get(row, "version")));
	c->enabled = json_is_true(json_object_get(row, "enabled"));
	c->rate = (int)json_integer_value(json_object_get(row, "rate_per_s"));
	c->body_limit = (size_t)json_integer_value(json_object_get(row,
	    "body_limit"));
	c->win_from = hhmm(json_string_value(json_object_get(row,
	    "window_from")));
	c->win_to = hhmm(json_string_value(json_object_get(row, "window_to")));
	if (c->win_to < 0)
		c->win_from = -1;
	allow = json_object_get(row, "allow");
	c->allow = xcalloc(json_array_size(allow) * 4 + 1, sizeof *c->allow);
	json_array_foreach(allow, i, v) {
		const char *const	*tv = tradingview_ips;

		s = json_string_value(v);
		if (s != NULL && strcmp(s, "tradingview") == 0) {
			for (; *tv != NULL; tv++)
				if (hook_net_parse(*tv, &c->allow[c->nallow])
				    == 0)
					c->nallow++;
		} else if (s != NULL && hook_net_parse(s,
		    &c->allow[c->nallow]) == 0)
			c->nallow++;
	}
	opts = json_object_get(row, "options");
	c->cfg.dialect = json_string_value(json_object_get(row, "dialect"));
	c->cfg.symbol_map = json_object_get(row, "symbol_map");
	c->cfg.field_map = json_object_get(row, "field_map");
	c->cfg.action = json_string_value(json_object_get(opts, "action"));
	c->cfg.qty = json_integer_value(json_object_get(opts, "qty"));
	c->cfg.position_sync = json_is_true(json_object_get(opts,
	    "position_sync"));
	if (secret_decrypt(home, json_string_value(json_object_get(row,
	    "token_enc")), &c->token, e) != 0) {
		c->token = NULL;
		return -1;
	}
	return 0;
}
