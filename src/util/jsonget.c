/*
 * Reading rows that came back as JSON.
 */
#include "util/jsonget.h"

const char *
jstr(const json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}
