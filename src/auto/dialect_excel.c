/*
 * Excel: WEBSERVICE() can only GET a URL, so every field is in the query
 * (=WEBSERVICE("http://host:8787/hook/xl?token=T&action=buy&symbol="&A2
 * &"&qty="&B2)); the answer is one short line of plain text that fits a
 * cell.  A form POST (Power Query, VBA) is read the same way.
 */
#include "auto/hook_int.h"

int
dialect_excel(const struct hook_conn_cfg *c, const struct hook_in *in,
    struct hook_parsed *out, struct err *e)
{
	json_t	*form = json_object(), *f = json_object();
	int	 rc = -1;

	if (hook_form_fields(in, form, e) == 0) {
		hook_fields_common(form, f);
		hook_take_token(out, f);
		rc = hook_fields_signal(c, f, out, e);
	}
	json_decref(form);
	json_decref(f);
	return rc;
}
