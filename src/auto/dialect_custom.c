/*
 * Custom senders: the connector's map names where each field is, as a
 * JSON pointer into a JSON body ("symbol=/order/instrument") or as a form
 * or query field name ("symbol=sym").  Fields the map leaves out are
 * looked for under their usual names; the connector's action and qty
 * fill what the payload does not say.
 */
#include <stdlib.h>
#include <string.h>

#include "auto/hook_int.h"

static void
custom_json(const struct hook_conn_cfg *c, json_t *doc, json_t *f)
{
	const char	*k;
	json_t		*ptr, *v;
	char		*text;

	json_object_foreach(c->field_map, k, ptr) {
		if (!json_is_string(ptr))
			continue;
		v = hook_json_pointer(doc, json_string_value(ptr));
		if (v == NULL && json_string_value(ptr)[0] != '/')
			v = json_object_get(doc, json_string_value(ptr));
		if (v != NULL && (text = hook_scalar_text(v)) != NULL) {
			json_object_set_new(f, k, json_string(text));
			free(text);
		}
	}
}

static void
custom_form(const struct hook_conn_cfg *c, json_t *form, json_t *f)
{
	const char	*k, *name;
	json_t		*ptr, *v;

	json_object_foreach(c->field_map, k, ptr) {
		if ((name = json_string_value(ptr)) == NULL)
			continue;
		if (*name == '/')
			name++;
		if ((v = json_object_get(form, name)) != NULL)
			json_object_set(f, k, v);
	}
}

int
dialect_custom(const struct hook_conn_cfg *c, const struct hook_in *in,
    struct hook_parsed *out, struct err *e)
{
	json_t	*doc = NULL, *flat = json_object(), *f = json_object();
	int	 rc = -1;

	if (hook_body_is_json(in)) {
		if ((doc = hook_json_body(in, e)) != NULL) {
			hook_json_flatten(doc, NULL, flat);
			hook_fields_common(flat, f);
			custom_json(c, doc, f);
			rc = 0;
		}
	} else if (hook_form_fields(in, flat, e) == 0) {
		hook_fields_common(flat, f);
		custom_form(c, flat, f);
		rc = 0;
	}
	if (rc == 0) {
		hook_take_token(out, f);
		rc = hook_fields_signal(c, f, out, e);
	}
	json_decref(doc);
	json_decref(flat);
	json_decref(f);
	return rc;
}
