/*
 * MetaTrader 4/5 expert advisors: WebRequest() posts JSON or a form
 * the EA builds itself: symbol, type (0/1, OP_BUY/OP_SELL,
 * ORDER_TYPE_BUY/ORDER_TYPE_SELL, buy/sell, close), volume in lots
 * ("2.00"; a fraction of a lot is refused), price, ticket (the id that
 * de-duplicates), magic and comment (kept in the payload).  MT symbol
 * names (NIFTY_FUT, BANKNIFTYz) go through the connector's symbol map.
 */
#include "auto/hook_int.h"

int
dialect_mt(const struct hook_conn_cfg *c, const struct hook_in *in,
    struct hook_parsed *out, struct err *e)
{
	json_t	*doc = NULL, *flat = json_object(), *f = json_object();
	int	 rc = -1;

	if (hook_body_is_json(in)) {
		if ((doc = hook_json_body(in, e)) != NULL) {
			hook_json_flatten(doc, NULL, flat);
			rc = 0;
		}
	} else
		rc = hook_form_fields(in, flat, e);
	if (rc == 0) {
		hook_fields_common(flat, f);
		hook_take_token(out, f);
		rc = hook_fields_signal(c, f, out, e);
	}
	json_decref(doc);
	json_decref(flat);
	json_decref(f);
	return rc;
}
