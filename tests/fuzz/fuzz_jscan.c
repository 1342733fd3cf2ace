/*
 * libFuzzer harness for the JSON scanner (src/util/jscan*.c) against
 * jansson: both must accept and refuse the same texts (but for the NUL
 * byte jansson drops after a literal), every token must lie inside the
 * text and inside its container, every string must decode to valid
 * UTF-8 of the length told, and every key must find its own value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/util.h"
#include "util/jscan.h"
#include "util/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_string(struct jscan *j, const struct jscan_tok *t)
{
	char	*s, small[8];
	size_t	 n;

	s = jscan_strdup(j, t, &n);
	if (strlen(s) != n || !utf8_valid(s) ||
	    jscan_str(j, t, small, sizeof small) != n ||
	    strncmp(small, s, sizeof small - 1) != 0)
		abort();
	free(s);
}

/* The last member with k's key must be what jscan_member finds. */
static void
check_key(struct jscan *j, const struct jscan_tok *obj,
    const struct jscan_tok *k)
{
	const struct jscan_tok	*p, *last = k + 1;
	char			*key;

	for (p = jscan_next(j, obj, k + 1); p != NULL;
	    p = jscan_next(j, obj, p + 1)) {
		if (jscan_same(j, k, p))
			last = p + 1;
	}
	key = jscan_strdup(j, k, NULL);
	if (jscan_member(j, obj, key) != last)
		abort();
	free(key);
}

static void
check_tokens(struct jscan *j)
{
	const struct jscan_tok	*t, *c;
	size_t			 i, n;

	for (i = 0; i < j->ntok; i++) {
		t = &j->tok[i];
		if (t->start > t->end || t->end > j->len || t->next <= i ||
		    t->next > j->ntok || t->next > j->tok[0].next)
			abort();
		if (t->type == JSCAN_STRING)
			check_string(j, t);
		if (t->type == JSCAN_NUMBER && !(t->flags & JSCAN_REAL))
			(void)jscan_int(j, t);
		if (t->type != JSCAN_OBJECT && t->type != JSCAN_ARRAY)
			continue;
		n = 0;
		for (c = jscan_child(j, t); c != NULL; c = jscan_next(j, t,
		    c + (t->type == JSCAN_OBJECT))) {
			if (t->type == JSCAN_OBJECT) {
				if (c->type != JSCAN_STRING)
					abort();
				check_key(j, t, c);
			}
			n++;
		}
		if (n != jscan_size(j, t))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct jscan	 j;
	json_t		*v;
	char		*s;
	int		 rc;

	/* A copy of exactly len bytes, so any over-read is caught. */
	if ((s = malloc(len + 1)) == NULL)
		return 0;
	memcpy(s, data, len);
	rc = jscan_parse(&j, s, len);
	v = json_loadb(s, len, 0, NULL);
	if (rc == 0) {
		if (v == NULL)
			abort();
		check_tokens(&j);
		jscan_free(&j);
	} else if (j.tok != NULL || j.err[0] == '\0' || j.err_off > len ||
	    (v != NULL && memchr(s, '\0', len) == NULL))
		abort();
	json_decref(v);
	free(s);
	return 0;
}
