/*
 * Spare connections (http_spare.c): opened ahead of a burst the caller
 * announces, and handed to libcurl when it would otherwise connect.
 * Internal to http_client.c.
 */
#ifndef PX_HTTP_SPARE_H
#define PX_HTTP_SPARE_H

#include <curl/curl.h>

struct http_spares;
struct http_origin;

struct http_spares *http_spares_new(struct event_base *);
/* After curl_multi_cleanup: that closes the sockets the spares track. */
void http_spares_free(struct http_spares *);
/* A request to url starts on easy: its sockets come from here. */
struct http_origin *http_spares_start(struct http_spares *, CURL *easy,
    const char *url);
/* That request is over: learns where url's host is, the first time. */
void http_spares_done(struct http_spares *, struct http_origin *,
    CURL *easy);
void http_spares_expect(struct http_spares *, const char *url, size_t n);

#endif
