/*
 * src/report without a store: the spool's CRLF records, hash and count
 * whatever the chunking, the CSV reader, the header and its verification
 * (one changed byte caught), and a PDF whose page count is the layout's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "report/report.h"

/* What COPY sends: names, a plain row, one with a quoted LF and quotes. */
static const char copy_out[] =
	"id,msg\n"
	"1,plain\n"
	"2,\"two\nlines, \"\"q\"\"\"\n"
	"3,\n";
static const char want_csv[] =
	"id,msg\r\n"
	"1,plain\r\n"
	"2,\"two\nlines, \"\"q\"\"\"\r\n"
	"3,\r\n";

static char dir[64];

static char *
tmp_path(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f = fopen(path, "rb");
	char	*buf = xmalloc(1 << 16);

	assert_non_null(f);
	*len = fread(buf, 1, (1 << 16) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

static void
spool_in_chunks(const char *path, size_t chunk, char sha[REPORT_SHA_SIZE],
    int64_t *rows)
{
	struct report_spool	*sp = xmalloc(sizeof *sp);
	struct err		 err;
	size_t			 i, n = strlen(copy_out);

	assert_int_equal(report_spool_open(sp, path, &err), 0);
	for (i = 0; i < n; i += chunk)
		assert_int_equal(report_spool_feed(sp, copy_out + i,
		    i + chunk < n ? chunk : n - i), 0);
	assert_int_equal(report_spool_close(sp, sha, rows, &err), 0);
	free(sp);
}

static void
test_spool(void **state)
{
	unsigned char	md[crypto_hash_sha256_BYTES];
	char		sha[REPORT_SHA_SIZE], sha1[REPORT_SHA_SIZE], hex[65];
	char		*path = tmp_path("spool.csv"), *got;
	int64_t		rows;
	size_t		len, chunk;

	spool_in_chunks(path, 1 << 20, sha, &rows);
	got = slurp(path, &len);
	assert_int_equal(len, strlen(want_csv));
	assert_memory_equal(got, want_csv, len);
	assert_int_equal(rows, 3);
	crypto_hash_sha256(md, (const unsigned char *)want_csv,
	    strlen(want_csv));
	sodium_bin2hex(hex, sizeof hex, md, sizeof md);
	assert_string_equal(sha, hex);
	free(got);
	/* A chunk may end anywhere, inside quotes or between "" and ". */
	for (chunk = 1; chunk < 8; chunk++) {
		spool_in_chunks(path, chunk, sha1, &rows);
		assert_string_equal(sha1, sha);
		assert_int_equal(rows, 3);
	}
	free(path);
}

static void
test_reader(void **state)
{
	struct report_csv_reader	 r;
	struct err			 err;
	char				*path = tmp_path("spool.csv");
	char				**f;
	size_t				 n;
	char				 sha[REPORT_SHA_SIZE];
	int64_t				 rows;

	spool_in_chunks(path, 5, sha, &rows);
	assert_int_equal(report_csv_reader_open(&r, path, &err), 0);
	assert_true(report_csv_next(&r, &f, &n));
	assert_int_equal(n, 2);
	assert_string_equal(f[1], "msg");
	assert_true(report_csv_next(&r, &f, &n));
	assert_string_equal(f[1], "plain");
	assert_true(report_csv_next(&r, &f, &n));
	assert_string_equal(f[1], "two\nlines, \"q\"");
	assert_true(report_csv_next(&r, &f, &n));
	assert_int_equal(n, 2);
	assert_string_equal(f[1], "");
	assert_false(report_csv_next(&r, &f, &n));
	report_csv_reader_close(&r);
	free(path);
}

static void
meta_fill(struct report_meta *m, const char *sha, int64_t rows)
{
	memset(m, 0, sizeof *m);
	strcpy(m->kind, "orders");
	strcpy(m->format, "csv");
	strcpy(m->from, "2026-11-01");
	strcpy(m->to, "2026-11-30");
	report_new_id(m->id, sizeof m->id, 1764547200000000LL);
	m->target = xstrdup("group:desk");
	m->firm = xstrdup("Acme\r\nBcc: x");	/* no line break survives */
	m->client_codes = xstrdup("AB1234,CD5678");
	m->generated_us = 1764547200000000LL;	/* 2025-12-01 00:00 UTC */
	m->rows = rows;
	snprintf(m->sha256, sizeof m->sha256, "%s", sha);
	report_seal(m);
}

static void
write_all(const char *path, const char *s, size_t len)
{
	FILE	*f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, len, f), len);
	fclose(f);
}

