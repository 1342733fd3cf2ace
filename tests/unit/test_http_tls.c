/*
 * http_tls.c serving an evhttp over TLS and http_client.c trusting it
 * through http_client_set_ca, over real loopback sockets on one loop.
 * The certificate is made here: a self-signed one for IP 127.0.0.1,
 * which is its own CA.  Without the CA, with another file, or speaking
 * TLS to a plain server, the request fails as a TLS failure with
 * nothing sent.  All through libcurl, then all again through the lean
 * sender (http_wire.c), whose connect-only connections trust the same.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/http.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "net/net.h"
#include "testlib.h"

struct got {
	int	 called;
	long	 status;
	char	 body[64];
	int	 tls_failed;
	int	 not_sent;
	char	 error[256];
};

static char			 dir[128];
static char			 cert[160], key[160], other_key[160];
static struct evhttp		*srv;
static struct http_tls		*tls;
static struct http_client	*hc;
static int			 port;
static int			 ndone;
static int			 lean;	/* the lean sender carries requests */

/* A fresh key into path; the key is returned for signing. */
static EVP_PKEY *
write_key(const char *path)
{
	EVP_PKEY	*pk = EVP_EC_gen("P-256");
	FILE		*f;

	assert_non_null(pk);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL,
	    NULL), 1);
	fclose(f);
	return pk;
}

static void
add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	assert_non_null(ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value));
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

/* Self-signed, for IP 127.0.0.1, valid an hour either side of now. */
static void
write_cert(const char *path, EVP_PKEY *pk)
{
	X509		*x = X509_new();
	X509_NAME	*name;
	FILE		*f;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, pk);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)"127.0.0.1", -1, -1, 0);
	X509_set_issuer_name(x, name);
	add_ext(x, NID_basic_constraints, "critical,CA:TRUE");
	add_ext(x, NID_subject_alt_name, "IP:127.0.0.1");
	assert_true(X509_sign(x, pk, EVP_sha256()) > 0);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(PEM_write_X509(f, x), 1);
	fclose(f);
	X509_free(x);
}

static void
h_hello(struct evhttp_request *req, void *arg)
{
	http_reply_text(req, 200, "text/plain", "hello over tls");
}

static int
setup(void **state)
{
	struct evhttp_bound_socket	*bs;
	struct sockaddr_in		 sin;
	socklen_t			 len = sizeof sin;
	struct err			 e;
	EVP_PKEY			*pk;
	const char			*tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/test_http_tls.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cert, sizeof cert, "%s/cert.pem", dir);
	snprintf(key, sizeof key, "%s/key.pem", dir);
	snprintf(other_key, sizeof other_key, "%s/other.pem", dir);
	pk = write_key(key);
	write_cert(cert, pk);
	EVP_PKEY_free(pk);
	EVP_PKEY_free(write_key(other_key));

	err_clear(&e);
	if ((tls = http_tls_new(cert, key, &e)) == NULL) {
		print_error("http_tls_new: %s\n", e.msg);
		return -1;
	}
	srv = evhttp_new(loop_base());
	evhttp_set_gencb(srv, h_hello, NULL);
	http_tls_attach(tls, srv);
	bs = evhttp_bind_socket_with_handle(srv, "127.0.0.1", 0);
	if (bs == NULL || getsockname(evhttp_bound_socket_get_fd(bs),
	    (struct sockaddr *)&sin, &len) != 0)
		return -1;
	port = ntohs(sin.sin_port);
	hc = http_client_new(loop_base());
	http_client_lean(hc, lean);
	return 0;
}

static int
teardown(void **state)
{
	http_client_free(hc);
	evhttp_free(srv);
	http_tls_free(tls);
	loop_free();
	unlink(cert);
	unlink(key);
	unlink(other_key);
	rmdir(dir);
	return 0;
}

