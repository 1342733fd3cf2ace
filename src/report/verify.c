/*
 * Checking an exported CSV.  Two hashes: "sha256", of the data that
 * follows the header, recomputed here; and "report sha256", the seal, of
 * the header's lines above it as they stand in the file (which include
 * the data's hash).  Which of the two fails tells which part was altered:
 * the data, the header, or both.  Where the header can be checked field
 * by field (the row count against the data, the report, period and id
 * against a file name phalanx gave), the field is named too.
 */
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

struct header_read {
	crypto_hash_sha256_state	 seal;
	char				*kind;		/* "trades (csv)" */
	char				*period;
	int				 have;		/* HAVE_* */
};

#define HAVE_SHA	1
#define HAVE_ROWS	2
#define HAVE_SEAL	4

static int
header_value(const char *line, const char *label, const char **v)
{
	size_t	n = strlen(label);

	if (strncmp(line, "# ", 2) != 0 || strncmp(line + 2, label, n) != 0 ||
	    strncmp(line + 2 + n, ": ", 2) != 0)
		return 0;
	*v = line + 4 + n;
	return 1;
}

static void
header_field(struct header_read *h, struct report_check *ck, const char *line)
{
	const char	*v;

	if (header_value(line, "sha256", &v)) {
		snprintf(ck->sha_said, sizeof ck->sha_said, "%s", v);
		h->have |= HAVE_SHA;
	} else if (header_value(line, "rows", &v)) {
		ck->rows_said = strtoll(v, NULL, 10);
		h->have |= HAVE_ROWS;
	} else if (header_value(line, "report id", &v))
		snprintf(ck->id, sizeof ck->id, "%s", v);
	else if (header_value(line, "report", &v) && h->kind == NULL)
		h->kind = xstrdup(v);
	else if (header_value(line, "period", &v) && h->period == NULL)
		h->period = xstrdup(v);
}

/*
 * Read the "#" lines up to and including "report sha256", hashing every
 * line before it as it stands (CRLF included); leaves f at the first byte
 * of the data.  Lines of any length: a header naming 500 client codes is
 * one long line.
 */
static int
read_header(FILE *f, struct report_check *ck, struct header_read *h)
{
	unsigned char	 md[crypto_hash_sha256_BYTES];
	char		*line = NULL;
	const char	*v;
	size_t		 cap = 0;
	ssize_t		 n;
	int		 c, sealed = 0;

	ck->rows_said = -1;
	crypto_hash_sha256_init(&h->seal);
	while ((c = getc(f)) == '#') {
		ungetc(c, f);
		if ((n = getline(&line, &cap, f)) <= 0)
			break;
		if (header_value(line, "report sha256", &v)) {
			snprintf(ck->seal_said, sizeof ck->seal_said, "%.*s",
			    (int)strcspn(v, "\r\n"), v);
			h->have |= HAVE_SEAL;
			sealed = 1;	/* the data follows; nothing to unget */
			break;
		}
		crypto_hash_sha256_update(&h->seal, (unsigned char *)line,
		    (size_t)n);
		line[strcspn(line, "\r\n")] = '\0';
		header_field(h, ck, line);
	}
	free(line);
	if (!sealed && c != EOF)
		ungetc(c, f);
	crypto_hash_sha256_final(&h->seal, md);
	sodium_bin2hex(ck->seal_found, sizeof ck->seal_found, md, sizeof md);
	return (h->have & (HAVE_SHA | HAVE_ROWS)) == (HAVE_SHA | HAVE_ROWS) ?
	    0 : -1;
}

/* Hash and count the data from where f stands. */
static int
read_data(FILE *f, struct report_check *ck)
{
	crypto_hash_sha256_state	 sha;
	unsigned char			 md[crypto_hash_sha256_BYTES];
	char				 buf[1 << 16];
	size_t				 n, i;
	int64_t				 records = 0;
	int				 quoted = 0;

	crypto_hash_sha256_init(&sha);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		crypto_hash_sha256_update(&sha, (unsigned char *)buf, n);
		for (i = 0; i < n; i++) {
			if (buf[i] == '"')
				quoted = !quoted;
			else if (buf[i] == '\n' && !quoted)
				records++;
		}
	}
	if (ferror(f))
		return -1;
	crypto_hash_sha256_final(&sha, md);
	sodium_bin2hex(ck->sha_found, sizeof ck->sha_found, md, sizeof md);
	ck->rows_found = records > 0 ? records - 1 : 0;
	return 0;
}

static void
why_add(struct report_check *ck, const char *fmt, ...) PX_PRINTF(2, 3);

