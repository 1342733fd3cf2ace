/*
 * Order postbacks: Kite POSTs the order as JSON with a checksum,
 * sha256(order_id + order_timestamp + api_secret) in hex, that proves it
 * came from someone who knows the api secret.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "broker/kite_json.h"

void
kite_postback_checksum(const char *order_id, const char *order_ts,
    const char *api_secret, char hex[65])
{
	crypto_hash_sha256_state	st;
	unsigned char			md[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)order_id,
	    strlen(order_id));
	crypto_hash_sha256_update(&st, (const unsigned char *)order_ts,
	    strlen(order_ts));
	crypto_hash_sha256_update(&st, (const unsigned char *)api_secret,
	    strlen(api_secret));
	crypto_hash_sha256_final(&st, md);
	sodium_bin2hex(hex, 65, md, sizeof md);
	sodium_memzero(&st, sizeof st);
}

/*
 * Compare as bytes in constant time, so a forger learns nothing from how
 * long a wrong checksum took to refuse.  Hex case does not matter.
 */
int
kite_postback_verify(const char *order_id, const char *order_ts,
    const char *api_secret, const char *checksum_hex)
{
	unsigned char	want[crypto_hash_sha256_BYTES];
	unsigned char	got[crypto_hash_sha256_BYTES];
	char		hex[65];
	size_t		n;
	const char	*end;
	int		rc;

	if (checksum_hex == NULL || strlen(checksum_hex) != 64)
		return -1;
	if (sodium_hex2bin(got, sizeof got, checksum_hex, 64, NULL, &n,
	    &end) != 0 || n != sizeof got || *end != '\0')
		return -1;
	kite_postback_checksum(order_id, order_ts, api_secret, hex);
	if (sodium_hex2bin(want, sizeof want, hex, 64, NULL, &n, NULL) != 0)
		return -1;
	rc = sodium_memcmp(want, got, sizeof want) == 0 ? 0 : -1;
	sodium_memzero(want, sizeof want);
	return rc;
}

/*
 * The checksum over order_id and order_timestamp; -1 with be filled
 * when the body lacks them or they were not signed with api_secret.
 */
static int
postback_signed(struct kite_ctx *c, const struct jscan_tok *root,
    const char *api_secret)
{
	const struct jscan_tok	*id, *ts, *sum;
	char			*sid, *sts, *ssum;
	int			 rc;

	id = jscan_member(c->js, root, "order_id");
	ts = jscan_member(c->js, root, "order_timestamp");
	sum = jscan_member(c->js, root, "checksum");
	if (id == NULL || id->type != JSCAN_STRING || ts == NULL ||
	    ts->type != JSCAN_STRING || sum == NULL ||
	    sum->type != JSCAN_STRING)
		return kite_json_fail(c, "order_id, order_timestamp and "
		    "checksum must be strings");
	sid = jscan_strdup(c->js, id, NULL);
	sts = jscan_strdup(c->js, ts, NULL);
	ssum = jscan_strdup(c->js, sum, NULL);
	rc = kite_postback_verify(sid, sts, api_secret, ssum);
	free(sid);
	free(sts);
	free(ssum);
	if (rc == 0)
		return 0;
	kite_json_fail(c, "checksum does not match: not from Kite, or a "
	    "different api secret");
	snprintf(c->be->err.code, sizeof c->be->err.code, "checksum");
	return -1;
}

int
kite_decode_postback(const char *body, size_t len, const char *api_secret,
    struct broker_order *out, struct broker_err *be)
{
	struct jscan		 js;
	struct kite_ctx		 c = { BROKER_OP_ORDERS, 400, be, "postback",
				    &js };
	const struct jscan_tok	*root;
	int			 rc = -1;

	memset(be, 0, sizeof *be);
	memset(out, 0, sizeof *out);
	if (body == NULL || jscan_parse(&js, body, len) != 0) {
		if (body == NULL)
			kite_json_fail(&c, "not JSON (no body)");
		else
			kite_json_fail(&c, "not JSON (%s at byte %zu)", js.err,
			    js.err_off);
		return -1;
	}
	root = jscan_root(&js);
	if (root->type != JSCAN_OBJECT) {
		kite_json_fail(&c, "should be an object, not %s",
		    kite_json_valname(root));
		goto out;
	}
	if (api_secret != NULL && postback_signed(&c, root, api_secret) != 0)
		goto out;
	rc = kite_json_order(&c, root, out);
	/*
	 * Postbacks also say UPDATE, which the order book never does: a
	 * working order was modified or partly filled.
	 */
	if (rc == 0 && strcmp(out->status, "UPDATE") == 0)
		out->state = out->filled > 0 && out->filled < out->qty ?
		    BROKER_PARTIALLY_FILLED : BROKER_OPEN;
out:
	if (rc != 0) {
		memset(out, 0, sizeof *out);
		be->kind = BROKER_ERR_FINAL;
	}
	jscan_free(&js);
	return rc;
}
