/*
 * Field readers shared by the kite_*.c decoders.  Each reads one member of
 * a JSON object (a token of the body jscan_parse read) into a C field, or
 * fills the broker_err naming the path, the field and what was wrong, and
 * returns -1.
 */
#ifndef PX_KITE_JSON_H
#define PX_KITE_JSON_H

#include <jansson.h>

#include "broker/kite.h"
#include "util/jscan.h"

/* Where in the body a decoder is, for messages: "data[3]". */
struct kite_ctx {
	enum broker_op		 op;
	long			 http;
	struct broker_err	*be;
	char			 path[48];
	struct jscan		*js;		/* the body read */
};

#define KITE_J_REQ	0x1	/* missing or null is an error */
#define KITE_J_TRUNC	0x2	/* human text: cut to fit, never fail */

int kite_json_str(struct kite_ctx *, const struct jscan_tok *, const char *,
    char *, size_t, int);
int kite_json_id(struct kite_ctx *, const struct jscan_tok *, const char *,
    char *, size_t, int);
int kite_json_int(struct kite_ctx *, const struct jscan_tok *, const char *,
    int64_t *, int);
int kite_json_paise(struct kite_ctx *, const struct jscan_tok *,
    const char *, int64_t *, int);
int kite_json_ts(struct kite_ctx *, const struct jscan_tok *, const char *,
    int64_t *, int);
int kite_json_bool(struct kite_ctx *, const struct jscan_tok *, const char *,
    int *, int);
const struct jscan_tok *kite_json_member(struct kite_ctx *,
    const struct jscan_tok *, const char *, enum jscan_type, int);
int kite_json_fail(struct kite_ctx *, const char *, ...) PX_PRINTF(2, 3);
const char *kite_json_valname(const struct jscan_tok *);
/* The same words for a jansson value (exec/postback.c reads one). */
const char *kite_json_typename(const json_t *);

/*
 * The {status, data} envelope, read into *js: data, or NULL with be
 * filled and nothing left to free.  Otherwise jscan_free(js) when done.
 */
const struct jscan_tok *kite_json_envelope(enum broker_op, long http,
    const char *body, size_t, struct jscan *js, struct broker_err *);
/* {"error_type":..., "message":...} classified as kite_classify does. */
void kite_json_classify(enum broker_op, long http, struct jscan *,
    const struct jscan_tok *, struct broker_err *);
int kite_json_order(struct kite_ctx *, const struct jscan_tok *,
    struct broker_order *);

#endif
