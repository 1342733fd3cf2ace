/*
 * The instrument dump (GET /instruments): RFC 4180 CSV, a header naming
 * the columns, then one instrument a row.  The dump runs to tens of
 * megabytes, so it is parsed as it arrives, chunk by chunk, and each row
 * is handed on as soon as it is complete; only one row is ever held.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/kite.h"

#define CSV_MAX_FIELDS	64
#define CSV_MAX_FIELD	1024

enum csv_state {
	CSV_START,	/* at the start of a field */
	CSV_PLAIN,	/* in an unquoted field */
	CSV_QUOTED,	/* inside quotes */
	CSV_QUOTE	/* a quote inside quotes: closing, or the first of "" */
};

enum csv_col {
	COL_TOKEN, COL_EXCH_TOKEN, COL_SYMBOL, COL_NAME, COL_LAST_PRICE,
	COL_EXPIRY, COL_STRIKE, COL_TICK, COL_LOT, COL_TYPE, COL_SEGMENT,
	COL_EXCHANGE, NCOLS
};

static const struct {
	const char	*name;
	int		 required;
} csv_cols[NCOLS] = {
	[COL_TOKEN] = { "instrument_token", 1 },
	[COL_EXCH_TOKEN] = { "exchange_token", 0 },
	[COL_SYMBOL] = { "tradingsymbol", 1 },
	[COL_NAME] = { "name", 0 },
	[COL_LAST_PRICE] = { "last_price", 0 },
	[COL_EXPIRY] = { "expiry", 0 },
	[COL_STRIKE] = { "strike", 0 },
	[COL_TICK] = { "tick_size", 1 },
	[COL_LOT] = { "lot_size", 1 },
	[COL_TYPE] = { "instrument_type", 1 },
	[COL_SEGMENT] = { "segment", 1 },
	[COL_EXCHANGE] = { "exchange", 1 },
};

struct kite_csv {
	broker_instrument_cb	 cb;
	void			*arg;
	enum csv_state		 state;
	int			 skip_lf;	/* just ended a row on CR */
	int			 prev_cr;	/* for counting CRLF as one line */
	int			 done;		/* failed, or the callback stopped */
	int			 failed;
	struct strbuf		 row;		/* fields, NUL-separated */
	size_t			 off[CSV_MAX_FIELDS];
	int			 nf;
	size_t			 flen;		/* length of the current field */
	int			 quoted;	/* the row had a quoted field */
	int			 header;	/* header seen */
	int			 ncols;		/* fields in the header */
	int			 col[NCOLS];	/* header index, -1 if absent */
	size_t			 line;		/* physical line being read */
	size_t			 row_line;	/* where the current row began */
	size_t			 rows;
};

struct kite_csv *
kite_csv_new(broker_instrument_cb cb, void *arg)
{
	struct kite_csv	*p;

	p = xcalloc(1, sizeof *p);
	p->cb = cb;
	p->arg = arg;
	strbuf_init(&p->row);
	p->line = p->row_line = 1;
	return p;
}

void
kite_csv_free(struct kite_csv *p)
{
	if (p == NULL)
		return;
	strbuf_free(&p->row);
	free(p);
}

size_t
kite_csv_rows(const struct kite_csv *p)
{
	return p->rows;
}

static int
csv_fail(struct kite_csv *p, struct broker_err *be, const char *fmt, ...)
    PX_PRINTF(3, 4);

static int
csv_fail(struct kite_csv *p, struct broker_err *be, const char *fmt, ...)
{
	char	msg[400];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	kite_decode_err(BROKER_OP_INSTRUMENTS, 200, be,
	    "instruments line %zu: %s", p->row_line, msg);
	p->done = p->failed = 1;
	return -1;
}

static const char *
fld(const struct kite_csv *p, enum csv_col c)
{
	if (p->col[c] < 0)
		return "";
	return p->row.s + p->off[p->col[c]];
}

/* Columns by name, so a reordered or widened dump still reads. */
static int
header_row(struct kite_csv *p, struct broker_err *be)
{
	const char	*name;
	int		 c, i;

	/* A UTF-8 byte order mark is not part of the first name. */
	if (strncmp(p->row.s, "\xef\xbb\xbf", 3) == 0)
		p->off[0] += 3;
	for (c = 0; c < NCOLS; c++) {
		p->col[c] = -1;
		for (i = 0; i < p->nf; i++) {
			name = p->row.s + p->off[i];
			if (strcmp(name, csv_cols[c].name) == 0)
				p->col[c] = i;
		}
		if (p->col[c] < 0 && csv_cols[c].required)
			return csv_fail(p, be, "header has no %s column",
			    csv_cols[c].name);
	}
	p->ncols = p->nf;
	p->header = 1;
	return 0;
}

