/* Shared by src/auto/hook*.c and dialect_*.c only. */
#ifndef PX_AUTO_HOOK_INT_H
#define PX_AUTO_HOOK_INT_H

#include "auto/hook.h"

struct store;
/* hook_run.c: each executed signal is a workflow run (kind webhook). */
struct hook_run;
struct hook_run *hook_run_start(struct store *, int64_t signal_id);
void hook_run_end(struct hook_run *, const char *status, const char *msg);

/*
 * A dialect reads its payload into a flat object of canonical fields
 * (string values): action symbol exchange qty unit order_type price
 * trigger product id token position position_size; then hook_fields_signal
 * makes the signal of them.  A dialect that yields many signals
 * (chartink) calls it once per set of fields.
 */
typedef int (*hook_dialect_fn)(const struct hook_conn_cfg *,
    const struct hook_in *, struct hook_parsed *, struct err *);

int dialect_tradingview(const struct hook_conn_cfg *, const struct hook_in *,
    struct hook_parsed *, struct err *);
int dialect_amibroker(const struct hook_conn_cfg *, const struct hook_in *,
    struct hook_parsed *, struct err *);
int dialect_mt(const struct hook_conn_cfg *, const struct hook_in *,
    struct hook_parsed *, struct err *);
int dialect_excel(const struct hook_conn_cfg *, const struct hook_in *,
    struct hook_parsed *, struct err *);
int dialect_chartink(const struct hook_conn_cfg *, const struct hook_in *,
    struct hook_parsed *, struct err *);
int dialect_custom(const struct hook_conn_cfg *, const struct hook_in *,
    struct hook_parsed *, struct err *);

/* hook_fields.c */
/* Decode application/x-www-form-urlencoded text into obj (first wins). */
int hook_form_decode(const char *, size_t, json_t *obj, struct err *);
/* A JSON object body (and only that); NULL with err when it is not. */
json_t *hook_json_body(const struct hook_in *, struct err *);
/* Nested objects flattened to "a.b.c" keys, scalars as strings. */
void hook_json_flatten(json_t *src, const char *prefix, json_t *dst);
/* A scalar as text (numbers without exponent); NULL for others. */
char *hook_scalar_text(json_t *);
/* The first present of the alias list, canonical names. */
const char *hook_field(json_t *flat, const char *const *aliases);
/* Copy the common aliases into canonical fields of out. */
void hook_fields_common(json_t *flat, json_t *out);
/* Form or query fields of the request (query first, then a form body). */
int hook_form_fields(const struct hook_in *, json_t *out, struct err *);
/* A body that looks like JSON (first non-space byte '{'). */
int hook_body_is_json(const struct hook_in *);
/* RFC 6901 pointer into doc; NULL when absent. */
json_t *hook_json_pointer(json_t *doc, const char *ptr);

/* hook_parse.c */
int hook_fields_signal(const struct hook_conn_cfg *, json_t *fields,
    struct hook_parsed *, struct err *);
void hook_parsed_add(struct hook_parsed *, const struct hook_signal *);
void hook_take_token(struct hook_parsed *, json_t *fields);

#endif
