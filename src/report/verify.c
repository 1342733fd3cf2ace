/*
 * Checking an exported CSV: the "# rows" and "# sha256" header lines
 * against the data that follows them, recomputed.  One changed, added or
 * removed byte in the data changes the hash; a header without those lines
 * is no phalanx report at all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

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

/* Read the "#" lines; leaves f at the first byte of the data. */
static int
read_header(FILE *f, struct report_check *ck)
{
	char		 line[1024];
	const char	*v;
	int		 c, have = 0;

	ck->rows_said = -1;
	while ((c = getc(f)) == '#') {
		ungetc(c, f);
		if (fgets(line, sizeof line, f) == NULL)
			break;
		line[strcspn(line, "\r\n")] = '\0';
		if (header_value(line, "sha256", &v)) {
			snprintf(ck->sha_said, sizeof ck->sha_said, "%s", v);
			have |= 1;
		} else if (header_value(line, "rows", &v)) {
			ck->rows_said = strtoll(v, NULL, 10);
			have |= 2;
		} else if (header_value(line, "report id", &v))
			snprintf(ck->id, sizeof ck->id, "%s", v);
	}
	if (c != EOF)
		ungetc(c, f);
	return have == 3 ? 0 : -1;
}

enum report_verdict
report_verify(const char *path, struct report_check *ck)
{
	crypto_hash_sha256_state	 sha;
	unsigned char			 md[crypto_hash_sha256_BYTES];
	char				 buf[1 << 16];
	size_t				 n, i;
	int64_t				 records = 0;
	int				 quoted = 0;
	FILE				*f;

	memset(ck, 0, sizeof *ck);
	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(ck->why, sizeof ck->why, "cannot read %s: %s", path,
		    strerror(errno));
		return REPORT_UNREADABLE;
	}
	if (read_header(f, ck) != 0) {
		fclose(f);
		snprintf(ck->why, sizeof ck->why, "%s has no phalanx report "
		    "header (\"# rows\" and \"# sha256\" lines)", path);
		return REPORT_UNREADABLE;
	}
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
	if (ferror(f)) {
		fclose(f);
		snprintf(ck->why, sizeof ck->why, "cannot read %s", path);
		return REPORT_UNREADABLE;
	}
	fclose(f);
	crypto_hash_sha256_final(&sha, md);
	sodium_bin2hex(ck->sha_found, sizeof ck->sha_found, md, sizeof md);
	ck->rows_found = records > 0 ? records - 1 : 0;
	if (strcmp(ck->sha_found, ck->sha_said) != 0) {
		snprintf(ck->why, sizeof ck->why, "the data's SHA-256 is %s, "
		    "the header says %.64s", ck->sha_found, ck->sha_said);
		return REPORT_ALTERED;
	}
	if (ck->rows_found != ck->rows_said) {
		snprintf(ck->why, sizeof ck->why, "the data holds %lld rows, "
		    "the header says %lld", (long long)ck->rows_found,
		    (long long)ck->rows_said);
		return REPORT_ALTERED;
	}
	return REPORT_INTACT;
}

int
report_verify_main(int argc, char **argv)
{
	struct report_check	ck;
	enum report_verdict	v;

	if (argc != 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		fprintf(argc == 2 ? stdout : stderr, "usage: phalanx export "
		    "verify FILE\n  recompute an exported CSV's SHA-256 and "
		    "row count; exit 0 intact,\n  1 altered, 2 unreadable or "
		    "not a phalanx report\n");
		return argc == 2 ? 0 : 2;
	}
	v = report_verify(argv[1], &ck);
	switch (v) {
	case REPORT_INTACT:
		printf("%s: intact: report %s, %lld rows, sha256 %s\n",
		    argv[1], ck.id[0] != '\0' ? ck.id : "-",
		    (long long)ck.rows_found, ck.sha_found);
		break;
	case REPORT_ALTERED:
		printf("%s: ALTERED: %s\n", argv[1], ck.why);
		break;
	case REPORT_UNREADABLE:
		fprintf(stderr, "phalanx: %s\n", ck.why);
		break;
	}
	return (int)v;
}
