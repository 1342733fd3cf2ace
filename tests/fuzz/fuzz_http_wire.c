/*
 * libFuzzer target for the lean sender's answer parser
 * (src/net/http_wire_parse.c): any bytes, fed in pieces whose sizes the
 * first byte picks, end whole, incomplete or broken with a reason; a
 * whole answer has a status of 200..999 and a body no longer than what
 * was fed, and the same bytes fed at once give the same answer (bytes
 * after a whole answer break it either way).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/http_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run(struct wire_resp *w, const uint8_t *p, size_t n, size_t step, int eof)
{
	size_t	i, k;
	int	rc = 0;

	/* Bytes after a whole answer are fed too: they break it. */
	for (i = 0; i < n && rc != -1; i += k) {
		k = n - i < step ? n - i : step;
		rc = wire_resp_feed(w, (const char *)p + i, k);
	}
	if (rc == 0 && eof)
		rc = wire_resp_eof(w);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_resp	a, b;
	int			ra, rb, eof;
	size_t			step;

	if (size < 1)
		return 0;
	step = (size_t)(data[0] & 0x3f) + 1;
	eof = data[0] & 0x40;
	wire_resp_init(&a, data[0] & 0x80);
	wire_resp_init(&b, data[0] & 0x80);
	ra = run(&a, data + 1, size - 1, step, eof);
	rb = run(&b, data + 1, size - 1, size, eof);
	if (ra != rb)
		abort();
	if (ra == -1 && (a.err[0] == '\0' || strcmp(a.err, b.err) != 0))
		abort();
	if (ra == 1) {
		if (a.status < 200 || a.status > 999 || a.body.len > size ||
		    a.status != b.status || a.body.len != b.body.len ||
		    (a.body.len > 0 && memcmp(a.body.s, b.body.s,
		    a.body.len) != 0))
			abort();
	}
	wire_resp_free(&a);
	wire_resp_free(&b);
	return 0;
}
