/*
 * The compliance header every report carries: the same fields, in the
 * same order, as "# label: value" lines atop a CSV and on a PDF's cover.
 * Values never hold a line break (a header line is one line).  The last
 * line, "report sha256", seals the lines above it, and through the data's
 * "sha256" among them the data too: a changed client code or period is
 * caught as surely as a changed trade.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

static const char *const field_labels[REPORT_NFIELDS] = {
	"report", "firm", "member code", "brokers", "client codes",
	"algo ids", "target", "report id", "period", "generated at",
	"generator", "rows", "sha256", "report sha256"
};

void
report_meta_clear(struct report_meta *m)
{
	free(m->target);
	free(m->firm);
	free(m->member_code);
	free(m->brokers);
	free(m->client_codes);
	free(m->algo_ids);
	memset(m, 0, sizeof *m);
}

void
report_new_id(char *buf, size_t len, int64_t wall_us)
{
	unsigned char	rnd[4];
	char		hex[9], day[24];

	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
	time_fmt_ist(wall_us, day, sizeof day);
	snprintf(buf, len, "RPT-%.4s%.2s%.2s-%s", day, day + 5, day + 8, hex);
}

const char *
report_field_label(size_t i)
{
	return i < REPORT_NFIELDS ? field_labels[i] : NULL;
}

/* A value on one line: control bytes become spaces; empty is "-". */
static char *
one_line(const char *s)
{
	char	*v, *p;

	if (s == NULL || *s == '\0')
		return xstrdup("-");
	v = xstrdup(s);
	for (p = v; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	}
	return v;
}

char *
report_field_value(const struct report_meta *m, size_t i)
{
	char	at[24];

	switch (i) {
	case 0:
		return xasprintf("%s (%s)", m->kind, m->format);
	case 1:
		return one_line(m->firm);
	case 2:
		return one_line(m->member_code);
	case 3:
		return one_line(m->brokers);
	case 4:
		return one_line(m->client_codes);
	case 5:
		return one_line(m->algo_ids);
	case 6:
		return one_line(m->target);
	case 7:
		return xstrdup(m->id);
	case 8:
		return xasprintf("%s to %s (IST, both days included)", m->from,
		    m->to);
	case 9:
		time_fmt_ist(m->generated_us, at, sizeof at);
		return xasprintf("%s IST", at);
	case 10:
		return xstrdup("phalanx " PX_VERSION);
	case 11:
		return xasprintf("%lld", (long long)m->rows);
	case 12:
		return xstrdup(m->sha256);
	case 13:
		return xstrdup(m->seal);
	}
	return xstrdup("");
}

static void
header_lines(struct strbuf *b, const struct report_meta *m, size_t n)
{
	size_t	 i;
	char	*v;

	for (i = 0; i < n; i++) {
		v = report_field_value(m, i);
		strbuf_printf(b, "# %s: %s\r\n", field_labels[i], v);
		free(v);
	}
}

void
report_header_csv(struct strbuf *b, const struct report_meta *m)
{
	header_lines(b, m, REPORT_NFIELDS);
}

void
report_seal(struct report_meta *m)
{
	unsigned char	md[crypto_hash_sha256_BYTES];
	struct strbuf	b;

	strbuf_init(&b);
	header_lines(&b, m, REPORT_SEALED);
	crypto_hash_sha256(md, (const unsigned char *)b.s, b.len);
	sodium_bin2hex(m->seal, sizeof m->seal, md, sizeof md);
	strbuf_free(&b);
}
