/*
 * Decoding Kite answers: the microseconds kite_decode_positions and
 * kite_decode_orders take on recorded bodies (a square-off reads a
 * position book per account in a row; fill watching reads order books
 * all day), beside jscan_parse and jansson's json_loadb alone on the
 * same bytes.  Prints figures only.
 *
 *   bench_kite_decode [ROUNDS]	(default 20000)
 * Fixtures from $PHALANX_SRCDIR/tests/fixtures/kite-mocks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "broker/kite.h"
#include "util/jscan.h"

struct body {
	const char	*name;
	char		*s;
	size_t		 len;
};

static int	 rounds = 20000;

static char *
fixture(const char *name, size_t *lenp)
{
	const char	*top = getenv("PHALANX_SRCDIR");
	char		 path[1024];
	FILE		*f;
	char		*buf;
	long		 n;

	snprintf(path, sizeof path, "%s/tests/fixtures/kite-mocks/%s",
	    top != NULL ? top : ".", name);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = xmalloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	buf[n] = '\0';
	fclose(f);
	*lenp = (size_t)n;
	return buf;
}

/* orders.json's data repeated to a book of about n orders. */
static char *
big_book(const char *orders, size_t len, int copies, size_t *lenp)
{
	struct strbuf	 b;
	const char	*open = strchr(orders, '['), *close;
	int		 i;

	close = memrchr(orders, ']', len);
	strbuf_init(&b);
	strbuf_puts(&b, "{\"status\":\"success\",\"data\":[");
	for (i = 0; i < copies; i++) {
		if (i > 0)
			strbuf_putc(&b, ',');
		strbuf_add(&b, open + 1, (size_t)(close - open - 1));
	}
	strbuf_puts(&b, "]}");
	*lenp = b.len;
	return strbuf_steal(&b);
}

static double
per_call(int64_t t0)
{
	return (double)(time_mono_us() - t0) / rounds;
}

static void
time_parsers(const struct body *b)
{
	struct jscan	 j;
	json_t		*v;
	int64_t		 t0;
	int		 i;

	t0 = time_mono_us();
	for (i = 0; i < rounds; i++) {
		if (jscan_parse(&j, b->s, b->len) == 0)
			jscan_free(&j);
	}
	printf("  jscan_parse %8.2f us", per_call(t0));
	t0 = time_mono_us();
	for (i = 0; i < rounds; i++) {
		v = json_loadb(b->s, b->len, 0, NULL);
		json_decref(v);
	}
	printf("  json_loadb %8.2f us\n", per_call(t0));
}

static void
time_positions(const struct body *b)
{
	struct broker_positions	p;
	struct broker_err	be;
	int64_t			t0 = time_mono_us();
	int			i;

	for (i = 0; i < rounds; i++) {
		if (kite_decode_positions(200, b->s, b->len, &p, &be) == 0) {
			free(p.net);
			free(p.day);
		}
	}
	printf("%-24s %6zu bytes  decode %8.2f us", b->name, b->len,
	    per_call(t0));
	time_parsers(b);
}

static void
time_orders(const struct body *b)
{
	struct broker_order	*o;
	struct broker_err	 be;
	size_t			 n;
	int64_t			 t0 = time_mono_us();
	int			 i;

	for (i = 0; i < rounds; i++) {
		if (kite_decode_orders(BROKER_OP_ORDERS, 200, b->s, b->len, &o,
		    &n, &be) == 0)
			free(o);
	}
	printf("%-24s %6zu bytes  decode %8.2f us", b->name, b->len,
	    per_call(t0));
	time_parsers(b);
}

int
main(int argc, char **argv)
{
	struct body	pos = { "positions.json", NULL, 0 };
	struct body	ord = { "orders.json (10)", NULL, 0 };
	struct body	big = { "orders.json x20 (200)", NULL, 0 };

	if (argc > 1 && (rounds = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: bench_kite_decode [ROUNDS]\n");
		return 2;
	}
	pos.s = fixture("positions.json", &pos.len);
	ord.s = fixture("orders.json", &ord.len);
	if (pos.s == NULL || ord.s == NULL) {
		printf("bench_kite_decode: no fixtures (PHALANX_SRCDIR): "
		    "skipped\n");
		return 0;
	}
	big.s = big_book(ord.s, ord.len, 20, &big.len);
	printf("kite decoders, %d rounds each (us per call)\n", rounds);
	time_positions(&pos);
	time_orders(&ord);
	rounds = rounds / 20 > 0 ? rounds / 20 : 1;
	time_orders(&big);
	free(pos.s);
	free(ord.s);
	free(big.s);
	return 0;
}
