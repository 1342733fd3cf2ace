/*
 * Field readers shared by the kite_*.c decoders.  Each reads one member of
 * a JSON object into a C field, or fills the broker_err naming the path,
 * the field and what was wrong, and returns -1.
 */
#ifndef PX_KITE_JSON_H
#define PX_KITE_JSON_H

#include <jansson.h>

#include "broker/kite.h"

/* Where in the body a decoder is, for messages: "data[3]". */
struct kite_ctx {
	enum broker_op		 op;
	long			 http;
	struct broker_err	*be;
	char			 path[48];
};

#define KITE_J_REQ	0x1	/* missing or null is an error */
#define KITE_J_TRUNC	0x2	/* human text: cut to fit, never fail */

int kite_json_str(struct kite_ctx *, json_t *, const char *, char *,
    size_t, int);
int kite_json_id(struct kite_ctx *, json_t *, const char *, char *,
    size_t, int);
int kite_json_int(struct kite_ctx *, json_t *, const char *, int64_t *,
    int);
int kite_json_paise(struct kite_ctx *, json_t *, const char *, int64_t *,
    int);
int kite_json_ts(struct kite_ctx *, json_t *, const char *, int64_t *,
    int);
int kite_json_bool(struct kite_ctx *, json_t *, const char *, int *, int);
json_t *kite_json_member(struct kite_ctx *, json_t *, const char *,
    json_type, int);
int kite_json_fail(struct kite_ctx *, const char *, ...) PX_PRINTF(2, 3);
const char *kite_json_typename(const json_t *);

/* The {status, data} envelope: data (borrowed from *rootp) or NULL. */
json_t *kite_json_envelope(enum broker_op, long http, const char *body,
    size_t, json_t **rootp, struct broker_err *);
int kite_json_order(struct kite_ctx *, json_t *, struct broker_order *);

#endif
