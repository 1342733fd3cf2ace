/*
 * libFuzzer harness for the Kite wire decoders: every input goes through
 * every decoder, as a 200 and as a 502, and through the instrument CSV
 * parser in uneven chunks.  Nothing may crash, leak or read out of bounds,
 * and a failure must always come with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "broker/kite.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(int rc, const struct broker_err *be)
{
	if (rc != 0 && (!err_isset(&be->err) || be->kind == BROKER_ERR_NONE))
		abort();
	if (rc == 0 && be->kind != BROKER_ERR_NONE)
		abort();
}

static int
row(const struct broker_instrument *in, void *arg)
{
	size_t	*n = arg;

	if (in->tradingsymbol[0] == '\0' || in->lot_size < 0)
		abort();
	(*n)++;
	return 0;
}

static void
decode_all(const char *s, size_t len, long http)
{
	struct broker_err		 be;
	struct broker_order		*o, po;
	struct broker_trade		*t;
	struct broker_positions		 p;
	struct broker_margins		 m;
	struct broker_margin_segment	 seg;
	struct broker_quote		*q;
	struct kite_autoslice		 a;
	char				 id[32];
	size_t				 n;
	int				 rc;

	check(kite_decode_status(BROKER_OP_CANCEL, http, s, len, &be), &be);
	rc = kite_decode_order_id(BROKER_OP_PLACE, http, s, len, id, &be);
	check(rc, &be);
	if (rc == 0 && strlen(id) == 0)
		abort();
	rc = kite_decode_orders(BROKER_OP_ORDERS, http, s, len, &o, &n, &be);
	check(rc, &be);
	free(o);
	check(kite_decode_trades(http, s, len, &t, &n, &be), &be);
	free(t);
	check(kite_decode_positions(http, s, len, &p, &be), &be);
	free(p.net);
	free(p.day);
	check(kite_decode_margins(http, s, len, &m, &be), &be);
	check(kite_decode_margin_segment(http, s, len, &seg, &be), &be);
	check(kite_decode_quotes(http, s, len, &q, &n, &be), &be);
	free(q);
	check(kite_decode_autoslice(http, s, len, &a, &be), &be);
	kite_autoslice_free(&a);
	if (http == 200) {
		check(kite_decode_postback(s, len, "secret", &po, &be), &be);
		check(kite_decode_postback(s, len, NULL, &po, &be), &be);
	}
}

static void
csv_all(const char *s, size_t len)
{
	struct broker_err	 be;
	struct kite_csv		*p;
	size_t			 off, step, rows = 0;
	int			 rc = 0;

	p = kite_csv_new(row, &rows);
	step = len > 0 ? (size_t)(unsigned char)s[0] % 13 + 1 : 1;
	for (off = 0; off < len && rc == 0; off += step) {
		rc = kite_csv_feed(p, s + off, len - off < step ? len - off :
		    step, &be);
	}
	if (rc == 0)
		rc = kite_csv_finish(p, &be);
	check(rc, &be);
	if (kite_csv_rows(p) != rows)
		abort();
	kite_csv_free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char	*s;
	int64_t	 v;

	/* A copy of exactly len bytes, so any over-read is caught. */
	s = malloc(len + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, len);
	decode_all(s, len, 200);
	decode_all(s, len, 502);
	csv_all(s, len);
	(void)kite_paise_parse(s, len, &v, NULL);
	s[len] = '\0';
	(void)kite_ts_parse(s, &v);
	(void)kite_order_state(s, 10, 5);
	free(s);
	return 0;
}
