/*
 * Chartink screener alerts: {"stocks":"SBIN,TCS","trigger_prices":
 * "812.5,3901.2","triggered_at":"2:34 pm","scan_name":"...","scan_url":
 * "...","alert_name":"...","webhook_url":"..."}.  One signal per stock,
 * on NSE, with the connector's action and qty (a scan says which stocks,
 * not what to do with them); the trigger price is kept, the order is a
 * market order unless the connector's map says otherwise.
 */
#include <stdlib.h>
#include <string.h>

#include "auto/hook_int.h"

static char *
nth_item(const char *list, size_t n)
{
	const char	*p = list, *comma;
	size_t		 i;

	for (i = 0; p != NULL && i < n; i++) {
		comma = strchr(p, ',');
		p = comma != NULL ? comma + 1 : NULL;
	}
	if (p == NULL)
		return NULL;
	comma = strchr(p, ',');
	while (*p == ' ')
		p++;
	return xstrndup(p, comma != NULL ? (size_t)(comma - p) : strlen(p));
}

int
dialect_chartink(const struct hook_conn_cfg *c, const struct hook_in *in,
    struct hook_parsed *out, struct err *e)
{
	json_t		*doc, *flat, *f;
	const char	*stocks, *prices;
	char		*stock, *price;
	size_t		 i;
	int		 rc = 0;

	if ((doc = hook_json_body(in, e)) == NULL)
		return -1;
	flat = json_object();
	hook_json_flatten(doc, NULL, flat);
	stocks = json_string_value(json_object_get(flat, "stocks"));
	prices = json_string_value(json_object_get(flat, "trigger_prices"));
	if (stocks == NULL || stocks[strspn(stocks, " ,")] == '\0') {
		err_set(e, "malformed", "no \"stocks\" in the Chartink alert");
		rc = -1;
	}
	if (rc == 0 && json_string_value(json_object_get(flat, "token")))
		out->token = xstrdup(json_string_value(json_object_get(flat,
		    "token")));
	for (i = 0; rc == 0 && (stock = nth_item(stocks, i)) != NULL; i++) {
		if (*stock == '\0') {
			free(stock);
			continue;
		}
		f = json_object();
		json_object_set_new(f, "symbol", json_string(stock));
		json_object_set_new(f, "exchange", json_string("NSE"));
		json_object_set_new(f, "unit", json_string("units"));
		if (prices != NULL && (price = nth_item(prices, i)) != NULL) {
			json_object_set_new(f, "price", json_string(price));
			free(price);
		}
		rc = hook_fields_signal(c, f, out, e);
		json_decref(f);
		free(stock);
	}
	json_decref(flat);
	json_decref(doc);
	return rc;
}
