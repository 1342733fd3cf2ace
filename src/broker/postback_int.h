/*
 * The pure parts of the postback receiver, in the broker layer: shared by
 * src/broker/postback_*.c and the receiver, src/exec/postback.c.
 */
#ifndef PX_POSTBACK_INT_H
#define PX_POSTBACK_INT_H

#include <jansson.h>

#include "broker/broker_lib.h"

/* postback_judge.c: what a verified report means for the recorded order. */

/* The order as phalanx has it recorded. */
struct pb_record {
	enum broker_state	 state;
	int64_t			 filled;
	int64_t			 avg;		/* paise; 0 = not known */
};

enum pb_judgement {
	PB_FORWARD,		/* a step the state machine allows: record it */
	PB_UNCHANGED,		/* what the record already says */
	PB_CONTRADICTS		/* backwards, or against a recorded fill */
};

/* why (may be NULL) says, for a contradiction, what is wrong. */
enum pb_judgement postback_judge(const struct pb_record *,
    const struct broker_order *, char *why, size_t whylen);

/*
 * The broker's order history decides a contradiction.  apply: the record
 * is not what the book says last, so the book's last entry (*latest) is
 * to be recorded.  verdict: "unchanged", "corrected" (the report was
 * the truth), "stale" (an earlier state of the book) or "suspicious"
 * (in neither the record nor the book).
 */
struct pb_ruling {
	int				 apply;
	const struct broker_order	*latest;
	const char			*verdict;
};

int postback_rule(const struct pb_record *, const struct broker_order *rep,
    const struct broker_order *hist, size_t n, struct pb_ruling *);

/* An order state's name back to the enum; -1 when it is none. */
int postback_state_parse(const char *, enum broker_state *);

/* postback_keys.c: the api secrets of the kite accounts, in memory. ------ */

struct pb_keys;

/* One kite account that can sign postbacks. */
struct pb_key {
	char		 user_id[64];
	char		 account[64];
	int64_t		 account_id;
	json_t		*row;		/* store_broker_creds row: ciphertexts */
	char		*secret;	/* decrypted on first use; NULL till then */
	int		 undecryptable;
};

enum pb_match {
	PB_MATCH,		/* *key signed it */
	PB_MISMATCH,		/* the user is known, no secret of theirs did */
	PB_NO_USER		/* no kite account has that user id */
};

struct pb_keys *pb_keys_new(const char *home);
void pb_keys_free(struct pb_keys *);
/* Replace the cache with the rows of store_broker_creds(NULL, NULL). */
void pb_keys_load(struct pb_keys *, json_t *rows, int64_t now_us);
/* Mono us of the last load; 0 = never loaded (cold). */
int64_t pb_keys_loaded(const struct pb_keys *);
size_t pb_keys_count(const struct pb_keys *);
/*
 * Which account's api secret reproduces checksum over order_id and
 * order_ts.  *key is borrowed: valid until the next load.
 */
enum pb_match pb_keys_verify(struct pb_keys *, const char *user_id,
    const char *order_id, const char *order_ts, const char *checksum,
    const struct pb_key **key);

#endif