static int
int_field(struct kite_csv *p, struct broker_err *be, enum csv_col c,
    int64_t *out)
{
	const char	*s = fld(p, c), *q;
	int64_t		 v = 0;

	if (*s == '\0' && !csv_cols[c].required) {
		*out = 0;
		return 0;
	}
	for (q = s; *q >= '0' && *q <= '9'; q++) {
		if (v > (INT64_MAX - 9) / 10)
			break;
		v = v * 10 + (*q - '0');
	}
	if (q == s || *q != '\0')
		return csv_fail(p, be, "%s \"%.32s\" is not a whole number",
		    csv_cols[c].name, s);
	*out = v;
	return 0;
}

static int
paise_field(struct kite_csv *p, struct broker_err *be, enum csv_col c,
    int64_t *out, int *exact)
{
	const char	*s = fld(p, c);

	*out = 0;
	if (exact != NULL)
		*exact = 1;
	if (*s == '\0' && !csv_cols[c].required)
		return 0;
	if (kite_paise_parse(s, strlen(s), out, exact) != 0)
		return csv_fail(p, be, "%s \"%.32s\" is not a price",
		    csv_cols[c].name, s);
	return 0;
}

static int
str_field(struct kite_csv *p, struct broker_err *be, enum csv_col c,
    char *buf, size_t size, int trunc)
{
	const char	*s = fld(p, c);
	size_t		 len = strlen(s);

	if (*s == '\0' && csv_cols[c].required)
		return csv_fail(p, be, "%s is empty", csv_cols[c].name);
	if (len >= size && !trunc)
		return csv_fail(p, be, "%s \"%.32s\" is too long (at most %zu)",
		    csv_cols[c].name, s, size - 1);
	snprintf(buf, size, "%s", s);
	kite_sanitize(buf);
	return 0;
}

/* "2018-01-25" to 20180125; empty for instruments that never expire. */
static int
expiry_field(struct kite_csv *p, struct broker_err *be, int32_t *out)
{
	const char	*s = fld(p, COL_EXPIRY);
	int64_t		 us;
	char		 ts[20];
	int		 i;

	*out = 0;
	if (*s == '\0')
		return 0;
	snprintf(ts, sizeof ts, "%.10s 12:00:00", s);
	if (strlen(s) != 10 || kite_ts_parse(ts, &us) != 0)
		return csv_fail(p, be, "expiry \"%.32s\" is not YYYY-MM-DD", s);
	for (i = 0; i < 10; i++) {
		if (i != 4 && i != 7)
			*out = *out * 10 + (s[i] - '0');
	}
	return 0;
}

static int
data_row(struct kite_csv *p, struct broker_err *be)
{
	struct broker_instrument	in;
	int				exact;

	if (p->nf != p->ncols)
		return csv_fail(p, be, "%d fields, the header has %d", p->nf,
		    p->ncols);
	memset(&in, 0, sizeof in);
	if (int_field(p, be, COL_TOKEN, &in.instrument_token) ||
	    int_field(p, be, COL_EXCH_TOKEN, &in.exchange_token) ||
	    str_field(p, be, COL_SYMBOL, in.tradingsymbol,
	    sizeof in.tradingsymbol, 0) ||
	    str_field(p, be, COL_NAME, in.name, sizeof in.name, 1) ||
	    paise_field(p, be, COL_LAST_PRICE, &in.last_price, NULL) ||
	    expiry_field(p, be, &in.expiry) ||
	    paise_field(p, be, COL_STRIKE, &in.strike, NULL) ||
	    paise_field(p, be, COL_TICK, &in.tick_size, &exact) ||
	    int_field(p, be, COL_LOT, &in.lot_size) ||
	    str_field(p, be, COL_TYPE, in.instrument_type,
	    sizeof in.instrument_type, 0) ||
	    str_field(p, be, COL_SEGMENT, in.segment, sizeof in.segment, 0) ||
	    str_field(p, be, COL_EXCHANGE, in.exchange, sizeof in.exchange, 0))
		return -1;
	if (!exact || in.tick_size < 0)
		in.tick_size = 0;
	p->rows++;
	if (p->cb != NULL && p->cb(&in, p->arg) != 0)
		p->done = 1;
	return 0;
}