static void
why_add(struct report_check *ck, const char *fmt, ...)
{
	size_t	n = strlen(ck->why);
	va_list	ap;

	if (n + 3 >= sizeof ck->why)
		return;
	if (n > 0) {
		memcpy(ck->why + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(ck->why + n, sizeof ck->why - n, fmt, ap);
	va_end(ap);
}

/*
 * The header's fields a reader can check without the store: the row
 * count against the data, and the report, period and id against the
 * name phalanx gives a file, phalanx-KIND-FROM-TO-ID.csv, when it has it.
 */
static void
name_fields(const char *path, const struct header_read *h,
    struct report_check *ck)
{
	char	*copy = xstrdup(path), *base = basename(copy);
	char	 kind[16], from[11], to[11], id[REPORT_ID_SIZE], want[64];

	if (ck->rows_found != ck->rows_said)
		why_add(ck, "field \"rows\": the header says %lld, the data "
		    "holds %lld rows", (long long)ck->rows_said,
		    (long long)ck->rows_found);
	if (sscanf(base, "phalanx-%15[a-z]-%10[0-9-]-%10[0-9-]-%23[^.].csv",
	    kind, from, to, id) == 4 && strlen(from) == 10 &&
	    strlen(to) == 10) {
		snprintf(want, sizeof want, "%s (csv)", kind);
		if (h->kind == NULL || strcmp(h->kind, want) != 0)
			why_add(ck, "field \"report\" says \"%.40s\", the file "
			    "name says %s", h->kind != NULL ? h->kind : "",
			    kind);
		if (h->period == NULL || strncmp(h->period, from, 10) != 0 ||
		    strncmp(h->period + 10, " to ", 4) != 0 ||
		    strncmp(h->period + 14, to, 10) != 0)
			why_add(ck, "field \"period\" says \"%.24s\", the file "
			    "name says %s to %s", h->period != NULL ?
			    h->period : "", from, to);
		if (strcmp(ck->id, id) != 0)
			why_add(ck, "field \"report id\" says \"%s\", the file "
			    "name says %s", ck->id, id);
	}
	free(copy);
}

/* Which part: the seal fails for the header, the data hash for the data. */
static enum report_verdict
judge(const char *path, const struct header_read *h, struct report_check *ck)
{
	int	data_bad = strcmp(ck->sha_found, ck->sha_said) != 0;
	int	seal_bad = !(h->have & HAVE_SEAL) ||
	    strcmp(ck->seal_found, ck->seal_said) != 0;

	if (!data_bad && !seal_bad && ck->rows_found == ck->rows_said)
		return REPORT_INTACT;
	if (data_bad && !seal_bad) {
		ck->part = "data";
		why_add(ck, "the data was altered: its SHA-256 is %s, the "
		    "header says %.64s (the header itself is intact)",
		    ck->sha_found, ck->sha_said);
		return REPORT_ALTERED;
	}
	ck->part = data_bad ? "header and data" : "header";
	if (!(h->have & HAVE_SEAL))
		why_add(ck, "the header was altered: its \"report sha256\" "
		    "line is missing");
	else
		why_add(ck, "the header was altered: its lines hash to %s, "
		    "its report sha256 says %.64s", ck->seal_found,
		    ck->seal_said);
	name_fields(path, h, ck);
	if (data_bad)
		why_add(ck, "and the data's SHA-256 is %.16s..., not the "
		    "%.16s... the header says", ck->sha_found, ck->sha_said);
	else
		why_add(ck, "the data still matches its sha256");
	return REPORT_ALTERED;
}

enum report_verdict
report_verify(const char *path, struct report_check *ck)
{
	struct header_read	h;
	enum report_verdict	v;
	FILE			*f;

	memset(ck, 0, sizeof *ck);
	memset(&h, 0, sizeof h);
	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(ck->why, sizeof ck->why, "cannot read %s: %s", path,
		    strerror(errno));
		return REPORT_UNREADABLE;
	}
	if (read_header(f, ck, &h) != 0) {
		fclose(f);
		free(h.kind);
		free(h.period);
		snprintf(ck->why, sizeof ck->why, "%s has no phalanx report "
		    "header (\"# rows\" and \"# sha256\" lines)", path);
		return REPORT_UNREADABLE;
	}
	if (read_data(f, ck) != 0) {
		fclose(f);
		free(h.kind);
		free(h.period);
		snprintf(ck->why, sizeof ck->why, "cannot read %s", path);
		return REPORT_UNREADABLE;
	}
	fclose(f);
	v = judge(path, &h, ck);
	free(h.kind);
	free(h.period);
	return v;
}

int
report_verify_main(int argc, char **argv)
{
	struct report_check	ck;
	enum report_verdict	v;

	if (argc != 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		fprintf(argc == 2 ? stdout : stderr, "usage: phalanx export "
		    "verify FILE\n  recompute an exported CSV's SHA-256 (of "
		    "the data) and its report sha256\n  (of the header lines, "
		    "which name the data's hash) and the row count;\n  say "
		    "which part was altered; exit 0 intact, 1 altered, 2 "
		    "unreadable\n  or not a phalanx report\n");
		return argc == 2 ? 0 : 2;
	}
	v = report_verify(argv[1], &ck);
	switch (v) {
	case REPORT_INTACT:
		printf("%s: intact: report %s, %lld rows, sha256 %s, report "
		    "sha256 %s\n", argv[1], ck.id[0] != '\0' ? ck.id : "-",
		    (long long)ck.rows_found, ck.sha_found, ck.seal_found);
		break;
	case REPORT_ALTERED:
		printf("%s: ALTERED (%s): %s\n", argv[1], ck.part, ck.why);
		break;
	case REPORT_UNREADABLE:
		fprintf(stderr, "phalanx: %s\n", ck.why);
		break;
	}
	return (int)v;
}
