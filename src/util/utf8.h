/*
 * utf8: what the store accepts as text.  PostgreSQL refuses a string that
 * is not valid UTF-8 with a raw server error, so input is checked (or, for
 * the reasons of safety actions, repaired) before it gets that far.
 */
#ifndef PX_UTF8_H
#define PX_UTF8_H

#include <stddef.h>

/*
 * Length of the well-formed UTF-8 sequence at s (at most n bytes), or 0
 * for an invalid one: overlong forms, surrogates and code points above
 * U+10FFFF are invalid, as PostgreSQL has them.
 */
size_t utf8_seq(const unsigned char *s, size_t n);
/* 1 when the NUL-terminated s is valid UTF-8. */
int utf8_valid(const char *s);
/* s with every invalid byte replaced by U+FFFD; owned by the caller. */
char *utf8_repair(const char *s);
/* The code point of a well-formed sequence of len bytes. */
unsigned utf8_code(const unsigned char *s, size_t len);

#endif