static int
field_begin(struct kite_csv *p, struct broker_err *be)
{
	if (p->nf == CSV_MAX_FIELDS)
		return csv_fail(p, be, "more than %d fields", CSV_MAX_FIELDS);
	p->off[p->nf++] = p->row.len;
	p->flen = 0;
	return 0;
}

static int
field_add(struct kite_csv *p, struct broker_err *be, char c)
{
	if (p->flen == CSV_MAX_FIELD)
		return csv_fail(p, be, "a field is longer than %d bytes",
		    CSV_MAX_FIELD);
	strbuf_putc(&p->row, c);
	p->flen++;
	return 0;
}

/* A row ended: skip it if blank, else it is the header or an instrument. */
static int
row_end(struct kite_csv *p, struct broker_err *be)
{
	int	rc = 0;

	strbuf_putc(&p->row, '\0');
	if (p->nf > 1 || p->row.s[0] != '\0' || p->quoted)
		rc = p->header ? data_row(p, be) : header_row(p, be);
	strbuf_reset(&p->row);
	p->nf = 0;
	p->quoted = 0;
	p->state = CSV_START;
	p->row_line = p->line;
	return rc;
}

/* What ends a field outside quotes: a comma, or a line break. */
static int
separator(struct kite_csv *p, struct broker_err *be, char c)
{
	switch (c) {
	case ',':
		strbuf_putc(&p->row, '\0');
		p->state = CSV_START;
		return 0;
	case '\r':
		p->skip_lf = 1;
		/* FALLTHROUGH */
	case '\n':
		return row_end(p, be);
	}
	return 1;
}

static int
csv_byte(struct kite_csv *p, struct broker_err *be, char c)
{
	int	rc;

	switch (p->state) {
	case CSV_START:
		if (field_begin(p, be) != 0)
			return -1;
		if (c == '"') {
			p->quoted = 1;
			p->state = CSV_QUOTED;
			return 0;
		}
		p->state = CSV_PLAIN;
		/* FALLTHROUGH */
	case CSV_PLAIN:
		if ((rc = separator(p, be, c)) <= 0)
			return rc;
		if (c == '"')
			return csv_fail(p, be, "a quote inside an unquoted "
			    "field");
		return field_add(p, be, c);
	case CSV_QUOTED:
		if (c == '"') {
			p->state = CSV_QUOTE;
			return 0;
		}
		return field_add(p, be, c);
	case CSV_QUOTE:
		if (c == '"') {
			p->state = CSV_QUOTED;
			return field_add(p, be, c);
		}
		if ((rc = separator(p, be, c)) <= 0)
			return rc;
		return csv_fail(p, be, "text after a closing quote");
	}
	return 0;
}

int
kite_csv_feed(struct kite_csv *p, const char *buf, size_t len,
    struct broker_err *be)
{
	size_t	i;
	char	c;

	memset(be, 0, sizeof *be);
	for (i = 0; i < len && !p->done; i++) {
		c = buf[i];
		if (c == '\r' || (c == '\n' && !p->prev_cr))
			p->line++;
		p->prev_cr = c == '\r';
		if (p->skip_lf) {
			p->skip_lf = 0;
			if (c == '\n')
				continue;
		}
		if (c == '\0')
			return csv_fail(p, be, "a NUL byte");
		if (csv_byte(p, be, c) != 0)
			return -1;
	}
	if (p->failed && !err_isset(&be->err))
		return csv_fail(p, be, "the dump already failed to parse");
	return 0;
}

/* End of the dump: the last row may lack its line break. */
int
kite_csv_finish(struct kite_csv *p, struct broker_err *be)
{
	memset(be, 0, sizeof *be);
	if (p->failed)
		return csv_fail(p, be, "the dump already failed to parse");
	if (p->done)
		return 0;
	if (p->state == CSV_QUOTED)
		return csv_fail(p, be, "a quoted field never closes");
	if (p->state == CSV_START && p->nf > 0 && field_begin(p, be) != 0)
		return -1;
	if (p->nf > 0 && row_end(p, be) != 0)
		return -1;
	if (!p->header)
		return csv_fail(p, be, "no header: the dump is empty");
	p->done = 1;
	return 0;
}
