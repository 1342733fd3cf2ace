/*
 * HTTPS for an evhttp server: every accepted connection gets an OpenSSL
 * bufferevent (evhttp_set_bevcb) instead of a plain socket one, so the
 * handlers see the same requests over TLS.  The certificate chain and key
 * are read once, at start, and checked against each other there: a bad
 * file stops the server before it listens, never at the first client.
 *
 * And the client's side, where libcurl does the TLS: which CAs an easy
 * handle trusts, and which of its errors mean the handshake failed.  Both
 * senders (http_client.c's transfers, http_wire.c's connect-only
 * connections) use these, so they trust and fail alike.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <curl/curl.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "net/net.h"

struct http_tls {
	SSL_CTX	*ctx;
};

/* OpenSSL's first queued error (the cause) as text, the queue emptied. */
static void
http_tls_reason(char *buf, size_t len)
{
	unsigned long	code = ERR_peek_error();

	if (code == 0)
		snprintf(buf, len, "unknown error");
	else
		ERR_error_string_n(code, buf, len);
	ERR_clear_error();
}

struct http_tls *
http_tls_new(const char *cert_file, const char *key_file, struct err *e)
{
	struct http_tls	*t;
	SSL_CTX		*ctx;
	char		 why[256];
	int		 mismatch;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		fatal("SSL_CTX_new failed");
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
		http_tls_reason(why, sizeof why);
		err_set(e, "tls", "cannot load the certificate chain from "
		    "\"%s\": %s", cert_file, why);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
		/* OpenSSL checks the key against the certificate here. */
		mismatch = ERR_GET_REASON(ERR_peek_error()) ==
		    X509_R_KEY_VALUES_MISMATCH;
		http_tls_reason(why, sizeof why);
		if (mismatch)
			err_set(e, "tls", "the key in \"%s\" does not match "
			    "the certificate in \"%s\"", key_file, cert_file);
		else
			err_set(e, "tls", "cannot load the private key from "
			    "\"%s\": %s", key_file, why);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		http_tls_reason(why, sizeof why);
		err_set(e, "tls", "the key in \"%s\" does not match the "
		    "certificate in \"%s\": %s", key_file, cert_file, why);
		goto fail;
	}
	t = xcalloc(1, sizeof *t);
	t->ctx = ctx;
	return t;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/*
 * evhttp sets the socket afterwards; the SSL object is freed with the
 * bufferevent.  A NULL here would have evhttp serve that client in plain
 * text, so running out of memory ends the process instead.  A client
 * that hangs up without close_notify has still ended its requests: that
 * is an end of file, not an error.
 */
static struct bufferevent *
http_tls_bev(struct event_base *base, void *arg)
{
	struct http_tls		*t = arg;
	struct bufferevent	*bev;
	SSL			*ssl;

	if ((ssl = SSL_new(t->ctx)) == NULL)
		fatal("SSL_new failed");
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		fatal("bufferevent_openssl_socket_new failed");
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

/*
 * OpenSSL writes to the socket itself: an alert to a client that hung up
 * raises SIGPIPE, as http_server_new() explains, so it is ignored here too.
 */
void
http_tls_attach(struct http_tls *t, struct evhttp *http)
{
	signal(SIGPIPE, SIG_IGN);
	evhttp_set_bevcb(http, http_tls_bev, t);
}

/* After the evhttp it was attached to. */
void
http_tls_free(struct http_tls *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->ctx);
	free(t);
}

/* Only the CAs in ca_file, not the system's; NULL leaves the defaults. */
void
http_tls_trust(void *easy, const char *ca_file)
{
	if (ca_file == NULL)
		return;
	curl_easy_setopt(easy, CURLOPT_CAINFO, ca_file);
	curl_easy_setopt(easy, CURLOPT_CAPATH, NULL);
}

/*
 * The TLS handshake failed, the peer's certificate included: the request
 * was never written, since it goes only once the handshake is done.
 */
int
http_tls_curl_failed(int curl_code)
{
	switch (curl_code) {
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
		return 1;
	default:
		return 0;
	}
}
