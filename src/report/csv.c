/*
 * CSV per RFC 4180.  PostgreSQL's COPY already quotes as the RFC says
 * (a field holding a comma, quote or line break is quoted, quotes
 * doubled); the spool only turns each record's LF into CRLF, leaving line
 * breaks inside quoted fields alone, and hashes and counts as it writes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/report.h"

int
report_spool_open(struct report_spool *sp, const char *path, struct err *err)
{
	memset(sp, 0, sizeof *sp);
	sp->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (sp->fd == -1) {
		err_set(err, "export-write", "cannot write %s: %s", path,
		    strerror(errno));
		return -1;
	}
	crypto_hash_sha256_init(&sp->sha);
	return 0;
}

static int
spool_flush(struct report_spool *sp)
{
	if (sp->n == 0 || sp->failed)
		return sp->failed ? -1 : 0;
	crypto_hash_sha256_update(&sp->sha, (const unsigned char *)sp->buf,
	    sp->n);
	if (file_write_all(sp->fd, sp->buf, sp->n) != 0) {
		sp->failed = errno != 0 ? errno : EIO;
		return -1;
	}
	sp->n = 0;
	return 0;
}

static int
spool_put(struct report_spool *sp, const char *s, size_t len)
{
	if (sp->n + len > sizeof sp->buf && spool_flush(sp) != 0)
		return -1;
	memcpy(sp->buf + sp->n, s, len);
	sp->n += len;
	return 0;
}

int
report_spool_feed(struct report_spool *sp, const char *s, size_t len)
{
	size_t	i, start = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			sp->quoted = !sp->quoted;
		else if (s[i] == '\n' && !sp->quoted) {
			if (spool_put(sp, s + start, i - start) != 0 ||
			    spool_put(sp, "\r\n", 2) != 0)
				return -1;
			start = i + 1;
			sp->records++;
		}
	}
	return spool_put(sp, s + start, len - start);
}

int
report_spool_close(struct report_spool *sp, char sha256[REPORT_SHA_SIZE],
    int64_t *rows, struct err *err)
{
	unsigned char	md[crypto_hash_sha256_BYTES];
	int		rc = spool_flush(sp);

	if (rc == 0 && fsync(sp->fd) != 0 && errno != EINVAL)
		sp->failed = errno, rc = -1;
	if (close(sp->fd) != 0 && rc == 0)
		sp->failed = errno, rc = -1;
	sp->fd = -1;
	if (rc != 0) {
		err_set(err, "export-write", "cannot write the export's "
		    "spool: %s", strerror(sp->failed));
		return -1;
	}
	crypto_hash_sha256_final(&sp->sha, md);
	sodium_bin2hex(sha256, REPORT_SHA_SIZE, md, sizeof md);
	*rows = sp->records > 0 ? sp->records - 1 : 0;
	return 0;
}

int
report_csv_reader_open(struct report_csv_reader *r, const char *path,
    struct err *err)
{
	memset(r, 0, sizeof *r);
	if ((r->f = fopen(path, "rb")) == NULL) {
		err_set(err, "export-read", "cannot read %s: %s", path,
		    strerror(errno));
		return -1;
	}
	strbuf_init(&r->field);
	return 0;
}

static void
reader_push(struct report_csv_reader *r)
{
	if (r->n == r->cap) {
		r->cap = r->cap == 0 ? 16 : r->cap * 2;
		r->v = xreallocarray(r->v, r->cap, sizeof *r->v);
		memset(r->v + r->n, 0, (r->cap - r->n) * sizeof *r->v);
	}
	free(r->v[r->n]);
	r->v[r->n++] = xstrdup(r->field.len > 0 ? r->field.s : "");
	strbuf_reset(&r->field);
}

int
report_csv_next(struct report_csv_reader *r, char ***fields, size_t *n)
{
	int	c, quoted = 0, any = 0;

	r->n = 0;
	strbuf_reset(&r->field);
	while ((c = getc(r->f)) != EOF) {
		any = 1;
		if (quoted) {
			if (c != '"')
				strbuf_putc(&r->field, (char)c);
			else if ((c = getc(r->f)) == '"')
				strbuf_putc(&r->field, '"');
			else {
				quoted = 0;
				if (c != EOF)
					ungetc(c, r->f);
			}
		} else if (c == '"')
			quoted = 1;
		else if (c == ',')
			reader_push(r);
		else if (c == '\r')
			continue;
		else if (c == '\n')
			break;
		else
			strbuf_putc(&r->field, (char)c);
	}
	if (!any)
		return 0;
	reader_push(r);
	*fields = r->v;
	*n = r->n;
	return 1;
}

void
report_csv_reader_close(struct report_csv_reader *r)
{
	size_t	i;

	for (i = 0; i < r->cap; i++)
		free(r->v[i]);
	free(r->v);
	strbuf_free(&r->field);
	if (r->f != NULL)
		fclose(r->f);
	memset(r, 0, sizeof *r);
}

/* Append src's bytes to fd, in the kernel where it can. */
static int
copy_file(int fd, const char *src, struct err *err)
{
	char	buf[1 << 16];
	ssize_t	n;
	int	in;

	if ((in = open(src, O_RDONLY | O_CLOEXEC)) == -1) {
		err_set(err, "export-read", "cannot read the spool %s: %s", src,
		    strerror(errno));
		return -1;
	}
	while ((n = copy_file_range(in, NULL, fd, NULL, 1 << 30, 0)) > 0)
		;
	if (n == -1 && (errno == EXDEV || errno == ENOSYS ||
	    errno == EINVAL || errno == EOPNOTSUPP)) {
		while ((n = read(in, buf, sizeof buf)) > 0) {
			if (file_write_all(fd, buf, (size_t)n) != 0) {
				n = -1;
				break;
			}
		}
	}
	if (n == -1)
		err_set(err, "export-write", "cannot copy the spool: %s",
		    strerror(errno));
	close(in);
	return n == -1 ? -1 : 0;
}

int
report_csv_write(const char *spool, const struct report_meta *m,
    const char *path, struct err *err)
{
	struct strbuf	b;
	int		fd, rc;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1) {
		err_set(err, "export-write", "cannot write %s: %s", path,
		    strerror(errno));
		return -1;
	}
	strbuf_init(&b);
	report_header_csv(&b, m);
	rc = file_write_all(fd, b.s, b.len);
	strbuf_free(&b);
	if (rc != 0)
		err_set(err, "export-write", "cannot write %s: %s", path,
		    strerror(errno));
	else
		rc = copy_file(fd, spool, err);
	if (close(fd) != 0 && rc == 0) {
		err_set(err, "export-write", "cannot write %s: %s", path,
		    strerror(errno));
		rc = -1;
	}
	return rc;
}
