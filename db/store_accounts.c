/* The registry as struct account_set, for target resolution and routing. */
#include <stdlib.h>
#include <string.h>

#include "db/store_int.h"

struct accounts_call {
	store_accounts_cb	 cb;
	void			*arg;
};

static const char *
row_str(json_t *row, const char *key)
{
	const char	*s = json_string_value(json_object_get(row, key));

	return s != NULL ? s : "";
}

static int
row_decimal(json_t *row, const char *key, int scale, int64_t *out,
    struct err *err)
{
	if (decimal_parse(row_str(row, key), scale, out) != 0) {
		err_set(err, "bad-row", "account \"%s\": %s \"%s\" is not a "
		    "decimal", row_str(row, "name"), key, row_str(row, key));
		return -1;
	}
	return 0;
}

static int
store_account_of(json_t *row, struct account *a, struct err *err)
{
	json_t	*tags, *t;
	size_t	 i;

	memset(a, 0, sizeof *a);
	a->id = json_integer_value(json_object_get(row, "id"));
	a->name = xstrdup(row_str(row, "name"));
	a->broker = xstrdup(row_str(row, "broker"));
	a->user_id = xstrdup(row_str(row, "user_id"));
	a->enabled = json_is_true(json_object_get(row, "enabled"));
	a->priority = (int)json_integer_value(json_object_get(row, "priority"));
	a->lots = (int)json_integer_value(json_object_get(row, "lots"));
	a->max_lots = (int)json_integer_value(json_object_get(row, "max_lots"));
	/*
	 * Fail safe: a state that cannot be read (missing, NULL, a word this
	 * version does not know) stops the account trading, never lets it.
	 */
	if (trading_state_parse(row_str(row, "state"), &a->state) != 0) {
		a->state = TRADING_HALTED;
		log_warn("store", "account \"%s\": trading state \"%s\" cannot "
		    "be read: treated as HALTED (no new orders) until it is "
		    "set again", a->name, row_str(row, "state"));
	}
	if (row_decimal(row, "multiplier", 4, &a->multiplier, err) != 0 ||
	    row_decimal(row, "weight", 4, &a->weight, err) != 0 ||
	    row_decimal(row, "capital", 2, &a->capital, err) != 0)
		return -1;
	tags = json_object_get(row, "tags");
	a->tags = xcalloc(json_array_size(tags) + 1, sizeof *a->tags);
	json_array_foreach(tags, i, t)
		a->tags[a->ntags++] = xstrdup(json_string_value(t));
	return 0;
}

int
store_accounts_from_rows(json_t *rows, struct account_set *set,
    struct err *err)
{
	size_t	 i;
	json_t	*row;

	set->v = xcalloc(json_array_size(rows) + 1, sizeof *set->v);
	set->n = 0;
	json_array_foreach(rows, i, row) {
		set->n++;
		if (store_account_of(row, &set->v[i], err) != 0) {
			account_set_free(set);
			return -1;
		}
	}
	return 0;
}

static void
store_accounts_loaded(json_t *rows, const struct err *err, void *arg)
{
	struct accounts_call	*call = arg;
	struct account_set	 set = { NULL, 0 };
	struct err		 e;

	if (err != NULL)
		call->cb(NULL, err, call->arg);
	else if (store_accounts_from_rows(rows, &set, &e) != 0)
		call->cb(NULL, &e, call->arg);
	else {
		call->cb(&set, NULL, call->arg);
		account_set_free(&set);
	}
	free(call);
}

void
store_accounts_load(struct store *st, store_accounts_cb cb, void *arg)
{
	struct accounts_call	*call;

	call = xmalloc(sizeof *call);
	call->cb = cb;
	call->arg = arg;
	store_account_list(st, store_accounts_loaded, call);
}
