/*
 * kite: the Zerodha Kite Connect v3 adapter's pure parts -- decoding
 * response bodies, classifying errors, encoding order requests, parsing the
 * instrument dump and checking postbacks.  Nothing here touches the
 * network, so all of it is tested against recorded bodies.
 *
 * Decoders take the HTTP status and the body and either fill the output
 * and return 0, or fill the broker_err (class, code, message naming what
 * was wrong) and return -1 leaving the output empty.  Any byte sequence is
 * a valid input.
 *
 * Prices: Kite sends rupees as JSON numbers (109.4), sometimes as strings.
 * The number's own text in the body is converted to paise with decimal
 * arithmetic (src/util/jscan.h: no double on the way), so every value
 * with at most two decimals arrives exact; a longer one (a CDS average of
 * 72.755) is rounded half away from zero to the paisa.
 */
#ifndef PX_KITE_H
#define PX_KITE_H

#include <stddef.h>
#include <stdint.h>

#include "broker/broker.h"

/* kite_num.c */
int kite_paise_parse(const char *, size_t, int64_t *paise, int *exact);
int kite_paise_real(double, int64_t *paise, int *exact);
int kite_ts_parse(const char *, int64_t *us);	/* IST "YYYY-MM-DD HH:MM:SS" */

/* kite_error.c */
void kite_classify(enum broker_op, long http_status, const char *error_type,
    const char *message, struct broker_err *);
void kite_transport_err(enum broker_op, int timed_out, const char *what,
    struct broker_err *);
void kite_tls_err(const char *base_url, const char *what,
    struct broker_err *);
void kite_decode_err(enum broker_op, long http_status, struct broker_err *,
    const char *, ...) PX_PRINTF(4, 5);
void kite_sanitize(char *);

/* kite_decode.c */
int kite_decode_status(enum broker_op, long http, const char *body, size_t,
    struct broker_err *);
/* Place, modify, cancel: data.order_id. */
int kite_decode_order_id(enum broker_op, long http, const char *body,
    size_t, char order_id[32], struct broker_err *);
/* orders (BROKER_OP_ORDERS) or one order's history (ORDER_HISTORY). */
int kite_decode_orders(enum broker_op, long http, const char *body, size_t,
    struct broker_order **, size_t *, struct broker_err *);
int kite_decode_trades(long http, const char *body, size_t,
    struct broker_trade **, size_t *, struct broker_err *);
/* The caller frees p->net and p->day. */
int kite_decode_positions(long http, const char *body, size_t,
    struct broker_positions *, struct broker_err *);
/* /user/margins (both segments) or /user/margins/SEGMENT (one). */
int kite_decode_margins(long http, const char *body, size_t,
    struct broker_margins *, struct broker_err *);
int kite_decode_margin_segment(long http, const char *body, size_t,
    struct broker_margin_segment *, struct broker_err *);
/* /quote, /quote/ohlc and /quote/ltp alike. */
int kite_decode_quotes(long http, const char *body, size_t,
    struct broker_quote **, size_t *, struct broker_err *);

/* A place with autoslice: the parent id and each child's id or error. */
struct kite_slice {
	char			 order_id[32];	/* "" when err is set */
	struct broker_err	 err;
};
struct kite_autoslice {
	char			 order_id[32];
	struct kite_slice	*children;
	size_t			 nchildren;
};
int kite_decode_autoslice(long http, const char *body, size_t,
    struct kite_autoslice *, struct broker_err *);
void kite_autoslice_free(struct kite_autoslice *);

/* kite_postback.c: sha256(order_id + order_timestamp + api_secret). */
void kite_postback_checksum(const char *order_id, const char *order_ts,
    const char *api_secret, char hex[65]);
int kite_postback_verify(const char *order_id, const char *order_ts,
    const char *api_secret, const char *checksum_hex);
/* Verify (unless api_secret is NULL) and decode a postback body. */
int kite_decode_postback(const char *body, size_t, const char *api_secret,
    struct broker_order *, struct broker_err *);

/* kite_encode.c: application/x-www-form-urlencoded request bodies. */
int kite_encode_order(const struct broker_order_req *, struct strbuf *,
    struct broker_err *);
int kite_encode_modify(const struct broker_order_req *, struct strbuf *,
    struct broker_err *);
void kite_urlencode(struct strbuf *, const char *);
void kite_encode_quote_query(const char *const *keys, size_t,
    struct strbuf *);

/*
 * kite_csv.c: the instrument dump, fed in chunks as they arrive; each
 * complete row goes to the callback at once.  Columns are found by the
 * header's names.  A bad row stops the parse with an error naming the line.
 */
struct kite_csv;
struct kite_csv *kite_csv_new(broker_instrument_cb, void *);
int kite_csv_feed(struct kite_csv *, const char *, size_t,
    struct broker_err *);
int kite_csv_finish(struct kite_csv *, struct broker_err *);
size_t kite_csv_rows(const struct kite_csv *);
void kite_csv_free(struct kite_csv *);

/* order_state.c: Kite's status word (plus fills) to a phalanx state. */
enum broker_state kite_order_state(const char *status, int64_t qty,
    int64_t filled);

#endif