static void
got_cb(const struct http_response *r, void *arg)
{
	struct got	*g = arg;

	g->called++;
	g->status = r->status;
	snprintf(g->body, sizeof g->body, "%s", r->body);
	g->tls_failed = r->tls_failed;
	g->not_sent = r->not_sent;
	snprintf(g->error, sizeof g->error, "%s",
	    r->error != NULL ? r->error : "");
	ndone++;
}

static void
get(const char *scheme, int on_port, struct got *g)
{
	char	url[64];
	int	want = ndone + 1;

	memset(g, 0, sizeof *g);
	snprintf(url, sizeof url, "%s://127.0.0.1:%d/hello", scheme, on_port);
	http_request(hc, "GET", url, NULL, NULL, 0, 5000, got_cb, g);
	run_until(&ndone, want, 10000);
	assert_int_equal(g->called, 1);
}

static void
test_trusted(void **state)
{
	struct got	g;

	http_client_set_ca(hc, cert);
	get("https", port, &g);
	assert_int_equal(g.status, 200);
	assert_string_equal(g.body, "hello over tls");
	assert_int_equal(g.tls_failed, 0);
	/* Again, on the connection kept open. */
	get("https", port, &g);
	assert_int_equal(g.status, 200);
}

static void
test_untrusted(void **state)
{
	struct got	g;

	/* The system's CAs do not know a certificate made a moment ago. */
	get("https", port, &g);
	assert_int_equal(g.status, 0);
	assert_int_equal(g.tls_failed, 1);
	assert_int_equal(g.not_sent, 1);
	assert_non_null(strstr(g.error, "certificate"));
	/* The lean sender's own words: it did carry the request. */
	if (lean)
		assert_non_null(strstr(g.error, "connect failed"));

	/* Trusted, then not: the trusted connection is not reused. */
	http_client_set_ca(hc, cert);
	get("https", port, &g);
	assert_int_equal(g.status, 200);
	http_client_set_ca(hc, NULL);
	get("https", port, &g);
	assert_int_equal(g.tls_failed, 1);
	assert_non_null(strstr(g.error, "certificate"));
}

/* A CA file that holds no certificate: the error names it. */
static void
test_bad_ca_file(void **state)
{
	struct got	g;

	http_client_set_ca(hc, key);
	get("https", port, &g);
	assert_int_equal(g.tls_failed, 1);
	assert_int_equal(g.not_sent, 1);
	assert_non_null(strstr(g.error, key));
}

/* TLS to a server that speaks plain HTTP is a failed handshake too. */
static void
test_plain_server(void **state)
{
	struct http_server	*plain;
	struct err		 e;
	struct got		 g;

	err_clear(&e);
	plain = http_server_new(loop_base(), "127.0.0.1:0", 1024, &e);
	assert_non_null(plain);
	get("https", http_server_port(plain), &g);
	assert_int_equal(g.status, 0);
	assert_int_equal(g.tls_failed, 1);
	assert_int_equal(g.not_sent, 1);
	http_server_free(plain);
}

static void
test_server_files(void **state)
{
	struct err	 e;
	char		 missing[192];

	snprintf(missing, sizeof missing, "%s/missing.pem", dir);
	err_clear(&e);
	assert_null(http_tls_new(missing, key, &e));
	assert_non_null(strstr(e.msg, missing));
	err_clear(&e);
	assert_null(http_tls_new(cert, missing, &e));
	assert_non_null(strstr(e.msg, missing));
	err_clear(&e);
	assert_null(http_tls_new(key, key, &e));
	assert_non_null(strstr(e.msg, "certificate chain"));
	err_clear(&e);
	assert_null(http_tls_new(cert, other_key, &e));
	assert_non_null(strstr(e.msg, "does not match"));
	assert_non_null(strstr(e.msg, other_key));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_trusted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_untrusted, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_ca_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_plain_server, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_server_files, setup,
		    teardown),
	};

	int	rc;

	log_open(NULL, LOG_ERROR);
	rc = cmocka_run_group_tests_name("libcurl", tests, NULL, NULL);
	lean = 1;
	rc |= cmocka_run_group_tests_name("lean", tests, NULL, NULL);
	return rc;
}
