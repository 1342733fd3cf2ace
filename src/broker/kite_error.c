/*
 * What a Kite failure means: every error_type and HTTP status becomes
 * retryable, final or unknown outcome.
 */
#include <stdio.h>
#include <string.h>

#include "broker/kite.h"

/*
 * Kite's exception types.  Those marked by_http carry no verdict of their
 * own (GeneralException covers anything); their HTTP status decides.
 * NetworkException and DataException mean the API could not get a sound
 * answer from the OMS, which is transient.
 */
static const struct {
	const char		*error_type;
	const char		*code;
	enum broker_errclass	 kind;
	int			 by_http;
} kite_errtypes[] = {
	{ "TokenException",	 "token",	BROKER_ERR_FINAL,	0 },
	{ "PermissionException", "permission",	BROKER_ERR_FINAL,	0 },
	{ "InputException",	 "input",	BROKER_ERR_FINAL,	0 },
	{ "OrderException",	 "order",	BROKER_ERR_FINAL,	0 },
	{ "MarginException",	 "margin",	BROKER_ERR_FINAL,	0 },
	{ "HoldingException",	 "holding",	BROKER_ERR_FINAL,	0 },
	{ "UserException",	 "user",	BROKER_ERR_FINAL,	0 },
	{ "NetworkException",	 "network",	BROKER_ERR_RETRYABLE,	0 },
	{ "DataException",	 "data",	BROKER_ERR_RETRYABLE,	0 },
	{ "GeneralException",	 "general",	BROKER_ERR_FINAL,	1 },
};

static enum broker_errclass
class_of_http(long http)
{
	if (http == 429 || http == 408 || http >= 500 || http == 0)
		return BROKER_ERR_RETRYABLE;
	return BROKER_ERR_FINAL;
}

/*
 * A place is the one call that is not idempotent: if the request may have
 * reached the OMS, sending it again may double the position.  So anything
 * that is merely "transient" becomes UNKNOWN there -- except 429, which the
 * gateway answers before the order goes anywhere.
 */
static void
settle(enum broker_op op, long http, struct broker_err *be)
{
	if (op == BROKER_OP_PLACE && be->kind == BROKER_ERR_RETRYABLE &&
	    http != 429)
		be->kind = BROKER_ERR_UNKNOWN;
}

void
kite_classify(enum broker_op op, long http, const char *error_type,
    const char *message, struct broker_err *be)
{
	const char	*code = NULL;
	size_t		 i;

	memset(be, 0, sizeof *be);
	be->http_status = (int)http;
	if (error_type != NULL)
		snprintf(be->error_type, sizeof be->error_type, "%s",
		    error_type);
	be->kind = class_of_http(http);
	for (i = 0; error_type != NULL && i < nitems(kite_errtypes); i++) {
		if (strcmp(error_type, kite_errtypes[i].error_type) != 0)
			continue;
		code = kite_errtypes[i].code;
		if (!kite_errtypes[i].by_http)
			be->kind = kite_errtypes[i].kind;
		break;
	}
	if (http == 429) {
		be->kind = BROKER_ERR_RETRYABLE;
		code = "rate-limit";
	}
	if (code == NULL)
		code = "http";
	settle(op, http, be);
	err_set(&be->err, code, "%s (HTTP %ld%s%s)",
	    message != NULL && *message != '\0' ? message : "request failed",
	    http, be->error_type[0] != '\0' ? ", " : "", be->error_type);
	kite_sanitize(be->err.msg);
	kite_sanitize(be->error_type);
}

/* Broker text reaches the screen: no control bytes (escape sequences). */
void
kite_sanitize(char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
	}
}

/* No HTTP answer at all: timeout, reset, refused, DNS. */
void
kite_transport_err(enum broker_op op, int timed_out, const char *what,
    struct broker_err *be)
{
	memset(be, 0, sizeof *be);
	be->kind = BROKER_ERR_RETRYABLE;
	settle(op, 0, be);
	err_set(&be->err, timed_out ? "timeout" : "transport", "%s%s%s",
	    timed_out ? "no answer in time" : "connection failed",
	    what != NULL ? ": " : "", what != NULL ? what : "");
}

/*
 * The TLS handshake failed (most often the broker's certificate is not
 * trusted): nothing was sent, so even a place may go again, but only once
 * broker.ca_file or the broker's certificate is put right.
 */
void
kite_tls_err(const char *base_url, const char *what, struct broker_err *be)
{
	memset(be, 0, sizeof *be);
	be->kind = BROKER_ERR_RETRYABLE;
	err_set(&be->err, "tls", "TLS with %s failed, nothing sent: %s; "
	    "broker.ca_file sets the trusted CAs", base_url,
	    what != NULL ? what : "handshake failed");
	kite_sanitize(be->err.msg);
}

/*
 * The body could not be understood.  On a 2xx place the order was most
 * likely accepted, so that is UNKNOWN; elsewhere the HTTP status decides.
 */
void
kite_decode_err(enum broker_op op, long http, struct broker_err *be,
    const char *fmt, ...)
{
	va_list	ap;

	memset(be, 0, sizeof *be);
	be->http_status = (int)http;
	if (http >= 200 && http < 300)
		be->kind = BROKER_ERR_RETRYABLE;
	else
		be->kind = class_of_http(http);
	settle(op, http, be);
	snprintf(be->err.code, sizeof be->err.code, "%s", "decode");
	va_start(ap, fmt);
	vsnprintf(be->err.msg, sizeof be->err.msg, fmt, ap);
	va_end(ap);
	kite_sanitize(be->err.msg);
}
