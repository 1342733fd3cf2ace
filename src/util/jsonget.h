/*
 * Reading rows that came back as JSON (store rows, broker answers).
 */
#ifndef PHALANX_UTIL_JSONGET_H
#define PHALANX_UTIL_JSONGET_H

#include <jansson.h>

/* The string at KEY of object O, or "" when absent, null or not one. */
const char	*jstr(const json_t *o, const char *key);

#endif
