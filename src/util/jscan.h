/*
 * jscan: strict JSON (RFC 8259, as jansson accepts it) read in one pass
 * into a flat array of tokens that point into the text, instead of a tree
 * of allocated values.  A broker answer is read once, a few fields from
 * each object, so building hash tables and converting every number first
 * was most of the time spent decoding it.
 *
 * Tokens are in document order; a container's children follow it, an
 * object's as key, value, key, value.  next is the index just past a
 * token and all it contains, so a sibling is one step away.
 */
#ifndef PX_JSCAN_H
#define PX_JSCAN_H

#include <stddef.h>
#include <stdint.h>

enum jscan_type {
	JSCAN_OBJECT,
	JSCAN_ARRAY,
	JSCAN_STRING,
	JSCAN_NUMBER,
	JSCAN_TRUE,
	JSCAN_FALSE,
	JSCAN_NULL
};

#define JSCAN_ESCAPED	0x1	/* a string holding a backslash escape */
#define JSCAN_REAL	0x2	/* a number with a fraction or an exponent */
#define JSCAN_KEYS_REPEAT 0x4	/* an object jscan_member cannot index */

/* jansson's limit: a value nested deeper than this is refused. */
#define JSCAN_MAX_DEPTH	2048

/* An object of up to half as many members is looked up by hash. */
#define JSCAN_IDX_SLOTS	128

/*
 * A string's start and end enclose its text without the quotes; any
 * other token's enclose all of it.
 */
struct jscan_tok {
	uint32_t	start;
	uint32_t	end;
	uint32_t	next;
	uint8_t		type;
	uint8_t		flags;
};

struct jscan {
	const char		*s;
	size_t			 len;
	struct jscan_tok	*tok;
	size_t			 ntok;
	size_t			 cap;
	size_t			 err_off;	/* where the text went wrong */
	char			 err[96];
	/* jscan_member's table of the keys of the object it read last. */
	size_t			 idx_obj;	/* its token index + 1, or 0 */
	uint32_t		 idx[JSCAN_IDX_SLOTS];
};

/* 0, or -1 with err and err_off set and nothing left to free. */
int jscan_parse(struct jscan *, const char *, size_t);
void jscan_free(struct jscan *);

const struct jscan_tok *jscan_root(const struct jscan *);
/* The first child (an object's first key), or NULL when empty. */
const struct jscan_tok *jscan_child(const struct jscan *,
    const struct jscan_tok *);
/* What follows t inside c: pass an object's value to reach the next key. */
const struct jscan_tok *jscan_next(const struct jscan *,
    const struct jscan_tok *c, const struct jscan_tok *t);
size_t jscan_size(const struct jscan *, const struct jscan_tok *);
/*
 * The value of key in obj, the last one if it repeats (as jansson).  A
 * decoder asks for many members of one object, then moves on: the keys
 * of the object asked about last are kept in a small hash table.
 */
const struct jscan_tok *jscan_member(struct jscan *,
    const struct jscan_tok *obj, const char *key);
/* 1 if the strings a and b decode to the same text. */
int jscan_same(const struct jscan *, const struct jscan_tok *,
    const struct jscan_tok *);

/*
 * A string decoded into buf, cut to size - 1 bytes and NUL-terminated;
 * returns the whole decoded length.  jscan_strdup's copy is the caller's.
 */
size_t jscan_str(const struct jscan *, const struct jscan_tok *, char *,
    size_t);
char *jscan_strdup(const struct jscan *, const struct jscan_tok *,
    size_t *);
/* A number without JSCAN_REAL (in range: jscan_parse checked). */
int64_t jscan_int(const struct jscan *, const struct jscan_tok *);
/* Any number as a double, as strtod reads it; -1 when it overflows. */
int jscan_real(const struct jscan *, const struct jscan_tok *, double *);

#endif