static void
test_header_and_verify(void **state)
{
	struct report_meta	 m;
	struct report_check	 ck;
	struct err		 err;
	char			*spool = tmp_path("spool.csv");
	char			*path = tmp_path("report.csv"), *got, *p;
	char			 sha[REPORT_SHA_SIZE];
	int64_t			 rows;
	size_t			 len;

	spool_in_chunks(spool, 3, sha, &rows);
	meta_fill(&m, sha, rows);
	assert_memory_equal(m.id, "RPT-20251201-", 13);
	assert_int_equal(strlen(m.id), 21);
	assert_int_equal(report_csv_write(spool, &m, path, &err), 0);
	got = slurp(path, &len);
	assert_non_null(strstr(got, "# firm: Acme  Bcc: x\r\n"));
	assert_non_null(strstr(got, "# member code: -\r\n"));
	assert_non_null(strstr(got, "# generated at: 2025-12-01 05:30:00 "
	    "IST\r\n"));
	assert_non_null(strstr(got, "# rows: 3\r\n"));
	assert_non_null(strstr(got, "# target: group:desk\r\n"));
	p = strstr(got, "id,msg\r\n");
	assert_non_null(p);
	assert_string_equal(p, want_csv);

	assert_int_equal(report_verify(path, &ck), REPORT_INTACT);
	assert_string_equal(ck.id, m.id);
	assert_int_equal(ck.rows_found, 3);
	/* One byte of the data changed. */
	assert_int_equal(p[10], 'p');
	p[10] = 'P';
	write_all(path, got, len);
	assert_int_equal(report_verify(path, &ck), REPORT_ALTERED);
	assert_non_null(strstr(ck.why, "SHA-256"));
	assert_string_equal(ck.part, "data");
	/* Only the header's count changed. */
	p[10] = 'p';
	p = strstr(got, "# rows: 3");
	p[8] = '2';
	write_all(path, got, len);
	assert_int_equal(report_verify(path, &ck), REPORT_ALTERED);
	assert_non_null(strstr(ck.why, "header says 2"));
	assert_string_equal(ck.part, "header");
	p[8] = '3';
	/* One byte of a client code: only the seal sees it. */
	p = strstr(got, "AB1234");
	p[5] = '5';
	write_all(path, got, len);
	assert_int_equal(report_verify(path, &ck), REPORT_ALTERED);
	assert_string_equal(ck.part, "header");
	assert_non_null(strstr(ck.why, "the header was altered"));
	assert_non_null(strstr(ck.why, "the data still matches"));
	p[5] = '4';
	write_all(path, got, len);
	assert_int_equal(report_verify(path, &ck), REPORT_INTACT);
	assert_string_equal(ck.seal_found, m.seal);
	/* The seal line dropped: the header can no longer be checked. */
	p = strstr(got, "# report sha256: ");
	memmove(p, p + 83, len - (size_t)(p + 83 - got));
	write_all(path, got, len - 83);
	assert_int_equal(report_verify(path, &ck), REPORT_ALTERED);
	assert_non_null(strstr(ck.why, "\"report sha256\" line is missing"));
	/* No header at all. */
	assert_int_equal(report_verify(spool, &ck), REPORT_UNREADABLE);
	assert_int_equal(report_verify("/nonexistent/x.csv", &ck),
	    REPORT_UNREADABLE);
	free(got);
	report_meta_clear(&m);
	free(spool);
	free(path);
}

/* A header line longer than any line buffer: 800 client codes. */
static void
test_verify_long_header(void **state)
{
	struct report_meta	 m;
	struct report_check	 ck;
	struct err		 err;
	struct strbuf		 b;
	char			*spool = tmp_path("spool.csv");
	char			*path = tmp_path("long.csv");
	char			 sha[REPORT_SHA_SIZE];
	int64_t			 rows;
	int			 i;

	spool_in_chunks(spool, 7, sha, &rows);
	meta_fill(&m, sha, rows);
	strbuf_init(&b);
	for (i = 0; i < 800; i++)
		strbuf_printf(&b, "%sCC%04d", i > 0 ? "," : "", i);
	free(m.client_codes);
	m.client_codes = strbuf_steal(&b);
	report_seal(&m);
	assert_int_equal(report_csv_write(spool, &m, path, &err), 0);
	assert_int_equal(report_verify(path, &ck), REPORT_INTACT);
	assert_int_equal(ck.rows_found, 3);
	report_meta_clear(&m);
	free(spool);
	free(path);
}

static void
test_pdf_pages(void **state)
{
	struct report_meta	 m;
	struct report_spool	*sp = xmalloc(sizeof *sp);
	struct err		 err;
	char			*spool = tmp_path("big.csv");
	char			*pdf = tmp_path("big.pdf"), *line, *got, *p;
	char			 sha[REPORT_SHA_SIZE];
	int64_t			 rows, i;
	size_t			 len;
	int			 pages = 0;

	assert_int_equal(report_pdf_table_pages(0), 1);
	assert_int_equal(report_pdf_table_pages(50), 1);
	assert_int_equal(report_pdf_table_pages(51), 2);
	assert_int_equal(report_spool_open(sp, spool, &err), 0);
	report_spool_feed(sp, "ts,state,latency_us\n", 20);
	for (i = 0; i < 120; i++) {
		line = xasprintf("2026-11-02 09:%02d:00+05:30,OPEN,%lld\n",
		    (int)(i % 60), (long long)(i * 137));
		report_spool_feed(sp, line, strlen(line));
		free(line);
	}
	assert_int_equal(report_spool_close(sp, sha, &rows, &err), 0);
	free(sp);
	meta_fill(&m, sha, rows);
	strcpy(m.kind, "events");
	assert_int_equal(report_pdf_write(spool, &m, pdf, &err), 0);
	got = slurp(pdf, &len);
	assert_memory_equal(got, "%PDF-", 5);
	/* cover + charts + 3 table pages: count the page objects. */
	for (p = got; (p = memmem(p, len - (size_t)(p - got),
	    "/Type /Page\n", 12)) != NULL; p++)
		pages++;
	if (pages == 0) {
		for (p = got; (p = memmem(p, len - (size_t)(p - got),
		    "/Type /Page", 11)) != NULL; p++)
			pages += p[11] != 's';
	}
	assert_int_equal(pages, 5);
	free(got);
	report_meta_clear(&m);
	free(spool);
	free(pdf);
}

static int
setup(void **state)
{
	snprintf(dir, sizeof dir, "%s", "/tmp/px-report.XXXXXX");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	char	*cmd = xasprintf("rm -rf '%s'", dir);
	int	 rc = system(cmd);

	free(cmd);
	return rc == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spool),
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_header_and_verify),
		cmocka_unit_test(test_verify_long_header),
		cmocka_unit_test(test_pdf_pages),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
