/*
 * Amibroker AFL: InternetOpenURL() sends a GET with the fields in the
 * query, InternetPostRequest() a form POST.  Fields as AFL scripts name
 * them: symbol (or ticker), action BUY|SELL|SHORT|COVER, qty, price,
 * ordertype, product, exchange, id; the token as a field or in the path.
 */
#include <string.h>

#include "auto/hook_int.h"

int
dialect_amibroker(const struct hook_conn_cfg *c, const struct hook_in *in,
    struct hook_parsed *out, struct err *e)
{
	json_t	*form, *f;
	int	 rc = -1;

	form = json_object();
	f = json_object();
	if (hook_body_is_json(in)) {
		err_set(e, "malformed", "amibroker sends form fields or a query, "
		    "not JSON (use dialect tradingview or custom for JSON)");
	} else if (hook_form_fields(in, form, e) == 0) {
		hook_fields_common(form, f);
		hook_take_token(out, f);
		rc = hook_fields_signal(c, f, out, e);
	}
	json_decref(form);
	json_decref(f);
	return rc;
}
