/*
 * TradingView alerts.  The body is what the user's alert message became
 * once TradingView expanded its placeholders: usually a JSON template
 * ({"action":"{{strategy.order.action}}","contracts":
 * "{{strategy.order.contracts}}","ticker":"{{ticker}}",
 * "position":"{{strategy.market_position}}",...}, flat or nested as
 * {"strategy":{"order":{"action":...}}}), or a line of the command
 * language ("buy NIFTY26DECFUT 2 lots").  TradingView cannot set headers,
 * so the token rides in the body, the query or the path.  With
 * position-sync on, market_position and its size name the target
 * position and the executor sends what reaches it.
 */
#include <stdlib.h>
#include <string.h>

#include "auto/hook_int.h"
#include "cmd/cmd.h"

/* The options a webhook line may not choose: its strategy does. */
static const char *const tv_refused[] = { "target", "policy", "mode",
	"on-fail", "key", "dry-run", NULL };

static int
tv_line(const struct hook_conn_cfg *c, const char *line, int n,
    struct hook_parsed *out, struct err *e)
{
	struct cmd	 cmd;
	struct err	 pe;
	json_t		*f;
	size_t		 i;
	int		 rc;

	err_clear(&pe);
	if (cmd_parse_line(line, n, &cmd, NULL, &pe) != 0) {
		err_set(e, "malformed", "not a command: %s", pe.msg);
		return -1;
	}
	if (cmd.kind != CMD_BUY && cmd.kind != CMD_SELL) {
		err_set(e, "malformed", "line %d: a webhook line may be buy or "
		    "sell, not %s", n, cmd.name);
		cmd_free(&cmd);
		return -1;
	}
	for (i = 0; tv_refused[i] != NULL; i++) {
		if (cmd_has(&cmd, tv_refused[i])) {
			err_set(e, "malformed", "line %d: \"%s\" is the "
			    "strategy's to choose, not the alert's", n,
			    strcmp(tv_refused[i], "target") == 0 ? "to" :
			    tv_refused[i]);
			cmd_free(&cmd);
			return -1;
		}
	}
	f = json_object();
	json_object_set_new(f, "action", json_string(cmd.kind == CMD_BUY ?
	    "buy" : "sell"));
	json_object_set_new(f, "symbol", json_string(cmd_get(&cmd, "symbol")));
	if (cmd_get(&cmd, "exchange") != NULL)
		json_object_set_new(f, "exchange", json_string(cmd_get(&cmd,
		    "exchange")));
	json_object_set_new(f, "qty", json_string(cmd_get(&cmd, "qty")));
	json_object_set_new(f, "unit", json_string(cmd_get(&cmd, "unit")));
	json_object_set_new(f, "order_type", json_string(cmd_get(&cmd,
	    "order-type")));
	if (cmd_get(&cmd, "price") != NULL)
		json_object_set_new(f, "price", json_string(cmd_get(&cmd,
		    "price")));
	if (cmd_get(&cmd, "trigger") != NULL)
		json_object_set_new(f, "trigger", json_string(cmd_get(&cmd,
		    "trigger")));
	if (cmd_get(&cmd, "product") != NULL)
		json_object_set_new(f, "product", json_string(cmd_get(&cmd,
		    "product")));
	rc = hook_fields_signal(c, f, out, e);
	json_decref(f);
	cmd_free(&cmd);
	return rc;
}

/* One command per line; blank lines and # comments are skipped. */
static int
tv_text(const struct hook_conn_cfg *c, const struct hook_in *in,
    struct hook_parsed *out, struct err *e)
{
	const char	*p = in->body, *end = in->body + in->len, *nl;
	char		*line;
	int		 n = 0, rc = 0;

	if (memchr(in->body, '\0', in->len) != NULL) {
		err_set(e, "malformed", "the body holds a NUL byte");
		return -1;
	}
	while (p < end && rc == 0) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		n++;
		line = xstrndup(p, (size_t)(nl - p));
		if (nl > p && line[nl - p - 1] == '\r')
			line[nl - p - 1] = '\0';
		if (line[strspn(line, " \t")] != '\0' &&
		    line[strspn(line, " \t")] != '#')
			rc = tv_line(c, line, n, out, e);
		free(line);
		p = nl + 1;
	}
	if (rc == 0 && out->n == 0) {
		err_set(e, "malformed", "the body is empty");
		rc = -1;
	}
	return rc;
}

int
dialect_tradingview(const struct hook_conn_cfg *c, const struct hook_in *in,
    struct hook_parsed *out, struct err *e)
{
	json_t	*doc, *flat, *f;
	int	 rc;

	if (!hook_body_is_json(in))
		return tv_text(c, in, out, e);
	if ((doc = hook_json_body(in, e)) == NULL)
		return -1;
	flat = json_object();
	f = json_object();
	hook_json_flatten(doc, NULL, flat);
	hook_fields_common(flat, f);
	hook_take_token(out, f);
	rc = hook_fields_signal(c, f, out, e);
	json_decref(f);
	json_decref(flat);
	json_decref(doc);
	return rc;
}
